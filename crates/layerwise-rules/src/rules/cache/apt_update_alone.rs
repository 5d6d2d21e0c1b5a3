//! LW107: `apt-get update` in a RUN of its own.

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Rule};

pub static RULE: Rule = Rule {
    code: "LW107",
    name: "apt-update-alone",
    category: Category::Cache,
    severity: Severity::Warning,
    summary: "`apt-get update` runs in a different RUN than the install",
    docs: r#"## What it does
Finds a RUN that updates the apt package lists without installing anything.

## Why is this bad?
The update step is cached on its own. When a later RUN changes its package
list, BuildKit reuses the old, cached lists, and the install fails or gets
outdated versions. Updating and installing in the same RUN keeps them in
step.

## Example
```dockerfile
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl
```

## Use instead
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl
```
"#,
    aliases: &[],
    fixable: false,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, _) in cx.instructions() {
        let Some(run) = cx.run(i) else { continue };
        let Some(update) = run.system.iter().find(|s| s.update) else {
            continue;
        };
        if run
            .system
            .iter()
            .any(|s| s.install || s.tool == layerwise_model::Tool::Apk)
            || run
                .invocations
                .iter()
                .any(|inv| matches!(inv.sub(), "upgrade" | "dist-upgrade" | "build-dep"))
        {
            continue;
        }
        let inv = &run.invocations[update.invocation];
        out.push(Finding::new(run.span(&inv.program).cover(inv.subcommand.as_ref().map_or(run.span(&inv.program), |w| run.span(w))), "`apt-get update` without an install in the same RUN: later installs can use stale package lists")
            .help("run `apt-get update && apt-get install …` in one RUN"));
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_update_alone() {
        let out = lint(
            "LW107",
            "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n",
        );
        insta::assert_snapshot!(out);
        assert!(out.starts_with("2:5"));
    }

    #[test]
    fn quiet_when_combined() {
        assert_eq!(
            lint(
                "LW107",
                "FROM debian\nRUN apt-get update && apt-get install -y curl\n"
            ),
            ""
        );
    }
}
