//! Reading TOML and JSON manifests and lock files with position information,
//! so that every dependency, script and setting keeps its file and line.

use std::path::Path;
use std::str::FromStr;

use pep508_rs::{PackageName, VersionOrUrl};
use serde::Serialize;
use toml_edit::{ImDocument, Item, Value};

use crate::error::DetectError;
use crate::requirements::normalize_name;
use crate::source::{Source, line_col, span_line};

/// A declared (direct) dependency of the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    /// PEP 503-normalised name.
    pub name: String,
    /// The requirement as declared: a PEP 508 string when `pep508` is true,
    /// else a Poetry or Pipfile version constraint.
    pub requirement: String,
    /// `requirement` is a PEP 508 string that pip accepts as it is.
    pub pep508: bool,
    /// Requested extras, normalised.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extras: Vec<String>,
    /// Pinned version when the declaration is an exact `==` pin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned: Option<String>,
    /// Where it was declared.
    pub source: Source,
}

/// A package version recorded in a lock file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockedPackage {
    /// PEP 503-normalised name.
    pub name: String,
    /// Locked version.
    pub version: String,
    /// Where the lock records it.
    pub source: Source,
}

/// An index declared in a manifest, before classification.
#[derive(Debug, Clone)]
pub(crate) struct RawIndex {
    pub name: Option<String>,
    pub url: String,
    pub source: Source,
    pub origin: &'static str,
}

/// A parsed TOML file that keeps its text for positions.
pub(crate) struct TomlFile {
    pub path: String,
    text: String,
    doc: ImDocument<String>,
}

impl TomlFile {
    /// Reads and parses `root/name`; `Ok(None)` when the file does not exist.
    pub fn read(root: &Path, name: &str) -> Result<Option<TomlFile>, DetectError> {
        match read_optional(root, name)? {
            Some(text) => TomlFile::parse(name, text).map(Some),
            None => Ok(None),
        }
    }

    pub fn parse(path: &str, text: String) -> Result<TomlFile, DetectError> {
        match ImDocument::parse(text.clone()) {
            Ok(doc) => Ok(TomlFile {
                path: path.to_string(),
                text,
                doc,
            }),
            Err(err) => {
                let (line, column) = err.span().map_or((1, 1), |s| line_col(&text, s.start));
                Err(DetectError::parse(
                    path,
                    line,
                    column,
                    format!("invalid TOML: {}", err.message()),
                ))
            }
        }
    }

    /// The item at a dotted key path, if present.
    pub fn get(&self, keys: &[&str]) -> Option<&Item> {
        let mut item = self.doc.as_item();
        for key in keys {
            item = item.get(key)?;
        }
        (!item.is_none()).then_some(item)
    }

    /// Where an item was written.
    pub fn source_of(&self, item: &Item) -> Source {
        Source {
            path: self.path.clone(),
            line: span_line(&self.text, item.span()),
        }
    }

    fn value_source(&self, value: &Value) -> Source {
        Source {
            path: self.path.clone(),
            line: span_line(&self.text, value.span()),
        }
    }

    /// A string at a key path together with its source.
    pub fn string(&self, keys: &[&str]) -> Option<(String, Source)> {
        let item = self.get(keys)?;
        item.as_str().map(|s| (s.to_string(), self.source_of(item)))
    }

    pub fn bool(&self, keys: &[&str]) -> Option<bool> {
        self.get(keys)?.as_bool()
    }

    /// Error at a value's position.
    fn error_at(&self, value: &Value, extra_chars: usize, message: String) -> DetectError {
        let (line, column) = value
            .span()
            .map_or((1, 1), |s| line_col(&self.text, s.start));
        DetectError::parse(self.path.clone(), line, column + extra_chars, message)
    }

    /// Error when a key has the wrong type.
    fn type_error(&self, item: &Item, key: &str, expected: &str) -> DetectError {
        let (line, column) = item
            .span()
            .map_or((1, 1), |s| line_col(&self.text, s.start));
        DetectError::parse(
            self.path.clone(),
            line,
            column,
            format!("`{key}` must be {expected}"),
        )
    }

    /// Parses an array of PEP 508 strings such as `[project] dependencies`.
    pub fn pep508_array(&self, keys: &[&str]) -> Result<Vec<Dependency>, DetectError> {
        let Some(item) = self.get(keys) else {
            return Ok(Vec::new());
        };
        let Some(array) = item.as_array() else {
            return Err(self.type_error(item, &keys.join("."), "an array of strings"));
        };
        let mut out = Vec::new();
        for value in array {
            let Some(text) = value.as_str() else {
                return Err(self.error_at(
                    value,
                    0,
                    format!("`{}` entries must be strings", keys.join(".")),
                ));
            };
            let parsed = crate::pep508::parse(text).map_err(|err| {
                // +1 skips the opening quote of a basic or literal string.
                self.error_at(
                    value,
                    1 + err.offset,
                    format!("invalid requirement `{text}`: {}", err.message),
                )
            })?;
            let pinned = match &parsed.version_or_url {
                Some(VersionOrUrl::VersionSpecifier(spec)) => exact_pin(&spec.to_string()),
                _ => None,
            };
            out.push(Dependency {
                name: parsed.name.to_string(),
                requirement: text.to_string(),
                extras: parsed.extras.iter().map(ToString::to_string).collect(),
                pinned,
                pep508: true,
                source: self.value_source(value),
            });
        }
        Ok(out)
    }

    /// Parses a Poetry or Pipfile dependency table (`name = "constraint"` or
    /// `name = { version = ..., extras = [...] }`), skipping `python`.
    pub fn dependency_table(&self, keys: &[&str]) -> Result<Vec<Dependency>, DetectError> {
        let Some(item) = self.get(keys) else {
            return Ok(Vec::new());
        };
        let Some(table) = item.as_table_like() else {
            return Err(self.type_error(item, &keys.join("."), "a table"));
        };
        let mut out = Vec::new();
        for (key, value) in table.iter() {
            if key.eq_ignore_ascii_case("python") {
                continue;
            }
            let source = self.source_of(value);
            let name = PackageName::from_str(key).map_err(|err| {
                let (line, column) = value
                    .span()
                    .map_or((1, 1), |s| line_col(&self.text, s.start));
                DetectError::parse(
                    self.path.clone(),
                    line,
                    column,
                    format!("invalid package name `{key}`: {err}"),
                )
            })?;
            let (requirement, extras) = if let Some(text) = value.as_str() {
                (text.to_string(), Vec::new())
            } else if let Some(inline) = value.as_table_like() {
                let version = inline
                    .get("version")
                    .and_then(Item::as_str)
                    .map(String::from)
                    .or_else(|| {
                        inline
                            .get("path")
                            .and_then(Item::as_str)
                            .map(|p| format!("path {p}"))
                    })
                    .or_else(|| {
                        inline
                            .get("git")
                            .and_then(Item::as_str)
                            .map(|g| format!("git {g}"))
                    })
                    .unwrap_or_else(|| "*".to_string());
                let extras = inline
                    .get("extras")
                    .and_then(Item::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(normalize_name)
                            .collect()
                    })
                    .unwrap_or_default();
                (version, extras)
            } else if value.is_array() {
                // Poetry's multiple-constraint form: several inline tables.
                ("(multiple constraints)".to_string(), Vec::new())
            } else {
                return Err(self.type_error(value, key, "a string or a table"));
            };
            out.push(Dependency {
                name: name.to_string(),
                pinned: exact_pin(&requirement),
                pep508: false,
                requirement,
                extras,
                source,
            });
        }
        Ok(out)
    }

    /// `[[package]]` entries of uv, Poetry and PDM lock files.
    pub fn lock_packages(&self, skip_project: bool) -> Result<Vec<LockedPackage>, DetectError> {
        let Some(item) = self.get(&["package"]) else {
            return Ok(Vec::new());
        };
        let Some(packages) = item.as_array_of_tables() else {
            return Err(self.type_error(item, "package", "an array of tables"));
        };
        let mut out = Vec::new();
        for table in packages {
            let name_item = table.get("name");
            let Some(name) = name_item.and_then(Item::as_str) else {
                let (line, column) = table
                    .span()
                    .map_or((1, 1), |s| line_col(&self.text, s.start));
                return Err(DetectError::parse(
                    self.path.clone(),
                    line,
                    column,
                    "[[package]] entry without a `name`",
                ));
            };
            if skip_project {
                // uv records the project itself as a virtual or editable source.
                let local = table
                    .get("source")
                    .and_then(Item::as_table_like)
                    .is_some_and(|s| s.get("virtual").is_some() || s.get("editable").is_some());
                if local {
                    continue;
                }
            }
            let version = table
                .get("version")
                .and_then(Item::as_str)
                .unwrap_or_default()
                .to_string();
            out.push(LockedPackage {
                name: normalize_name(name),
                version,
                source: name_item
                    .map_or_else(|| Source::file(self.path.clone()), |i| self.source_of(i)),
            });
        }
        Ok(out)
    }

    /// Index declarations from an array of tables with `url` (and `name`).
    pub fn indexes(&self, keys: &[&str], origin: &'static str) -> Vec<RawIndex> {
        let Some(tables) = self.get(keys).and_then(Item::as_array_of_tables) else {
            return Vec::new();
        };
        tables
            .iter()
            .filter_map(|t| {
                let url_item = t.get("url")?;
                Some(RawIndex {
                    name: t.get("name").and_then(Item::as_str).map(String::from),
                    url: url_item.as_str()?.to_string(),
                    source: self.source_of(url_item),
                    origin,
                })
            })
            .collect()
    }

    /// `[project.scripts]` or `[tool.poetry.scripts]`: name → target.
    pub fn scripts(&self, keys: &[&str]) -> Vec<(String, String, Source)> {
        let Some(table) = self.get(keys).and_then(Item::as_table_like) else {
            return Vec::new();
        };
        table
            .iter()
            .filter_map(|(name, item)| {
                let target = item
                    .as_str()
                    .or_else(|| item.as_table_like()?.get("reference")?.as_str())?;
                Some((name.to_string(), target.to_string(), self.source_of(item)))
            })
            .collect()
    }
}

/// The version of an exact `==X` pin (Poetry's bare `X` counts too).
fn exact_pin(spec: &str) -> Option<String> {
    let spec = spec.trim();
    let version = spec.strip_prefix("==").unwrap_or(spec).trim();
    let is_plain = !version.is_empty()
        && version.chars().next().is_some_and(|c| c.is_ascii_digit())
        && !version.contains([',', '*', '<', '>', '=', '^', '~', '|', ' ']);
    is_plain.then(|| version.to_string())
}

/// Reads `root/name` as UTF-8; `Ok(None)` when it does not exist.
pub(crate) fn read_optional(root: &Path, name: &str) -> Result<Option<String>, DetectError> {
    match std::fs::read_to_string(root.join(name)) {
        Ok(text) => Ok(Some(text)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(DetectError::io(name, &err)),
    }
}

/// `Pipfile.lock`: the `default` section is what production installs.
pub(crate) fn pipfile_lock_packages(
    path: &str,
    text: &str,
) -> Result<Vec<LockedPackage>, DetectError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|err| {
        DetectError::parse(
            path,
            err.line().max(1),
            err.column().max(1),
            format!("invalid JSON: {err}"),
        )
    })?;
    let Some(default) = value.get("default") else {
        return Err(DetectError::parse(
            path,
            1,
            1,
            "Pipfile.lock has no `default` section",
        ));
    };
    let Some(default) = default.as_object() else {
        return Err(DetectError::parse(
            path,
            1,
            1,
            "Pipfile.lock `default` must be an object",
        ));
    };
    let mut out = Vec::new();
    for (name, entry) in default {
        let version = entry
            .get("version")
            .and_then(serde_json::Value::as_str)
            .map(|v| v.trim_start_matches("==").to_string())
            .unwrap_or_default();
        // serde_json keeps no positions; find the key's line in the text.
        let needle = format!("\"{name}\":");
        let line = text.find(&needle).map(|offset| line_col(text, offset).0);
        out.push(LockedPackage {
            name: normalize_name(name),
            version,
            source: Source {
                path: path.to_string(),
                line,
            },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toml(text: &str) -> TomlFile {
        TomlFile::parse("pyproject.toml", text.to_string()).expect("valid toml")
    }

    #[test]
    fn malformed_toml_reports_line_and_column() {
        let err = TomlFile::parse("pyproject.toml", "[project]\nname = \n".to_string())
            .err()
            .expect("invalid");
        match err {
            DetectError::Parse { path, line, .. } => {
                assert_eq!(path, "pyproject.toml");
                assert_eq!(line, 2);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn pep621_dependencies_keep_lines() {
        let file = toml(
            "[project]\nname = \"x\"\ndependencies = [\n  \"Flask>=3\",\n  \"psycopg[c]==3.2.1\",\n]\n",
        );
        let deps = file
            .pep508_array(&["project", "dependencies"])
            .expect("deps");
        assert_eq!(deps[0].name, "flask");
        assert_eq!(deps[0].source, Source::line("pyproject.toml", 4));
        assert_eq!(deps[1].extras, ["c"]);
        assert_eq!(deps[1].pinned.as_deref(), Some("3.2.1"));
    }

    #[test]
    fn bad_pep508_string_points_into_the_string() {
        let file = toml("[project]\ndependencies = [\"flask >>= 3\"]\n");
        let err = file
            .pep508_array(&["project", "dependencies"])
            .expect_err("bad");
        match err {
            DetectError::Parse {
                line,
                column,
                message,
                ..
            } => {
                assert_eq!(line, 2);
                assert!(column > 16, "column {column}");
                assert!(message.contains("flask >>= 3"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn dependencies_must_be_an_array() {
        let file = toml("[project]\ndependencies = \"flask\"\n");
        assert!(file.pep508_array(&["project", "dependencies"]).is_err());
    }

    #[test]
    fn poetry_table_skips_python_and_reads_inline_tables() {
        let file = toml(
            "[tool.poetry.dependencies]\npython = \"^3.11\"\nDjango = \"4.2.1\"\nuvicorn = { version = \"^0.30\", extras = [\"standard\"] }\n",
        );
        let deps = file
            .dependency_table(&["tool", "poetry", "dependencies"])
            .expect("deps");
        assert_eq!(deps.len(), 2);
        assert_eq!(deps[0].name, "django");
        assert_eq!(deps[0].pinned.as_deref(), Some("4.2.1"));
        assert_eq!(deps[1].requirement, "^0.30");
        assert_eq!(deps[1].extras, ["standard"]);
        assert_eq!(deps[1].source.line, Some(4));
    }

    #[test]
    fn lock_packages_skip_the_virtual_project() {
        let file = toml(
            "version = 1\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { virtual = \".\" }\n\n[[package]]\nname = \"Jinja2\"\nversion = \"3.1.4\"\n",
        );
        let packages = file.lock_packages(true).expect("lock");
        assert_eq!(packages.len(), 1);
        assert_eq!(packages[0].name, "jinja2");
        assert_eq!(packages[0].source.line, Some(8));
    }

    #[test]
    fn lock_package_without_name_is_an_error() {
        let file = toml("[[package]]\nversion = \"1\"\n");
        assert!(matches!(
            file.lock_packages(false),
            Err(DetectError::Parse { line: 1, .. })
        ));
    }

    #[test]
    fn pipfile_lock_json_errors_have_positions() {
        let err =
            pipfile_lock_packages("Pipfile.lock", "{\n  \"default\": {,}\n}").expect_err("bad");
        assert!(matches!(err, DetectError::Parse { line: 2, .. }), "{err:?}");
        let ok = pipfile_lock_packages(
            "Pipfile.lock",
            "{\"_meta\": {},\n\"default\": {\n\"Bottle\": {\"version\": \"==0.13.4\"}}}",
        )
        .expect("ok");
        assert_eq!(ok[0].name, "bottle");
        assert_eq!(ok[0].version, "0.13.4");
        assert_eq!(ok[0].source.line, Some(3));
    }

    #[test]
    fn exact_pins() {
        assert_eq!(exact_pin("==2.9.9").as_deref(), Some("2.9.9"));
        assert_eq!(exact_pin("2.9.9").as_deref(), Some("2.9.9"));
        assert_eq!(exact_pin(">=2"), None);
        assert_eq!(exact_pin("^2.9"), None);
        assert_eq!(exact_pin("*"), None);
    }
}
