//! LW201: compilers and `-dev` packages in the final image.

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};
use crate::rules::helpers::stage_chain;

pub static RULE: Rule = Rule {
    code: "LW201",
    name: "build-tools-in-final-stage",
    category: Category::Size,
    severity: Severity::Warning,
    summary: "Compilers or `-dev` packages are installed in the final image",
    docs: r#"## What it does
Finds system packages that are only needed to build Python extensions
(`gcc`, `g++`, `build-essential`, `make`, `cmake`, `clang`, `*-dev`,
`*-devel`) installed in the stage that is shipped, or in a stage it is
built on.

## Why is this bad?
Compilers and headers add hundreds of megabytes and a larger attack
surface to an image that never compiles anything at run time. Build wheels
or the virtual environment in a builder stage, then copy only the result;
the final stage needs the runtime libraries (`libpq5`, not `libpq-dev`).

## Example
```dockerfile
FROM python:3.12-slim
RUN apt-get update && apt-get install -y gcc libpq-dev
RUN pip install -r requirements.txt
```

## Use instead
```dockerfile
FROM python:3.12-slim AS builder
RUN apt-get update && apt-get install -y gcc libpq-dev
RUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt

FROM python:3.12-slim
RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*
COPY --from=builder /opt/venv /opt/venv
```
"#,
    aliases: &[],
    fixes: Fixes::None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(target) = cx.final_stage() else {
        return;
    };
    // Single-stage files have nowhere else to build; still worth saying,
    // but only when the tools are not removed again in the same RUN.
    for stage in stage_chain(cx, target) {
        for (i, _) in cx.stage_body(stage) {
            let Some(run) = cx.run(i) else { continue };
            let purged = run
                .invocations
                .iter()
                .any(|inv| matches!(inv.sub(), "purge" | "remove" | "autoremove" | "del"));
            if purged {
                continue;
            }
            for install in run.system.iter().filter(|s| s.install) {
                let tools: Vec<_> = install
                    .packages
                    .iter()
                    .filter(|p| layerwise_model::is_build_package(&p.value))
                    .collect();
                if tools.is_empty() {
                    continue;
                }
                let names: Vec<String> = tools.iter().map(|w| format!("`{}`", w.value)).collect();
                let span = run.span(tools[0]).cover(run.span(tools[tools.len() - 1]));
                out.push(
                    Finding::new(span, format!("{} only build software but end up in the final image", names.join(", ")))
                        .help("install build tools in a builder stage and copy the built virtual environment"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_compilers_in_final_stage() {
        let out = lint(
            "LW201",
            "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc libpq-dev curl\n",
        );
        insta::assert_snapshot!(out);
        assert!(out.contains("`gcc`, `libpq-dev`"));
    }

    #[test]
    fn quiet_in_builder_stage() {
        let src = "FROM python:3.12-slim AS builder\nRUN apt-get install -y gcc\nFROM python:3.12-slim\nRUN apt-get install -y libpq5\n";
        assert_eq!(lint("LW201", src), "");
        assert_eq!(
            lint(
                "LW201",
                "FROM debian\nRUN apt-get install -y gcc && make && apt-get purge -y gcc\n"
            ),
            ""
        );
    }
}
