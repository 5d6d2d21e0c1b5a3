//! LW403: empty lines inside a continued instruction.

use layerwise_syntax::Span;

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW403",
    name: "no-empty-continuation",
    category: Category::Buildkit,
    severity: Severity::Warning,
    summary: "An empty line interrupts a continued instruction",
    docs: r#"## What it does
Finds blank lines between the lines of an instruction continued with `\`.

## Why is this bad?
BuildKit skips them, but a future Dockerfile syntax will treat them as the
end of the instruction; they also make it easy to misread where the
instruction ends.

## Example
```dockerfile
RUN apt-get update && \

    apt-get install -y curl
```

## Use instead
```dockerfile
RUN apt-get update && \
    apt-get install -y curl
```
"#,
    aliases: &["NoEmptyContinuation"],
    fixes: Fixes::Safe,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in cx.instructions() {
        // Only the instruction's own lines; heredoc bodies may hold blank lines.
        let end = ins
            .heredocs()
            .first()
            .map_or(ins.span.end, |h| h.body.start);
        let text = cx.text(Span::new(ins.span.start, end));
        let mut offset = ins.span.start;
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        for (n, line) in lines.iter().enumerate() {
            let blank = line.trim().is_empty();
            // A blank line followed by more instruction lines.
            if n > 0 && blank && lines[n + 1..].iter().any(|l| !l.trim().is_empty()) {
                let span = Span::new(offset, offset + line.len());
                let fix = Fix::new(
                    Applicability::Safe,
                    "remove the empty line",
                    vec![Edit::delete(span)],
                );
                out.push(
                    Finding::new(
                        Span::new(offset, offset + line.trim_end_matches(['\n', '\r']).len()),
                        "empty continuation line",
                    )
                    .fix(Some(fix)),
                );
            }
            offset += line.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_empty_continuation() {
        let out = lint(
            "LW403",
            "FROM debian\nRUN apt-get update && \\\n\n    apt-get install -y curl\n",
        );
        insta::assert_snapshot!(out);
        assert!(out.starts_with("3:1"));
    }

    #[test]
    fn quiet_without_blank_lines() {
        assert_eq!(
            lint("LW403", "FROM debian\nRUN a && \\\n    b\n\nRUN c\n"),
            ""
        );
    }
}
