//! LW114: a requirement file names local paths the install step cannot see.

use std::path::Path;

use layerwise_model::layer_order::is_under;
use layerwise_model::{ContextCopy, Tool, join_path};
use layerwise_syntax::InstructionKind;

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};
use crate::registry::{Category, Fixes, Rule};
use crate::rules::helpers::{context_copy, is_dir_in, real_installs};

pub static RULE: Rule = Rule {
    code: "LW114",
    name: "requirements-local-path-missing",
    category: Category::Cache,
    severity: Severity::Error,
    summary: "a requirement file needs an include or local path that is not copied before the install",
    docs: r#"## What it does
Reads each requirement file a RUN installs (`pip install -r`, `uv pip install -r`)
from the build context and finds what else it makes pip read: files it includes
(`-r`, `-c`), the project itself (`.`, `-e .`), local packages (`./libs/x`,
`-e ./libs/x`, `file:` paths) and `--find-links` directories. It reports each one
that no earlier COPY in the stage put in the image.

## Why is this bad?
The install fails: pip finds no project at the path (`does not appear to be a
Python project`) or no wheel in the directory. It typically happens when only
the requirement file is copied ahead of the install to keep the install cached
across code edits, which is right for named packages but not for paths.

## Example
```dockerfile
COPY requirements.txt .
# requirements.txt lists `./libs/shared` and `-e .`
RUN pip install -r requirements.txt
COPY . .
```

## Use instead
Copy the local packages with the requirement file, and install the project
itself after its code (or editable from its metadata, as `layerwise init` does):
```dockerfile
COPY requirements.txt .
COPY libs/shared libs/shared
RUN sed -i -E '/^-e \.$/d' requirements.txt && pip install -r requirements.txt
COPY . .
RUN pip install --no-deps -e .
```
"#,
    aliases: &[],
    fixes: Fixes::None,
    check,
};

fn check(cx: &Context, out: &mut Vec<Finding>) {
    let Some(project) = cx.project else {
        return;
    };
    let is_dir = is_dir_in(Some(project));
    for stage in &cx.model.stages {
        let mut copies: Vec<ContextCopy> = Vec::new();
        for (i, ins) in cx.stage_body(stage) {
            if let Some(copy) = context_copy(cx, i, ins) {
                copies.push(copy);
                continue;
            }
            if ins.kind != InstructionKind::Run {
                continue;
            }
            let Some(run) = cx.model.run(i) else {
                continue;
            };
            let workdir = cx.model.states.get(i).map_or("/", |s| s.workdir.as_str());
            let present = |path: &str| {
                copies
                    .iter()
                    .any(|c| c.source_of(path, &is_dir).is_some() || is_under(&c.dest, path))
            };
            // `init` drops the project's line with `sed -i` in the install's
            // own RUN before installing; such a file is trusted.
            let edits_files = run
                .invocations
                .iter()
                .any(|inv| inv.tool == Tool::Other && inv.program().value == "sed");
            for install in real_installs(run) {
                for file in &install.requirement_files {
                    let in_image = join_path(workdir, &file.value);
                    let Some(source) = copies
                        .iter()
                        .rev()
                        .find_map(|c| c.source_of(&in_image, &is_dir))
                    else {
                        continue;
                    };
                    let Ok(set) =
                        layerwise_python::parse_requirements(&project.dir, Path::new(&source))
                    else {
                        continue;
                    };
                    let span = run.map.span(file.range.clone());
                    // Includes resolve against the including file, as they
                    // were read from the context: copied from there, at all?
                    for included in set.files.iter().skip(1) {
                        if included.path.starts_with("../")
                            || copies
                                .iter()
                                .any(|c| c.dest_of(&included.path, &is_dir).is_some())
                        {
                            continue;
                        }
                        let from = included.included_from.as_ref();
                        out.push(
                            Finding::new(
                                span,
                                format!(
                                    "`{}` line {} includes `{}`, which no earlier COPY puts in the image",
                                    from.map_or(source.as_str(), |f| f.path.as_str()),
                                    from.and_then(|f| f.line).unwrap_or(1),
                                    included.path
                                ),
                            )
                            .help(format!("copy it with the requirement file: `COPY {} ...`", included.path)),
                        );
                    }
                    for entry in set.local_entries(&project.dir) {
                        if entry.path.starts_with("../") {
                            continue;
                        }
                        let missing = if entry.project_itself {
                            !edits_files
                                && ["pyproject.toml", "setup.py"].iter().any(|m| {
                                    project.dir.join(m).is_file()
                                        && !present(&join_path(workdir, m))
                                })
                        } else {
                            !present(&join_path(workdir, &entry.path))
                        };
                        if !missing {
                            continue;
                        }
                        let line = entry.source.line.unwrap_or(1);
                        let finding = if entry.project_itself {
                            Finding::new(
                                span,
                                format!(
                                    "`{}` line {line} installs the project itself (`{}`), whose code is not in the image at this step",
                                    entry.source.path, entry.written
                                ),
                            )
                            .help("install the dependencies without that line first and the project after `COPY . .` (`layerwise fix --unsafe-fixes` splits it)")
                        } else {
                            Finding::new(
                                span,
                                format!(
                                    "`{}` line {line} needs `{}` (`{}`), which no earlier COPY puts in the image",
                                    entry.source.path, entry.path, entry.written
                                ),
                            )
                            .help(format!(
                                "copy it before this RUN: `COPY {0} {0}`",
                                entry.path
                            ))
                        };
                        out.push(finding);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint_project;

    const PYPROJECT: &str = "[project]\nname = \"demo\"\nversion = \"0.1\"\n";

    #[test]
    fn reports_each_local_entry_missing_at_the_install() {
        let out = lint_project(
            "LW114",
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n",
            &[
                (
                    "requirements.txt",
                    "flask\n-e .\n./libs/alpha\nfile:libs/gamma\n--find-links ./wheels\n",
                ),
                ("pyproject.toml", PYPROJECT),
                ("libs/alpha/setup.py", ""),
                ("libs/gamma/setup.py", ""),
                ("wheels/x.whl", ""),
            ],
        );
        insta::assert_snapshot!(out);
        for needle in [
            "line 2 installs the project itself",
            "`libs/alpha`",
            "`libs/gamma`",
            "`wheels`",
        ] {
            assert!(out.contains(needle), "{needle}:\n{out}");
        }
        assert!(
            out.contains("4:20"),
            "points at the requirement file: {out}"
        );
    }

    #[test]
    fn reports_an_include_left_behind() {
        let out = lint_project(
            "LW114",
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
            &[
                ("requirements.txt", "-r requirements/base.txt\nflask\n"),
                ("requirements/base.txt", "six\n"),
            ],
        );
        assert!(
            out.contains("`requirements.txt` line 1 includes `requirements/base.txt`"),
            "{out}"
        );
        assert_eq!(
            lint_project(
                "LW114",
                "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nCOPY requirements/base.txt requirements/\nRUN pip install -r requirements.txt\n",
                &[
                    ("requirements.txt", "-r requirements/base.txt\nflask\n"),
                    ("requirements/base.txt", "six\n"),
                ],
            ),
            ""
        );
    }

    #[test]
    fn quiet_when_the_paths_are_copied_first() {
        let files = [
            ("requirements.txt", "flask\n./libs/alpha\n-e .\n"),
            ("pyproject.toml", PYPROJECT),
            ("libs/alpha/setup.py", ""),
        ];
        assert_eq!(
            lint_project(
                "LW114",
                "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n",
                &files,
            ),
            ""
        );
        assert_eq!(
            lint_project(
                "LW114",
                "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt pyproject.toml ./\nCOPY libs/alpha libs/alpha\nRUN pip install -r requirements.txt\n",
                &files,
            ),
            ""
        );
    }

    #[test]
    fn quiet_when_the_install_drops_the_project_line_first() {
        assert_eq!(
            lint_project(
                "LW114",
                "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt ./\nRUN sed -i -E '/^-e \\.$/d' requirements.txt && pip install -r requirements.txt\n",
                &[
                    ("requirements.txt", "flask\n-e .\n"),
                    ("pyproject.toml", PYPROJECT)
                ],
            ),
            ""
        );
    }

    #[test]
    fn quiet_without_local_entries_or_project() {
        assert_eq!(
            lint_project(
                "LW114",
                "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
                &[("requirements.txt", "flask==3.0\n")],
            ),
            ""
        );
        assert_eq!(
            crate::test_util::lint(
                "LW114",
                "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
            ),
            ""
        );
    }
}
