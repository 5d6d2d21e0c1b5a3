//! Derives a [`BuildPlan`] from what `layerwise-python` detected.

use std::path::Path;

use layerwise_python::{PackageManager, PythonProject};

use crate::plan::{
    BuildPlan, CompanionService, Frontend, Installer, PrivateIndex, ProjectInRequirements, UvSource,
};

/// Why a plan could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// No start command was found and none was given.
    NoCommand { hint: String },
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::NoCommand { hint } => write!(f, "no start command found: {hint}"),
        }
    }
}

impl std::error::Error for PlanError {}

/// Choices the user can override on the command line.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub name: Option<String>,
    pub base_image: Option<String>,
    pub command: Option<Vec<String>>,
    pub port: Option<u16>,
    /// What installs packages when the manager does not (default: uv).
    pub frontend: Option<Frontend>,
    /// Where uv comes from (default: its published image).
    pub uv_source: Option<UvSource>,
}

/// The start command written when none was found: the image builds (so
/// `bench --init` can time it), and starting it fails saying what to do.
pub const PLACEHOLDER_COMMAND: [&str; 3] = [
    "python",
    "-c",
    "raise SystemExit('layerwise init found no start command: replace this CMD, or run init with --command')",
];

/// Like [`plan_for`], but a project without a start command still gets a
/// plan, with [`PLACEHOLDER_COMMAND`], and the warning to show for it.
pub fn plan_or_placeholder(
    dir: &Path,
    project: &PythonProject,
    overrides: &Overrides,
) -> Result<(BuildPlan, Option<String>), PlanError> {
    match plan_for(dir, project, overrides) {
        Err(PlanError::NoCommand { hint }) => {
            let placeholder = Overrides {
                command: Some(PLACEHOLDER_COMMAND.map(String::from).to_vec()),
                ..overrides.clone()
            };
            let plan = plan_for(dir, project, &placeholder)?;
            let warning = format!(
                "no start command found, so the Dockerfile's CMD is a placeholder that fails \
                 at start; replace it ({hint})"
            );
            Ok((plan, Some(warning)))
        }
        other => other.map(|plan| (plan, None)),
    }
}

/// Builds the plan for the project detected in `dir`.
pub fn plan_for(
    dir: &Path,
    project: &PythonProject,
    overrides: &Overrides,
) -> Result<BuildPlan, PlanError> {
    let installer = installer_of(project);
    let command = match (&overrides.command, &project.app) {
        (Some(command), _) => command.clone(),
        (None, Some(app)) if !app.command.is_empty() => app.command.clone(),
        _ => {
            return Err(PlanError::NoCommand {
                hint: "add a Procfile `web:` line, a `[project.scripts]` entry or an app module, or pass --command".to_string(),
            });
        }
    };
    let port = overrides.port.or(project.app.as_ref().and_then(|a| a.port));
    let mut build_packages = Vec::new();
    let mut runtime_packages = Vec::new();
    for native in &project.native {
        push_unique(&mut build_packages, &native.build_packages);
        push_unique(&mut runtime_packages, &native.runtime_packages);
    }
    let requirement_roots = project.requirements_file.iter().cloned().collect();
    let (local_paths, project_in_requirements) = local_entries(dir, project);
    let mut skeleton = project.skeleton.clone().ok();
    if project_in_requirements.is_some()
        && let Some(skeleton) = skeleton.as_mut()
    {
        // Reached through a requirement file, the project's own metadata is
        // not among the manifests; its editable install needs it.
        skeleton.files.insert(0, "pyproject.toml".to_string());
    }
    let names = project.package_names();
    let mut services = Vec::new();
    if ["psycopg2", "psycopg2-binary", "psycopg", "asyncpg"]
        .iter()
        .any(|p| names.contains(*p))
    {
        services.push(CompanionService::Postgres);
    }
    if ["mysqlclient", "pymysql", "aiomysql"]
        .iter()
        .any(|p| names.contains(*p))
    {
        services.push(CompanionService::MySql);
    }
    if ["redis", "celery", "rq"].iter().any(|p| names.contains(*p)) {
        services.push(CompanionService::Redis);
    }
    let private_index = project
        .indexes
        .iter()
        .find(|index| index.embedded_credentials || index.env_credentials)
        .map(|index| PrivateIndex {
            declared_in: index.declared_in.clone(),
        });
    Ok(BuildPlan {
        name: overrides.name.clone().unwrap_or_else(|| project_name(dir)),
        base_image: overrides
            .base_image
            .clone()
            .unwrap_or_else(|| project.python.image.clone()),
        python_version: parse_minor(&project.python.version),
        installer,
        frontend: overrides.frontend.unwrap_or_default(),
        uv_source: overrides.uv_source.clone().unwrap_or_default(),
        manifests: project.manifests.clone(),
        requirement_roots,
        local_paths,
        project_in_requirements,
        dependencies: match installer {
            Installer::Pyproject => project
                .dependencies
                .iter()
                .map(|d| d.requirement.clone())
                .collect(),
            _ => Vec::new(),
        },
        project_before_code: false,
        install_project: project.install_project,
        skeleton,
        build_packages,
        runtime_packages,
        command,
        port,
        private_index,
        services,
    })
}

/// The local paths to copy before the install, and how the requirement files
/// name the project itself, if they do.
fn local_entries(
    dir: &Path,
    project: &PythonProject,
) -> (Vec<String>, Option<ProjectInRequirements>) {
    let mut paths: Vec<String> = Vec::new();
    let mut itself: Option<ProjectInRequirements> = None;
    for entry in &project.local_entries {
        if entry.project_itself {
            let found = itself.get_or_insert_with(|| ProjectInRequirements {
                requirement: project_requirement(&entry.written),
                editable: entry.written.starts_with("-e "),
                files: Vec::new(),
                other_requirements: false,
            });
            if !found.files.contains(&entry.source.path) {
                found.files.push(entry.source.path.clone());
            }
        } else if !entry.path.starts_with("../")
            && dir.join(&entry.path).exists()
            && !paths.contains(&entry.path)
        {
            paths.push(entry.path.clone());
        }
    }
    if let Some(itself) = itself.as_mut()
        && let Some(file) = &project.requirements_file
        && let Ok(set) = layerwise_python::parse_requirements(dir, Path::new(file))
    {
        itself.other_requirements = set
            .requirements
            .iter()
            .any(|l| !l.constraint && !l.is_project_itself());
    }
    (paths, itself)
}

/// `.`, `.[extra]` from `-e .[extra]` or `file:.`.
fn project_requirement(written: &str) -> String {
    let requirement = written
        .trim_start_matches("-e ")
        .trim_start_matches("file:")
        .trim_start_matches("./");
    match requirement.find('[') {
        Some(at) => format!(".{}", &requirement[at..]),
        None => ".".to_string(),
    }
}

fn installer_of(project: &PythonProject) -> Installer {
    match project.manager {
        PackageManager::Uv => Installer::Uv,
        PackageManager::Poetry => Installer::Poetry,
        PackageManager::Pdm => Installer::Pdm,
        PackageManager::Pipenv => Installer::Pipenv,
        PackageManager::Pip if project.requirements_file.is_some() => Installer::Requirements,
        PackageManager::Pip if project.manifests.iter().any(|m| m == "pyproject.toml") => {
            Installer::Pyproject
        }
        PackageManager::Pip => Installer::SetupPy,
    }
}

fn push_unique(into: &mut Vec<String>, packages: &[String]) {
    for package in packages {
        if !into.contains(package) {
            into.push(package.clone());
        }
    }
}

fn parse_minor(version: &str) -> (u8, u8) {
    let mut parts = version.split('.').map(|p| p.parse::<u8>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(major), Some(minor)) => (major, minor),
        _ => (3, 12),
    }
}

/// The directory's name, made safe for an image tag.
fn project_name(dir: &Path) -> String {
    let raw = dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let name = name
        .trim_matches(|c| c == '-' || c == '.' || c == '_')
        .to_string();
    if name.is_empty() {
        "app".to_string()
    } else {
        name
    }
}
