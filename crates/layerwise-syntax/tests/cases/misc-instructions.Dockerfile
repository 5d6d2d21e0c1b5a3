FROM alpine
MAINTAINER Jane Doe <jane@example.org>
STOPSIGNAL SIGTERM
EXPOSE 80/tcp 443
USER app:app
WORKDIR /srv/app
ONBUILD COPY . /app
ONBUILD ONBUILD RUN x
ONBUILD FROM alpine
ONBUILD
run lowercase works
FETCH http://example.org
USER
WORKDIR
EXPOSE
STOPSIGNAL
MAINTAINER
CMD --doit [ "a" ]
