# syntax=a
# syntax=b
# escape=x
FROM alpine
