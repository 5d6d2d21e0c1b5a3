//! pip requirements files: requirement lines (parsed as PEP 508), nested
//! `-r`/`-c` includes with cycle detection, index options, `--hash` and
//! `-e`. Exported on its own because lint rules need to know which files a
//! `requirements.txt` pulls in (all of them must be copied before `pip install`).

use pep508_rs::VersionOrUrl;
use serde::Serialize;
use std::path::{Path, PathBuf};

use crate::error::DetectError;
use crate::source::{Source, normalize, relative_display};

/// How a file entered the install: as requirements (`-r`) or constraints (`-c`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileRole {
    /// Packages to install.
    Requirements,
    /// Version pins only; nothing is installed because of them.
    Constraints,
}

/// One file read while following includes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncludedFile {
    /// Project-relative path.
    pub path: String,
    /// Requirements or constraints.
    pub role: FileRole,
    /// The `-r`/`-c` line that pulled it in; `None` for the top file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub included_from: Option<Source>,
}

/// One requirement line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequirementLine {
    /// PEP 503-normalised name; `None` for an unnamed path or URL.
    pub name: Option<String>,
    /// The requirement as written, without per-line options.
    pub text: String,
    /// Version specifier (e.g. `==3.1.0`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specifier: Option<String>,
    /// Requested extras, normalised.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extras: Vec<String>,
    /// Environment marker, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    /// A direct URL or local path instead of a version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Installed with `-e`.
    pub editable: bool,
    /// `--hash=` values given on the line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<String>,
    /// Came from a constraints file.
    pub constraint: bool,
    /// Where it was written.
    pub source: Source,
}

impl RequirementLine {
    /// True for `.`, `./`, `-e .` and similar: the project itself is installed.
    pub fn is_project_itself(&self) -> bool {
        matches!(self.text.trim_end_matches('/'), "." | "file:." | "file:./")
            || self.text.starts_with(".[")
    }
}

/// Which index option a line used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IndexOptionKind {
    /// `-i` / `--index-url`: replaces the default index.
    IndexUrl,
    /// `--extra-index-url`: consulted in addition.
    ExtraIndexUrl,
    /// `-f` / `--find-links`.
    FindLinks,
}

/// An index option found in a requirements file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexOption {
    /// Which option.
    pub kind: IndexOptionKind,
    /// The URL exactly as written (may contain credentials; redact before printing).
    pub url: String,
    /// Where it was written.
    pub source: Source,
}

/// Everything read from a requirements file and its includes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequirementsSet {
    /// Every file read, top file first, in the order pip reads them.
    pub files: Vec<IncludedFile>,
    /// Requirement lines from all files, constraints included (flagged).
    pub requirements: Vec<RequirementLine>,
    /// Index options.
    pub indexes: Vec<IndexOption>,
    /// Packages named by `--no-binary` (`:all:` kept as is): built from source.
    pub no_binary: Vec<String>,
    /// `--require-hashes` was given, or some line carries `--hash`.
    pub hashes_required: bool,
    /// Lines understood but not acted on (unknown options).
    pub warnings: Vec<(Source, String)>,
}

impl RequirementsSet {
    /// Project-relative paths of every file read: what a Dockerfile must
    /// `COPY` before running `pip install -r`.
    pub fn file_paths(&self) -> Vec<String> {
        self.files.iter().map(|f| f.path.clone()).collect()
    }

    /// True when `--no-binary` forces `name` (normalised) to build from source.
    pub fn builds_from_source(&self, name: &str) -> bool {
        self.no_binary
            .iter()
            .any(|n| n == ":all:" || normalize_name(n) == name)
    }
}

/// A local path a requirements file makes pip read: a requirement such as
/// `./libs/x`, `-e ./libs/x`, `file:libs/x` or the project itself (`.`), or a
/// `--find-links` directory. The install step can read it only if it was
/// copied into the image before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalEntry {
    /// Project-relative path with `/` separators; `.` for the project itself.
    pub path: String,
    /// The entry as written, e.g. `-e .` or `--find-links ./wheels`.
    pub written: String,
    /// `.`, `-e .`, `.[extra]`: the project itself, which needs its code.
    pub project_itself: bool,
    /// Where it was written.
    pub source: Source,
}

impl RequirementsSet {
    /// The local paths every file of the set points at, in file order.
    /// Requirement paths are relative to the directory pip runs in (the
    /// project root in the builds layerwise reads and writes); `--find-links`
    /// paths are relative to their file when they exist there, as pip does.
    /// Absolute paths are left out: no COPY from the context can provide them.
    pub fn local_entries(&self, root: &Path) -> Vec<LocalEntry> {
        let mut out = Vec::new();
        for line in self.requirements.iter().filter(|l| !l.constraint) {
            let Some(path) = line.url.as_deref().and_then(local_path) else {
                continue;
            };
            let written = if line.editable {
                format!("-e {}", line.text)
            } else {
                line.text.clone()
            };
            let path = relative_display(root, &root.join(path));
            out.push(LocalEntry {
                project_itself: line.is_project_itself() || path == ".",
                written,
                path,
                source: line.source.clone(),
            });
        }
        for option in &self.indexes {
            if option.kind != IndexOptionKind::FindLinks {
                continue;
            }
            let Some(path) = local_path(&option.url) else {
                continue;
            };
            let file_dir = Path::new(&option.source.path)
                .parent()
                .unwrap_or(Path::new(""));
            let base = if root.join(file_dir).join(path).exists() {
                file_dir
            } else {
                Path::new("")
            };
            let path = relative_display(root, &root.join(base).join(path));
            out.push(LocalEntry {
                project_itself: false,
                written: format!("--find-links {}", option.url),
                path,
                source: option.source.clone(),
            });
        }
        out
    }
}

/// The relative path a requirement or `--find-links` value names, without
/// extras or `#egg=` fragment; `None` for URLs, index names and absolute paths.
fn local_path(value: &str) -> Option<&str> {
    let value = value.split('#').next().unwrap_or(value);
    let value = match value.strip_prefix("file:") {
        // `file:///abs` and `file://host/…` are absolute.
        Some(rest) if rest.starts_with('/') => return None,
        Some(rest) => rest,
        None if value.contains("://") || value.starts_with('/') => return None,
        None => value,
    };
    let value = match value.find('[') {
        Some(at) if value.ends_with(']') => &value[..at],
        _ => value,
    };
    (!value.is_empty()).then_some(value)
}

/// PEP 503 name normalisation: lowercase, runs of `-`, `_`, `.` become `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut last_sep = false;
    for ch in name.trim().chars() {
        if matches!(ch, '-' | '_' | '.') {
            if !last_sep {
                out.push('-');
            }
            last_sep = true;
        } else {
            out.extend(ch.to_lowercase());
            last_sep = false;
        }
    }
    out
}

/// Parses `file` (absolute, or relative to `root`) and every file it
/// includes. Paths in the result are relative to `root`.
pub fn parse_requirements(root: &Path, file: &Path) -> Result<RequirementsSet, DetectError> {
    let path = if file.is_absolute() {
        file.to_path_buf()
    } else {
        root.join(file)
    };
    let mut set = RequirementsSet::default();
    let mut stack = Vec::new();
    read_file(
        root,
        &normalize(&path),
        FileRole::Requirements,
        None,
        &mut stack,
        &mut set,
    )?;
    Ok(set)
}

/// One logical line: continuation lines joined, comments removed.
struct LogicalLine {
    /// 1-based number of the first physical line.
    line: usize,
    text: String,
}

fn logical_lines(content: &str) -> Vec<LogicalLine> {
    let mut out = Vec::new();
    let mut pending: Option<LogicalLine> = None;
    for (index, raw) in content.lines().enumerate() {
        let number = index + 1;
        let without_comment = strip_comment(raw);
        let (body, continues) = match without_comment.strip_suffix('\\') {
            Some(body) => (body, true),
            None => (without_comment, false),
        };
        let current = pending.get_or_insert_with(|| LogicalLine {
            line: number,
            text: String::new(),
        });
        current.text.push_str(body);
        if !continues && let Some(done) = pending.take() {
            out.push(done);
        }
    }
    if let Some(done) = pending.take() {
        out.push(done);
    }
    out
}

/// pip treats `#` as a comment at line start or after whitespace; a `#` inside
/// a URL fragment such as `#egg=` is kept.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return &line[..i];
        }
    }
    line
}

/// Splits `-r file`, `-rfile`, `--requirement=file` and `--requirement file`
/// forms. Returns the option's value when `text` starts with one of `names`.
fn option_value<'a>(text: &'a str, short: Option<&str>, long: &str) -> Option<&'a str> {
    if let Some(rest) = text.strip_prefix(long) {
        if let Some(value) = rest.strip_prefix('=') {
            return Some(value.trim());
        }
        if rest.starts_with(char::is_whitespace) {
            return Some(rest.trim());
        }
        return None;
    }
    if let Some(short) = short
        && let Some(rest) = text.strip_prefix(short)
    {
        let rest = rest.strip_prefix('=').unwrap_or(rest);
        return Some(rest.trim());
    }
    None
}

/// Deeper include chains are certainly a mistake, and the limit keeps the
/// recursion bounded.
const MAX_INCLUDE_DEPTH: usize = 64;

fn read_file(
    root: &Path,
    path: &Path,
    role: FileRole,
    included_from: Option<Source>,
    stack: &mut Vec<PathBuf>,
    set: &mut RequirementsSet,
) -> Result<(), DetectError> {
    let display = relative_display(root, path);
    // Diamond includes are fine (pip reads the file twice; we list it once),
    // a file that includes itself through a chain would loop forever.
    if stack.len() >= MAX_INCLUDE_DEPTH {
        let from = included_from.unwrap_or_else(|| Source::file(display.clone()));
        return Err(DetectError::parse(
            from.path,
            from.line.unwrap_or(1),
            1,
            format!("includes nested deeper than {MAX_INCLUDE_DEPTH} files"),
        ));
    }
    if stack.iter().any(|p| p == path) {
        let from = included_from.unwrap_or_else(|| Source::file(display.clone()));
        let chain: Vec<String> = stack
            .iter()
            .map(|p| relative_display(root, p))
            .chain(std::iter::once(display.clone()))
            .collect();
        return Err(DetectError::parse(
            from.path,
            from.line.unwrap_or(1),
            1,
            format!("include cycle: {}", chain.join(" -> ")),
        ));
    }
    if set.files.iter().any(|f| f.path == display) {
        return Ok(());
    }
    let content = match crate::text::read_text(path) {
        Ok((content, _)) => content,
        Err(err) => {
            return Err(match included_from {
                Some(from) => DetectError::parse(
                    from.path,
                    from.line.unwrap_or(1),
                    1,
                    format!("included file {display} cannot be read: {err}"),
                ),
                None => DetectError::io(display, &err),
            });
        }
    };
    set.files.push(IncludedFile {
        path: display.clone(),
        role,
        included_from,
    });
    stack.push(path.to_path_buf());
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    for logical in logical_lines(&content) {
        let indent = logical.text.len() - logical.text.trim_start().len();
        let text = logical.text.trim();
        if text.is_empty() {
            continue;
        }
        let here = Source::line(display.clone(), logical.line);
        let include = option_value(text, Some("-r"), "--requirement")
            .map(|v| (v, FileRole::Requirements))
            .or_else(|| {
                option_value(text, Some("-c"), "--constraint").map(|v| (v, FileRole::Constraints))
            });
        if let Some((target, include_role)) = include {
            if target.is_empty() {
                return Err(DetectError::parse(
                    display,
                    logical.line,
                    indent + 1,
                    "include option without a file name",
                ));
            }
            let child = normalize(&dir.join(target));
            // A constraints file included from a requirements file stays a
            // constraints file; anything included from constraints too.
            let child_role = if role == FileRole::Constraints {
                FileRole::Constraints
            } else {
                include_role
            };
            read_file(root, &child, child_role, Some(here), stack, set)?;
            continue;
        }
        if let Some(url) = option_value(text, Some("-i"), "--index-url") {
            push_index(set, IndexOptionKind::IndexUrl, url, here);
            continue;
        }
        if let Some(url) = option_value(text, None, "--extra-index-url") {
            push_index(set, IndexOptionKind::ExtraIndexUrl, url, here);
            continue;
        }
        if let Some(url) = option_value(text, Some("-f"), "--find-links") {
            push_index(set, IndexOptionKind::FindLinks, url, here);
            continue;
        }
        if let Some(value) = option_value(text, None, "--no-binary") {
            set.no_binary.extend(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            );
            continue;
        }
        if text.starts_with("--require-hashes") {
            set.hashes_required = true;
            continue;
        }
        let (editable, requirement_text, requirement_column) =
            match option_value(text, Some("-e"), "--editable") {
                Some(value) => (true, value, indent + 1 + text.len() - value.len()),
                None => (false, text, indent + 1),
            };
        if requirement_text.starts_with('-') {
            if is_harmless_option(requirement_text) {
                continue;
            }
            set.warnings
                .push((here, format!("option not interpreted: {requirement_text}")));
            continue;
        }
        let line = parse_requirement_line(
            requirement_text,
            editable,
            role == FileRole::Constraints,
            &display,
            logical.line,
            requirement_column,
        )?;
        if !line.hashes.is_empty() {
            set.hashes_required = true;
        }
        set.requirements.push(line);
    }
    stack.pop();
    Ok(())
}

/// Global pip options that change nothing about which files or packages an
/// install needs.
fn is_harmless_option(text: &str) -> bool {
    const OPTIONS: [&str; 7] = [
        "--pre",
        "--prefer-binary",
        "--only-binary",
        "--trusted-host",
        "--no-index",
        "--use-feature",
        "--progress-bar",
    ];
    OPTIONS.iter().any(|o| {
        text.strip_prefix(o)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '=', '\t']))
    })
}

fn push_index(set: &mut RequirementsSet, kind: IndexOptionKind, url: &str, source: Source) {
    set.indexes.push(IndexOption {
        kind,
        url: url.to_string(),
        source,
    });
}

/// Splits per-requirement options (`--hash=...`, `--config-settings ...`) off
/// the requirement, the way pip does: the first whitespace-separated token
/// starting with `-` begins the options.
fn split_line_options(text: &str) -> (&str, Vec<&str>) {
    let mut offset = 0;
    for token in text.split_whitespace() {
        let at = text[offset..].find(token).map_or(offset, |i| offset + i);
        if token.starts_with('-') && at > 0 {
            let options = text[at..].split_whitespace().collect();
            return (text[..at].trim_end(), options);
        }
        offset = at + token.len();
    }
    (text, Vec::new())
}

fn looks_like_path_or_url(text: &str) -> bool {
    text.starts_with('.')
        || text.starts_with('/')
        || text.contains("://")
        || text.starts_with("file:")
        || text.ends_with(".whl")
        || text.ends_with(".tar.gz")
        || text.ends_with(".zip")
}

fn parse_requirement_line(
    text: &str,
    editable: bool,
    constraint: bool,
    path: &str,
    line: usize,
    column: usize,
) -> Result<RequirementLine, DetectError> {
    let (requirement, options) = split_line_options(text);
    let mut hashes = Vec::new();
    let mut iter = options.iter();
    while let Some(option) = iter.next() {
        if let Some(hash) = option.strip_prefix("--hash=") {
            hashes.push(hash.to_string());
        } else if *option == "--hash"
            && let Some(hash) = iter.next()
        {
            hashes.push((*hash).to_string());
        }
    }
    let source = Source::line(path, line);
    if looks_like_path_or_url(requirement) && !requirement.contains(" @ ") {
        // pip accepts bare paths and URLs; the name, when there is one, is in
        // the `#egg=` fragment.
        let name = requirement
            .split_once("#egg=")
            .map(|(_, egg)| normalize_name(egg.split('&').next().unwrap_or(egg)));
        return Ok(RequirementLine {
            name,
            text: requirement.to_string(),
            specifier: None,
            extras: Vec::new(),
            marker: None,
            url: Some(requirement.to_string()),
            editable,
            hashes,
            constraint,
            source,
        });
    }
    let parsed = crate::pep508::parse(requirement).map_err(|err| {
        DetectError::parse(
            path,
            line,
            column + err.offset,
            format!("invalid requirement `{requirement}`: {}", err.message),
        )
    })?;
    let (specifier, url) = match &parsed.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(spec)) => (Some(spec.to_string()), None),
        Some(VersionOrUrl::Url(url)) => (None, Some(url.to_string())),
        None => (None, None),
    };
    Ok(RequirementLine {
        name: Some(parsed.name.to_string()),
        text: requirement.to_string(),
        specifier: specifier.filter(|s| !s.is_empty()),
        extras: parsed.extras.iter().map(ToString::to_string).collect(),
        marker: parsed.marker.contents().map(|m| m.to_string()),
        url,
        editable,
        hashes,
        constraint,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, content) in files {
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).expect("mkdir");
            }
            fs::write(path, content).expect("write");
        }
        dir
    }

    #[test]
    fn follows_nested_includes_and_constraints() {
        let dir = project(&[
            (
                "requirements.txt",
                "-r requirements/base.txt\n--constraint=constraints.txt\ngunicorn==23.0.0\n",
            ),
            ("requirements/base.txt", "-r common.txt\nFlask>=3\n"),
            ("requirements/common.txt", "click\n"),
            ("constraints.txt", "werkzeug<4\n"),
        ]);
        let set = parse_requirements(dir.path(), Path::new("requirements.txt")).expect("parse");
        assert_eq!(
            set.file_paths(),
            [
                "requirements.txt",
                "requirements/base.txt",
                "requirements/common.txt",
                "constraints.txt"
            ]
        );
        assert_eq!(set.files[3].role, FileRole::Constraints);
        assert_eq!(
            set.files[1].included_from,
            Some(Source::line("requirements.txt", 1))
        );
        let names: Vec<_> = set
            .requirements
            .iter()
            .map(|r| (r.name.clone().unwrap_or_default(), r.constraint))
            .collect();
        assert_eq!(
            names,
            [
                ("click".to_string(), false),
                ("flask".to_string(), false),
                ("werkzeug".to_string(), true),
                ("gunicorn".to_string(), false)
            ]
        );
        assert_eq!(
            set.requirements[3].source,
            Source::line("requirements.txt", 3)
        );
    }

    #[test]
    fn include_cycle_is_an_error_naming_the_chain() {
        let dir = project(&[("a.txt", "-r b.txt\n"), ("b.txt", "flask\n-r a.txt\n")]);
        let err = parse_requirements(dir.path(), Path::new("a.txt")).expect_err("cycle");
        assert_eq!(
            err,
            DetectError::parse("b.txt", 2, 1, "include cycle: a.txt -> b.txt -> a.txt")
        );
    }

    #[test]
    fn include_depth_is_bounded() {
        let files: Vec<(String, String)> = (0..70)
            .map(|i| (format!("r{i}.txt"), format!("-r r{}.txt\n", i + 1)))
            .collect();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let dir = project(&refs);
        let err = parse_requirements(dir.path(), Path::new("r0.txt")).expect_err("deep");
        assert!(err.to_string().contains("deeper than 64"), "{err}");
    }

    #[test]
    fn diamond_include_is_read_once() {
        let dir = project(&[
            ("requirements.txt", "-r a.txt\n-r b.txt\n"),
            ("a.txt", "-r common.txt\n"),
            ("b.txt", "-r common.txt\n"),
            ("common.txt", "six\n"),
        ]);
        let set = parse_requirements(dir.path(), Path::new("requirements.txt")).expect("parse");
        assert_eq!(set.files.len(), 4);
        assert_eq!(set.requirements.len(), 1);
    }

    #[test]
    fn missing_include_points_at_the_including_line() {
        let dir = project(&[("requirements.txt", "flask\n\n-r nope.txt\n")]);
        let err =
            parse_requirements(dir.path(), Path::new("requirements.txt")).expect_err("missing");
        match err {
            DetectError::Parse {
                path,
                line,
                message,
                ..
            } => {
                assert_eq!(path, "requirements.txt");
                assert_eq!(line, 3);
                assert!(message.contains("nope.txt"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn hashes_continuations_markers_and_comments() {
        let dir = project(&[(
            "requirements.txt",
            "# pinned\nrequests==2.32.3 \\\n    --hash=sha256:aaa \\\n    --hash=sha256:bbb  # trailing\n\
             pywin32==306 ; sys_platform == 'win32'\n\
             Django[Argon2] >= 5.0, < 6\n",
        )]);
        let set = parse_requirements(dir.path(), Path::new("requirements.txt")).expect("parse");
        assert!(set.hashes_required);
        let requests = &set.requirements[0];
        assert_eq!(requests.name.as_deref(), Some("requests"));
        assert_eq!(requests.specifier.as_deref(), Some("==2.32.3"));
        assert_eq!(requests.hashes, ["sha256:aaa", "sha256:bbb"]);
        assert_eq!(requests.source.line, Some(2));
        let pywin = &set.requirements[1];
        assert_eq!(pywin.source.line, Some(5));
        assert!(pywin.marker.as_deref().is_some_and(|m| m.contains("win32")));
        let django = &set.requirements[2];
        assert_eq!(django.name.as_deref(), Some("django"));
        assert_eq!(django.extras, ["argon2"]);
    }

    #[test]
    fn index_options_editables_and_paths() {
        let dir = project(&[(
            "requirements.txt",
            "-i https://user:token@pkgs.example.com/simple\n\
             --extra-index-url https://mirror.example.org/simple\n\
             --no-binary lxml,psycopg2\n\
             -e .\n\
             ./vendor/thing.whl\n\
             git+https://example.com/repo.git#egg=Some_Thing\n",
        )]);
        let set = parse_requirements(dir.path(), Path::new("requirements.txt")).expect("parse");
        assert_eq!(set.indexes.len(), 2);
        assert_eq!(set.indexes[0].kind, IndexOptionKind::IndexUrl);
        assert_eq!(
            set.indexes[0].url,
            "https://user:token@pkgs.example.com/simple"
        );
        assert_eq!(set.indexes[1].source.line, Some(2));
        assert!(set.builds_from_source("lxml"));
        assert!(!set.builds_from_source("flask"));
        assert!(set.requirements[0].editable);
        assert!(set.requirements[0].is_project_itself());
        assert_eq!(set.requirements[1].name, None);
        assert_eq!(set.requirements[2].name.as_deref(), Some("some-thing"));
    }

    #[test]
    fn local_entries_resolve_like_pip() {
        let dir = project(&[
            (
                "requirements.txt",
                "-r requirements/base.txt\nflask\n-e .[dev]\n./libs/a[x]\nfile:libs/b#egg=b\nfile:///opt/c\n/abs/d\ngit+https://example.com/e.git\n",
            ),
            (
                "requirements/base.txt",
                "--find-links wheels\n--find-links https://example.com/w\n",
            ),
            ("requirements/wheels/x.whl", ""),
        ]);
        let set = parse_requirements(dir.path(), Path::new("requirements.txt")).expect("parse");
        let entries = set.local_entries(dir.path());
        let found: Vec<(&str, &str, bool)> = entries
            .iter()
            .map(|e| (e.path.as_str(), e.written.as_str(), e.project_itself))
            .collect();
        assert_eq!(
            found,
            [
                (".", "-e .[dev]", true),
                ("libs/a", "./libs/a[x]", false),
                ("libs/b", "file:libs/b#egg=b", false),
                // Found next to the file that names it, as pip looks first.
                ("requirements/wheels", "--find-links wheels", false),
            ]
        );
        assert_eq!(entries[0].source.line, Some(3));
    }

    #[test]
    fn invalid_requirement_has_line_and_column() {
        let dir = project(&[("requirements.txt", "flask\n  requests ==>2\n")]);
        let err = parse_requirements(dir.path(), Path::new("requirements.txt")).expect_err("bad");
        match err {
            DetectError::Parse {
                path, line, column, ..
            } => {
                assert_eq!(path, "requirements.txt");
                assert_eq!(line, 2);
                assert!(column > 3, "column {column} should point into the line");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn missing_top_file_is_io_error() {
        let dir = project(&[]);
        let err = parse_requirements(dir.path(), Path::new("requirements.txt")).expect_err("none");
        assert!(matches!(err, DetectError::Io { ref path, .. } if path == "requirements.txt"));
    }

    #[test]
    fn normalizes_names() {
        assert_eq!(normalize_name("Foo.Bar__baz"), "foo-bar-baz");
        assert_eq!(normalize_name("psycopg2-binary"), "psycopg2-binary");
    }
}

/// Groups manifest paths (relative, `/`-separated) by their directory, in
/// first-seen order: `("", [requirements.txt])`, `("requirements/", [base.txt…])`.
/// A Dockerfile needs one `COPY` per group, since `COPY a/x b/y ./` would
/// flatten both into one directory and break includes that name the path.
pub fn group_by_directory<S: AsRef<str>>(files: &[S]) -> Vec<(String, Vec<&str>)> {
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for file in files {
        let file = file.as_ref();
        let dir = file
            .rsplit_once('/')
            .map_or_else(String::new, |(dir, _)| format!("{dir}/"));
        match groups.iter_mut().find(|(d, _)| *d == dir) {
            Some((_, list)) => list.push(file),
            None => groups.push((dir, vec![file])),
        }
    }
    groups
}

#[cfg(test)]
mod group_tests {
    use super::group_by_directory;

    #[test]
    fn groups_keep_first_seen_order() {
        let files = [
            "requirements.txt",
            "requirements/base.txt",
            "setup.cfg",
            "requirements/dev.txt",
        ];
        assert_eq!(
            group_by_directory(&files),
            vec![
                (String::new(), vec!["requirements.txt", "setup.cfg"]),
                (
                    "requirements/".to_string(),
                    vec!["requirements/base.txt", "requirements/dev.txt"]
                ),
            ]
        );
    }
}
