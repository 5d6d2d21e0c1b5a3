#!/usr/bin/env bash
# What a team's registry cache buys a fresh engine: the first build of an example on a
# second, empty Docker engine, without and with the cache engine A pushed.
#
#   scripts/bench-shared-cache.sh [EXAMPLE] [RUNS]     (default django-postgres, 3)
#                                                      env: LAYERWISE, DOCKER
#
# Engine A is the machine's. The script starts Debian's docker-registry on loopback and
# a second dockerd (engine B: own data root, socket and bridge, its containers NATed by
# one iptables rule of its own), generates the example's build with
# `layerwise init --registry`, builds and pushes it on A with `layerwise build --compose
# --push`, copies the base images to B, then alternates on B: a cold build without
# the registry cache (`layerwise build`) and one with it (`layerwise build --compose`,
# whose `cache_from` names the pushed image), B's cache and images emptied before each.
# Root only (dockerd, a bridge, iptables). Everything it starts is stopped on exit.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
example=${1:-django-postgres}
runs=${2:-3}
layerwise=${LAYERWISE:-$root/target/release/layerwise}
docker=${DOCKER:-/usr/bin/docker}
bridge=lwsc$$
subnet=10.215.$(($$ % 250)).0/24
gateway=${subnet%.0/24}.1
work=$(mktemp -d /tmp/lwsc.XXXX)
port=$((20000 + $$ % 20000))
registry_pid= dockerd_pid=

cleanup() {
  [[ -n $dockerd_pid ]] && kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null || true
  [[ -n $registry_pid ]] && kill "$registry_pid" 2>/dev/null || true
  iptables -t nat -D POSTROUTING -s "$subnet" ! -o "$bridge" -j MASQUERADE 2>/dev/null || true
  iptables -D FORWARD -i "$bridge" -j ACCEPT 2>/dev/null || true
  iptables -D FORWARD -o "$bridge" -j ACCEPT 2>/dev/null || true
  ip link delete "$bridge" 2>/dev/null || true
  rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
trap "exit 130" INT TERM

cat >"$work/registry.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
EOF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!

ip link add "$bridge" type bridge
ip addr add "$gateway/24" dev "$bridge"
ip link set "$bridge" up
iptables -t nat -A POSTROUTING -s "$subnet" ! -o "$bridge" -j MASQUERADE
iptables -I FORWARD -i "$bridge" -j ACCEPT
iptables -I FORWARD -o "$bridge" -j ACCEPT
dockerd --data-root "$work/data" --exec-root "$work/x" --pidfile "$work/dockerd.pid" \
  -H "unix://$work/d.sock" --bridge="$bridge" --iptables=false --ip-masq=false \
  >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
b="unix://$work/d.sock"
for _ in $(seq 1 60); do DOCKER_HOST=$b "$docker" version >/dev/null 2>&1 && break; sleep 1; done

project=$work/project
cp -r "$root/examples/$example" "$project"
repository=127.0.0.1:$port/$example
# init keeps an existing compose file; this copy takes the generated one (with cache_from).
rm -f "$project/compose.yaml" "$project/docker-compose.yml"
"$layerwise" init "$project" --registry "$repository" >"$work/init.log" 2>&1 || {
  cat "$work/init.log" >&2
  exit 1
}
echo "engine A builds and pushes $repository:latest" >&2
"$layerwise" build "$project" --compose --push --progress quiet >"$work/a.log" 2>&1 || {
  cat "$work/a.log" >&2
  exit 1
}

# The base images, as a fresh machine would pull them.
images=$(sed -n 's/^FROM \([^ ]*\).*/\1/p; s/^COPY --from=\([^ ]*[:/][^ ]*\) .*/\1/p' "$project/Dockerfile" | sort -u)
# shellcheck disable=SC2086
"$docker" save $images | DOCKER_HOST=$b "$docker" load >/dev/null

empty_b() {
  DOCKER_HOST=$b "$docker" builder prune -af >/dev/null
  DOCKER_HOST=$b "$docker" image rm -f "$repository:latest" "$example-bench-b" >/dev/null 2>&1 || true
}
# A report's total seconds (a compose build reports its one service).
seconds() {
  python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
print((r["services"][0] if "services" in r else r)["total_s"])' "$1"
}

echo "| run | engine B, no registry cache | engine B, --cache-from the pushed image | steps re-run with it |"
echo "|---|---:|---:|---|"
for run in $(seq 1 "$runs"); do
  empty_b
  DOCKER_HOST=$b "$layerwise" build "$project" -t "$example-bench-b" --progress quiet \
    --report json "$work/cold.json" >/dev/null 2>&1
  empty_b
  DOCKER_HOST=$b "$layerwise" build "$project" --compose --progress quiet \
    --report json "$work/cached.json" >/dev/null 2>&1
  ran=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
r = r["services"][0] if "services" in r else r
print(", ".join(s["instruction"][:30] for s in r["steps"] if not s["cached"] and not s["instruction"].startswith("FROM")) or "none")' "$work/cached.json")
  echo "| $run | $(seconds "$work/cold.json") s | $(seconds "$work/cached.json") s | $ran |"
done
echo
echo "Machine: $(nproc) vCPU, $(. /etc/os-release && echo "$PRETTY_NAME"), Docker Engine $("$docker" version --format '{{.Server.Version}}'), layerwise $("$layerwise" --version | cut -d' ' -f2) ($(git -C "$root" rev-parse --short HEAD)), $(date -u +%F)"
