//! LW405/LW406: duplicate and reserved stage names.

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static DUPLICATE: Rule = Rule {
    code: "LW405",
    name: "duplicate-stage-name",
    category: Category::Buildkit,
    severity: Severity::Error,
    summary: "Two stages have the same name",
    docs: r#"## What it does
Finds a stage name used by an earlier stage (compared case-insensitively).

## Why is this bad?
`COPY --from=` and `--target` can reach only one of them; BuildKit rejects
the file.

## Example
```dockerfile
FROM python:3.12 AS build
FROM python:3.12 AS build
```

## Use instead
```dockerfile
FROM python:3.12 AS build
FROM python:3.12 AS test
```
"#,
    aliases: &["DuplicateStageName"],
    fixes: Fixes::None,
    check: check_duplicate,
};

pub static RESERVED: Rule = Rule {
    code: "LW406",
    name: "reserved-stage-name",
    category: Category::Buildkit,
    severity: Severity::Error,
    summary: "A stage is named `scratch` or `context`",
    docs: r#"## What it does
Finds stages named `scratch` or `context`.

## Why is this bad?
Both names already mean something to BuildKit (the empty image, the build
context), so the stage cannot be referenced.

## Example
```dockerfile
FROM python:3.12 AS context
```

## Use instead
```dockerfile
FROM python:3.12 AS base
```
"#,
    aliases: &["ReservedStageName"],
    fixes: Fixes::None,
    check: check_reserved,
};

fn check_duplicate(cx: &Context, out: &mut Vec<Finding>) {
    for (i, stage) in cx.model.stages.iter().enumerate() {
        let (Some(name), Some(span)) = (&stage.name, stage.name_span) else {
            continue;
        };
        let first_use = cx.model.stages[..i]
            .iter()
            .find(|s| s.name.as_ref() == Some(name))
            .and_then(|s| s.name_span);
        if let Some(first_span) = first_use {
            out.push(
                Finding::new(
                    span,
                    format!("stage name `{name}` is already used by an earlier stage"),
                )
                .related(first_span, format!("`{name}` first names this stage")),
            );
        }
    }
}

fn check_reserved(cx: &Context, out: &mut Vec<Finding>) {
    for stage in &cx.model.stages {
        let (Some(name), Some(span)) = (&stage.name, stage.name_span) else {
            continue;
        };
        if name == "scratch" || name == "context" {
            out.push(Finding::new(
                span,
                format!("`{name}` is reserved and cannot name a stage"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_duplicates_and_reserved() {
        let src =
            "FROM python:3.12 AS build\nFROM python:3.12 AS BUILD\nFROM python:3.12 AS scratch\n";
        let out = format!("{}{}", lint("LW405", src), lint("LW406", src));
        insta::assert_snapshot!(out);
        assert!(out.contains("LW405") && out.contains("LW406"));
    }

    #[test]
    fn quiet_for_unique_names() {
        let src = "FROM python:3.12 AS build\nFROM python:3.12 AS test\n";
        assert_eq!(lint("LW405", src), "");
        assert_eq!(lint("LW406", src), "");
    }
}
