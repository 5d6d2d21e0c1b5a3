//! LW105: a cache mount that the install does not use.

use layerwise_syntax::MountField;

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};
use crate::rules::helpers::{cache_dir, install_label, is_within, real_installs};

pub static RULE: Rule = Rule {
    code: "LW105",
    name: "cache-mount-target-mismatch",
    category: Category::Cache,
    severity: Severity::Warning,
    summary: "The cache mount target is not the directory the package manager caches in",
    docs: r#"## What it does
Compares the cache mounts of a RUN with the cache directory of the
installer it runs, for the effective user: pip uses `~/.cache/pip`, uv
`~/.cache/uv`, Poetry `~/.cache/pypoetry`, where `~` is the HOME of the
current `USER`, unless `PIP_CACHE_DIR`, `UV_CACHE_DIR`, `POETRY_CACHE_DIR`
or `XDG_CACHE_HOME` move it.

## Why is this bad?
A mount on a directory the tool never reads is an empty promise: the
install still downloads everything. The common cases are copying
`/root/.cache/pip` into a stage that runs as a non-root user, and mounting
the pip cache for a uv install.

## Example
```dockerfile
USER app
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```

## Use instead
```dockerfile
USER app
RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000 pip install -r requirements.txt
```
"#,
    aliases: &[],
    fixes: Fixes::Unsafe,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, ins) in cx.instructions() {
        let Some(run) = cx.run(i) else { continue };
        let mounts = cx.cache_mounts(ins);
        if mounts.is_empty() {
            continue;
        }
        let state = &cx.model.states[i];
        let mut reported = false;
        for install in real_installs(run) {
            let want = cache_dir(install.manager, state);
            let matched = mounts.iter().any(|m| {
                m.target.as_deref().is_some_and(|t| {
                    is_within(&want, t.trim_end_matches('/')) || is_within(t, &want)
                })
            });
            if matched || reported {
                continue;
            }
            reported = true;
            let mount = mounts[0];
            let option = mount.option(MountField::Target);
            let span = option.map_or(mount.span, |o| o.span);
            let fix = match (mounts.len(), option.and_then(|o| o.value.as_ref())) {
                (1, Some(value))
                    if !value.value.contains('$') && cx.text(value.span) == value.value =>
                {
                    Some(Fix::new(
                        Applicability::Unsafe,
                        format!("mount `{want}`"),
                        vec![Edit::replace(value.span, want.clone())],
                    ))
                }
                _ => None,
            };
            let label = install_label(run, install);
            let target = mount.target.clone().unwrap_or_default();
            let who = if state.is_root() {
                String::new()
            } else {
                format!(" as `{}`", state.user.as_deref().unwrap_or_default())
            };
            out.push(
                Finding::new(
                    span,
                    format!(
                        "cache mount targets `{target}`, but `{label}`{who} caches in `{want}`"
                    ),
                )
                .fix(fix),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_root_cache_for_non_root_user() {
        let out = lint(
            "LW105",
            "FROM python:3.12\nRUN useradd -m app\nUSER app\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
        );
        assert!(out.contains("/home/app/.cache/pip"), "{out}");
        insta::assert_snapshot!(out);
    }

    #[test]
    fn flags_wrong_tool() {
        let out = lint(
            "LW105",
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip uv pip install x\n",
        );
        assert!(out.contains("/root/.cache/uv"), "{out}");
    }

    #[test]
    fn quiet_when_target_matches() {
        assert_eq!(
            lint(
                "LW105",
                "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache pip install x\n"
            ),
            ""
        );
        assert_eq!(
            lint(
                "LW105",
                "FROM python:3.12\nENV UV_CACHE_DIR=/uv\nRUN --mount=type=cache,target=/uv uv sync\n"
            ),
            ""
        );
    }
}
