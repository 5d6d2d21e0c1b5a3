FROM alpine AS base
COPY --from=base --chown=app:app --chmod=0755 --link a b /dst/
COPY --parents --exclude=*.pyc --exclude=__pycache__ src/ /app/
COPY --link=false x /y
ADD --checksum=sha256:abc --keep-git-dir=true --chown=1000 https://example.org/x.tar.gz /x/
ADD --link --unpack=true --exclude=docs a.tar /opt/
COPY -- --weird-name /dst
COPY --from="build stage" ["a b", "/c d/"]
