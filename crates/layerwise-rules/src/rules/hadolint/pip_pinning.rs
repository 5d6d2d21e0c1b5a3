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

/// One finding per RUN (as hadolint's DL3013), at its first unpinned
/// package, naming a few: a RUN of a thousand installs gets one line.
fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, _) in cx.instructions() {
        let Some(run) = cx.run(i) else { continue };
        let mut unpinned = run
            .python
            .iter()
            .filter(|p| !p.only_tooling())
            .flat_map(|p| p.packages.iter())
            .filter(|w| !is_pinned(&w.value));
        let Some(first) = unpinned.next() else {
            continue;
        };
        let named: Vec<String> = std::iter::once(first)
            .chain(unpinned.by_ref().take(NAMED - 1))
            .map(|w| format!("`{}`", w.value))
            .collect();
        let rest = unpinned.count();
        let message = match (named.len(), rest) {
            (1, _) => format!("{} is not pinned to a version", named[0]),
            (_, 0) => format!("{} are not pinned to a version", named.join(", ")),
            _ => format!(
                "{} and {rest} more packages are not pinned to a version",
                named.join(", ")
            ),
        };
        out.push(Finding::new(run.span(first), message));
    }
}

/// How many unpinned packages a finding names before counting the rest.
const NAMED: usize = 3;

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
    fn a_run_is_reported_once_naming_a_few() {
        let installs: Vec<String> = (0..1000).map(|i| format!("pip install a{i}")).collect();
        let source = format!("FROM python:3.12\nRUN {}\n", installs.join(" && "));
        let out = lint("LW503", &source);
        assert_eq!(out.matches("LW503").count(), 1, "{out}");
        assert!(out.starts_with("2:17"), "{out}");
        assert!(
            out.contains("`a0`, `a1`, `a2` and 997 more packages are not pinned"),
            "{out}"
        );
        let two = lint(
            "LW503",
            "FROM python:3.12\nRUN pip install a && pip install b==1 c\n",
        );
        assert!(two.contains("`a`, `c` are not pinned"), "{two}");
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
