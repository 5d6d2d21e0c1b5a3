# syntax=docker/dockerfile:1.7
# ESCAPE = `
#check=skip=JSONArgsRecommended;error=true
# escape=\
FROM alpine
RUN echo a `
    b
# escape=\
RUN echo \`
