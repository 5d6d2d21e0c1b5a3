FROM python:3.12-slim
RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked,id=pip \
    --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \
    pip install -r /tmp/requirements.txt
RUN --mount=type=secret,id=netrc,dst=/root/.netrc,required,mode=0400,uid=1000,gid=1000 true
RUN --mount=type=ssh,required=true --mount=type=tmpfs,destination=/tmp,size=64m true
RUN --mount="type=cache,target=/var/cache/apt" --mount=type=cache,target=/x,ro,from=builder,src=/c true
RUN --mount=target=/src,rw=true make
RUN --network=none --security=insecure echo
RUN --network=host --mount=type=cache,target=$HOME/.cache,uid=$UID true
