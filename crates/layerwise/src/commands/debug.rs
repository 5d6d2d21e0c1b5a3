//! `layerwise debug …`: internal inspection tools.

use clap::Subcommand;

#[derive(Subcommand)]
pub enum DebugCommand {}

pub fn run(cmd: DebugCommand) -> anyhow::Result<u8> {
    match cmd {}
}
