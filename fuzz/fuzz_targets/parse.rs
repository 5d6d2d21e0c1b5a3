//! Fuzzes the Dockerfile parser: any UTF-8 input must parse without
//! panicking, reassemble to itself, and keep every span in bounds.

#![no_main]

use layerwise_syntax::{Item, dump::dump, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let dockerfile = parse(source);
    assert_eq!(dockerfile.to_source(), source);
    let mut at = 0;
    for item in dockerfile.items() {
        let span = item.span();
        assert_eq!(span.start, at);
        at = span.end;
        if let Item::Instruction(inst) = item {
            for flag in inst.flags() {
                assert!(flag.span.start >= inst.span.start && flag.span.end <= inst.span.end);
                assert!(
                    source.is_char_boundary(flag.span.start)
                        && source.is_char_boundary(flag.span.end)
                );
            }
            for heredoc in inst.heredocs() {
                assert!(heredoc.body.end <= inst.span.end);
            }
        }
    }
    assert_eq!(at, source.len());
    for error in dockerfile.errors() {
        assert!(error.span.end <= source.len());
        let _ = dockerfile.position(error.span.start);
    }
    let _ = dump(&dockerfile);
});
