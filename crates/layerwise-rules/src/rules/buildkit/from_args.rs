//! LW408/LW413/LW414/LW415: FROM lines and build arguments.

use layerwise_syntax::expand::{ExpandOptions, expand};
use layerwise_syntax::{Arguments, Details, InstructionKind, Span};

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};

/// Arguments BuildKit defines for every FROM.
const AUTOMATIC: &[&str] = &[
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
    "BUILDKIT_SBOM_SCAN_STAGE",
];

pub static UNDEFINED_ARG: Rule = Rule {
    code: "LW408",
    name: "undefined-arg-in-from",
    category: Category::Buildkit,
    severity: Severity::Warning,
    summary: "FROM uses a variable that no global ARG declares",
    docs: r#"## What it does
Finds variables in `FROM` lines (image and `--platform`) that are neither
declared by an `ARG` before the first `FROM` nor set automatically by
BuildKit (`TARGETPLATFORM`, `BUILDPLATFORM`…).

## Why is this bad?
ARGs declared inside a stage are not visible to `FROM`; the variable
expands to nothing and the build pulls the wrong image or fails.

## Example
```dockerfile
FROM python:${PY_VERSION}-slim
```

## Use instead
```dockerfile
ARG PY_VERSION=3.12
FROM python:${PY_VERSION}-slim
```
"#,
    aliases: &["UndefinedArgInFrom"],
    fixes: Fixes::None,
    check: check_undefined,
};

pub static REDUNDANT_PLATFORM: Rule = Rule {
    code: "LW413",
    name: "redundant-target-platform",
    category: Category::Buildkit,
    severity: Severity::Warning,
    summary: "`FROM --platform=$TARGETPLATFORM` is the default",
    docs: r#"## What it does
Finds `FROM --platform=$TARGETPLATFORM` (or `${TARGETPLATFORM}`).

## Why is this bad?
Stages are built for the target platform anyway; the flag adds noise.

## Example
```dockerfile
FROM --platform=$TARGETPLATFORM python:3.12
```

## Use instead
```dockerfile
FROM python:3.12
```
"#,
    aliases: &["RedundantTargetPlatform"],
    fixes: Fixes::Safe,
    check: check_redundant,
};

pub static INVALID_DEFAULT: Rule = Rule {
    code: "LW414",
    name: "invalid-default-arg-in-from",
    category: Category::Buildkit,
    severity: Severity::Warning,
    summary: "With the ARG defaults, a FROM names an empty or invalid image",
    docs: r#"## What it does
Expands each `FROM` image with the default values of the global `ARG`s
(ignoring `--build-arg`) and reports when the result is empty or not a
valid image reference (`python:` from `ARG TAG` without a default).

## Why is this bad?
The Dockerfile only builds when every caller remembers the right
`--build-arg`; a plain `docker build` fails with an invalid reference
error, and tools that read the Dockerfile cannot know which image it uses.

## Example
```dockerfile
ARG PYTHON_TAG
FROM python:${PYTHON_TAG}
```

## Use instead
```dockerfile
ARG PYTHON_TAG=3.12-slim
FROM python:${PYTHON_TAG}
```
"#,
    aliases: &["InvalidDefaultArgInFrom"],
    fixes: Fixes::None,
    check: check_invalid_default,
};

pub static CONST_PLATFORM: Rule = Rule {
    code: "LW415",
    name: "from-platform-flag-const",
    category: Category::Buildkit,
    severity: Severity::Warning,
    summary: "`FROM --platform` uses a constant value",
    docs: r#"## What it does
Finds `FROM --platform=linux/amd64` and similar constants, unless the stage
name says the stage is meant for that platform (`AS build-amd64`).

## Why is this bad?
A constant platform makes multi-platform builds produce images with the
wrong architecture, and makes builds on other machines emulate it slowly.
Use `$BUILDPLATFORM` for build tools and leave the target to the build.

## Example
```dockerfile
FROM --platform=linux/amd64 python:3.12
```

## Use instead
```dockerfile
FROM --platform=$BUILDPLATFORM python:3.12 AS build
```
"#,
    aliases: &["FromPlatformFlagConstDisallowed"],
    fixes: Fixes::None,
    check: check_const,
};

fn platform(ins: &layerwise_syntax::Instruction) -> Option<&layerwise_syntax::Spanned<String>> {
    match &ins.details {
        Details::From(f) => f.platform.as_ref(),
        _ => None,
    }
}

/// Each FROM with its index and its image word.
fn from_images<'a>(
    cx: &'a Context,
) -> impl Iterator<
    Item = (
        usize,
        &'a layerwise_syntax::Instruction,
        &'a layerwise_syntax::Spanned<String>,
    ),
> + 'a {
    cx.instructions()
        .filter_map(|(i, ins)| match &ins.arguments {
            Arguments::Words(words) if ins.kind == InstructionKind::From => {
                words.first().map(|image| (i, ins, image))
            }
            _ => None,
        })
}

/// Expansion options for FROM lines of this file.
fn from_options(cx: &Context) -> ExpandOptions {
    ExpandOptions {
        escape: cx.file.escape(),
        ..ExpandOptions::default()
    }
}

fn check_undefined(cx: &Context, out: &mut Vec<Finding>) {
    let globals: Vec<&str> = cx
        .model
        .global_args
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    let lookup =
        |name: &str| (globals.contains(&name) || AUTOMATIC.contains(&name)).then(String::new);
    let options = from_options(cx);
    for (_, ins, image) in from_images(cx) {
        let mut targets: Vec<(&str, Span)> = vec![(image.value.as_str(), image.span)];
        if let Some(p) = platform(ins) {
            targets.push((p.value.as_str(), p.span));
        }
        for (text, span) in targets {
            let Ok(expansion) = expand(text, &lookup, &options) else {
                continue;
            };
            for name in expansion.unmatched {
                out.push(
                    Finding::new(
                        span,
                        format!("`{name}` is not declared by an ARG before the first FROM"),
                    )
                    .help(format!("add `ARG {name}=…` at the top of the file")),
                );
            }
        }
    }
}

fn check_invalid_default(cx: &Context, out: &mut Vec<Finding>) {
    let globals = &cx.model.global_args;
    let lookup = |name: &str| {
        globals
            .iter()
            .rev()
            .find(|a| a.name == name)
            .map(|a| a.value.clone().unwrap_or_default())
    };
    let options = from_options(cx);
    for (i, _, image) in from_images(cx) {
        let Ok(expansion) = expand(&image.value, &lookup, &options) else {
            continue;
        };
        if expansion.matched.is_empty() {
            // Without a global ARG there is no default to blame.
            continue;
        }
        let name = expansion.result;
        let is_stage = cx.model.stages.iter().any(|s| {
            s.from < i
                && s.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&name))
        });
        if is_stage || name.eq_ignore_ascii_case("scratch") {
            continue;
        }
        let Err(reason) = layerwise_model::ImageRef::validate(&name) else {
            continue;
        };
        let args = expansion.matched.join("`, `");
        out.push(
            Finding::new(
                image.span,
                format!("with the defaults of `{args}`, the base image is `{name}`: {reason}"),
            )
            .help("give the ARG a default that makes a valid image reference"),
        );
    }
}

fn check_redundant(cx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in cx.instructions() {
        let Some(p) = platform(ins) else { continue };
        if !matches!(p.value.as_str(), "$TARGETPLATFORM" | "${TARGETPLATFORM}") {
            continue;
        }
        let Some(flag) = ins.flag("platform") else {
            continue;
        };
        let source = cx.file.source().as_bytes();
        let mut end = flag.span.end;
        while end < source.len() && matches!(source[end], b' ' | b'\t') {
            end += 1;
        }
        let fix = Fix::new(
            Applicability::Safe,
            "remove the flag",
            vec![Edit::delete(Span::new(flag.span.start, end))],
        );
        out.push(
            Finding::new(flag.span, "`--platform=$TARGETPLATFORM` is the default").fix(Some(fix)),
        );
    }
}

fn check_const(cx: &Context, out: &mut Vec<Finding>) {
    for stage in &cx.model.stages {
        let ins = cx.model.instructions[stage.from];
        let Some(p) = platform(ins) else { continue };
        if p.value.contains('$') {
            continue;
        }
        let name = stage.name.as_deref().unwrap_or("");
        let parts: Vec<&str> = p.value.split('/').collect();
        if parts
            .iter()
            .skip(1)
            .any(|part| !part.is_empty() && name.contains(&part.to_ascii_lowercase()))
        {
            continue;
        }
        out.push(
            Finding::new(
                p.span,
                format!("`--platform={}` pins the stage to one platform", p.value),
            )
            .help("use `$BUILDPLATFORM` or `$TARGETPLATFORM`, or drop the flag"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn undefined_arg_positive_and_negative() {
        let out = lint("LW408", "FROM python:${PY}-slim\nARG PY\n");
        insta::assert_snapshot!(out);
        assert!(out.contains("`PY`"));
        assert_eq!(
            lint(
                "LW408",
                "ARG PY=3.12\nFROM --platform=$BUILDPLATFORM python:${PY}-slim\n"
            ),
            ""
        );
    }

    #[test]
    fn invalid_default_positive_and_negative() {
        let out = lint("LW414", "ARG TAG\nFROM python:${TAG}\n");
        insta::assert_snapshot!(out);
        assert!(out.contains("`python:`"), "{out}");
        assert!(lint("LW414", "ARG IMAGE=Python\nFROM $IMAGE\n").contains("lowercase"));
        for src in [
            "ARG TAG=3.12-slim\nFROM python:${TAG}\n",
            "ARG VARIANT\nFROM python:3.12${VARIANT}\n",
            "FROM python:3.12 AS base\nARG BASE=base\nFROM ${BASE}\n",
            "FROM python:${UNDECLARED}\n",
        ] {
            assert_eq!(lint("LW414", src), "", "{src}");
        }
    }

    #[test]
    fn redundant_platform_positive_and_negative() {
        let out = lint("LW413", "FROM --platform=$TARGETPLATFORM python:3.12\n");
        insta::assert_snapshot!(out);
        assert!(out.contains("    | FROM python:3.12"));
        assert_eq!(
            lint("LW413", "FROM --platform=$BUILDPLATFORM python:3.12\n"),
            ""
        );
    }

    #[test]
    fn const_platform_positive_and_negative() {
        let out = lint("LW415", "FROM --platform=linux/amd64 python:3.12\n");
        insta::assert_snapshot!(out);
        assert!(out.contains("LW415"));
        assert_eq!(
            lint(
                "LW415",
                "FROM --platform=linux/amd64 python:3.12 AS build-amd64\n"
            ),
            ""
        );
    }
}
