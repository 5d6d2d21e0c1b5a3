//! LW501: `cd` in RUN instead of WORKDIR.

use layerwise_model::Tool;

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW501",
    name: "cd-instead-of-workdir",
    category: Category::Hadolint,
    severity: Severity::Info,
    summary: "RUN changes directory with `cd` instead of WORKDIR",
    docs: r#"## What it does
Finds `cd` in RUN commands.

## Why is this bad?
The directory change lasts only for that RUN, which surprises readers of
the following lines; `WORKDIR` states the directory once for every later
instruction.

## Example
```dockerfile
RUN cd /app && pip install .
```

## Use instead
```dockerfile
WORKDIR /app
RUN pip install .
```
"#,
    aliases: &["DL3003"],
    fixes: Fixes::None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, _) in cx.instructions() {
        let Some(run) = cx.run(i) else { continue };
        if let Some(inv) = run.invocations.iter().find(|inv| inv.tool == Tool::Cd) {
            out.push(Finding::new(
                run.span(inv.program()),
                "`cd` in RUN; use WORKDIR to set the directory",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_cd() {
        let out = lint("LW501", "FROM python:3.12\nRUN cd /app && make\n");
        insta::assert_snapshot!(out);
        assert!(out.starts_with("2:5"));
    }

    #[test]
    fn quiet_without_cd() {
        assert_eq!(
            lint("LW501", "FROM python:3.12\nWORKDIR /app\nRUN make\n"),
            ""
        );
    }
}
