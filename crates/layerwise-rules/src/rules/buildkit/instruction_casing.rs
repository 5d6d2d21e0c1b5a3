//! LW404: instruction keywords in inconsistent case.

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW404",
    name: "consistent-instruction-casing",
    category: Category::Buildkit,
    severity: Severity::Warning,
    summary: "Instruction keywords are not consistently upper- or lowercase",
    docs: r#"## What it does
Finds instruction keywords written in mixed case (`Run`), or in a case that
differs from the majority of the file.

## Why is this bad?
Keywords are case-insensitive, but a consistent style keeps the file easy
to read; BuildKit warns about it.

## Example
```dockerfile
FROM python:3.12
run pip install flask
```

## Use instead
```dockerfile
FROM python:3.12
RUN pip install flask
```
"#,
    aliases: &["ConsistentInstructionCasing"],
    fixes: Fixes::Safe,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let (mut upper, mut lower) = (0, 0);
    for (_, ins) in cx.instructions() {
        let k = &ins.keyword.value;
        if *k == k.to_ascii_uppercase() {
            upper += 1;
        } else if *k == k.to_ascii_lowercase() {
            lower += 1;
        }
    }
    let want_upper = upper >= lower;
    for (_, ins) in cx.instructions() {
        let k = &ins.keyword.value;
        let want = if want_upper {
            k.to_ascii_uppercase()
        } else {
            k.to_ascii_lowercase()
        };
        if *k == want {
            continue;
        }
        let fix = Fix::new(
            Applicability::Safe,
            format!("write `{want}`"),
            vec![Edit::replace(ins.keyword.span, want.clone())],
        );
        out.push(
            Finding::new(
                ins.keyword.span,
                format!("`{k}` should be written `{want}` like the rest of the file"),
            )
            .fix(Some(fix)),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_minority_casing() {
        let out = lint("LW404", "FROM python:3.12\nrun true\nRun true\n");
        insta::assert_snapshot!(out);
        assert_eq!(out.matches("LW404").count(), 2);
    }

    #[test]
    fn quiet_when_consistent() {
        assert_eq!(lint("LW404", "from python:3.12\nrun true\n"), "");
    }
}
