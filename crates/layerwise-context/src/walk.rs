//! Walks a build context and selects what BuildKit would send.
//!
//! Selection follows BuildKit: an entry is sent when `.dockerignore` does not
//! exclude it and, if COPY/ADD sources are known, one of them (as an include
//! pattern, with symlinks along the way resolved) matches it or a parent.
//! Parent directories of a sent entry are always sent, even when excluded.
//! Only directories that can contain a selected entry are read.

use crate::error::{ContextError, Warning};
use layerwise_ignore::{DockerIgnore, PatternList, clean, has_wildcards};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::fs::{self, Metadata};
use std::io::ErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// What kind of filesystem object an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// Regular file.
    File,
    /// Directory.
    Dir,
    /// Symbolic link, kept as a link (never followed).
    Symlink {
        /// The link target exactly as stored.
        target: PathBuf,
    },
    /// Socket, FIFO or device node.
    Special,
}

/// Stat fields that tell whether a file may have changed since it was hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct StatKey {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Status-change time, nanoseconds since the epoch.
    pub ctime_ns: i64,
    /// Inode number.
    pub ino: u64,
    /// Device number.
    pub dev: u64,
}

impl StatKey {
    pub(crate) fn from_metadata(m: &Metadata) -> StatKey {
        StatKey {
            size: m.size(),
            mtime_ns: m
                .mtime()
                .saturating_mul(1_000_000_000)
                .saturating_add(m.mtime_nsec()),
            ctime_ns: m
                .ctime()
                .saturating_mul(1_000_000_000)
                .saturating_add(m.ctime_nsec()),
            ino: m.ino(),
            dev: m.dev(),
        }
    }
}

/// One selected entry of the build context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Slash-separated path relative to the context root.
    pub path: String,
    /// File, directory, symlink or special.
    pub kind: EntryKind,
    /// Permission bits including setuid/setgid/sticky (`mode & 0o7777`).
    pub mode: u32,
    /// Size in bytes (files only; 0 otherwise).
    pub size: u64,
    /// Stat snapshot for the hash cache.
    pub stat: StatKey,
}

/// What to select from the context.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// The `.dockerignore` rules, if any.
    pub ignore: Option<DockerIgnore>,
    /// COPY/ADD sources (relative to the context; globs allowed; `.` means
    /// everything). `None` selects everything not ignored. An empty list
    /// selects nothing, as a build without COPY/ADD from the context never
    /// loads it; pass `.` for `RUN --mount=type=bind` without `from`.
    pub sources: Option<Vec<String>>,
    /// Paths always sent, even when excluded or not used by any source (the
    /// Docker CLI always sends the Dockerfile and the `.dockerignore`).
    pub always_include: Vec<String>,
}

impl WalkOptions {
    /// What a build of the Dockerfile at `dockerfile` (relative to `context`,
    /// `/`-separated) sends: the ignore file that applies to it (a
    /// Dockerfile-specific one first), with the Dockerfile and that ignore
    /// file always included, as the Docker CLI does. Every source selected.
    pub fn for_build(
        context: &Path,
        dockerfile: &str,
    ) -> Result<WalkOptions, layerwise_ignore::LoadError> {
        let ignore = DockerIgnore::load(context, &context.join(dockerfile))?;
        let mut always_include = vec![dockerfile.to_string()];
        if let Some((path, _)) = &ignore
            && let Ok(inside) = path.strip_prefix(context)
        {
            always_include.push(inside.to_string_lossy().into_owned());
        }
        Ok(WalkOptions {
            ignore: ignore.map(|(_, ignore)| ignore),
            sources: None,
            always_include,
        })
    }
}

/// The result of a walk: selected entries in depth-first, name-sorted order
/// (a directory comes right before its contents), plus warnings.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    /// The context root that was walked.
    pub root: PathBuf,
    /// Selected entries; never contains the root itself.
    pub entries: Vec<Entry>,
    /// Things that were skipped.
    pub warnings: Vec<Warning>,
    /// Number of directories that were read (for measuring pruning).
    pub dirs_read: usize,
}

impl Walk {
    /// Absolute path of an entry.
    pub fn abs_path(&self, entry: &Entry) -> PathBuf {
        self.root.join(&entry.path)
    }

    /// Total size in bytes of the selected regular files.
    pub fn total_file_bytes(&self) -> u64 {
        self.entries
            .iter()
            .filter(|e| e.kind == EntryKind::File)
            .map(|e| e.size)
            .sum()
    }
}

/// Walks `root` and returns the entries the build would receive.
pub fn walk(root: &Path, opts: &WalkOptions) -> Result<Walk, ContextError> {
    match fs::metadata(root) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(ContextError::NotADirectory {
                path: root.to_path_buf(),
            });
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Err(ContextError::NotADirectory {
                path: root.to_path_buf(),
            });
        }
        Err(e) => return Err(ContextError::io(root, "stat", e)),
    }
    let include = match &opts.sources {
        None => None,
        Some(sources) => include_patterns(root, sources)?,
    };
    let mut forced: Vec<String> = opts
        .always_include
        .iter()
        .map(|p| clean(&format!("/{p}")).trim_start_matches('/').to_string())
        .filter(|p| !p.is_empty())
        .collect();
    forced.sort();
    forced.dedup();
    let walker = Walker {
        ignore: opts.ignore.as_ref(),
        include,
        forced,
    };
    let out = walker.dir("", root)?;
    Ok(Walk {
        root: root.to_path_buf(),
        entries: out.entries,
        warnings: out.warnings,
        dirs_read: out.dirs_read,
    })
}

/// Include rules derived from COPY/ADD sources; `None` means "everything".
#[derive(Debug, Clone)]
enum Include {
    Nothing,
    Patterns(PatternList),
}

struct Walker<'a> {
    ignore: Option<&'a DockerIgnore>,
    include: Option<Include>,
    forced: Vec<String>,
}

#[derive(Default)]
struct DirOut {
    entries: Vec<Entry>,
    warnings: Vec<Warning>,
    dirs_read: usize,
}

impl DirOut {
    fn append(&mut self, mut other: DirOut) {
        self.entries.append(&mut other.entries);
        self.warnings.append(&mut other.warnings);
        self.dirs_read += other.dirs_read;
    }
}

impl Walker<'_> {
    fn is_forced(&self, rel: &str) -> bool {
        self.forced
            .binary_search_by(|f| f.as_str().cmp(rel))
            .is_ok()
    }

    fn forced_below(&self, rel: &str) -> bool {
        let prefix = format!("{rel}/");
        self.forced.iter().any(|f| f.starts_with(&prefix))
    }

    fn included(&self, rel: &str) -> bool {
        match &self.include {
            None => true,
            Some(Include::Nothing) => false,
            Some(Include::Patterns(p)) => p.matches(rel),
        }
    }

    fn include_may_match_below(&self, rel: &str) -> bool {
        match &self.include {
            None => true,
            Some(Include::Nothing) => false,
            Some(Include::Patterns(p)) => p.may_match_below(rel),
        }
    }

    /// Reads directory `rel` (absolute `abs`) and returns the selected
    /// entries below it.
    fn dir(&self, rel: &str, abs: &Path) -> Result<DirOut, ContextError> {
        let mut out = DirOut {
            dirs_read: 1,
            ..DirOut::default()
        };
        let reader = match fs::read_dir(abs) {
            Ok(r) => r,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                out.warnings.push(Warning::Vanished {
                    path: rel.to_string(),
                });
                return Ok(out);
            }
            Err(e) => return Err(ContextError::io(abs, "read directory", e)),
        };
        let mut children = Vec::new();
        for item in reader {
            match item {
                Ok(entry) => {
                    let name = entry.file_name();
                    match name.to_str() {
                        Some(s) => children.push((s.to_string(), entry)),
                        None => out.warnings.push(Warning::NonUtf8Name {
                            parent: rel.to_string(),
                            name: String::from_utf8_lossy(name.as_bytes()).into_owned(),
                        }),
                    }
                }
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(ContextError::io(abs, "read directory", e)),
            }
        }
        children.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let results: Vec<Result<DirOut, ContextError>> = children
            .par_iter()
            .map(|(name, dirent)| {
                let child_rel = if rel.is_empty() {
                    name.clone()
                } else {
                    format!("{rel}/{name}")
                };
                self.child(&child_rel, dirent)
            })
            .collect();
        for r in results {
            out.append(r?);
        }
        Ok(out)
    }

    /// Handles one directory entry. The file type comes from the directory
    /// listing, so entries that are neither selected nor worth descending
    /// into cost no `stat`.
    fn child(&self, rel: &str, dirent: &fs::DirEntry) -> Result<DirOut, ContextError> {
        let mut out = DirOut::default();
        let abs = dirent.path();
        let vanished = |mut out: DirOut| {
            out.warnings.push(Warning::Vanished {
                path: rel.to_string(),
            });
            Ok(out)
        };
        let ft = match dirent.file_type() {
            Ok(ft) => ft,
            Err(e) if e.kind() == ErrorKind::NotFound => return vanished(out),
            Err(e) => return Err(ContextError::io(abs, "stat", e)),
        };
        let forced = self.is_forced(rel);
        let excluded = !forced && self.ignore.is_some_and(|ig| ig.is_excluded(rel));
        let included = forced || self.included(rel);
        let selected = !excluded && included;
        let forced_below = ft.is_dir() && self.forced_below(rel);
        let descend = ft.is_dir() && {
            let ignore_allows =
                !excluded || forced_below || !self.ignore.is_some_and(|ig| ig.can_skip_dir(rel));
            let include_allows = included || forced_below || self.include_may_match_below(rel);
            ignore_allows && include_allows
        };
        if !selected && !descend {
            return Ok(out);
        }
        let meta = match dirent.metadata() {
            Ok(m) => m,
            Err(e) if e.kind() == ErrorKind::NotFound => return vanished(out),
            Err(e) => return Err(ContextError::io(abs, "stat", e)),
        };
        // Trust the stat over the listing if the entry was replaced meanwhile.
        let ft = meta.file_type();
        let kind = if ft.is_dir() {
            EntryKind::Dir
        } else if ft.is_file() {
            EntryKind::File
        } else if ft.is_symlink() {
            if !selected {
                return Ok(out);
            }
            match fs::read_link(&abs) {
                Ok(target) => EntryKind::Symlink { target },
                Err(e) if e.kind() == ErrorKind::NotFound => {
                    out.warnings.push(Warning::Vanished {
                        path: rel.to_string(),
                    });
                    return Ok(out);
                }
                Err(e) => return Err(ContextError::io(abs, "read link", e)),
            }
        } else {
            EntryKind::Special
        };
        let entry = Entry {
            path: rel.to_string(),
            size: if kind == EntryKind::File {
                meta.len()
            } else {
                0
            },
            kind,
            mode: meta.mode() & 0o7777,
            stat: StatKey::from_metadata(&meta),
        };
        if entry.kind != EntryKind::Dir {
            if selected {
                if entry.kind == EntryKind::Special {
                    out.warnings.push(Warning::SpecialFile {
                        path: rel.to_string(),
                    });
                }
                out.entries.push(entry);
            }
            return Ok(out);
        }
        if !descend {
            if selected {
                out.entries.push(entry);
            }
            return Ok(out);
        }
        let children = match self.dir(rel, &abs) {
            Ok(c) => c,
            Err(ContextError::PermissionDenied { .. }) if !selected => {
                // BuildKit tolerates unreadable directories it would not send.
                out.warnings.push(Warning::UnreadableExcludedDir {
                    path: rel.to_string(),
                });
                return Ok(out);
            }
            Err(e) => return Err(e),
        };
        if selected || !children.entries.is_empty() {
            out.entries.push(entry);
        }
        out.append(children);
        Ok(out)
    }
}

/// Turns COPY/ADD sources into BuildKit's include patterns: each source is
/// cleaned relative to the root, symlinks on its path are resolved (their
/// targets are added, as BuildKit's client does), nested paths collapse into
/// their parents, and `.` anywhere means "everything".
fn include_patterns(root: &Path, sources: &[String]) -> Result<Option<Include>, ContextError> {
    let mut paths = BTreeSet::new();
    for s in sources {
        let abs = clean(&format!("/{s}"));
        if abs == "/" {
            return Ok(None);
        }
        paths.insert(abs.trim_start_matches('/').to_string());
    }
    if paths.is_empty() {
        return Ok(Some(Include::Nothing));
    }
    let mut resolver = Resolver {
        root,
        resolved: BTreeSet::new(),
    };
    for p in &paths {
        resolver.append(p, 0)?;
    }
    if resolver.resolved.contains(".") {
        return Ok(None);
    }
    // Sorted input; drop paths nested in an earlier one.
    let mut list: Vec<String> = Vec::new();
    for p in resolver.resolved {
        if list
            .last()
            .is_some_and(|last| p.starts_with(&format!("{last}/")))
        {
            continue;
        }
        list.push(p);
    }
    let patterns = PatternList::new(&list).map_err(|error| ContextError::BadSource {
        source_pattern: list.get(error.index).cloned().unwrap_or_default(),
        error,
    })?;
    Ok(Some(Include::Patterns(patterns)))
}

/// Joins like Go's `filepath.Join`: cleaned, `.` for nothing.
fn join(a: &str, b: &str) -> String {
    if a.is_empty() || a == "." {
        clean(b)
    } else {
        clean(&format!("{a}/{b}"))
    }
}

const MAX_LINK_DEPTH: usize = 64;

/// Resolves symlinks along COPY source paths (BuildKit's `FollowLinks`).
struct Resolver<'a> {
    root: &'a Path,
    resolved: BTreeSet<String>,
}

impl Resolver<'_> {
    fn append(&mut self, path: &str, depth: usize) -> Result<(), ContextError> {
        if depth > MAX_LINK_DEPTH {
            return Err(ContextError::SymlinkLoop {
                path: path.to_string(),
            });
        }
        let mut current = ".".to_string();
        let mut rest = path.to_string();
        loop {
            let (first, remainder) = match rest.split_once('/') {
                Some((f, r)) => (f.to_string(), r.to_string()),
                None => (rest.clone(), String::new()),
            };
            current = join(&current, &first);
            let targets = self.read_symlink(&current, true)?;
            rest = remainder;
            if (rest.is_empty() || targets.is_some()) && self.resolved.contains(&current) {
                return Ok(());
            }
            if let Some(targets) = targets {
                self.resolved.insert(current);
                for t in targets {
                    self.append(&join(&t, &rest), depth + 1)?;
                }
                return Ok(());
            }
            if rest.is_empty() {
                self.resolved.insert(current);
                return Ok(());
            }
        }
    }

    /// Targets (as `/`-rooted context paths) when `rel` is a symlink, or
    /// when its last component is a wildcard matching symlinks.
    fn read_symlink(
        &self,
        rel: &str,
        allow_wildcard: bool,
    ) -> Result<Option<Vec<String>>, ContextError> {
        if rel == "." {
            return Ok(None);
        }
        let (dir, base) = match rel.rsplit_once('/') {
            Some((d, b)) => (d, b),
            None => (".", rel),
        };
        let real = self.root.join(rel);
        if allow_wildcard && has_wildcards(base) {
            let Ok(glob) = layerwise_ignore::Glob::new(base) else {
                return Ok(None);
            };
            let dir_abs = self.root.join(dir);
            let reader = match fs::read_dir(&dir_abs) {
                Ok(r) => r,
                Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                    return Ok(None);
                }
                Err(e) => return Err(ContextError::io(dir_abs, "read directory", e)),
            };
            let mut names: Vec<String> = reader
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| glob.matches(n))
                .collect();
            names.sort();
            let mut out: Option<Vec<String>> = None;
            for n in names {
                if let Some(t) = self.read_symlink(&join(dir, &n), false)? {
                    out.get_or_insert_with(Vec::new).extend(t);
                }
            }
            return Ok(out);
        }
        let meta = match fs::symlink_metadata(&real) {
            Ok(m) => m,
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                return Ok(None);
            }
            Err(e) => return Err(ContextError::io(real, "stat", e)),
        };
        if !meta.file_type().is_symlink() {
            return Ok(None);
        }
        let link = fs::read_link(&real).map_err(|e| ContextError::io(&real, "read link", e))?;
        let Some(link) = link.to_str() else {
            return Ok(None);
        };
        let link = clean(link);
        let target = if link.starts_with('/') {
            link
        } else {
            clean(&format!("/{}", join(dir, &link)))
        };
        Ok(Some(vec![target]))
    }
}
