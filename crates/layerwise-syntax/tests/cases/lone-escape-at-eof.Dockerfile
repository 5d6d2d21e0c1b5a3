FROM alpine
RUN echo ok
\
