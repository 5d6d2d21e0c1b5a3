FROM alpine
RUN --mount=type=nfs,target=/x true
RUN --mount=type=cache,target=/x,sharing=sometimes true
RUN --mount=type=bind,target=/x,mode=0755 true
RUN --mount=required,type=secret,id=a true
RUN --mount=type=secret true
RUN --mount=type=cache,target=/x,colour=blue true
RUN --mount=type=cache,target true
RUN --mount=type=cache,target="/x true
RUN --mount=type=tmpfs,target=/t,size=huge true
RUN --mount=type=cache,target=/x,uid=-1 true
RUN --mount=from=$STAGE,target=/x true
RUN --mount true
RUN --network=bridge --security=relaxed true
RUN --mount=type=secret,id=a,sharing=locked true
