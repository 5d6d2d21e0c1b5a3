//! Parse throughput over the binnacle gold corpus (skipped when absent) and
//! over 10,000 synthesized Dockerfiles. Each corpus is measured twice: once
//! as bytes/s and once as files/s.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use layerwise_syntax::parse;

/// A deterministic variety of realistic Dockerfiles (multi-stage Python
/// builds, continuations, mounts, heredocs, JSON and shell forms).
fn synthesized(count: usize) -> Vec<String> {
    let bases = [
        "python:3.12-slim",
        "python:3.11-bookworm",
        "debian:bookworm",
        "alpine:3.20",
    ];
    let packages = [
        "curl",
        "git",
        "build-essential",
        "libpq-dev",
        "ca-certificates",
    ];
    (0..count)
        .map(|i| {
            let base = bases[i % bases.len()];
            let mut s = String::new();
            if i % 3 == 0 {
                s.push_str("# syntax=docker/dockerfile:1.7\n");
            }
            s.push_str(&format!("ARG PYTHON_VERSION={}\nFROM {base} AS builder\n", 10 + i % 4));
            s.push_str("ENV PIP_NO_CACHE_DIR=1 \\\n    PYTHONDONTWRITEBYTECODE=1 PATH=\"/opt/venv/bin:$PATH\"\n");
            s.push_str("WORKDIR /app\n# dependencies first for layer caching\n");
            s.push_str("RUN apt-get update \\\n");
            for p in packages.iter().take(1 + i % packages.len()) {
                s.push_str(&format!("    && apt-get install -y --no-install-recommends {p} \\\n"));
            }
            s.push_str("    && rm -rf /var/lib/apt/lists/*\n");
            s.push_str("COPY --link requirements.txt pyproject.toml ./\n");
            s.push_str(
                "RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked \\\n    python -m venv /opt/venv && pip install -r requirements.txt\n",
            );
            if i % 4 == 0 {
                s.push_str("COPY <<EOF /app/settings.ini\n[app]\nworkers = 4\nEOF\n");
            }
            s.push_str("COPY . .\n\nFROM ");
            s.push_str(base);
            s.push_str("\nLABEL org.opencontainers.image.source=\"https://example.org/app\" version=\"1.0\"\n");
            s.push_str("COPY --from=builder /opt/venv /opt/venv\nCOPY --from=builder /app /app\n");
            s.push_str("RUN useradd --create-home app\nUSER app\nEXPOSE 8000\n");
            s.push_str("HEALTHCHECK --interval=30s --timeout=3s CMD [\"python\", \"-c\", \"import app\"]\n");
            s.push_str(&format!("CMD [\"gunicorn\", \"-w\", \"{}\", \"app:wsgi\"]\n", 1 + i % 8));
            s
        })
        .collect()
}

fn bench_corpus(c: &mut Criterion, name: &str, files: &[String]) {
    let bytes: usize = files.iter().map(String::len).sum();
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("bytes", |b| {
        b.iter(|| {
            for f in files {
                black_box(parse(black_box(f)));
            }
        })
    });
    group.throughput(Throughput::Elements(files.len() as u64));
    group.bench_function("files", |b| {
        b.iter(|| {
            for f in files {
                black_box(parse(black_box(f)));
            }
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    if let Some(files) = layerwise_syntax::testing::binnacle_gold_files() {
        let texts: Vec<String> = files
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect();
        bench_corpus(c, "binnacle-gold", &texts);
    }
    bench_corpus(c, "synthesized-10000", &synthesized(10_000));
}

criterion_group!(parse_benches, benches);
criterion_main!(parse_benches);
