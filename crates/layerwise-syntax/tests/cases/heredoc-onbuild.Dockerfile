FROM alpine
ONBUILD RUN <<EOF
echo later
EOF
RUN --mount=type=cache,target=/root/.cache <<EOF bash
  pip install x \
    y
EOF
