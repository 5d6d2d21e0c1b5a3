//! LW103: the package cache is disabled on a RUN that has a cache mount.

use crate::context::Context;
use crate::diagnostic::{Applicability, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};
use crate::rules::helpers::{command_span, delete_word, inline_env, install_label, truthy};

pub static RULE: Rule = Rule {
    code: "LW103",
    name: "no-cache-with-cache-mount",
    category: Category::Cache,
    severity: Severity::Warning,
    summary: "`--no-cache-dir`, `PIP_NO_CACHE_DIR` or `UV_NO_CACHE` defeats the RUN's cache mount",
    docs: r#"## What it does
Finds installs that disable the package cache (`--no-cache-dir`,
`--no-cache`, `PIP_NO_CACHE_DIR`, `UV_NO_CACHE`) in a RUN that mounts a
BuildKit cache.

## Why is this bad?
The cache mount exists to keep downloaded packages between builds, outside
the image. Disabling the cache means nothing is written to the mount, so
every re-run downloads everything again, and the mount is dead weight.

## Example
```dockerfile
RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir -r requirements.txt
```

## Use instead
```dockerfile
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```
"#,
    aliases: &[],
    fixes: Fixes::Safe,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, ins) in cx.instructions() {
        let Some(run) = cx.run(i) else { continue };
        if cx.cache_mounts(ins).is_empty() {
            continue;
        }
        let state = &cx.model.states[i];
        for install in &run.python {
            let label = install_label(run, install);
            if let Some(word) = &install.no_cache {
                let fix = delete_word(cx.file.source(), run, word).map(|e| {
                    Fix::new(
                        Applicability::Safe,
                        format!("remove `{}`", word.value),
                        vec![e],
                    )
                });
                out.push(
                    Finding::new(
                        run.span(word),
                        format!(
                            "`{}` stops `{label}` from using the cache mount",
                            word.value
                        ),
                    )
                    .fix(fix),
                );
                continue;
            }
            let var = match install.manager {
                layerwise_model::Manager::Uv => "UV_NO_CACHE",
                _ => "PIP_NO_CACHE_DIR",
            };
            if let Some(word) = inline_env(run, install, var) {
                let value = word.value.split_once('=').map_or("", |(_, v)| v);
                if truthy(value) {
                    let fix = delete_word(cx.file.source(), run, word).map(|e| {
                        Fix::new(
                            Applicability::Safe,
                            format!("remove `{}`", word.value),
                            vec![e],
                        )
                    });
                    out.push(
                        Finding::new(
                            run.span(word),
                            format!("`{var}` stops `{label}` from using the cache mount"),
                        )
                        .fix(fix),
                    );
                }
            } else if state.env(var).is_some_and(truthy) {
                let span = command_span(run, install.invocation).unwrap_or(ins.span);
                out.push(
                    Finding::new(
                        span,
                        format!("`{var}` (set by ENV) stops `{label}` from using the cache mount"),
                    )
                    .help(format!(
                        "remove `{var}` from the ENV, or unset it for this command"
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_no_cache_dir_with_mount() {
        let out = lint(
            "LW103",
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip \\\n    pip install --no-cache-dir -r requirements.txt\n",
        );
        assert!(out.contains("fix (Safe)"));
        insta::assert_snapshot!(out);
    }

    #[test]
    fn flags_env_switches() {
        let out = lint(
            "LW103",
            "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n",
        );
        assert!(out.contains("PIP_NO_CACHE_DIR"), "{out}");
        let out = lint(
            "LW103",
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/uv UV_NO_CACHE=1 uv sync\n",
        );
        assert!(out.contains("UV_NO_CACHE"), "{out}");
    }

    #[test]
    fn quiet_without_mount_or_switch() {
        assert_eq!(
            lint(
                "LW103",
                "FROM python:3.12\nRUN pip install --no-cache-dir x\n"
            ),
            ""
        );
        assert_eq!(
            lint(
                "LW103",
                "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
            ),
            ""
        );
    }
}
