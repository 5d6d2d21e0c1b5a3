//! LW506: consecutive RUN instructions that could be one.

use layerwise_syntax::{Instruction, InstructionKind};

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

/// Reports each run of mergeable RUNs once, at its second RUN, so a file of
/// N consecutive RUNs gets one finding rather than N − 1.
fn check(cx: &Context, out: &mut Vec<Finding>) {
    let mergeable = |prev: &Instruction, ins: &Instruction| {
        prev.kind == InstructionKind::Run
            && ins.kind == InstructionKind::Run
            && prev.heredocs().is_empty()
            && ins.heredocs().is_empty()
            && prev
                .flags()
                .iter()
                .map(|f| &f.text)
                .eq(ins.flags().iter().map(|f| &f.text))
    };
    // The second RUN of the current run, and how many RUNs follow it there.
    let mut open: Option<(&Instruction, usize)> = None;
    let mut previous: Option<&Instruction> = None;
    for (_, ins) in cx.instructions() {
        if previous.is_some_and(|prev| mergeable(prev, ins)) {
            match &mut open {
                Some((_, more)) => *more += 1,
                None => open = Some((ins, 0)),
            }
        } else if let Some((second, more)) = open.take() {
            report(cx, out, second, more);
        }
        previous = Some(ins);
    }
    if let Some((second, more)) = open {
        report(cx, out, second, more);
    }
}

fn report(cx: &Context, out: &mut Vec<Finding>, second: &Instruction, more: usize) {
    let message = if more == 0 {
        "this RUN directly follows another RUN with the same flags".to_string()
    } else {
        format!(
            "this RUN and the next {more} directly follow another RUN with the same flags \
             ({} RUNs in a row)",
            more + 2
        )
    };
    out.push(Finding::new(cx.first_line_span(second), message));
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
    fn a_run_of_many_is_reported_once() {
        let source = format!("FROM debian\n{}", "RUN a\n".repeat(1000));
        let out = lint("LW506", &source);
        assert_eq!(out.matches("LW506").count(), 1, "{out}");
        assert!(out.starts_with("3:1"), "{out}");
        assert!(out.contains("the next 998"), "{out}");
        assert!(out.contains("1000 RUNs in a row"), "{out}");
    }

    #[test]
    fn separate_runs_are_reported_separately() {
        let out = lint(
            "LW506",
            "FROM debian\nRUN a\nRUN b\nENV A=1\nRUN c\nRUN d\nRUN e\n",
        );
        let lines: Vec<&str> = out.lines().filter(|l| l.contains("LW506")).collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert!(lines[0].starts_with("3:1"), "{out}");
        assert!(
            lines[1].starts_with("6:1") && lines[1].contains("the next 1"),
            "{out}"
        );
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
