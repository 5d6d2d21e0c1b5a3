//! LW104: the package cache is written into the image layer.

use layerwise_model::{Manager, Tool};

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};
use crate::rules::helpers::{cache_dir, command_span, inline_env, install_label, truthy};

pub static RULE: Rule = Rule {
    code: "LW104",
    name: "cache-in-layer",
    category: Category::Cache,
    severity: Severity::Warning,
    summary: "An install without a cache mount and without `--no-cache-dir` leaves its cache in the image",
    docs: r#"## What it does
Finds Python installs that have neither a BuildKit cache mount nor a
disabled cache (`--no-cache-dir`, `PIP_NO_CACHE_DIR`, `UV_NO_CACHE`), and do
not remove the cache in the same RUN.

## Why is this bad?
The downloaded wheels and sources stay in the layer, often doubling the
size of the installed packages. Dropping `--no-cache-dir` only makes sense
together with a cache mount, which keeps the cache outside the image.

This rule covers hadolint's DL3042; where hadolint asks for
`--no-cache-dir`, layerwise asks for a cache mount, which also speeds up
rebuilds.

## Example
```dockerfile
RUN pip install -r requirements.txt
```

## Use instead
```dockerfile
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
```
"#,
    aliases: &["DL3042"],
    fixes: Fixes::None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, ins) in cx.instructions() {
        let Some(run) = cx.run(i) else { continue };
        if !cx.cache_mounts(ins).is_empty() {
            continue;
        }
        let state = &cx.model.states[i];
        // `rm -rf ~/.cache` or `pip cache purge` in the same RUN cleans up.
        let cleaned = run.invocations.iter().any(|inv| {
            (inv.tool == Tool::Rm && inv.args().iter().any(|w| w.value.contains(".cache")))
                || (inv.tool == Tool::Pip && inv.sub() == "cache")
                || (inv.tool == Tool::Uv && inv.sub() == "cache")
                || (inv.tool == Tool::Poetry && inv.sub() == "cache")
        });
        if cleaned {
            continue;
        }
        // One finding per cache directory a RUN leaves behind, at its first
        // install, with how many more installs fill it.
        let mut found: Vec<(String, Finding, usize)> = Vec::new();
        for install in &run.python {
            if install.no_cache.is_some() {
                continue;
            }
            let var = match install.manager {
                Manager::Uv => "UV_NO_CACHE",
                _ => "PIP_NO_CACHE_DIR",
            };
            let inline = inline_env(run, install, var)
                .and_then(|w| w.value.split_once('=').map(|(_, v)| truthy(v)))
                .unwrap_or(false);
            if inline || state.env(var).is_some_and(truthy) {
                continue;
            }
            let dir = cache_dir(install.manager, state);
            if let Some((_, _, more)) = found.iter_mut().find(|(d, _, _)| *d == dir) {
                *more += 1;
                continue;
            }
            let label = install_label(run, install);
            let span = command_span(run, install.invocation).unwrap_or(ins.span);
            let finding = Finding::new(
                span,
                format!("`{label}` leaves its download cache (`{dir}`) in the image layer"),
            )
            .help(format!("add `--mount=type=cache,target={dir}` to the RUN"));
            found.push((dir, finding, 0));
        }
        for (_, mut finding, more) in found {
            if more > 0 {
                let s = if more == 1 { "" } else { "s" };
                finding.message = format!(
                    "{} (and {more} more install{s} in this RUN)",
                    finding.message
                );
            }
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_cache_left_in_layer() {
        let out = lint(
            "LW104",
            "FROM python:3.12\nRUN pip install -r requirements.txt\n",
        );
        assert!(out.contains("/root/.cache/pip"));
        insta::assert_snapshot!(out);
    }

    #[test]
    fn one_finding_per_run_and_cache_directory() {
        let installs: Vec<String> = (0..1000).map(|i| format!("pip install a{i}")).collect();
        let source = format!("FROM python:3.12\nRUN {}\n", installs.join(" && "));
        let out = lint("LW104", &source);
        assert_eq!(
            out.lines().filter(|l| l.contains("LW104")).count(),
            1,
            "{out}"
        );
        assert!(out.contains("(and 999 more installs in this RUN)"), "{out}");
    }

    #[test]
    fn quiet_when_cache_is_handled() {
        assert_eq!(
            lint(
                "LW104",
                "FROM python:3.12\nRUN pip install --no-cache-dir x\n"
            ),
            ""
        );
        assert_eq!(
            lint(
                "LW104",
                "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\nRUN pip install x\n"
            ),
            ""
        );
        assert_eq!(
            lint(
                "LW104",
                "FROM python:3.12\nRUN pip install x && rm -rf /root/.cache\n"
            ),
            ""
        );
        assert_eq!(
            lint(
                "LW104",
                "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
            ),
            ""
        );
    }
}
