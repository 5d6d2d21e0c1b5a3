//! LW418: COPY of a file the `.dockerignore` excludes.

use layerwise_ignore::has_wildcards;

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW418",
    name: "copy-ignored-file",
    category: Category::Buildkit,
    severity: Severity::Error,
    summary: "COPY/ADD names a file that `.dockerignore` excludes",
    docs: r#"## What it does
When a project directory is checked, matches the sources of `COPY` and
`ADD` (from the context, without wildcards) against the `.dockerignore`.

## Why is this bad?
Excluded files are not sent to the builder, so the copy fails with "not
found", or, for a directory, silently copies less than expected.

## Example
```dockerfile
# .dockerignore contains: requirements*.txt
COPY requirements.txt .
```

## Use instead
Remove the pattern from `.dockerignore`, or stop copying the file.
"#,
    aliases: &["CopyIgnoredFile"],
    fixes: Fixes::None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(ignore) = cx.project.and_then(|p| p.dockerignore.as_ref()) else {
        return;
    };
    for (_, ins) in cx.instructions() {
        if !matches!(
            ins.kind,
            layerwise_syntax::InstructionKind::Copy | layerwise_syntax::InstructionKind::Add
        ) || cx.copy_from(ins).is_some()
        {
            continue;
        }
        let (sources, _) = cx.copy_paths(ins);
        for s in sources {
            let path = layerwise_ignore::clean(s.value.trim_start_matches('/'));
            if path == "."
                || path.is_empty()
                || s.value.contains("://")
                || s.value.contains('$')
                || has_wildcards(&path)
            {
                continue;
            }
            if ignore.is_excluded(&path) {
                out.push(Finding::new(
                    s.span,
                    format!(
                        "`{}` is excluded by .dockerignore and never reaches the builder",
                        s.value
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint_project;

    #[test]
    fn flags_ignored_source() {
        let out = lint_project(
            "LW418",
            "FROM python:3.12\nCOPY requirements.txt .\n",
            &[(".dockerignore", "*.txt\n")],
        );
        insta::assert_snapshot!(out);
        assert!(out.contains("LW418"));
    }

    #[test]
    fn quiet_for_included_source() {
        let out = lint_project(
            "LW418",
            "FROM python:3.12\nCOPY app.py .\n",
            &[(".dockerignore", "*.txt\n")],
        );
        assert_eq!(out, "");
    }
}
