//! One module per subcommand. Each exposes its clap arguments and a `run`
//! function returning the process exit code (see `crate::exit`).

pub mod bench;
pub mod build;
pub mod check;
pub mod debug;
pub mod doctor;
pub mod explain;
pub mod fix;
pub mod init;
pub mod rule;
