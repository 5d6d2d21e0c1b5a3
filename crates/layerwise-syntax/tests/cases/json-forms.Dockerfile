FROM alpine
CMD ["python", "-m", "app"]
ENTRYPOINT ["tini", "--"]
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
CMD ['single', 'quotes']
CMD [ "unterminated"
RUN ["echo", "\u00e9\n"]
CMD ["a", 1]
ENTRYPOINT ["a", {"b": ["c"]}]
SHELL /bin/bash -c
SHELL []
VOLUME ["/data", "/logs"]
VOLUME ["", "/x"]
VOLUME /a /b
