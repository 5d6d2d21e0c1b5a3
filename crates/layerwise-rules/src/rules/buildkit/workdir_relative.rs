//! LW409: relative WORKDIR before any absolute one.

use layerwise_syntax::{Arguments, InstructionKind};

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW409",
    name: "workdir-relative-path",
    category: Category::Buildkit,
    severity: Severity::Warning,
    summary: "A relative WORKDIR depends on the base image's working directory",
    docs: r#"## What it does
Finds a relative `WORKDIR` in a stage that has not set an absolute one
before it.

## Why is this bad?
The path is resolved against the base image's working directory, which
you do not control; a base image update can move the application.

## Example
```dockerfile
FROM python:3.12
WORKDIR app
```

## Use instead
```dockerfile
FROM python:3.12
WORKDIR /app
```
"#,
    aliases: &["WorkdirRelativePath", "DL3000"],
    fixes: Fixes::None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for stage in &cx.model.stages {
        let mut absolute = false;
        for (_, ins) in cx.stage_body(stage) {
            if ins.kind != InstructionKind::Workdir {
                continue;
            }
            let Arguments::Text(t) = &ins.arguments else {
                continue;
            };
            let v = t.value.trim().trim_matches('"');
            if v.starts_with('/') || v.starts_with('$') || v.len() > 1 && v.as_bytes()[1] == b':' {
                absolute = true;
            } else if !absolute {
                out.push(
                    Finding::new(
                        t.span,
                        format!("`WORKDIR {v}` is relative to the base image's working directory"),
                    )
                    .help("use an absolute path"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_relative_workdir() {
        let out = lint("LW409", "FROM python:3.12\nWORKDIR app\n");
        insta::assert_snapshot!(out);
        assert!(out.starts_with("2:9"));
    }

    #[test]
    fn quiet_after_absolute() {
        assert_eq!(
            lint("LW409", "FROM python:3.12\nWORKDIR /srv\nWORKDIR app\n"),
            ""
        );
    }
}
