//! The project as it was at a git revision, in a temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::ExplainError;

/// A checked-out revision; the directory goes away on drop.
pub struct OldTree {
    _temp: tempfile::TempDir,
    pub dir: PathBuf,
    pub dockerfile: PathBuf,
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, ExplainError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| ExplainError::Git(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(ExplainError::Git(format!(
            "git {}: {}",
            args.join(" "),
            err.trim()
        )));
    }
    Ok(out.stdout)
}

fn git_line(dir: &Path, args: &[&str]) -> Result<String, ExplainError> {
    let out = git(dir, args)?;
    Ok(String::from_utf8_lossy(&out)
        .trim_end_matches('\n')
        .to_string())
}

/// Extracts `rev` with `git archive` and locates the project directory and
/// Dockerfile inside it.
pub fn materialize(project: &Path, dockerfile: &Path, rev: &str) -> Result<OldTree, ExplainError> {
    if rev.starts_with('-') {
        return Err(ExplainError::Git(format!("{rev:?} is not a revision")));
    }
    let top = PathBuf::from(git_line(project, &["rev-parse", "--show-toplevel"])?);
    let top = top.canonicalize().unwrap_or(top);
    let commit = git_line(
        project,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|_| ExplainError::Git(format!("{rev} is not a commit of this repository")))?;
    let relative = |p: &Path| {
        p.strip_prefix(&top).map(Path::to_path_buf).map_err(|_| {
            ExplainError::Git(format!(
                "{} is outside the repository {}",
                p.display(),
                top.display()
            ))
        })
    };
    let project_rel = relative(project)?;
    let dockerfile_rel = relative(dockerfile)?;
    let archive = git(&top, &["archive", "--format=tar", &commit])?;
    let temp = tempfile::Builder::new()
        .prefix("layerwise-since-")
        .tempdir()
        .map_err(|e| ExplainError::Other(format!("temporary directory: {e}")))?;
    tar::Archive::new(archive.as_slice())
        .unpack(temp.path())
        .map_err(|e| ExplainError::Git(format!("extracting {rev}: {e}")))?;
    let dir = temp.path().join(&project_rel);
    if !dir.is_dir() {
        return Err(ExplainError::Git(format!(
            "{} does not exist at {rev}",
            project_rel.display()
        )));
    }
    let old_dockerfile = temp.path().join(&dockerfile_rel);
    if !old_dockerfile.is_file() {
        return Err(ExplainError::Git(format!(
            "{} does not exist at {rev}",
            dockerfile_rel.display()
        )));
    }
    Ok(OldTree {
        dir,
        dockerfile: old_dockerfile,
        _temp: temp,
    })
}
