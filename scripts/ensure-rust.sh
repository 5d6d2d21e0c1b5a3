#!/usr/bin/env bash
# Makes sure the Rust toolchain the workspace declares (`rust-version` in Cargo.toml)
# and cargo-nextest are there: a missing or older toolchain is installed with rustup
# (Debian's `rustup` package when rustup itself is missing, where Debian has one),
# a missing cargo-nextest with `cargo install`.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$HOME/.cargo/bin:$PATH"
need=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml)

# Whether dotted version $1 is at least $2.
at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

have=$(rustc --version 2>/dev/null | cut -d' ' -f2 || true)
if [ -z "$have" ] || ! at_least "$have" "$need"; then
  echo "Rust ${have:-missing}, the workspace needs $need: installing with rustup" >&2
  if ! command -v rustup >/dev/null; then
    # Debian packages rustup from Debian 13 on; Debian 12 has only an older rustc.
    if ! { apt-get install -y --no-install-recommends rustup && command -v rustup >/dev/null; }; then
      echo "no rustup to install Rust $need with: install it (see rust-lang.org/tools/install) and re-run" >&2
      exit 1
    fi
  fi
  rustup toolchain install stable --profile minimal --component rustfmt,clippy
  rustup default stable
fi

if ! cargo nextest --version >/dev/null 2>&1; then
  echo "cargo-nextest missing: installing it" >&2
  cargo install cargo-nextest --locked
fi
