//! The edits the scenarios make, always on a temporary copy of the project.
//!
//! Every edit carries a marker unique to the run, so a later run never finds
//! the previous run's result in the layer cache and measures a cache hit.

use std::fs;
use std::io;
use std::path::Path;

use layerwise_python::{PackageManager, Project};
use serde::Serialize;

/// Small pure-Python packages to add, tried in order; the first one the
/// project does not already use is taken.
const CANDIDATES: &[(&str, &str)] = &[
    ("six", "1.16.0"),
    ("idna", "3.10"),
    ("iniconfig", "2.0.0"),
    ("tomli", "2.0.1"),
];

/// Appends one comment line to `file` (relative to `dir`).
pub fn apply_code_edit(dir: &Path, file: &str, marker: &str) -> io::Result<()> {
    append_line(&dir.join(file), &format!("# layerwise bench edit {marker}"))
}

fn append_line(path: &Path, line: &str) -> io::Result<()> {
    let mut text = fs::read_to_string(path)?;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(line);
    text.push('\n');
    fs::write(path, text)
}

/// Where the dependency-edit scenario adds its package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DependencyEdit {
    /// The manifest changed, relative to the project.
    pub file: String,
    /// The requirement added, e.g. `six==1.16.0`.
    pub requirement: String,
    pub format: ManifestFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ManifestFormat {
    Requirements,
    PyprojectDependencies,
}

/// Decides how to add a package, or says why the scenario cannot apply.
pub fn plan_dependency_edit(dir: &Path, project: &Project) -> Result<DependencyEdit, String> {
    let used = project.package_names();
    let Some((name, version)) = CANDIDATES.iter().find(|(n, _)| !used.contains(*n)) else {
        return Err("the project already uses every small package bench would add".into());
    };
    let requirement = format!("{name}=={version}");
    let lock = |file: &str, command: &str| {
        Err(format!(
            "{} installs from {file}; adding a package means regenerating it with `{command}` \
             against the package index, which bench does not do offline",
            project.manager
        ))
    };
    match project.manager {
        PackageManager::Uv => return lock("uv.lock", "uv lock"),
        PackageManager::Poetry => return lock("poetry.lock", "poetry lock"),
        PackageManager::Pdm => return lock("pdm.lock", "pdm lock"),
        PackageManager::Pipenv => return lock("Pipfile.lock", "pipenv lock"),
        PackageManager::Pip => {}
    }
    if let Some(file) = &project.requirements_file {
        return Ok(DependencyEdit {
            file: file.clone(),
            requirement,
            format: ManifestFormat::Requirements,
        });
    }
    let pyproject = dir.join("pyproject.toml");
    let has_array = fs::read_to_string(&pyproject)
        .ok()
        .and_then(|t| t.parse::<toml_edit::DocumentMut>().ok())
        .is_some_and(|doc| {
            doc.get("project")
                .and_then(|p| p.get("dependencies"))
                .is_some_and(|d| d.as_array().is_some())
        });
    if has_array {
        return Ok(DependencyEdit {
            file: "pyproject.toml".into(),
            requirement,
            format: ManifestFormat::PyprojectDependencies,
        });
    }
    Err("no requirements file and no [project] dependencies list to add a package to".into())
}

/// Adds the package, with `marker` in a comment so each run's manifest differs.
pub fn apply_dependency_edit(dir: &Path, edit: &DependencyEdit, marker: &str) -> io::Result<()> {
    let path = dir.join(&edit.file);
    match edit.format {
        ManifestFormat::Requirements => append_line(
            &path,
            &format!("{}  # layerwise bench {marker}", edit.requirement),
        ),
        ManifestFormat::PyprojectDependencies => {
            let text = fs::read_to_string(&path)?;
            let mut doc: toml_edit::DocumentMut = text
                .parse()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{e}")))?;
            let array = doc
                .get_mut("project")
                .and_then(|p| p.get_mut("dependencies"))
                .and_then(|d| d.as_array_mut())
                .ok_or_else(|| {
                    io::Error::new(io::ErrorKind::InvalidData, "no [project] dependencies")
                })?;
            array.push(edit.requirement.as_str());
            let mut out = doc.to_string();
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&format!("# layerwise bench {marker}\n"));
            fs::write(path, out)
        }
    }
}

/// Gives every `RUN --mount=type=cache` its own id ending in `token`, so a
/// bench run starts from empty package caches without pruning anyone
/// else's build cache. Returns the new text and how many mounts changed.
pub fn isolate_cache_mounts(dockerfile: &str, token: &str) -> (String, usize) {
    let mut out = String::with_capacity(dockerfile.len() + 64);
    let mut changed = 0;
    let mut rest = dockerfile;
    while let Some(at) = rest.find("--mount=") {
        let start = at + "--mount=".len();
        out.push_str(&rest[..start]);
        let spec_len = rest[start..]
            .find(char::is_whitespace)
            .unwrap_or(rest.len() - start);
        let spec = &rest[start..start + spec_len];
        match isolate_one(spec, token) {
            Some(new) => {
                out.push_str(&new);
                changed += 1;
            }
            None => out.push_str(spec),
        }
        rest = &rest[start + spec_len..];
    }
    out.push_str(rest);
    (out, changed)
}

fn isolate_one(spec: &str, token: &str) -> Option<String> {
    if spec.starts_with('"') || spec.starts_with('\'') {
        return None;
    }
    let fields: Vec<&str> = spec.split(',').collect();
    let value = |key: &[&str]| {
        fields.iter().find_map(|f| {
            let (k, v) = f.split_once('=')?;
            key.contains(&k.trim()).then_some(v)
        })
    };
    if value(&["type"]) != Some("cache") {
        return None;
    }
    let base = value(&["id"]).or_else(|| value(&["target", "dst", "destination"]))?;
    let id = format!("{base}-lwbench-{token}");
    let mut kept: Vec<String> = fields
        .iter()
        .filter(|f| f.split_once('=').is_none_or(|(k, _)| k.trim() != "id"))
        .map(|f| f.to_string())
        .collect();
    kept.push(format!("id={id}"));
    Some(kept.join(","))
}

pub use layerwise_context::copy_tree;

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn example(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(name)
    }

    fn copy_of(name: &str) -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let root = copy_tree(&example(name), &tmp.path().join("p")).unwrap();
        (tmp, root)
    }

    #[test]
    fn code_edit_adds_exactly_one_line() {
        let (_t, root) = copy_of("flask-requirements");
        let before = fs::read_to_string(root.join("app.py")).unwrap();
        apply_code_edit(&root, "app.py", "r1").unwrap();
        let after = fs::read_to_string(root.join("app.py")).unwrap();
        assert_eq!(after.lines().count(), before.lines().count() + 1);
        assert!(after.starts_with(&before));
        assert!(after.ends_with("# layerwise bench edit r1\n"));
        // The user's tree is untouched.
        assert_eq!(
            fs::read_to_string(example("flask-requirements").join("app.py")).unwrap(),
            before
        );
    }

    #[test]
    fn requirements_edit_appends_a_pin() {
        let (_t, root) = copy_of("flask-requirements");
        let project = layerwise_python::detect(&root).unwrap();
        let edit = plan_dependency_edit(&root, &project).unwrap();
        assert_eq!(edit.file, "requirements.txt");
        assert_eq!(edit.requirement, "six==1.16.0");
        apply_dependency_edit(&root, &edit, "r2").unwrap();
        let text = fs::read_to_string(root.join("requirements.txt")).unwrap();
        assert!(
            text.ends_with("six==1.16.0  # layerwise bench r2\n"),
            "{text}"
        );
        // Still parses as a requirements file with the new package.
        let again = layerwise_python::detect(&root).unwrap();
        assert!(again.package_names().contains("six"));
    }

    #[test]
    fn pyproject_edit_extends_the_dependency_list() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::write(
            root.join("pyproject.toml"),
            "[project]\nname = \"x\"\nversion = \"1\"\ndependencies = [\"six\"]\n",
        )
        .unwrap();
        fs::write(root.join("main.py"), "print(1)\n").unwrap();
        let project = layerwise_python::detect(root).unwrap();
        let edit = plan_dependency_edit(root, &project).unwrap();
        // six is taken, so the next candidate is used.
        assert_eq!(edit.requirement, "idna==3.10");
        assert_eq!(edit.format, ManifestFormat::PyprojectDependencies);
        apply_dependency_edit(root, &edit, "r3").unwrap();
        let text = fs::read_to_string(root.join("pyproject.toml")).unwrap();
        let doc: toml_edit::DocumentMut = text.parse().unwrap();
        let deps: Vec<_> = doc["project"]["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(deps, ["six", "idna==3.10"]);
        assert!(text.contains("# layerwise bench r3"));
    }

    #[test]
    fn locked_managers_are_skipped_with_a_reason() {
        let (_t, root) = copy_of("fastapi-uv");
        let project = layerwise_python::detect(&root).unwrap();
        let reason = plan_dependency_edit(&root, &project).unwrap_err();
        assert!(
            reason.contains("uv.lock") && reason.contains("uv lock"),
            "{reason}"
        );
    }

    #[test]
    fn cache_mounts_get_private_ids() {
        let text = "FROM x\nRUN --mount=type=cache,target=/root/.cache/pip pip install a\n\
                    RUN --mount=type=cache,id=uv,target=/root/.cache/uv,sharing=locked uv sync\n\
                    RUN --mount=type=secret,id=tok cat /run/secrets/tok\n";
        let (out, n) = isolate_cache_mounts(text, "t1");
        assert_eq!(n, 2);
        assert!(out.contains("--mount=type=cache,target=/root/.cache/pip,id=/root/.cache/pip-lwbench-t1 pip install a"), "{out}");
        assert!(
            out.contains(
                "--mount=type=cache,target=/root/.cache/uv,sharing=locked,id=uv-lwbench-t1 uv sync"
            ),
            "{out}"
        );
        assert!(out.contains("--mount=type=secret,id=tok cat"));
        let (same, none) = isolate_cache_mounts("FROM x\nRUN pip install a\n", "t");
        assert_eq!((same.as_str(), none), ("FROM x\nRUN pip install a\n", 0));
        // A mount at the very end of the text does not panic.
        assert_eq!(
            isolate_cache_mounts("RUN --mount=type=cache,target=/c", "z").1,
            1
        );
    }
}
