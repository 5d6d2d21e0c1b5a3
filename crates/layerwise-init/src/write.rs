//! Writing generated files: all or nothing, never over an existing file unless
//! asked, each file written to a temporary name in the same directory and renamed
//! into place so no reader ever sees half a file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::GeneratedFile;

#[derive(Debug)]
pub enum WriteError {
    /// Files that exist and would be overwritten (without `force`).
    WouldOverwrite(Vec<PathBuf>),
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::WouldOverwrite(paths) => {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                write!(
                    f,
                    "{} already exist{}; nothing was written (use --force to overwrite, or --stdout to print instead)",
                    names.join(", "),
                    if names.len() == 1 { "s" } else { "" }
                )
            }
            WriteError::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for WriteError {}

/// Writes `files` into `dir`. Checks every target first, so an existing file
/// stops the whole write before anything is touched.
pub fn write_files(
    dir: &Path,
    files: &[GeneratedFile],
    force: bool,
) -> Result<Vec<PathBuf>, WriteError> {
    let targets: Vec<PathBuf> = files.iter().map(|f| dir.join(f.path)).collect();
    if !force {
        let existing: Vec<PathBuf> = targets.iter().filter(|p| p.exists()).cloned().collect();
        if !existing.is_empty() {
            return Err(WriteError::WouldOverwrite(existing));
        }
    }
    for (file, target) in files.iter().zip(&targets) {
        write_atomically(target, &file.contents, file.executable).map_err(|source| {
            WriteError::Io {
                path: target.clone(),
                source,
            }
        })?;
    }
    Ok(targets)
}

fn write_atomically(target: &Path, contents: &str, executable: bool) -> std::io::Result<()> {
    let dir = target.parent().unwrap_or_else(|| Path::new("."));
    // `.github/workflows/` may not exist yet.
    fs::create_dir_all(dir)?;
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(contents.as_bytes())?;
    temp.as_file().sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if executable { 0o755 } else { 0o644 };
        fs::set_permissions(temp.path(), fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = executable;
    temp.persist(target).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &'static str, contents: &str) -> GeneratedFile {
        GeneratedFile {
            path,
            contents: contents.to_string(),
            executable: path.ends_with(".sh"),
        }
    }

    #[test]
    fn an_existing_file_stops_the_whole_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("compose.yaml"), "mine\n").expect("seed");
        let files = [
            file("Dockerfile", "FROM x\n"),
            file("compose.yaml", "theirs\n"),
        ];
        let err = write_files(dir.path(), &files, false).expect_err("must refuse");
        assert!(
            matches!(&err, WriteError::WouldOverwrite(p) if p.len() == 1),
            "{err}"
        );
        assert!(!dir.path().join("Dockerfile").exists(), "nothing written");
        assert_eq!(
            fs::read_to_string(dir.path().join("compose.yaml")).expect("read"),
            "mine\n"
        );
    }

    #[test]
    fn force_overwrites_and_sets_modes() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("Dockerfile"), "old\n").expect("seed");
        let files = [
            file("Dockerfile", "FROM x\n"),
            file("docker-build.sh", "#!/bin/sh\n"),
        ];
        let written = write_files(dir.path(), &files, true).expect("write");
        assert_eq!(written.len(), 2);
        assert_eq!(
            fs::read_to_string(dir.path().join("Dockerfile")).expect("read"),
            "FROM x\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("docker-build.sh"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o755);
        }
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .expect("ls")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "no temporary files left: {leftovers:?}");
    }
}
