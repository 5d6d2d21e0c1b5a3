//! LW503: pip packages without a version.

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW503",
    name: "pip-unpinned",
    category: Category::Hadolint,
    severity: Severity::Info,
    summary: "pip installs a package named on the command line without a version",
    docs: r#"## What it does
Finds packages given directly to `pip install` / `uv pip install` without
a version specifier (`==`, `>=`, `~=`…), a path, a URL or a wheel file.
Packages installed from requirement files and lock files are not flagged.

## Why is this bad?
The version installed changes over time, so rebuilding the same Dockerfile
can produce a different, possibly broken, image. Prefer a requirements or
lock file; at least pin the version.

## Example
```dockerfile
RUN pip install gunicorn
```

## Use instead
```dockerfile
RUN pip install gunicorn==23.0.0
```
"#,
    aliases: &["DL3013"],
    fixes: Fixes::None,
    check,
};

fn is_pinned(spec: &str) -> bool {
    spec.contains(['=', '<', '>', '~', '@', '/', '$'])
        || spec.starts_with('.')
        || spec.ends_with(".whl")
        || spec.ends_with(".tar.gz")
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, _) in cx.instructions() {
        let Some(run) = cx.run(i) else { continue };
        for p in run.python.iter().filter(|p| !p.only_tooling()) {
            for pkg in p.packages.iter().filter(|w| !is_pinned(&w.value)) {
                out.push(Finding::new(
                    run.span(pkg),
                    format!("`{}` is not pinned to a version", pkg.value),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_unpinned_package() {
        let out = lint(
            "LW503",
            "FROM python:3.12\nRUN pip install gunicorn 'flask>=3'\n",
        );
        insta::assert_snapshot!(out);
        assert_eq!(out.matches("LW503").count(), 1);
    }

    #[test]
    fn quiet_for_requirements_and_pins() {
        assert_eq!(
            lint(
                "LW503",
                "FROM python:3.12\nRUN pip install -r requirements.txt gunicorn==23.0 . ./dist/x.whl\n"
            ),
            ""
        );
    }
}
