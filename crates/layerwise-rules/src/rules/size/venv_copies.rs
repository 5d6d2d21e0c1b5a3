//! LW202-LW205, LW207: copying Python environments between stages.

use layerwise_model::{Base, Stage, join_path};

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};
use crate::rules::helpers::{is_within, line_end_after, stage_label, stage_venvs};

/// A `COPY --from=<stage>` with its resolved source stage and paths.
struct StageCopy<'a> {
    index: usize,
    from: &'a Stage,
    into: &'a Stage,
    sources: Vec<(String, layerwise_syntax::Span)>,
    dest: String,
}

fn stage_copies<'a>(cx: &Context<'a>) -> Vec<StageCopy<'a>> {
    let mut out = Vec::new();
    for into in &cx.model.stages {
        for (i, ins) in cx.stage_body(into) {
            let Some(from) = cx.copy_from(ins) else {
                continue;
            };
            let Some(source) = cx
                .model
                .stage_ref(&from.value, into.index)
                .and_then(|s| cx.model.stages.get(s))
            else {
                continue;
            };
            let (sources, dest) = cx.copy_paths(ins);
            let Some(dest) = dest else { continue };
            let workdir = &cx.model.states[i].workdir;
            out.push(StageCopy {
                index: i,
                from: source,
                into,
                sources: sources
                    .iter()
                    .map(|s| (join_path("/", &s.value), s.span))
                    .collect(),
                dest: join_path(workdir, &dest.value),
            });
        }
    }
    out
}

pub static REINSTALL: Rule = Rule {
    code: "LW202",
    name: "reinstall-in-later-stage",
    category: Category::Size,
    severity: Severity::Warning,
    summary: "A stage installs again what a stage it copies from already installed",
    docs: r#"## What it does
Finds a stage that copies from an earlier stage and then installs the same
requirement files or packages that the earlier stage installed.

## Why is this bad?
The point of a builder stage is to install once and copy the result. A
second install doubles the build time, needs the network and build tools
again in the final stage, and can resolve different versions than the ones
that were copied.

## Example
```dockerfile
FROM python:3.12-slim AS builder
RUN pip install --prefix=/install -r requirements.txt
FROM python:3.12-slim
COPY --from=builder /install /usr/local
RUN pip install -r requirements.txt
```

## Use instead
```dockerfile
FROM python:3.12-slim AS builder
RUN pip install --prefix=/install -r requirements.txt
FROM python:3.12-slim
COPY --from=builder /install /usr/local
```
"#,
    aliases: &[],
    fixes: Fixes::Unsafe,
    check: check_reinstall,
};

fn installed_items(cx: &Context, stage: &Stage) -> Vec<String> {
    let mut items = Vec::new();
    for (i, _) in cx.stage_body(stage) {
        let Some(run) = cx.run(i) else { continue };
        for p in run.python.iter().filter(|p| !p.only_tooling()) {
            items.extend(
                p.requirement_files
                    .iter()
                    .map(|w| w.value.rsplit('/').next().unwrap_or("").to_string()),
            );
            items.extend(
                p.packages
                    .iter()
                    .filter(|w| !w.value.starts_with('.'))
                    .map(|w| w.value.to_ascii_lowercase()),
            );
        }
    }
    items
}

fn check_reinstall(cx: &Context, out: &mut Vec<Finding>) {
    for copy in stage_copies(cx) {
        let earlier = installed_items(cx, copy.from);
        if earlier.is_empty() {
            continue;
        }
        for (i, _) in cx.stage_body(copy.into).filter(|(i, _)| *i > copy.index) {
            let Some(run) = cx.run(i) else { continue };
            for p in run.python.iter().filter(|p| !p.only_tooling()) {
                let again = p
                    .requirement_files
                    .iter()
                    .find(|w| {
                        earlier.contains(&w.value.rsplit('/').next().unwrap_or("").to_string())
                    })
                    .or_else(|| {
                        p.packages
                            .iter()
                            .find(|w| earlier.contains(&w.value.to_ascii_lowercase()))
                    });
                if let Some(word) = again {
                    let fix = reinstall_fix(cx, &copy, i, p, &earlier);
                    out.push(
                        Finding::new(
                            run.span(word),
                            format!("`{}` was already installed in stage `{}`", word.value, stage_label(copy.from)),
                        )
                        .help("copy the installed environment from that stage instead of installing again")
                        .fix(fix),
                    );
                }
            }
        }
    }
}

/// Replaces a RUN that only reinstalls what the source stage installed into
/// its virtual environment with a copy of that environment (or removes it
/// when the environment is copied already). Unsafe: the copied environment
/// is what the builder resolved, which a fresh install might not reproduce
/// (other versions, other extras).
fn reinstall_fix(
    cx: &Context,
    copy: &StageCopy,
    run_index: usize,
    install: &layerwise_model::PythonInstall,
    earlier: &[String],
) -> Option<Fix> {
    let run = cx.run(run_index)?;
    // Only a RUN whose single command is this install can go as a whole.
    if run.script.commands.len() != 1 || run.python.len() != 1 {
        return None;
    }
    let all_installed_before = install
        .requirement_files
        .iter()
        .map(|w| w.value.rsplit('/').next().unwrap_or("").to_string())
        .chain(
            install
                .packages
                .iter()
                .map(|w| w.value.to_ascii_lowercase()),
        )
        .all(|item| earlier.contains(&item));
    let [venv] = stage_venvs(cx, copy.from).try_into().ok()?;
    if !all_installed_before || install.packages.iter().any(|w| w.value.starts_with('.')) {
        return None;
    }
    let ins = cx.model.instructions[run_index];
    let source = cx.file.source();
    // The instruction's span may or may not end with its newline.
    let written = &source[ins.span.start..ins.span.end];
    let text_end = ins.span.start + written.trim_end_matches(['\n', '\r']).len();
    let line_end = source[text_end..]
        .find('\n')
        .map_or(source.len(), |n| text_end + n + 1);
    let copied = copy.dest.trim_end_matches('/') == venv
        && copy
            .sources
            .iter()
            .any(|(src, _)| src.trim_end_matches('/') == venv);
    let from = cx.text(cx.copy_from(cx.model.instructions[copy.index])?.span);
    let edit = if copied {
        Edit::delete(layerwise_syntax::Span::new(ins.span.start, line_end))
    } else {
        Edit::replace(
            layerwise_syntax::Span::new(ins.span.start, text_end),
            format!("COPY --from={from} {venv} {venv}"),
        )
    };
    let message = if copied {
        format!(
            "remove the reinstall: `{venv}` is already copied from stage `{}`",
            stage_label(copy.from)
        )
    } else {
        format!(
            "copy `{venv}` from stage `{}` instead of installing again",
            stage_label(copy.from)
        )
    };
    Some(Fix::new(Applicability::Unsafe, message, vec![edit]))
}

pub static BASE_MISMATCH: Rule = Rule {
    code: "LW203",
    name: "venv-base-mismatch",
    category: Category::Size,
    severity: Severity::Error,
    summary: "A virtual environment is copied into a stage with a different Python",
    docs: r#"## What it does
Finds `COPY --from=<stage>` of a virtual environment or installed packages
where the two stages are built on images with a different Python version,
a different libc (Alpine's musl vs glibc) or a different interpreter path.

## Why is this bad?
A venv's `bin/python` is a link to the interpreter of the image it was
created in, and compiled wheels are built for one Python ABI and one libc.
In an image with another Python the environment fails to start, or fails
later when an extension module is imported.

## Example
```dockerfile
FROM python:3.12-slim AS builder
RUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt
FROM python:3.11-alpine
COPY --from=builder /opt/venv /opt/venv
```

## Use instead
```dockerfile
FROM python:3.12-slim AS builder
RUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt
FROM python:3.12-slim
COPY --from=builder /opt/venv /opt/venv
```
"#,
    aliases: &[],
    fixes: Fixes::None,
    check: check_base_mismatch,
};

fn is_environment_path(cx: &Context, stage: &Stage, path: &str) -> bool {
    stage_venvs(cx, stage)
        .iter()
        .any(|v| is_within(path, v) || is_within(v, path))
        || path.contains("site-packages")
        || path.contains("venv")
        || path.ends_with("/.local")
        || path.contains("/.local/lib")
}

fn check_base_mismatch(cx: &Context, out: &mut Vec<Finding>) {
    for copy in stage_copies(cx) {
        let (Some(a), Some(b)) = (&copy.from.image, &copy.into.image) else {
            continue;
        };
        if matches!(copy.into.base, Base::Stage(s) if s == copy.from.index) {
            continue;
        }
        let Some((_, span)) = copy
            .sources
            .iter()
            .find(|(p, _)| is_environment_path(cx, copy.from, p))
        else {
            continue;
        };
        let reason = if a.python_version().is_some()
            && b.python_version().is_some()
            && a.python_version() != b.python_version()
        {
            Some(format!(
                "Python {} vs {}",
                a.python_version().unwrap_or_default(),
                b.python_version().unwrap_or_default()
            ))
        } else if a.flavor() != b.flavor() {
            Some(format!("{} vs {} libc", a.flavor(), b.flavor()))
        } else if let (Some(pa), Some(pb)) = (a.python_path(), b.python_path())
            && pa != pb
        {
            Some(format!("interpreter at {pa} vs {pb}"))
        } else {
            None
        };
        if let Some(reason) = reason {
            out.push(
                Finding::new(
                    *span,
                    format!(
                        "environment built on `{}:{}` is copied into `{}:{}` ({reason})",
                        a.repository,
                        a.tag.as_deref().unwrap_or("latest"),
                        b.repository,
                        b.tag.as_deref().unwrap_or("latest")
                    ),
                )
                .help("build both stages from the same Python image"),
            );
        }
    }
}

pub static EDITABLE: Rule = Rule {
    code: "LW204",
    name: "editable-install-copied",
    category: Category::Size,
    severity: Severity::Warning,
    summary: "An editable install is copied to another stage",
    docs: r#"## What it does
Finds `pip install -e` (editable installs) in a stage whose files another
stage copies.

## Why is this bad?
An editable install does not put the package into site-packages; it leaves
a pointer to the source directory of the builder stage. Unless the
sources are copied to exactly the same path, imports fail in the final
image. A stage that copies the whole build context to the directory the
install points at (as `layerwise init` arranges, so that code edits re-run
no install) is not reported.

## Example
```dockerfile
FROM python:3.12-slim AS builder
COPY . /src
RUN python -m venv /opt/venv && /opt/venv/bin/pip install -e /src
FROM python:3.12-slim
COPY --from=builder /opt/venv /opt/venv
```

## Use instead
```dockerfile
RUN python -m venv /opt/venv && /opt/venv/bin/pip install /src
```
"#,
    aliases: &[],
    fixes: Fixes::None,
    check: check_editable,
};

fn check_editable(cx: &Context, out: &mut Vec<Finding>) {
    let copies = stage_copies(cx);
    for stage in &cx.model.stages {
        let Some(copy) = copies
            .iter()
            .find(|c| c.from.index == stage.index && c.into.reachable)
        else {
            continue;
        };
        for (i, _) in cx.stage_body(stage) {
            let Some(run) = cx.run(i) else { continue };
            let workdir = &cx.model.states[i].workdir;
            for p in &run.python {
                for e in &p.editables {
                    if context_copied_to(cx, copy.into, &join_path(workdir, &e.value)) {
                        continue;
                    }
                    out.push(
                        Finding::new(
                            run.span(e),
                            format!(
                                "editable install of `{}` is copied to stage `{}`, where its source path may not exist",
                                e.value,
                                stage_label(copy.into)
                            ),
                        )
                        .help("use a regular install (`pip install .`) in the builder stage"),
                    );
                }
            }
        }
    }
}

/// Whether `stage` copies the whole build context to `dir`, so an editable
/// install made against `dir` finds its sources there.
fn context_copied_to(cx: &Context, stage: &Stage, dir: &str) -> bool {
    cx.stage_body(stage).any(|(i, ins)| {
        if cx.copy_from(ins).is_some() {
            return false;
        }
        let (sources, dest) = cx.copy_paths(ins);
        let whole_context = sources
            .iter()
            .any(|s| matches!(s.value.trim_end_matches('/'), "." | ""));
        dest.is_some_and(|dest| {
            whole_context && join_path(&cx.model.states[i].workdir, &dest.value) == dir
        })
    })
}

pub static NOT_ON_PATH: Rule = Rule {
    code: "LW205",
    name: "venv-not-on-path",
    category: Category::Size,
    severity: Severity::Warning,
    summary: "A copied virtual environment is not put on PATH",
    docs: r#"## What it does
Finds a virtual environment copied from another stage into a stage whose
PATH does not contain the environment's `bin` directory.

## Why is this bad?
Without it, `python` and the console scripts of the installed packages
resolve to the system interpreter, which does not see the copied packages,
so the application fails with import errors. Setting `VIRTUAL_ENV` too
makes tools that look for it behave.

## Example
```dockerfile
COPY --from=builder /opt/venv /opt/venv
CMD ["python", "-m", "app"]
```

## Use instead
```dockerfile
COPY --from=builder /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH" VIRTUAL_ENV=/opt/venv
CMD ["python", "-m", "app"]
```
"#,
    aliases: &[],
    fixes: Fixes::Unsafe,
    check: check_not_on_path,
};

fn check_not_on_path(cx: &Context, out: &mut Vec<Finding>) {
    for copy in stage_copies(cx) {
        if !copy.into.reachable {
            continue;
        }
        let venvs = stage_venvs(cx, copy.from);
        let Some((src, span)) = copy
            .sources
            .iter()
            .find(|(p, _)| venvs.iter().any(|v| v == p))
        else {
            continue;
        };
        let dest = if copy.dest.ends_with('/') || copy.sources.len() > 1 {
            join_path(&copy.dest, src.rsplit('/').next().unwrap_or(""))
        } else {
            copy.dest.clone()
        };
        let bin = format!("{dest}/bin");
        let path = copy.into.final_state.path();
        if path.split(':').any(|p| p.trim_end_matches('/') == bin) {
            continue;
        }
        let ins = cx.model.instructions[copy.index];
        let source = cx.file.source();
        let (lead, trail) = line_end_after(source, ins);
        let fix = Fix::new(
            Applicability::Unsafe,
            format!("add `ENV PATH=\"{bin}:$PATH\" VIRTUAL_ENV={dest}`"),
            vec![Edit::insert(
                ins.span.end,
                format!("{lead}ENV PATH=\"{bin}:$PATH\" VIRTUAL_ENV={dest}{trail}"),
            )],
        );
        out.push(
            Finding::new(
                *span,
                format!("virtual environment copied to `{dest}` but `{bin}` is not on PATH"),
            )
            .help(format!("add `ENV PATH=\"{bin}:$PATH\" VIRTUAL_ENV={dest}`"))
            .fix(Some(fix)),
        );
    }
}

pub static USER_INSTALL: Rule = Rule {
    code: "LW207",
    name: "user-install-copied-incompletely",
    category: Category::Size,
    severity: Severity::Warning,
    summary: "Packages installed with `pip install --user` are copied without their scripts or PATH",
    docs: r#"## What it does
Finds copies of `pip install --user` results (`~/.local`) from a builder
stage that take only part of it (for example only `lib/pythonX.Y/site-packages`),
or that copy all of it without putting its `bin` directory on PATH.

## Why is this bad?
`--user` installs put modules in `~/.local/lib/…` and console scripts
(`gunicorn`, `uvicorn`, `celery`…) in `~/.local/bin`. Copy only the
modules, or forget PATH, and the entry point of the image is not found.

## Example
```dockerfile
FROM python:3.12-slim AS builder
RUN pip install --user -r requirements.txt
FROM python:3.12-slim
COPY --from=builder /root/.local/lib /root/.local/lib
CMD ["gunicorn", "app:app"]
```

## Use instead
```dockerfile
COPY --from=builder /root/.local /root/.local
ENV PATH="/root/.local/bin:$PATH"
```
"#,
    aliases: &[],
    fixes: Fixes::None,
    check: check_user_install,
};

fn check_user_install(cx: &Context, out: &mut Vec<Finding>) {
    for copy in stage_copies(cx) {
        let user_homes: Vec<String> = cx
            .stage_body(copy.from)
            .filter_map(|(i, _)| {
                let run = cx.run(i)?;
                run.python
                    .iter()
                    .any(|p| p.user.is_some())
                    .then(|| cx.model.states[i].home())
            })
            .collect();
        for home in user_homes {
            let local = format!("{}/.local", home.trim_end_matches('/'));
            for (src, span) in &copy.sources {
                if is_within(src, &local) && src != &local {
                    out.push(
                        Finding::new(*span, format!("only part of `{local}` is copied: the console scripts in `{local}/bin` are left behind"))
                            .help(format!("copy `{local}` as a whole and add its `bin` to PATH")),
                    );
                } else if src == &local {
                    let bin = format!("{}/bin", copy.dest.trim_end_matches('/'));
                    if !copy
                        .into
                        .final_state
                        .path()
                        .split(':')
                        .any(|p| p.trim_end_matches('/') == bin)
                    {
                        out.push(
                            Finding::new(
                                *span,
                                format!("`{local}` is copied but `{bin}` is not on PATH"),
                            )
                            .help(format!("add `ENV PATH=\"{bin}:$PATH\"`")),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    const BUILDER: &str = "FROM python:3.12-slim AS builder\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt\n";

    #[test]
    fn reinstall_positive_and_negative() {
        let src = format!(
            "{BUILDER}FROM python:3.12-slim\nCOPY --from=builder /opt/venv /opt/venv\nRUN pip install -r requirements.txt\n"
        );
        let out = lint("LW202", &src);
        insta::assert_snapshot!(out);
        assert!(out.contains("stage `builder`"));
        let ok =
            format!("{BUILDER}FROM python:3.12-slim\nCOPY --from=builder /opt/venv /opt/venv\n");
        assert_eq!(lint("LW202", &ok), "");
        let with_cmd = format!("{src}CMD [\"python\"]\n");
        assert!(lint("LW202", &with_cmd).contains("/opt/venv\n    | CMD"));
        // The venv is copied already: the fix drops the reinstall.
        assert!(out.contains("remove the reinstall"), "{out}");
        assert!(
            !out.contains("RUN pip install -r requirements.txt\n    |"),
            "{out}"
        );
    }

    #[test]
    fn reinstall_fix_copies_the_venv_and_leaves_mixed_runs_alone() {
        let src = format!(
            "{BUILDER}FROM python:3.12-slim\nCOPY --from=builder /app /app\nRUN pip install -r requirements.txt\nCMD [\"python\"]\n"
        );
        let out = lint("LW202", &src);
        insta::assert_snapshot!(out);
        assert!(
            out.contains("COPY --from=builder /opt/venv /opt/venv"),
            "{out}"
        );
        let mixed = format!(
            "{BUILDER}FROM python:3.12-slim\nCOPY --from=builder /app /app\nRUN pip install -r requirements.txt && python -m compileall /app\n"
        );
        let out = lint("LW202", &mixed);
        assert!(out.contains("LW202") && !out.contains("fix"), "{out}");
    }

    #[test]
    fn base_mismatch_positive_and_negative() {
        let src =
            format!("{BUILDER}FROM python:3.11-alpine\nCOPY --from=builder /opt/venv /opt/venv\n");
        let out = lint("LW203", &src);
        insta::assert_snapshot!(out);
        assert!(out.contains("3.12 vs 3.11"));
        let ok =
            format!("{BUILDER}FROM python:3.12-slim\nCOPY --from=builder /opt/venv /opt/venv\n");
        assert_eq!(lint("LW203", &ok), "");
    }

    #[test]
    fn editable_positive_and_negative() {
        let src = "FROM python:3.12 AS b\nRUN pip install -e /src\nFROM python:3.12\nCOPY --from=b /usr/local /usr/local\n";
        let out = lint("LW204", src);
        insta::assert_snapshot!(out);
        assert!(out.contains("/src"));
        assert_eq!(
            lint("LW204", "FROM python:3.12\nRUN pip install -e .\n"),
            ""
        );
        // The later stage puts the whole context at the path the install points to.
        let same_path = "FROM python:3.12 AS b\nWORKDIR /app\nRUN pip install -e .\nFROM python:3.12\nCOPY --from=b /usr/local /usr/local\nWORKDIR /app\nCOPY . .\n";
        assert_eq!(lint("LW204", same_path), "");
        let elsewhere = same_path.replace("COPY . .", "COPY . /srv");
        assert!(lint("LW204", &elsewhere).contains("editable install of `.`"));
    }

    #[test]
    fn not_on_path_positive_and_negative() {
        let src = format!(
            "{BUILDER}FROM python:3.12-slim\nCOPY --from=builder /opt/venv /opt/venv\nCMD [\"python\"]\n"
        );
        let out = lint("LW205", &src);
        insta::assert_snapshot!(out);
        assert!(out.contains("ENV PATH=\"/opt/venv/bin:$PATH\" VIRTUAL_ENV=/opt/venv"));
        let ok = format!(
            "{BUILDER}FROM python:3.12-slim\nCOPY --from=builder /opt/venv /opt/venv\nENV PATH=\"/opt/venv/bin:$PATH\"\n"
        );
        assert_eq!(lint("LW205", &ok), "");
    }

    #[test]
    fn user_install_positive_and_negative() {
        let b =
            "FROM python:3.12 AS b\nRUN pip install --user -r requirements.txt\nFROM python:3.12\n";
        let out = lint(
            "LW207",
            &format!("{b}COPY --from=b /root/.local/lib /root/.local/lib\n"),
        );
        insta::assert_snapshot!(out);
        assert!(out.contains("console scripts"));
        assert!(
            lint(
                "LW207",
                &format!("{b}COPY --from=b /root/.local /root/.local\n")
            )
            .contains("not on PATH")
        );
        assert_eq!(
            lint(
                "LW207",
                &format!(
                    "{b}COPY --from=b /root/.local /root/.local\nENV PATH=/root/.local/bin:$PATH\n"
                )
            ),
            ""
        );
    }
}
