#!/usr/bin/env bash
# Builds the layerwise wheel with maturin (installed from the package index into
# a throwaway venv), installs the wheel into a fresh venv and runs it there:
# `layerwise --version` and `layerwise check` on a bundled example. Also tries
# the wheel through `uvx --from`, `uv tool install` and `pipx install`, as the
# README shows.
# The wheel is left in target/wheels (WHEEL_DIR to choose another directory).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${WHEEL_DIR:-$root/target/wheels}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seconds() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

if ! python3 -m venv "$work/tools"; then
  echo "build-wheel: python3 cannot make a venv (on Debian: apt-get install python3-venv)" >&2
  exit 1
fi
"$work/tools/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.9,<2" uv pipx

start=$(seconds)
rm -f "$out"/layerwise-*.whl
(cd "$root" && "$work/tools/bin/maturin" build --release --quiet --out "$out")
built=$(seconds)
wheel=$(ls "$out"/layerwise-*.whl)

python3 -m venv "$work/fresh"
"$work/fresh/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
installed=$(seconds)

expect_findings() { # the example's naive Dockerfile has findings: exit 1, LW101 among them
  local status=0 report
  report=$("$@" check "$root/examples/flask-requirements" 2>&1) || status=$?
  if [ "$status" != 1 ] || ! grep -q 'warning\[LW101\]' <<<"$report"; then
    echo "build-wheel: '$* check' gave exit $status:" >&2
    echo "$report" >&2
    exit 1
  fi
}

version=$("$work/fresh/bin/layerwise" --version)
[ "$version" = "layerwise $(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)" ] || {
  echo "build-wheel: unexpected version: $version" >&2
  exit 1
}
# From the venv's PATH, as `pip install` users run it.
(PATH="$work/fresh/bin:$PATH" expect_findings layerwise)

# uvx and pipx, with their state kept in the throwaway directory.
export UV_CACHE_DIR="$work/uv-cache" UV_TOOL_DIR="$work/uv-tools" UV_TOOL_BIN_DIR="$work/uv-bin"
export PIPX_HOME="$work/pipx" PIPX_BIN_DIR="$work/pipx-bin"
expect_findings "$work/tools/bin/uvx" --offline --from "$wheel" layerwise
"$work/tools/bin/uv" tool install --quiet --offline "$wheel"
expect_findings "$work/uv-bin/layerwise"
"$work/tools/bin/pipx" install --quiet "$wheel" >/dev/null
expect_findings "$work/pipx-bin/layerwise"

size=$(stat -c %s "$wheel")
echo "wheel: $wheel ($(awk -v s="$size" 'BEGIN { printf "%.1f MB", s / 1e6 }'))"
echo "build: $(elapsed "$start" "$built") s, pip install into a fresh venv: $(elapsed "$built" "$installed") s"
echo "ok: $version; check from the venv, uvx, uv tool and pipx found LW101 in examples/flask-requirements"
