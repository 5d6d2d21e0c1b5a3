//! Python project detection for layerwise.
//!
//! [`detect`] reads a project directory and reports how it is installed and
//! started: package manager, the manifest files an install step needs (the
//! files to `COPY` before installing), declared dependencies, whether the
//! project itself is installed, the Python image, the start command, Debian
//! packages that native dependencies need, and private package indexes.
//! Every fact carries its [`Source`] (file and line) so `init` can explain it.

mod app;
mod code_file;
mod error;
mod index;
mod manifest;
mod native;
mod pep508;
mod python_version;
pub mod requirements;
mod skeleton;
mod source;
pub mod text;

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use serde::Serialize;
use toml_edit::Item;

pub use app::{App, AppKind, Framework};
pub use code_file::code_file;
pub use error::DetectError;
pub use index::{PackageIndex, redact_url};
pub use manifest::{Dependency, LockedPackage};
pub use native::{BuildCondition, NATIVE_RULES, NativeDependency, NativeRule};
pub use python_version::{
    DEFAULT_MINOR, KNOWN_MINORS, PythonVersion, minor_from_pin, official_python_tag,
};
pub use requirements::{
    LocalEntry, RequirementsSet, group_by_directory, normalize_name, parse_requirements,
};
pub use skeleton::ProjectSkeleton;
pub use source::Source;

use manifest::{RawIndex, TomlFile, pipfile_lock_packages, read_optional};
use python_version::{highest_allowed_pep440, highest_allowed_poetry};
use requirements::IndexOptionKind;

/// The tool that installs the project's dependencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageManager {
    /// pip, from requirements files, `pyproject.toml` or `setup.py`.
    Pip,
    /// uv, with `uv.lock`.
    Uv,
    /// Poetry, with `poetry.lock`.
    Poetry,
    /// PDM, with `pdm.lock`.
    Pdm,
    /// Pipenv, with `Pipfile` and `Pipfile.lock`.
    Pipenv,
}

impl fmt::Display for PackageManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PackageManager::Pip => "pip",
            PackageManager::Uv => "uv",
            PackageManager::Poetry => "Poetry",
            PackageManager::Pdm => "PDM",
            PackageManager::Pipenv => "Pipenv",
        })
    }
}

/// Something worth telling the user that does not stop detection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// What was noticed.
    pub message: String,
    /// Where, when it is tied to a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// Everything detected about a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PythonProject {
    /// The package manager.
    pub manager: PackageManager,
    /// The file that decided the manager.
    pub manager_source: Source,
    /// Files the dependency install step reads, in order: copy exactly these
    /// before installing so code edits do not invalidate the install layer.
    pub manifests: Vec<String>,
    /// For pip with requirements files: the top file, for `pip install -r`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirements_file: Option<String>,
    /// Local paths the requirements files point at (`./libs/x`, `-e .`,
    /// `--find-links ./wheels`): the install needs them too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub local_entries: Vec<LocalEntry>,
    /// Declared (direct) runtime dependencies.
    pub dependencies: Vec<Dependency>,
    /// Packages pinned by the lock file, when there is one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locked: Vec<LockedPackage>,
    /// The project itself must be installed (it is a package with a build
    /// backend), not only its dependencies.
    pub install_project: bool,
    /// Why `install_project` is true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub install_project_source: Option<Source>,
    /// `build-system.build-backend`, when declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_backend: Option<String>,
    /// The code lives under `src/`.
    pub src_layout: bool,
    /// When the project is installed: what installs it editable before the
    /// code is copied, or why that is not possible (see [`ProjectSkeleton`]).
    pub skeleton: Result<ProjectSkeleton, String>,
    /// Python version and base image.
    pub python: PythonVersion,
    /// The application and its start command, when one was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<App>,
    /// Debian packages needed by native dependencies.
    pub native: Vec<NativeDependency>,
    /// Package indexes other than the default one.
    pub indexes: Vec<PackageIndex>,
    /// Things worth knowing.
    pub warnings: Vec<Warning>,
}

impl PythonProject {
    /// Names of all declared and locked packages (normalised).
    pub fn package_names(&self) -> BTreeSet<String> {
        self.dependencies
            .iter()
            .map(|d| d.name.clone())
            .chain(self.locked.iter().map(|p| p.name.clone()))
            .collect()
    }
}

/// Lock files and the manager each belongs to, in precedence order.
const LOCK_FILES: [(&str, PackageManager, &str); 4] = [
    ("uv.lock", PackageManager::Uv, "pyproject.toml"),
    ("poetry.lock", PackageManager::Poetry, "pyproject.toml"),
    ("pdm.lock", PackageManager::Pdm, "pyproject.toml"),
    ("Pipfile.lock", PackageManager::Pipenv, "Pipfile"),
];

/// Requirements files tried, in order, when no other manager is configured.
const REQUIREMENTS_CANDIDATES: [&str; 8] = [
    "requirements.txt",
    "requirements-prod.txt",
    "requirements.prod.txt",
    "requirements-production.txt",
    "requirements/production.txt",
    "requirements/prod.txt",
    "requirements/base.txt",
    "requirements.in",
];

/// The requirements file to install from: a conventional name, else the
/// first `requirements*.txt` at the top level.
fn requirements_file(dir: &Path) -> Option<String> {
    if let Some(file) = REQUIREMENTS_CANDIDATES
        .iter()
        .find(|f| dir.join(f).is_file())
    {
        return Some((*file).to_string());
    }
    let mut others: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("requirements") && n.ends_with(".txt"))
        .collect();
    others.sort();
    others.into_iter().next()
}

/// What one manager-specific reader found.
#[derive(Default)]
struct Found {
    requirements_file: Option<String>,
    local_entries: Vec<LocalEntry>,
    manifests: Vec<String>,
    dependencies: Vec<Dependency>,
    locked: Vec<LockedPackage>,
    install_project: Option<Source>,
    python: Option<(String, Source, ConstraintSyntax)>,
    scripts: Vec<(String, String, Source)>,
    indexes: Vec<RawIndex>,
    no_binary: Vec<String>,
    warnings: Vec<Warning>,
}

#[derive(Clone, Copy)]
enum ConstraintSyntax {
    Pep440,
    Poetry,
    Pin,
}

/// Detects the Python project in `dir`.
pub fn detect(dir: &Path) -> Result<PythonProject, DetectError> {
    if !dir.exists() {
        return Err(DetectError::Missing {
            path: dir.to_path_buf(),
        });
    }
    if !dir.is_dir() {
        return Err(DetectError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    let locks: Vec<_> = LOCK_FILES
        .iter()
        .filter(|(name, ..)| dir.join(name).is_file())
        .collect();
    if let [first, second, ..] = locks.as_slice() {
        return Err(DetectError::ConflictingLocks {
            first: first.0.to_string(),
            first_manager: first.1.to_string(),
            second: second.0.to_string(),
            second_manager: second.1.to_string(),
        });
    }
    let pyproject = TomlFile::read(dir, "pyproject.toml")?;
    let has_pipfile = dir.join("Pipfile").is_file();

    let (manager, manager_source) = if let Some((lock, manager, manifest)) = locks.first() {
        let present = match manifest {
            &"Pipfile" => has_pipfile,
            _ => pyproject.is_some(),
        };
        if !present {
            return Err(DetectError::MissingManifest {
                lock: lock.to_string(),
                manifest: manifest.to_string(),
            });
        }
        (*manager, Source::file(*lock))
    } else if has_pipfile {
        (PackageManager::Pipenv, Source::file("Pipfile"))
    } else if let Some(tool) = pyproject.as_ref().and_then(tool_section) {
        tool
    } else if let Some(file) = requirements_file(dir) {
        (PackageManager::Pip, Source::file(file))
    } else if pyproject
        .as_ref()
        .is_some_and(|p| p.get(&["project"]).is_some())
    {
        (PackageManager::Pip, Source::file("pyproject.toml"))
    } else if let Some(file) = ["setup.py", "setup.cfg"]
        .iter()
        .find(|f| dir.join(f).is_file())
    {
        (PackageManager::Pip, Source::file(*file))
    } else {
        return Err(DetectError::NoManifest {
            dir: dir.to_path_buf(),
        });
    };

    let mut found = match manager {
        PackageManager::Pip => read_pip(dir, pyproject.as_ref(), &manager_source.path)?,
        PackageManager::Uv | PackageManager::Pdm | PackageManager::Poetry => {
            // Checked above: these managers always come with a pyproject.toml
            // here, either through their lock file or their tool section.
            let Some(pyproject) = pyproject.as_ref() else {
                return Err(DetectError::MissingManifest {
                    lock: manager_source.path.clone(),
                    manifest: "pyproject.toml".to_string(),
                });
            };
            read_pyproject_manager(dir, pyproject, manager)?
        }
        PackageManager::Pipenv => read_pipenv(dir)?,
    };

    let python = python_version(dir, &found)?;
    let src_layout = is_src_layout(dir);
    let build_backend = pyproject
        .as_ref()
        .and_then(|p| p.string(&["build-system", "build-backend"]))
        .map(|(b, _)| b);

    let skeleton = match (&found.install_project, &pyproject) {
        (None, _) => Err("the project is not installed as a package".to_string()),
        (Some(_), None) => Err("the project has no pyproject.toml".to_string()),
        (Some(_), Some(pyproject)) => skeleton::skeleton(dir, pyproject),
    };

    let mut packages: BTreeSet<String> = found
        .dependencies
        .iter()
        .map(|d| d.name.clone())
        .chain(found.locked.iter().map(|p| p.name.clone()))
        .collect();
    // Extras that pull in a server count as declaring it.
    if found
        .dependencies
        .iter()
        .any(|d| d.name == "fastapi" && d.extras.iter().any(|e| e == "standard" || e == "all"))
    {
        packages.insert("uvicorn".to_string());
    }
    let app = app::detect_app(&app::AppContext {
        root: dir,
        packages: &packages,
        scripts: &found.scripts,
        installed: found.install_project.is_some(),
    })?;
    if let Some(app) = app.as_ref().filter(|a| !a.server_declared) {
        let server = app.server.clone().unwrap_or_default();
        found.warnings.push(Warning {
            message: format!(
                "the start command runs {server}, which is not among the dependencies; add it"
            ),
            source: Some(app.source.clone()),
        });
    }

    let native = native_dependencies(&found);
    let indexes = index::classify(std::mem::take(&mut found.indexes), manager);
    let mut warnings = found.warnings;
    warnings.extend(python.1);
    Ok(PythonProject {
        manager,
        manager_source,
        requirements_file: found.requirements_file,
        local_entries: found.local_entries,
        manifests: found.manifests,
        dependencies: found.dependencies,
        locked: found.locked,
        install_project: found.install_project.is_some(),
        install_project_source: found.install_project,
        build_backend,
        src_layout,
        skeleton,
        python: python.0,
        app,
        native,
        indexes,
        warnings,
    })
}

/// A `[tool.*]` section that names the manager when there is no lock file.
fn tool_section(pyproject: &TomlFile) -> Option<(PackageManager, Source)> {
    [
        ("poetry", PackageManager::Poetry),
        ("pdm", PackageManager::Pdm),
        ("uv", PackageManager::Uv),
    ]
    .into_iter()
    .find_map(|(tool, manager)| {
        let item = pyproject.get(&["tool", tool])?;
        let source = pyproject.source_of(item);
        Some((manager, source))
    })
}

fn push_if_exists(dir: &Path, manifests: &mut Vec<String>, name: &str) {
    if dir.join(name).is_file() && !manifests.iter().any(|m| m == name) {
        manifests.push(name.to_string());
    }
}

fn build_system_source(pyproject: &TomlFile) -> Option<Source> {
    pyproject
        .get(&["build-system"])
        .map(|item| pyproject.source_of(item))
}

fn read_pip(
    dir: &Path,
    pyproject: Option<&TomlFile>,
    decided_by: &str,
) -> Result<Found, DetectError> {
    let mut found = Found::default();
    if decided_by.ends_with(".txt") || decided_by.ends_with(".in") {
        let set = parse_requirements(dir, Path::new(decided_by))?;
        found.requirements_file = Some(decided_by.to_string());
        found.manifests = set.file_paths();
        found.local_entries = set.local_entries(dir);
        for outside in found.manifests.iter().filter(|m| m.starts_with("../")) {
            found.warnings.push(Warning {
                message: format!(
                    "{outside} is outside the project directory, so a build with this directory as context cannot copy it"
                ),
                source: set
                    .files
                    .iter()
                    .find(|f| &f.path == outside)
                    .and_then(|f| f.included_from.clone()),
            });
        }
        for line in &set.requirements {
            if line.is_project_itself() {
                found.install_project = Some(line.source.clone());
                found.warnings.push(Warning {
                    message: "the requirements install the project itself, so the install step needs the source code".to_string(),
                    source: Some(line.source.clone()),
                });
                continue;
            }
            if line.constraint {
                continue;
            }
            if let Some(name) = &line.name {
                found.dependencies.push(Dependency {
                    name: name.clone(),
                    requirement: line.text.clone(),
                    extras: line.extras.clone(),
                    pep508: true,
                    pinned: line
                        .specifier
                        .as_deref()
                        .and_then(|s| s.strip_prefix("=="))
                        .filter(|v| !v.contains(['*', ',']))
                        .map(String::from),
                    source: line.source.clone(),
                });
            }
        }
        for option in &set.indexes {
            if option.kind != IndexOptionKind::FindLinks {
                found.indexes.push(RawIndex {
                    name: None,
                    url: option.url.clone(),
                    source: option.source.clone(),
                    origin: "requirements",
                });
            }
        }
        found.no_binary = set.no_binary.clone();
        found
            .warnings
            .extend(set.warnings.iter().map(|(source, message)| Warning {
                message: message.clone(),
                source: Some(source.clone()),
            }));
        if let Some(pyproject) = pyproject {
            found.python = requires_python(pyproject);
        }
        return Ok(found);
    }
    if decided_by == "pyproject.toml"
        && let Some(pyproject) = pyproject
    {
        found.manifests.push("pyproject.toml".to_string());
        push_if_exists(dir, &mut found.manifests, "setup.cfg");
        push_if_exists(dir, &mut found.manifests, "setup.py");
        found.dependencies = pyproject.pep508_array(&["project", "dependencies"])?;
        found.install_project = Some(
            build_system_source(pyproject)
                .or_else(|| pyproject.get(&["project"]).map(|i| pyproject.source_of(i)))
                .unwrap_or_else(|| Source::file("pyproject.toml")),
        );
        found.python = requires_python(pyproject);
        found.scripts = pyproject.scripts(&["project", "scripts"]);
        return Ok(found);
    }
    // setup.py / setup.cfg
    for name in ["setup.py", "setup.cfg", "pyproject.toml"] {
        push_if_exists(dir, &mut found.manifests, name);
    }
    found.install_project = Some(Source::file(decided_by));
    if let Some(text) = read_optional(dir, "setup.cfg")? {
        found.dependencies = setup_cfg_requires(&text)?;
    }
    if found.dependencies.is_empty() && dir.join("setup.py").is_file() {
        found.warnings.push(Warning {
            message: "dependencies declared in setup.py are only known by running it; they are not listed".to_string(),
            source: Some(Source::file("setup.py")),
        });
    }
    if let Some(pyproject) = pyproject {
        found.python = requires_python(pyproject);
    }
    Ok(found)
}

/// `install_requires` of `[options]` in setup.cfg (an INI file whose
/// multi-line values are indented continuation lines).
fn setup_cfg_requires(text: &str) -> Result<Vec<Dependency>, DetectError> {
    let mut out = Vec::new();
    let mut in_options = false;
    let mut in_value = false;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_options = trimmed == "[options]";
            in_value = false;
            continue;
        }
        let continuation = line.starts_with([' ', '\t']);
        if in_options && !continuation {
            in_value = false;
            if let Some((key, value)) = trimmed.split_once('=')
                && key.trim() == "install_requires"
            {
                in_value = true;
                let value = value.trim();
                if !value.is_empty() {
                    out.extend(setup_cfg_requirement(value, index + 1)?);
                }
            }
            continue;
        }
        if in_value && continuation && !trimmed.is_empty() && !trimmed.starts_with('#') {
            out.extend(setup_cfg_requirement(trimmed, index + 1)?);
        }
    }
    Ok(out)
}

fn setup_cfg_requirement(text: &str, line: usize) -> Result<Option<Dependency>, DetectError> {
    let parsed = pep508::parse(text).map_err(|err| {
        DetectError::parse(
            "setup.cfg",
            line,
            // Continuation lines are indented; the column counts from the text.
            1 + err.offset,
            format!("invalid requirement `{text}`: {}", err.message),
        )
    })?;
    Ok(Some(Dependency {
        name: parsed.name.to_string(),
        requirement: text.to_string(),
        extras: parsed.extras.iter().map(ToString::to_string).collect(),
        pinned: None,
        pep508: true,
        source: Source::line("setup.cfg", line),
    }))
}

fn requires_python(pyproject: &TomlFile) -> Option<(String, Source, ConstraintSyntax)> {
    pyproject
        .string(&["project", "requires-python"])
        .map(|(v, s)| (v, s, ConstraintSyntax::Pep440))
}

fn read_pyproject_manager(
    dir: &Path,
    pyproject: &TomlFile,
    manager: PackageManager,
) -> Result<Found, DetectError> {
    let mut found = Found {
        manifests: vec!["pyproject.toml".to_string()],
        ..Found::default()
    };
    found.dependencies = pyproject.pep508_array(&["project", "dependencies"])?;
    found.scripts = pyproject.scripts(&["project", "scripts"]);
    found.python = requires_python(pyproject);
    let build_system = build_system_source(pyproject);
    match manager {
        PackageManager::Uv => {
            push_if_exists(dir, &mut found.manifests, "uv.lock");
            if let Some(lock) = TomlFile::read(dir, "uv.lock")? {
                found.locked = lock.lock_packages(true)?;
            }
            found.install_project = match pyproject.bool(&["tool", "uv", "package"]) {
                Some(false) => None,
                Some(true) => pyproject
                    .get(&["tool", "uv", "package"])
                    .map(|i| pyproject.source_of(i)),
                None => build_system,
            };
            found.indexes = pyproject.indexes(&["tool", "uv", "index"], "tool.uv.index");
            for key in ["index-url", "extra-index-url"] {
                if let Some((url, source)) = pyproject.string(&["tool", "uv", key]) {
                    found.indexes.push(RawIndex {
                        name: None,
                        url,
                        source,
                        origin: "tool.uv",
                    });
                }
            }
            if pyproject.get(&["tool", "uv", "workspace"]).is_some() {
                found.warnings.push(Warning {
                    message: "uv workspace: the members' pyproject.toml files are needed by the install step too".to_string(),
                    source: pyproject.get(&["tool", "uv", "workspace"]).map(|i| pyproject.source_of(i)),
                });
            }
        }
        PackageManager::Pdm => {
            push_if_exists(dir, &mut found.manifests, "pdm.lock");
            if let Some(lock) = TomlFile::read(dir, "pdm.lock")? {
                found.locked = lock.lock_packages(false)?;
            }
            found.install_project = match pyproject.bool(&["tool", "pdm", "distribution"]) {
                Some(false) => None,
                Some(true) => pyproject
                    .get(&["tool", "pdm", "distribution"])
                    .map(|i| pyproject.source_of(i)),
                None => build_system,
            };
            found.indexes = pyproject.indexes(&["tool", "pdm", "source"], "tool.pdm.source");
        }
        PackageManager::Poetry => {
            push_if_exists(dir, &mut found.manifests, "poetry.lock");
            if let Some(lock) = TomlFile::read(dir, "poetry.lock")? {
                found.locked = lock.lock_packages(false)?;
            }
            // Poetry 1 declares everything under [tool.poetry]; Poetry 2 uses
            // [project] and may refine it there.
            for dep in pyproject.dependency_table(&["tool", "poetry", "dependencies"])? {
                if !found.dependencies.iter().any(|d| d.name == dep.name) {
                    found.dependencies.push(dep);
                }
            }
            if found.scripts.is_empty() {
                found.scripts = pyproject.scripts(&["tool", "poetry", "scripts"]);
            }
            if found.python.is_none() {
                found.python = pyproject
                    .string(&["tool", "poetry", "dependencies", "python"])
                    .map(|(v, s)| (v, s, ConstraintSyntax::Poetry));
            }
            found.install_project = match pyproject.bool(&["tool", "poetry", "package-mode"]) {
                Some(false) => None,
                _ => build_system,
            };
            found.indexes = pyproject.indexes(&["tool", "poetry", "source"], "tool.poetry.source");
        }
        PackageManager::Pip | PackageManager::Pipenv => {}
    }
    Ok(found)
}

fn read_pipenv(dir: &Path) -> Result<Found, DetectError> {
    let mut found = Found {
        manifests: vec!["Pipfile".to_string()],
        ..Found::default()
    };
    let Some(pipfile) = TomlFile::read(dir, "Pipfile")? else {
        return Err(DetectError::MissingManifest {
            lock: "Pipfile.lock".to_string(),
            manifest: "Pipfile".to_string(),
        });
    };
    if let Some(text) = read_optional(dir, "Pipfile.lock")? {
        found.manifests.push("Pipfile.lock".to_string());
        found.locked = pipfile_lock_packages("Pipfile.lock", &text)?;
    }
    found.dependencies = pipfile.dependency_table(&["packages"])?;
    if let Some(packages) = pipfile.get(&["packages"]).and_then(Item::as_table_like) {
        for (_, value) in packages.iter() {
            let local = value
                .as_table_like()
                .and_then(|t| t.get("path"))
                .and_then(Item::as_str)
                .is_some_and(|p| p.trim_end_matches('/') == ".");
            if local {
                found.install_project = Some(pipfile.source_of(value));
            }
        }
    }
    found
        .dependencies
        .retain(|d| !d.requirement.starts_with("path "));
    found.python = pipfile
        .string(&["requires", "python_full_version"])
        .or_else(|| pipfile.string(&["requires", "python_version"]))
        .map(|(v, s)| (v, s, ConstraintSyntax::Pin));
    found.indexes = pipfile.indexes(&["source"], "Pipfile source");
    Ok(found)
}

/// The Python version: `.python-version`, then `runtime.txt`, then what the
/// manager's manifest says, then the default.
fn python_version(dir: &Path, found: &Found) -> Result<(PythonVersion, Vec<Warning>), DetectError> {
    let mut warnings = Vec::new();
    for (file, prefix) in [(".python-version", ""), ("runtime.txt", "python-")] {
        let Some(text) = read_optional(dir, file)? else {
            continue;
        };
        let Some((index, line)) = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i, l.trim()))
            .find(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        else {
            continue;
        };
        let source = Source::line(file, index + 1);
        let pin = line.strip_prefix(prefix).unwrap_or(line);
        match minor_from_pin(pin) {
            Some(minor) => {
                if !KNOWN_MINORS.contains(&minor) {
                    warnings.push(Warning {
                        message: format!(
                            "Python 3.{minor} is outside the versions layerwise knows (3.9 to 3.13)"
                        ),
                        source: Some(source.clone()),
                    });
                }
                return Ok((
                    PythonVersion::from_minor(minor, Some(line.to_string()), Some(source)),
                    warnings,
                ));
            }
            None => warnings.push(Warning {
                message: format!("`{line}` is not a CPython 3.x version; ignored"),
                source: Some(source),
            }),
        }
    }
    if let Some((constraint, source, syntax)) = &found.python {
        let minor = match syntax {
            ConstraintSyntax::Pin => minor_from_pin(constraint),
            ConstraintSyntax::Pep440 => highest_allowed_pep440(constraint),
            ConstraintSyntax::Poetry => highest_allowed_poetry(constraint),
        };
        match minor {
            Some(minor) => {
                return Ok((
                    PythonVersion::from_minor(
                        minor,
                        Some(constraint.clone()),
                        Some(source.clone()),
                    ),
                    warnings,
                ));
            }
            None => warnings.push(Warning {
                message: format!(
                    "no Python from 3.9 to 3.13 satisfies `{constraint}`; using the default"
                ),
                source: Some(source.clone()),
            }),
        }
    }
    Ok((PythonVersion::default_version(), warnings))
}

fn is_src_layout(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir.join("src")) else {
        return false;
    };
    entries.filter_map(Result::ok).any(|entry| {
        let path = entry.path();
        path.join("__init__.py").is_file() || path.extension().is_some_and(|e| e == "py")
    })
}

fn native_dependencies(found: &Found) -> Vec<NativeDependency> {
    let mut out: Vec<NativeDependency> = Vec::new();
    let forced = |name: &str| {
        found
            .no_binary
            .iter()
            .any(|n| n == ":all:" || normalize_name(n) == name)
    };
    for dep in &found.dependencies {
        let locked_version = found
            .locked
            .iter()
            .find(|p| p.name == dep.name)
            .map(|p| p.version.as_str());
        let candidate = native::Candidate {
            name: &dep.name,
            extras: &dep.extras,
            version: dep.pinned.as_deref().or(locked_version),
            forced_source: forced(&dep.name),
            source: &dep.source,
        };
        if let Some(native) = native::native_for(&candidate) {
            out.push(native);
        }
    }
    for package in &found.locked {
        if out.iter().any(|n| n.package == package.name)
            || found.dependencies.iter().any(|d| d.name == package.name)
        {
            continue;
        }
        let candidate = native::Candidate {
            name: &package.name,
            extras: &[],
            version: Some(&package.version),
            forced_source: forced(&package.name),
            source: &package.source,
        };
        if let Some(native) = native::native_for(&candidate) {
            out.push(native);
        }
    }
    out
}
