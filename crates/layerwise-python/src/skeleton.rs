//! Whether the project itself can be installed before its code is copied.
//!
//! An editable install of a pure-Python package writes only metadata, console
//! scripts and a path entry pointing at the source directory; none of it
//! depends on what the modules contain. Given static metadata in
//! `pyproject.toml` and a build backend whose editable mode is path-based, the
//! project installs from `pyproject.toml`, the files its metadata reads (readme,
//! license) and empty `__init__.py` files standing in for its top-level
//! packages. The image then gets the code at the same path, and a code edit
//! re-runs no install at all.
//!
//! Anything that would make the install depend on the code (dynamic metadata,
//! build hooks, C extensions through `setup.py`, namespace packages, module
//! files) means no skeleton: the project is then installed from the full
//! source after the code is copied.

use std::path::Path;

use serde::Serialize;

use crate::manifest::TomlFile;
use crate::requirements::normalize_name;

/// What an editable install of the project needs besides `pyproject.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectSkeleton {
    /// Top-level package directories, relative to the project root with `/`
    /// separators; each gets an empty `__init__.py` before the install.
    pub packages: Vec<String>,
    /// Files the backend reads while building metadata (readme, license),
    /// relative to the project root.
    pub files: Vec<String>,
}

/// Build backends whose editable installs are path entries to the source
/// directories, never copies of the modules.
const PATH_BASED_BACKENDS: &[&str] = &[
    "hatchling.build",
    "poetry.core.masonry.api",
    "pdm.backend",
    "flit_core.buildapi",
    "setuptools.build_meta",
];

/// The skeleton of the project in `dir`, or why it has none.
pub(crate) fn skeleton(dir: &Path, pyproject: &TomlFile) -> Result<ProjectSkeleton, String> {
    let backend = pyproject
        .string(&["build-system", "build-backend"])
        .map(|(b, _)| b)
        .ok_or("no build backend is declared")?;
    if !PATH_BASED_BACKENDS.contains(&backend.as_str()) {
        return Err(format!(
            "build backend `{backend}` is not known to install editable by path"
        ));
    }
    if dir.join("setup.py").exists() {
        return Err("setup.py may build extensions from the code".into());
    }
    let name = static_name(pyproject)?;
    if let Some(dynamic) = pyproject
        .get(&["project", "dynamic"])
        .and_then(|d| d.as_array())
        && !dynamic.is_empty()
    {
        return Err("[project] has dynamic metadata, which the code may provide".into());
    }
    for hooks in [
        &["tool", "hatch", "build", "hooks"][..],
        &["tool", "hatch", "build", "targets", "wheel", "hooks"],
        &[
            "tool",
            "hatch",
            "build",
            "targets",
            "wheel",
            "dev-mode-exact",
        ],
        &["tool", "poetry", "build"],
        &["tool", "pdm", "build", "run-setuptools"],
        &["tool", "setuptools", "ext-modules"],
    ] {
        if pyproject.get(hooks).is_some() {
            return Err(format!(
                "`{}` changes how the code is built",
                hooks.join(".")
            ));
        }
    }
    let packages = package_dirs(dir, pyproject, &backend, &name)?;
    for package in &packages {
        if !dir.join(package).join("__init__.py").is_file() {
            return Err(format!(
                "`{package}` is not a regular package (no __init__.py)"
            ));
        }
    }
    Ok(ProjectSkeleton {
        packages,
        files: metadata_files(dir, pyproject)?,
    })
}

/// The project name, which must be written down rather than computed.
fn static_name(pyproject: &TomlFile) -> Result<String, String> {
    let name = pyproject
        .string(&["project", "name"])
        .or_else(|| pyproject.string(&["tool", "poetry", "name"]))
        .map(|(n, _)| n)
        .ok_or("the project has no static name")?;
    let version = pyproject
        .get(&["project", "version"])
        .or_else(|| pyproject.get(&["tool", "poetry", "version"]));
    if version.is_none() {
        return Err("the project's version is not written in pyproject.toml".into());
    }
    Ok(name)
}

/// Top-level packages: as configured for the backend, else found by the
/// backends' shared default (`src/<pkg>` or `<name>/`).
fn package_dirs(
    dir: &Path,
    pyproject: &TomlFile,
    backend: &str,
    name: &str,
) -> Result<Vec<String>, String> {
    if let Some(configured) = configured_packages(pyproject)? {
        return Ok(configured);
    }
    if backend == "setuptools.build_meta" && pyproject.get(&["tool", "setuptools"]).is_some() {
        return Err("[tool.setuptools] may place packages anywhere".into());
    }
    let src = dir.join("src");
    if src.is_dir() {
        let mut found: Vec<String> = std::fs::read_dir(&src)
            .map_err(|e| format!("reading src/: {e}"))?
            .filter_map(Result::ok)
            .filter(|entry| entry.path().join("__init__.py").is_file())
            .filter_map(|entry| entry.file_name().into_string().ok())
            .map(|package| format!("src/{package}"))
            .collect();
        found.sort();
        return match found.is_empty() {
            true => Err("src/ holds no regular package".into()),
            false => Ok(found),
        };
    }
    if backend == "setuptools.build_meta" {
        return Err("setuptools discovers flat-layout packages by scanning the tree".into());
    }
    let module = normalize_name(name).replace('-', "_");
    if dir.join(&module).join("__init__.py").is_file() {
        Ok(vec![module])
    } else {
        Err(format!("no package directory `{module}/` was found"))
    }
}

/// Packages listed in `[tool.hatch.build.targets.wheel] packages` or
/// `[tool.poetry] packages`; `None` when neither is set.
fn configured_packages(pyproject: &TomlFile) -> Result<Option<Vec<String>>, String> {
    if let Some(item) = pyproject.get(&["tool", "hatch", "build", "targets", "wheel", "packages"]) {
        let array = item
            .as_array()
            .ok_or("tool.hatch.build.targets.wheel.packages is not an array")?;
        let packages = array
            .iter()
            .map(|v| {
                v.as_str()
                    .map(plain_path)
                    .ok_or("a hatch package is not a string")
            })
            .collect::<Result<Option<Vec<_>>, _>>()?;
        return packages
            .map(Some)
            .ok_or_else(|| "a hatch package path is not a plain directory".into());
    }
    if let Some(item) = pyproject.get(&["tool", "poetry", "packages"]) {
        let array = item
            .as_array()
            .ok_or("tool.poetry.packages is not an array")?;
        let mut packages = Vec::new();
        for entry in array {
            let table = entry
                .as_inline_table()
                .ok_or("a tool.poetry.packages entry is not a table")?;
            let include = table
                .get("include")
                .and_then(|v| v.as_str())
                .and_then(plain_path)
                .ok_or("a tool.poetry.packages include is not a plain directory")?;
            if table.get("format").is_some() {
                return Err("a tool.poetry.packages entry limits its formats".into());
            }
            let path = match table.get("from").and_then(|v| v.as_str()) {
                Some(from) => format!(
                    "{}/{include}",
                    plain_path(from).ok_or("a tool.poetry.packages `from` is not plain")?
                ),
                None => include,
            };
            packages.push(path);
        }
        return Ok(Some(packages));
    }
    Ok(None)
}

/// A relative directory path without globs, `..` or a trailing slash.
fn plain_path(path: &str) -> Option<String> {
    let path = path.trim_end_matches('/').trim_start_matches("./");
    let plain = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains(['*', '?', '[', '\\'])
        && path.split('/').all(|part| !part.is_empty() && part != "..");
    plain.then(|| path.to_string())
}

/// The readme and license files the metadata names.
fn metadata_files(dir: &Path, pyproject: &TomlFile) -> Result<Vec<String>, String> {
    if pyproject.get(&["project", "license-files"]).is_some()
        || pyproject.get(&["tool", "poetry", "include"]).is_some()
    {
        return Err("the metadata includes files chosen by pattern".into());
    }
    let mut files = Vec::new();
    let readme = pyproject.get(&["project", "readme"]).map(|item| {
        item.as_str()
            .or_else(|| item.as_table_like()?.get("file")?.as_str())
    });
    let poetry_readme = pyproject
        .get(&["tool", "poetry", "readme"])
        .map(|item| item.as_str());
    let license = pyproject
        .get(&["project", "license"])
        .and_then(|item| item.as_table_like())
        .map(|table| table.get("file").map(|f| f.as_str()));
    for named in [readme, poetry_readme, license.flatten()]
        .into_iter()
        .flatten()
    {
        let path = named
            .and_then(plain_path)
            .ok_or("a readme or license entry is not a plain file path")?;
        if !dir.join(&path).is_file() {
            return Err(format!("`{path}`, named in pyproject.toml, does not exist"));
        }
        if !files.contains(&path) {
            files.push(path);
        }
    }
    // Without `readme`, hatchling, flit and PDM still pick up README files.
    if files.is_empty() {
        for candidate in ["README.md", "README.rst", "README.txt", "README"] {
            if dir.join(candidate).is_file() {
                files.push(candidate.to_string());
            }
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn skeleton_of(dir: &tempfile::TempDir) -> Result<ProjectSkeleton, String> {
        let pyproject = TomlFile::read(dir.path(), "pyproject.toml")
            .unwrap()
            .unwrap();
        skeleton(dir.path(), &pyproject)
    }

    const HATCH: &str = r#"
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
[project]
name = "hello-layers"
version = "0.1.0"
readme = "README.md"
"#;

    #[test]
    fn hatch_src_layout_with_readme() {
        let dir = project(&[
            ("pyproject.toml", HATCH),
            ("README.md", "hi"),
            ("src/hello_layers/__init__.py", ""),
            ("src/hello_layers/cli.py", ""),
        ]);
        assert_eq!(
            skeleton_of(&dir),
            Ok(ProjectSkeleton {
                packages: vec!["src/hello_layers".into()],
                files: vec!["README.md".into()],
            })
        );
    }

    #[test]
    fn poetry_packages_from_src() {
        let dir = project(&[
            (
                "pyproject.toml",
                r#"
[build-system]
build-backend = "poetry.core.masonry.api"
[project]
name = "quotes"
version = "0.1.0"
[tool.poetry]
packages = [{ include = "quotes", from = "src" }]
"#,
            ),
            ("src/quotes/__init__.py", ""),
        ]);
        assert_eq!(
            skeleton_of(&dir).map(|s| s.packages),
            Ok(vec!["src/quotes".to_string()])
        );
    }

    #[test]
    fn flat_layout_uses_the_project_name() {
        let dir = project(&[
            (
                "pyproject.toml",
                "[build-system]\nbuild-backend = \"flit_core.buildapi\"\n[project]\nname = \"My-Tool\"\nversion = \"1\"\n",
            ),
            ("my_tool/__init__.py", ""),
        ]);
        assert_eq!(
            skeleton_of(&dir).map(|s| s.packages),
            Ok(vec!["my_tool".to_string()])
        );
    }

    #[test]
    fn anything_computed_from_the_code_means_no_skeleton() {
        let cases = [
            (
                HATCH.replace("readme = \"README.md\"", "dynamic = [\"readme\"]"),
                "dynamic",
            ),
            (HATCH.replace("version = \"0.1.0\"", ""), "version"),
            (format!("{HATCH}[tool.hatch.build.hooks.custom]\n"), "hooks"),
            (HATCH.replace("hatchling.build", "maturin"), "maturin"),
            (
                HATCH.replace("readme = \"README.md\"", "readme = \"docs/*.md\""),
                "plain",
            ),
        ];
        for (text, why) in cases {
            let dir = project(&[
                ("pyproject.toml", &text),
                ("README.md", ""),
                ("src/hello_layers/__init__.py", ""),
            ]);
            let err = skeleton_of(&dir).unwrap_err();
            assert!(err.contains(why), "{why}: {err}");
        }
    }

    #[test]
    fn setup_py_and_namespace_packages_mean_no_skeleton() {
        let dir = project(&[
            ("pyproject.toml", HATCH),
            ("README.md", ""),
            ("setup.py", ""),
            ("src/hello_layers/__init__.py", ""),
        ]);
        assert!(skeleton_of(&dir).unwrap_err().contains("setup.py"));
        let dir = project(&[
            (
                "pyproject.toml",
                &format!("{HATCH}[tool.hatch.build.targets.wheel]\npackages = [\"src/ns\"]\n"),
            ),
            ("README.md", ""),
            ("src/ns/mod.py", ""),
        ]);
        assert!(
            skeleton_of(&dir)
                .unwrap_err()
                .contains("not a regular package")
        );
    }
}
