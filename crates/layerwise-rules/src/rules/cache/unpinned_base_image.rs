//! LW111: base image without a tag, or `:latest`.

use layerwise_model::Base;

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW111",
    name: "unpinned-base-image",
    category: Category::Cache,
    severity: Severity::Warning,
    summary: "A base image has no tag or uses `:latest`",
    docs: r#"## What it does
Finds `FROM` lines whose image has no tag or the `latest` tag, and no digest.

## Why is this bad?
The image behind `latest` moves. Builds stop being reproducible, every
base update silently invalidates the whole cache, and a new Python minor
version can break compiled dependencies. Pin at least the version and
variant (`python:3.12-slim`), or a digest.

## Example
```dockerfile
FROM python
```

## Use instead
```dockerfile
FROM python:3.12-slim
```
"#,
    aliases: &["DL3006", "DL3007"],
    fixes: Fixes::None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for stage in &cx.model.stages {
        let Base::Image(image) = &stage.base else {
            continue;
        };
        let Some(span) = stage.base_span else {
            continue;
        };
        if !image.is_unpinned() {
            continue;
        }
        let written = cx.text(span);
        let message = if image.tag.is_some() {
            format!("`{written}` uses the moving `latest` tag")
        } else {
            format!("`{written}` has no tag, so it means `latest`")
        };
        out.push(
            Finding::new(span, message)
                .help("pin a version tag such as `python:3.12-slim`, or a digest"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_untagged_and_latest() {
        let out = lint("LW111", "FROM python\nFROM ubuntu:latest AS x\n");
        insta::assert_snapshot!(out);
        assert_eq!(out.matches("LW111").count(), 2);
    }

    #[test]
    fn quiet_for_tags_digests_and_stages() {
        assert_eq!(
            lint(
                "LW111",
                "FROM python:3.12 AS a\nFROM a\nFROM scratch\nFROM x@sha256:00\n"
            ),
            ""
        );
    }
}
