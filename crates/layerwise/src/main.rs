//! The `layerwise` command line. Thin by design: argument parsing and output
//! live here, every analysis lives in the library crates (see ARCHITECTURE.md).

mod commands;
mod exit;
mod output;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc keeps small allocations in size classes without glibc's 16-byte
/// headers: a parsed Dockerfile is millions of short strings and vectors.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "layerwise", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint Dockerfiles for slow rebuilds, large images and unsafe defaults.
    Check(commands::check::CheckArgs),
    /// Apply the fixes of `check`: print a diff, or write with --write.
    Fix(commands::fix::FixArgs),
    /// Generate the optimized Dockerfile, .dockerignore and compose.yaml for a Python project.
    Init(commands::init::InitArgs),
    /// Show the documentation of a rule.
    Rule(commands::rule::RuleArgs),
    /// Build an image with BuildKit and show which steps ran and what they cost.
    Build(commands::build::BuildArgs),
    /// Check the Docker engine, BuildKit and the build cache.
    Doctor(commands::doctor::DoctorArgs),
    /// Measure cold builds, rebuilds after a code or dependency edit, and image size.
    Bench(commands::bench::BenchArgs),
    /// Predict which steps the next build re-runs, why, and what that costs.
    Explain(commands::explain::ExplainArgs),
    /// Run the language server (LSP over stdio) for editors.
    Server(commands::server::ServerArgs),
    /// Internal tools for inspecting what layerwise sees.
    #[command(subcommand)]
    Debug(commands::debug::DebugCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(commands::completions::CompletionsArgs),
    /// Print the man page, or write one page per subcommand with --out-dir.
    Man(commands::completions::ManArgs),
    /// Use layerwise from the docker CLI: `layerwise plugin install`, then `docker layerwise`.
    #[command(subcommand)]
    Plugin(commands::plugin::PluginCommand),
    /// The docker CLI's plugin metadata call.
    #[command(name = "docker-cli-plugin-metadata", hide = true)]
    DockerCliPluginMetadata,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse_from(commands::plugin::command_line(std::env::args_os())) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                exit::INPUT_ERROR
            } else {
                exit::SUCCESS
            };
            let _ = err.print();
            return exit::code(code);
        }
    };
    let outcome = match cli.command {
        Command::Check(args) => commands::check::run(args),
        Command::Fix(args) => commands::fix::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Rule(args) => commands::rule::run(args),
        Command::Build(args) => commands::build::run(args),
        Command::Doctor(args) => commands::doctor::run(args),
        Command::Bench(args) => commands::bench::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Server(args) => commands::server::run(args),
        Command::Debug(cmd) => commands::debug::run(cmd),
        Command::Completions(args) => commands::completions::completions(args),
        Command::Man(args) => commands::completions::man(args),
        Command::Plugin(cmd) => commands::plugin::run(cmd),
        Command::DockerCliPluginMetadata => commands::plugin::metadata(),
    };
    match outcome {
        Ok(code) => exit::code(code),
        Err(err) => {
            eprintln!("error: {err:#}");
            exit::code(exit::INPUT_ERROR)
        }
    }
}
