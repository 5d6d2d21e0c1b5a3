//! A persistent stat cache: path + (size, mtime, ctime, inode, device) →
//! BLAKE3 content hash, so unchanged files are not read again.
//!
//! On-disk layout: 8-byte magic, little-endian `u32` format version, the
//! BLAKE3 hash of the payload, then the payload (postcard-encoded). A file
//! with another magic, version, root or a bad checksum is never trusted: it
//! is renamed aside (`*.corrupt`) or ignored and the cache starts empty.

use crate::hash::Digest;
use crate::walk::StatKey;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const MAGIC: &[u8; 8] = b"LWSTATC\0";
const VERSION: u32 = 1;
const HEADER_LEN: usize = 8 + 4 + 32;

/// Default window during which a file's timestamps are too close to the
/// moment it was hashed for the cached hash to be trusted (a write in the
/// same timestamp tick would be invisible otherwise, as with git's "racy
/// clean" problem). Two seconds covers coarse-timestamp filesystems.
pub const DEFAULT_RACY_WINDOW: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Cached {
    stat: StatKey,
    hashed_at_ns: i64,
    hash: [u8; 32],
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    root: String,
    entries: Vec<(String, Cached)>,
}

/// Why a cache file was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheNotice {
    /// The file was damaged or not a cache; it was moved to `set_aside`.
    Corrupt {
        /// The cache file.
        path: PathBuf,
        /// Where it was moved (or `None` if moving it failed too).
        set_aside: Option<PathBuf>,
        /// What was wrong.
        reason: String,
    },
    /// A valid cache written by another format version; ignored and
    /// replaced on the next save.
    OtherVersion {
        /// The version found.
        version: u32,
    },
    /// A valid cache for another context directory; ignored.
    OtherRoot {
        /// The root recorded in the file.
        root: String,
    },
    /// The cache file exists but could not be read.
    Unreadable {
        /// The I/O error, as text.
        reason: String,
    },
}

/// Path-keyed content-hash cache for one context root.
#[derive(Debug, Clone)]
pub struct StatCache {
    root: String,
    entries: HashMap<String, Cached>,
    racy_window_ns: i64,
}

impl StatCache {
    /// An empty cache for the context at `root`.
    pub fn new(root: &Path) -> StatCache {
        StatCache {
            root: root_key(root),
            entries: HashMap::new(),
            racy_window_ns: duration_ns(DEFAULT_RACY_WINDOW),
        }
    }

    /// Loads the cache for `root` from `file`. Never fails: a missing file
    /// gives an empty cache; a damaged or foreign one gives an empty cache
    /// and a notice saying why.
    pub fn load(file: &Path, root: &Path) -> (StatCache, Option<CacheNotice>) {
        let mut cache = StatCache::new(root);
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (cache, None),
            Err(e) => {
                return (
                    cache,
                    Some(CacheNotice::Unreadable {
                        reason: e.to_string(),
                    }),
                );
            }
        };
        match decode(&bytes) {
            Ok(payload) if payload.root == cache.root => {
                cache.entries = payload.entries.into_iter().collect();
                (cache, None)
            }
            Ok(payload) => (cache, Some(CacheNotice::OtherRoot { root: payload.root })),
            Err(Decode::OtherVersion(version)) => {
                (cache, Some(CacheNotice::OtherVersion { version }))
            }
            Err(Decode::Corrupt(reason)) => {
                let aside = file.with_extension("corrupt");
                let set_aside = std::fs::rename(file, &aside).ok().map(|()| aside);
                (
                    cache,
                    Some(CacheNotice::Corrupt {
                        path: file.to_path_buf(),
                        set_aside,
                        reason,
                    }),
                )
            }
        }
    }

    /// Writes the cache atomically (temporary file in the same directory,
    /// then rename).
    pub fn save(&self, file: &Path) -> std::io::Result<()> {
        let mut entries: Vec<(String, Cached)> = self
            .entries
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let payload = Payload {
            root: self.root.clone(),
            entries,
        };
        let body = postcard::to_stdvec(&payload).map_err(std::io::Error::other)?;
        let mut bytes = Vec::with_capacity(HEADER_LEN + body.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(blake3::hash(&body).as_bytes());
        bytes.extend_from_slice(&body);
        let dir = match file.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir)?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
        let result = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, file)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Sets how close to the hashing time a file's timestamps may be before
    /// its cached hash is distrusted (see [`DEFAULT_RACY_WINDOW`]).
    pub fn set_racy_window(&mut self, window: Duration) {
        self.racy_window_ns = duration_ns(window);
    }

    /// The cached hash of `path`, if its stat is unchanged and it was hashed
    /// safely after its last change.
    pub fn lookup(&self, path: &str, stat: &StatKey) -> Option<Digest> {
        let c = self.entries.get(path)?;
        let last_change = stat.mtime_ns.max(stat.ctime_ns);
        let safe = last_change.saturating_add(self.racy_window_ns) <= c.hashed_at_ns;
        (c.stat == *stat && safe).then_some(Digest(c.hash))
    }

    /// Records the hash of `path` computed at `hashed_at_ns` (taken before
    /// the file was read).
    pub fn insert(&mut self, path: &str, stat: StatKey, hash: Digest, hashed_at_ns: i64) {
        self.entries.insert(
            path.to_string(),
            Cached {
                stat,
                hashed_at_ns,
                hash: hash.0,
            },
        );
    }

    /// Drops entries for paths not in `keep` (files that left the context).
    pub fn retain_paths<'a>(&mut self, keep: impl IntoIterator<Item = &'a str>) {
        let keep: std::collections::HashSet<&str> = keep.into_iter().collect();
        self.entries.retain(|k, _| keep.contains(k.as_str()));
    }

    /// Number of cached paths.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

enum Decode {
    OtherVersion(u32),
    Corrupt(String),
}

fn decode(bytes: &[u8]) -> Result<Payload, Decode> {
    if bytes.len() < HEADER_LEN || &bytes[..8] != MAGIC {
        return Err(Decode::Corrupt("not a layerwise stat cache".into()));
    }
    let mut version = [0u8; 4];
    version.copy_from_slice(&bytes[8..12]);
    let version = u32::from_le_bytes(version);
    if version != VERSION {
        return Err(Decode::OtherVersion(version));
    }
    let body = &bytes[HEADER_LEN..];
    if blake3::hash(body).as_bytes() != &bytes[12..HEADER_LEN] {
        return Err(Decode::Corrupt("checksum mismatch".into()));
    }
    postcard::from_bytes(body).map_err(|e| Decode::Corrupt(e.to_string()))
}

fn root_key(root: &Path) -> String {
    let canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    canonical.to_string_lossy().into_owned()
}

fn duration_ns(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

/// Current wall-clock time in nanoseconds since the epoch.
pub(crate) fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(duration_ns)
        .unwrap_or(0)
}
