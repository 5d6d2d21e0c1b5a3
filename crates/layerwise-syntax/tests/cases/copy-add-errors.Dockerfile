FROM alpine
COPY --checksum=sha256:abc a /b
ADD --from=base a /b
COPY --link=maybe a /b
COPY --link= a /b
COPY --from a /b
COPY --from=a --from=b x /y
COPY onlyone
ADD
COPY --chown=1 --chown=2 --bogus a b /c
