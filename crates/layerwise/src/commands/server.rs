//! `layerwise server`: the language server on stdin/stdout (see `layerwise-lsp`).

use anyhow::Result;
use clap::Args;

use crate::exit;

/// Run the language server (LSP over stdio) for editors.
#[derive(Args, Debug)]
pub struct ServerArgs {
    /// Accepted for clients that pass it; stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

pub fn run(_args: ServerArgs) -> Result<u8> {
    match layerwise_lsp::run_stdio() {
        Ok(()) => Ok(exit::SUCCESS),
        // A client that breaks the protocol or goes away mid-message.
        Err(err) => {
            eprintln!("error: language server: {err}");
            Ok(exit::INPUT_ERROR)
        }
    }
}
