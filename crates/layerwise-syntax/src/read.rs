//! Reading a Dockerfile from disk: the one entry every command uses, with
//! one set of messages (file, line, column) for what stops it.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::{Dockerfile, Position, decode, parse_string};

/// Why a Dockerfile could not be used.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be read.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Not UTF-8, which is all BuildKit reads: where the first bad byte is.
    NotUtf8 { path: PathBuf, at: Position },
    /// The first error that stops a build.
    Syntax {
        path: PathBuf,
        at: Position,
        message: String,
    },
}

impl ReadError {
    /// Where in the file the problem is; `None` for the whole file.
    pub fn position(&self) -> Option<Position> {
        match self {
            ReadError::Io { .. } => None,
            ReadError::NotUtf8 { at, .. } | ReadError::Syntax { at, .. } => Some(*at),
        }
    }

    /// The message without the file and position, for reports that place
    /// it themselves.
    pub fn message(&self) -> String {
        match self {
            ReadError::Io { source, .. } => source.to_string(),
            ReadError::NotUtf8 { .. } => "not valid UTF-8".to_string(),
            ReadError::Syntax { message, .. } => message.clone(),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            ReadError::NotUtf8 { path, at } | ReadError::Syntax { path, at, .. } => {
                write!(f, "{}:{at}: {}", path.display(), self.message())
            }
        }
    }
}

impl std::error::Error for ReadError {}

/// The bytes read for `path` as text: UTF-8, or the position of the first
/// byte that is not.
pub fn text_of(path: &Path, bytes: std::io::Result<Vec<u8>>) -> Result<String, ReadError> {
    let bytes = bytes.map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    decode(bytes).map_err(|at| ReadError::NotUtf8 {
        path: path.to_path_buf(),
        at,
    })
}

/// Reads `path` as Dockerfile text.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    text_of(path, std::fs::read(path))
}

/// Reads and parses `path`; parse errors are in the result's
/// [`Dockerfile::errors`].
pub fn read(path: &Path) -> Result<Dockerfile, ReadError> {
    Ok(parse_string(read_text(path)?))
}

/// Reads and parses `path` for a build: the first error BuildKit would
/// stop at is an error here too.
pub fn read_buildable(path: &Path) -> Result<Dockerfile, ReadError> {
    let file = read(path)?;
    if let Some(error) = file.build_errors().first() {
        return Err(ReadError::Syntax {
            path: path.to_path_buf(),
            at: file.position(error.span.start),
            message: error.message.clone(),
        });
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_names_file_line_and_column() {
        let dir = std::env::temp_dir().join(format!("layerwise-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing");
        let err = read(&missing).unwrap_err();
        assert!(err.position().is_none());
        assert!(
            err.to_string()
                .starts_with(&format!("cannot read {}: ", missing.display())),
            "{err}"
        );
        let binary = dir.join("binary");
        std::fs::write(&binary, b"FROM debian\nRUN \xc3\xa9cho \xff\n").unwrap();
        let err = read(&binary).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}:2:10: not valid UTF-8", binary.display())
        );
        let broken = dir.join("broken");
        std::fs::write(&broken, "FROM debian\nFROBNICATE x\n").unwrap();
        assert!(read(&broken).is_ok(), "parse errors are the file's own");
        let err = read_buildable(&broken).unwrap_err();
        assert_eq!(err.position().map(|p| p.line), Some(2));
        assert!(
            err.to_string()
                .starts_with(&format!("{}:2:1: ", broken.display())),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
