//! LW110: ADD of a remote URL.

use layerwise_syntax::{Details, InstructionKind};

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW110",
    name: "add-remote-url",
    category: Category::Cache,
    severity: Severity::Warning,
    summary: "ADD downloads a remote URL without a checksum",
    docs: r#"## What it does
Finds `ADD https://…` (or `http://`) without `--checksum`.

## Why is this bad?
BuildKit has to fetch the URL on every build to know whether it changed,
and nothing guarantees the content is the one you tested. Pin it with
`ADD --checksum=sha256:…`, or download in a RUN that verifies the file.

## Example
```dockerfile
ADD https://example.com/tool.tar.gz /tmp/
```

## Use instead
```dockerfile
ADD --checksum=sha256:4c1e… https://example.com/tool.tar.gz /tmp/
```
"#,
    aliases: &[],
    fixes: Fixes::None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in cx.instructions() {
        if ins.kind != InstructionKind::Add {
            continue;
        }
        if matches!(&ins.details, Details::Copy(f) if f.checksum.is_some()) {
            continue;
        }
        let (sources, _) = cx.copy_paths(ins);
        for s in sources {
            let v = s.value.to_ascii_lowercase();
            if (v.starts_with("http://") || v.starts_with("https://")) && !v.ends_with(".git") {
                out.push(
                    Finding::new(
                        s.span,
                        format!(
                            "`ADD {}` downloads on every build without a checksum",
                            s.value
                        ),
                    )
                    .help("add `--checksum=sha256:…`, or download and verify it in a RUN"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_remote_add() {
        let out = lint(
            "LW110",
            "FROM debian\nADD https://example.com/x.tar.gz /tmp/\n",
        );
        insta::assert_snapshot!(out);
        assert!(out.contains("2:5"));
    }

    #[test]
    fn quiet_with_checksum_or_local() {
        assert_eq!(
            lint(
                "LW110",
                "FROM debian\nADD --checksum=sha256:00 https://example.com/x /x\n"
            ),
            ""
        );
        assert_eq!(lint("LW110", "FROM debian\nADD x.tar.gz /x/\n"), "");
    }
}
