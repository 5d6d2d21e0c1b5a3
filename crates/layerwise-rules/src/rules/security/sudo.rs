//! LW303: sudo in a RUN.

use layerwise_model::Tool;

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW303",
    name: "sudo",
    category: Category::Security,
    severity: Severity::Warning,
    summary: "A RUN uses sudo",
    docs: r#"## What it does
Finds `sudo` in RUN commands.

## Why is this bad?
Build steps already run as the current `USER`; switch with `USER root`
for the steps that need it. Installing sudo to use it adds a setuid binary
to the image, and its TTY and environment handling behave unpredictably
in builds.

## Example
```dockerfile
USER app
RUN sudo apt-get install -y curl
```

## Use instead
```dockerfile
USER root
RUN apt-get install -y curl
USER app
```
"#,
    aliases: &["DL3004"],
    fixes: Fixes::None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, _) in cx.instructions() {
        let Some(run) = cx.run(i) else { continue };
        for inv in run.invocations.iter().filter(|inv| inv.tool == Tool::Sudo) {
            out.push(
                Finding::new(run.span(inv.program()), "`sudo` in a build step")
                    .help("use `USER root` before the step and switch back after it"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_sudo() {
        let out = lint("LW303", "FROM debian\nRUN sudo apt-get update\n");
        insta::assert_snapshot!(out);
        assert!(out.starts_with("2:5"));
    }

    #[test]
    fn quiet_without_sudo() {
        assert_eq!(lint("LW303", "FROM debian\nRUN echo sudo\n"), "");
    }
}
