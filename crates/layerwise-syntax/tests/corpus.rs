//! The binnacle gold corpus of real Dockerfiles: everything parses without
//! error and round-trips byte for byte.

use std::fs;

use layerwise_syntax::{Item, parse};

#[test]
fn binnacle_gold_parses_cleanly_and_round_trips() {
    let Some(files) = layerwise_syntax::testing::binnacle_gold_files() else {
        return;
    };
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
                for flag in inst.flags() {
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
