//! LW506: consecutive RUN instructions that could be one.

use layerwise_syntax::InstructionKind;

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW506",
    name: "consecutive-run",
    category: Category::Hadolint,
    severity: Severity::Info,
    summary: "Consecutive RUN instructions with the same flags",
    docs: r#"## What it does
Finds a RUN directly following another RUN with the same flags (mounts,
network, security).

## Why is this bad?
Each RUN adds a layer. Steps that always change together are cheaper as
one RUN; keep them apart only when the first one is expensive and the
second changes often, so the first stays cached.

## Example
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl
RUN curl -fsSL https://example.com/install.sh -o /tmp/install.sh
```

## Use instead
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl \
 && curl -fsSL https://example.com/install.sh -o /tmp/install.sh
```
"#,
    aliases: &["DL3059"],
    fixes: Fixes::None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let mut previous: Option<&layerwise_syntax::Instruction> = None;
    for (_, ins) in cx.instructions() {
        if ins.kind == InstructionKind::Run
            && let Some(prev) = previous.filter(|p| p.kind == InstructionKind::Run)
        {
            let flags = |i: &layerwise_syntax::Instruction| {
                i.flags.iter().map(|f| f.text.clone()).collect::<Vec<_>>()
            };
            if flags(prev) == flags(ins) && prev.heredocs.is_empty() && ins.heredocs.is_empty() {
                out.push(Finding::new(
                    cx.first_line_span(ins),
                    "this RUN directly follows another RUN with the same flags",
                ));
            }
        }
        previous = Some(ins);
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_consecutive_runs() {
        let out = lint("LW506", "FROM debian\nRUN a\nRUN b\n");
        insta::assert_snapshot!(out);
        assert!(out.starts_with("3:1"));
    }

    #[test]
    fn quiet_for_different_flags() {
        assert_eq!(
            lint(
                "LW506",
                "FROM debian\nRUN a\nRUN --mount=type=cache,target=/x b\nENV A=1\nRUN c\n"
            ),
            ""
        );
    }
}
