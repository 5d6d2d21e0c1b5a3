#!/usr/bin/env bash
# How well `layerwise explain` predicts the next build, on the real-world corpus
# (corpus/real-world.tsv, trees exported by scripts/real-world-export.sh). Needs a
# Docker engine and the package indexes, so it runs outside CI.
#
#   scripts/explain-accuracy.sh [--only NAME]... [OUT_DIR]   (default OUT_DIR /tmp/layerwise-real-world)
#
# For every exported row, on a copy of its tree in OUT_DIR/accuracy/<name>/ (with its
# own explain state): a first build, then for each scenario an edit, `explain
# --format json`, then `build --report json`, and a row-by-row comparison of the two
# `steps` lists (stage, line, instruction, cached). Scenarios:
#   no-change     nothing edited
#   code-edit     a comment appended to the first Python file under the context
#   dep-edit      a comment appended to the first manifest (requirements*.txt,
#                 pyproject.toml, Pipfile)
#   ignored-edit  a file the .dockerignore excludes created or changed (only when the
#                 .dockerignore has a plain `*.EXT` or file-name pattern)
#   base-retag    the FROM lines of the row's base image pointed at a private tag, built,
#                 then that tag moved to the base plus one layer (the base itself is left
#                 alone: the engine is shared)
# Every edit carries a fresh token, so BuildKit's shared cache cannot already hold the
# result. Prints one line per scenario (agreeing steps of all, equal lengths or not, and
# how many rows differ only in a base image FROM's status, which BuildKit 0.8 reports by
# its solver's state: docs/cache-model.md) and every other disagreement;
# OUT_DIR/accuracy/results.tsv keeps the counts, <name>/<scenario>.disagreements.txt the
# rows; scripts/real_world_report.py puts both in docs/real-world.md.
#
# Environment: LAYERWISE (default target/debug/layerwise), BUILD_TIMEOUT in seconds per
# build (default 900), DOCKER (default /usr/bin/docker: the first docker on PATH may refuse
# BuildKit).
set -euo pipefail

# Appends a line to FILE in its own encoding: pip reads requirement files saved
# as UTF-16 (with a byte-order mark), and a UTF-8 line would corrupt them.
append_comment() {
  python3 - "$1" "$2" <<'PY'
import sys
path, line = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
marks = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
codec = marks.get(data[:2])
text = (data[2:] if codec else data).decode(codec or "utf-8") + "\n" + line + "\n"
open(path, "wb").write(data[:2] + text.encode(codec) if codec else text.encode("utf-8"))
PY
}

root=$(cd "$(dirname "$0")/.." && pwd)
tsv=$root/corpus/real-world.tsv
layerwise=${LAYERWISE:-$root/target/debug/layerwise}
build_timeout=${BUILD_TIMEOUT:-900}
docker_cli=${DOCKER:-/usr/bin/docker}

# shellcheck source=scripts/real-world-rows.sh
source "$root/scripts/real-world-rows.sh"
only=()
out=/tmp/layerwise-real-world
while [[ $# -gt 0 ]]; do
  corpus_arg "$@"
  shift "$used"
done

[[ -x $layerwise ]] || { echo "error: $layerwise not found; build it with cargo build -p layerwise" >&2; exit 2; }
require_trees "$out"

token() { echo "$(date +%s%N)-$$-$RANDOM"; }

# Compares an explain JSON and a build report: prints "AGREE/TOTAL LENGTHS" and then
# one line per disagreeing row.
compare() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
explained = json.load(open(sys.argv[1]))["steps"]
built = json.load(open(sys.argv[2]))["steps"]
key = lambda s: (s.get("stage"), s.get("line"), s.get("instruction"), s.get("cached"))
# BuildKit 0.8 marks a base image's FROM vertex cached or not by its solver's
# state, not by the image (docs/cache-model.md, "Reports"): counted apart.
def from_status_only(e, b):
    return (key(e)[:3] == key(b)[:3] and e["cached"] != b["cached"]
            and b["instruction"].upper().startswith("FROM ") and b["duration_s"] == 0
            and b.get("same_vertex_as") is None and not (e.get("cause") or "").startswith("base image"))
agree = sum(1 for e, b in zip(explained, built) if key(e) == key(b))
from_only = sum(1 for e, b in zip(explained, built) if from_status_only(e, b))
lengths = "same-length" if len(explained) == len(built) else f"lengths-{len(explained)}/{len(built)}"
print(f"{agree}/{max(len(explained), len(built))} {lengths} {from_only} base-image-FROM-status-only")
for i in range(max(len(explained), len(built))):
    e = explained[i] if i < len(explained) else None
    b = built[i] if i < len(built) else None
    if e is None or b is None or (key(e) != key(b) and not from_status_only(e, b)):
        show = lambda s: "-" if s is None else f"{s['stage']} line {s['line']} cached={s['cached']} {s['instruction'][:60]}"
        cause = f" ({e['cause']})" if e and e.get("cause") else ""
        print(f"    predicted {show(e)}{cause}\n    built     {show(b)}")
EOF
}

mkdir -p "$out/accuracy"
results=$out/accuracy/results.tsv
[[ -f $results ]] || printf 'name\tscenario\tagree\ttotal\tsame_length\tfrom_status_only\n' >"$results"

# explain, build and compare for scenario $1 of the current row.
measure() {
  local scenario=$1 summary counts length from_only
  if ! "$layerwise" explain "$ctx" -f "$df" --format json >"$work/$scenario.explain.json" 2>"$work/$scenario.explain.log"; then
    echo "$name $scenario: explain failed (see $work/$scenario.explain.log)"
    return
  fi
  if ! build "$scenario"; then
    echo "$name $scenario: the build failed (see $work/$scenario.build.log)"
    return
  fi
  summary=$(compare "$work/$scenario.explain.json" "$work/$scenario.build.json")
  echo "$name $scenario: $summary"
  tail -n +2 <<<"$summary" >"$work/$scenario.disagreements.txt"
  read -r counts length from_only _ <<<"$(head -n 1 <<<"$summary")"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$scenario" "${counts%/*}" "${counts#*/}" \
    "$([[ $length == same-length ]] && echo yes || echo no)" "$from_only" >>"$results"
}

build() {
  timeout "$build_timeout" "$layerwise" build "$ctx" -f "$df" --progress quiet \
    --report json "$work/$1.build.json" >"$work/$1.build.log" 2>&1
}

# The first file under the context (hidden directories left out) that find's
# arguments select, as an absolute path.
first_file() {
  local found
  found=$(cd "$ctx" && find . "$@" -type f -not -path '*/.*' | LC_ALL=C sort | head -n 1)
  [[ -n $found ]] && echo "$ctx/${found#./}"
}

while IFS=$'\t' read -r -u 3 name repo commit dockerfile context kind manager python_tag notes; do
  [[ $name == name ]] && continue
  wanted "$name" || continue
  [[ -d $out/trees/$name ]] || { echo "$name: not exported, skipped"; continue; }
  work=$out/accuracy/$name
  rm -rf "$work"
  mkdir -p "$work"
  cp -a "$out/trees/$name" "$work/tree"
  export XDG_CACHE_HOME=$work/cache
  ctx=$(cd "$work/tree/$context" && pwd)
  df=$work/tree/$dockerfile
  if ! build first; then
    echo "$name: the first build failed, skipped (see $work/first.build.log)"
    continue
  fi
  for scenario in no-change code-edit dep-edit ignored-edit; do
    edited=
    case $scenario in
      code-edit) edited=$(first_file -name '*.py' || true) ;;
      dep-edit)
        edited=$(first_file -maxdepth 2 \( -name 'requirements*.txt' -o -name pyproject.toml -o -name Pipfile \) || true)
        ;;
      ignored-edit)
        # The Dockerfile and .dockerignore are sent whatever the patterns say.
        pattern=$(grep -E '^(\*\.[A-Za-z0-9]+|[A-Za-z0-9_.-]+)$' "$ctx/.dockerignore" 2>/dev/null |
          grep -vE '^(Dockerfile.*|\.dockerignore)$' | head -n 1 || true)
        [[ -n $pattern ]] && edited=$ctx/${pattern/\*/layerwise-accuracy}
        ;;
    esac
    if [[ $scenario != no-change ]]; then
      if [[ -z $edited || -d $edited ]]; then
        echo "$name $scenario: nothing to edit, skipped"
        continue
      fi
      append_comment "$edited" "# layerwise-accuracy $(token)"
    fi
    measure "$scenario"
  done
  # base-retag: the row's base image under a tag of its own, built on, then
  # re-tagged to an image with one more layer. Only literal FROM lines are rewritten.
  base=${python_tag%%;*}
  private=layerwise-accuracy-base:$name
  if ! grep -qE "^FROM +$base( |$)" "$df"; then
    echo "$name base-retag: no FROM $base line to rewrite, skipped"
    continue
  fi
  sed -i -E "s#^FROM +$base( |\$)#FROM $private\\1#" "$df"
  "$docker_cli" tag "$base" "$private"
  if build retag-before; then
    printf 'FROM %s\nRUN echo %s > /layerwise-accuracy\n' "$base" "$(token)" |
      DOCKER_BUILDKIT=1 "$docker_cli" build -q -t "$private" - >"$work/retag.log" 2>&1 &&
      measure base-retag
  else
    echo "$name base-retag: the build on $private failed (see $work/retag-before.build.log)"
  fi
  "$docker_cli" rmi "$private" >/dev/null 2>&1 || true
done 3<"$tsv" # fd 3: the builds inside must not read the TSV
