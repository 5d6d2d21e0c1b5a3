//! LW507: pipes without `pipefail`.

use layerwise_model::Separator;

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW507",
    name: "pipe-without-pipefail",
    category: Category::Hadolint,
    severity: Severity::Warning,
    summary: "A RUN pipes commands without `set -o pipefail`",
    docs: r#"## What it does
Finds RUN commands with a pipe (`|`) when neither the command nor the
stage's `SHELL` enables `pipefail`.

## Why is this bad?
A pipeline's status is that of its last command: `curl … | sh` succeeds
when the download fails, and the build goes on with a broken step.

## Example
```dockerfile
RUN curl -fsSL https://example.com/install.sh | sh
```

## Use instead
```dockerfile
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -fsSL https://example.com/install.sh | sh
```
"#,
    aliases: &["DL4006"],
    fixes: Fixes::None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, _) in cx.instructions() {
        let Some(run) = cx.run(i) else { continue };
        if run.exec_form || !run.script.has_pipe() {
            continue;
        }
        let shell = &cx.model.states[i].shell;
        if shell.iter().any(|s| s == "pipefail")
            || shell.first().is_some_and(|s| {
                s.contains("pwsh") || s.contains("powershell") || s.contains("cmd")
            })
        {
            continue;
        }
        let enabled = run.script.commands.iter().any(|c| {
            c.words.first().is_some_and(|w| w.value == "set")
                && c.words.iter().any(|w| {
                    w.value == "pipefail"
                        || (w.value.starts_with('-')
                            && w.value.contains("o")
                            && c.words.iter().any(|x| x.value == "pipefail"))
                })
        });
        if enabled {
            continue;
        }
        let Some(cmd) = run
            .script
            .commands
            .iter()
            .find(|c| c.separator == Separator::Pipe)
        else {
            continue;
        };
        out.push(
            Finding::new(run.map.span(cmd.range.clone()), "the pipeline's failure is hidden: only the last command's status counts")
                .help("add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` or `set -o pipefail &&` before the pipe"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_pipe_without_pipefail() {
        let out = lint(
            "LW507",
            "FROM debian\nRUN curl -fsSL https://e.com/i.sh | sh\n",
        );
        insta::assert_snapshot!(out);
        assert!(out.starts_with("2:5"));
    }

    #[test]
    fn quiet_with_pipefail() {
        assert_eq!(
            lint(
                "LW507",
                "FROM debian\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN a | b\n"
            ),
            ""
        );
        assert_eq!(
            lint("LW507", "FROM debian\nRUN set -o pipefail && a | b\n"),
            ""
        );
    }
}
