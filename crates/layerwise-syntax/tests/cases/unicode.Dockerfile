FROM alpine
RUN echo "unicode é♥" \
  café
LABEL kéy=vàlue
