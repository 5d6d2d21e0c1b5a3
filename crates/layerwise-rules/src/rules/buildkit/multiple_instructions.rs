//! LW411: several CMD, ENTRYPOINT or HEALTHCHECK in one stage.

use layerwise_syntax::InstructionKind;

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW411",
    name: "multiple-instructions-disallowed",
    category: Category::Buildkit,
    severity: Severity::Warning,
    summary: "A stage has more than one CMD, ENTRYPOINT or HEALTHCHECK",
    docs: r#"## What it does
Finds every `CMD`, `ENTRYPOINT` and `HEALTHCHECK` of a stage that a later
one of the same kind overrides.

## Why is this bad?
Only the last one takes effect; the others are dead code that misleads
readers.

## Example
```dockerfile
CMD ["python", "manage.py", "migrate"]
CMD ["gunicorn", "app.wsgi"]
```

## Use instead
```dockerfile
CMD ["gunicorn", "app.wsgi"]
```
"#,
    aliases: &["MultipleInstructionsDisallowed", "DL4003", "DL4004"],
    fixes: Fixes::None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for stage in &cx.model.stages {
        let body: Vec<_> = cx.stage_body(stage).collect();
        for (pos, (_, ins)) in body.iter().enumerate() {
            if !matches!(
                ins.kind,
                InstructionKind::Cmd | InstructionKind::Entrypoint | InstructionKind::Healthcheck
            ) {
                continue;
            }
            if let Some((_, later)) = body[pos + 1..]
                .iter()
                .find(|(_, later)| later.kind == ins.kind)
            {
                let kw = ins.kind.keyword();
                out.push(
                    Finding::new(
                        cx.first_line_span(ins),
                        format!("this {kw} is overridden by a later {kw} in the same stage"),
                    )
                    .related(
                        cx.first_line_span(later),
                        format!("this {kw} replaces the earlier one"),
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_overridden_cmd() {
        let out = lint("LW411", "FROM python:3.12\nCMD [\"a\"]\nCMD [\"b\"]\n");
        insta::assert_snapshot!(out);
        assert!(out.starts_with("2:1"));
    }

    #[test]
    fn quiet_across_stages() {
        assert_eq!(
            lint(
                "LW411",
                "FROM python:3.12 AS a\nCMD [\"a\"]\nFROM a\nCMD [\"b\"]\n"
            ),
            ""
        );
    }
}
