//! Generates the fast, small, non-root build for a Python project: a two-stage
//! `Dockerfile` (builder venv at `/opt/venv`, manifests first, BuildKit cache
//! mounts; production stage with the venv, the code and an unprivileged user), a
//! `.dockerignore`, a `compose.yaml`, and optionally a `docker-build.sh` and a CI
//! job that builds and pushes the image with its cache.
//!
//! Generation is a pure function of a [`BuildPlan`]; [`plan_for`] derives the plan
//! from what `layerwise-python` detected, and [`write_files`] puts the result on
//! disk without ever leaving a half-written or silently overwritten file.

mod ci;
mod compose;
mod dockerfile;
mod dockerignore;
mod from_project;
pub mod plan;
mod script;
pub mod tools;
mod write;

pub use ci::{Ci, Registry, build_command as ci_build_command};
pub use from_project::{Overrides, PLACEHOLDER_COMMAND, PlanError, plan_for, plan_or_placeholder};
pub use plan::{
    BuildPlan, CompanionService, Frontend, Installer, PrivateIndex, ProjectInRequirements, UvSource,
};
pub use write::{WriteError, write_files};

/// One file `init` produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the project root.
    pub path: &'static str,
    pub contents: String,
    /// Whether the file should be executable.
    pub executable: bool,
}

/// Options that change which files are produced.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Also produce `docker-build.sh`.
    pub with_script: bool,
    /// The image's repository in the team's registry (`host/team/app`): the
    /// compose file tags the image there and imports its inline cache.
    pub registry: Option<Registry>,
    /// Also produce a CI job that builds and pushes to `registry`.
    pub ci: Option<Ci>,
}

/// Renders every file for `plan`, Dockerfile first.
pub fn generate(plan: &BuildPlan, options: Options) -> Vec<GeneratedFile> {
    let mut files = vec![
        GeneratedFile {
            path: "Dockerfile",
            contents: dockerfile::render(plan),
            executable: false,
        },
        GeneratedFile {
            path: ".dockerignore",
            contents: dockerignore::render(&plan.local_paths),
            executable: false,
        },
        GeneratedFile {
            path: "compose.yaml",
            contents: compose::render(
                plan,
                options.registry.as_ref().map(|r| r.repository.as_str()),
            ),
            executable: false,
        },
    ];
    if options.with_script {
        files.push(GeneratedFile {
            path: "docker-build.sh",
            contents: script::render(plan),
            executable: true,
        });
    }
    if let (Some(ci), Some(registry)) = (options.ci, &options.registry) {
        files.push(GeneratedFile {
            path: ci.path(),
            contents: ci::render(ci, registry),
            executable: false,
        });
    }
    files
}
