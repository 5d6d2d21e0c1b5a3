//! Writing fixed files: atomically, keeping the mode, and never over a file
//! that changed on disk since it was read.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What was read: the content hash, or that the file did not exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Snapshot {
    Absent,
    Hash([u8; 32]),
}

impl Snapshot {
    /// The snapshot of `bytes` as read.
    pub fn of(bytes: Option<&[u8]>) -> Snapshot {
        match bytes {
            None => Snapshot::Absent,
            Some(b) => Snapshot::Hash(*blake3::hash(b).as_bytes()),
        }
    }

    /// The snapshot of the file on disk now.
    pub fn read(path: &Path) -> std::io::Result<Snapshot> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(Snapshot::of(Some(&bytes))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Snapshot::Absent),
            Err(e) => Err(e),
        }
    }
}

/// Why a file was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The file on disk is not what was fixed.
    Changed(PathBuf),
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Changed(p) => write!(
                f,
                "{}: changed on disk since it was read; not written (run fix again)",
                p.display()
            ),
            WriteError::Io(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for WriteError {}

/// Replaces `path` with `contents` through a temporary file in the same
/// directory and a rename, so readers see the old or the new file, never a
/// part. The mode of the existing file is kept (new files get 0644). Refuses
/// when the file no longer matches `read`.
pub fn write_atomic(path: &Path, read: Snapshot, contents: &[u8]) -> Result<(), WriteError> {
    let io = |e: std::io::Error| WriteError::Io(path.to_path_buf(), e);
    // Through a symbolic link, the file it points to is written: renaming
    // over the link would turn it into a copy cut off from its target.
    let resolved;
    let path = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            resolved = std::fs::canonicalize(path).map_err(io)?;
            resolved.as_path()
        }
        _ => path,
    };
    if Snapshot::read(path).map_err(io)? != read {
        return Err(WriteError::Changed(path.to_path_buf()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let permissions = match std::fs::metadata(path) {
        Ok(m) => Some(m.permissions()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".layerwise-fix-")
        .tempfile_in(dir)
        .map_err(io)?;
    temp.write_all(contents).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    let permissions = match permissions {
        Some(p) => p,
        None => default_permissions(temp.path()).map_err(io)?,
    };
    std::fs::set_permissions(temp.path(), permissions).map_err(io)?;
    // Checked again right before the rename: the window for a concurrent
    // edit is as small as it can be without locking.
    if Snapshot::read(path).map_err(io)? != read {
        return Err(WriteError::Changed(path.to_path_buf()));
    }
    temp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(unix)]
fn default_permissions(temp: &Path) -> std::io::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    let _ = temp;
    Ok(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions(temp: &Path) -> std::io::Result<std::fs::Permissions> {
    Ok(std::fs::metadata(temp)?.permissions())
}
