//! `layerwise check`: lint Dockerfiles and report in the chosen format.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use clap::{Args, ValueEnum};
use layerwise_rules::{Diagnostic, Project, Settings, Severity};
use layerwise_syntax::Dockerfile;
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
    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, value_enum)]
    pub fail_on: Option<Level>,
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

/// The outcome for one file.
pub struct FileReport {
    /// The path as given or found, for display.
    pub path: String,
    pub file: Option<Dockerfile>,
    /// `line:col: message` problems that stop the file from being checked.
    pub errors: Vec<(usize, usize, String)>,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// `PATH:LINE:COL`, or just `PATH` for an error about the whole file (line 0).
    pub fn location(&self, line: usize, column: usize) -> String {
        if line == 0 {
            self.path.clone()
        } else {
            format!("{}:{line}:{column}", self.path)
        }
    }
}

/// Configuration read from `layerwise.toml` or `[tool.layerwise]`.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    pub severity: BTreeMap<String, Severity>,
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
    let rule_options = RuleOptions::new(&args.rules)?;
    let mut projects: BTreeMap<(PathBuf, Option<PathBuf>), Project> = BTreeMap::new();
    let mut fail_on = Severity::Warning;
    let mut jobs = Vec::with_capacity(targets.len());
    for (input, context) in targets {
        let (config, mut settings, origin) = rule_options.settings_for(input.path())?;
        for (key, sev) in &config.severity {
            settings
                .set_severity(key, *sev)
                .map_err(|e| anyhow::anyhow!("{origin}: {e}"))?;
        }
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
                .or_insert_with(|| Project::load_for(&dir, input.path()))
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
    } else if reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity >= fail_on)
    {
        exit::FINDINGS
    } else {
        exit::SUCCESS
    })
}

/// The error for a directory without Dockerfiles (`check` and `fix`).
pub const NO_DOCKERFILE: &str = "no Dockerfile found here (looked for Dockerfile, Containerfile, \
    *.Dockerfile, Dockerfile.*); name the file, or write one with `layerwise init`";

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

fn check_input(input: &Input, settings: &Settings, project: Option<&Project>) -> FileReport {
    let display = input.path().display().to_string();
    let bytes = match input {
        Input::File(path) => std::fs::read(path),
        Input::Stdin { bytes, .. } => Ok(bytes.clone()),
    };
    let source = match bytes {
        Ok(bytes) => match layerwise_syntax::decode(bytes) {
            Ok(s) => s,
            Err(at) => {
                return FileReport {
                    path: display,
                    file: None,
                    errors: vec![(at.line, at.column, "not valid UTF-8".to_string())],
                    diagnostics: Vec::new(),
                };
            }
        },
        Err(e) => {
            return FileReport {
                path: display,
                file: None,
                errors: vec![(0, 0, e.to_string())],
                diagnostics: Vec::new(),
            };
        }
    };
    let file = layerwise_syntax::parse(&source);
    let errors: Vec<(usize, usize, String)> = file
        .build_errors()
        .iter()
        .map(|e| {
            let p = file.position(e.span.start);
            (p.line, p.column, e.message.clone())
        })
        .collect();
    let diagnostics = if errors.is_empty() {
        layerwise_rules::check(&file, settings, project)
    } else {
        Vec::new()
    };
    FileReport {
        path: display,
        file: Some(file),
        errors,
        diagnostics,
    }
}

/// Whether a file name is one of the Dockerfile names layerwise looks for.
pub fn is_dockerfile_name(name: &str) -> bool {
    if name == "Dockerfile"
        || name == "Containerfile"
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
    {
        return true;
    }
    let Some(rest) = name
        .strip_prefix("Dockerfile.")
        .or_else(|| name.strip_prefix("Containerfile."))
    else {
        return false;
    };
    !rest.is_empty()
        && !matches!(rest, "dockerignore" | "md" | "txt" | "orig" | "bak" | "swp")
        && !rest.ends_with(".dockerignore")
}

/// The Dockerfile `build` and `explain` use when none is named: `DIR/Dockerfile`,
/// else the one file directly in `dir` with a name `check` looks for. The
/// error says how to name one, or to write one.
pub fn default_dockerfile(dir: &Path) -> std::result::Result<PathBuf, String> {
    let standard = dir.join("Dockerfile");
    if standard.is_file() {
        return Ok(standard);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .filter(|e| e.path().is_file() && is_dockerfile_name(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(format!(
            "no Dockerfile in {0}: name one with `-f FILE`, or write one with `layerwise init {0}`",
            dir.display()
        )),
        _ => Err(format!(
            "no file named Dockerfile in {}, but {}: choose one with `-f FILE`",
            dir.display(),
            found
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Dockerfiles under `dir`, recursively, skipping hidden and dependency directories.
pub fn find_dockerfiles(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !name.starts_with('.')
                    && !matches!(
                        name.as_str(),
                        "node_modules" | "venv" | "target" | "__pycache__"
                    )
                {
                    todo.push(entry.path());
                }
            } else if is_dockerfile_name(&name) {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    out
}

/// The rule choices `check` and `fix` share: command-line options resolved
/// once, combined with the configuration found for each file.
pub struct RuleOptions {
    explicit: Option<Config>,
    isolated: bool,
    build_args: BTreeMap<String, String>,
    target: Option<String>,
    select: Vec<String>,
    ignore: Vec<String>,
}

impl RuleOptions {
    /// `build_args` are `KEY=VALUE`, or `KEY` to take the value from the environment.
    pub fn new(args: &RuleSelection) -> Result<Self> {
        let RuleSelection {
            select,
            ignore,
            build_args,
            target,
            config,
            isolated,
        } = args;
        let (config, isolated, target) = (config.as_deref(), *isolated, target.clone());
        let explicit = match config {
            Some(p) => Some(
                load_config(p)?
                    .with_context(|| format!("{}: no [tool.layerwise] table", p.display()))?,
            ),
            None => None,
        };
        let build_args = super::build_args(build_args).into_iter().collect();
        Ok(RuleOptions {
            explicit,
            isolated,
            build_args,
            target,
            select: select.to_vec(),
            ignore: ignore.to_vec(),
        })
    }

    /// The configuration that applies to `file`, the rule settings it gives,
    /// and where they came from (for messages).
    pub fn settings_for(&self, file: &Path) -> Result<(Config, Settings, String)> {
        let config = if self.isolated {
            Config::default()
        } else if let Some(c) = &self.explicit {
            c.clone()
        } else {
            find_config(file)?
        };
        let mut settings = Settings::default();
        settings.model.build_args = self.build_args.clone();
        settings.model.target = self.target.clone();
        let select = if self.select.is_empty() {
            config.select.clone()
        } else {
            self.select.clone()
        };
        let ignore: Vec<String> = config.ignore.iter().chain(&self.ignore).cloned().collect();
        let origin = config
            .path
            .as_ref()
            .map_or("command line".to_string(), |p| p.display().to_string());
        settings
            .select(&select, &ignore)
            .map_err(|e| anyhow::anyhow!("{origin}: {e}"))?;
        Ok((config, settings, origin))
    }
}

/// Finds the nearest configuration walking up from `file`.
fn find_config(file: &Path) -> Result<Config> {
    let start = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let mut dir = start.parent();
    while let Some(d) = dir {
        for name in ["layerwise.toml", ".layerwise.toml", "pyproject.toml"] {
            let candidate = d.join(name);
            if candidate.is_file()
                && let Some(config) = load_config(&candidate)?
            {
                return Ok(config);
            }
        }
        dir = d.parent();
    }
    Ok(Config::default())
}

/// Reads a configuration file; `None` for a pyproject.toml without `[tool.layerwise]`.
pub fn load_config(path: &Path) -> Result<Option<Config>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let doc: toml::Table = toml::from_str(&text).map_err(|e| {
        let (line, col) = e.span().map_or((0, 0), |s| line_col(&text, s.start));
        anyhow::anyhow!("{}:{line}:{col}: {}", path.display(), e.message())
    })?;
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let table = if is_pyproject {
        match doc.get("tool").and_then(|t| t.get("layerwise")) {
            Some(toml::Value::Table(t)) => t.clone(),
            Some(_) => bail!("{}: [tool.layerwise] must be a table", path.display()),
            None => return Ok(None),
        }
    } else {
        doc
    };
    let mut config = Config {
        path: Some(path.to_path_buf()),
        ..Config::default()
    };
    let strings = |key: &str, v: &toml::Value| -> Result<Vec<String>> {
        match v {
            toml::Value::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_str().map(str::to_string).ok_or_else(|| {
                        anyhow::anyhow!("{}: `{key}` must list strings", path.display())
                    })
                })
                .collect(),
            _ => bail!("{}: `{key}` must be an array of strings", path.display()),
        }
    };
    let severity = |key: &str, v: &toml::Value| -> Result<Severity> {
        v.as_str().and_then(Severity::parse).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: `{key}` must be \"info\", \"warning\" or \"error\"",
                path.display()
            )
        })
    };
    for (key, value) in &table {
        match key.as_str() {
            "select" => config.select = strings(key, value)?,
            "ignore" => config.ignore = strings(key, value)?,
            "fail-on" | "fail_on" => config.fail_on = Some(severity(key, value)?),
            "severity" => {
                let Some(t) = value.as_table() else {
                    bail!("{}: `severity` must be a table", path.display())
                };
                for (rule, sev) in t {
                    config.severity.insert(rule.clone(), severity(rule, sev)?);
                }
            }
            other => bail!("{}: unknown configuration key `{other}`", path.display()),
        }
    }
    Ok(Some(config))
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "Containerfile",
            "web.Dockerfile",
            "Dockerfile.prod",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            "dockerfile.md",
            "README.md",
            "Dockerfile.",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
