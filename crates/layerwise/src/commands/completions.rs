//! `layerwise completions SHELL` and `layerwise man`: shell completion scripts
//! and the man page, both generated from the clap definitions so they never
//! drift from the real arguments.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::exit;

/// Print a shell completion script.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Print the man page layerwise(1), or write one page per subcommand.
#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write layerwise.1 and a page for every subcommand (layerwise-check.1, …)
    /// into this existing directory instead of printing layerwise.1.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

pub fn completions(args: CompletionsArgs) -> Result<u8> {
    let mut command = crate::Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "layerwise", &mut out);
    out.flush()?;
    Ok(exit::SUCCESS)
}

pub fn man(args: ManArgs) -> Result<u8> {
    let command = crate::Cli::command();
    match args.out_dir {
        Some(dir) => {
            if !dir.is_dir() {
                bail!("{}: not a directory", dir.display());
            }
            clap_mangen::generate_to(command, &dir)
                .with_context(|| format!("cannot write man pages into {}", dir.display()))?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(command).render(&mut out)?;
            out.flush()?;
        }
    }
    Ok(exit::SUCCESS)
}
