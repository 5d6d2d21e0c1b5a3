//! LW401: stage names should be lowercase.

use layerwise_syntax::Arguments;

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW401",
    name: "stage-name-casing",
    category: Category::Buildkit,
    severity: Severity::Warning,
    summary: "A stage name is not lowercase",
    docs: r#"## What it does
Finds `FROM … AS Name` where the stage name has uppercase letters.

## Why is this bad?
BuildKit compares stage names case-insensitively, and image references
must be lowercase; mixed case makes `COPY --from=` and `--target` look like
they refer to something else.

## Example
```dockerfile
FROM python:3.12 AS Builder
```

## Use instead
```dockerfile
FROM python:3.12 AS builder
```
"#,
    aliases: &["StageNameCasing"],
    fixes: Fixes::Safe,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in cx.instructions() {
        let Arguments::Words(words) = &ins.arguments else {
            continue;
        };
        let [_, kw, name, ..] = words.as_slice() else {
            continue;
        };
        if !kw.value.eq_ignore_ascii_case("as") || name.value == name.value.to_ascii_lowercase() {
            continue;
        }
        let lower = name.value.to_ascii_lowercase();
        let fix = (cx.text(name.span) == name.value).then(|| {
            Fix::new(
                Applicability::Safe,
                format!("rename to `{lower}`"),
                vec![Edit::replace(name.span, lower.clone())],
            )
        });
        out.push(
            Finding::new(
                name.span,
                format!("stage name `{}` should be lowercase", name.value),
            )
            .fix(fix),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_uppercase_stage() {
        let out = lint("LW401", "FROM python:3.12 AS Builder\n");
        insta::assert_snapshot!(out);
        assert!(out.contains("AS builder"));
    }

    #[test]
    fn quiet_for_lowercase() {
        assert_eq!(lint("LW401", "FROM python:3.12 AS builder\n"), "");
    }
}
