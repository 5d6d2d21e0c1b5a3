//! LW109: a value that changes every build is declared before expensive steps.

use layerwise_syntax::{Arguments, InstructionKind, Span};

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW109",
    name: "volatile-arg-before-install",
    category: Category::Cache,
    severity: Severity::Warning,
    summary: "An ARG/ENV that changes every build is declared before an install",
    docs: r#"## What it does
Finds ARG and ENV declarations whose name says they change on every build
(build dates, timestamps, git SHAs, commit ids, build numbers, CI run ids)
that come before a package install in the same stage.

## Why is this bad?
Every RUN after an ARG sees it as an environment variable, and every RUN
after an ENV inherits it, so a new value misses the cache of all later RUN
steps, including the dependency install. Declared after the expensive
steps, the value only invalidates what really needs it (usually a LABEL).

## Example
```dockerfile
ARG GIT_SHA
RUN pip install -r requirements.txt
LABEL org.opencontainers.image.revision=$GIT_SHA
```

## Use instead
```dockerfile
RUN pip install -r requirements.txt
ARG GIT_SHA
LABEL org.opencontainers.image.revision=$GIT_SHA
```
"#,
    aliases: &[],
    fixes: Fixes::None,
    check,
};

/// Whether a variable name says its value changes every build.
pub fn is_volatile(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let parts: Vec<&str> = upper.split(['_', '-']).collect();
    let has = |w: &str| parts.contains(&w);
    has("DATE")
        || has("TIMESTAMP")
        || has("TIME") && has("BUILD")
        || has("SHA") && !has("256") && !has("512")
        || has("COMMIT")
        || has("REVISION") && !has("PYTHON")
        || has("VCS") && has("REF")
        || has("BUILD") && (has("NUMBER") || has("ID") || has("NUM"))
        || has("PIPELINE") && has("ID")
        || has("RUN") && has("ID")
        || upper == "CACHEBUST"
        || upper == "CACHE_BUST"
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for stage in &cx.model.stages {
        let body: Vec<_> = cx.stage_body(stage).collect();
        for (pos, &(_, ins)) in body.iter().enumerate() {
            let names: Vec<(String, Span)> = match (&ins.kind, &ins.arguments) {
                (InstructionKind::Arg, Arguments::Declarations(d)) => d
                    .iter()
                    .map(|d| (d.name.value.clone(), d.name.span))
                    .collect(),
                (InstructionKind::Env, Arguments::KeyValues(kv)) => kv
                    .iter()
                    .map(|kv| (kv.key.value.clone(), kv.key.span))
                    .collect(),
                _ => continue,
            };
            for (name, span) in names.into_iter().filter(|(n, _)| is_volatile(n)) {
                let later = body[pos + 1..].iter().find(|&&(j, _)| {
                    cx.run(j).is_some_and(|r| {
                        r.python.iter().any(|p| !p.only_tooling())
                            || r.system.iter().any(|s| s.install)
                    })
                });
                if let Some(&(j, install)) = later {
                    let line = cx.line(cx.model.instructions[j].span.start);
                    out.push(
                        Finding::new(span, format!("`{name}` changes every build and invalidates the install on line {line}"))
                            .help(format!("declare `{name}` after the expensive steps"))
                            .related(cx.first_line_span(install), format!("this install re-runs on every build because `{name}` changes")),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_sha_before_install() {
        let out = lint(
            "LW109",
            "FROM python:3.12\nARG GIT_SHA\nENV BUILD_DATE=today\nRUN pip install -r requirements.txt\n",
        );
        insta::assert_snapshot!(out);
        assert_eq!(out.matches("LW109").count(), 2);
    }

    #[test]
    fn quiet_after_install_or_stable_names() {
        assert_eq!(
            lint(
                "LW109",
                "FROM python:3.12\nRUN pip install x\nARG GIT_SHA\n"
            ),
            ""
        );
        assert_eq!(
            lint(
                "LW109",
                "FROM python:3.12\nARG PYTHON_SHA256=x\nRUN pip install x\n"
            ),
            ""
        );
    }
}
