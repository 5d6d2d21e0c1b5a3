
# escape=`
FROM alpine
RUN echo a \
  b
