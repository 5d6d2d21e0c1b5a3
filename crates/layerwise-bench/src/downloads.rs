//! What a build step fetched from the package index, read from its log.
//!
//! pip prints `Downloading FILE (SIZE)` for every file it fetches, `Using
//! cached …` for files it did not, and `Building wheel for NAME` for sdists.
//! uv prints `Downloading NAME (SIZE)` only for large packages, then
//! `Prepared N packages` and ` + NAME==VERSION` per installed package, so its
//! byte count is a lower bound, flagged by [`Downloads::sizes_complete`].

use serde::Serialize;

/// How a package came to be in the step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fetch {
    /// Fetched from the index (pip or uv said so).
    Downloaded,
    /// Built from source.
    Built,
    /// Installed by uv, which does not say whether it downloaded it.
    Installed,
}

/// One package a step downloaded or built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    pub how: Fetch,
}

/// Everything fetched in a set of log lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Downloads {
    pub packages: Vec<Package>,
    /// Bytes of every download whose size the installer printed (metadata
    /// files included).
    pub bytes: u64,
    /// False when the installer fetched files without printing their size.
    pub sizes_complete: bool,
    /// Whether any pip or uv output was seen at all.
    pub installer_seen: bool,
}

/// Reads pip and uv output lines.
pub fn parse<'a>(lines: impl IntoIterator<Item = &'a str>) -> Downloads {
    let mut out = Downloads {
        sizes_complete: true,
        ..Downloads::default()
    };
    let mut uv_prepared: Option<u64> = None;
    let mut uv_sized = 0u64;
    for raw in lines {
        let line = raw.trim();
        if let Some(rest) = line.strip_prefix("Downloading ") {
            out.installer_seen = true;
            let (what, size) = split_size(rest);
            if let Some(size) = size {
                out.bytes = out.bytes.saturating_add(size);
            }
            let file = what.rsplit('/').next().unwrap_or(what);
            if file.ends_with(".metadata") {
                continue;
            }
            let (name, version) = match name_of_file(file) {
                Some(nv) => nv,
                // uv names the package, not a file.
                None => {
                    uv_sized += 1;
                    (normalise(file), None)
                }
            };
            upsert(&mut out.packages, name, version, size, Fetch::Downloaded);
        } else if let Some(rest) = line.strip_prefix("Building wheel for ") {
            out.installer_seen = true;
            let name = rest.split_whitespace().next().unwrap_or_default();
            if !name.is_empty() {
                upsert(&mut out.packages, normalise(name), None, None, Fetch::Built);
            }
        } else if line.starts_with("Collecting ") || line.starts_with("Using cached ") {
            out.installer_seen = true;
        } else if let Some(rest) = line.strip_prefix("Prepared ") {
            // `Prepared 3 packages in 1.2s`, or `1 package`.
            if let Some(n) = rest
                .find(" package")
                .and_then(|at| rest[..at].trim().parse::<u64>().ok())
            {
                out.installer_seen = true;
                uv_prepared = Some(uv_prepared.unwrap_or(0) + n);
            }
        } else if let Some(rest) = line.strip_prefix("+ ")
            && uv_prepared.is_some()
        {
            let (name, version) = match rest.split_once("==") {
                Some((n, v)) => (normalise(n), Some(v.trim().to_string())),
                None => (normalise(rest), None),
            };
            upsert(&mut out.packages, name, version, None, Fetch::Installed);
        }
    }
    if let Some(prepared) = uv_prepared
        && prepared > uv_sized
    {
        out.sizes_complete = false;
    }
    out
}

fn upsert(
    packages: &mut Vec<Package>,
    name: String,
    version: Option<String>,
    bytes: Option<u64>,
    how: Fetch,
) {
    if let Some(existing) = packages.iter_mut().find(|p| p.name == name) {
        if existing.version.is_none() {
            existing.version = version;
        }
        if bytes.is_some() {
            existing.bytes = Some(
                existing
                    .bytes
                    .unwrap_or(0)
                    .saturating_add(bytes.unwrap_or(0)),
            );
        }
        if how == Fetch::Built {
            existing.how = Fetch::Built;
        } else if existing.how == Fetch::Installed {
            existing.how = how;
        }
        return;
    }
    packages.push(Package {
        name,
        version,
        bytes,
        how,
    });
}

/// `flask-3.1.3-py3-none-any.whl (103 kB)` → the file and its size.
fn split_size(text: &str) -> (&str, Option<u64>) {
    let text = text.trim();
    if let Some(open) = text.rfind(" (")
        && let Some(inner) = text[open + 2..].strip_suffix(')')
    {
        return (text[..open].trim(), parse_size(inner));
    }
    (text, None)
}

/// pip's `11 kB`, `1.5 MB`, `950 bytes`; uv's `1.9MiB`, `12KiB`.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match unit.trim() {
        "" | "B" | "bytes" | "byte" => 1.0,
        "kB" | "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = number * factor;
    (bytes.is_finite() && bytes >= 0.0).then(|| bytes.round() as u64)
}

/// Name and version from a wheel or sdist file name; `None` when it is not one.
fn name_of_file(file: &str) -> Option<(String, Option<String>)> {
    if let Some(stem) = file.strip_suffix(".whl") {
        let mut parts = stem.split('-');
        let name = parts.next()?;
        return Some((normalise(name), parts.next().map(str::to_string)));
    }
    let stem = [".tar.gz", ".zip", ".tar.bz2", ".tgz"]
        .iter()
        .find_map(|ext| file.strip_suffix(ext))?;
    match stem.rsplit_once('-') {
        Some((name, version)) => Some((normalise(name), Some(version.to_string()))),
        None => Some((normalise(stem), None)),
    }
}

/// PEP 503 normalisation, so `Flask` and `flask` are one package.
fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !dash && !out.is_empty() {
                out.push('-');
            }
            dash = true;
        } else {
            out.push(c.to_ascii_lowercase());
            dash = false;
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pip_downloads_with_sizes() {
        let log = [
            "Collecting Flask==3.1.3 (from -r requirements/base.txt (line 2))",
            "  Downloading flask-3.1.3-py3-none-any.whl.metadata (3.2 kB)",
            "Downloading flask-3.1.3-py3-none-any.whl (103 kB)",
            "   ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 103.0/103.0 kB 1.2 MB/s eta 0:00:00",
            "Collecting six==1.16.0",
            "  Using cached six-1.16.0-py2.py3-none-any.whl (11 kB)",
            "Downloading https://example.invalid/p/Jinja2-3.1.6.tar.gz (1.5 MB)",
            "Building wheel for Jinja2 (pyproject.toml): started",
        ];
        let d = parse(log);
        assert!(d.installer_seen && d.sizes_complete);
        assert_eq!(d.bytes, 3_200 + 103_000 + 1_500_000);
        let names: Vec<_> = d
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.how))
            .collect();
        assert_eq!(
            names,
            [("flask", Fetch::Downloaded), ("jinja2", Fetch::Built)]
        );
        assert_eq!(d.packages[0].version.as_deref(), Some("3.1.3"));
        assert_eq!(d.packages[0].bytes, Some(103_000));
        assert_eq!(d.packages[1].version.as_deref(), Some("3.1.6"));
    }

    #[test]
    fn uv_sizes_are_partial() {
        let log = [
            "Resolved 12 packages in 1ms",
            "Downloading pydantic-core (1.9MiB)",
            " Downloaded pydantic-core",
            "Prepared 11 packages in 400ms",
            "Installed 11 packages in 10ms",
            " + fastapi==0.115.12",
            " + pydantic-core==2.33.2",
        ];
        let d = parse(log);
        assert!(!d.sizes_complete);
        assert_eq!(d.bytes, 1_992_294);
        let names: Vec<_> = d
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.how))
            .collect();
        assert_eq!(
            names,
            [
                ("pydantic-core", Fetch::Downloaded),
                ("fastapi", Fetch::Installed)
            ]
        );
        assert_eq!(d.packages[0].version.as_deref(), Some("2.33.2"));
    }

    #[test]
    fn nothing_fetched_is_empty() {
        let d = parse(["Requirement already satisfied: six", "done"]);
        assert!(d.packages.is_empty() && d.bytes == 0 && !d.installer_seen);
        let cached = parse([
            "Collecting six",
            "  Using cached six-1.16.0-py2.py3-none-any.whl (11 kB)",
        ]);
        assert!(cached.installer_seen && cached.packages.is_empty() && cached.bytes == 0);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("11 kB"), Some(11_000));
        assert_eq!(parse_size("950 bytes"), Some(950));
        assert_eq!(parse_size("1.5 MB"), Some(1_500_000));
        assert_eq!(parse_size("12KiB"), Some(12_288));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("3 parsecs"), None);
        assert_eq!(parse_size(""), None);
    }
}
