//! The build plan: every choice the generator makes, decided before any text is
//! written. Detection fills it from the project; tests can build one by hand.

use layerwise_python::ProjectSkeleton;
use serde::Serialize;

/// How the project's dependencies are declared and installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Installer {
    /// `requirements*.txt`, installed with pip.
    Requirements,
    /// `uv.lock`, installed with `uv sync --frozen`.
    Uv,
    /// `poetry.lock`, exported to pinned requirements and installed with pip.
    Poetry,
    /// `Pipfile.lock`, exported to pinned requirements and installed with pip.
    Pipenv,
    /// `pdm.lock`, exported to pinned requirements and installed with pip.
    Pdm,
    /// PEP 621 `[project.dependencies]` without a lock file.
    Pyproject,
    /// `setup.py`/`setup.cfg` only: dependencies are known only by building the project.
    SetupPy,
}

impl Installer {
    pub fn describe(self) -> &'static str {
        match self {
            Installer::Requirements => "requirements files",
            Installer::Uv => "uv (uv.lock)",
            Installer::Poetry => "Poetry (poetry.lock)",
            Installer::Pipenv => "Pipenv (Pipfile.lock)",
            Installer::Pdm => "PDM (pdm.lock)",
            Installer::Pyproject => "pyproject.toml dependencies",
            Installer::SetupPy => "setup.py",
        }
    }
}

/// What installs packages into the venv when the manager itself does not
/// (requirements files, exported lock files, the project).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Frontend {
    /// `uv pip install`: uv keeps the wheels it fetched in its cache mount by
    /// file name and hash, so a dependency edit downloads only what is new even
    /// when the index's answers are not cacheable, and it installs in parallel.
    #[default]
    Uv,
    /// `pip install`, with pip's cache mount.
    Pip,
}

/// Where the builder gets uv from, when uv installs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UvSource {
    /// `COPY --from=<image> /uv /uvx /bin/`: uv's published image (or a
    /// mirror of it) holds the static binary; nothing is downloaded and
    /// installed on a cold build but what the image's layer holds.
    Image(String),
    /// `pip install uv==<version>`, for builders that cannot reach the
    /// image's registry.
    Index,
}

impl Default for UvSource {
    fn default() -> Self {
        UvSource::Image(crate::tools::uv_image())
    }
}

/// A credentialed package index the install step must reach. Credentials reach the
/// build only through a BuildKit secret mounted as `~/.netrc`, which pip, uv,
/// Poetry, Pipenv and PDM all read; they never appear in ARG or ENV.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrivateIndex {
    /// Where the index was declared, for the summary.
    pub declared_in: String,
}

/// How requirement files name the project itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProjectInRequirements {
    /// The requirement, e.g. `.` or `.[postgres]`.
    pub requirement: String,
    /// Written `-e .`: the venv points at the code in the work dir.
    pub editable: bool,
    /// The requirement files holding such a line, whose copies in the builder
    /// lose it before the dependency install.
    pub files: Vec<String>,
    /// Whether anything but the project is left to install from them.
    pub other_requirements: bool,
}

/// A service the application needs at run time, added to the compose file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum CompanionService {
    Postgres,
    MySql,
    Redis,
}

/// Everything the generated files depend on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BuildPlan {
    /// Project name, used for the image tag and the compose service.
    pub name: String,
    /// Base image for both stages, e.g. `python:3.11-slim`.
    pub base_image: String,
    /// Python minor version in the base image, e.g. `(3, 11)`.
    pub python_version: (u8, u8),
    pub installer: Installer,
    /// Ignored for [`Installer::Uv`], which always installs with `uv sync`.
    pub frontend: Frontend,
    /// Where uv comes from, when it is the manager or the frontend.
    pub uv_source: UvSource,
    /// Files the dependency install needs, relative to the project root, in the
    /// order they should be copied. Nothing else is copied before the install, so
    /// a code edit leaves the install layer cached.
    pub manifests: Vec<String>,
    /// For [`Installer::Requirements`]: the files to pass to `pip install -r`
    /// (the others in `manifests` are reached through their `-r`/`-c` includes).
    pub requirement_roots: Vec<String>,
    /// Local paths the requirement files install from or find wheels in
    /// (`./libs/x`, `--find-links ./wheels`), copied with the manifests.
    pub local_paths: Vec<String>,
    /// When the requirement files list the project itself (`.`, `-e .`,
    /// `.[extra]`): how they name it. Their dependencies install without
    /// that line; the project installs from its own metadata, after.
    pub project_in_requirements: Option<ProjectInRequirements>,
    /// For [`Installer::Pyproject`]: `[project.dependencies]` as written, for a
    /// frontend that cannot read them from `pyproject.toml` itself (pip).
    pub dependencies: Vec<String>,
    /// The project installs from its metadata files before the code is
    /// copied, as the original build did (its distribution then holds no
    /// code; the app runs from the work dir). Set by `fix`'s restructure.
    pub project_before_code: bool,
    /// Whether the project itself is a package to install into the venv (it has a
    /// build backend or a setup.py), rather than an app run from its source tree.
    pub install_project: bool,
    /// When set, the project installs editable from this skeleton before the
    /// code is copied, so a code edit re-runs no install.
    pub skeleton: Option<ProjectSkeleton>,
    /// Debian packages needed only to build wheels (compilers, `-dev` headers).
    pub build_packages: Vec<String>,
    /// Debian packages the installed wheels need at run time.
    pub runtime_packages: Vec<String>,
    /// The start command, exec form.
    pub command: Vec<String>,
    /// The port the app listens on, if it serves HTTP.
    pub port: Option<u16>,
    pub private_index: Option<PrivateIndex>,
    pub services: Vec<CompanionService>,
}

impl BuildPlan {
    /// How dependencies are declared and what installs them, for people.
    pub fn describe_install(&self) -> String {
        let with = match (self.installer, self.frontend) {
            (Installer::Uv, _) => return Installer::Uv.describe().to_string(),
            (_, Frontend::Uv) => "uv pip",
            (_, Frontend::Pip) => "pip",
        };
        format!("{}, installed with {with}", self.installer.describe())
    }
}
