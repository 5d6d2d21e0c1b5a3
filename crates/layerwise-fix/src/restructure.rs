//! The restructure: a single-stage Python image becomes the two-stage layout
//! `layerwise init` generates (builder with a venv at `/opt/venv`, build-only
//! apt packages there; production stage with the venv, run-time libraries,
//! the code and an unprivileged user).
//!
//! The stage is rewritten from what `layerwise-python` detects in the build
//! context and `layerwise-init` renders, keeping the original's base image,
//! work dir, command, ports, ENV and metadata. Anything the layout could not
//! carry over faithfully (a RUN that is not an install, an editable install,
//! a base image without a known Python) is a refusal with the reason, and the
//! file is left alone.

use std::path::Path;

use layerwise_init::{Frontend, Overrides, plan_for};
use layerwise_model::{Manager, Model, Stage, Tool, layer_order};
use layerwise_rules::registry::{self, Category};
use layerwise_rules::{Applicability, Edit, Fix, Settings};
use layerwise_syntax::{Arguments, Dockerfile, Instruction, InstructionKind, Span};

/// Why a file was not restructured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a single-stage Python image with a dependency install: nothing to do.
    NotApplicable,
    /// It would be, but the rewrite could change what the image does.
    Unsafe(String),
}

/// Whether the rule selection asks for multi-stage fixes (any size rule).
pub fn enabled(settings: &Settings) -> bool {
    registry::all().iter().enumerate().any(|(i, r)| {
        r.category == Category::Size && settings.enabled.get(i).copied().unwrap_or(true)
    })
}

/// Packages only needed to build wheels: they stay in the builder.
pub fn is_build_package(name: &str) -> bool {
    let name = name.split(['=', ':']).next().unwrap_or(name);
    matches!(
        name,
        "gcc"
            | "g++"
            | "cc"
            | "clang"
            | "make"
            | "cmake"
            | "build-essential"
            | "pkg-config"
            | "pkgconf"
            | "autoconf"
            | "automake"
            | "libtool"
            | "swig"
            | "ninja-build"
            | "cargo"
            | "rustc"
            | "git"
    ) || name.ends_with("-dev")
        || name.starts_with("gcc-")
        || name.starts_with("g++-")
}

/// Tool packages a Dockerfile installs to run the manager itself.
fn is_tool_package(value: &str) -> bool {
    let name = value
        .split(['=', '<', '>', '~', '!', '['])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        name.as_str(),
        "pip"
            | "setuptools"
            | "wheel"
            | "uv"
            | "poetry"
            | "poetry-plugin-export"
            | "pipenv"
            | "pdm"
            | "virtualenv"
    )
}

/// ENV keys the layout sets itself.
const MANAGED_ENV: &[&str] = &[
    "PYTHONUNBUFFERED",
    "PYTHONDONTWRITEBYTECODE",
    "PIP_NO_CACHE_DIR",
    "PIP_DISABLE_PIP_VERSION_CHECK",
    "UV_LINK_MODE",
    "UV_COMPILE_BYTECODE",
];

/// What the original stage holds that the layout carries over.
#[derive(Default)]
struct Carried {
    apt: Vec<String>,
    env: Vec<String>,
    production: Vec<String>,
    command: Option<Vec<String>>,
    port: Option<u16>,
    workdir: Option<String>,
    managers: Vec<Manager>,
    tools: Vec<Tool>,
    requirement_files: Vec<String>,
    installs_project: bool,
    has_install: bool,
}

/// The restructure of `file`, as one edit from the FROM line to the end.
pub fn restructure(file: &Dockerfile, settings: &Settings, dir: &Path) -> Result<Fix, Refusal> {
    let model = Model::new(file, &settings.model);
    if model.stages.len() != 1 {
        return Err(Refusal::NotApplicable);
    }
    let stage = &model.stages[0];
    let from = model.instructions[stage.from];
    let line = |ins: &Instruction| file.position(ins.span.start).line;
    let mut carried = Carried::default();
    for i in model.body(stage) {
        let ins = model.instructions[i];
        carry(file, &model, i, ins, &mut carried)
            .map_err(|reason| Refusal::Unsafe(format!("line {}: {reason}", line(ins))))?;
    }
    if !carried.has_install {
        return Err(Refusal::NotApplicable);
    }
    let image = stage
        .image
        .as_ref()
        .ok_or_else(|| Refusal::Unsafe("the base image is not known".to_string()))?;
    if !image.is_python() || image.flavor() == "alpine" {
        return Err(Refusal::Unsafe(format!(
            "base image `{}` has no known Python path (the layout needs a Debian-based python image)",
            image.repository
        )));
    }
    let image_text = match &from.arguments {
        Arguments::Words(words) => words
            .iter()
            .find(|w| !w.value.starts_with("--"))
            .map(|w| file.text(w.span).to_string()),
        _ => None,
    }
    .ok_or(Refusal::NotApplicable)?;
    let project = layerwise_python::detect(dir)
        .map_err(|e| Refusal::Unsafe(format!("project not understood: {e}")))?;
    check_manager(&project, &carried).map_err(Refusal::Unsafe)?;
    let overrides = Overrides {
        name: None,
        base_image: Some(image_text),
        command: carried.command.clone(),
        port: carried.port,
        // The rewrite keeps the installer the file uses.
        frontend: Some(if carried.managers.contains(&Manager::Uv) {
            Frontend::Uv
        } else {
            Frontend::Pip
        }),
    };
    let mut plan =
        plan_for(dir, &project, &overrides).map_err(|e| Refusal::Unsafe(e.to_string()))?;
    plan.project_before_code = project_installed_before_code(&model, stage);
    for package in &carried.apt {
        let list = if is_build_package(package) {
            &mut plan.build_packages
        } else {
            &mut plan.runtime_packages
        };
        if !list.contains(package) {
            list.push(package.clone());
        }
    }
    let generated = layerwise_init::generate(&plan, layerwise_init::Options::default());
    let dockerfile = generated
        .iter()
        .find(|g| g.path == "Dockerfile")
        .ok_or(Refusal::NotApplicable)?;
    let text = adapt(&dockerfile.contents, &carried);
    buildable_from(&text, dir).map_err(Refusal::Unsafe)?;
    let nl = if file.source().contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let text = if nl == "\r\n" {
        text.replace('\n', "\r\n")
    } else {
        text
    };
    let mut message = format!(
        "restructure into a builder venv at /opt/venv and a non-root production stage ({})",
        plan.describe_install()
    );
    if !plan.build_packages.is_empty() {
        message.push_str(&format!(
            "; build-only apt packages: {}",
            plan.build_packages.join(" ")
        ));
    }
    if !plan.runtime_packages.is_empty() {
        message.push_str(&format!(
            "; run-time apt packages: {}",
            plan.runtime_packages.join(" ")
        ));
    }
    Ok(Fix::new(
        Applicability::Unsafe,
        message,
        vec![Edit::replace(
            Span::new(from.span.start, file.source().len()),
            text,
        )],
    ))
}

/// Records what one instruction of the stage contributes, or why the
/// layout cannot carry it.
fn carry(
    file: &Dockerfile,
    model: &Model,
    i: usize,
    ins: &Instruction,
    c: &mut Carried,
) -> Result<(), String> {
    let verbatim = || {
        file.text(ins.span)
            .trim_end_matches(['\n', '\r'])
            .to_string()
    };
    match ins.kind {
        InstructionKind::Run => {
            let run = model.run(i).ok_or("RUN not understood")?;
            if !ins.heredocs.is_empty() || run.exec_form {
                return Err("a RUN in exec form or with a heredoc is not carried over".to_string());
            }
            for inv in &run.invocations {
                match inv.tool {
                    Tool::Pip
                    | Tool::Uv
                    | Tool::Poetry
                    | Tool::Pipenv
                    | Tool::Pdm
                    | Tool::AptGet
                    | Tool::Apt => {
                        if !c.tools.contains(&inv.tool) {
                            c.tools.push(inv.tool);
                        }
                    }
                    Tool::Rm
                        if inv.args.iter().all(|w| {
                            w.value.starts_with('-')
                                || w.value.starts_with("/var/lib/apt/lists")
                                || w.value.starts_with("/tmp")
                                || w.value.starts_with("/root/.cache")
                        }) => {}
                    _ => {
                        let program = &inv.program.value;
                        let name = program.rsplit('/').next().unwrap_or(program);
                        if matches!(
                            name,
                            "gcc" | "cc" | "g++" | "make" | "cmake" | "cargo" | "rustc"
                        ) {
                            return Err(format!(
                                "`{name}` runs after the install: the compilers would be missing from the production stage"
                            ));
                        }
                        return Err(format!(
                            "`{name}` in a RUN is not an install step; the restructure would drop it"
                        ));
                    }
                }
            }
            if run.script.commands.len() > run.invocations.len() {
                return Err("a RUN holds commands that are not install steps; the restructure would drop them".to_string());
            }
            for s in &run.system {
                if s.tool == Tool::Apk {
                    return Err("apk packages: the layout installs with apt".to_string());
                }
                c.apt.extend(s.packages.iter().map(|p| p.value.clone()));
            }
            for p in &run.python {
                if let Some(e) = p.editables.first() {
                    return Err(format!(
                        "`pip install -e {}`: an editable install points at sources the production stage does not have at that path",
                        e.value
                    ));
                }
                if p.only_tooling() {
                    continue;
                }
                let local = p
                    .packages
                    .iter()
                    .filter(|w| w.value.starts_with('.') || w.value.starts_with('/'))
                    .count();
                let named = p
                    .packages
                    .iter()
                    .filter(|w| {
                        !(w.value.starts_with('.')
                            || w.value.starts_with('/')
                            || is_tool_package(&w.value))
                    })
                    .count();
                if named > 0 {
                    return Err(
                        "installs packages by name that the project's manifests do not list"
                            .to_string(),
                    );
                }
                if p.packages.iter().all(|w| is_tool_package(&w.value))
                    && p.requirement_files.is_empty()
                    && !p.packages.is_empty()
                {
                    continue;
                }
                c.installs_project |= local > 0;
                c.has_install = true;
                if !c.managers.contains(&p.manager) {
                    c.managers.push(p.manager);
                }
                for f in &p.requirement_files {
                    c.requirement_files
                        .push(f.value.trim_start_matches("./").to_string());
                }
            }
            Ok(())
        }
        InstructionKind::Copy | InstructionKind::Add => {
            let Arguments::Words(words) = &ins.arguments else {
                return Err("COPY in JSON form is not carried over".to_string());
            };
            if !ins.flags.is_empty() {
                return Err("COPY with flags is not carried over".to_string());
            }
            let sources = &words[..words.len().saturating_sub(1)];
            if sources.iter().all(|s| {
                matches!(
                    s.value.trim_end_matches('/'),
                    "." | "" | "*" | "./*" | "./."
                )
            }) {
                return Ok(());
            }
            // Manifests copied ahead are copied by the layout too; anything
            // else may be needed where it was put.
            if sources.iter().all(|s| {
                let n = s.value.trim_start_matches("./");
                n.ends_with(".txt")
                    || n.ends_with(".in")
                    || n.ends_with(".lock")
                    || n.ends_with(".toml")
                    || n == "Pipfile"
                    || n == "setup.py"
                    || n == "setup.cfg"
            }) && ins.kind == InstructionKind::Copy
            {
                return Ok(());
            }
            Err("a COPY of specific paths is not carried over".to_string())
        }
        InstructionKind::Env => {
            let Arguments::KeyValues(pairs) = &ins.arguments else {
                return Ok(());
            };
            if pairs
                .iter()
                .any(|p| p.key.value == "PATH" || p.key.value == "VIRTUAL_ENV")
            {
                return Err(
                    "ENV sets PATH or VIRTUAL_ENV, which the layout sets for /opt/venv".to_string(),
                );
            }
            if pairs
                .iter()
                .all(|p| MANAGED_ENV.contains(&p.key.value.as_str()))
            {
                return Ok(());
            }
            c.env.push(verbatim());
            Ok(())
        }
        InstructionKind::Label
        | InstructionKind::Healthcheck
        | InstructionKind::StopSignal
        | InstructionKind::Volume
        | InstructionKind::Maintainer => {
            c.production.push(verbatim());
            Ok(())
        }
        InstructionKind::Expose => {
            if let Arguments::Words(words) = &ins.arguments {
                let ports: Vec<Option<u16>> = words
                    .iter()
                    .map(|w| w.value.split('/').next().and_then(|p| p.parse().ok()))
                    .collect();
                if ports.len() == 1 && ports[0].is_some() && c.port.is_none() {
                    c.port = ports[0];
                    return Ok(());
                }
            }
            c.production.push(verbatim());
            Ok(())
        }
        InstructionKind::Cmd => {
            c.command = Some(command(ins)?);
            Ok(())
        }
        InstructionKind::Entrypoint => {
            if !ins.is_exec_form() {
                return Err("a shell-form ENTRYPOINT is not carried over".to_string());
            }
            c.production.push(verbatim());
            Ok(())
        }
        InstructionKind::Workdir => {
            let Arguments::Text(t) = &ins.arguments else {
                return Ok(());
            };
            if !t.value.starts_with('/') || t.value.contains('$') {
                return Err("a relative or variable WORKDIR is not carried over".to_string());
            }
            c.workdir = Some(t.value.trim_end_matches('/').to_string()).filter(|w| !w.is_empty());
            Ok(())
        }
        // The layout runs as its own unprivileged user.
        InstructionKind::User => Ok(()),
        other => Err(format!("{} is not carried over", other.keyword())),
    }
}

/// The CMD as an argument vector, with `uv run`/`poetry run`/`pipenv run`/
/// `pdm run` dropped: the venv is on PATH and the managers stay in the builder.
fn command(ins: &Instruction) -> Result<Vec<String>, String> {
    let mut words: Vec<String> = match &ins.arguments {
        Arguments::Exec(e) => e.elements.iter().map(|w| w.value.clone()).collect(),
        Arguments::Text(t) => {
            let text = t.value.trim();
            if text.contains([
                '$', '&', '|', ';', '<', '>', '(', ')', '`', '*', '?', '~', '\'', '"', '\\',
            ]) {
                return Ok(vec![
                    "/bin/sh".to_string(),
                    "-c".to_string(),
                    text.to_string(),
                ]);
            }
            text.split_whitespace().map(String::from).collect()
        }
        _ => return Err("CMD not understood".to_string()),
    };
    if words.len() > 2
        && matches!(words[0].as_str(), "uv" | "poetry" | "pipenv" | "pdm")
        && words[1] == "run"
    {
        let rest: Vec<String> = words.drain(2..).collect();
        let start = rest
            .iter()
            .position(|w| !w.starts_with('-'))
            .ok_or("`run` without a command")?;
        if rest[..start].iter().any(|w| {
            w.contains('=')
                || matches!(
                    w.as_str(),
                    "--with"
                        | "--python"
                        | "-p"
                        | "--env-file"
                        | "--group"
                        | "--extra"
                        | "--package"
                        | "--directory"
                )
        }) {
            return Err(format!(
                "`{} run` with options that take values is not carried over",
                words[0]
            ));
        }
        words = rest[start..].to_vec();
    }
    if words.is_empty() {
        return Err("empty CMD".to_string());
    }
    Ok(words)
}

/// Whether the rewritten file can build from the context in `dir`: every
/// file it copies from the context exists there and is not ignored, and every
/// requirement file installed has its includes and local paths copied before
/// (LW114 finds nothing). A restructure that cannot show this is not made,
/// whether or not `--verify` would build it.
fn buildable_from(text: &str, dir: &Path) -> Result<(), String> {
    let project = layerwise_rules::Project::load(dir);
    let file = layerwise_syntax::parse(text);
    for ins in file.instructions() {
        if !matches!(ins.kind, InstructionKind::Copy | InstructionKind::Add)
            || ins.flags.iter().any(|f| f.name.value == "from")
        {
            continue;
        }
        let Arguments::Words(words) = &ins.arguments else {
            continue;
        };
        for source in &words[..words.len().saturating_sub(1)] {
            let path = source.value.trim_start_matches("./").trim_end_matches('/');
            if layer_order::is_whole_context_source(&source.value)
                || path.contains(['*', '?', '[', '$'])
            {
                continue;
            }
            let ignored = project
                .dockerignore
                .as_ref()
                .is_some_and(|i| i.is_excluded(path));
            if !dir.join(path).exists() || ignored {
                return Err(format!(
                    "the rewrite would copy `{path}`, which the build context does not send"
                ));
            }
        }
    }
    let mut settings = Settings::default();
    settings
        .select(&["LW114".to_string()], &[])
        .map_err(|e| e.to_string())?;
    let (_, findings) = layerwise_rules::check_source(text, &settings, Some(&project));
    match findings.first() {
        Some(finding) => Err(format!("the rewrite would not build: {}", finding.message)),
        None => Ok(()),
    }
}

/// Whether the stage installs the project before any copy of the whole
/// context: from its metadata files alone, which a code edit leaves cached.
fn project_installed_before_code(model: &Model, stage: &Stage) -> bool {
    for i in model.body(stage) {
        let ins = model.instructions[i];
        if matches!(ins.kind, InstructionKind::Copy | InstructionKind::Add)
            && let Arguments::Words(words) = &ins.arguments
            && words[..words.len().saturating_sub(1)]
                .iter()
                .any(|w| layer_order::is_whole_context_source(&w.value))
        {
            return false;
        }
        if model.reads(i).is_some_and(|r| r.project_install) {
            return true;
        }
    }
    false
}

/// The Dockerfile's manager must be the one the project is detected with,
/// or the layout would install something else.
fn check_manager(project: &layerwise_python::Project, c: &Carried) -> Result<(), String> {
    use layerwise_python::PackageManager as P;
    let uses = |t: Tool| c.tools.contains(&t);
    let ok = match project.manager {
        P::Uv => uses(Tool::Uv),
        P::Poetry => uses(Tool::Poetry),
        P::Pipenv => uses(Tool::Pipenv),
        P::Pdm => uses(Tool::Pdm),
        P::Pip => {
            let files_match = match &project.requirements_file {
                Some(root) => {
                    !c.requirement_files.is_empty() && c.requirement_files.iter().all(|f| f == root)
                }
                None => c.requirement_files.is_empty() && c.installs_project,
            };
            files_match
                && c.managers
                    .iter()
                    .all(|m| matches!(m, Manager::Pip | Manager::Uv))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the Dockerfile's install does not match the project's {} manifests ({})",
            format!("{:?}", project.manager).to_lowercase(),
            project.manifests.join(", ")
        ))
    }
}

/// The generated text without its header, with the original work dir and
/// the carried ENV and metadata lines.
fn adapt(generated: &str, c: &Carried) -> String {
    let mut out = String::new();
    let mut started = false;
    let mut stage = 0;
    for line in generated.lines() {
        if !started && !line.starts_with("FROM ") {
            continue;
        }
        started = true;
        if line.starts_with("FROM ") {
            stage += 1;
            out.push_str(line);
            out.push('\n');
            for env in &c.env {
                out.push_str(env);
                out.push('\n');
            }
            continue;
        }
        if stage == 2 && line.starts_with("CMD ") {
            for extra in &c.production {
                out.push_str(extra);
                out.push('\n');
            }
        }
        match (&c.workdir, line.strip_prefix("WORKDIR ")) {
            (Some(dir), Some(_)) => {
                out.push_str("WORKDIR ");
                out.push_str(dir);
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}
