FROM alpine
# JSON form never takes heredocs
RUN ["sh", "-c", "cat <<EOF"]
# not on ENV
ENV A=<<EOF
# a quoted marker is a single word, not a heredoc
RUN echo "<<EOF"
# unbalanced quotes: BuildKit finds no heredoc at all
RUN echo 'x <<EOF
# here-string
RUN cat <<<EOF
# the destination may not be a heredoc
COPY a <<EOF
x
EOF
