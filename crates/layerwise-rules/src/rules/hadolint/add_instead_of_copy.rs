//! LW505: ADD used for plain local files.

use layerwise_syntax::{Details, InstructionKind};

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static RULE: Rule = Rule {
    code: "LW505",
    name: "add-instead-of-copy",
    category: Category::Hadolint,
    severity: Severity::Warning,
    summary: "ADD copies local files; COPY says what is meant",
    docs: r#"## What it does
Finds `ADD` whose sources are local files or directories that are not
archives.

## Why is this bad?
`ADD` also downloads URLs and unpacks archives. Using it for plain files
hides which behaviour is wanted, and a file later renamed to `.tar.gz`
suddenly gets unpacked.

## Example
```dockerfile
ADD requirements.txt /app/
```

## Use instead
```dockerfile
COPY requirements.txt /app/
```
"#,
    aliases: &["DL3020"],
    fixes: Fixes::Safe,
    check,
};

fn is_archive(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    [
        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".gz",
        ".bz2", ".xz",
    ]
    .iter()
    .any(|ext| p.ends_with(ext))
}

fn check(cx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in cx.instructions() {
        if ins.kind != InstructionKind::Add {
            continue;
        }
        let (sources, _) = cx.copy_paths(ins);
        if sources.is_empty()
            || !ins.heredocs().is_empty()
            || sources.iter().any(|s| {
                s.value.contains("://")
                    || s.value.starts_with("git@")
                    || is_archive(&s.value)
                    || s.value.contains('$')
            })
        {
            continue;
        }
        // Flags only ADD accepts make COPY a different instruction.
        let add_only = matches!(&ins.details, Details::Copy(f) if f.checksum.is_some() || f.unpack.is_some() || f.keep_git_dir.is_some());
        let fix = (!add_only && ins.keyword.value.eq_ignore_ascii_case("add")).then(|| {
            let copy = if ins.keyword.value == "add" {
                "copy"
            } else {
                "COPY"
            };
            Fix::new(
                Applicability::Safe,
                "use COPY",
                vec![Edit::replace(ins.keyword.span, copy)],
            )
        });
        out.push(Finding::new(ins.keyword.span, "ADD of local files; use COPY").fix(fix));
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_add_of_files() {
        let out = lint("LW505", "FROM python:3.12\nADD requirements.txt /app/\n");
        insta::assert_snapshot!(out);
        assert!(out.contains("COPY requirements.txt /app/"));
    }

    #[test]
    fn quiet_for_archives_and_urls() {
        assert_eq!(
            lint(
                "LW505",
                "FROM python:3.12\nADD x.tar.gz /opt/\nADD https://e.com/x /x\n"
            ),
            ""
        );
    }
}
