#!/usr/bin/env bash
# Runs layerwise's checks and test suite. Needs a Docker engine for the engine tests
# (they skip with a reason when none answers, unless LAYERWISE_REQUIRE_DOCKER=1).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace --doc
# Last, so its summary is the run's closing line.
cargo nextest run --workspace --no-fail-fast
