//! `layerwise rule`: print a rule's documentation.

use anyhow::Result;
use clap::Args;

use crate::exit;

/// Show the documentation of a rule (by code, name, Docker check name or hadolint code).
#[derive(Args, Debug)]
pub struct RuleArgs {
    /// The rule to show.
    #[arg(required_unless_present = "all")]
    pub rule: Option<String>,
    /// Show every rule (not together with a rule: that is a usage error).
    #[arg(long, conflicts_with = "rule")]
    pub all: bool,
}

pub fn run(args: RuleArgs) -> Result<u8> {
    if args.all {
        print!("{}", layerwise_rules::docs::rules_markdown());
        println!();
        return Ok(exit::SUCCESS);
    }
    let key = args.rule.unwrap_or_default();
    match layerwise_rules::registry::find(&key) {
        Some(rule) => {
            print!("{}", layerwise_rules::docs::rule_markdown(rule));
            Ok(exit::SUCCESS)
        }
        None => {
            eprintln!("error: unknown rule `{key}` (try `layerwise rule --all`)");
            Ok(exit::INPUT_ERROR)
        }
    }
}
