#!/usr/bin/env bash
# Measures every bundled example naive vs generated with `layerwise bench --init`,
# keeping each report's Markdown and JSON (with per-step times) in OUT:
#
#   scripts/bench-examples.sh OUT [EXAMPLE…]    (env: LAYERWISE, RUNS=3, BANDWIDTH=20)
#
# The dependency edit of a locked project regenerates its lock with the project's own
# manager (uv, pipenv, poetry), which must then be on PATH; bench skips it otherwise.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:?usage: scripts/bench-examples.sh OUT [EXAMPLE…]}")
shift
layerwise=${LAYERWISE:-$root/target/release/layerwise}
mkdir -p "$out"
examples=("$@")
if [[ ${#examples[@]} -eq 0 ]]; then
  for dir in "$root"/examples/*/; do examples+=("$(basename "$dir")"); done
fi
{
  echo "commit: $(git -C "$root" rev-parse --short HEAD)"
  echo "machine: $(nproc) vCPU, $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1), $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "started: $(date -u +%FT%TZ), load: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
for name in "${examples[@]}"; do
  echo "== $name" >&2
  (cd "$root" && "$layerwise" bench "examples/$name" --init --runs "${RUNS:-3}" \
    --bandwidth "${BANDWIDTH:-20}" --json "$out/$name.json" --markdown "$out/$name.md" \
    >/dev/null 2>"$out/$name.log") || echo "$name: exit $? (see $out/$name.log)" >&2
  echo "$name done $(date -u +%T), load: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"
done
