//! `layerwise bench` without its command line:
//!
//! * [`measure`]: the scenario loop over temporary copies, every build
//!   through `layerwise-build`, and the report's notes;
//! * [`stats`]: median, min and max of repeated runs;
//! * [`edits`]: the scenario edits (a code line, a new dependency) applied to
//!   a temporary copy of the project, and cache-mount isolation;
//! * [`downloads`]: which packages pip or uv fetched or built, and how many
//!   bytes, read from the build step logs;
//! * [`network`]: the bytes this machine's physical network adapters
//!   received during a build, for an engine running here;
//! * [`report`]: the report model with its Markdown and JSON forms;
//! * [`html`]: the HTML page with its SVG bar chart.

pub mod downloads;
pub mod edits;
pub mod html;
pub mod measure;
pub mod network;
pub mod report;
pub mod stats;
