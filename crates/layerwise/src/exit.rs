//! Process exit codes. Every command maps its outcome onto one of these; the
//! table is documented in the README ("Exit codes") and must stay in sync.

use std::process::ExitCode;

/// The command did what was asked and found nothing to report.
pub const SUCCESS: u8 = 0;
/// `check` found problems at or above the failure threshold (or `fix --diff`
/// would change something).
pub const FINDINGS: u8 = 1;
/// Bad input: usage error, unreadable path, unparseable Dockerfile, invalid
/// configuration or project manifest.
pub const INPUT_ERROR: u8 = 2;
/// No Docker engine could be reached, or it is too old for BuildKit.
pub const ENGINE_UNAVAILABLE: u8 = 3;
/// The engine ran the build and it failed, or `build --push` could not push it.
pub const BUILD_FAILED: u8 = 4;
/// Interrupted by Ctrl-C (128 + SIGINT, as shells report it).
pub const INTERRUPTED: u8 = 130;

pub fn code(value: u8) -> ExitCode {
    ExitCode::from(value)
}
