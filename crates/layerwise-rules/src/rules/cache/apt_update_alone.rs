//! LW107: `apt-get update` in a RUN of its own.

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};
use crate::rules::helpers::command_span;
use layerwise_syntax::Span;

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

## Fix safety
The fix moves the update into the next RUN of the stage that installs with
the same tool, in front of the install; it is safe, since nothing between
the two can use lists the install did not also see.
"#,
    aliases: &[],
    fixes: Fixes::Safe,
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
        out.push(Finding::new(run.span(inv.program()).cover(inv.subcommand().map_or(run.span(inv.program()), |w| run.span(w))), "`apt-get update` without an install in the same RUN: later installs can use stale package lists")
            .help("run `apt-get update && apt-get install …` in one RUN").fix(fix(cx, i)));
    }
}

/// LW107: move a lone `apt-get update` into the next RUN that installs.
fn fix(cx: &Context, ui: usize) -> Option<Fix> {
    let update_ins = cx.model.instructions[ui];
    let run = cx.run(ui)?;
    if run.exec_form || run.script.commands.len() != 1 || !update_ins.flags().is_empty() {
        return None;
    }
    let update = run.system.iter().find(|s| s.update)?;
    let update_inv = run.invocations.get(update.invocation)?;
    let update_text = cx.text(command_span(run, update.invocation)?);
    let stage = cx.model.stage_of(ui)?;
    let next = cx
        .stage_body(stage)
        .filter(|(j, _)| *j > ui)
        .find_map(|(j, ins)| {
            let r = cx.run(j)?;
            r.system
                .iter()
                .any(|s| s.install && s.tool == update_inv.tool)
                .then_some((ins, r))
        })?;
    let (_, install_run) = next;
    if install_run.exec_form {
        return None;
    }
    let install = install_run.system.iter().find(|s| s.install)?;
    let at = command_span(install_run, install.invocation)?;
    if !install_run.editable(install_run.invocations.get(install.invocation)?.program()) {
        return None;
    }
    // Delete the whole line(s) of the lone update, line end included.
    let delete = Span::new(update_ins.span.start, update_ins.span.end);
    if !cx.text(delete).ends_with('\n') {
        return None;
    }
    Some(Fix::new(
        Applicability::Safe,
        "run `apt-get update` in the RUN that installs",
        vec![
            Edit::delete(delete),
            Edit::insert(at.start, format!("{update_text} && ")),
        ],
    ))
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
