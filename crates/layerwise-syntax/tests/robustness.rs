//! Property tests: on any input the parser must not panic, must reproduce
//! the input from its items, and every span must be in bounds and on
//! character boundaries.

use layerwise_syntax::{Arguments, Details, Dockerfile, Instruction, Item, Span, parse};
use proptest::prelude::*;

fn instruction_spans(inst: &Instruction, out: &mut Vec<Span>) {
    out.push(inst.span);
    out.push(inst.keyword.span);
    out.push(inst.arguments_span);
    for flag in inst.flags() {
        out.push(flag.span);
        out.push(flag.name.span);
        out.extend(flag.value.as_ref().map(|v| v.span));
    }
    match &inst.arguments {
        Arguments::Exec(exec) => {
            out.push(exec.span);
            out.extend(exec.elements.iter().map(|e| e.span));
        }
        Arguments::Text(t) => out.push(t.span),
        Arguments::Words(words) => out.extend(words.iter().map(|w| w.span)),
        Arguments::KeyValues(pairs) => {
            for p in pairs {
                out.extend([p.span, p.key.span, p.value.span]);
            }
        }
        Arguments::Declarations(decls) => {
            for d in decls {
                out.extend([d.word.span, d.name.span]);
                out.extend(d.default.as_ref().map(|v| v.span));
            }
        }
        Arguments::Healthcheck { kind, command } => {
            out.push(kind.span);
            if let Arguments::Exec(exec) = &**command {
                out.extend(exec.elements.iter().map(|e| e.span));
            }
        }
        Arguments::OnBuild(inner) => instruction_spans(inner, out),
        Arguments::None | Arguments::Ignored => {}
    }
    for h in inst.heredocs() {
        out.extend([h.marker, h.body]);
        out.extend(h.terminator);
    }
    for c in inst.comments() {
        out.extend([c.span, c.text]);
    }
    out.extend(inst.empty_continuation_lines().iter().copied());
    if let Details::Run(run) = &inst.details {
        for m in &run.mounts {
            out.push(m.span);
            for o in &m.options {
                out.extend([o.span, o.key.span]);
                out.extend(o.value.as_ref().map(|v| v.span));
            }
        }
    }
}

/// Checks every invariant the tree promises; returns a description of the
/// first violation.
fn check(source: &str) -> Result<(), String> {
    let df: Dockerfile = parse(source);
    if df.to_source() != source {
        return Err("round trip differs".into());
    }
    let mut at = 0;
    let mut spans = Vec::new();
    for item in df.items() {
        let span = item.span();
        if span.start != at || span.end < span.start {
            return Err(format!("item {span} does not continue at {at}"));
        }
        at = span.end;
        spans.push(span);
        match item {
            Item::Instruction(inst) => {
                let mut inner = Vec::new();
                instruction_spans(inst, &mut inner);
                for s in &inner {
                    if s.start < inst.span.start || s.end > inst.span.end {
                        return Err(format!("span {s} escapes its instruction {}", inst.span));
                    }
                }
                spans.extend(inner);
            }
            Item::Directive(d) => spans.extend([d.name.span, d.value.span]),
            Item::Comment(c) => spans.push(c.text),
            Item::Blank(_) => {}
        }
    }
    if at != source.len() {
        return Err(format!(
            "items end at {at}, source has {} bytes",
            source.len()
        ));
    }
    spans.extend(df.errors().iter().map(|e| e.span));
    for s in spans {
        if s.start > s.end || s.end > source.len() {
            return Err(format!("span {s} out of bounds"));
        }
        if !source.is_char_boundary(s.start) || !source.is_char_boundary(s.end) {
            return Err(format!("span {s} splits a character"));
        }
        let _ = df.position(s.start);
    }
    Ok(())
}

const SAMPLES: &[&str] = &[
    "# syntax=docker/dockerfile:1\n# escape=\\\nFROM python:3.12-slim AS build\nWORKDIR /app\n\
     COPY --chown=app:app --link requirements.txt ./\n\
     RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked \\\n    pip install -r requirements.txt\n\
     COPY <<EOF /app/config.ini\n[main]\nkey = $VALUE\nEOF\n\
     ENV PATH=\"/opt/venv/bin:$PATH\" VIRTUAL_ENV=/opt/venv\nUSER app\nCMD [\"python\", \"-m\", \"app\"]\n",
    "FROM alpine\nRUN <<-EOT sh\n\techo hi\n\tEOT\nHEALTHCHECK --interval=5s CMD [\"true\"]\nARG A=1 B\nLABEL a=b c d\nONBUILD RUN x\n",
    "# escape=`\nFROM x\nRUN a `\n  # comment\n\n  b\nENV K v``\nSHELL [\"pwsh\", \"-c\"]\n",
];

/// Tokens that stress the parser's special cases.
const TOKENS: &[&str] = &[
    "\\",
    "\\\\",
    "`",
    "<<",
    "<<-",
    "<<'E'",
    "EOF",
    "E",
    "[",
    "]",
    "\"",
    "'",
    "\n",
    "\r\n",
    "#",
    " ",
    "\t",
    "--",
    "--mount=",
    "type=cache,",
    "=",
    "$",
    "${",
    "}",
    ",",
    "RUN ",
    "COPY ",
    "ONBUILD ",
    "HEALTHCHECK ",
    "é",
    "\u{feff}",
];

/// Every twentieth corpus file plus the built-in samples, read once.
fn corpus_samples() -> &'static [String] {
    static SAMPLES_CACHE: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    SAMPLES_CACHE.get_or_init(load_samples)
}

fn load_samples() -> Vec<String> {
    let files = layerwise_syntax::testing::binnacle_gold_files().unwrap_or_default();
    let mut samples: Vec<String> = files
        .iter()
        .step_by(20)
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    samples.extend(SAMPLES.iter().map(|s| s.to_string()));
    samples
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Clone, Debug)]
enum Mutation {
    Insert(usize, usize),
    Delete(usize, usize),
    Duplicate(usize, usize),
}

fn apply(source: &str, mutations: &[Mutation]) -> String {
    let mut s = source.to_string();
    for m in mutations {
        let len = s.len().max(1);
        match *m {
            Mutation::Insert(pos, token) => {
                let at = floor_boundary(&s, pos % (len + 1));
                s.insert_str(at, TOKENS[token % TOKENS.len()]);
            }
            Mutation::Delete(pos, n) => {
                let a = floor_boundary(&s, pos % len);
                let b = floor_boundary(&s, a + n % 16);
                s.replace_range(a..b, "");
            }
            Mutation::Duplicate(pos, n) => {
                let a = floor_boundary(&s, pos % len);
                let b = floor_boundary(&s, a + n % 64);
                let piece = s[a..b].to_string();
                s.insert_str(b, &piece);
            }
        }
    }
    s
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(p, t)| Mutation::Insert(p, t)),
        (any::<usize>(), any::<usize>()).prop_map(|(p, n)| Mutation::Delete(p, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(p, n)| Mutation::Duplicate(p, n)),
    ]
}

proptest! {
    // 512 cases by default; PROPTEST_CASES raises it for a longer search.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_text(source in any::<String>()) {
        prop_assert_eq!(check(&source), Ok(()));
    }

    #[test]
    fn token_soup(tokens in prop::collection::vec(0..TOKENS.len(), 0..80)) {
        let source: String = tokens.iter().map(|&i| TOKENS[i]).collect();
        prop_assert_eq!(check(&source), Ok(()));
    }

    #[test]
    fn mutated_dockerfiles(index in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..12)) {
        let samples = corpus_samples();
        let source = apply(&samples[index % samples.len()], &mutations);
        prop_assert_eq!(check(&source), Ok(()));
    }
}

#[test]
fn samples_hold_invariants() {
    for sample in corpus_samples() {
        assert_eq!(check(sample), Ok(()));
    }
}
