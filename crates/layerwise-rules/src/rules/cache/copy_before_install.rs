//! LW101: the whole context is copied before the dependency install.

use layerwise_model::{Manager, PythonInstall};

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::project::Project;
use crate::registry::{Category, Rule};
use crate::rules::helpers::{install_label, real_installs};

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
"#,
    aliases: &[],
    fixable: false,
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
        for (pos, &(_, ins)) in body.iter().enumerate() {
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
            out.push(Finding::new(cx.first_line_span(ins), message).help(help));
        }
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
