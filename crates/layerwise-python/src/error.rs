//! Errors of project detection. Each names the file (and line and column where
//! one applies) and, where the fix is not obvious, what to do.

use std::path::PathBuf;

use thiserror::Error;

/// Why a project could not be detected.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DetectError {
    /// The path given is not a readable directory.
    #[error("{}: not a directory", path.display())]
    NotADirectory {
        /// The path that was given.
        path: PathBuf,
    },
    /// Nothing exists at the path given.
    #[error("{}: no such directory", path.display())]
    Missing {
        /// The path that was given.
        path: PathBuf,
    },
    /// A file exists but could not be read.
    #[error("{path}: cannot read: {message}")]
    Io {
        /// Project-relative path.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// Nothing in the directory says how to install the project.
    #[error(
        "{}: no Python project found: expected one of requirements.txt, pyproject.toml, \
         setup.py, setup.cfg, Pipfile, uv.lock, poetry.lock or pdm.lock",
        dir.display()
    )]
    NoManifest {
        /// The directory that was searched.
        dir: PathBuf,
    },
    /// Lock files of two different package managers sit side by side.
    #[error(
        "{first} ({first_manager}) and {second} ({second_manager}) are lock files of two \
         different package managers; keep the lock file of the manager you install with \
         and delete the other"
    )]
    ConflictingLocks {
        /// The first lock file found.
        first: String,
        /// Its package manager.
        first_manager: String,
        /// The second lock file found.
        second: String,
        /// Its package manager.
        second_manager: String,
    },
    /// A lock file whose manifest is missing, so nothing can be installed from it.
    #[error("{lock} has no {manifest} beside it; add {manifest} or delete {lock}")]
    MissingManifest {
        /// The lock file.
        lock: String,
        /// The manifest it needs.
        manifest: String,
    },
    /// A manifest or lock file is malformed.
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        /// Project-relative path.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

impl DetectError {
    pub(crate) fn parse(
        path: impl Into<String>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        DetectError::Parse {
            path: path.into(),
            line,
            column,
            message: message.into(),
        }
    }

    pub(crate) fn io(path: impl Into<String>, err: &std::io::Error) -> Self {
        DetectError::Io {
            path: path.into(),
            message: err.to_string(),
        }
    }
}
