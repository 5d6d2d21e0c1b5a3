//! What a large file costs per RUN. `check` holds the parsed file and its
//! model for every instruction at once, so a file of a million one-line RUNs
//! costs about a million times what one RUN does; these bounds keep a 53 MB
//! file under 1 GB.

use std::mem::size_of;

use layerwise_model::{Invocation, Model, Options, Run, SimpleCommand};
use layerwise_syntax::{Instruction, Item, parse_string};

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

const RUNS: usize = 10_000;

#[test]
fn the_structures_a_run_keeps_stay_small() {
    assert!(size_of::<Item>() <= 40, "Item: {}", size_of::<Item>());
    assert!(
        size_of::<Instruction>() <= 256,
        "Instruction: {}",
        size_of::<Instruction>()
    );
    assert!(size_of::<Run>() <= 176, "Run: {}", size_of::<Run>());
    assert!(
        size_of::<Invocation>() <= 88,
        "Invocation: {}",
        size_of::<Invocation>()
    );
    assert!(
        size_of::<SimpleCommand>() <= 40,
        "SimpleCommand: {}",
        size_of::<SimpleCommand>()
    );
}

#[test]
fn parsing_and_modelling_keep_few_bytes_per_run() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut source = String::from("FROM python:3.11-slim\n");
    for i in 0..RUNS {
        source.push_str(&format!(
            "RUN echo \"building the application layer number {i:08}\"\n"
        ));
    }
    let source_at = source.as_ptr();
    let before = dhat::HeapStats::get();

    let file = parse_string(source);
    let model = Model::new(&file, &Options::default());
    let after = dhat::HeapStats::get();

    // The model saw every RUN and its program, so nothing was skipped.
    assert_eq!(model.instructions.len(), RUNS + 1);
    let last = model.run(RUNS).expect("the last RUN is analyzed");
    assert_eq!(last.invocations[0].program().value, "echo");
    // The parsed file keeps the text it was given rather than a copy.
    assert_eq!(file.source().as_ptr(), source_at);

    let kept = (after.curr_bytes - before.curr_bytes) / RUNS;
    let peak = (after.max_bytes - before.curr_bytes) / RUNS;
    eprintln!("per RUN: {kept} bytes kept, {peak} bytes at the peak");
    // Measured: 879 bytes both (each line is 57 bytes, not counted here);
    // before sharing words and borrowing text it was about 1,350.
    assert!(kept <= 1_000, "{kept} bytes kept per RUN");
    assert!(peak <= 1_000, "{peak} bytes at the peak per RUN");
}
