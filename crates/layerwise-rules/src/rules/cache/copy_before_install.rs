//! LW101: the whole context is copied before the dependency install.

use std::path::Path;

use layerwise_model::{ContextCopy, Cost, Manager, PythonInstall};
use layerwise_syntax::{Arguments, Instruction, InstructionKind, Span};

use crate::context::Context;
use crate::context_dir::ContextDir;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};
use crate::rules::helpers::{
    context_copy, install_label, is_dir_in, is_local_path, newline, real_installs, text_end,
};

pub static RULE: Rule = Rule {
    code: "LW101",
    name: "copy-before-install",
    category: Category::Cache,
    severity: Severity::Warning,
    summary: "Files are copied from the build context before steps that do not read them",
    docs: r#"## What it does
Finds a `COPY` or `ADD` of files from the build context that comes before
RUN steps of the same stage that never read those files: dependency
installs from manifests, `apt-get install`, downloads, installs of named
packages or of the package tools. The shapes are many: `COPY . .` before
`pip install -r requirements.txt`; a source directory copied before an
install that reads only the manifest inside it; a code directory copied
between the manifests and their install; one COPY bringing a manifest and
code files together; code copied before apt and user creation.

What a RUN reads comes from layerwise's model of the commands in it: the
manifests each package manager reads (also with global options such as
`poetry -C dir`, `uv --directory dir`, `pipenv --python 3.12`), paths given
to `chown`, `rm`, `cp` and the like; a program it does not know may read
anything, and the copy stays above it. An install of the project itself
after its dependencies were installed from manifests copied earlier
(`pip install -e .`, `poetry install` after `--no-root`, `uv sync` after
`--no-install-project`) needs the sources and is not reported.

## Why is this bad?
BuildKit reuses a cached step only while every input before it is
unchanged. Copying the whole context makes every source edit an input of
the install, so each code change re-downloads and re-installs all
dependencies. Copying only the dependency manifests first keeps the install
cached until the dependencies themselves change.

The message names the manifests to copy: the requirement files on the pip
line (with the files they include through `-r`/`-c` when the project
directory is checked), or `pyproject.toml` with `poetry.lock`, `uv.lock` or
`pdm.lock`, `Pipfile` with `Pipfile.lock`, `setup.py`/`setup.cfg`.

## Example
```dockerfile
FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
```

## Use instead
```dockerfile
FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt ./
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
COPY . .
```

## Fix safety
The fix moves the copy right below the last step that does not read it.
When those steps read manifests the copy brings, the manifests are copied
first in its place (same flags; files a requirement file includes through
`-r`/`-c` come along when the project directory is known), and a file list
keeps only its other files in the moved copy. A relative destination is
made absolute when the copy moves past a WORKDIR. The fix is safe when
nothing has to be split out, or when every manifest to split out exists in
the project; without the project the included requirement files are a
guess, and the fix is unsafe.

No fix, and why:
- the install needs the sources: it installs the project itself with no
  dependencies installed earlier (`pip install .`, `poetry install`,
  `uv sync`), or a requirement file lists a local path (`.`, `-e .`,
  `./libs/x`). The finding then says how to split the install
  (dependencies from the manifests first); `fix --unsafe-fixes`
  restructures the build that way;
- a step between the copy and the install may read the copied files (an
  unknown program, a `chown` of the destination);
- a requirement file layerwise cannot read (neither UTF-8 nor UTF-16
  with a byte-order mark, which pip reads too): the files it includes or
  the local paths it names are unknown;
- a JSON-form COPY that would need a new destination or a split.
"#,
    aliases: &[],
    fixes: Fixes::SafeOrUnsafe,
    check,
};

fn push_unique(list: &mut Vec<String>, item: impl Into<String>) {
    let item = item.into();
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The files an install reads, as the project has them when known.
pub fn manifests(install: &PythonInstall, project: Option<&ContextDir>) -> Vec<String> {
    let mut out = Vec::new();
    let files = install
        .requirement_files
        .iter()
        .chain(&install.constraint_files);
    for f in files {
        match project {
            Some(p) => {
                for g in p.requirement_closure(f.value.trim_start_matches("./")) {
                    push_unique(&mut out, g);
                }
            }
            None => push_unique(&mut out, f.value.clone()),
        }
    }
    let pair = |out: &mut Vec<String>, lock: &str| {
        push_unique(out, "pyproject.toml");
        if project.is_none_or(|p| p.has(lock)) {
            push_unique(out, lock);
        }
    };
    match install.manager {
        Manager::Poetry => pair(&mut out, "poetry.lock"),
        Manager::Pdm => pair(&mut out, "pdm.lock"),
        Manager::Uv if install.packages.is_empty() && install.requirement_files.is_empty() => {
            pair(&mut out, "uv.lock")
        }
        Manager::Pipenv => {
            push_unique(&mut out, "Pipfile");
            if project.is_none_or(|p| p.has("Pipfile.lock")) {
                push_unique(&mut out, "Pipfile.lock");
            }
        }
        _ => {}
    }
    let local = install
        .packages
        .iter()
        .chain(&install.editables)
        .any(|p| p.value.starts_with('.') || p.value.starts_with('/'));
    if local {
        match project {
            Some(p) => {
                for name in ["pyproject.toml", "setup.py", "setup.cfg"] {
                    if p.has(name) {
                        push_unique(&mut out, name);
                    }
                }
            }
            None => push_unique(&mut out, "pyproject.toml"),
        }
    }
    out
}

/// An install of the project itself, which after its dependencies were
/// installed from the manifests needs the sources and downloads little:
/// `pip install [-e] .` (local paths only), or `uv sync`, `poetry install`,
/// `pdm install` on top of an earlier `--no-install-project`/`--no-root`
/// install.
fn installs_only_the_project(run: &layerwise_model::Run, install: &PythonInstall) -> bool {
    let sub = run
        .invocations
        .get(install.invocation)
        .map_or("", |i| i.sub());
    let local_only = install.requirement_files.is_empty()
        && !(install.packages.is_empty() && install.editables.is_empty())
        && install
            .packages
            .iter()
            .chain(&install.editables)
            .all(|p| is_local_path(&p.value));
    install.only_local_project()
        || local_only
        || (install.manager == Manager::Uv && sub == "sync")
        || (matches!(install.manager, Manager::Poetry | Manager::Pdm)
            && matches!(sub, "install" | "sync"))
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for stage in &cx.model.stages {
        let body: Vec<(usize, &Instruction)> = cx.stage_body(stage).collect();
        for (pos, &(ci, ins)) in body.iter().enumerate() {
            let Some(copy) = context_copy(cx, ci, ins) else {
                continue;
            };
            if let Some(plan) = plan_move(cx, &body, pos, &copy) {
                out.push(reorder_finding(cx, ins, &copy, &plan));
            } else if copy.is_whole_context() {
                out.extend(project_install_finding(cx, &body, pos, ins));
            }
        }
    }
}

/// How a COPY can move below the RUNs that do not read what it copies.
struct MovePlan {
    /// The first costly RUN the copy moves below, and its label.
    first: (usize, String),
    /// The last RUN it moves below: the copy goes right after it.
    after: usize,
    /// Manifests the passed installs read from this copy: context path and
    /// path in the image. They are copied on their own where the copy was.
    manifests: Vec<(String, String)>,
    /// A WORKDIR lies between the copy's place and its new one.
    crosses_workdir: bool,
}

/// What a RUN mainly does, for messages: the costliest call it makes.
fn run_label(cx: &Context, j: usize) -> String {
    let Some(run) = cx.run(j) else {
        return "RUN".to_string();
    };
    if let Some(install) = real_installs(run).next() {
        return install_label(run, install);
    }
    if let Some(system) = run.system.iter().find(|s| s.install)
        && let Some(inv) = run.invocations.get(system.invocation)
    {
        return format!("{} {}", inv.program().value, inv.sub());
    }
    run.invocations
        .iter()
        .find(|i| !matches!(i.tool, layerwise_model::Tool::Cd))
        .map_or("RUN".to_string(), |i| {
            let sub = i.sub();
            if sub.is_empty() {
                i.program().value.clone()
            } else {
                format!("{} {sub}", i.program().value)
            }
        })
}

/// Walks the stage below the copy at `pos` and finds how far it can move:
/// past every RUN that reads nothing it copies (or only manifests, which
/// are then copied first), up to the first one that may read its files.
fn plan_move(
    cx: &Context,
    body: &[(usize, &Instruction)],
    pos: usize,
    copy: &ContextCopy,
) -> Option<MovePlan> {
    let is_dir = is_dir_in(cx.project);
    let mut manifests: Vec<(String, String)> = Vec::new();
    let mut first = None;
    let mut after = None;
    let mut workdir_between = false;
    let mut crosses_workdir = false;
    for &(j, ins) in &body[pos + 1..] {
        match ins.kind {
            InstructionKind::Run => {
                let Some(reads) = cx.model.reads(j) else {
                    break;
                };
                // `poetry install` / `uv sync` of a project that builds no
                // package (no build backend, `package-mode = false`) reads
                // only its manifests.
                let no_package = reads.project_install
                    && !reads.manifests.is_empty()
                    && cx.project.is_some_and(|p| !builds_package(&p.dir));
                if (reads.everything && !no_package) || reads.paths.iter().any(|p| copy.overlaps(p))
                {
                    break;
                }
                let Some(read) = manifests_read(cx, copy, &reads.manifests, &is_dir) else {
                    break;
                };
                for m in read {
                    if !manifests.contains(&m) {
                        manifests.push(m);
                    }
                }
                if reads.cost > Cost::Cheap && first.is_none() {
                    first = Some((j, run_label(cx, j)));
                }
                after = Some(j);
                crosses_workdir |= workdir_between;
            }
            InstructionKind::Copy | InstructionKind::Add
                if !reorders_with(cx, j, ins, copy, &is_dir) =>
            {
                break;
            }
            InstructionKind::Workdir => workdir_between = true,
            InstructionKind::Env | InstructionKind::Arg if copy.has_variables => break,
            InstructionKind::Onbuild => break,
            _ => {}
        }
    }
    let first = first?;
    // A copy of nothing but manifests (those the installs read, or project
    // metadata a later step reads) changes as rarely as the dependencies.
    let code_left = copy.is_whole_context()
        || copy.sources.iter().any(|s| {
            let s = s.trim_end_matches('/');
            !is_manifest_name(s) && !manifests.iter().any(|(src, _)| src == s)
        });
    if !code_left {
        return None;
    }
    Some(MovePlan {
        first,
        after: after?,
        manifests,
        crosses_workdir,
    })
}

/// Files that describe the project's dependencies and metadata rather than
/// its code.
fn is_manifest_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "pyproject.toml"
            | "setup.py"
            | "setup.cfg"
            | "poetry.lock"
            | "uv.lock"
            | "pdm.lock"
            | "Pipfile"
            | "Pipfile.lock"
            | "MANIFEST.in"
            | "poetry.toml"
    ) || ((name.starts_with("requirements") || path.split('/').any(|c| c == "requirements"))
        && (name.ends_with(".txt") || name.ends_with(".in")))
        || (name.starts_with("constraints") && name.ends_with(".txt"))
        || name.starts_with("README")
        || name.starts_with("LICENSE")
}

/// The manifests a RUN reads that `copy` brings, with the requirement files
/// they include (when the project is known). `None` when one of them
/// installs a local path: the install then needs the sources too.
fn manifests_read(
    cx: &Context,
    copy: &ContextCopy,
    read: &[String],
    is_dir: &dyn Fn(&str) -> Option<bool>,
) -> Option<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for path in read {
        let Some(source) = copy.source_of(path, is_dir) else {
            // The requirement file came from another copy; the files it
            // includes may come from this one.
            if let Some(project) = cx.project {
                for (included, landed) in included_elsewhere(project, path) {
                    if copy.source_of(&landed, is_dir).as_deref() == Some(included.as_str()) {
                        out.push((included, landed));
                    }
                }
            }
            continue;
        };
        let is_requirements = source.ends_with(".txt") || source.ends_with(".in");
        match cx.project {
            Some(project) if is_requirements => {
                if requirements_install_local_paths(project, &source) {
                    return None;
                }
                for included in project.requirement_closure(&source) {
                    if let Some(dest) = copy.dest_of(&included, is_dir) {
                        out.push((included, dest));
                    }
                }
            }
            _ => out.push((source, path.clone())),
        }
    }
    Some(out)
}

/// The files a requirement file at `landed` (a path in the image) includes,
/// with where they land: the context path is the longest tail of `landed`
/// that names a file in the project, and the includes keep their places
/// relative to it.
fn included_elsewhere(project: &ContextDir, landed: &str) -> Vec<(String, String)> {
    let parts: Vec<&str> = landed.trim_start_matches('/').split('/').collect();
    let Some(k) = (0..parts.len()).find(|&k| project.dir.join(parts[k..].join("/")).is_file())
    else {
        return Vec::new();
    };
    let root = format!("/{}", parts[..k].join("/"));
    project
        .requirement_closure(&parts[k..].join("/"))
        .into_iter()
        .map(|f| {
            let dest = layerwise_model::join_path(&root, &f);
            (f, dest)
        })
        .collect()
}

/// Whether a requirement file (or one it includes) makes pip read more than
/// requirement files: an editable, a local path (`.`, `./libs/x`, `file:`
/// paths) or a `--find-links` directory. A file that cannot be read counts,
/// since what it needs is unknown.
fn requirements_install_local_paths(project: &ContextDir, file: &str) -> bool {
    layerwise_python::parse_requirements(&project.dir, Path::new(file)).map_or(true, |set| {
        set.requirements
            .iter()
            .any(|l| l.editable || l.url.as_deref().is_some_and(is_local_path))
            || !set.local_entries(&project.dir).is_empty()
    })
}

/// Whether the copy can move below the COPY/ADD at `j`: they write to
/// different places, or the later one is a context copy that puts each of
/// its files exactly where this one does.
fn reorders_with(
    cx: &Context,
    j: usize,
    ins: &Instruction,
    copy: &ContextCopy,
    is_dir: &dyn Fn(&str) -> Option<bool>,
) -> bool {
    let (_, dest) = cx.copy_paths(ins);
    let Some(dest) = dest else { return false };
    let workdir = cx.model.states.get(j).map_or("/", |s| s.workdir.as_str());
    let other_dest = layerwise_model::join_path(workdir, &dest.value);
    if dest.value.contains('$') {
        return false;
    }
    if !copy.overlaps(&other_dest) {
        return true;
    }
    let Some(other) = context_copy(cx, j, ins) else {
        return false;
    };
    !other.is_whole_context()
        && other.sources.iter().all(|s| {
            !s.contains(['*', '?', '['])
                && other.dest_of(s, is_dir).is_some()
                && copy.dest_of(s, is_dir) == other.dest_of(s, is_dir)
        })
}

fn reorder_finding(
    cx: &Context,
    ins: &Instruction,
    copy: &ContextCopy,
    plan: &MovePlan,
) -> Finding {
    let (j, label) = &plan.first;
    let line = cx.line(cx.model.instructions[*j].span.start);
    let text = cx.text(cx.first_line_span(ins)).trim().to_string();
    let (message, help) = if copy.is_whole_context() {
        (
            format!(
                "`{text}` copies the whole context before `{label}` (line {line}), so every code change re-runs the install"
            ),
            if plan.manifests.is_empty() {
                format!("run `{label}` before `{text}`: it does not need the sources")
            } else {
                let copies: Vec<String> = manifest_groups(cx, ins, copy, plan)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(dir, list)| format!("`COPY {} {dir}`", list.join(" ")))
                    .collect();
                format!(
                    "copy the dependency manifests first ({}), install, then copy the rest",
                    copies.join(", ")
                )
            },
        )
    } else {
        (
            format!(
                "`{text}` copies files that `{label}` (line {line}) does not read, so every change to them re-runs it"
            ),
            format!("move `{text}` below the steps that do not read it"),
        )
    };
    Finding::new(cx.first_line_span(ins), message)
        .help(help)
        .fix(reorder_fix(cx, ins, copy, plan))
        .related(
            cx.first_line_span(cx.model.instructions[*j]),
            format!("`{label}` re-runs whenever a file `{text}` copies changes"),
        )
}

/// The manifests to copy where the copy was, grouped by the directory each
/// lands in, written relative to the WORKDIR there when the copy was.
fn manifest_groups<'p>(
    cx: &Context,
    ins: &Instruction,
    copy: &ContextCopy,
    plan: &'p MovePlan,
) -> Option<Vec<(String, Vec<&'p str>)>> {
    let workdir = cx
        .model
        .states
        .get(
            cx.model
                .instructions
                .iter()
                .position(|i| std::ptr::eq(*i, ins))?,
        )
        .map_or("/".to_string(), |s| s.workdir.clone());
    let mut by_dir: Vec<(String, Vec<&str>)> = Vec::new();
    for (source, landed) in &plan.manifests {
        let dir = landed
            .rsplit_once('/')
            .map_or("/", |(d, _)| if d.is_empty() { "/" } else { d });
        let written = if copy.dest_relative && layerwise_model::layer_order::is_under(dir, &workdir)
        {
            let rest = dir[workdir.trim_end_matches('/').len()..].trim_start_matches('/');
            if rest.is_empty() {
                "./".to_string()
            } else {
                format!("./{rest}/")
            }
        } else if dir == "/" {
            "/".to_string()
        } else {
            format!("{dir}/")
        };
        match by_dir.iter_mut().find(|(d, _)| *d == written) {
            Some((_, list)) => list.push(source),
            None => by_dir.push((written, vec![source])),
        }
    }
    Some(by_dir)
}

/// The reorder: manifests copied where the copy was, the copy itself right
/// after the last RUN that does not read it.
fn reorder_fix(
    cx: &Context,
    ins: &Instruction,
    copy: &ContextCopy,
    plan: &MovePlan,
) -> Option<Fix> {
    let (sources, dest) = cx.copy_paths(ins);
    let dest = dest?;
    let exec = matches!(ins.arguments, Arguments::Exec(_));
    if exec && (plan.crosses_workdir || !plan.manifests.is_empty()) {
        return None;
    }
    let nl = newline(cx.file.source());
    let keyword = cx.text(ins.keyword.span);
    let flags: Vec<&str> = ins.flags().iter().map(|f| cx.text(f.span)).collect();
    let line_of = |words: &[&str], to: &str| {
        let mut all = vec![keyword];
        all.extend(flags.iter().copied());
        all.extend(words.iter().copied());
        all.push(to);
        all.join(" ")
    };
    let start = ins.span.start;
    let end = text_end(cx, ins);
    // The moved copy: its destination made absolute when it crosses a
    // WORKDIR, and without the manifests a file list brings.
    let absolute_dest = if plan.crosses_workdir && copy.dest_relative {
        let trailing = if dest.value.ends_with('/') || dest.value == "." {
            "/"
        } else {
            ""
        };
        format!("{}{trailing}", copy.dest)
    } else {
        dest.value.clone()
    };
    let manifest_sources: Vec<&str> = plan.manifests.iter().map(|(s, _)| s.as_str()).collect();
    let kept: Vec<&str> = sources
        .iter()
        .map(|s| s.value.as_str())
        .filter(|s| {
            copy.is_whole_context()
                || !manifest_sources
                    .contains(&s.strip_prefix("./").unwrap_or(s).trim_end_matches('/'))
        })
        .collect();
    let moved = if kept.len() == sources.len() && absolute_dest == dest.value {
        cx.text(Span::new(start, end)).to_string()
    } else if kept.len() == sources.len() && !exec {
        let d = dest.span;
        format!(
            "{}{}{}",
            cx.text(Span::new(start, d.start)),
            absolute_dest,
            cx.text(Span::new(d.end, end))
        )
    } else {
        line_of(&kept, &absolute_dest)
    };
    let by_dir = manifest_groups(cx, ins, copy, plan)?;
    let manifest_lines: Vec<String> = by_dir
        .iter()
        .map(|(dir, files)| line_of(files, dir))
        .collect();
    let after = cx.model.instructions[plan.after];
    let mut edits = vec![Edit::insert(text_end(cx, after), format!("{nl}{moved}"))];
    if manifest_lines.is_empty() {
        edits.push(Edit::delete(Span::new(start, ins.span.end)));
    } else {
        edits.push(Edit::replace(
            Span::new(start, end),
            manifest_lines.join(nl),
        ));
    }
    // Manifests named from the project are known to exist; without it the
    // files a requirement file includes are a guess.
    let applicability = match cx.project {
        Some(project)
            if plan
                .manifests
                .iter()
                .all(|(s, _)| project.dir.join(s).is_file()) =>
        {
            Applicability::Safe
        }
        None if plan.manifests.is_empty() => Applicability::Safe,
        _ => Applicability::Unsafe,
    };
    let message = if plan.manifests.is_empty() {
        "move the copy below the steps that do not read it".to_string()
    } else {
        format!(
            "copy {} before the install, the rest after it",
            manifest_sources.join(" ")
        )
    };
    Some(Fix::new(applicability, message, edits))
}

/// A whole-context copy before an install of the project that needs its
/// sources, with no dependencies installed before: only splitting the
/// install (dependencies from the manifests first) or the restructure helps.
fn project_install_finding(
    cx: &Context,
    body: &[(usize, &Instruction)],
    pos: usize,
    ins: &Instruction,
) -> Option<Finding> {
    // Dependencies already installed before the copy make a later
    // install of the project itself cheap: it needs the sources.
    let deps_installed_before = body[..pos].iter().any(|&(j, _)| {
        cx.run(j)
            .is_some_and(|run| real_installs(run).next().is_some())
    });
    let (j, run, install) = body[pos + 1..].iter().find_map(|&(j, _)| {
        let run = cx.run(j)?;
        real_installs(run)
            .find(|i| !(deps_installed_before && installs_only_the_project(run, i)))
            .map(|i| (j, run, i))
    })?;
    // A fixed list of packages can move above the copy by itself; that is
    // the reorder's case, refused only because a step between reads code.
    if !install.reads_project() {
        return None;
    }
    let files = manifests(install, cx.project);
    let label = install_label(run, install);
    let line = cx.line(cx.model.instructions[j].span.start);
    let copy = cx.text(cx.first_line_span(ins)).trim().to_string();
    let message = format!(
        "`{copy}` copies the whole context before `{label}` (line {line}), so every code change re-runs the install"
    );
    let help = if files.is_empty() {
        format!("install the dependencies before `{copy}`, the project itself after it")
    } else {
        format!(
            "install the dependencies from {} before `{copy}` (e.g. `--no-root`, `--no-install-project`, or the requirements without the project's own entry), the project itself after it; `fix --unsafe-fixes` restructures the build this way",
            files.join(" ")
        )
    };
    Some(
        Finding::new(cx.first_line_span(ins), message)
            .help(help)
            .related(
                cx.first_line_span(cx.model.instructions[j]),
                format!("`{label}` re-runs whenever a file `{copy}` copies changes"),
            ),
    )
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

#[cfg(test)]
mod tests {
    use crate::test_util::{lint, lint_project};
    use crate::{Settings, check_source};

    /// The finding on the copy points at the install it invalidates.
    #[test]
    fn related_span_is_the_invalidated_install() {
        let src = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN apt-get update\nRUN pip install -r requirements.txt\n";
        let mut settings = Settings::default();
        settings.select(&["LW101".to_string()], &[]).unwrap();
        let (file, diagnostics) = check_source(src, &settings, None);
        let [finding] = diagnostics.as_slice() else {
            panic!("one LW101 expected: {diagnostics:?}");
        };
        let [related] = finding.related.as_slice() else {
            panic!("one related span expected: {finding:?}");
        };
        assert_eq!(
            file.text(related.span),
            "RUN pip install -r requirements.txt"
        );
        assert_eq!(file.position(related.span.start).line, 5);
        assert_eq!(
            related.message,
            "`pip install` re-runs whenever a file `COPY . .` copies changes"
        );
    }

    /// Without a reorder, the project-install finding names its install too.
    #[test]
    fn project_install_finding_names_the_install() {
        let src = "FROM python:3.11-slim\nCOPY . .\nRUN pip install .\n";
        let out = lint("LW101", src);
        assert!(
            out.contains("related 3:1 \"RUN pip install .\": `pip install` re-runs"),
            "{out}"
        );
    }

    #[test]
    fn flags_copy_before_pip_install() {
        let src = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\nCMD python app.py\n";
        let out = lint("LW101", src);
        assert!(out.contains("requirements.txt"));
        insta::assert_snapshot!(out);
    }

    #[test]
    fn names_included_requirement_files_from_the_project() {
        let src = "FROM python:3.11-slim\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n";
        let out = lint_project(
            "LW101",
            "FROM python:3.11-slim\nADD . .\nRUN pip install -r requirements.txt\n",
            &[
                ("requirements.txt", "-r requirements/base.txt\nflask\n"),
                ("requirements/base.txt", "-c constraints.txt\n"),
                ("requirements/constraints.txt", ""),
            ],
        );
        assert!(
            out.contains(
                "(`COPY requirements.txt ./`, `COPY requirements/base.txt requirements/constraints.txt ./requirements/`)"
            ),
            "{out}"
        );
        assert!(lint("LW101", src).contains("/app/requirements.txt"));
        insta::assert_snapshot!(out);
    }

    #[test]
    fn poetry_and_pipenv_manifests() {
        let out = lint(
            "LW101",
            "FROM python:3.12\nCOPY . .\nRUN poetry install --no-root\n",
        );
        assert!(out.contains("pyproject.toml poetry.lock"), "{out}");
        let out = lint(
            "LW101",
            "FROM python:3.12\nCOPY . .\nRUN pipenv install --deploy\n",
        );
        assert!(out.contains("Pipfile Pipfile.lock"), "{out}");
    }

    #[test]
    fn quiet_when_manifests_come_first() {
        let src = "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n";
        assert_eq!(lint("LW101", src), "");
        assert_eq!(
            lint(
                "LW101",
                "FROM python:3.11\nCOPY --from=build . .\nRUN pip install x\n"
            ),
            ""
        );
    }

    #[test]
    fn quiet_for_the_project_itself_after_its_dependencies() {
        let pip = "FROM python:3.11-slim\nCOPY pyproject.toml ./\nRUN pip install -r /tmp/req.txt\nCOPY . .\nRUN pip install --no-deps .\n";
        assert_eq!(lint("LW101", pip), "");
        let uv = "FROM python:3.11-slim\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --frozen --no-install-project\nCOPY . .\nRUN uv sync --frozen --no-editable\n";
        assert_eq!(lint("LW101", uv), "");
        // Without the earlier install, the project install pulls every dependency.
        let alone =
            "FROM python:3.11-slim\nCOPY . .\nRUN pip install --no-deps .\nRUN pip install .\n";
        assert!(
            lint("LW101", alone).contains("LW101"),
            "{}",
            lint("LW101", alone)
        );
    }

    mod real_world_shapes {
        use crate::Applicability::{Safe, Unsafe};
        use crate::test_util::{first_fix, lint};

        fn fixed(src: &str, files: &[(&str, &str)]) -> (crate::Applicability, String) {
            first_fix("LW101", src, files).unwrap_or_else(|| panic!("no LW101 fix for:\n{src}"))
        }

        #[test]
        fn directory_copied_before_an_install_reading_a_manifest_inside_it() {
            let src = "FROM python:3.12-slim\nWORKDIR /app\nCOPY service/ ./service/\nRUN pip install -r service/requirements.txt\nCMD [\"python\", \"-m\", \"service\"]\n";
            let files = [
                ("service/requirements.txt", "flask\n"),
                ("service/__init__.py", ""),
            ];
            assert_eq!(
                fixed(src, &files),
                (
                    Safe,
                    "FROM python:3.12-slim\nWORKDIR /app\nCOPY service/requirements.txt ./service/\nRUN pip install -r service/requirements.txt\nCOPY service/ ./service/\nCMD [\"python\", \"-m\", \"service\"]\n".to_string()
                )
            );
        }

        #[test]
        fn code_directory_between_the_manifests_and_the_install() {
            let src = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nCOPY app/ app/\nRUN pip install -r requirements.txt\n";
            assert!(lint("LW101", src).contains(
                "`COPY app/ app/` copies files that `pip install` (line 5) does not read"
            ));
            assert_eq!(
                fixed(src, &[]),
                (Safe, "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY app/ app/\n".to_string())
            );
        }

        #[test]
        fn one_copy_bringing_the_manifest_and_code() {
            let src = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt src/main.py ./\nRUN pip install -r requirements.txt\nCMD [\"python\", \"main.py\"]\n";
            let files = [("requirements.txt", "requests\n"), ("src/main.py", "")];
            assert_eq!(
                fixed(src, &files),
                (Safe, "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY src/main.py ./\nCMD [\"python\", \"main.py\"]\n".to_string())
            );
        }

        #[test]
        fn code_copied_before_steps_that_never_read_it() {
            let src = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y --no-install-recommends gcc\nRUN pip install gunicorn==22.0.0 pipenv\nRUN curl -fsSL -o /usr/local/bin/tini https://example.org/tini\nRUN useradd --create-home app && mkdir -p /data\nRUN python manage.py collectstatic --noinput\nUSER app\n";
            let out = lint("LW101", src);
            assert!(out.contains("before `apt-get install` (line 4)"), "{out}");
            assert_eq!(
                fixed(src, &[("manage.py", "")]).1,
                "FROM python:3.12-slim\nWORKDIR /app\nRUN apt-get update && apt-get install -y --no-install-recommends gcc\nRUN pip install gunicorn==22.0.0 pipenv\nRUN curl -fsSL -o /usr/local/bin/tini https://example.org/tini\nRUN useradd --create-home app && mkdir -p /data\nCOPY . .\nRUN python manage.py collectstatic --noinput\nUSER app\n"
            );
        }

        #[test]
        fn global_options_before_the_subcommand() {
            let pipenv = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install pipenv && pipenv --python 3.12 install --system --deploy\n";
            assert_eq!(
                fixed(pipenv, &[("Pipfile", ""), ("Pipfile.lock", "{}")]).1,
                "FROM python:3.12-slim\nWORKDIR /app\nCOPY Pipfile Pipfile.lock ./\nRUN pip install pipenv && pipenv --python 3.12 install --system --deploy\nCOPY . .\n"
            );
            let poetry = "FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nRUN poetry -C api install --no-root\n";
            assert_eq!(
                fixed(
                    poetry,
                    &[("api/pyproject.toml", ""), ("api/poetry.lock", "")]
                )
                .1,
                "FROM python:3.12-slim\nWORKDIR /srv\nCOPY api/pyproject.toml api/poetry.lock ./api/\nRUN poetry -C api install --no-root\nCOPY . .\n"
            );
            let uv = "FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nRUN uv --directory app sync --frozen --no-install-project\n";
            assert_eq!(
                fixed(uv, &[("app/pyproject.toml", ""), ("app/uv.lock", "")]).1,
                "FROM python:3.12-slim\nWORKDIR /srv\nCOPY app/pyproject.toml app/uv.lock ./app/\nRUN uv --directory app sync --frozen --no-install-project\nCOPY . .\n"
            );
        }

        #[test]
        fn copy_to_an_absolute_path_then_workdir() {
            let src = "FROM python:3.12-slim\nCOPY . /app/\nWORKDIR /app\nRUN pip install --upgrade pip && pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
            assert_eq!(
                fixed(src, &[("requirements.txt", "flask\n"), ("app.py", "")]),
                (Safe, "FROM python:3.12-slim\nCOPY requirements.txt /app/\nWORKDIR /app\nRUN pip install --upgrade pip && pip install -r requirements.txt\nCOPY . /app/\nCMD [\"python\", \"app.py\"]\n".to_string())
            );
            // Without the project the included requirement files are unknown.
            assert_eq!(fixed(src, &[]).0, Unsafe);
        }

        #[test]
        fn relative_destination_made_absolute_across_a_workdir() {
            let src = "FROM python:3.12-slim\nWORKDIR /srv\nCOPY app/ app/\nWORKDIR /srv/app\nRUN pip install flask==3.0.0\n";
            assert_eq!(
                fixed(src, &[]).1,
                "FROM python:3.12-slim\nWORKDIR /srv\nWORKDIR /srv/app\nRUN pip install flask==3.0.0\nCOPY app/ /srv/app/\n"
            );
        }

        #[test]
        fn quiet_when_the_next_step_reads_the_code_or_nothing_costly_is_passed() {
            for src in [
                // The install reads the project.
                "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nRUN pip install -e .\n",
                "FROM python:3.12-slim\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\nCOPY . .\nRUN poetry install\n",
                // Only cheap steps below the copy.
                "FROM python:3.12-slim\nWORKDIR /app\nCOPY app/ app/\nRUN useradd app\nUSER app\n",
                // chown of the copied files needs them.
                "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN chown -R nobody /app && pip install flask\n",
            ] {
                assert_eq!(lint("LW101", src), "", "{src}");
            }
        }

        #[test]
        fn included_requirement_files_copied_on_their_own_stay() {
            let src = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt ./\nCOPY reqs/base.txt reqs/\nRUN pip install -r requirements.txt\nCOPY . .\n";
            let files = [
                ("requirements.txt", "-r reqs/base.txt\n"),
                ("reqs/base.txt", "flask\n"),
            ];
            assert_eq!(crate::test_util::lint_project("LW101", src, &files), "");
        }

        #[test]
        fn a_requirement_file_installing_the_project_keeps_the_code_first() {
            let src = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n";
            let out = crate::test_util::lint_project(
                "LW101",
                src,
                &[("requirements.txt", "-e .\nflask\n")],
            );
            assert!(out.contains("LW101") && !out.contains("fix ("), "{out}");
        }

        #[test]
        fn a_utf16_requirement_file_is_read_as_pip_reads_it() {
            use layerwise_python::text::TextEncoding;
            let dir = tempfile::tempdir().unwrap();
            for (name, text, encoding) in [
                (
                    "requirements.txt",
                    "flask==3.0.0\r\n-r base.txt\r\n",
                    TextEncoding::Utf16Le,
                ),
                ("base.txt", "six==1.16.0\n", TextEncoding::Utf16Be),
            ] {
                std::fs::write(dir.path().join(name), encoding.encode(text)).unwrap();
            }
            let project = crate::ContextDir::load(dir.path());
            let src = "FROM python:3.11\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\n";
            assert_eq!(
                crate::test_util::first_fix_in("LW101", src, Some(&project)),
                Some((Safe, "FROM python:3.11\nCOPY base.txt requirements.txt /app/\nWORKDIR /app\nRUN pip install -r requirements.txt\nCOPY . /app\n".to_string()))
            );
        }
    }
}
