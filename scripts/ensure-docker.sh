#!/usr/bin/env bash
# Makes a Docker engine answer on this machine, for layerwise's own tests and CI.
# Users on a normal machine never need this: they already run Docker.
#
#   scripts/ensure-docker.sh start   install Debian's docker.io if no engine answers,
#                                    start dockerd if none runs; prints "started" when
#                                    this script started it (so the caller can stop it)
#   scripts/ensure-docker.sh stop    stop the dockerd this script started
set -euo pipefail

pidfile=/run/layerwise-dockerd.pid
logfile=/var/log/layerwise-dockerd.log
# Debian's 20.10 CLI can build with BuildKit; a newer CLI without buildx refuses to.
docker_cli=/usr/bin/docker

engine_answers() {
  [ -x "$docker_cli" ] && timeout 10 "$docker_cli" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

start() {
  if engine_answers; then
    echo "engine already running: $("$docker_cli" version --format '{{.Server.Version}}')" >&2
    return 0
  fi
  if ! command -v dockerd >/dev/null 2>&1 || [ ! -x "$docker_cli" ]; then
    echo "installing Debian's docker.io" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq docker.io >/dev/null
  fi
  # The package's own service may not start without systemd; run dockerd directly.
  if ! engine_answers; then
    nohup dockerd >"$logfile" 2>&1 &
    echo $! >"$pidfile"
    for _ in $(seq 1 60); do
      engine_answers && break
      sleep 1
    done
    if ! engine_answers; then
      echo "dockerd did not come up; last log lines:" >&2
      tail -n 30 "$logfile" >&2 || true
      exit 1
    fi
    echo started
  fi
}

stop() {
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
  fi
  rm -f "$pidfile"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
