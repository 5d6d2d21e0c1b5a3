//! Which source file stands for "the code" when a tool edits it to measure a
//! rebuild (`layerwise bench`, `layerwise fix --verify`): one the app really
//! imports, picked deterministically.

use std::fs;
use std::path::Path;

use crate::App;

/// Directories that hold no application code.
const SKIP_DIRS: &[&str] = &[
    "tests",
    "test",
    "testing",
    "docs",
    "venv",
    "env",
    "node_modules",
    "__pycache__",
    "build",
    "dist",
    "site-packages",
    "migrations",
];

/// How deep to look for a source file when the app target names none.
const MAX_DEPTH: usize = 6;

/// The source file a code edit should change, relative to `dir`: the module of the
/// detected app target (it is certainly imported), else the first `.py`
/// file in sorted order outside tests and tooling.
pub fn code_file(dir: &Path, app: Option<&App>) -> Option<String> {
    if let Some(app) = app {
        let module = app
            .target
            .as_deref()
            .map(|t| t.split(':').next().unwrap_or(t).to_string())
            .or_else(|| {
                let dash_m = app.command.iter().position(|a| a == "-m")?;
                app.command.get(dash_m + 1).cloned()
            });
        if let Some(module) = module.filter(|m| !m.is_empty()) {
            let base = module.replace('.', "/");
            let candidates = [
                format!("{base}.py"),
                format!("{base}/__init__.py"),
                format!("{base}/__main__.py"),
                format!("src/{base}.py"),
                format!("src/{base}/__init__.py"),
                format!("src/{base}/__main__.py"),
            ];
            if let Some(found) = candidates.into_iter().find(|c| dir.join(c).is_file()) {
                return Some(found);
            }
        }
    }
    let mut files = Vec::new();
    collect_py(dir, dir, 0, &mut files);
    files.sort();
    files.into_iter().next()
}

fn collect_py(root: &Path, dir: &Path, depth: usize, out: &mut Vec<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            if !SKIP_DIRS.contains(&name.as_str()) {
                collect_py(root, &path, depth + 1, out);
            }
        } else if kind.is_file()
            && name.ends_with(".py")
            && !name.starts_with("test_")
            && !name.ends_with("_test.py")
            && !matches!(name.as_str(), "conftest.py" | "setup.py" | "noxfile.py")
            && let Ok(relative) = path.strip_prefix(root)
        {
            out.push(
                relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn example(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(name)
    }

    #[test]
    fn code_file_is_the_app_module() {
        let root = example("flask-requirements");
        let project = crate::detect(&root).unwrap();
        assert_eq!(
            code_file(&root, project.app.as_ref()).as_deref(),
            Some("app.py")
        );
        let root = example("fastapi-uv");
        let project = crate::detect(&root).unwrap();
        assert_eq!(
            code_file(&root, project.app.as_ref()).as_deref(),
            Some("app/main.py")
        );
    }

    #[test]
    fn code_file_falls_back_to_sorted_sources_outside_tests() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::create_dir_all(root.join("tests")).unwrap();
        fs::create_dir_all(root.join("pkg")).unwrap();
        fs::write(root.join("tests/a.py"), "").unwrap();
        fs::write(root.join("setup.py"), "").unwrap();
        fs::write(root.join("pkg/z.py"), "").unwrap();
        fs::write(root.join("pkg/b.py"), "").unwrap();
        fs::write(root.join("requirements.txt"), "six\n").unwrap();
        let mut project = crate::detect(root).unwrap();
        project.app = None;
        assert_eq!(
            code_file(root, project.app.as_ref()).as_deref(),
            Some("pkg/b.py")
        );
    }
}
