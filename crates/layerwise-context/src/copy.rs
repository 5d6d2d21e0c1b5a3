//! Copying a project tree, for commands that build from a scratch copy.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Copies a directory tree: directories, regular files and symlinks (as
/// links); anything else is skipped. Returns the copied root.
pub fn copy_tree(from: &Path, to: &Path) -> io::Result<PathBuf> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            fs::copy(entry.path(), &target)?;
        } else if kind.is_symlink() {
            let link = fs::read_link(entry.path())?;
            #[cfg(unix)]
            std::os::unix::fs::symlink(link, &target)?;
            #[cfg(not(unix))]
            let _ = link;
        }
    }
    Ok(to.to_path_buf())
}
