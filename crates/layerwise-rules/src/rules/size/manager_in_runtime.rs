//! LW206: Poetry, Pipenv, PDM or uv left in the runtime image.

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};
use crate::rules::helpers::stage_chain;

pub static RULE: Rule = Rule {
    code: "LW206",
    name: "package-manager-in-runtime",
    category: Category::Size,
    severity: Severity::Info,
    summary: "A project manager (Poetry, Pipenv, PDM, uv) is installed in the final image",
    docs: r#"## What it does
Finds `pip install poetry` (or pipenv, pdm, uv) and `COPY --from` of the uv
image in the stage that is shipped.

## Why is this bad?
These tools resolve and install dependencies; the application does not
need them at run time. They add tens of megabytes and their own
dependencies to the image. Install with them in a builder stage and copy
the resulting virtual environment.

## Example
```dockerfile
FROM python:3.12-slim
RUN pip install poetry && poetry install --only main
```

## Use instead
```dockerfile
FROM python:3.12-slim AS builder
RUN pip install poetry
RUN poetry export -f requirements.txt -o requirements.txt && \
    python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt
FROM python:3.12-slim
COPY --from=builder /opt/venv /opt/venv
```
"#,
    aliases: &[],
    fixes: Fixes::None,
    check,
};

const MANAGERS: &[&str] = &["poetry", "pipenv", "pdm", "uv"];

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(target) = cx.final_stage() else {
        return;
    };
    if cx.model.stages.len() < 2 {
        // A single-stage build has no other place to run the tool.
        return;
    }
    for stage in stage_chain(cx, target) {
        for (i, ins) in cx.stage_body(stage) {
            if let Some(from) = cx.copy_from(ins)
                && from.value.contains("astral-sh/uv")
            {
                out.push(Finding::new(from.span, "uv is copied into the final image").help("copy uv into a builder stage, or use `RUN --mount=from=ghcr.io/astral-sh/uv,source=/uv,target=/bin/uv`"));
            }
            let Some(run) = cx.run(i) else { continue };
            for p in &run.python {
                for pkg in &p.packages {
                    let name = pkg
                        .value
                        .split(['=', '<', '>', '~', '!', '['])
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    if MANAGERS.contains(&name.as_str()) {
                        out.push(
                            Finding::new(run.span(pkg), format!("`{name}` is installed in the final image"))
                                .help("install and run it in a builder stage; copy only the virtual environment"),
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

    #[test]
    fn flags_manager_in_final_stage() {
        let out = lint(
            "LW206",
            "FROM python:3.12 AS b\nRUN true\nFROM python:3.12\nRUN pip install poetry==1.8.3 && poetry install\n",
        );
        insta::assert_snapshot!(out);
        assert!(out.contains("`poetry`"));
    }

    #[test]
    fn quiet_in_builder() {
        assert_eq!(
            lint(
                "LW206",
                "FROM python:3.12 AS b\nRUN pip install poetry\nFROM python:3.12\nCOPY --from=b /opt/venv /opt/venv\n"
            ),
            ""
        );
    }
}
