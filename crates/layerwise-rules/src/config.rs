//! Configuration files (`layerwise.toml`, `.layerwise.toml`, or
//! `[tool.layerwise]` in `pyproject.toml`, the nearest one up from each
//! Dockerfile) combined with command-line rule choices into [`Settings`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{Settings, Severity};

/// Configuration read from `layerwise.toml` or `[tool.layerwise]`.
#[derive(Clone, Debug, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    pub severity: BTreeMap<String, Severity>,
}

/// The rule choices `check` and `fix` share: command-line options resolved
/// once, combined with the configuration found for each file.
#[derive(Clone, Debug, Default)]
pub struct RuleOptions {
    /// The configuration named on the command line, used for every file.
    pub explicit: Option<Config>,
    /// No configuration at all.
    pub isolated: bool,
    pub build_args: BTreeMap<String, String>,
    pub target: Option<String>,
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl RuleOptions {
    /// Reads the configuration file named on the command line; it must
    /// hold a configuration.
    pub fn explicit_config(path: &Path) -> Result<Config, String> {
        load_config(path)?.ok_or_else(|| format!("{}: no [tool.layerwise] table", path.display()))
    }

    /// The configuration that applies to `file`, the rule settings it gives,
    /// and where they came from (for messages).
    pub fn settings_for(&self, file: &Path) -> Result<(Config, Settings, String), String> {
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
            .map_err(|e| format!("{origin}: {e}"))?;
        Ok((config, settings, origin))
    }

    /// [`RuleOptions::settings_for`] with the configuration's per-rule
    /// severities applied: what a check of `file` runs with.
    pub fn check_settings_for(&self, file: &Path) -> Result<(Config, Settings), String> {
        let (config, mut settings, origin) = self.settings_for(file)?;
        for (key, severity) in &config.severity {
            settings
                .set_severity(key, *severity)
                .map_err(|e| format!("{origin}: {e}"))?;
        }
        Ok((config, settings))
    }
}

/// Finds the nearest configuration walking up from `file`.
fn find_config(file: &Path) -> Result<Config, String> {
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
pub fn load_config(path: &Path) -> Result<Option<Config>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let doc: toml::Table = toml::from_str(&text).map_err(|e| {
        let (line, col) = e.span().map_or((0, 0), |s| line_col(&text, s.start));
        format!("{}:{line}:{col}: {}", path.display(), e.message())
    })?;
    let is_pyproject = path.file_name().is_some_and(|n| n == "pyproject.toml");
    let table = if is_pyproject {
        match doc.get("tool").and_then(|t| t.get("layerwise")) {
            Some(toml::Value::Table(t)) => t.clone(),
            Some(_) => {
                return Err(format!(
                    "{}: [tool.layerwise] must be a table",
                    path.display()
                ));
            }
            None => return Ok(None),
        }
    } else {
        doc
    };
    let mut config = Config {
        path: Some(path.to_path_buf()),
        ..Config::default()
    };
    let strings = |key: &str, v: &toml::Value| -> Result<Vec<String>, String> {
        match v {
            toml::Value::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| format!("{}: `{key}` must list strings", path.display()))
                })
                .collect(),
            _ => Err(format!(
                "{}: `{key}` must be an array of strings",
                path.display()
            )),
        }
    };
    let severity = |key: &str, v: &toml::Value| -> Result<Severity, String> {
        v.as_str().and_then(Severity::parse).ok_or_else(|| {
            format!(
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
                    return Err(format!("{}: `severity` must be a table", path.display()));
                };
                for (rule, sev) in t {
                    config.severity.insert(rule.clone(), severity(rule, sev)?);
                }
            }
            other => {
                return Err(format!(
                    "{}: unknown configuration key `{other}`",
                    path.display()
                ));
            }
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
