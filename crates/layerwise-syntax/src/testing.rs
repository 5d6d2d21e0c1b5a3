//! Shared test data for every crate's tests and benchmarks: the binnacle-gold
//! corpus of real Dockerfiles, which lives beside the workspace in
//! `../shared/corpora/binnacle-gold` (present in CI, maybe not elsewhere).

use std::path::PathBuf;

/// Where the corpus is expected.
pub fn binnacle_gold_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/binnacle-gold")
}

/// The corpus's Dockerfiles, sorted by name. `None` (after printing why) when
/// the corpus is absent, so a test can skip; but with
/// `LAYERWISE_CONFORMANCE=required` its absence is a failure.
pub fn binnacle_gold_files() -> Option<Vec<PathBuf>> {
    let dir = binnacle_gold_dir();
    let files = std::fs::read_dir(&dir).ok().map(|entries| {
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
            .collect();
        files.sort();
        files
    });
    match files {
        Some(files) if !files.is_empty() => Some(files),
        _ => {
            let required = std::env::var("LAYERWISE_CONFORMANCE").is_ok_and(|v| v == "required");
            assert!(
                !required,
                "LAYERWISE_CONFORMANCE=required but {} holds no Dockerfiles",
                dir.display()
            );
            eprintln!("skipping: the corpus {} is not there", dir.display());
            None
        }
    }
}
