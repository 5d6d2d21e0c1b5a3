//! LW407: MAINTAINER is deprecated.

use layerwise_syntax::{Arguments, InstructionKind};

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW407",
    name: "maintainer-deprecated",
    category: Category::Buildkit,
    severity: Severity::Warning,
    summary: "MAINTAINER is deprecated",
    docs: r#"## What it does
Finds the `MAINTAINER` instruction.

## Why is this bad?
It is deprecated; the OCI `org.opencontainers.image.authors` label carries
the same information where tools look for it.

## Example
```dockerfile
MAINTAINER Jane <jane@example.com>
```

## Use instead
```dockerfile
LABEL org.opencontainers.image.authors="Jane <jane@example.com>"
```
"#,
    aliases: &["MaintainerDeprecated", "DL4000"],
    fixes: Fixes::Safe,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in cx.instructions() {
        if ins.kind != InstructionKind::Maintainer {
            continue;
        }
        let fix = match &ins.arguments {
            Arguments::Text(t)
                if !t.value.contains(['"', '\\', '$', '\n']) && cx.text(t.span) == t.value =>
            {
                let span = ins.keyword.span.cover(t.span);
                Some(Fix::new(
                    Applicability::Safe,
                    "use the `org.opencontainers.image.authors` label",
                    vec![Edit::replace(
                        span,
                        format!(
                            "LABEL org.opencontainers.image.authors=\"{}\"",
                            t.value.trim()
                        ),
                    )],
                ))
            }
            _ => None,
        };
        out.push(
            Finding::new(cx.first_line_span(ins), "MAINTAINER is deprecated")
                .help("use `LABEL org.opencontainers.image.authors=\"…\"`")
                .fix(fix),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_maintainer() {
        let out = lint("LW407", "FROM debian\nMAINTAINER Jane <jane@example.com>\n");
        insta::assert_snapshot!(out);
        assert!(out.contains("LABEL org.opencontainers.image.authors=\"Jane <jane@example.com>\""));
    }

    #[test]
    fn quiet_without_maintainer() {
        assert_eq!(lint("LW407", "FROM debian\nLABEL a=b\n"), "");
    }
}
