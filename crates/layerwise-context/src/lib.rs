//! What a build sends and what the cache sees.
//!
//! * [`walk`] lists the build context as BuildKit selects it: `.dockerignore`
//!   exclusions with their exceptions, restricted to what the Dockerfile's
//!   COPY/ADD sources can select, reading only directories that can hold a
//!   selected entry.
//! * [`write_tar`] streams the selection as a deterministic tar archive (the
//!   build context the Docker Engine receives).
//! * [`hash_files`] hashes file contents with BLAKE3 in parallel, reusing a
//!   persistent [`StatCache`]; [`source_digest`] condenses what one COPY
//!   source selects into a digest that, like BuildKit's cache keys, ignores
//!   mtimes and owners.
//!
//! Unix only: modes, inodes and ctime come from Unix metadata.

mod cache;
mod copy;
mod error;
mod hash;
mod tar;
mod walk;

pub use cache::{CacheNotice, DEFAULT_RACY_WINDOW, StatCache};
pub use copy::copy_tree;
pub use error::{ContextError, Warning};
pub use hash::{
    Digest, FileHashes, HashStats, Selection, entries_digest, hash_files, hash_path, select_source,
    source_digest,
};
pub use tar::{TarSummary, write_tar};
pub use walk::{Entry, EntryKind, StatKey, Walk, WalkOptions, walk};

/// Everything a build of `dockerfile` (relative to `dir`) can read, as the
/// tar the engine receives: see [`WalkOptions::for_build`].
pub fn context_tar(dir: &std::path::Path, dockerfile: &str) -> Result<Vec<u8>, ContextError> {
    let walk = walk(dir, &WalkOptions::for_build(dir, dockerfile)?)?;
    let mut tar = Vec::new();
    write_tar(&walk, &mut tar)?;
    Ok(tar)
}

/// A byte count for people, in decimal units as pip and the docker CLI
/// print them: `512 B`, `11.0 kB`, `1.5 GB`.
pub fn human_bytes(bytes: f64) -> String {
    const UNITS: [(&str, f64); 4] = [("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)];
    for (unit, size) in UNITS {
        if bytes >= size {
            return format!("{:.1} {unit}", bytes / size);
        }
    }
    format!("{bytes:.0} B")
}

#[cfg(test)]
mod human_bytes_tests {
    #[test]
    fn decimal_units_with_one_decimal() {
        assert_eq!(super::human_bytes(512.0), "512 B");
        assert_eq!(super::human_bytes(11_000.0), "11.0 kB");
        assert_eq!(super::human_bytes(1.5e8), "150.0 MB");
        assert_eq!(super::human_bytes(2.5e12), "2.5 TB");
    }
}
