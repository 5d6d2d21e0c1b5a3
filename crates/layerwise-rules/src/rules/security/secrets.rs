//! LW302: secrets in ARG/ENV, or credentials in an index URL.

use layerwise_syntax::{Arguments, InstructionKind, Span};

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW302",
    name: "secret-in-arg-or-env",
    category: Category::Security,
    severity: Severity::Error,
    summary: "A secret is passed through ARG/ENV or a URL with credentials",
    docs: r#"## What it does
Finds ARG and ENV names that hold secrets (their `_`-separated words include
`password`, `passwd`, `token`, `secret`, `apikey`, `auth`, `credential(s)`,
`key`, as BuildKit's SecretsUsedInArgOrEnv check does), and URLs with a
`user:password@` part in ARG/ENV values and in pip/uv index options.

## Why is this bad?
ENV values are stored in the image config, and ARG values in the build
history and provenance; anyone who can pull the image can read them. Build
secrets are made for this: they are mounted for one RUN and never stored.

## Example
```dockerfile
ARG PIP_INDEX_URL=https://user:s3cret@pypi.example.com/simple
RUN pip install -r requirements.txt
```

## Use instead
```dockerfile
RUN --mount=type=secret,id=pip_index_url,env=PIP_INDEX_URL \
    pip install -r requirements.txt
```
"#,
    aliases: &["SecretsUsedInArgOrEnv"],
    fixes: Fixes::None,
    check,
};

const SECRET_WORDS: &[&str] = &[
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "passwd",
    "pword",
    "secret",
    "token",
];

/// Whether a variable name looks like it holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(['_', '-', '.']).collect();
    // Public keys and key ids or paths to secrets are not secrets.
    if words.iter().any(|w| {
        matches!(
            *w,
            "public" | "pub" | "id" | "file" | "path" | "dir" | "url"
        )
    }) {
        return false;
    }
    words.iter().any(|w| SECRET_WORDS.contains(w))
}

/// Whether a URL carries a password (`scheme://user:pass@host`).
pub fn has_credentials(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .is_some_and(|(userinfo, _)| userinfo.contains(':') && !userinfo.ends_with(':'))
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let help = "pass it with `RUN --mount=type=secret,id=…` for the step that needs it";
    for (i, ins) in cx.instructions() {
        let pairs: Vec<(&str, Span, Option<&str>, Option<Span>)> = match (&ins.kind, &ins.arguments)
        {
            (InstructionKind::Arg, Arguments::Declarations(d)) => d
                .iter()
                .map(|d| {
                    (
                        d.name.as_str(),
                        d.name.span,
                        d.default.as_ref().map(|v| v.as_str()),
                        d.default.as_ref().map(|v| v.span),
                    )
                })
                .collect(),
            (InstructionKind::Env, Arguments::KeyValues(kv)) => kv
                .iter()
                .map(|kv| {
                    (
                        kv.key.as_str(),
                        kv.key.span,
                        Some(kv.value.as_str()),
                        Some(kv.value.span),
                    )
                })
                .collect(),
            _ => Vec::new(),
        };
        for (name, span, value, value_span) in pairs {
            let kw = ins.kind.keyword();
            if is_secret_name(name) {
                out.push(
                    Finding::new(
                        span,
                        format!("`{kw} {name}` looks like a secret and is stored in the image"),
                    )
                    .help(help),
                );
            } else if let (Some(v), Some(vs)) = (value, value_span)
                && has_credentials(v)
            {
                out.push(
                    Finding::new(
                        vs,
                        format!("the value of `{name}` contains a URL with a password"),
                    )
                    .help(help),
                );
            }
        }
        if let Some(run) = cx.run(i) {
            for inv in &run.invocations {
                for w in inv.args() {
                    if w.value.contains("://")
                        && has_credentials(&w.value)
                        && !w.value.contains('$')
                    {
                        out.push(
                            Finding::new(
                                run.span(w),
                                "a URL with a password is written into the build",
                            )
                            .help(help),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::lint;

    #[test]
    fn flags_secret_names_and_urls() {
        let out = lint(
            "LW302",
            "FROM python:3.12\nARG GITHUB_TOKEN\nENV DB_PASSWORD=x PIP_INDEX_URL=https://u:p@pypi.example/simple\nRUN pip install --extra-index-url https://u:p@x/simple y\n",
        );
        insta::assert_snapshot!(out);
        assert_eq!(out.matches("LW302").count(), 4);
    }

    #[test]
    fn quiet_for_ordinary_names() {
        assert_eq!(
            lint(
                "LW302",
                "FROM python:3.12\nARG PUBLIC_KEY\nENV KEYBOARD=us TOKEN_FILE=/run/x URL=https://host/x\n"
            ),
            ""
        );
        assert!(!is_secret_name("MONKEY"));
        assert!(has_credentials("https://a:b@c"));
        assert!(!has_credentials("https://a@c"));
    }
}
