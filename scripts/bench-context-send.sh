#!/usr/bin/env bash
# Context send time of `layerwise build` against `docker build` (Debian's 20.10
# CLI with DOCKER_BUILDKIT=1) on a generated 1 GB repository. A benchmark, not a
# test: every step is a cache hit after the warm-up, so what is timed is reading
# and sending the context plus the engine's cache checks.
#
#   scripts/bench-context-send.sh [SIZE_MB]     needs a running engine, hyperfine,
#                                               and the python:3.11-slim image
#
# Two Dockerfiles over the same tree: `small` copies only `app/` (a few KB; the
# 1 GB of `data/` is never selected), `whole` copies everything (`COPY . /ctx`).
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
docker=/usr/bin/docker
for tool in hyperfine "$docker"; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done

cargo build --release --quiet -p layerwise
layerwise=$PWD/target/release/layerwise

repo=$(mktemp -d)
trap 'rm -rf "$repo"; for t in small whole; do $docker rmi -f "layerwise-bench-send-$t" "docker-bench-send-$t" >/dev/null 2>&1 || true; done' EXIT
mkdir -p "$repo/app" "$repo/data"
for i in $(seq 1 20); do echo "print($i)" > "$repo/app/module_$i.py"; done
# 1 MiB files of incompressible data, as a repository of fixtures or models has.
head -c "$((size_mb << 20))" /dev/urandom | split -b 1M -d -a 5 - "$repo/data/blob-"
printf 'FROM python:3.11-slim\nCOPY app/ /app/\n' > "$repo/small.Dockerfile"
printf 'FROM python:3.11-slim\nCOPY . /ctx/\n' > "$repo/whole.Dockerfile"
echo "repository: $(find "$repo" -type f | wc -l) files, $(du -sh "$repo" | cut -f1)"
"$docker" version --format 'engine {{.Server.Version}}, API {{.Server.APIVersion}}'

for df in small whole; do
  hyperfine --style basic --warmup 1 --runs 5 \
    -n "layerwise build ($df)" \
    "$layerwise build $repo -f $repo/$df.Dockerfile -t layerwise-bench-send-$df --progress quiet" \
    -n "docker build ($df)" \
    "DOCKER_BUILDKIT=1 $docker build -q -f $repo/$df.Dockerfile -t docker-bench-send-$df $repo"
done
