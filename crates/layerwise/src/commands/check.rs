//! `layerwise check`: lint Dockerfiles and report in the chosen format.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use clap::{Args, ValueEnum};
use layerwise_rules::discover::{NO_DOCKERFILE, find_dockerfiles};
use layerwise_rules::{ContextDir, FileReport, RuleOptions, Settings, Severity};
use rayon::prelude::*;

use crate::exit;
use crate::output::{self, Format};

/// Lint Dockerfiles for slow rebuilds, large images and unsafe defaults.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Dockerfiles or project directories (default: the current directory);
    /// `-` reads a Dockerfile from standard input.
    pub paths: Vec<PathBuf>,
    /// The path standard input stands for with `-`: named in messages, and
    /// where the configuration is looked for.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with 1 when a finding is at or above this severity
    /// (`--failure-threshold` as in hadolint).
    #[arg(long, value_enum, visible_alias = "failure-threshold")]
    pub fail_on: Option<Level>,
    /// Exit with 0 even when there are findings (as in ruff); a file that
    /// cannot be checked still exits with 2.
    #[arg(long)]
    pub exit_zero: bool,
    /// Only report findings at or above this severity.
    #[arg(long, value_enum)]
    pub severity: Option<Level>,
    /// The build context directory, for rules about the context
    /// (default: the directory given as PATH; none for a file).
    #[arg(long)]
    pub context: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleSelection,
}

/// Rule selection, configuration and build inputs, shared by `check` and `fix`.
#[derive(Args, Debug)]
pub struct RuleSelection {
    /// Only these rules (codes, prefixes, names, categories, Docker check
    /// names or hadolint codes; comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Not these rules.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// A build argument, as for `docker build --build-arg NAME=value`.
    #[arg(long = "build-arg", value_name = "NAME=VALUE")]
    pub build_args: Vec<String>,
    /// The stage that is built (default: the last one).
    #[arg(long)]
    pub target: Option<String>,
    /// Use this configuration file instead of searching for one.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Ignore configuration files.
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,
}

/// A severity on the command line.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl From<Level> for Severity {
    fn from(l: Level) -> Severity {
        match l {
            Level::Info => Severity::Info,
            Level::Warning => Severity::Warning,
            Level::Error => Severity::Error,
        }
    }
}

pub fn run(args: CheckArgs) -> Result<u8> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut targets: Vec<(Input, Option<PathBuf>)> = Vec::new();
    let mut reports = Vec::new();
    let mut stdin_read = false;
    for path in &paths {
        if path.as_os_str() == "-" {
            if stdin_read {
                bail!("`-` (standard input) can be given only once");
            }
            stdin_read = true;
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
                .context("cannot read standard input")?;
            let name = args
                .stdin_filename
                .clone()
                .unwrap_or_else(|| PathBuf::from("-"));
            targets.push((Input::Stdin { name, bytes }, args.context.clone()));
        } else if path.is_dir() {
            let found = find_dockerfiles(path);
            if found.is_empty() {
                // A path that yields nothing to check must not pass a CI run.
                reports.push(FileReport {
                    path: path.display().to_string(),
                    file: None,
                    errors: vec![(0, 0, NO_DOCKERFILE.to_string())],
                    diagnostics: Vec::new(),
                });
            }
            let context = args.context.clone().unwrap_or_else(|| path.clone());
            targets.extend(
                found
                    .into_iter()
                    .map(|f| (Input::File(f), Some(context.clone()))),
            );
        } else if path.is_file() {
            targets.push((Input::File(path.clone()), args.context.clone()));
        } else {
            reports.push(FileReport {
                path: path.display().to_string(),
                file: None,
                errors: vec![(0, 0, "no such file or directory".to_string())],
                diagnostics: Vec::new(),
            });
        }
    }
    if args.stdin_filename.is_some() && !stdin_read {
        bail!("--stdin-filename needs `-` among the paths");
    }
    let rule_options = rule_options(&args.rules)?;
    let mut projects: BTreeMap<(PathBuf, Option<PathBuf>), ContextDir> = BTreeMap::new();
    let mut fail_on = Severity::Warning;
    let mut jobs = Vec::with_capacity(targets.len());
    for (input, context) in targets {
        let (config, settings) = rule_options
            .check_settings_for(input.path())
            .map_err(anyhow::Error::msg)?;
        fail_on = args
            .fail_on
            .map(Severity::from)
            .or(config.fail_on)
            .unwrap_or(fail_on);
        let project = context.map(|dir| {
            // One project per context and ignore file: a Dockerfile with its
            // own `<name>.dockerignore` is judged against that one.
            let ignore = layerwise_ignore::locate(&dir, input.path());
            projects
                .entry((dir.clone(), ignore))
                .or_insert_with(|| ContextDir::load_for(&dir, input.path()))
                .clone()
        });
        jobs.push((input, settings, project));
    }
    // A broken .dockerignore changes what every COPY sees: an input error,
    // reported once per context, as every other command reports it.
    for project in projects.values() {
        if let Some(error) = &project.dockerignore_error {
            let (line, column) = error.position().unwrap_or((0, 0));
            reports.push(FileReport {
                path: error.path().display().to_string(),
                file: None,
                errors: vec![(line, column, error.reason())],
                diagnostics: Vec::new(),
            });
        }
    }
    // Files are independent: lint them in parallel, reports in input order.
    reports.extend(
        jobs.par_iter()
            .map(|(input, settings, project)| check_input(input, settings, project.as_ref()))
            .collect::<Vec<_>>(),
    );
    let min = args.severity.map(Severity::from).unwrap_or(Severity::Info);
    for r in &mut reports {
        r.diagnostics.retain(|d| d.severity >= min);
    }
    // Stdout is line-buffered: unbuffered, a JSON report costs a write per line.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    output::write(&mut out, args.format, &reports)?;
    std::io::Write::flush(&mut out)?;
    drop(out);
    let input_error = reports.iter().any(|r| !r.errors.is_empty());
    if args.format != Format::Human {
        for r in &reports {
            for (line, col, message) in &r.errors {
                eprintln!("{}: error: {message}", r.location(*line, *col));
            }
        }
    }
    Ok(if input_error {
        exit::INPUT_ERROR
    } else if !args.exit_zero
        && reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .any(|d| d.severity >= fail_on)
    {
        exit::FINDINGS
    } else {
        exit::SUCCESS
    })
}

/// One Dockerfile to check: a file, or standard input with the name it stands for.
enum Input {
    File(PathBuf),
    Stdin { name: PathBuf, bytes: Vec<u8> },
}

impl Input {
    fn path(&self) -> &Path {
        match self {
            Input::File(path) => path,
            Input::Stdin { name, .. } => name,
        }
    }
}

fn check_input(input: &Input, settings: &Settings, project: Option<&ContextDir>) -> FileReport {
    let bytes = match input {
        Input::File(path) => std::fs::read(path),
        Input::Stdin { bytes, .. } => Ok(bytes.clone()),
    };
    layerwise_rules::check_bytes(input.path(), bytes, settings, project)
}

/// The command line's rule choices (`check` and `fix`); `--config` is read
/// here, once.
pub fn rule_options(args: &RuleSelection) -> Result<RuleOptions> {
    let explicit = match &args.config {
        Some(path) => Some(RuleOptions::explicit_config(path).map_err(anyhow::Error::msg)?),
        None => None,
    };
    Ok(RuleOptions {
        explicit,
        isolated: args.isolated,
        build_args: super::build_args(&args.build_args).into_iter().collect(),
        target: args.target.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
    })
}
