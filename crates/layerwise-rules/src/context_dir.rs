//! What the build context directory tells the rules: dependency manifests
//! and the `.dockerignore`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use layerwise_ignore::{DockerIgnore, LoadError};

/// A project directory used as the build context.
#[derive(Clone, Debug, Default)]
pub struct ContextDir {
    pub dir: PathBuf,
    /// Requirement files at the top level (and under `requirements/`),
    /// relative paths with `/` separators, sorted.
    pub requirement_files: Vec<String>,
    /// Other manifests present: pyproject.toml, lock files, Pipfile, setup files.
    pub manifests: Vec<String>,
    /// The parsed `.dockerignore`; `None` when there is none.
    pub dockerignore: Option<DockerIgnore>,
    /// Why the `.dockerignore` could not be used, if it exists but failed to load.
    pub dockerignore_error: Option<Arc<LoadError>>,
}

const MANIFESTS: &[&str] = &[
    "pyproject.toml",
    "poetry.lock",
    "uv.lock",
    "pdm.lock",
    "Pipfile",
    "Pipfile.lock",
    "setup.py",
    "setup.cfg",
];

impl ContextDir {
    /// Reads what matters from `dir`. Missing files are simply absent.
    pub fn load(dir: &Path) -> ContextDir {
        let mut project = ContextDir {
            dir: dir.to_path_buf(),
            ..ContextDir::default()
        };
        for name in MANIFESTS {
            if dir.join(name).is_file() {
                project.manifests.push((*name).to_string());
            }
        }
        let mut reqs = Vec::new();
        for (sub, prefix) in [
            (dir.to_path_buf(), ""),
            (dir.join("requirements"), "requirements/"),
        ] {
            let Ok(entries) = std::fs::read_dir(&sub) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let is_req = name.ends_with(".txt")
                    && (!prefix.is_empty() || name.starts_with("requirements"));
                let is_in = name.starts_with("requirements") && name.ends_with(".in");
                if (is_req || is_in) && entry.path().is_file() {
                    reqs.push(format!("{prefix}{name}"));
                }
            }
        }
        reqs.sort();
        project.requirement_files = reqs;
        let ignore_path = dir.join(".dockerignore");
        project.read_ignore(ignore_path.is_file().then_some(&ignore_path));
        project
    }

    /// Like [`ContextDir::load`], for the build of `dockerfile`: the ignore file
    /// is the one the build uses (`<Dockerfile>.dockerignore` beside it wins
    /// over the context's `.dockerignore`), so the rules judge what the
    /// build sends.
    pub fn load_for(dir: &Path, dockerfile: &Path) -> ContextDir {
        let mut project = ContextDir::load(dir);
        let ignore = layerwise_ignore::locate(dir, dockerfile);
        project.dockerignore = None;
        project.dockerignore_error = None;
        project.read_ignore(ignore.as_deref());
        project
    }

    fn read_ignore(&mut self, path: Option<&Path>) {
        if let Some(path) = path {
            match DockerIgnore::read(path) {
                Ok(ignore) => self.dockerignore = Some(ignore),
                Err(e) => self.dockerignore_error = Some(Arc::new(e)),
            }
        }
    }

    /// Whether a `.dockerignore` file exists (even if it failed to load).
    pub fn has_dockerignore(&self) -> bool {
        self.dockerignore.is_some() || self.dockerignore_error.is_some()
    }

    /// Whether a manifest is present.
    pub fn has(&self, name: &str) -> bool {
        self.manifests.iter().any(|m| m == name)
    }

    /// `file` plus the files it includes with `-r`/`-c`, transitively,
    /// as they exist in the project (paths relative to the project, sorted).
    /// Read by `layerwise-python`, as `init` reads them; a file that cannot
    /// be read is named alone.
    pub fn requirement_closure(&self, file: &str) -> Vec<String> {
        match layerwise_python::parse_requirements(&self.dir, Path::new(file)) {
            Ok(set) => {
                let mut files = set.file_paths();
                files.sort();
                files.dedup();
                files
            }
            Err(_) => vec![file.trim_start_matches("./").to_string()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ContextDir;

    #[test]
    fn the_dockerfile_specific_ignore_file_wins_as_in_the_build() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".dockerignore"), ".git\n").unwrap();
        std::fs::write(dir.path().join("api.Dockerfile"), "FROM python:3.12\n").unwrap();
        std::fs::write(dir.path().join("api.Dockerfile.dockerignore"), ".venv\n").unwrap();
        let api = ContextDir::load_for(dir.path(), &dir.path().join("api.Dockerfile"));
        let ignore = api.dockerignore.expect("loaded");
        assert!(ignore.is_excluded(".venv") && !ignore.is_excluded(".git"));
        let other = ContextDir::load_for(dir.path(), &dir.path().join("Dockerfile"));
        assert!(other.dockerignore.expect("loaded").is_excluded(".git"));
    }
}
