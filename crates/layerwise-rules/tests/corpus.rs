//! Every rule over the binnacle-gold corpus of real Dockerfiles: no panic,
//! every fix applies, and its edits are in bounds and do not overlap.

#[test]
fn all_rules_run_cleanly_over_the_corpus() {
    let Some(files) = layerwise_syntax::testing::binnacle_gold_files() else {
        return;
    };
    let settings = layerwise_rules::Settings::default();
    let mut checked = 0;
    let mut findings = 0;
    for path in &files {
        let Ok(source) = std::fs::read_to_string(path) else {
            continue;
        };
        let (file, diagnostics) = layerwise_rules::check_source(&source, &settings, None);
        checked += 1;
        findings += diagnostics.len();
        for d in &diagnostics {
            assert!(
                d.span.end <= source.len() && d.span.start <= d.span.end,
                "{}: bad span {:?}",
                path.display(),
                d
            );
            assert!(source.is_char_boundary(d.span.start) && source.is_char_boundary(d.span.end));
            let _ = file.position(d.span.start);
            if let Some(fix) = &d.fix {
                let mut last = 0;
                for e in &fix.edits {
                    assert!(
                        e.span.start >= last,
                        "{}: overlapping edits in {:?}",
                        path.display(),
                        d
                    );
                    assert!(e.span.end <= source.len());
                    last = e.span.end;
                }
                let fixed = fix
                    .apply(&source)
                    .unwrap_or_else(|| panic!("{}: fix does not apply: {d:?}", path.display()));
                // The edits change only the bytes they cover.
                let removed: usize = fix.edits.iter().map(|e| e.span.len()).sum();
                let added: usize = fix.edits.iter().map(|e| e.replacement.len()).sum();
                assert_eq!(fixed.len() + removed, source.len() + added);
                // A fixed file still parses without new errors.
                let reparsed = layerwise_syntax::parse(&fixed);
                assert!(
                    reparsed.errors().len() <= file.errors().len(),
                    "{}: fix for {} introduced a parse error:\n{fixed}",
                    path.display(),
                    d.code
                );
            }
        }
    }
    assert!(checked >= 400, "only {checked} corpus files read");
    assert!(findings > checked, "suspiciously few findings: {findings}");
}
