//! BLAKE3 hashing of context files and digests of COPY source selections.
//!
//! A selection digest covers, for every selected entry in walk order: its
//! type, its path, its permission bits, and the file's content hash or the
//! symlink's target. It leaves out mtime and owner, as BuildKit's cache keys
//! for context files do, so a `touch` or a fresh checkout does not change it.

use crate::cache::{StatCache, now_ns};
use crate::error::{ContextError, Warning};
use crate::walk::{Entry, EntryKind, Walk};
use layerwise_ignore::{Glob, clean, has_wildcards};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// A 32-byte BLAKE3 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// Lower-case hex.
    pub fn to_hex(&self) -> String {
        blake3::Hash::from_bytes(self.0).to_hex().to_string()
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "blake3:{}", self.to_hex())
    }
}

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// Counters from one hashing pass.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HashStats {
    /// Regular files considered.
    pub files: usize,
    /// Files whose hash came from the stat cache.
    pub cache_hits: usize,
    /// Files actually read.
    pub files_read: usize,
    /// Bytes actually read.
    pub bytes_read: u64,
}

/// Content hashes of the regular files of a walk.
#[derive(Debug, Clone, Default)]
pub struct FileHashes {
    /// Context-relative path → content hash.
    pub hashes: BTreeMap<String, Digest>,
    /// What it cost.
    pub stats: HashStats,
    /// Files that vanished before they could be read.
    pub warnings: Vec<Warning>,
}

/// Files at least this big are hashed with BLAKE3's multithreaded update.
const PARALLEL_FILE_THRESHOLD: u64 = 8 << 20;
const READ_CHUNK: usize = 1 << 20;

/// Hashes every regular file of `walk`, in parallel, reusing and updating
/// `cache` when given.
pub fn hash_files(walk: &Walk, cache: Option<&mut StatCache>) -> Result<FileHashes, ContextError> {
    let shared: Option<&StatCache> = cache.as_deref();
    let results: Vec<(usize, Result<Outcome, ContextError>)> = walk
        .entries
        .par_iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EntryKind::File)
        .map(|(i, e)| (i, hash_one(walk, e, shared)))
        .collect();
    let mut out = FileHashes::default();
    let mut fresh = Vec::new();
    for (i, r) in results {
        let Some(entry) = walk.entries.get(i) else {
            continue;
        };
        out.stats.files += 1;
        match r? {
            Outcome::Cached(d) => {
                out.stats.cache_hits += 1;
                out.hashes.insert(entry.path.clone(), d);
            }
            Outcome::Read {
                digest,
                bytes,
                hashed_at_ns,
            } => {
                out.stats.files_read += 1;
                out.stats.bytes_read += bytes;
                out.hashes.insert(entry.path.clone(), digest);
                fresh.push((i, digest, hashed_at_ns));
            }
            Outcome::Vanished => out.warnings.push(Warning::Vanished {
                path: entry.path.clone(),
            }),
        }
    }
    if let Some(cache) = cache {
        for (i, digest, at) in fresh {
            if let Some(e) = walk.entries.get(i) {
                cache.insert(&e.path, e.stat, digest, at);
            }
        }
    }
    Ok(out)
}

enum Outcome {
    Cached(Digest),
    Read {
        digest: Digest,
        bytes: u64,
        hashed_at_ns: i64,
    },
    Vanished,
}

fn hash_one(
    walk: &Walk,
    entry: &Entry,
    cache: Option<&StatCache>,
) -> Result<Outcome, ContextError> {
    if let Some(d) = cache.and_then(|c| c.lookup(&entry.path, &entry.stat)) {
        return Ok(Outcome::Cached(d));
    }
    let hashed_at_ns = now_ns();
    let abs = walk.abs_path(entry);
    match hash_path(&abs, entry.size) {
        Ok((digest, bytes)) => Ok(Outcome::Read {
            digest,
            bytes,
            hashed_at_ns,
        }),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(Outcome::Vanished),
        Err(e) => Err(ContextError::io(abs, "read", e)),
    }
}

/// BLAKE3 of a file's bytes and how many bytes were read. Large files are
/// read in 1 MiB chunks and hashed with all cores.
pub fn hash_path(path: &Path, size_hint: u64) -> std::io::Result<(Digest, u64)> {
    let mut file = File::open(path)?;
    let mut hasher = blake3::Hasher::new();
    let mut total = 0u64;
    if size_hint >= PARALLEL_FILE_THRESHOLD {
        let mut buf = vec![0u8; READ_CHUNK];
        loop {
            let n = read_full(&mut file, &mut buf)?;
            if n == 0 {
                break;
            }
            let chunk = buf.get(..n).unwrap_or(&[]);
            hasher.update_rayon(chunk);
            total += n as u64;
        }
    } else {
        total = std::io::copy(&mut file, &mut hasher)?;
    }
    Ok((Digest(*hasher.finalize().as_bytes()), total))
}

/// Reads until `buf` is full or end of file.
fn read_full(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let Some(rest) = buf.get_mut(filled..) else {
            break;
        };
        match file.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// What one COPY/ADD source selects.
#[derive(Debug, Clone)]
pub struct Selection<'w> {
    /// The directory the selection is relative to: the source path itself
    /// (after following symlinks) for a plain source, the directory part
    /// before the first wildcard for a glob, empty for the whole context.
    pub base: String,
    /// Selected entries in walk order.
    pub entries: Vec<&'w Entry>,
}

impl Selection<'_> {
    /// Path of `entry` relative to [`Selection::base`] (empty for the base itself).
    pub fn relative<'e>(&self, entry: &'e Entry) -> &'e str {
        if self.base.is_empty() {
            return &entry.path;
        }
        match entry.path.strip_prefix(self.base.as_str()) {
            Some("") => "",
            Some(rest) => rest.strip_prefix('/').unwrap_or(rest),
            None => &entry.path,
        }
    }
}

const MAX_SYMLINK_HOPS: usize = 64;

/// Follows symlink entries of the walk along `path` (every component,
/// including the last), as COPY does for its source; `None` on a loop or a
/// target that is not UTF-8. Targets cannot leave the context root.
fn resolve_in_walk(index: &HashMap<&str, &Entry>, path: &str) -> Option<String> {
    let mut pending: VecDeque<String> = path.split('/').map(str::to_string).collect();
    let mut current: Vec<String> = Vec::new();
    let mut hops = 0;
    while let Some(part) = pending.pop_front() {
        match part.as_str() {
            "" | "." => continue,
            ".." => {
                current.pop();
                continue;
            }
            _ => {}
        }
        current.push(part);
        let joined = current.join("/");
        if let Some(Entry {
            kind: EntryKind::Symlink { target },
            ..
        }) = index.get(joined.as_str()).copied()
        {
            hops += 1;
            if hops > MAX_SYMLINK_HOPS {
                return None;
            }
            current.pop();
            let target = target.to_str()?;
            if target.starts_with('/') {
                current.clear();
            }
            for comp in target.split('/').rev() {
                pending.push_front(comp.to_string());
            }
        }
    }
    Some(current.join("/"))
}

/// The entries a COPY/ADD source selects: the matched paths and everything
/// below them. Sources use Go glob syntax (no `**`); `.` selects everything.
/// A plain source that is (or passes through) a symlink selects the link's
/// target, as COPY follows it; wildcard matches are taken as they are.
pub fn select_source<'w>(walk: &'w Walk, source: &str) -> Result<Selection<'w>, ContextError> {
    let cleaned = clean(&format!("/{source}"));
    let rel = cleaned.trim_start_matches('/');
    if rel.is_empty() {
        return Ok(Selection {
            base: String::new(),
            entries: walk.entries.iter().collect(),
        });
    }
    let glob = Glob::new(rel).map_err(|e| ContextError::BadSource {
        source_pattern: source.to_string(),
        error: layerwise_ignore::PatternError {
            index: 0,
            pattern: source.to_string(),
            column: e.column,
            kind: layerwise_ignore::PatternErrorKind::Glob(e.kind),
        },
    })?;
    if let Some(literal) = glob.literal() {
        let index: HashMap<&str, &Entry> =
            walk.entries.iter().map(|e| (e.path.as_str(), e)).collect();
        let base = resolve_in_walk(&index, literal).ok_or_else(|| ContextError::SymlinkLoop {
            path: literal.to_string(),
        })?;
        let under = format!("{base}/");
        let entries = walk
            .entries
            .iter()
            .filter(|e| base.is_empty() || e.path == base || e.path.starts_with(&under))
            .collect();
        return Ok(Selection { base, entries });
    }
    let base = rel
        .split('/')
        .take_while(|c| !has_wildcards(c))
        .collect::<Vec<_>>()
        .join("/");
    let selected = |path: &str| {
        glob.matches(path)
            || path
                .match_indices('/')
                .any(|(i, _)| path.get(..i).is_some_and(|p| glob.matches(p)))
    };
    let entries = walk.entries.iter().filter(|e| selected(&e.path)).collect();
    Ok(Selection { base, entries })
}

/// Digest of what a COPY/ADD source selects (see the module docs for what it
/// covers), with paths relative to the selection's base so the same content
/// reached through another name digests the same. Files missing from
/// `hashes` (vanished) are left out.
pub fn source_digest(
    walk: &Walk,
    hashes: &FileHashes,
    source: &str,
) -> Result<Digest, ContextError> {
    let sel = select_source(walk, source)?;
    Ok(digest_records(
        sel.entries.iter().map(|e| (sel.relative(e), *e)),
        hashes,
    ))
}

/// Digest of a list of entries (by their context-relative paths), in the
/// order given.
pub fn entries_digest<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
    hashes: &FileHashes,
) -> Digest {
    digest_records(entries.into_iter().map(|e| (e.path.as_str(), e)), hashes)
}

fn digest_records<'a>(
    records: impl IntoIterator<Item = (&'a str, &'a Entry)>,
    hashes: &FileHashes,
) -> Digest {
    let mut h = blake3::Hasher::new();
    h.update(b"layerwise-context-selection-v1\0");
    for (path, e) in records {
        let tag: &[u8] = match &e.kind {
            EntryKind::File => {
                if !hashes.hashes.contains_key(&e.path) {
                    continue;
                }
                b"f"
            }
            EntryKind::Dir => b"d",
            EntryKind::Symlink { .. } => b"l",
            EntryKind::Special => b"s",
        };
        h.update(tag);
        h.update(&(path.len() as u64).to_le_bytes());
        h.update(path.as_bytes());
        h.update(&e.mode.to_le_bytes());
        match &e.kind {
            EntryKind::File => {
                if let Some(d) = hashes.hashes.get(&e.path) {
                    h.update(&d.0);
                }
            }
            EntryKind::Symlink { target } => {
                let t = target.as_os_str().as_bytes();
                h.update(&(t.len() as u64).to_le_bytes());
                h.update(t);
            }
            EntryKind::Dir | EntryKind::Special => {}
        }
    }
    Digest(*h.finalize().as_bytes())
}
