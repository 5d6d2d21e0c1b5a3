#!/usr/bin/env bash
# Creates a local stand-in for the official `python:3.11-slim` image on machines that
# cannot pull from a registry (layerwise's CI). Users on a normal machine never need
# this: they pull the official image.
#
# The stand-in is Debian bookworm with Python 3.11, venv, pip and headers, the machine's
# CA bundle (so pip and apt inside builds can reach the package indexes through a
# TLS-intercepting egress), and no EXTERNALLY-MANAGED marker, like the official image.
set -euo pipefail

tag=${1:-python:3.11-slim}
docker_cli=/usr/bin/docker

if "$docker_cli" image inspect "$tag" >/dev/null 2>&1; then
  echo "image $tag already present" >&2
  exit 0
fi
if ! command -v mmdebstrap >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq mmdebstrap >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ca_bundle=/etc/ssl/certs/ca-certificates.crt

# Use the same Debian mirror this machine's apt uses.
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
mirror=${mirror:-http://deb.debian.org/debian}

customize=(
  --customize-hook='rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED'
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin'
  --customize-hook="mkdir -p \"\$1\"/usr/local/share/ca-certificates"
)
if [ -f "$ca_bundle" ]; then
  customize+=(--customize-hook="cp $ca_bundle \"\$1\"/etc/ssl/certs/ca-certificates.crt")
  customize+=(--customize-hook="cp $ca_bundle \"\$1\"/usr/local/share/ca-certificates/host-bundle.crt")
fi

echo "building $tag stand-in with mmdebstrap (bookworm)" >&2
mmdebstrap --variant=minbase --quiet \
  --include=python3,python3-venv,python3-pip,python3-dev,python-is-python3,ca-certificates \
  "${customize[@]}" \
  bookworm "$work/rootfs.tar" "$mirror"

"$docker_cli" import \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PYTHON_VERSION=3.11' \
  --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
  --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["python3"]' \
  "$work/rootfs.tar" "$tag" >/dev/null
echo "imported $tag" >&2
