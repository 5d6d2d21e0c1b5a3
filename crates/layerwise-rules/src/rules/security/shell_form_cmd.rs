//! LW304: CMD/ENTRYPOINT in shell form.

use layerwise_syntax::{Arguments, InstructionKind};

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW304",
    name: "shell-form-cmd",
    category: Category::Security,
    severity: Severity::Warning,
    summary: "CMD or ENTRYPOINT uses shell form, so the process does not get signals",
    docs: r#"## What it does
Finds `CMD` and `ENTRYPOINT` written as a plain command line instead of a
JSON array.

## Why is this bad?
Shell form runs the command as `/bin/sh -c "…"`. The shell becomes PID 1
and does not forward SIGTERM, so `docker stop` waits for the timeout and
then kills the application without a chance to shut down cleanly.

The fix rewrites the instruction to exec form when the command is plain
words (no variables, quotes, globs, redirections or operators).

## Example
```dockerfile
CMD gunicorn app:app --bind 0.0.0.0:8000
```

## Use instead
```dockerfile
CMD ["gunicorn", "app:app", "--bind", "0.0.0.0:8000"]
```
"#,
    aliases: &["JSONArgsRecommended", "DL3025"],
    fixes: Fixes::Safe,
    check,
};

/// The words of a command line that needs no shell, or `None`.
fn simple_words(text: &str) -> Option<Vec<&str>> {
    let special = |c: char| "$`\\\"'*?[]{}()<>|&;~#=!".contains(c);
    let words: Vec<&str> = text.split_whitespace().collect();
    (!words.is_empty() && !text.contains(special) && !text.contains('\n')).then_some(words)
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in cx.instructions() {
        if !matches!(ins.kind, InstructionKind::Cmd | InstructionKind::Entrypoint) {
            continue;
        }
        let Arguments::Text(text) = &ins.arguments else {
            continue;
        };
        let kw = ins.kind.keyword();
        let fix = simple_words(&text.value)
            .filter(|_| cx.text(text.span) == text.value)
            .map(|words| {
                let json = serde_json::to_string(&words)
                    .unwrap_or_default()
                    .replace("\",\"", "\", \"");
                Fix::new(
                    Applicability::Safe,
                    "use exec form",
                    vec![Edit::replace(text.span, json)],
                )
            });
        out.push(
            Finding::new(
                text.span,
                format!(
                    "shell-form `{kw}` runs under `/bin/sh -c`, which does not pass on SIGTERM"
                ),
            )
            .help(format!("write `{kw}` as a JSON array"))
            .fix(fix),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_and_fixes_shell_form() {
        let out = lint("LW304", "FROM python:3.12\nCMD python app.py --port 8000\n");
        insta::assert_snapshot!(out);
        assert!(out.contains("CMD [\"python\", \"app.py\", \"--port\", \"8000\"]"));
        let out = lint("LW304", "FROM python:3.12\nENTRYPOINT exec python $APP\n");
        assert!(out.contains("LW304") && !out.contains("fix"));
    }

    #[test]
    fn quiet_for_exec_form() {
        assert_eq!(
            lint("LW304", "FROM python:3.12\nCMD [\"python\", \"app.py\"]\n"),
            ""
        );
    }
}
