//! LW106: uv with a cache mount but without `UV_LINK_MODE=copy`.

use layerwise_model::Manager;

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};
use crate::rules::helpers::{command_span, inline_env};

pub static RULE: Rule = Rule {
    code: "LW106",
    name: "uv-link-mode",
    category: Category::Cache,
    severity: Severity::Warning,
    summary: "uv installs from a cache mount without `UV_LINK_MODE=copy`",
    docs: r#"## What it does
Finds uv installs in a RUN with a cache mount where neither
`UV_LINK_MODE` nor `--link-mode` is set.

## Why is this bad?
uv hard-links files from its cache into the environment when it can. The
cache mount is on a different filesystem than the image, so uv warns on
every install and falls back to copying; setting `UV_LINK_MODE=copy` says
so up front and keeps the output quiet and predictable.

## Example
```dockerfile
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen
```

## Use instead
```dockerfile
ENV UV_LINK_MODE=copy
RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen
```
"#,
    aliases: &[],
    fixes: Fixes::Safe,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, ins) in cx.instructions() {
        let Some(run) = cx.run(i) else { continue };
        if cx.cache_mounts(ins).is_empty() || cx.model.states[i].env("UV_LINK_MODE").is_some() {
            continue;
        }
        for install in run.python.iter().filter(|p| p.manager == Manager::Uv) {
            let inv = &run.invocations[install.invocation];
            if inline_env(run, install, "UV_LINK_MODE").is_some()
                || inv.option(&["--link-mode"]).is_some()
            {
                continue;
            }
            let fix = run.editable(inv.program()).then(|| {
                Fix::new(
                    Applicability::Safe,
                    "set `UV_LINK_MODE=copy` for the command",
                    vec![Edit::insert(
                        run.span(inv.program()).start,
                        "UV_LINK_MODE=copy ",
                    )],
                )
            });
            let span = command_span(run, install.invocation).unwrap_or(ins.span);
            out.push(
                Finding::new(
                    span,
                    "uv cannot hard-link from a cache mount; set `UV_LINK_MODE=copy`",
                )
                .help("add `ENV UV_LINK_MODE=copy` to the stage")
                .fix(fix),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_uv_without_link_mode() {
        let out = lint(
            "LW106",
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen\n",
        );
        insta::assert_snapshot!(out);
        assert!(out.contains("UV_LINK_MODE=copy uv sync"));
    }

    #[test]
    fn quiet_with_link_mode() {
        assert_eq!(
            lint(
                "LW106",
                "FROM python:3.12\nENV UV_LINK_MODE=copy\nRUN --mount=type=cache,target=/root/.cache/uv uv sync\n"
            ),
            ""
        );
        assert_eq!(lint("LW106", "FROM python:3.12\nRUN uv sync\n"), "");
    }
}
