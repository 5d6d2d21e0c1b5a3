//! Snapshot cases under `tests/cases/`: each `NAME.Dockerfile` is parsed and
//! described (BuildKit dump, typed flags, heredocs, errors with positions);
//! the description must equal `NAME.expected`. Run with `LAYERWISE_BLESS=1`
//! to rewrite the expectations after a deliberate change, then review the diff.

use std::fmt::Write;
use std::fs;
use std::path::Path;

use layerwise_syntax::dump::{dump_instruction, go_quote};
use layerwise_syntax::{Details, Dockerfile, Instruction, parse};

fn at(df: &Dockerfile, offset: usize) -> String {
    let p = df.position(offset);
    format!("{}:{}", p.line, p.column)
}

fn describe_instruction(df: &Dockerfile, inst: &Instruction, out: &mut String) {
    let (first, last) = df.lines(inst.span);
    let _ = writeln!(out, "{first}-{last} ({})", dump_instruction(inst));
    for flag in inst.flags() {
        let value = flag.value.as_ref().map_or(String::new(), |v| {
            format!(
                " value {} @{}",
                go_quote(df.text(v.span)),
                at(df, v.span.start)
            )
        });
        let _ = writeln!(
            out,
            "  flag {} @{}{value}",
            flag.name.value,
            at(df, flag.span.start)
        );
    }
    match &inst.details {
        Details::Run(run) => {
            for m in &run.mounts {
                let _ = write!(out, "  mount {}", m.kind.as_str());
                for (label, v) in [
                    ("target", &m.target),
                    ("source", &m.source),
                    ("from", &m.from),
                    ("id", &m.id),
                ] {
                    if let Some(v) = v {
                        let _ = write!(out, " {label}={v}");
                    }
                }
                if let Some(s) = m.sharing {
                    let _ = write!(out, " sharing={s:?}");
                }
                if let Some(mode) = m.mode {
                    let _ = write!(out, " mode={mode:o}");
                }
                for (label, v) in [("uid", m.uid), ("gid", m.gid)] {
                    if let Some(v) = v {
                        let _ = write!(out, " {label}={v}");
                    }
                }
                if let Some(size) = m.size {
                    let _ = write!(out, " size={size}");
                }
                let _ = write!(out, " readonly={}", m.is_readonly());
                if let Some(r) = m.required {
                    let _ = write!(out, " required={r}");
                }
                out.push('\n');
                for o in &m.options {
                    let value = o.value.as_ref().map_or(String::new(), |v| {
                        format!(" = {} @{}", go_quote(df.text(v.span)), at(df, v.span.start))
                    });
                    let _ = writeln!(
                        out,
                        "    option {} @{}{value}",
                        go_quote(df.text(o.key.span)),
                        at(df, o.key.span.start)
                    );
                }
            }
            if let Some(n) = &run.network {
                let _ = writeln!(out, "  network {:?} @{}", n.value, at(df, n.span.start));
            }
            if let Some(s) = &run.security {
                let _ = writeln!(out, "  security {:?} @{}", s.value, at(df, s.span.start));
            }
        }
        Details::Copy(c) => {
            for (label, v) in [
                ("from", &c.from),
                ("chown", &c.chown),
                ("chmod", &c.chmod),
                ("checksum", &c.checksum),
            ] {
                if let Some(v) = v {
                    let _ = writeln!(out, "  {label} {}", go_quote(&v.value));
                }
            }
            for (label, v) in [
                ("link", &c.link),
                ("parents", &c.parents),
                ("keep-git-dir", &c.keep_git_dir),
                ("unpack", &c.unpack),
            ] {
                if let Some(v) = v {
                    let _ = writeln!(out, "  {label} {}", v.value);
                }
            }
            for e in &c.exclude {
                let _ = writeln!(out, "  exclude {}", go_quote(&e.value));
            }
        }
        Details::From(f) => {
            if let Some(p) = &f.platform {
                let _ = writeln!(out, "  platform {}", go_quote(&p.value));
            }
        }
        Details::Healthcheck(h) => {
            for (label, v) in [
                ("interval", &h.interval),
                ("timeout", &h.timeout),
                ("start-period", &h.start_period),
                ("start-interval", &h.start_interval),
            ] {
                if let Some(v) = v {
                    let _ = writeln!(out, "  {label} {:?}", v.value);
                }
            }
            if let Some(r) = &h.retries {
                let _ = writeln!(out, "  retries {}", r.value);
            }
        }
        Details::None => {}
    }
    for h in inst.heredocs() {
        let fd = h.fd.map_or("-".to_string(), |fd| fd.to_string());
        let _ = writeln!(
            out,
            "  heredoc {} @{} fd={fd} chomp={} expand={} content={} effective={} terminated={}",
            go_quote(&h.name),
            at(df, h.marker.start),
            h.chomp,
            h.expand,
            go_quote(&h.content),
            go_quote(&h.effective_content()),
            h.terminator.is_some()
        );
    }
    for c in inst.comments() {
        let _ = writeln!(
            out,
            "  comment {} @{}",
            go_quote(df.text(c.text)),
            at(df, c.text.start)
        );
    }
}

fn describe(df: &Dockerfile) -> String {
    let mut out = String::new();
    for d in df.directives() {
        let _ = writeln!(
            out,
            "directive {:?} {} @{}",
            d.kind,
            go_quote(&d.value.value),
            at(df, d.value.span.start)
        );
    }
    for inst in df.instructions() {
        describe_instruction(df, inst, &mut out);
    }
    for e in df.errors() {
        let _ = writeln!(
            out,
            "error {} {:?}: {}",
            at(df, e.span.start),
            e.kind,
            e.message
        );
    }
    out
}

#[test]
fn snapshot_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let bless = std::env::var_os("LAYERWISE_BLESS").is_some();
    let mut names: Vec<_> = fs::read_dir(&dir)
        .expect("tests/cases exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    names.sort();
    assert!(names.len() >= 20, "only {} cases", names.len());
    let mut failures = Vec::new();
    for path in names {
        let source = fs::read_to_string(&path).expect("readable case");
        let df = parse(&source);
        assert_eq!(df.to_source(), source, "round trip of {}", path.display());
        let actual = describe(&df);
        let expected_path = path.with_extension("expected");
        if bless {
            fs::write(&expected_path, &actual).expect("writable expectation");
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- actual\n{actual}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
