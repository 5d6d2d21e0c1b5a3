//! LW101: the whole context is copied before the dependency install.

use std::path::Path;

use layerwise_model::{Manager, PythonInstall};
use layerwise_syntax::{Instruction, InstructionKind, Span};

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::project::Project;
use crate::registry::{Category, Fixes, Rule};
use crate::rules::helpers::{install_label, is_local_path, newline, real_installs, text_end};

pub static RULE: Rule = Rule {
    code: "LW101",
    name: "copy-before-install",
    category: Category::Cache,
    severity: Severity::Warning,
    summary: "The whole build context is copied before the dependency install",
    docs: r#"## What it does
Finds a `COPY . .` (or `COPY . /app`, `ADD . .`, `COPY * ./`) that comes
before a Python dependency install in the same stage.

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
The fix replaces the whole-context COPY with COPYs of the manifests the
install reads (same flags, same destination) and moves the original COPY
after the install. It is safe when the build context is known and every
manifest exists in it with no local-path entries; without the project
directory the included requirement files are unknown, and the fix is
unsafe. No fix is offered when a RUN between the copy and the install may
use the sources, or when the install builds the project itself.
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
pub fn manifests(install: &PythonInstall, project: Option<&Project>) -> Vec<String> {
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

/// `pip install --no-deps .`, or a `uv sync` (the project on top of the
/// dependencies an earlier `uv sync --no-install-project` put in place).
fn installs_only_the_project(run: &layerwise_model::Run, install: &PythonInstall) -> bool {
    install.only_local_project()
        || (install.manager == Manager::Uv
            && run
                .invocations
                .get(install.invocation)
                .is_some_and(|i| i.sub() == "sync"))
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for stage in &cx.model.stages {
        let body: Vec<_> = cx.stage_body(stage).collect();
        for (pos, &(ci, ins)) in body.iter().enumerate() {
            if !cx.is_whole_context_copy(ins) {
                continue;
            }
            // Dependencies already installed before the copy make a later
            // install of the project itself cheap: it needs the sources.
            let deps_installed_before = body[..pos].iter().any(|&(j, _)| {
                cx.run(j)
                    .is_some_and(|run| real_installs(run).next().is_some())
            });
            let install = body[pos + 1..].iter().find_map(|&(j, _)| {
                let run = cx.run(j)?;
                real_installs(run)
                    .find(|i| !(deps_installed_before && installs_only_the_project(run, i)))
                    .map(|i| (j, run, i))
            });
            let Some((j, run, install)) = install else {
                continue;
            };
            let files = manifests(install, cx.project);
            let label = install_label(run, install);
            let line = cx.line(cx.model.instructions[j].span.start);
            let copy = cx.text(cx.first_line_span(ins)).trim().to_string();
            let message = format!(
                "`{copy}` copies the whole context before `{label}` (line {line}), so every code change re-runs the install"
            );
            let help = if files.is_empty() {
                format!("run `{label}` before `{copy}`: it does not need the sources")
            } else {
                let copies: Vec<String> = layerwise_python::group_by_directory(&files)
                    .into_iter()
                    .map(|(dir, list)| {
                        let dir = if dir.is_empty() {
                            "./".to_string()
                        } else {
                            dir
                        };
                        format!("`COPY {} {dir}`", list.join(" "))
                    })
                    .collect();
                format!(
                    "copy the dependency manifests first ({}), install, then copy the rest",
                    copies.join(", ")
                )
            };
            out.push(
                Finding::new(cx.first_line_span(ins), message)
                    .help(help)
                    .fix(fix(cx, ci)),
            );
        }
    }
}

/// LW101: copy the manifests in place of the whole-context COPY and move
/// that COPY after the install.
fn fix(cx: &Context, ci: usize) -> Option<Fix> {
    let copy = cx.model.instructions[ci];
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
        if !inst.editables.is_empty() || inst.packages.iter().any(|p| is_local_path(&p.value)) {
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
                        l.starts_with("-e") || l.starts_with("--editable") || is_local_path(l)
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

#[cfg(test)]
mod tests {
    use crate::test_util::{lint, lint_project};

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
                "(`COPY requirements.txt ./`, `COPY requirements/base.txt requirements/constraints.txt requirements/`)"
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
}
