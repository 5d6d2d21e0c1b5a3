//! LW412: `ENV key value` instead of `ENV key=value`.

use layerwise_syntax::{Arguments, InstructionKind, Separator, Span};

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW412",
    name: "legacy-key-value-format",
    category: Category::Buildkit,
    severity: Severity::Warning,
    summary: "ENV or LABEL uses the legacy `key value` form",
    docs: r#"## What it does
Finds `ENV NAME value` and `LABEL name value` written with a space instead
of `=`.

## Why is this bad?
In the legacy form the whole rest of the line is the value, so
`ENV A 1 B 2` sets one variable `A` to `1 B 2`. The `key=value` form is
unambiguous and allows several pairs per instruction.

## Example
```dockerfile
ENV PYTHONUNBUFFERED 1
```

## Use instead
```dockerfile
ENV PYTHONUNBUFFERED=1
```
"#,
    aliases: &["LegacyKeyValueFormat"],
    fixes: Fixes::Safe,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in cx.instructions() {
        if !matches!(ins.kind, InstructionKind::Env | InstructionKind::Label) {
            continue;
        }
        let Arguments::KeyValues(pairs) = &ins.arguments else {
            continue;
        };
        for kv in pairs
            .iter()
            .filter(|kv| kv.separator == Separator::Whitespace)
        {
            let gap = Span::new(kv.key.span.end, kv.value.span.start);
            let value = &kv.value.value;
            let simple = !value.is_empty()
                && !value.contains(char::is_whitespace)
                && cx.text(gap).trim().is_empty();
            let fix = simple.then(|| {
                Fix::new(
                    Applicability::Safe,
                    "use `key=value`",
                    vec![Edit::replace(gap, "=")],
                )
            });
            let kw = ins.kind.keyword();
            out.push(
                Finding::new(
                    kv.span,
                    format!(
                        "`{kw} {} …` uses the legacy form; write `{}=…`",
                        kv.key.value, kv.key.value
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
    fn flags_legacy_env() {
        let out = lint("LW412", "FROM python:3.12\nENV PYTHONUNBUFFERED 1\n");
        insta::assert_snapshot!(out);
        assert!(out.contains("ENV PYTHONUNBUFFERED=1"));
    }

    #[test]
    fn quiet_for_equals() {
        assert_eq!(
            lint("LW412", "FROM python:3.12\nENV A=1 B=\"x y\"\nLABEL a=b\n"),
            ""
        );
    }
}
