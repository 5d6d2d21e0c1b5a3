//! `layerwise debug …`: internal inspection tools.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use layerwise_syntax::{Dockerfile, Item, dump::dump};

use crate::exit;

#[derive(Subcommand)]
pub enum DebugCommand {
    /// Print the parse tree in BuildKit's AST dump format.
    ///
    /// Parse errors go to stderr as FILE:LINE:COL: error: MESSAGE and the
    /// exit code is 2; the tree is printed either way.
    Dump {
        /// The Dockerfile to parse.
        file: PathBuf,
    },
    /// Print every top-level item with its line range and span.
    Items {
        /// The Dockerfile to parse.
        file: PathBuf,
    },
}

pub fn run(cmd: DebugCommand) -> anyhow::Result<u8> {
    match cmd {
        DebugCommand::Dump { file } => {
            let dockerfile = read_and_parse(&file)?;
            print!("{}", dump(&dockerfile));
            Ok(report_errors(&file, &dockerfile))
        }
        DebugCommand::Items { file } => {
            let dockerfile = read_and_parse(&file)?;
            for item in dockerfile.items() {
                let span = item.span();
                let (first, last) = dockerfile.lines(span);
                let what = match item {
                    Item::Directive(d) => format!("directive {}={}", d.name.value, d.value.value),
                    Item::Comment(_) => "comment".to_string(),
                    Item::Blank(_) => "blank".to_string(),
                    Item::Instruction(i) => format!(
                        "instruction {} ({} flags, {} heredocs)",
                        i.keyword.value,
                        i.flags().len(),
                        i.heredocs().len()
                    ),
                };
                println!("{first}-{last}\t{}..{}\t{what}", span.start, span.end);
            }
            Ok(report_errors(&file, &dockerfile))
        }
    }
}

fn read_and_parse(file: &Path) -> anyhow::Result<Dockerfile> {
    Ok(layerwise_syntax::read(file)?)
}

/// Prints each parse error as FILE:LINE:COL: error: MESSAGE; returns the exit code.
fn report_errors(file: &Path, dockerfile: &Dockerfile) -> u8 {
    for error in dockerfile.errors() {
        let at = dockerfile.position(error.span.start);
        eprintln!(
            "{}:{}:{}: error: {}",
            file.display(),
            at.line,
            at.column,
            error.message
        );
    }
    if dockerfile.errors().is_empty() {
        exit::SUCCESS
    } else {
        exit::INPUT_ERROR
    }
}
