#!/usr/bin/env bash
# Packages the VS Code extension in editors/vscode into a .vsix: @vscode/vsce
# and the extension's dependencies are installed from npm into a throwaway
# directory (the repository gets no node_modules), the package is checked to
# hold the extension and its language client, and its size is printed.
# The .vsix is left in target/vsix (VSIX_DIR to choose another directory).
#
# When npm is missing or cannot install @vscode/vsce (no network to the npm
# registry), the script says why and exits 0: the extension cannot be packaged
# here, which is not a fault of the extension. Any failure after that is one.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${VSIX_DIR:-$root/target/vsix}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

npm_quiet=(--no-audit --no-fund --loglevel=error --prefer-offline)

if ! command -v npm >/dev/null; then
  echo "build-vsix: skipped: npm is not installed"
  exit 0
fi
if ! npm install "${npm_quiet[@]}" --prefix "$work/tools" @vscode/vsce@3 >"$work/npm.log" 2>&1; then
  echo "build-vsix: skipped: npm could not install @vscode/vsce:"
  tail -n 5 "$work/npm.log"
  exit 0
fi

cp -r "$root/editors/vscode" "$work/extension"
rm -rf "$work/extension/node_modules"
(cd "$work/extension" && npm install "${npm_quiet[@]}" --omit=dev >"$work/npm.log" 2>&1) || {
  cat "$work/npm.log" >&2
  echo "build-vsix: npm could not install the extension's dependencies" >&2
  exit 1
}
# The entry point parses and the client it requires resolves (VS Code itself
# provides the `vscode` module at run time).
node --check "$work/extension/extension.js"
(cd "$work/extension" && node -e "require.resolve('vscode-languageclient/node')")

mkdir -p "$out"
version=$(node -p "require('$work/extension/package.json').version")
vsix="$out/layerwise-$version.vsix"
rm -f "$vsix"
(cd "$work/extension" && "$work/tools/node_modules/.bin/vsce" package --skip-license --out "$vsix" >"$work/vsce.log" 2>&1) || {
  cat "$work/vsce.log" >&2
  echo "build-vsix: vsce could not package the extension" >&2
  exit 1
}

# A .vsix is a zip: the manifest, the entry point and the client it requires.
python3 - "$vsix" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
needed = [
    "extension/package.json",
    "extension/extension.js",
    "extension/node_modules/vscode-languageclient/node.js",
]
missing = [n for n in needed if n not in names]
if missing:
    sys.exit(f"build-vsix: {sys.argv[1]} lacks {missing}")
PY

size=$(stat -c %s "$vsix")
echo "vsix: $vsix ($(awk -v s="$size" 'BEGIN { printf "%.1f kB", s / 1e3 }'), $size bytes)"
echo "install: code --install-extension $vsix"
