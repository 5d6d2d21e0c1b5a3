//! LW112/LW113: the build context sends files the image does not need.

use std::path::Path;

use crate::context::Context;
use crate::context_dir::ContextDir;
use crate::diagnostic::{Diagnostic, SideFile};
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static MISSING: Rule = Rule {
    code: "LW112",
    name: "missing-dockerignore",
    category: Category::Cache,
    severity: Severity::Warning,
    summary: "The whole context is copied but the project has no `.dockerignore`",
    docs: r#"## What it does
When a project directory is checked, finds whole-context copies
(`COPY . .`) in a project without a `.dockerignore`.

## Why is this bad?
Everything in the directory is sent to the builder and copied into the
image: `.git`, virtual environments, caches, editor files, local secrets.
Each of them changes often, so the copy step and everything after it miss
the cache far more than needed, and the image grows.

## Example
A project with a `Dockerfile` containing `COPY . .` and no `.dockerignore`.

## Use instead
Add a `.dockerignore`:
```text
.git
.venv
**/__pycache__
**/*.pyc
node_modules
```
"#,
    aliases: &[],
    fixes: Fixes::Safe,
    check: check_missing,
};

pub static LEAKS: Rule = Rule {
    code: "LW113",
    name: "dockerignore-leaks",
    category: Category::Cache,
    severity: Severity::Warning,
    summary: "The `.dockerignore` lets `.git`, `.venv`, caches or `node_modules` into a whole-context copy",
    docs: r#"## What it does
When a project directory is checked, matches `.git`, `.venv`,
`__pycache__` (at any depth), `*.pyc` (at any depth) and `node_modules`
against the project's `.dockerignore` with BuildKit's exact rules, and
reports those that a whole-context copy would include.

## Why is this bad?
These directories change on nearly every commit or run and are large, so
they break the cache of the copy and of every later step, and bloat the
image. Remember that `.dockerignore` patterns are anchored at the context
root: `__pycache__` excludes only the top-level one; use `**/__pycache__`.

## Example
```text
# .dockerignore
__pycache__
```

## Use instead
```text
.git
.venv
**/__pycache__
**/*.pyc
node_modules
```
"#,
    aliases: &[],
    fixes: Fixes::Safe,
    check: check_leaks,
};

fn check_missing(cx: &Context, out: &mut Vec<Finding>) {
    let Some(project) = cx.project else { return };
    if project.has_dockerignore() {
        return;
    }
    if let Some((_, ins)) = cx
        .instructions()
        .find(|(_, ins)| cx.is_whole_context_copy(ins))
    {
        out.push(
            Finding::new(cx.first_line_span(ins), "the whole context is copied, but the project has no `.dockerignore`")
                .help("add a `.dockerignore` excluding .git, .venv, **/__pycache__, **/*.pyc, node_modules"),
        );
    }
}

/// Paths probed for each entry: every one must be excluded.
const PROBES: &[(&str, &[&str])] = &[
    (".git", &[".git"]),
    (".venv", &[".venv"]),
    ("__pycache__", &["__pycache__", "pkg/__pycache__"]),
    ("*.pyc", &["module.pyc", "pkg/module.pyc"]),
    ("node_modules", &["node_modules"]),
];

fn check_leaks(cx: &Context, out: &mut Vec<Finding>) {
    let Some(project) = cx.project else { return };
    let Some(ignore) = &project.dockerignore else {
        return;
    };
    let Some((_, ins)) = cx
        .instructions()
        .find(|(_, ins)| cx.is_whole_context_copy(ins))
    else {
        return;
    };
    let leaks: Vec<&str> = PROBES
        .iter()
        .filter(|(_, paths)| paths.iter().any(|p| !ignore.is_excluded(p)))
        .map(|(name, _)| *name)
        .collect();
    if leaks.is_empty() {
        return;
    }
    out.push(
        Finding::new(cx.first_line_span(ins), format!("`.dockerignore` lets {} into this copy", leaks.join(", ")))
            .help("exclude them with patterns such as `.git`, `.venv`, `**/__pycache__`, `**/*.pyc`, `node_modules`"),
    );
}

/// Patterns the `.dockerignore` should hold, with the LW113 probe each covers.
const IGNORES: &[(&str, &str)] = &[
    (".git", ".git"),
    (".venv", ".venv"),
    ("__pycache__", "**/__pycache__"),
    ("*.pyc", "**/*.pyc"),
    ("node_modules", "**/node_modules"),
];

/// LW112/LW113: creates the `.dockerignore` or appends what it lets through.
/// Keeps `.git` when the project's version comes from it.
pub fn fix_file(
    dir: &Path,
    project: &ContextDir,
    diagnostics: &[Diagnostic],
    notes: &mut Vec<String>,
) -> Option<SideFile> {
    let missing = diagnostics.iter().any(|d| d.code == "LW112");
    let leaks = diagnostics.iter().any(|d| d.code == "LW113");
    if !missing && !leaks {
        return None;
    }
    let path = dir.join(".dockerignore");
    let before = if missing {
        None
    } else {
        Some(std::fs::read_to_string(&path).ok()?)
    };
    let vcs_version = std::fs::read_to_string(dir.join("pyproject.toml"))
        .map(|t| {
            [
                "setuptools_scm",
                "setuptools-scm",
                "hatch-vcs",
                "versioningit",
                "dunamai",
            ]
            .iter()
            .any(|k| t.contains(k))
        })
        .unwrap_or(false);
    let mut wanted = Vec::new();
    for (name, pattern) in IGNORES {
        let excluded = project.dockerignore.as_ref().is_some_and(|ig| {
            PROBES
                .iter()
                .find(|(n, _)| n == name)
                .is_some_and(|(_, paths)| paths.iter().all(|p| ig.is_excluded(p)))
        });
        if excluded {
            continue;
        }
        if *name == ".git" && vcs_version {
            notes.push(
                ".dockerignore: `.git` kept, the project takes its version from it".to_string(),
            );
            continue;
        }
        wanted.push(*pattern);
    }
    if wanted.is_empty() {
        return None;
    }
    let mut after = before.clone().unwrap_or_default();
    if !after.is_empty() && !after.ends_with('\n') {
        after.push('\n');
    }
    after.push_str("# Kept out of the build context by `layerwise fix`\n");
    for p in wanted {
        after.push_str(p);
        after.push('\n');
    }
    Some(SideFile {
        path,
        before,
        after,
    })
}

#[cfg(test)]
mod tests {
    use crate::test_util::{lint, lint_project};

    const SRC: &str = "FROM python:3.12\nCOPY . .\n";

    #[test]
    fn flags_missing_dockerignore() {
        let out = lint_project("LW112", SRC, &[("app.py", "")]);
        insta::assert_snapshot!(out);
        assert!(out.contains("LW112"));
    }

    #[test]
    fn flags_leaky_dockerignore() {
        let out = lint_project("LW113", SRC, &[(".dockerignore", ".git\n__pycache__\n")]);
        insta::assert_snapshot!(out);
        assert!(
            out.contains(".venv, __pycache__, *.pyc, node_modules"),
            "{out}"
        );
    }

    #[test]
    fn quiet_with_good_dockerignore_or_no_project() {
        let good = ".git\n.venv\n**/__pycache__\n**/*.pyc\nnode_modules\n";
        assert_eq!(lint_project("LW113", SRC, &[(".dockerignore", good)]), "");
        assert_eq!(lint_project("LW112", SRC, &[(".dockerignore", good)]), "");
        assert_eq!(lint("LW112", SRC), "");
    }
}
