#!/usr/bin/env bash
# Measures layerwise on the real-world corpus (corpus/real-world.tsv) and writes
# docs/real-world.md. Run scripts/real-world-export.sh first; this needs a Docker
# engine and the package indexes, so it runs outside CI.
#
#   scripts/real-world.sh [--only NAME]... [--no-bench | --bench-only] [OUT_DIR]
#                                                   (default OUT_DIR /tmp/layerwise-real-world)
#
# --no-bench skips the bench step (the slowest: four cold builds a row); --bench-only
# runs just that step on rows an earlier run verified, keeping their other results.
#
# For every exported row, in OUT_DIR/runs/<name>/:
#   original-build.log/.rc/.seconds  the original built with the docker CLI (BuildKit)
#   check.json                       `layerwise check --format json`
#   fix.diff, fix.log, fix.rc         `layerwise fix --unsafe-fixes` (what it would change)
#   verify.log, verify.rc            `layerwise fix --unsafe-fixes --verify --write` on a
#                                    fresh copy of the tree (builds both, compares images,
#                                    times code-edit rebuilds); only when fix changes something
#   bench.json, bench.log, bench.rc  `layerwise bench --baseline ORIGINAL -f FIXED --runs 1`
#                                    (dependency-edit and code-edit rebuilds); only when
#                                    verify wrote the fixed file
#   fixed-tree/                      the tree as fix left it (for --bench-only)
# then scripts/real_world_report.py turns them into docs/real-world.md. With --only, the
# other rows keep the results of earlier runs.
#
# Environment: LAYERWISE (default target/release/layerwise), DOCKER (default
# /usr/bin/docker: the first docker on PATH may refuse BuildKit), BUILD_TIMEOUT in
# seconds for the original build (default 600), STEP_TIMEOUT for verify and bench,
# which build several times (default 2400), REPORT (default docs/real-world.md),
# LAYERWISE_COMMIT (the commit LAYERWISE was built from, default this checkout's HEAD;
# recorded per row, so a report mixing runs of two builds says which rows are which),
# KEEP_BUILD_CACHE (the build cache kept when each row starts, default 3GB).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tsv=$root/corpus/real-world.tsv
layerwise=${LAYERWISE:-$root/target/release/layerwise}
docker_cli=${DOCKER:-/usr/bin/docker}
build_timeout=${BUILD_TIMEOUT:-600}
step_timeout=${STEP_TIMEOUT:-2400}
report=${REPORT:-$root/docs/real-world.md}
layerwise_commit=${LAYERWISE_COMMIT:-$(git -C "$root" rev-parse --short=12 HEAD)}
export LAYERWISE_COMMIT=$layerwise_commit

# shellcheck source=scripts/real-world-rows.sh
source "$root/scripts/real-world-rows.sh"
only=()
bench=yes
out=/tmp/layerwise-real-world
while [[ $# -gt 0 ]]; do
  case $1 in
    --no-bench)
      bench=no
      shift
      ;;
    --bench-only)
      bench=only
      shift
      ;;
    *)
      corpus_arg "$@"
      shift "$used"
      ;;
  esac
done

[[ -x $layerwise ]] || { echo "error: $layerwise not found; build it with cargo build --release -p layerwise" >&2; exit 2; }
require_trees "$out"
export DOCKER_BUILDKIT=1

# Runs a command for at most LIMIT seconds, its output into LOG, its exit code into
# LOG's .rc and its wall time into .seconds (timeout's 124 means it ran out of time).
timed() {
  local limit=$1 log=$2
  shift 2
  local start end rc=0
  start=$(date +%s.%N)
  timeout --kill-after=30 "$limit" "$@" >"$log" 2>&1 || rc=$?
  end=$(date +%s.%N)
  echo "$rc" >"${log%.*}.rc"
  python3 -c "print(f'{$end - $start:.1f}')" >"${log%.*}.seconds"
  return 0
}

# Original vs fixed on the dependency and code edits, one run each.
run_bench() {
  local run=$1 dockerfile=$2 context=$3
  timed "$step_timeout" "$run/bench.log" "$layerwise" bench --runs 1 --json "$run/bench.json" \
    --baseline "$run/original.Dockerfile" -f "$run/fixed-tree/$dockerfile" "$run/fixed-tree/$context"
  echo "   bench: exit $(cat "$run/bench.rc") in $(cat "$run/bench.seconds")s" >&2
}

while IFS=$'\t' read -r -u 3 name repo commit dockerfile context kind manager python_tag notes; do
  [[ $name == name || -z $name ]] && continue
  wanted "$name" || continue
  if [[ $bench == only ]]; then
    run=$out/runs/$name
    if [[ $(cat "$run/verify.rc" 2>/dev/null) == 0 && -d $run/fixed-tree ]]; then
      echo "== $name (bench only)" >&2
      rm -f "$run/bench.json" "$run/bench.log" "$run/bench.rc" "$run/bench.seconds"
      run_bench "$run" "$dockerfile" "$context"
    fi
    continue
  fi
  tree=$out/trees/$name
  if [[ ! -d $tree ]]; then
    echo "$name: not exported (run scripts/real-world-export.sh); skipped" >&2
    continue
  fi
  run=$out/runs/$name
  rm -rf "$run"
  mkdir -p "$run"
  echo "== $name ($repo @ ${commit:0:12})" >&2
  # Each row leaves gigabytes of build cache; 58 rows filled a 90 GB disk
  # ("No space left on device" mid-row). Rows never reuse each other's cache.
  "$docker_cli" builder prune -f --keep-storage "${KEEP_BUILD_CACHE:-3GB}" >/dev/null 2>&1 || true
  cut -d ' ' -f1 /proc/loadavg >"$run/loadavg" # the report says how loaded the machine was
  echo "$layerwise_commit" >"$run/layerwise-commit"

  # Stand-ins for the python:* bases it names; other registries cannot be reached.
  IFS=';' read -ra tags <<<"$python_tag"
  for tag in "${tags[@]}"; do
    tag=$(echo "$tag" | xargs)
    [[ $tag == python:* ]] && "$root/scripts/make-base-image.sh" "$tag" >>"$run/base-images.log" 2>&1 || true
  done

  image=layerwise-real-world-$name:original
  timed "$build_timeout" "$run/original-build.log" "$docker_cli" build --progress=plain \
    -f "$tree/$dockerfile" -t "$image" "$tree/$context"
  "$docker_cli" image rm "$image" >/dev/null 2>&1 || true
  echo "   original build: exit $(cat "$run/original-build.rc") in $(cat "$run/original-build.seconds")s" >&2

  "$layerwise" check --format json --context "$tree/$context" "$tree/$dockerfile" \
    >"$run/check.json" 2>"$run/check.log" || true

  # What fix would change, on the exported tree (diff mode writes nothing).
  rc=0
  "$layerwise" fix --unsafe-fixes --context "$tree/$context" "$tree/$dockerfile" \
    >"$run/fix.diff" 2>"$run/fix.log" || rc=$?
  echo "$rc" >"$run/fix.rc"
  echo "   fix: exit $rc" >&2

  if [[ $(cat "$run/original-build.rc") == 0 && $rc == 1 ]]; then
    fixed=$run/fixed-tree
    cp -a "$tree" "$fixed"
    cp "$tree/$dockerfile" "$run/original.Dockerfile"
    timed "$step_timeout" "$run/verify.log" "$layerwise" fix --unsafe-fixes --verify --write \
      --context "$fixed/$context" "$fixed/$dockerfile"
    echo "   verify: exit $(cat "$run/verify.rc") in $(cat "$run/verify.seconds")s" >&2
    cp "$fixed/$dockerfile" "$run/fixed.Dockerfile"
    if [[ $(cat "$run/verify.rc") == 0 && $bench == yes ]]; then
      run_bench "$run" "$dockerfile" "$context"
    fi
  fi
done 3<"$tsv" # fd 3: the builds and containers inside must not read the TSV

python3 "$root/scripts/real_world_report.py" --tsv "$tsv" --layerwise "$layerwise" \
  --docker "$docker_cli" "$out" >"$report.tmp"
mv "$report.tmp" "$report"
echo "wrote $report" >&2
