//! One build job for every command that builds.
//!
//! * [`Job`] and [`prepare`]: what one image needs (context, Dockerfile,
//!   options), checked and walked so only what COPY/ADD can read is sent;
//!   [`run_prepared`] sends it as a deterministic tar, or through a docker
//!   CLI's file sync when the context is large.
//! * [`build_directory`]: the plain road `bench` and `fix --verify` take, a
//!   directory and a Dockerfile name in it built into one tag.
//! * [`Interrupt`] and [`until_interrupted`]: Ctrl-C, listened for once, so
//!   dropping a build cancels it on the engine and callers can clean up.
//! * [`BuiltImages`]: the tags and image ids a job made, removed when it
//!   ends (a rebuild under a tag leaves the image before it untagged).
//! * [`compose::jobs`]: the services of a compose file, dependencies first.
//! * [`step_rows`]: the report's rows, one per Dockerfile instruction, from
//!   the plan `layerwise explain` predicts with (and recorded for it).
//!
//! Nothing here prints: notes and errors are returned for the caller to show.

mod built_images;
pub mod compose;
mod interrupt;
mod job;
mod rows;

pub use built_images::BuiltImages;
pub use interrupt::{Interrupt, Interrupted, until_interrupted};
pub use job::{
    BuildError, FILE_SYNC_MIN_BYTES, Job, Prepared, build_directory, prepare, run_prepared,
};
pub use rows::step_rows;
