//! `layerwise init [DIR]`: detect the project and write the optimized build.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use layerwise_init::{Ci, GeneratedFile, Options, Overrides, Registry, WriteError};
use layerwise_python::PythonProject;

use crate::commands::installer::InstallerArgs;
use crate::exit;

#[derive(Args)]
pub struct InitArgs {
    /// The project directory.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Overwrite existing Dockerfile, .dockerignore, compose.yaml (and docker-build.sh).
    #[arg(long)]
    force: bool,
    /// Print the files instead of writing them.
    #[arg(long)]
    stdout: bool,
    /// Also write docker-build.sh, for building without layerwise installed.
    #[arg(long)]
    with_script: bool,
    /// Image and compose service name (default: the directory's name).
    #[arg(long)]
    name: Option<String>,
    /// Base image for both stages (default: python:<detected version>-slim).
    #[arg(long)]
    base_image: Option<String>,
    /// Start command, as a shell-like line split on whitespace (default: detected).
    #[arg(long)]
    command: Option<String>,
    /// Port the app listens on (default: detected).
    #[arg(long)]
    port: Option<u16>,
    #[command(flatten)]
    installer: InstallerArgs,
    /// The image's repository in your team's registry (`host/team/app`, no
    /// tag): compose.yaml names the image there and imports its inline build
    /// cache (`cache_from`), so a build CI pushed seeds everyone's.
    #[arg(long, value_name = "REPOSITORY")]
    registry: Option<String>,
    /// Also write a CI job that builds on every push to the main branch and
    /// pushes the image with its cache to `--registry`:
    /// `.github/workflows/image.yml` or `.gitlab-ci.yml`.
    #[arg(long, value_name = "SYSTEM", requires = "registry")]
    ci: Option<CiSystem>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum CiSystem {
    Github,
    Gitlab,
}

pub fn run(args: InitArgs) -> anyhow::Result<u8> {
    let project = match layerwise_python::detect(&args.dir) {
        Ok(project) => project,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(exit::INPUT_ERROR);
        }
    };
    let overrides = Overrides {
        name: args.name,
        base_image: args.base_image,
        command: args
            .command
            .map(|c| c.split_whitespace().map(String::from).collect()),
        port: args.port,
        frontend: Some(args.installer.frontend()),
        uv_source: args.installer.uv_source(),
    };
    let (mut plan, placeholder) =
        match layerwise_init::plan_or_placeholder(&args.dir, &project, &overrides) {
            Ok(planned) => planned,
            Err(err) => {
                eprintln!("error: {}: {err}", args.dir.display());
                return Ok(exit::INPUT_ERROR);
            }
        };
    // Replacing a Dockerfile: its Python version stands when the project
    // declares none (the default would silently change it).
    let mut notes = Vec::new();
    if project.python.source.is_none()
        && overrides.base_image.is_none()
        && let Some((image, minor, line)) = existing_python(&args.dir)
    {
        plan.base_image = format!("python:3.{minor}-slim");
        plan.python_version = (3, minor);
        notes.push(format!(
            "python:   3.{minor} → {} (from the existing Dockerfile's FROM {image}, line {line})",
            plan.base_image
        ));
    }
    let registry = match args.registry.as_deref().map(registry) {
        None => None,
        Some(Ok(registry)) => Some(registry),
        Some(Err(message)) => {
            eprintln!("error: --registry {message}");
            return Ok(exit::INPUT_ERROR);
        }
    };
    let mut files = layerwise_init::generate(
        &plan,
        Options {
            with_script: args.with_script,
            registry,
            ci: args.ci.map(|ci| match ci {
                CiSystem::Github => Ci::GitHub,
                CiSystem::Gitlab => Ci::GitLab,
            }),
        },
    );
    // The same report and warnings in both modes, once, on stderr.
    eprint!("{}", summary(&project));
    for note in &notes {
        eprintln!("{note}");
    }
    if let Some(warning) = &placeholder {
        eprintln!("warning:  {warning}");
    }
    if args.stdout {
        print_files(&files);
        return Ok(exit::SUCCESS);
    }
    // An existing compose file may hold services and healthchecks init does
    // not know: never replace it, say so.
    if args.force {
        files.retain(|file| {
            let path = args.dir.join(file.path);
            let keep = file.path != "compose.yaml"
                || !path.exists()
                || std::fs::read_to_string(&path).is_ok_and(|text| text == file.contents);
            if !keep {
                eprintln!(
                    "kept     {} (it may define services init does not know); compare with \
                     `layerwise init --stdout` and merge by hand",
                    path.display()
                );
            }
            keep
        });
    }
    match layerwise_init::write_files(&args.dir, &files, args.force) {
        Ok(written) => {
            for path in written {
                eprintln!("wrote {}", path.display());
            }
            Ok(exit::SUCCESS)
        }
        Err(err @ WriteError::WouldOverwrite(_)) => {
            eprintln!("error: {err}");
            Ok(exit::INPUT_ERROR)
        }
        Err(err) => Err(err).context("writing the generated files"),
    }
}

/// `--registry host/team/app`: a repository without tag or digest.
fn registry(repository: &str) -> Result<Registry, String> {
    let repository = repository.trim_end_matches('/');
    let last = repository.rsplit('/').next().unwrap_or(repository);
    if repository.is_empty() || last.contains(':') || repository.contains('@') {
        return Err(format!(
            "{repository}: name the repository without a tag or digest (e.g. ghcr.io/acme/shop)"
        ));
    }
    Ok(Registry {
        repository: repository.to_string(),
        host: layerwise_engine::system::registry_host(repository).to_string(),
    })
}

/// The Python minor version of the existing Dockerfile's last `FROM python:3.X…`,
/// with the image as written and its line.
fn existing_python(dir: &std::path::Path) -> Option<(String, u8, usize)> {
    let source = std::fs::read_to_string(dir.join("Dockerfile")).ok()?;
    let file = layerwise_syntax::parse(&source);
    let from = file
        .instructions()
        .filter(|i| i.kind == layerwise_syntax::InstructionKind::From)
        .last()?;
    let layerwise_syntax::Arguments::Words(words) = &from.arguments else {
        return None;
    };
    let image = words.first()?.value.as_str();
    let tag = layerwise_python::official_python_tag(image)?;
    let minor = layerwise_python::minor_from_pin(tag)?;
    Some((
        image.to_string(),
        u8::try_from(minor).ok()?,
        file.position(from.span.start).line,
    ))
}

fn print_files(files: &[GeneratedFile]) {
    for (i, file) in files.iter().enumerate() {
        if files.len() > 1 {
            if i > 0 {
                println!();
            }
            println!("# ---- {} ----", file.path);
        }
        print!("{}", file.contents);
    }
}

/// What was detected and from where, so the user can check the choices.
fn summary(project: &PythonProject) -> String {
    let mut out = String::new();
    let manifests = project.manifests.join(", ");
    out.push_str(&format!(
        "manager:  {} (from {}); install inputs: {manifests}\n",
        project.manager, project.manager_source
    ));
    let python_from = project
        .python
        .source
        .as_ref()
        .map_or_else(|| "default".to_string(), |s| s.to_string());
    out.push_str(&format!(
        "python:   {} → {} (from {python_from})\n",
        project.python.version, project.python.image
    ));
    if project.install_project {
        out.push_str(&match &project.skeleton {
            Ok(skeleton) => format!(
                "project:  installed editable before the code is copied, from stand-ins for {}\n",
                skeleton.packages.join(", ")
            ),
            Err(why) => {
                format!("project:  installed from the full source after `COPY . .`: {why}\n")
            }
        });
    }
    if let Some(app) = &project.app {
        out.push_str(&format!(
            "command:  {} (from {})\n",
            app.command.join(" "),
            app.source
        ));
        if let (Some(server), false) = (&app.server, app.server_declared) {
            out.push_str(&format!(
                "warning:  the command runs {server}, which is not among the dependencies: add it\n"
            ));
        }
    }
    for native in &project.native {
        out.push_str(&format!(
            "native:   {} builds with [{}], runs with [{}] ({})\n",
            native.package,
            native.build_packages.join(" "),
            native.runtime_packages.join(" "),
            native.why
        ));
    }
    for index in &project.indexes {
        out.push_str(&format!(
            "index:    {} ({})\n",
            layerwise_python::redact_url(&index.url),
            index.advice
        ));
    }
    for warning in &project.warnings {
        out.push_str(&format!("warning:  {}\n", warning.message));
    }
    out
}
