//! Which files are Dockerfiles: the names layerwise looks for, the files
//! under a directory, and the one a build uses when none is named.

use std::path::{Path, PathBuf};

/// The error for a directory without Dockerfiles (`check` and `fix`).
pub const NO_DOCKERFILE: &str = "no Dockerfile found here (looked for Dockerfile, Containerfile, \
    *.Dockerfile, Dockerfile.*); name the file, or write one with `layerwise init`";

/// Whether a file name is one of the Dockerfile names layerwise looks for.
pub fn is_dockerfile_name(name: &str) -> bool {
    if name == "Dockerfile"
        || name == "Containerfile"
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
    {
        return true;
    }
    let Some(rest) = name
        .strip_prefix("Dockerfile.")
        .or_else(|| name.strip_prefix("Containerfile."))
    else {
        return false;
    };
    !rest.is_empty()
        && !matches!(rest, "dockerignore" | "md" | "txt" | "orig" | "bak" | "swp")
        && !rest.ends_with(".dockerignore")
}

/// The Dockerfile `build` and `explain` use when none is named: `DIR/Dockerfile`,
/// else the one file directly in `dir` with a name `check` looks for. The
/// error says how to name one, or to write one.
pub fn default_dockerfile(dir: &Path) -> Result<PathBuf, String> {
    let standard = dir.join("Dockerfile");
    if standard.is_file() {
        return Ok(standard);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .filter(|e| e.path().is_file() && is_dockerfile_name(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(format!(
            "no Dockerfile in {0}: name one with `-f FILE`, or write one with `layerwise init {0}`",
            dir.display()
        )),
        _ => Err(format!(
            "no file named Dockerfile in {}, but {}: choose one with `-f FILE`",
            dir.display(),
            found
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Dockerfiles under `dir`, recursively, skipping hidden and dependency directories.
pub fn find_dockerfiles(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !name.starts_with('.')
                    && !matches!(
                        name.as_str(),
                        "node_modules" | "venv" | "target" | "__pycache__"
                    )
                {
                    todo.push(entry.path());
                }
            } else if is_dockerfile_name(&name) {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "Containerfile",
            "web.Dockerfile",
            "Dockerfile.prod",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            "dockerfile.md",
            "README.md",
            "Dockerfile.",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
