FROM alpine
ONBUILD RUN --mount=type=cache,target=/c --network=none make
ONBUILD COPY --from=builder --bogus /a /b
ONBUILD FROM --bogus x
