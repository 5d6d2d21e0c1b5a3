#!/usr/bin/env bash
# Creates a local stand-in for uv's published image (`ghcr.io/astral-sh/uv:<version>`)
# on machines that cannot pull from a container registry (layerwise's CI). Users on a
# normal machine never need this: BuildKit pulls the real image the first time a
# generated Dockerfile's `COPY --from=ghcr.io/astral-sh/uv:<version>` or
# `RUN --mount=from=ghcr.io/astral-sh/uv:<version>` needs it.
#
#   scripts/make-uv-image.sh [VERSION]   (default: the version `layerwise init` pins)
#
# The published image holds two static binaries at its root, `/uv` and `/uvx`, and
# nothing else. The stand-in holds the same two files, taken from the musllinux wheel (statically linked, as the image's are)
# of the same version on the Python package index (the binaries in the wheel are the
# ones released with the image).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
docker_cli=/usr/bin/docker
version=${1:-$(sed -n 's/^pub const UV_VERSION: &str = "\(.*\)";$/\1/p' "$root/crates/layerwise-init/src/tools.rs")}
if [[ -z $version ]]; then
  echo "error: no uv version given and none found in crates/layerwise-init/src/tools.rs" >&2
  exit 2
fi
tag=ghcr.io/astral-sh/uv:$version

if "$docker_cli" image inspect "$tag" >/dev/null 2>&1; then
  echo "image $tag already present" >&2
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pip=(python3 -m pip)
if ! "${pip[@]}" --version >/dev/null 2>&1; then
  python3 -m venv "$work/venv"
  pip=("$work/venv/bin/pip")
fi
"${pip[@]}" download --quiet --no-deps --only-binary=:all: \
  --platform musllinux_1_1_x86_64 --python-version 3.11 \
  --dest "$work/wheel" "uv==$version"
wheel=$(ls "$work"/wheel/uv-"$version"-*.whl)
mkdir "$work/root"
python3 - "$wheel" "$work/root" <<'PY'
import os, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        if name.endswith("/scripts/" + base) and base in ("uv", "uvx"):
            path = os.path.join(out, base)
            with open(path, "wb") as f:
                f.write(z.read(name))
            os.chmod(path, 0o755)
missing = {"uv", "uvx"} - set(os.listdir(out))
if missing:
    sys.exit(f"error: {wheel} has no {', '.join(sorted(missing))}")
PY
tar -C "$work/root" --owner=0 --group=0 --numeric-owner -cf - uv uvx |
  "$docker_cli" import --change 'CMD ["/uv"]' - "$tag" >/dev/null
echo "made $tag from the uv $version wheel" >&2
