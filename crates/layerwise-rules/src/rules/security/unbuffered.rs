//! LW305: a Python image without `PYTHONUNBUFFERED`.

use layerwise_syntax::InstructionKind;

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};
use crate::rules::helpers::line_end_after;

pub static RULE: Rule = Rule {
    code: "LW305",
    name: "missing-pythonunbuffered",
    category: Category::Security,
    severity: Severity::Info,
    summary: "The final Python stage does not set `PYTHONUNBUFFERED`",
    docs: r#"## What it does
Finds a final stage that runs Python (a Python base image or installed
Python packages, and a CMD or ENTRYPOINT) without `PYTHONUNBUFFERED` in
its environment.

## Why is this bad?
Python block-buffers stdout when it is not a terminal, which is the case
in a container. Log lines show up late, out of order with stderr, or not
at all when the process crashes or is killed.

## Example
```dockerfile
FROM python:3.12-slim
CMD ["python", "app.py"]
```

## Use instead
```dockerfile
FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1
CMD ["python", "app.py"]
```
"#,
    aliases: &[],
    fixes: Fixes::Safe,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(stage) = cx.final_stage() else {
        return;
    };
    if stage.final_state.env("PYTHONUNBUFFERED").is_some() || !cx.is_python_stage(stage) {
        return;
    }
    let runs_something = cx
        .stage_body(stage)
        .any(|(_, ins)| matches!(ins.kind, InstructionKind::Cmd | InstructionKind::Entrypoint));
    if !runs_something {
        return;
    }
    let from = cx.model.instructions[stage.from];
    let (lead, trail) = line_end_after(cx.file.source(), from);
    let fix = Fix::new(
        Applicability::Safe,
        "add `ENV PYTHONUNBUFFERED=1`",
        vec![Edit::insert(
            from.span.end,
            format!("{lead}ENV PYTHONUNBUFFERED=1{trail}"),
        )],
    );
    out.push(
        Finding::new(
            cx.first_line_span(from),
            "Python output is buffered: `PYTHONUNBUFFERED` is not set in the final stage",
        )
        .help("add `ENV PYTHONUNBUFFERED=1`")
        .fix(Some(fix)),
    );
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_missing_unbuffered() {
        let out = lint(
            "LW305",
            "FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n",
        );
        insta::assert_snapshot!(out);
        assert!(out.contains("ENV PYTHONUNBUFFERED=1"));
    }

    #[test]
    fn quiet_when_set_or_not_python() {
        assert_eq!(
            lint(
                "LW305",
                "FROM python:3.12-slim\nENV PYTHONUNBUFFERED=1\nCMD [\"python\"]\n"
            ),
            ""
        );
        assert_eq!(lint("LW305", "FROM nginx:1.27\nCMD [\"nginx\"]\n"), "");
    }
}
