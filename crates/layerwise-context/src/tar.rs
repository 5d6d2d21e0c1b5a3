//! A deterministic tar stream of the selected context entries.
//!
//! Same tree → same bytes: entries in walk order, mtime 0, uid/gid 0, empty
//! user and group names, only permission bits kept, symlinks as symlinks.
//! What varies between checkouts and does not reach the build (timestamps,
//! owners) is left out, so the stream can itself be hashed or cached.

use crate::error::{ContextError, Warning};
use crate::walk::{EntryKind, Walk};
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

/// Writes the entries of `walk` as a tar stream into `out` and finishes the
/// archive (the two zero blocks). `out` is not flushed beyond that.
pub fn write_tar<W: Write>(walk: &Walk, out: W) -> Result<TarSummary, ContextError> {
    let mut builder = tar::Builder::new(out);
    builder.mode(tar::HeaderMode::Deterministic);
    builder.follow_symlinks(false);
    let mut summary = TarSummary::default();
    for entry in &walk.entries {
        let mut header = tar::Header::new_gnu();
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mode(entry.mode & 0o7777);
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
                continue;
            }
            EntryKind::File => {
                let abs = walk.abs_path(entry);
                let file = match File::open(&abs) {
                    Ok(f) => f,
                    Err(e) if e.kind() == ErrorKind::NotFound => {
                        summary.warnings.push(Warning::Vanished {
                            path: entry.path.clone(),
                        });
                        continue;
                    }
                    Err(e) => return Err(ContextError::io(abs, "open", e)),
                };
                // Archive the file as it is now, not as it was at walk time.
                let size = file
                    .metadata()
                    .map_err(|e| ContextError::io(&abs, "stat", e))?
                    .len();
                header.set_entry_type(tar::EntryType::Regular);
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
        summary.entries += 1;
    }
    builder
        .finish()
        .map_err(|source| ContextError::Write { source })?;
    Ok(summary)
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
