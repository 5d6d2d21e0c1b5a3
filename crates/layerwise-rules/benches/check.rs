//! Lint throughput over the binnacle-gold corpus (files per second).

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn corpus() -> Vec<String> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/binnacle-gold");
    let mut out = Vec::new();
    let mut todo = vec![dir];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                out.push(text);
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let files = corpus();
    if files.is_empty() {
        eprintln!("skipping: ../shared/corpora/binnacle-gold is not available");
        return;
    }
    let settings = layerwise_rules::Settings::default();
    let mut group = c.benchmark_group("check");
    group.throughput(Throughput::Elements(files.len() as u64));
    group.bench_function("binnacle-gold", |b| {
        b.iter(|| {
            let mut n = 0;
            for source in &files {
                let (_, diagnostics) = layerwise_rules::check_source(source, &settings, None);
                n += diagnostics.len();
            }
            std::hint::black_box(n)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
