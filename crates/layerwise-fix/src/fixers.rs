//! Fixes for rules that report without one, because the rewrite spans more
//! than one instruction or needs the project directory. Keyed by rule code.

use std::path::Path;

use layerwise_model::{Manager, Tool};
use layerwise_rules::rules::cache::copy_before_install::manifests;
use layerwise_rules::rules::helpers::real_installs;
use layerwise_rules::{Applicability, Context, Diagnostic, Edit, Fix, Project};
use layerwise_syntax::{Instruction, InstructionKind, Span};

use crate::SideFile;

/// The fix this crate knows for a diagnostic without one.
pub fn fix_for(cx: &Context, d: &Diagnostic) -> Option<Fix> {
    match d.code {
        "LW101" => copy_before_install(cx, d),
        "LW107" => apt_update_alone(cx, d),
        "LW108" => apt_cache_mounts(cx, d),
        _ => None,
    }
}

/// The instruction holding `offset`, with its model index.
fn instruction_at<'a>(cx: &Context<'a>, offset: usize) -> Option<(usize, &'a Instruction)> {
    cx.instructions()
        .find(|(_, ins)| ins.span.start <= offset && offset < ins.span.end.max(ins.span.start + 1))
}

/// End of an instruction's text without its line end.
fn text_end(cx: &Context, ins: &Instruction) -> usize {
    let text = cx.text(ins.span);
    ins.span.start + text.trim_end_matches(['\n', '\r']).len()
}

/// The line ending the file uses.
fn newline(source: &str) -> &'static str {
    if source.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// Whether a requirement or package word names a local path.
fn is_local(value: &str) -> bool {
    value.starts_with('.') || value.starts_with('/') || value.starts_with("file:")
}

/// LW101: copy the manifests in place of the whole-context COPY and move
/// that COPY after the install.
fn copy_before_install(cx: &Context, d: &Diagnostic) -> Option<Fix> {
    let (ci, copy) = instruction_at(cx, d.span.start)?;
    if !cx.is_whole_context_copy(copy) || !copy.heredocs.is_empty() {
        return None;
    }
    let stage = cx.model.stage_of(ci)?;
    let body: Vec<(usize, &Instruction)> = cx.stage_body(stage).collect();
    let pos = body.iter().position(|(i, _)| *i == ci)?;
    let mut found = None;
    for &(j, ins) in &body[pos + 1..] {
        if let Some(run) = cx.run(j) {
            if real_installs(run).next().is_some() {
                found = Some((ins, run));
                break;
            }
            // A RUN between the copy and the install may use the sources.
            return None;
        }
        if !matches!(
            ins.kind,
            InstructionKind::Env
                | InstructionKind::Arg
                | InstructionKind::Label
                | InstructionKind::Expose
        ) {
            return None;
        }
    }
    let (install_ins, run) = found?;
    if run.exec_form || !install_ins.heredocs.is_empty() {
        return None;
    }
    // The install must not read the project's own sources.
    for inst in &run.python {
        if !inst.editables.is_empty() || inst.packages.iter().any(|p| is_local(&p.value)) {
            return None;
        }
        let inv = run.invocations.get(inst.invocation)?;
        let has = |flag: &str| inv.args.iter().any(|w| w.value == flag);
        let installs_root = match inst.manager {
            Manager::Uv => inv.sub() == "sync" && !has("--no-install-project"),
            Manager::Poetry => !has("--no-root"),
            _ => false,
        };
        if installs_root && cx.project.is_none_or(|p| builds_package(&p.dir)) {
            return None;
        }
    }
    let mut files = Vec::new();
    for inst in real_installs(run) {
        for f in manifests(inst, cx.project) {
            if !files.contains(&f) {
                files.push(f);
            }
        }
    }
    if files.is_empty() {
        return None;
    }
    let mut applicability = Applicability::Safe;
    match cx.project {
        Some(project) => {
            for f in &files {
                if f.starts_with('/') || f.split('/').any(|p| p == "..") {
                    return None;
                }
                let path = project.dir.join(f);
                if !path.is_file() {
                    return None;
                }
                if f.ends_with(".txt") || f.ends_with(".in") {
                    let text = std::fs::read_to_string(&path).ok()?;
                    if text.lines().any(|l| {
                        let l = l.trim();
                        l.starts_with("-e") || l.starts_with("--editable") || is_local(l)
                    }) {
                        return None;
                    }
                }
            }
        }
        // Without the project the included files are unknown: review needed.
        None => {
            if files.iter().any(|f| f.starts_with('/') || f.contains("..")) {
                return None;
            }
            applicability = Applicability::Unsafe;
        }
    }
    let (_, dest) = cx.copy_paths(copy);
    let dest = dest?.value.clone();
    let base = match dest.trim_end_matches('/') {
        "" if dest.starts_with('/') => "/".to_string(),
        "" | "." => "./".to_string(),
        d => format!("{d}/"),
    };
    let flags: Vec<&str> = copy.flags.iter().map(|f| cx.text(f.span)).collect();
    let keyword = cx.text(copy.keyword.span);
    let nl = newline(cx.file.source());
    let lines: Vec<String> = layerwise_python::group_by_directory(&files)
        .iter()
        .map(|(dir, list)| {
            let mut words = vec![keyword.to_string()];
            words.extend(flags.iter().map(|f| f.to_string()));
            words.extend(list.iter().map(|f| f.to_string()));
            words.push(format!("{base}{dir}"));
            words.join(" ")
        })
        .collect();
    let copy_end = text_end(cx, copy);
    let original = cx.text(Span::new(copy.span.start, copy_end)).to_string();
    let install_end = text_end(cx, install_ins);
    let edits = vec![
        Edit::replace(Span::new(copy.span.start, copy_end), lines.join(nl)),
        Edit::insert(install_end, format!("{nl}{original}")),
    ];
    Some(Fix::new(
        applicability,
        format!(
            "copy {} before the install, the rest after it",
            files.join(" ")
        ),
        edits,
    ))
}

/// Whether the project at `dir` declares a build backend, so installing it
/// needs its sources.
fn builds_package(dir: &Path) -> bool {
    match std::fs::read_to_string(dir.join("pyproject.toml")) {
        Ok(text) => {
            text.lines().any(|l| l.trim() == "[build-system]")
                && !text
                    .lines()
                    .any(|l| l.replace(' ', "") == "package-mode=false")
        }
        Err(_) => true,
    }
}

/// LW107: move a lone `apt-get update` into the next RUN that installs.
fn apt_update_alone(cx: &Context, d: &Diagnostic) -> Option<Fix> {
    let (ui, update_ins) = instruction_at(cx, d.span.start)?;
    let run = cx.run(ui)?;
    if run.exec_form || run.script.commands.len() != 1 || !update_ins.flags.is_empty() {
        return None;
    }
    let update = run.system.iter().find(|s| s.update)?;
    let update_inv = run.invocations.get(update.invocation)?;
    let update_text = cx.text(layerwise_rules::rules::helpers::command_span(
        run,
        update.invocation,
    )?);
    let stage = cx.model.stage_of(ui)?;
    let next = cx
        .stage_body(stage)
        .filter(|(j, _)| *j > ui)
        .find_map(|(j, ins)| {
            let r = cx.run(j)?;
            r.system
                .iter()
                .any(|s| s.install && s.tool == update_inv.tool)
                .then_some((ins, r))
        })?;
    let (install_ins, install_run) = next;
    if install_run.exec_form {
        return None;
    }
    let install = install_run.system.iter().find(|s| s.install)?;
    let at = layerwise_rules::rules::helpers::command_span(install_run, install.invocation)?;
    if !install_run.editable(&install_run.invocations.get(install.invocation)?.program) {
        return None;
    }
    // Delete the whole line(s) of the lone update, line end included.
    let delete = Span::new(update_ins.span.start, update_ins.span.end);
    if !cx.text(delete).ends_with('\n') {
        return None;
    }
    let _ = install_ins;
    Some(Fix::new(
        Applicability::Safe,
        "run `apt-get update` in the RUN that installs",
        vec![
            Edit::delete(delete),
            Edit::insert(at.start, format!("{update_text} && ")),
        ],
    ))
}

/// LW108: cache mounts for apt's lists and archives, and
/// `--no-install-recommends` where it is missing.
fn apt_cache_mounts(cx: &Context, d: &Diagnostic) -> Option<Fix> {
    let (i, ins) = instruction_at(cx, d.span.start)?;
    let run = cx.run(i)?;
    if run.exec_form || !ins.heredocs.is_empty() {
        return None;
    }
    let install = run
        .system
        .iter()
        .find(|s| s.install && matches!(s.tool, Tool::AptGet | Tool::Apt))?;
    // With the lists on a cache mount, a later RUN that installs without its
    // own update would find no lists.
    if !run.system.iter().any(|s| s.update) {
        return None;
    }
    let stage = cx.model.stage_of(i)?;
    let later_bare_install = cx.stage_body(stage).filter(|(j, _)| *j > i).any(|(j, _)| {
        cx.run(j).is_some_and(|r| {
            r.system
                .iter()
                .any(|s| s.install && matches!(s.tool, Tool::AptGet | Tool::Apt))
                && !r.system.iter().any(|s| s.update)
        })
    });
    if later_bare_install {
        return None;
    }
    let mut edits = vec![Edit::insert(
        ins.keyword.span.end,
        " --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked",
    )];
    let mut applicability = Applicability::Safe;
    let mut message = "cache apt's lists and archives in mounts".to_string();
    let inv = run.invocations.get(install.invocation)?;
    if !install.no_install_recommends
        && let Some(sub) = &inv.subcommand
        && run.editable(sub)
    {
        edits.push(Edit::insert(run.span(sub).end, " --no-install-recommends"));
        // Fewer packages is the point, but one the build relied on may go.
        applicability = Applicability::Unsafe;
        message.push_str(" and skip recommended packages");
    }
    // Lists removed in the same RUN are on the mount now; removing them
    // there would only empty the cache.
    for inv in &run.invocations {
        if inv.tool == Tool::Rm
            && inv
                .args
                .iter()
                .any(|w| w.value.starts_with("/var/lib/apt/lists"))
        {
            return None;
        }
    }
    Some(Fix::new(applicability, message, edits))
}

/// Patterns the `.dockerignore` should hold, with the LW113 probe each covers.
const IGNORES: &[(&str, &str)] = &[
    (".git", ".git"),
    (".venv", ".venv"),
    ("__pycache__", "**/__pycache__"),
    ("*.pyc", "**/*.pyc"),
    ("node_modules", "**/node_modules"),
];

/// Paths probed for each entry, as LW113 probes them.
const PROBES: &[(&str, &[&str])] = &[
    (".git", &[".git"]),
    (".venv", &[".venv"]),
    ("__pycache__", &["__pycache__", "pkg/__pycache__"]),
    ("*.pyc", &["module.pyc", "pkg/module.pyc"]),
    ("node_modules", &["node_modules"]),
];

/// LW112/LW113: creates the `.dockerignore` or appends what it lets through.
/// Keeps `.git` when the project's version comes from it.
pub fn dockerignore(
    dir: &Path,
    project: &Project,
    diagnostics: &[Diagnostic],
    notes: &mut Vec<String>,
) -> Option<SideFile> {
    let missing = diagnostics.iter().any(|d| d.code == "LW112");
    let leaks = diagnostics.iter().any(|d| d.code == "LW113");
    if !missing && !leaks {
        return None;
    }
    let path = dir.join(".dockerignore");
    let before = if missing {
        None
    } else {
        Some(std::fs::read_to_string(&path).ok()?)
    };
    let vcs_version = std::fs::read_to_string(dir.join("pyproject.toml"))
        .map(|t| {
            [
                "setuptools_scm",
                "setuptools-scm",
                "hatch-vcs",
                "versioningit",
                "dunamai",
            ]
            .iter()
            .any(|k| t.contains(k))
        })
        .unwrap_or(false);
    let mut wanted = Vec::new();
    for (name, pattern) in IGNORES {
        let excluded = project.dockerignore.as_ref().is_some_and(|ig| {
            PROBES
                .iter()
                .find(|(n, _)| n == name)
                .is_some_and(|(_, paths)| paths.iter().all(|p| ig.is_excluded(p)))
        });
        if excluded {
            continue;
        }
        if *name == ".git" && vcs_version {
            notes.push(
                ".dockerignore: `.git` kept, the project takes its version from it".to_string(),
            );
            continue;
        }
        wanted.push(*pattern);
    }
    if wanted.is_empty() {
        return None;
    }
    let mut after = before.clone().unwrap_or_default();
    if !after.is_empty() && !after.ends_with('\n') {
        after.push('\n');
    }
    after.push_str("# Kept out of the build context by `layerwise fix`\n");
    for p in wanted {
        after.push_str(p);
        after.push('\n');
    }
    Some(SideFile {
        path,
        before,
        after,
    })
}
