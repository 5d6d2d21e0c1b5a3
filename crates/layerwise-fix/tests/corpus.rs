//! Fix on every binnacle-gold Dockerfile: the result parses, a second fix
//! changes nothing, and every round leaves the bytes outside its edit spans
//! as they were. Skips (and says why) when the corpus is absent.

use layerwise_fix::{Options, fix_source};
use layerwise_rules::Settings;

/// The text between and around `edits` in `before` appears unchanged, in
/// order, in `after`, and each edit's replacement sits where it belongs.
fn preserved_outside(
    before: &str,
    after: &str,
    edits: &[layerwise_rules::Edit],
) -> Result<(), String> {
    let mut pos_before = 0;
    let mut pos_after = 0;
    for e in edits {
        let gap = &before[pos_before..e.span.start];
        if !after[pos_after..].starts_with(gap) {
            return Err(format!("bytes {pos_before}..{} changed", e.span.start));
        }
        pos_after += gap.len();
        if !after[pos_after..].starts_with(&e.replacement) {
            return Err(format!("replacement at {} missing", e.span.start));
        }
        pos_after += e.replacement.len();
        pos_before = e.span.end;
    }
    if after[pos_after..] != before[pos_before..] {
        return Err(format!("tail from {pos_before} changed"));
    }
    Ok(())
}

fn check_corpus(options: &Options) {
    let Some(files) = layerwise_syntax::testing::binnacle_gold_files() else {
        return;
    };
    let settings = Settings::default();
    let mut fixed_files = 0;
    let mut failures = Vec::new();
    for path in &files {
        let Ok(source) = std::fs::read_to_string(path) else {
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(once) = fix_source(&source, &settings, None, options) else {
            continue;
        };
        if once.fixed != source {
            fixed_files += 1;
        }
        let parsed = layerwise_syntax::parse(&once.fixed);
        if let Some(e) = layerwise_fix::parse_failure(&parsed) {
            failures.push(format!("{name}: fixed text does not parse: {e}"));
            continue;
        }
        for (i, round) in once.rounds.iter().enumerate() {
            let after = once
                .rounds
                .get(i + 1)
                .map_or(once.fixed.as_str(), |r| r.before.as_str());
            if let Err(e) = preserved_outside(&round.before, after, &round.edits) {
                failures.push(format!("{name}: round {}: {e}", i + 1));
            }
        }
        // Comments survive every fix that is not a restructure.
        let mut lines = once.fixed.lines();
        for comment in source.lines().filter(|l| l.trim_start().starts_with('#')) {
            if !lines.any(|l| l == comment) {
                failures.push(format!("{name}: comment lost: {comment}"));
                break;
            }
        }
        match fix_source(&once.fixed, &settings, None, options) {
            Ok(twice) if twice.fixed == once.fixed => {}
            Ok(twice) => failures.push(format!(
                "{name}: not idempotent, second run applied {:?}",
                twice.applied.iter().map(|a| &a.code).collect::<Vec<_>>()
            )),
            Err(e) => failures.push(format!("{name}: second run: {e}")),
        }
        if !once.converged {
            failures.push(format!("{name}: did not converge"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        fixed_files > 0,
        "the corpus has fixable files; none was fixed"
    );
    eprintln!("{} of {} files changed", fixed_files, files.len());
}

#[test]
fn corpus_safe_fixes_are_idempotent_and_local() {
    check_corpus(&Options::default());
}

#[test]
fn corpus_unsafe_fixes_are_idempotent_and_local() {
    check_corpus(&Options {
        unsafe_fixes: true,
        ..Options::default()
    });
}
