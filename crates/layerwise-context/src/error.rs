//! Typed errors (the build cannot go on) and warnings (it can, with a note).

use std::path::PathBuf;

/// A failure while reading the build context.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// The context directory does not exist or is not a directory.
    #[error("{path}: build context is not a directory")]
    NotADirectory {
        /// The context path.
        path: PathBuf,
    },
    /// Reading a file or directory was refused.
    #[error("{path}: permission denied")]
    PermissionDenied {
        /// The path that could not be read.
        path: PathBuf,
    },
    /// Any other I/O failure.
    #[error("{path}: {op}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// What was being done (`read directory`, `stat`, `read` …).
        op: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A COPY/ADD source is not a valid pattern.
    #[error("COPY/ADD source {source_pattern:?}: {error}")]
    BadSource {
        /// The source as given.
        source_pattern: String,
        /// Why it was rejected.
        error: layerwise_ignore::PatternError,
    },
    /// Resolving symlinks in COPY/ADD sources went round in circles.
    #[error("{path}: too many levels of symbolic links while resolving COPY/ADD sources")]
    SymlinkLoop {
        /// The context-relative path being resolved.
        path: String,
    },
    /// A file changed size while it was being written into the tar stream.
    #[error("{path}: file changed while being archived")]
    ChangedDuringRead {
        /// The file.
        path: PathBuf,
    },
    /// The `.dockerignore` that applies could not be read or parsed.
    #[error(transparent)]
    IgnoreFile(#[from] layerwise_ignore::LoadError),
    /// Writing the tar stream failed.
    #[error("writing build context archive: {source}")]
    Write {
        /// The underlying error.
        source: std::io::Error,
    },
}

impl ContextError {
    /// Classifies an I/O error on `path`, giving permission problems their
    /// own variant.
    pub(crate) fn io(path: impl Into<PathBuf>, op: &'static str, source: std::io::Error) -> Self {
        let path = path.into();
        if source.kind() == std::io::ErrorKind::PermissionDenied {
            ContextError::PermissionDenied { path }
        } else {
            ContextError::Io { path, op, source }
        }
    }
}

/// Something skipped that the user may want to know about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The path disappeared between listing and reading (files being
    /// written by another process); it was left out.
    Vanished {
        /// Context-relative path.
        path: String,
    },
    /// A name that is not valid UTF-8 cannot be matched by patterns and was
    /// left out.
    NonUtf8Name {
        /// Context-relative parent directory.
        parent: String,
        /// The name, lossily decoded for display.
        name: String,
    },
    /// A socket, FIFO or device node: recorded, but not archived or hashed.
    SpecialFile {
        /// Context-relative path.
        path: String,
    },
    /// A directory that is not itself selected could not be read; BuildKit
    /// ignores this too.
    UnreadableExcludedDir {
        /// Context-relative path.
        path: String,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::Vanished { path } => {
                write!(f, "{path}: vanished while reading the context; skipped")
            }
            Warning::NonUtf8Name { parent, name } => {
                write!(f, "{parent}/{name}: name is not valid UTF-8; skipped")
            }
            Warning::SpecialFile { path } => {
                write!(f, "{path}: socket, FIFO or device; not sent to the builder")
            }
            Warning::UnreadableExcludedDir { path } => {
                write!(f, "{path}: excluded directory is unreadable; skipped")
            }
        }
    }
}
