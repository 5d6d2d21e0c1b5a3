//! The edits the scenarios make, always on a temporary copy of the project.
//!
//! Every edit carries a marker unique to the run, so a later run never finds
//! the previous run's result in the layer cache and measures a cache hit.

use std::fs;
use std::io;
use std::path::Path;

use layerwise_python::{PackageManager, PythonProject};
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

/// Appends a line to a text file, kept in its encoding (a requirement file
/// may be UTF-16).
fn append_line(path: &Path, line: &str) -> io::Result<()> {
    let (mut text, encoding) = layerwise_python::text::read_text(path)?;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(line);
    text.push('\n');
    layerwise_python::text::write_text(path, &text, encoding)
}

/// Where the dependency-edit scenario adds its package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DependencyEdit {
    /// The manifest changed, relative to the project.
    pub file: String,
    /// The requirement added, e.g. `six==1.16.0`.
    pub requirement: String,
    pub format: ManifestFormat,
    /// For a project installed from a lock file: the lock after the edit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock: Option<RegeneratedLock>,
}

/// A lock file regenerated once, by the project's own manager, for the edited
/// manifest; every run writes the same contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegeneratedLock {
    /// The lock file, relative to the project.
    pub file: String,
    /// The command that made it, e.g. `uv lock`.
    pub command: String,
    #[serde(skip)]
    pub contents: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ManifestFormat {
    Requirements,
    PyprojectDependencies,
    /// `[packages]` of a Pipfile.
    PipfilePackages,
}

/// The manager's command regenerating its lock file, and that file.
fn lock_command(
    manager: PackageManager,
) -> Option<(&'static str, &'static [&'static str], &'static str)> {
    match manager {
        PackageManager::Uv => Some(("uv", &["lock"], "uv.lock")),
        PackageManager::Poetry => Some(("poetry", &["lock"], "poetry.lock")),
        PackageManager::Pdm => Some(("pdm", &["lock"], "pdm.lock")),
        PackageManager::Pipenv => Some(("pipenv", &["lock"], "Pipfile.lock")),
        PackageManager::Pip => None,
    }
}

/// Decides how to add a package, or says why the scenario cannot apply. For
/// a locked project this runs the manager's lock command once, in a
/// temporary copy, against the package index.
pub fn plan_dependency_edit(dir: &Path, project: &PythonProject) -> Result<DependencyEdit, String> {
    let used = project.package_names();
    let Some((name, version)) = CANDIDATES.iter().find(|(n, _)| !used.contains(*n)) else {
        return Err("the project already uses every small package bench would add".into());
    };
    let requirement = format!("{name}=={version}");
    let (file, format) = match (project.manager, &project.requirements_file) {
        (PackageManager::Pipenv, _) => ("Pipfile".to_string(), ManifestFormat::PipfilePackages),
        (PackageManager::Pip, Some(file)) => (file.clone(), ManifestFormat::Requirements),
        _ if has_dependency_array(dir) => (
            "pyproject.toml".to_string(),
            ManifestFormat::PyprojectDependencies,
        ),
        _ => {
            return Err(
                "no requirements file and no [project] dependencies list to add a package to"
                    .into(),
            );
        }
    };
    let mut edit = DependencyEdit {
        file,
        requirement,
        format,
        lock: None,
    };
    if let Some((program, args, file)) = lock_command(project.manager) {
        edit.lock = Some(regenerate_lock(dir, &edit, program, args, file)?);
    }
    Ok(edit)
}

fn has_dependency_array(dir: &Path) -> bool {
    fs::read_to_string(dir.join("pyproject.toml"))
        .ok()
        .and_then(|t| t.parse::<toml_edit::DocumentMut>().ok())
        .is_some_and(|doc| {
            doc.get("project")
                .and_then(|p| p.get("dependencies"))
                .is_some_and(|d| d.as_array().is_some())
        })
}

/// Runs `program args` in a temporary copy of `dir` with the manifest edited
/// and returns the lock file it wrote.
fn regenerate_lock(
    dir: &Path,
    edit: &DependencyEdit,
    program: &str,
    args: &[&str],
    file: &str,
) -> Result<RegeneratedLock, String> {
    let command = std::iter::once(program)
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    let cannot = |why: String| {
        format!("adding a package means regenerating {file} with `{command}`, and {why}")
    };
    let tmp = tempfile::tempdir().map_err(|e| cannot(format!("no temporary copy: {e}")))?;
    let copy = copy_tree(dir, &tmp.path().join("project"))
        .map_err(|e| cannot(format!("copying the project failed: {e}")))?;
    write_manifest_edit(&copy, edit, "lock")
        .map_err(|e| cannot(format!("editing {} failed: {e}", edit.file)))?;
    let output = std::process::Command::new(program)
        .args(args)
        .current_dir(&copy)
        .output()
        .map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => {
                cannot(format!("{program} is not installed on this machine"))
            }
            _ => cannot(format!("{program} did not start: {e}")),
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(cannot(format!("it failed here: {}", last.trim())));
    }
    let contents = fs::read_to_string(copy.join(file))
        .map_err(|e| cannot(format!("{file} could not be read afterwards: {e}")))?;
    Ok(RegeneratedLock {
        file: file.to_string(),
        command,
        contents,
    })
}

/// Adds the package, with `marker` in a comment so each run's manifest
/// differs, and writes the regenerated lock file.
pub fn apply_dependency_edit(dir: &Path, edit: &DependencyEdit, marker: &str) -> io::Result<()> {
    write_manifest_edit(dir, edit, marker)?;
    if let Some(lock) = &edit.lock {
        fs::write(dir.join(&lock.file), &lock.contents)?;
    }
    Ok(())
}

fn write_manifest_edit(dir: &Path, edit: &DependencyEdit, marker: &str) -> io::Result<()> {
    let path = dir.join(&edit.file);
    if edit.format == ManifestFormat::Requirements {
        return append_line(
            &path,
            &format!("{}  # layerwise bench {marker}", edit.requirement),
        );
    }
    let text = fs::read_to_string(&path)?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{e}")))?;
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidData, format!("no {what}"));
    if edit.format == ManifestFormat::PipfilePackages {
        let (name, version) = edit
            .requirement
            .split_once("==")
            .ok_or_else(|| invalid("pinned requirement"))?;
        let packages = doc
            .get_mut("packages")
            .and_then(|p| p.as_table_like_mut())
            .ok_or_else(|| invalid("[packages] table"))?;
        packages.insert(name, toml_edit::value(format!("=={version}")));
    } else {
        doc.get_mut("project")
            .and_then(|p| p.get_mut("dependencies"))
            .and_then(|d| d.as_array_mut())
            .ok_or_else(|| invalid("[project] dependencies"))?
            .push(edit.requirement.as_str());
    }
    let mut out = doc.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!("# layerwise bench {marker}\n"));
    fs::write(path, out)
}

/// Makes every `RUN` miss the layer cache while its cache mounts keep what
/// earlier builds left there: an `ARG` with a value unique to `token` right
/// after each `FROM` is in the environment, so the cache key, of every RUN
/// after it. `--no-cache` cannot do this: BuildKit then hands every cache
/// mount over empty too. Context COPYs still hit the cache; the ARG is not
/// in the image.
pub fn bust_run_cache(dockerfile: &str, token: &str) -> String {
    let file = layerwise_syntax::parse(dockerfile);
    let mut out = String::with_capacity(dockerfile.len() + 64);
    let mut copied = 0;
    for from in file
        .instructions()
        .filter(|i| i.kind == layerwise_syntax::InstructionKind::From)
    {
        let end = from.span.end;
        out.push_str(&dockerfile[copied..end]);
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("ARG LAYERWISE_BENCH_REBUILD={token}\n"));
        copied = end;
    }
    out.push_str(&dockerfile[copied..]);
    out
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
    fn rebuild_arg_follows_every_from() {
        let text = "FROM python:3.11-slim \\\n  AS builder\nRUN pip install x\n\nFROM builder AS production\nCOPY . .";
        let busted = bust_run_cache(text, "t1");
        assert_eq!(
            busted,
            "FROM python:3.11-slim \\\n  AS builder\nARG LAYERWISE_BENCH_REBUILD=t1\nRUN pip install x\n\n\
             FROM builder AS production\nARG LAYERWISE_BENCH_REBUILD=t1\nCOPY . ."
        );
        let file = layerwise_syntax::parse(&busted);
        assert!(file.errors().is_empty(), "{:?}", file.errors());
        assert_eq!(bust_run_cache("RUN x\n", "t1"), "RUN x\n");
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
    fn a_locked_project_gets_its_lock_regenerated_or_a_reason() {
        let (_t, root) = copy_of("fastapi-uv");
        let project = layerwise_python::detect(&root).unwrap();
        match plan_dependency_edit(&root, &project) {
            Ok(edit) => {
                // uv is installed and reached the index: the lock names the package.
                let lock = edit
                    .lock
                    .clone()
                    .expect("a uv project's edit carries its lock");
                assert_eq!(
                    (lock.file.as_str(), lock.command.as_str()),
                    ("uv.lock", "uv lock")
                );
                assert!(
                    lock.contents.contains("name = \"six\""),
                    "{}",
                    lock.contents
                );
                apply_dependency_edit(&root, &edit, "r4").unwrap();
                assert_eq!(
                    fs::read_to_string(root.join("uv.lock")).unwrap(),
                    lock.contents
                );
                let manifest = fs::read_to_string(root.join("pyproject.toml")).unwrap();
                assert!(manifest.contains("\"six==1.16.0\""), "{manifest}");
            }
            Err(reason) => assert!(
                reason.contains("uv.lock") && reason.contains("`uv lock`"),
                "{reason}"
            ),
        }
    }

    #[test]
    fn a_missing_lock_tool_is_a_reason_to_skip() {
        let tmp = tempfile::tempdir().unwrap();
        let edit = DependencyEdit {
            file: "pyproject.toml".into(),
            requirement: "six==1.16.0".into(),
            format: ManifestFormat::PyprojectDependencies,
            lock: None,
        };
        fs::write(
            tmp.path().join("pyproject.toml"),
            "[project]\ndependencies = []\n",
        )
        .unwrap();
        let reason = regenerate_lock(
            tmp.path(),
            &edit,
            "layerwise-no-such-tool",
            &["lock"],
            "x.lock",
        )
        .unwrap_err();
        assert!(
            reason.contains("is not installed on this machine"),
            "{reason}"
        );
    }

    #[test]
    fn pipfile_edit_adds_a_package() {
        let (_t, root) = copy_of("pipenv-app");
        let edit = DependencyEdit {
            file: "Pipfile".into(),
            requirement: "six==1.16.0".into(),
            format: ManifestFormat::PipfilePackages,
            lock: None,
        };
        write_manifest_edit(&root, &edit, "r5").unwrap();
        let text = fs::read_to_string(root.join("Pipfile")).unwrap();
        let doc: toml_edit::DocumentMut = text.parse().unwrap();
        assert_eq!(doc["packages"]["six"].as_str(), Some("==1.16.0"));
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
