//! LW301: the final image runs as root.

use layerwise_syntax::InstructionKind;

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW301",
    name: "root-user",
    category: Category::Security,
    severity: Severity::Warning,
    summary: "The final stage runs as root",
    docs: r#"## What it does
Finds a final stage whose effective user (after inheriting from the stages
it is built on) is root: no `USER`, or a last `USER root`/`USER 0`.

## Why is this bad?
A process running as root in the container is root on any volume it can
reach and one kernel bug away from root on the host. Python applications
need no privileges at run time; create a user and switch to it after the
install steps.

## Example
```dockerfile
FROM python:3.12-slim
COPY . /app
CMD ["python", "/app/main.py"]
```

## Use instead
```dockerfile
FROM python:3.12-slim
RUN useradd --create-home --uid 10001 app
COPY --chown=app . /app
USER app
CMD ["python", "/app/main.py"]
```
"#,
    aliases: &["DL3002"],
    fixes: Fixes::None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(stage) = cx.final_stage() else {
        return;
    };
    if !stage.final_state.is_root() {
        return;
    }
    if matches!(stage.base, layerwise_model::Base::Scratch) {
        return;
    }
    let last_user = cx
        .stage_body(stage)
        .filter(|(_, ins)| ins.kind == InstructionKind::User)
        .last();
    match last_user {
        Some((_, ins)) => out.push(
            Finding::new(
                cx.first_line_span(ins),
                "the last USER of the final stage is root",
            )
            .help("switch to an unprivileged user at the end of the final stage"),
        ),
        None => {
            let from = cx.model.instructions[stage.from];
            out.push(
                Finding::new(
                    cx.first_line_span(from),
                    "the final stage runs as root: it never sets USER",
                )
                .help("create a user (`useradd --create-home app`) and add `USER app`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_root_final_stage() {
        let out = lint("LW301", "FROM python:3.12\nUSER app\nUSER root\n");
        insta::assert_snapshot!(out);
        assert!(out.starts_with("3:1"));
        assert!(lint("LW301", "FROM python:3.12\nCMD python\n").contains("never sets USER"));
    }

    #[test]
    fn quiet_with_user_or_inherited() {
        assert_eq!(lint("LW301", "FROM python:3.12\nUSER app\n"), "");
        assert_eq!(
            lint(
                "LW301",
                "FROM python:3.12 AS base\nUSER 10001\nFROM base\nRUN true\n"
            ),
            ""
        );
        assert_eq!(
            lint(
                "LW301",
                "FROM python:3.12 AS b\nFROM python:3.12\nUSER app\n"
            ),
            ""
        );
    }
}
