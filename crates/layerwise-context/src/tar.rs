//! A deterministic tar stream of the selected context entries.
//!
//! Same tree → same bytes: entries in walk order, mtime 0, uid/gid 0, empty
//! user and group names, only permission bits kept, symlinks as symlinks.
//! What varies between checkouts and does not reach the build (timestamps,
//! owners) is left out, so the stream can itself be hashed or cached.
//!
//! Small files are read ahead in parallel, a bounded batch at a time, so the
//! single output stream is not held up by one `open`+`read` per file.

use crate::error::{ContextError, Warning};
use crate::walk::{Entry, EntryKind, Walk};
use rayon::prelude::*;
use std::fs::File;
use std::io::{ErrorKind, Read, Write};

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct TarSummary {
    /// Entries written.
    pub entries: usize,
    /// File bytes written (before tar framing).
    pub file_bytes: u64,
    /// Entries skipped (vanished files, special files).
    pub warnings: Vec<Warning>,
}

/// Files up to this size are read ahead in parallel; bigger ones stream.
const PREFETCH_MAX_FILE: u64 = 1 << 20;
/// Upper bound on read-ahead memory per batch.
const PREFETCH_BATCH_BYTES: u64 = 32 << 20;
const PREFETCH_BATCH_ENTRIES: usize = 1024;

/// Writes the entries of `walk` as a tar stream into `out` and finishes the
/// archive (the two zero blocks). `out` is not flushed beyond that.
pub fn write_tar<W: Write>(walk: &Walk, out: W) -> Result<TarSummary, ContextError> {
    let mut builder = tar::Builder::new(out);
    builder.follow_symlinks(false);
    let mut summary = TarSummary::default();
    let mut start = 0;
    while start < walk.entries.len() {
        let end = batch_end(&walk.entries, start);
        let batch = walk.entries.get(start..end).unwrap_or(&[]);
        let prefetched: Vec<Option<std::io::Result<Vec<u8>>>> = batch
            .par_iter()
            .map(|e| {
                (e.kind == EntryKind::File && e.size <= PREFETCH_MAX_FILE)
                    .then(|| std::fs::read(walk.abs_path(e)))
            })
            .collect();
        for (entry, data) in batch.iter().zip(prefetched) {
            write_entry(&mut builder, walk, entry, data, &mut summary)?;
        }
        start = end;
    }
    builder
        .finish()
        .map_err(|source| ContextError::Write { source })?;
    Ok(summary)
}

/// End (exclusive) of the read-ahead batch starting at `start`.
fn batch_end(entries: &[Entry], start: usize) -> usize {
    let mut bytes = 0u64;
    let mut end = start;
    for e in entries.iter().skip(start) {
        if end - start >= PREFETCH_BATCH_ENTRIES || bytes > PREFETCH_BATCH_BYTES {
            break;
        }
        if e.kind == EntryKind::File && e.size <= PREFETCH_MAX_FILE {
            bytes += e.size;
        }
        end += 1;
    }
    end.max(start + 1)
}

fn base_header(entry: &Entry) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_mtime(0);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mode(entry.mode & 0o7777);
    header
}

fn write_entry<W: Write>(
    builder: &mut tar::Builder<W>,
    walk: &Walk,
    entry: &Entry,
    prefetched: Option<std::io::Result<Vec<u8>>>,
    summary: &mut TarSummary,
) -> Result<(), ContextError> {
    let mut header = base_header(entry);
    let w = |source| ContextError::Write { source };
    match &entry.kind {
        EntryKind::Dir => {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_size(0);
            builder
                .append_data(&mut header, format!("{}/", entry.path), std::io::empty())
                .map_err(w)?;
        }
        EntryKind::Symlink { target } => {
            header.set_entry_type(tar::EntryType::Symlink);
            header.set_size(0);
            builder
                .append_link(&mut header, &entry.path, target)
                .map_err(w)?;
        }
        EntryKind::Special => {
            summary.warnings.push(Warning::SpecialFile {
                path: entry.path.clone(),
            });
            return Ok(());
        }
        EntryKind::File => {
            header.set_entry_type(tar::EntryType::Regular);
            let abs = walk.abs_path(entry);
            match prefetched {
                Some(Ok(data)) => {
                    header.set_size(data.len() as u64);
                    builder
                        .append_data(&mut header, &entry.path, data.as_slice())
                        .map_err(w)?;
                    summary.file_bytes += data.len() as u64;
                }
                Some(Err(e)) if e.kind() == ErrorKind::NotFound => {
                    summary.warnings.push(Warning::Vanished {
                        path: entry.path.clone(),
                    });
                    return Ok(());
                }
                Some(Err(e)) => return Err(ContextError::io(abs, "read", e)),
                None => {
                    let file = match File::open(&abs) {
                        Ok(f) => f,
                        Err(e) if e.kind() == ErrorKind::NotFound => {
                            summary.warnings.push(Warning::Vanished {
                                path: entry.path.clone(),
                            });
                            return Ok(());
                        }
                        Err(e) => return Err(ContextError::io(abs, "open", e)),
                    };
                    // Archive the file as it is now, not as it was at walk time.
                    let size = file
                        .metadata()
                        .map_err(|e| ContextError::io(&abs, "stat", e))?
                        .len();
                    header.set_size(size);
                    let mut reader = Exact {
                        inner: file,
                        remaining: size,
                        short: false,
                        read_failed: false,
                    };
                    let res = builder.append_data(&mut header, &entry.path, &mut reader);
                    if reader.short {
                        return Err(ContextError::ChangedDuringRead { path: abs });
                    }
                    res.map_err(|e| {
                        if reader.read_failed {
                            ContextError::io(&abs, "read", e)
                        } else {
                            ContextError::Write { source: e }
                        }
                    })?;
                    summary.file_bytes += size;
                }
            }
        }
    }
    summary.entries += 1;
    Ok(())
}

/// Yields exactly `remaining` bytes; records a short read (file shrank) and
/// fails instead of letting the archive go out of frame.
struct Exact {
    inner: File,
    remaining: u64,
    short: bool,
    read_failed: bool,
}

impl Read for Exact {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        let want = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let Some(slot) = buf.get_mut(..want) else {
            return Ok(0);
        };
        let n = self
            .inner
            .read(slot)
            .inspect_err(|_| self.read_failed = true)?;
        if n == 0 {
            self.short = true;
            return Err(std::io::Error::new(
                ErrorKind::UnexpectedEof,
                "file shrank while being archived",
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}
