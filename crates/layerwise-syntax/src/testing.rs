//! Shared test data for every crate's tests and benchmarks: BuildKit's parser
//! test cases and the binnacle-gold corpus of real Dockerfiles. Both are
//! carried in the repository under `testdata/` (see `testdata/ORIGIN.md`), so
//! the suite is complete on any clone.

use std::path::PathBuf;

/// The repository's `testdata/` folder.
pub fn testdata_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// BuildKit's parser test cases (`testfiles/`, `testfiles-negative/`, `testfile-line/`).
pub fn buildkit_parser_dir() -> PathBuf {
    testdata_dir().join("buildkit-parser")
}

/// Where the corpus is.
pub fn binnacle_gold_dir() -> PathBuf {
    testdata_dir().join("binnacle-gold")
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The data must come from inside the repository, not from a folder
    /// beside it that a fresh clone does not have.
    #[test]
    fn test_data_is_found_inside_the_repository() {
        let repo = std::fs::canonicalize(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).unwrap();
        for dir in [buildkit_parser_dir(), binnacle_gold_dir()] {
            let dir =
                std::fs::canonicalize(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            assert!(
                dir.starts_with(&repo),
                "{} is outside {}",
                dir.display(),
                repo.display()
            );
        }
        assert!(buildkit_parser_dir().join("LICENSE").is_file());
        assert!(buildkit_parser_dir().join("testfiles").is_dir());
        assert!(binnacle_gold_dir().join("LICENSE.md").is_file());
        assert_eq!(binnacle_gold_files().unwrap().len(), 405);
    }
}
