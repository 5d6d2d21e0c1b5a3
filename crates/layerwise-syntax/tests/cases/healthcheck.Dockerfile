FROM alpine
HEALTHCHECK --interval=30s --timeout=5s --start-period=1m30s --start-interval=500ms --retries=3 CMD curl -f http://localhost/ || exit 1
HEALTHCHECK --interval=5s NONE
HEALTHCHECK NONE
HEALTHCHECK CMD ["/bin/check", "--quick"]
HEALTHCHECK --interval=soon CMD true
HEALTHCHECK --timeout=10us CMD true
HEALTHCHECK --retries=-1 CMD true
HEALTHCHECK --retries=many CMD true
HEALTHCHECK CMD
HEALTHCHECK NONE extra
HEALTHCHECK PING
HEALTHCHECK
HEALTHCHECK --bogus=1 CMD true
