#!/usr/bin/env bash
# Creates a local stand-in for an official `python:*` image on machines that cannot
# pull from a registry (layerwise's CI, the real-world corpus). Users on a normal
# machine never need this: they pull the official image.
#
#   scripts/make-base-image.sh [TAG]     (default python:3.11-slim)
#
# TAG is `python:3[.N[.P]][-slim][-bookworm|-trixie|-bullseye|-buster]`. A stand-in
# holds the Python of the Debian release it is made from, not the one its tag names:
# Debian 12 (bookworm, Python 3.11) stands in for 3.8–3.12 and for the older
# bullseye/buster suffixes, Debian 13 (trixie, Python 3.13) for 3.13+ and the bare
# `python:3`. `PYTHON_VERSION` in the image is the Python really inside.
#
# Every stand-in has Python, venv, pip and headers, the machine's CA bundle (so pip, apt
# and requests-based installers such as Poetry and Pipenv, pointed at it by
# REQUESTS_CA_BUNDLE, can reach the package indexes through a TLS-intercepting egress),
# and no EXTERNALLY-MANAGED marker, like the official image. The non-slim variant adds
# what the official full image has for building wheels: build-essential, git, curl and
# common -dev libraries. Python is /usr/bin/python3 with `python` linked, not
# /usr/local/bin as in the official image.
#
# Each Debian root file system is made once (mmdebstrap) as
# `layerwise-python-standin:<release>-<variant>`; tags are aliases of it.
set -euo pipefail

tag=${1:-python:3.11-slim}
docker_cli=/usr/bin/docker

if "$docker_cli" image inspect "$tag" >/dev/null 2>&1; then
  echo "image $tag already present" >&2
  exit 0
fi

tag_pattern='^python:3(\.([0-9]+))?(\.[0-9]+)?(-slim)?(-(bookworm|trixie|bullseye|buster))?$'
if [[ ! $tag =~ $tag_pattern ]]; then
  echo "error: cannot make a stand-in for '$tag': expected python:3[.N[.P]][-slim][-bookworm|-trixie|-bullseye|-buster]" >&2
  exit 2
fi
minor=${BASH_REMATCH[2]}
variant=full
[[ -n ${BASH_REMATCH[4]} ]] && variant=slim
suffix=${BASH_REMATCH[6]}
if [[ $suffix == trixie || -z $minor && $suffix != bookworm || -n $minor && $minor -ge 13 && $suffix != bookworm ]]; then
  release=trixie
else
  release=bookworm
fi
standin=layerwise-python-standin:$release-$variant

make_standin() {
  if ! command -v mmdebstrap >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq mmdebstrap >/dev/null
  fi

  local work
  work=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: $work is local
  trap "rm -rf '$work'" EXIT
  local ca_bundle=/etc/ssl/certs/ca-certificates.crt

  # Use the same Debian mirror this machine's apt uses.
  local mirror
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
  mirror=${mirror:-http://deb.debian.org/debian}

  local packages=python3,python3-venv,python3-pip,python3-dev,python-is-python3,ca-certificates
  if [[ $variant == full ]]; then
    packages+=,build-essential,git,curl,wget,gnupg,netbase,procps,pkg-config
    packages+=,libpq-dev,libffi-dev,libssl-dev,zlib1g-dev,libjpeg-dev,libxml2-dev,libxslt1-dev
    packages+=,libsqlite3-dev,libbz2-dev,libreadline-dev,liblzma-dev,default-libmysqlclient-dev
  fi

  local customize=(
    --customize-hook='rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED'
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin'
    --customize-hook="mkdir -p \"\$1\"/usr/local/share/ca-certificates"
    --customize-hook="chroot \"\$1\" python3 -c 'import platform; print(platform.python_version())' >'$work/python-version'"
  )
  if [ -f "$ca_bundle" ]; then
    customize+=(--customize-hook="cp $ca_bundle \"\$1\"/etc/ssl/certs/ca-certificates.crt")
    customize+=(--customize-hook="cp $ca_bundle \"\$1\"/usr/local/share/ca-certificates/host-bundle.crt")
  fi

  echo "building $standin with mmdebstrap ($release, $variant)" >&2
  mmdebstrap --variant=minbase --quiet --include="$packages" "${customize[@]}" \
    "$release" "$work/rootfs.tar" "$mirror"

  local python_version
  python_version=$(cat "$work/python-version")
  "$docker_cli" import \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change "ENV PYTHON_VERSION=$python_version" \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["python3"]' \
    "$work/rootfs.tar" "$standin-debian" >/dev/null

  # Debian's pip cannot uninstall itself ("installed by debian"), so `pip install -U pip`
  # would fail where the official image succeeds: put pip, setuptools and wheel under
  # /usr/local, which comes first on sys.path and PATH, as the official image has them.
  printf '%s\n' "FROM $standin-debian" \
    'RUN python3 -m pip install --no-cache-dir --ignore-installed --disable-pip-version-check pip setuptools wheel' |
    DOCKER_BUILDKIT=1 "$docker_cli" build -q -t "$standin" - >/dev/null
  "$docker_cli" rmi "$standin-debian" >/dev/null
  echo "made $standin (Python $python_version)" >&2
}

"$docker_cli" image inspect "$standin" >/dev/null 2>&1 || make_standin
"$docker_cli" tag "$standin" "$tag"
echo "tagged $tag -> $standin ($("$docker_cli" image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$standin" | sed -n 's/^PYTHON_VERSION=//p'))" >&2
