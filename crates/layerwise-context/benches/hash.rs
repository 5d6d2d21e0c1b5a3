//! Cold and warm (stat cache) hashing throughput on a generated tree.
//!
//! Size: `LW_BENCH_FILES` (default 20000) files totalling `LW_BENCH_MB`
//! (default 200) MiB, 100 files per directory. For comparison the bench also
//! times `tar -cf - DIR > /dev/null` on the same tree when `tar` is present.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use layerwise_context::{StatCache, WalkOptions, hash_files, walk, write_tar};
use std::path::Path;
use std::time::{Duration, Instant};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Writes `files` files with pseudo-random sizes averaging `total / files`.
fn generate(root: &Path, files: usize, total: usize) -> std::io::Result<u64> {
    let avg = (total / files.max(1)).max(1);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let block: Vec<u8> = (0..(avg * 2 + 64)).map(|_| next() as u8).collect();
    let mut written = 0u64;
    for i in 0..files {
        let dir = root.join(format!("d{:03}/s{:02}", i / 1000, (i / 100) % 10));
        if i % 100 == 0 {
            std::fs::create_dir_all(&dir)?;
        }
        let size = (next() as usize) % (avg * 2 + 1);
        let offset = (next() as usize) % 64;
        let data = block.get(offset..offset + size).unwrap_or(&[]);
        std::fs::write(dir.join(format!("f{i}.bin")), data)?;
        written += size as u64;
    }
    Ok(written)
}

/// Times GNU tar on the tree. Writing straight to `/dev/null` lets GNU tar
/// skip reading file contents, so the piped form is the fair comparison.
fn time_system_tar(dir: &Path) {
    for cmd in ["tar -cf - . > /dev/null", "tar -cf - . | cat > /dev/null"] {
        for round in 1..=3 {
            let start = Instant::now();
            let status = std::process::Command::new("sh")
                .arg("-c")
                .arg(cmd)
                .current_dir(dir)
                .status();
            match status {
                Ok(s) if s.success() => {
                    println!("system `{cmd}`, run {round}: {:?}", start.elapsed())
                }
                _ => {
                    println!("system tar not available; skipped comparison");
                    return;
                }
            }
        }
    }
}

fn bench(c: &mut Criterion) {
    let files = env_usize("LW_BENCH_FILES", 20_000);
    let mb = env_usize("LW_BENCH_MB", 200);
    let Ok(tmp) = tempfile::tempdir() else {
        eprintln!("cannot create a temporary directory; bench skipped");
        return;
    };
    let root = tmp.path();
    let bytes = match generate(root, files, mb << 20) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot generate the tree: {e}; bench skipped");
            return;
        }
    };
    println!("tree: {files} files, {bytes} bytes in {}", root.display());
    // Let the files age past the stat cache's racy window so warm runs hit.
    std::thread::sleep(Duration::from_millis(2100));
    let opts = WalkOptions::default();
    let Ok(w) = walk(root, &opts) else {
        eprintln!("walk failed; bench skipped");
        return;
    };

    let mut g = c.benchmark_group("context");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(15));
    g.throughput(Throughput::Elements(files as u64));
    g.bench_function("walk", |b| {
        b.iter(|| walk(root, &opts).map(|w| w.entries.len()))
    });
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("hash_cold", |b| {
        b.iter(|| hash_files(&w, None).map(|h| h.stats.bytes_read))
    });
    let mut cache = StatCache::new(root);
    if hash_files(&w, Some(&mut cache)).is_err() {
        eprintln!("hashing failed; bench skipped");
        return;
    }
    g.throughput(Throughput::Elements(files as u64));
    g.bench_function("hash_warm", |b| {
        b.iter(|| {
            let h = hash_files(&w, Some(&mut cache));
            assert!(
                h.as_ref().is_ok_and(|h| h.stats.files_read == 0),
                "warm run re-read files"
            );
            h.map(|h| h.stats.cache_hits)
        })
    });
    g.bench_function("walk_and_hash_warm", |b| {
        b.iter(|| {
            walk(root, &opts)
                .and_then(|w| hash_files(&w, Some(&mut cache)).map(|h| h.stats.cache_hits))
        })
    });
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("tar_to_sink", |b| {
        b.iter(|| write_tar(&w, std::io::sink()).map(|s| s.file_bytes))
    });
    g.finish();
    time_system_tar(root);
}

criterion_group!(benches, bench);
criterion_main!(benches);
