//! LW102: a Python dependency install without a BuildKit cache mount.

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};
use crate::rules::helpers::{cache_dir, command_span, delete_word, install_label, real_installs};

pub static RULE: Rule = Rule {
    code: "LW102",
    name: "missing-cache-mount",
    category: Category::Cache,
    severity: Severity::Warning,
    summary: "A Python dependency install runs without a BuildKit cache mount",
    docs: r#"## What it does
Finds `pip install`, `uv pip install`, `uv sync`, `poetry install`,
`pipenv install` and `pdm install` in a RUN that has no
`--mount=type=cache`.

## Why is this bad?
Whenever the install step re-runs (a changed manifest, a new base image),
every package is downloaded and built again. A cache mount keeps the
package manager's cache between builds without putting it in the image, so
re-runs only fetch what changed. `--no-cache-dir` keeps the image small but
throws that reuse away; the cache mount gives both.

## Example
```dockerfile
RUN pip install --no-cache-dir -r requirements.txt
```

## Use instead
```dockerfile
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```

The fix adds the mount with the target the tool uses for the effective user
(`PIP_CACHE_DIR`/`UV_CACHE_DIR` and `HOME` are taken into account) and drops
`--no-cache-dir`; it is marked unsafe because the cache directory must be
writable by that user.
"#,
    aliases: &[],
    fixes: Fixes::Unsafe,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, ins) in cx.instructions() {
        let Some(run) = cx.run(i) else { continue };
        if !cx.cache_mounts(ins).is_empty() {
            continue;
        }
        let Some(install) = real_installs(run).next() else {
            continue;
        };
        let state = &cx.model.states[i];
        let target = cache_dir(install.manager, state);
        let span = command_span(run, install.invocation).unwrap_or_else(|| cx.first_line_span(ins));
        let label = install_label(run, install);
        let mut edits = vec![Edit::insert(
            ins.keyword.span.end,
            format!(" --mount=type=cache,target={target}"),
        )];
        for inst in &run.python {
            if let Some(word) = &inst.no_cache {
                edits.extend(delete_word(cx.file.source(), run, word));
            }
        }
        let fix = (!run.exec_form).then(|| {
            Fix::new(
                Applicability::Unsafe,
                format!("add a cache mount on `{target}`"),
                edits,
            )
        });
        out.push(
            Finding::new(span, format!("`{label}` runs without a cache mount: each re-run downloads every package again"))
                .help(format!("add `--mount=type=cache,target={target}` to the RUN instead of disabling the cache"))
                .fix(fix),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_install_without_mount() {
        let out = lint(
            "LW102",
            "FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt\n",
        );
        assert!(out.contains("target=/root/.cache/pip"));
        insta::assert_snapshot!(out);
    }

    #[test]
    fn uses_the_effective_home_and_overrides() {
        let out = lint(
            "LW102",
            "FROM python:3.12-slim\nRUN useradd -m app\nUSER app\nRUN uv sync --frozen\n",
        );
        assert!(out.contains("target=/home/app/.cache/uv"), "{out}");
        let out = lint(
            "LW102",
            "FROM python:3.12-slim\nENV PIP_CACHE_DIR=/cache/pip\nRUN pip install x\n",
        );
        assert!(out.contains("target=/cache/pip"), "{out}");
    }

    #[test]
    fn quiet_with_mount_or_tooling_only() {
        assert_eq!(
            lint(
                "LW102",
                "FROM python:3\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
            ),
            ""
        );
        assert_eq!(
            lint("LW102", "FROM python:3\nRUN pip install --upgrade pip\n"),
            ""
        );
    }
}
