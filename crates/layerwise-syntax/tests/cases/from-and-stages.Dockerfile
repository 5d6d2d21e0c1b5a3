ARG BASE=python:3.12
FROM --platform=$BUILDPLATFORM ${BASE} AS Builder
FROM builder as runtime
FROM scratch
FROM a b
FROM a AS 1bad
FROM
FROM --platform a
FROM --plat=linux/amd64 a
