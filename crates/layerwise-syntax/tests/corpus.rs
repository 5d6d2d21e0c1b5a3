//! The binnacle gold corpus of real Dockerfiles: everything parses without
//! error and round-trips byte for byte.

use std::fs;
use std::path::Path;

use layerwise_syntax::{Item, parse};

#[test]
fn binnacle_gold_parses_cleanly_and_round_trips() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/binnacle-gold");
    if !dir.is_dir() {
        let required = std::env::var("LAYERWISE_CONFORMANCE").is_ok_and(|v| v == "required");
        assert!(
            !required,
            "LAYERWISE_CONFORMANCE=required but {} is missing",
            dir.display()
        );
        eprintln!("skipping: {} not found", dir.display());
        return;
    }
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("listable corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 405, "the gold set has 405 Dockerfiles");
    let mut instructions = 0;
    for path in &files {
        let source = fs::read_to_string(path).expect("UTF-8 Dockerfile");
        let dockerfile = parse(&source);
        assert!(
            dockerfile.errors().is_empty(),
            "{}: {:?}",
            path.display(),
            dockerfile.errors()
        );
        assert_eq!(dockerfile.to_source(), source, "{}", path.display());
        // Items tile the source with no gap or overlap.
        let mut at = 0;
        for item in dockerfile.items() {
            assert_eq!(item.span().start, at, "{}", path.display());
            at = item.span().end;
            if let Item::Instruction(inst) = item {
                instructions += 1;
                for flag in &inst.flags {
                    assert!(
                        dockerfile.text(flag.span).starts_with("--"),
                        "{}",
                        path.display()
                    );
                }
            }
        }
        assert_eq!(at, source.len());
    }
    assert!(
        instructions > 4000,
        "only {instructions} instructions found"
    );
}
