FROM alpine:3.6
USER <<INVALID
INVALID
RUN <<COMMENT
# internal comment
echo foo bar # trailing comment
COMMENT
COPY <<X <<Y /dest
Y
X
X
Y
RUN <<eo\'f
echo foo
eo'f
RUN <<'one two'
echo bar
one two
RUN <<$EOF
$EOF
RUN <<  EOF
EOF
RUN <<  EOF  > foo
EOF
RUN << -EOF
-EOF
RUN <<-	UNINDENT2
	baz
	UNINDENT2
