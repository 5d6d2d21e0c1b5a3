//! Lint throughput over the binnacle-gold corpus (files per second).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let Some(paths) = layerwise_syntax::testing::binnacle_gold_files() else {
        return;
    };
    let files: Vec<String> = paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
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
