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

use layerwise_init::{Frontend, Overrides, UvSource, plan_for};
use layerwise_model::{Manager, Model, Stage, Tool, layer_order};
use layerwise_rules::registry::{self, Category};
use layerwise_rules::{Applicability, Edit, Fix, Settings};
use layerwise_syntax::{Arguments, Dockerfile, ExecForm, Instruction, InstructionKind, Span};

/// Why a file was not restructured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a single-stage Python image with a dependency install: nothing to do.
    NotApplicable,
    /// It would be, but the rewrite could change what the image does.
    Unsafe(String),
}

/// What the layout installs requirement files, exported locks and the
/// project with, when the original does not install with uv already.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Install {
    /// `uv pip` by default, as `init` generates: uv installs from its cache
    /// mount in parallel, so a dependency edit or a cold build of a large
    /// set takes a fraction of pip's time (client-grant-app: dependency
    /// edit 23.1 s with pip, 14.2 s with uv). `Pip` keeps pip.
    pub frontend: Frontend,
    /// Where uv's binary comes from (default: uv's published image).
    pub uv_source: Option<UvSource>,
}

impl Default for Install {
    fn default() -> Self {
        Install {
            frontend: Frontend::Uv,
            uv_source: None,
        }
    }
}

/// Whether the rule selection asks for multi-stage fixes (any size rule).
pub fn enabled(settings: &Settings) -> bool {
    registry::all().iter().enumerate().any(|(i, r)| {
        r.category == Category::Size && settings.enabled.get(i).copied().unwrap_or(true)
    })
}

/// Packages only needed to build wheels: they stay in the builder. Git too:
/// it fetches `git+` requirements and is rarely needed at run time.
pub fn is_build_package(name: &str) -> bool {
    layerwise_model::is_build_package(name) || name.split(['=', ':']).next() == Some("git")
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
    /// Steps carried into the production stage, in order: before the code
    /// copy (they read no code) and after it.
    before_code: Vec<String>,
    after_code: Vec<String>,
    /// The original copies its code by specific paths, not the whole context:
    /// those COPY lines replace the layout's `COPY . .`.
    code_copies: Vec<String>,
    whole_context_copied: bool,
    /// The original's USER and whether it creates users itself.
    user: Option<String>,
    creates_user: bool,
    /// The first pip setting given by ENV or ARG (`PIP_INDEX_URL`…): uv
    /// does not read pip's variables, so the install stays with pip.
    pip_setting: Option<String>,
}

/// The restructure of `file`, as one edit from the FROM line to the end.
pub fn restructure(
    file: &Dockerfile,
    settings: &Settings,
    dir: &Path,
    install: &Install,
) -> Result<Fix, Refusal> {
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
        frontend: Some(frontend(&carried, install)),
        uv_source: install.uv_source.clone(),
    };
    let mut plan =
        plan_for(dir, &project, &overrides).map_err(|e| Refusal::Unsafe(e.to_string()))?;
    plan.project_before_code = project_installed_before_code(&model, stage);
    // The original built on this base without installing system packages:
    // the base has what the native dependencies need (a full python image
    // ships compilers, headers and their libraries) or their wheels carry
    // it, so neither stage needs apt (on vladmialkin-fastapi's python:3.11
    // the detected libpq-dev/gcc and libpq5 cost a cold build 3.5 s).
    if carried.apt.is_empty() {
        plan.build_packages.clear();
        plan.runtime_packages.clear();
    }
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

/// uv when the file installs with uv or `install` asks for it, unless the
/// original configures pip through its variables, which uv ignores.
fn frontend(c: &Carried, install: &Install) -> Frontend {
    if c.managers.contains(&Manager::Uv) {
        Frontend::Uv
    } else if c.pip_setting.is_some() {
        Frontend::Pip
    } else {
        install.frontend
    }
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
            if !ins.heredocs().is_empty() || run.exec_form {
                // Not an install the layout could take over: run it as written.
                return carry_step(model, i, verbatim(), c);
            }
            let mut rest = Vec::new();
            for (index, inv) in run.invocations.iter().enumerate() {
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
                        if inv.args().iter().all(|w| {
                            w.value.starts_with('-')
                                || w.value.starts_with("/var/lib/apt/lists")
                                || w.value.starts_with("/tmp")
                                || w.value.starts_with("/root/.cache")
                        }) => {}
                    Tool::Venv => {}
                    _ => {
                        let program = &inv.program().value;
                        let name = program.rsplit('/').next().unwrap_or(program);
                        if matches!(
                            name,
                            "gcc" | "cc" | "g++" | "make" | "cmake" | "cargo" | "rustc"
                        ) {
                            return Err(format!(
                                "`{name}` runs after the install: the compilers would be missing from the production stage; build it in a stage of its own and copy the result"
                            ));
                        }
                        if matches!(inv.tool, Tool::Useradd | Tool::Adduser)
                            || matches!(name, "groupadd" | "addgroup")
                        {
                            c.creates_user = true;
                        }
                        rest.push(index);
                    }
                }
            }
            let installs = run.invocations.len() > rest.len();
            if !installs {
                return carry_step(model, i, verbatim(), c);
            }
            if !rest.is_empty() || run.script.commands.len() > run.invocations.len() {
                return Err(
                    "this RUN mixes the install with other commands; put them in a RUN of their own and run fix again"
                        .to_string(),
                );
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
                if let Some(option) = p.resolution_options.first() {
                    return Err(format!(
                        "`{}` changes what the install resolves, and the layout installs from the manifests alone; move it into the requirement file",
                        option.value
                    ));
                }
                if let Some(constraints) = p.constraint_files.first() {
                    return Err(format!(
                        "`-c {}`: the layout installs from the manifests alone, without the constraints",
                        constraints.value
                    ));
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
                            || layerwise_model::is_installer_package(&w.value))
                    })
                    .count();
                if named > 0 {
                    return Err(
                        "installs packages by name that the project's manifests do not list"
                            .to_string(),
                    );
                }
                if p.packages
                    .iter()
                    .all(|w| layerwise_model::is_installer_package(&w.value))
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
            let whole = match &ins.arguments {
                Arguments::Words(words)
                | Arguments::Exec(ExecForm {
                    elements: words, ..
                }) => {
                    if let Some(dest) = words.last()
                        && (dest.value.ends_with("pip.conf") || dest.value.ends_with("pip.ini"))
                    {
                        return Err(format!(
                            "pip's configuration is copied to {}; the layout's builder would install without it",
                            dest.value
                        ));
                    }
                    let sources = &words[..words.len().saturating_sub(1)];
                    let whole = sources
                        .iter()
                        .any(|s| layerwise_model::layer_order::is_whole_context_source(&s.value));
                    // Manifests copied ahead are copied by the layout too.
                    let manifests = sources.iter().all(|s| is_manifest_name(&s.value));
                    if manifests
                        && !whole
                        && ins.kind == InstructionKind::Copy
                        && ins.flags().is_empty()
                    {
                        // The layout installs the context's files by their own
                        // names: a manifest copied under another name (e.g.
                        // requirements_unix.txt as requirements.txt) would
                        // swap what gets installed.
                        if let ([source], Some(dest)) = (sources, words.last())
                            && let Some(renamed) = renamed(&source.value, &dest.value)
                        {
                            return Err(renamed);
                        }
                        return Ok(());
                    }
                    whole
                }
                _ => false,
            };
            let from_context = !ins.flags().iter().any(|f| f.name.value == "from");
            if whole && ins.flags().is_empty() {
                c.whole_context_copied = true;
                // Specific copies above the whole-context copy stay above it.
                let copies = std::mem::take(&mut c.code_copies);
                c.before_code.extend(copies);
            } else if from_context && !c.whole_context_copied {
                // Code copied by specific paths: it stands in for the
                // layout's whole-context copy.
                c.code_copies.push(verbatim());
            } else {
                c.after_code.push(verbatim());
            }
            Ok(())
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
            note_pip_setting(c, pairs.iter().map(|p| p.key.value.as_str()));
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
            // The model resolves relative and variable WORKDIRs in order.
            let Some(dir) = model
                .states
                .get(i + 1)
                .filter(|s| s.stage == model.states[i].stage)
                .map(|s| s.workdir.clone())
                .or_else(|| match &ins.arguments {
                    Arguments::Text(t) if t.value.starts_with('/') && !t.value.contains('$') => {
                        Some(t.value.clone())
                    }
                    _ => None,
                })
            else {
                return Err(
                    "a WORKDIR whose value is not known here; write it as an absolute path"
                        .to_string(),
                );
            };
            if dir.contains('$') {
                return Err(
                    "a WORKDIR whose value is not known here; write it as an absolute path"
                        .to_string(),
                );
            }
            c.workdir = Some(dir.trim_end_matches('/').to_string()).filter(|w| !w.is_empty());
            Ok(())
        }
        InstructionKind::User => {
            if let Arguments::Text(t) = &ins.arguments {
                c.user = Some(t.value.trim().to_string());
            }
            Ok(())
        }
        InstructionKind::Arg | InstructionKind::Shell => {
            let text = verbatim();
            if ins.kind == InstructionKind::Arg {
                note_pip_setting(
                    c,
                    text.split_whitespace()
                        .skip(1)
                        .map(|w| w.split('=').next().unwrap_or("")),
                );
            }
            c.env.push(text);
            Ok(())
        }
        other => Err(format!(
            "{} is not carried over; remove it or restructure by hand",
            other.keyword()
        )),
    }
}

/// Records the first `PIP_*` variable among `keys` that configures pip.
fn note_pip_setting<'a>(c: &mut Carried, keys: impl Iterator<Item = &'a str>) {
    for key in keys {
        if key.starts_with("PIP_") && !MANAGED_ENV.contains(&key) && c.pip_setting.is_none() {
            c.pip_setting = Some(key.to_string());
        }
    }
}

/// A dependency manifest by its name.
fn is_manifest_name(path: &str) -> bool {
    let n = path.trim_start_matches("./");
    n.ends_with(".txt")
        || n.ends_with(".in")
        || n.ends_with(".lock")
        || n.ends_with(".toml")
        || n == "Pipfile"
        || n == "setup.py"
        || n == "setup.cfg"
}

/// `COPY SOURCE DEST` naming the manifest something else in the image (a
/// destination that is not a manifest name is a directory: `COPY x /app`).
fn renamed(source: &str, dest: &str) -> Option<String> {
    if dest.ends_with('/') || !is_manifest_name(dest) {
        return None;
    }
    let name = |path: &str| path.rsplit('/').next().unwrap_or(path).to_string();
    (name(source) != name(dest)).then(|| {
        format!(
            "copies {source} as {dest}; the layout would install the context's own {}",
            name(dest)
        )
    })
}

/// Carries a step the layout does not take over into the production stage:
/// before the code copy when it reads no code, after it otherwise.
fn carry_step(model: &Model, i: usize, text: String, c: &mut Carried) -> Result<(), String> {
    let reads = model.reads(i).unwrap_or_default();
    if reads.everything || !reads.paths.is_empty() || !reads.manifests.is_empty() {
        c.after_code.push(text);
    } else {
        c.before_code.push(text);
    }
    Ok(())
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
    let project = layerwise_rules::ContextDir::load(dir);
    let file = layerwise_syntax::parse(text);
    for ins in file.instructions() {
        if !matches!(ins.kind, InstructionKind::Copy | InstructionKind::Add)
            || ins.flags().iter().any(|f| f.name.value == "from")
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
fn check_manager(project: &layerwise_python::PythonProject, c: &Carried) -> Result<(), String> {
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
/// the carried ENV, metadata and steps. Steps that read no code go after the
/// venv copy and before the code copy; the others after it, still as root;
/// when the original copies code by specific paths, those copies stand in
/// for the layout's `COPY . .`. When the original creates its own users, the
/// layout creates none and keeps the original's USER.
fn adapt(generated: &str, c: &Carried) -> String {
    // The original creates its users itself: the layout creates none, and
    // runs as the original's USER (as root when it had none, as before).
    let own_users = c.creates_user;
    let user = c.user.as_ref().filter(|u| !u.is_empty());
    let mut out = String::new();
    let mut started = false;
    let mut production = false;
    let mut skipping_user_creation = false;
    let push = |out: &mut String, line: &str| {
        out.push_str(line);
        out.push('\n');
    };
    for line in generated.lines() {
        if !started && !line.starts_with("FROM ") {
            continue;
        }
        started = true;
        if skipping_user_creation {
            skipping_user_creation = line.trim_end().ends_with('\\');
            continue;
        }
        if line.starts_with("FROM ") {
            production = line.ends_with(" AS production");
            push(&mut out, line);
            // Stages built on the layout's `base` inherit its ENV and SHELL,
            // not its ARGs.
            let from_base = line.starts_with("FROM base ");
            for env in &c.env {
                if !from_base || env.starts_with("ARG") {
                    push(&mut out, env);
                }
            }
            continue;
        }
        if production && own_users && line.starts_with("RUN groupadd ") {
            skipping_user_creation = line.trim_end().ends_with('\\');
            continue;
        }
        if production && line.starts_with("CMD ") {
            for extra in &c.production {
                push(&mut out, extra);
            }
        }
        if production && line == "COPY . ." {
            for step in &c.before_code {
                push(&mut out, step);
            }
            if c.whole_context_copied || c.code_copies.is_empty() {
                push(&mut out, line);
            }
            for copy in &c.code_copies {
                push(&mut out, copy);
            }
            for step in &c.after_code {
                push(&mut out, step);
            }
            continue;
        }
        if production && own_users && line.starts_with("USER ") {
            if let Some(user) = user {
                push(&mut out, &format!("USER {user}"));
            }
            continue;
        }
        match (&c.workdir, line.strip_prefix("WORKDIR ")) {
            (Some(dir), Some(_)) => push(&mut out, &format!("WORKDIR {dir}")),
            _ => push(&mut out, line),
        }
    }
    out
}
