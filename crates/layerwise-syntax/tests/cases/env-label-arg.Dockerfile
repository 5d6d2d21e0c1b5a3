FROM alpine
ENV PATH="/opt/venv/bin:$PATH" VIRTUAL_ENV=/opt/venv
ENV LEGACY value with   spaces
ENV A=1 B="two words" C=three\ words D=
LABEL org.opencontainers.image.title="layerwise" version=1
LABEL description Legacy label
ARG PY=3.12 NAME BLANK=
ARG QUOTED="a b" 'single'=x
ENV missing_equals=1 oops
ENV =blank
ARG =nodefault
ARG
LABEL
ENV
ARG --required TOKEN
ARG --required=maybe X
