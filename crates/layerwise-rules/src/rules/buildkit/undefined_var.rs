//! LW410: a variable used in an instruction's arguments that no ARG or ENV defines.

use layerwise_model::Base;
use layerwise_syntax::expand::{ExpandOptions, ExpansionMode, expand, expansion_mode};
use layerwise_syntax::{Arguments, Instruction, Span};

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW410",
    name: "undefined-var",
    category: Category::Buildkit,
    severity: Severity::Warning,
    summary: "An instruction uses a variable that no ARG or ENV defines",
    docs: r#"## What it does
Finds `$NAME` / `${NAME}` in the arguments BuildKit expands itself (`COPY`,
`ADD`, `ENV`, `ARG` defaults, `LABEL`, `WORKDIR`, `USER`, `VOLUME`,
`EXPOSE`, `STOPSIGNAL`, and the `--from`/`--chown`/`--chmod` flags) when no
`ARG` in scope, no earlier `ENV` of the stage (or of the stage it builds
on), and no variable of the base image's config defines `NAME`. It suggests
a defined name that looks alike.

Shell-form `RUN`, `CMD` and `ENTRYPOINT` are not checked: the shell expands
those at run time. References with a fallback (`${NAME:-default}`,
`${NAME:+x}`, `${NAME:?message}`) are not reported: they handle the unset
case on purpose. Stages whose base image's environment layerwise does not
know (anything but the official Python, Debian, Ubuntu, Alpine and BusyBox
images, `scratch`, and stages of the same file) are skipped, since any
variable could come from that image.

## Why is this bad?
BuildKit expands an undefined variable to an empty string without failing:
`WORKDIR $HOME/app` becomes `WORKDIR /app`, `COPY . $APP_DIR` copies into
the working directory, and a typo such as `$PYTHON_VERISON` goes unnoticed.
`ENV A=1 B=$A` is a classic case: every value of one `ENV` is expanded
before any of its pairs takes effect, so `B` is empty.

## Example
```dockerfile
FROM python:3.12-slim
ENV APP_HOME=/srv/app
WORKDIR $APP_HOEM
```

## Use instead
```dockerfile
FROM python:3.12-slim
ENV APP_HOME=/srv/app
WORKDIR $APP_HOME
```
"#,
    aliases: &["UndefinedVar"],
    fixes: Fixes::None,
    check,
};

/// Build arguments BuildKit defines without a declaration.
const PREDEFINED: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let options = ExpandOptions {
        escape: cx.file.escape(),
        ..ExpandOptions::default()
    };
    for stage in &cx.model.stages {
        let image_env: &[&str] = match (&stage.base, &stage.image) {
            (Base::Scratch, _) => &[],
            (_, Some(image)) => match image.known_env() {
                Some(env) => env,
                None => continue,
            },
            (Base::Stage(_), None) => &[],
            _ => continue,
        };
        for (i, ins) in cx.stage_body(stage) {
            if expansion_mode(ins.kind) == ExpansionMode::None {
                continue;
            }
            let state = &cx.model.states[i];
            let defined = |name: &str| {
                state.env(name).is_some()
                    || state.arg(name).is_some()
                    || image_env.contains(&name)
                    || PREDEFINED.contains(&name)
            };
            let lookup = |name: &str| defined(name).then(String::new);
            for (text, span) in expanded_parts(ins) {
                let Ok(expansion) = expand(text, &lookup, &options) else {
                    continue;
                };
                for name in expansion.unmatched {
                    if has_fallback_only(text, &name) {
                        continue;
                    }
                    let mut finding =
                        Finding::new(span, format!("`${name}` is not defined by any ARG or ENV"));
                    let known = state
                        .env
                        .iter()
                        .map(|(k, _)| k.as_str())
                        .chain(state.args.iter().map(|a| a.name.as_str()))
                        .chain(image_env.iter().copied());
                    let same_instruction = matches!(&ins.arguments, Arguments::KeyValues(pairs)
                        if pairs.iter().any(|kv| kv.key.value == name));
                    if same_instruction {
                        finding = finding.help(format!(
                            "the values of one ENV are expanded before any of its pairs is set: set `{name}` in an earlier ENV"
                        ));
                    } else if let Some(similar) = most_similar(&name, known) {
                        finding = finding.help(format!("did you mean `${similar}`?"));
                    } else {
                        finding = finding.help(format!(
                            "declare it first (`ARG {name}` or `ENV {name}=…`); undefined, it expands to nothing"
                        ));
                    }
                    out.push(finding);
                }
            }
        }
    }
}

/// The texts BuildKit expands for `ins`, with where they are written.
fn expanded_parts(ins: &Instruction) -> Vec<(&str, Span)> {
    let mut parts: Vec<(&str, Span)> = ins
        .flags()
        .iter()
        .filter(|f| matches!(f.name.value.as_str(), "from" | "chown" | "chmod"))
        .filter_map(|f| f.value.as_ref().map(|v| (v.value.as_str(), v.span)))
        .collect();
    match &ins.arguments {
        Arguments::Text(t) => parts.push((t.value.as_str(), t.span)),
        Arguments::Words(words) => parts.extend(words.iter().map(|w| (w.value.as_str(), w.span))),
        Arguments::KeyValues(pairs) => parts.extend(
            pairs
                .iter()
                .map(|kv| (kv.value.value.as_str(), kv.value.span)),
        ),
        Arguments::Declarations(decls) => parts.extend(
            decls
                .iter()
                .filter_map(|d| d.default.as_ref().map(|v| (v.value.as_str(), v.span))),
        ),
        _ => {}
    }
    parts
}

/// Whether every reference to `name` in `text` is `${name<op>…}` with a
/// fallback operator (`-`, `:-`, `+`, `:+`, `?`, `:?`).
fn has_fallback_only(text: &str, name: &str) -> bool {
    let braced = format!("${{{name}");
    let mut any = false;
    for (at, _) in text.match_indices(&braced) {
        let rest = text[at + braced.len()..].trim_start_matches(':');
        if !rest.starts_with(['-', '+', '?']) {
            return false;
        }
        any = true;
    }
    let plain = format!("${name}");
    let plain_uses = text.match_indices(&plain).any(|(at, _)| {
        !text[at + plain.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
    });
    any && !plain_uses
}

/// The known name closest to `name` (same letters in another case, or at
/// most two edits away for names longer than three characters).
fn most_similar<'n>(name: &str, known: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    let limit = if name.len() > 3 { 2 } else { 0 };
    known
        .filter(|k| *k != name)
        .map(|k| {
            let distance = if k.eq_ignore_ascii_case(name) {
                0
            } else {
                strsim::levenshtein(k, name)
            };
            (distance, k)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn reports_typos_and_same_instruction_env() {
        let out = lint(
            "LW410",
            "FROM python:3.12-slim\nENV APP_HOME=/srv/app\nWORKDIR $APP_HOEM\nENV A=1 B=$A\n",
        );
        insta::assert_snapshot!(out);
        assert!(out.contains("did you mean `$APP_HOME`?"), "{out}");
        assert!(out.contains("`$A` is not defined"), "{out}");
    }

    #[test]
    fn home_is_not_an_image_variable() {
        let out = lint("LW410", "FROM debian:12\nWORKDIR $HOME/app\n");
        assert!(out.contains("`$HOME`"), "{out}");
    }

    #[test]
    fn quiet_for_defined_fallback_and_unknown_images() {
        for src in [
            "FROM python:3.12\nARG APP=/app\nWORKDIR $APP\nENV PATH=/opt/venv/bin:$PATH V=$PYTHON_VERSION\n",
            "FROM python:3.12 AS base\nENV APP=/app\nFROM base\nCOPY . ${APP}/\n",
            "FROM python:3.12\nCOPY . ${DEST:-/app}\n",
            "FROM python:3.12\nRUN echo $UNSET\nCMD echo $UNSET\n",
            "FROM node:20\nWORKDIR $NODE_HOME\n",
            "FROM python:3.12\nARG VERSION\nLABEL version=$VERSION\n",
        ] {
            assert_eq!(lint("LW410", src), "", "{src}");
        }
    }
}
