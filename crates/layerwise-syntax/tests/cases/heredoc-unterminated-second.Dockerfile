FROM alpine
RUN cat <<A <<B
in a
A
