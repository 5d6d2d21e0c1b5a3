//! The measurement side of `layerwise bench`, kept free of the engine so it
//! can be tested without Docker:
//!
//! * [`stats`]: median, min and max of repeated runs;
//! * [`edits`]: the scenario edits (a code line, a new dependency) applied to
//!   a temporary copy of the project, and cache-mount isolation;
//! * [`downloads`]: which packages pip or uv fetched or built, and how many
//!   bytes, read from the build step logs;
//! * [`report`]: the report model with its Markdown and JSON forms;
//! * [`html`]: the HTML page with its SVG bar chart.

pub mod downloads;
pub mod edits;
pub mod html;
pub mod report;
pub mod stats;
