//! LW108: apt installs that keep their package lists and archives.

use layerwise_model::Tool;

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW108",
    name: "apt-without-cache-mount",
    category: Category::Cache,
    severity: Severity::Warning,
    summary: "apt install without cache mounts and without removing the package lists",
    docs: r#"## What it does
Finds `apt-get install` / `apt install` in a RUN that neither mounts
`/var/cache/apt` and `/var/lib/apt` as caches nor removes
`/var/lib/apt/lists` afterwards.

## Why is this bad?
The package lists (tens of megabytes) and downloaded archives stay in the
layer. With cache mounts they stay out of the image and are reused by the
next build; without them, at least delete the lists in the same RUN.

## Example
```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends libpq5
```

## Use instead
```dockerfile
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    apt-get update && apt-get install -y --no-install-recommends libpq5
```
Debian-based images delete downloaded packages after each install
(`/etc/apt/apt.conf.d/docker-clean`); remove that file in the same RUN for
the archive cache to be kept.

## Fix safety
The fix adds both cache mounts to a RUN that updates the lists itself. It
is safe when the install already has `--no-install-recommends`; when the
fix adds that flag it is unsafe, since a recommended package the image
relied on may no longer be installed. No fix is offered when a later RUN
installs without its own `apt-get update` (it would find no lists) or when
the RUN removes the lists it would now keep on the mount.
"#,
    aliases: &["DL3009"],
    fixes: Fixes::SafeOrUnsafe,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (i, ins) in cx.instructions() {
        let Some(run) = cx.run(i) else { continue };
        let Some(install) = run.system.iter().find(|s| s.install && s.tool != Tool::Apk) else {
            continue;
        };
        let mounted = cx.cache_mounts(ins).iter().any(|m| {
            m.target
                .as_deref()
                .is_some_and(|t| t.starts_with("/var/lib/apt") || t.starts_with("/var/cache/apt"))
        });
        let cleaned = run.invocations.iter().any(|inv| {
            (inv.tool == Tool::Rm
                && inv
                    .args()
                    .iter()
                    .any(|w| w.value.starts_with("/var/lib/apt/lists")))
                || (matches!(inv.tool, Tool::AptGet | Tool::Apt)
                    && matches!(inv.sub(), "clean" | "distclean"))
                    && run.invocations.iter().any(|i| i.tool == Tool::Rm)
        });
        if mounted || cleaned {
            continue;
        }
        let inv = &run.invocations[install.invocation];
        let span = inv.subcommand().map_or(run.span(inv.program()), |w| {
            run.span(inv.program()).cover(run.span(w))
        });
        out.push(
            Finding::new(span, "apt install keeps its package lists in the layer")
                .help("mount `/var/cache/apt` and `/var/lib/apt` as caches, or `rm -rf /var/lib/apt/lists/*` in the same RUN")
                .fix(fix(cx, i)),
        );
    }
}

/// LW108: cache mounts for apt's lists and archives, and
/// `--no-install-recommends` where it is missing.
fn fix(cx: &Context, i: usize) -> Option<Fix> {
    let ins = cx.model.instructions[i];
    let run = cx.run(i)?;
    if run.exec_form || !ins.heredocs().is_empty() {
        return None;
    }
    let install = run
        .system
        .iter()
        .find(|s| s.install && matches!(s.tool, Tool::AptGet | Tool::Apt))?;
    // With the lists on a cache mount, a later RUN that installs without its
    // own update would find no lists.
    if !run.system.iter().any(|s| s.update) {
        return None;
    }
    let stage = cx.model.stage_of(i)?;
    let later_bare_install = cx.stage_body(stage).filter(|(j, _)| *j > i).any(|(j, _)| {
        cx.run(j).is_some_and(|r| {
            r.system
                .iter()
                .any(|s| s.install && matches!(s.tool, Tool::AptGet | Tool::Apt))
                && !r.system.iter().any(|s| s.update)
        })
    });
    if later_bare_install {
        return None;
    }
    let mut edits = vec![Edit::insert(
        ins.keyword.span.end,
        " --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked",
    )];
    let mut applicability = Applicability::Safe;
    let mut message = "cache apt's lists and archives in mounts".to_string();
    let inv = run.invocations.get(install.invocation)?;
    if !install.no_install_recommends
        && let Some(sub) = inv.subcommand()
        && run.editable(sub)
    {
        edits.push(Edit::insert(run.span(sub).end, " --no-install-recommends"));
        // Fewer packages is the point, but one the build relied on may go.
        applicability = Applicability::Unsafe;
        message.push_str(" and skip recommended packages");
    }
    // Lists removed in the same RUN are on the mount now; removing them
    // there would only empty the cache.
    for inv in &run.invocations {
        if inv.tool == Tool::Rm
            && inv
                .args()
                .iter()
                .any(|w| w.value.starts_with("/var/lib/apt/lists"))
        {
            return None;
        }
    }
    Some(Fix::new(applicability, message, edits))
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_install_without_cleanup() {
        let out = lint(
            "LW108",
            "FROM debian\nRUN apt-get update && apt-get install -y curl\n",
        );
        insta::assert_snapshot!(out);
        assert!(out.contains("LW108"));
    }

    #[test]
    fn quiet_with_cleanup_or_mounts() {
        assert_eq!(
            lint(
                "LW108",
                "FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
            ),
            ""
        );
        assert_eq!(
            lint(
                "LW108",
                "FROM debian\nRUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y curl\n"
            ),
            ""
        );
    }
}
