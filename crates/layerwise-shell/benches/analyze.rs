//! Cost of analysing one `RUN` line, parse plus tool recognition.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

const SHORT: &str = "pip install --no-cache-dir -r requirements.txt";
const TYPICAL: &str = "set -eux; apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
    --no-install-recommends build-essential libpq-dev curl ca-certificates && \
    python -m venv /opt/venv && /opt/venv/bin/pip install --upgrade pip wheel && \
    /opt/venv/bin/pip install --no-cache-dir -r requirements.txt && \
    groupadd --system app && useradd --system -g app -m app && \
    rm -rf /var/lib/apt/lists/* /root/.cache";
const WRAPPED: &str = "sh -c 'if [ -f poetry.lock ]; then poetry install --no-root --only main; \
    else pip install $(cat reqs.txt | grep -v \"^#\"); fi'";

fn bench(c: &mut Criterion) {
    for (name, line) in [("short", SHORT), ("typical", TYPICAL), ("wrapped", WRAPPED)] {
        c.bench_function(&format!("analyze/{name}"), |b| {
            b.iter(|| layerwise_shell::analyze(black_box(line)))
        });
        c.bench_function(&format!("analyze+invocations/{name}"), |b| {
            b.iter(|| {
                let s = layerwise_shell::analyze(black_box(line));
                layerwise_shell::invocations(&s)
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
