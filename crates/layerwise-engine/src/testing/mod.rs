//! Test support for every crate of the workspace: a connected engine, or a
//! printed reason for skipping. `LAYERWISE_REQUIRE_DOCKER=1` turns the skip
//! into a failure (CI, where an engine must be there).

use crate::{Engine, EngineError};

/// Whether tests that need the outside world (an engine, a registry, the
/// package index) must fail instead of skipping when it is missing.
pub fn outside_world_required() -> bool {
    std::env::var("LAYERWISE_REQUIRE_DOCKER").is_ok_and(|v| v == "1")
}

fn skip(err: &EngineError) {
    if outside_world_required() {
        panic!("LAYERWISE_REQUIRE_DOCKER=1 but no usable Docker engine: {err}");
    }
    eprintln!("skipped: no Docker engine reachable ({err})");
}

/// A connected engine, or `None` after printing why the test is skipped.
///
/// # Panics
/// When `LAYERWISE_REQUIRE_DOCKER=1` and no engine answers.
pub async fn engine_or_skip() -> Option<Engine> {
    match Engine::connect().await {
        Ok(engine) => Some(engine),
        Err(err) => {
            skip(&err);
            None
        }
    }
}

/// For tests that drive the `layerwise` binary: whether an engine answers
/// (checked on a private runtime), printing the skip reason when not.
///
/// # Panics
/// When `LAYERWISE_REQUIRE_DOCKER=1` and no engine answers.
pub fn engine_available_or_skip() -> bool {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let result = match runtime {
        Ok(runtime) => runtime.block_on(Engine::connect()),
        Err(err) => Err(EngineError::Unsupported(format!("no async runtime: {err}"))),
    };
    match result {
        Ok(_) => true,
        Err(err) => {
            skip(&err);
            false
        }
    }
}

/// A finished BuildKit step as the engine reports it, named like
/// `[stage 2/4] RUN …` and `seconds` long, for tests that map or record
/// steps without building.
///
/// # Panics
/// When `name` is not a step name BuildKit writes.
pub fn finished_step(name: &str, cached: bool, seconds: u64) -> crate::Step {
    let (stage, index, count, instruction) = crate::progress::parse_step_name(name)
        .unwrap_or_else(|| panic!("not a BuildKit step name: {name}"));
    let start = std::time::SystemTime::UNIX_EPOCH;
    crate::Step {
        name: name.into(),
        stage,
        index,
        count,
        instruction,
        cached,
        started: Some(start),
        completed: Some(start + std::time::Duration::from_secs(seconds)),
        ..crate::Step::default()
    }
}

mod spare_engine;
pub use spare_engine::SpareEngine;
