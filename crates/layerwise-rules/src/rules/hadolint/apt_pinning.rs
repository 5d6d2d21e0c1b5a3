//! LW502/LW504/LW509: apt-get install hygiene.

use layerwise_model::Tool;

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static PIN: Rule = Rule {
    code: "LW502",
    name: "apt-unpinned",
    category: Category::Hadolint,
    severity: Severity::Info,
    summary: "apt packages are installed without a version",
    docs: r#"## What it does
Finds `apt-get install` packages without `=version`.

## Why is this bad?
The installed version depends on the day of the build. For Python images
the base image tag usually pins the distribution, so this is informational.

## Example
```dockerfile
RUN apt-get install -y libpq5
```

## Use instead
```dockerfile
RUN apt-get install -y libpq5=15.8-0+deb12u1
```
"#,
    aliases: &["DL3008"],
    fixes: Fixes::None,
    check: check_pin,
};

pub static RECOMMENDS: Rule = Rule {
    code: "LW504",
    name: "apt-install-recommends",
    category: Category::Hadolint,
    severity: Severity::Info,
    summary: "apt-get install without `--no-install-recommends`",
    docs: r#"## What it does
Finds `apt-get install` without `--no-install-recommends`.

## Why is this bad?
Recommended packages are pulled in by default and often double the size of
what was asked for.

## Example
```dockerfile
RUN apt-get install -y curl
```

## Use instead
```dockerfile
RUN apt-get install -y --no-install-recommends curl
```
"#,
    aliases: &["DL3015"],
    fixes: Fixes::None,
    check: check_recommends,
};

pub static YES: Rule = Rule {
    code: "LW509",
    name: "apt-missing-yes",
    category: Category::Hadolint,
    severity: Severity::Warning,
    summary: "apt-get install without `-y`",
    docs: r#"## What it does
Finds `apt-get install` without `-y`/`--yes`/`--assume-yes`.

## Why is this bad?
The build has no terminal to answer the confirmation prompt; apt aborts.

## Example
```dockerfile
RUN apt-get install curl
```

## Use instead
```dockerfile
RUN apt-get install -y curl
```
"#,
    aliases: &["DL3014"],
    fixes: Fixes::None,
    check: check_yes,
};

fn apt_installs<'a>(
    cx: &Context<'a>,
    mut f: impl FnMut(&'a layerwise_model::Run<'a>, &'a layerwise_model::SystemInstall),
) {
    for (i, _) in cx.instructions() {
        let Some(run) = cx.run(i) else { continue };
        for s in run
            .system
            .iter()
            .filter(|s| s.install && s.tool == Tool::AptGet)
        {
            f(run, s);
        }
    }
}

fn check_pin(cx: &Context, out: &mut Vec<Finding>) {
    apt_installs(cx, |run, s| {
        for p in s.packages.iter().filter(|p| {
            !p.value.contains('=') && !p.value.ends_with(".deb") && !p.value.contains('$')
        }) {
            out.push(Finding::new(
                run.span(p),
                format!("`{}` is not pinned to a version", p.value),
            ));
        }
    });
}

fn check_recommends(cx: &Context, out: &mut Vec<Finding>) {
    apt_installs(cx, |run, s| {
        if !s.no_install_recommends {
            let inv = &run.invocations[s.invocation];
            out.push(
                Finding::new(
                    run.span(inv.program()),
                    "apt-get install also installs recommended packages",
                )
                .help("add `--no-install-recommends`"),
            );
        }
    });
}

fn check_yes(cx: &Context, out: &mut Vec<Finding>) {
    apt_installs(cx, |run, s| {
        let inv = &run.invocations[s.invocation];
        let yes = inv.args().iter().any(|w| {
            matches!(w.value.as_str(), "--yes" | "--assume-yes" | "-qq")
                || (w.value.starts_with('-') && !w.value.starts_with("--") && w.value.contains('y'))
                || w.value.contains("Assume-Yes")
        }) || inv
            .assignments
            .iter()
            .any(|a| a.value.starts_with("DEBIAN_FRONTEND="));
        if !yes {
            out.push(
                Finding::new(
                    run.span(inv.program()),
                    "apt-get install will wait for a confirmation",
                )
                .help("add `-y`"),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    const SRC: &str = "FROM debian:12\nRUN apt-get update && apt-get install curl libpq5=15.8\n";
    const GOOD: &str = "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=8.5\n";

    #[test]
    fn flags_apt_hygiene() {
        let out = format!(
            "{}{}{}",
            lint("LW502", SRC),
            lint("LW504", SRC),
            lint("LW509", SRC)
        );
        insta::assert_snapshot!(out);
        assert!(out.contains("LW502") && out.contains("LW504") && out.contains("LW509"));
        assert!(!out.contains("`libpq5=15.8`"));
    }

    #[test]
    fn quiet_for_good_installs() {
        assert_eq!(lint("LW502", GOOD), "");
        assert_eq!(lint("LW504", GOOD), "");
        assert_eq!(lint("LW509", GOOD), "");
    }
}
