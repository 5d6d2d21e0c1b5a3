# a plain comment ends directive scanning
# syntax=docker/dockerfile:1
FROM alpine
