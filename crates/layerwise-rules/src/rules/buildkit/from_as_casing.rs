//! LW402: `FROM` and `AS` written in different case.

use layerwise_syntax::{Arguments, InstructionKind};

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW402",
    name: "from-as-casing",
    category: Category::Buildkit,
    severity: Severity::Warning,
    summary: "The `AS` keyword does not match the case of `FROM`",
    docs: r#"## What it does
Finds `FROM … as name` (or `from … AS name`): the two keywords in
different case.

## Why is this bad?
It is valid, but inconsistent casing makes the file harder to scan and
BuildKit warns about it.

## Example
```dockerfile
FROM python:3.12 as builder
```

## Use instead
```dockerfile
FROM python:3.12 AS builder
```
"#,
    aliases: &["FromAsCasing"],
    fixes: Fixes::Safe,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in cx.instructions() {
        if ins.kind != InstructionKind::From {
            continue;
        }
        let Arguments::Words(words) = &ins.arguments else {
            continue;
        };
        let Some(kw) = words.get(1).filter(|w| w.value.eq_ignore_ascii_case("as")) else {
            continue;
        };
        let from_upper = ins.keyword.value == ins.keyword.value.to_ascii_uppercase();
        let from_lower = ins.keyword.value == ins.keyword.value.to_ascii_lowercase();
        let want = if from_upper {
            "AS"
        } else if from_lower {
            "as"
        } else {
            continue;
        };
        if kw.value == want {
            continue;
        }
        let fix = Fix::new(
            Applicability::Safe,
            format!("write `{want}`"),
            vec![Edit::replace(kw.span, want)],
        );
        out.push(
            Finding::new(
                kw.span,
                format!(
                    "`{}` does not match the case of `{}`",
                    kw.value, ins.keyword.value
                ),
            )
            .fix(Some(fix)),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_mismatched_as() {
        let out = lint("LW402", "FROM python:3.12 as builder\n");
        insta::assert_snapshot!(out);
        assert!(out.contains("AS builder"));
    }

    #[test]
    fn quiet_when_matching() {
        assert_eq!(
            lint("LW402", "FROM python:3.12 AS a\nfrom python:3.12 as b\n"),
            ""
        );
    }
}
