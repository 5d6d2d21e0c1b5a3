//! `RUN --mount=…` values: BuildKit's CSV syntax, typed, with a span per option.

use crate::error::{ParseError, ParseErrorKind};
use crate::span::{Span, Spanned};

/// The `type=` of a mount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum MountType {
    /// Read-only view of a context or stage (the default).
    #[default]
    Bind,
    /// A persistent cache directory.
    Cache,
    /// An empty in-memory filesystem.
    Tmpfs,
    /// A build secret file.
    Secret,
    /// An SSH agent socket.
    Ssh,
}

impl MountType {
    fn parse(value: &str) -> Option<MountType> {
        Some(match value.to_ascii_lowercase().as_str() {
            "bind" => MountType::Bind,
            "cache" => MountType::Cache,
            "tmpfs" => MountType::Tmpfs,
            "secret" => MountType::Secret,
            "ssh" => MountType::Ssh,
            _ => return None,
        })
    }

    /// The name as written in a Dockerfile.
    pub fn as_str(self) -> &'static str {
        match self {
            MountType::Bind => "bind",
            MountType::Cache => "cache",
            MountType::Tmpfs => "tmpfs",
            MountType::Secret => "secret",
            MountType::Ssh => "ssh",
        }
    }
}

/// `sharing=` of a cache mount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CacheSharing {
    Shared,
    Private,
    Locked,
}

/// Which setting an option of a mount addresses (aliases folded together).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MountField {
    Type,
    From,
    /// `source` or `src`.
    Source,
    /// `target`, `dst` or `destination`.
    Target,
    /// `readonly` or `ro`.
    ReadOnly,
    /// `readwrite` or `rw`.
    ReadWrite,
    Required,
    Size,
    Id,
    Sharing,
    Mode,
    Uid,
    Gid,
    /// A key BuildKit does not accept.
    Unknown,
}

impl MountField {
    fn from_key(key: &str) -> MountField {
        match key {
            "type" => MountField::Type,
            "from" => MountField::From,
            "source" | "src" => MountField::Source,
            "target" | "dst" | "destination" => MountField::Target,
            "readonly" | "ro" => MountField::ReadOnly,
            "readwrite" | "rw" => MountField::ReadWrite,
            "required" => MountField::Required,
            "size" => MountField::Size,
            "id" => MountField::Id,
            "sharing" => MountField::Sharing,
            "mode" => MountField::Mode,
            "uid" => MountField::Uid,
            "gid" => MountField::Gid,
            _ => MountField::Unknown,
        }
    }
}

/// One comma-separated `key[=value]` of a mount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountOption {
    /// The whole option as written (quotes included).
    pub span: Span,
    /// The key, lower-cased.
    pub key: Spanned<String>,
    /// What the key sets.
    pub field: MountField,
    /// The value after `=`, if any.
    pub value: Option<Spanned<String>>,
}

/// A parsed `--mount` flag value.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Mount {
    /// The flag value as written.
    pub span: Span,
    /// Every option in order, for precise edits.
    pub options: Vec<MountOption>,
    pub kind: MountType,
    pub target: Option<String>,
    pub source: Option<String>,
    pub from: Option<String>,
    /// The cache or secret id.
    pub id: Option<String>,
    pub sharing: Option<CacheSharing>,
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// Explicit `ro`/`rw` setting; `None` means the type's default.
    pub readonly: Option<bool>,
    pub required: Option<bool>,
    /// tmpfs size limit in bytes.
    pub size: Option<u64>,
}

impl Mount {
    /// The last option setting `field` (later options win, as in BuildKit).
    pub fn option(&self, field: MountField) -> Option<&MountOption> {
        self.options.iter().rev().find(|o| o.field == field)
    }

    /// Whether the mount is read-only once defaults are applied.
    pub fn is_readonly(&self) -> bool {
        self.readonly
            .unwrap_or(!matches!(self.kind, MountType::Cache | MountType::Tmpfs))
    }
}

/// Parses `value` (the flag value after quote removal). `span_of(a, b)`
/// maps a byte range of `value` to a source span.
pub(crate) fn parse_mount(
    value: &str,
    whole: Span,
    span_of: &dyn Fn(usize, usize) -> Span,
    errors: &mut Vec<ParseError>,
) -> Mount {
    let mut mount = Mount {
        span: whole,
        ..Mount::default()
    };
    let bad = |errors: &mut Vec<ParseError>, span: Span, message: String| {
        errors.push(ParseError::new(
            ParseErrorKind::InvalidFlagValue,
            span,
            message,
        ));
    };
    let fields = match split_csv(value) {
        Ok(fields) => fields,
        Err(message) => {
            bad(
                errors,
                whole,
                format!("failed to parse csv mounts: {message}"),
            );
            return mount;
        }
    };
    let mut type_known = true;
    for field in fields {
        let (raw_start, raw_end) = (field.start, field.end);
        // Content offsets: quoted fields lose their surrounding quotes.
        let inner = if field.quoted {
            (raw_start + 1, raw_end.saturating_sub(1).max(raw_start + 1))
        } else {
            (raw_start, raw_end)
        };
        let span = span_of(raw_start, raw_end);
        let (key_text, val) = match field.text.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (field.text.as_str(), None),
        };
        let key_len = key_text.len().min(inner.1 - inner.0);
        let key = Spanned::new(
            key_text.to_ascii_lowercase(),
            span_of(inner.0, inner.0 + key_len),
        );
        let value = val.map(|v| {
            let vstart = (inner.0 + key_len + 1).min(inner.1);
            Spanned::new(v.to_string(), span_of(vstart, inner.1))
        });
        let kind = MountField::from_key(&key.value);
        let option = MountOption {
            span,
            key,
            field: kind,
            value,
        };
        apply_option(&mut mount, &option, &mut type_known, errors);
        mount.options.push(option);
    }
    if type_known {
        validate(&mount, errors);
    }
    mount
}

fn apply_option(
    mount: &mut Mount,
    option: &MountOption,
    type_known: &mut bool,
    errors: &mut Vec<ParseError>,
) {
    let key = option.key.value.as_str();
    let mut fail = |message: String| {
        errors.push(ParseError::new(
            ParseErrorKind::InvalidFlagValue,
            option.span,
            message,
        ));
    };
    let Some(value) = &option.value else {
        match option.field {
            MountField::ReadOnly => mount.readonly = Some(true),
            MountField::ReadWrite => mount.readonly = Some(false),
            MountField::Required if matches!(mount.kind, MountType::Secret | MountType::Ssh) => {
                mount.required = Some(true)
            }
            MountField::Required => fail(format!(
                "unexpected key '{key}' for mount type '{}'",
                mount.kind.as_str()
            )),
            _ => fail(format!(
                "invalid field '{}' must be a key=value pair",
                option.key.value
            )),
        }
        return;
    };
    let v = value.value.as_str();
    // Values holding variables are expanded at build time; only their
    // presence is recorded here.
    let deferred = v.contains('$');
    if deferred && option.field == MountField::From && has_variable(v) {
        fail(format!(
            "'{key}' doesn't support variable expansion, define alias stage instead"
        ));
        return;
    }
    let parse_bool = |v: &str| match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    };
    match option.field {
        MountField::Type => match MountType::parse(v) {
            Some(t) => mount.kind = t,
            None if deferred => *type_known = false,
            None => {
                *type_known = false;
                fail(format!("unsupported mount type \"{v}\""));
            }
        },
        MountField::From => mount.from = Some(v.to_string()),
        MountField::Source => mount.source = Some(v.to_string()),
        MountField::Target => mount.target = Some(v.to_string()),
        MountField::Id => mount.id = Some(v.to_string()),
        MountField::ReadOnly | MountField::ReadWrite => match parse_bool(v) {
            Some(b) => {
                mount.readonly = Some(if option.field == MountField::ReadOnly {
                    b
                } else {
                    !b
                })
            }
            None if deferred => {}
            None => fail(format!("invalid value for {key}: {v}")),
        },
        MountField::Required => {
            if !matches!(mount.kind, MountType::Secret | MountType::Ssh) {
                fail(format!(
                    "unexpected key '{key}' for mount type '{}'",
                    mount.kind.as_str()
                ));
            } else {
                match parse_bool(v) {
                    Some(b) => mount.required = Some(b),
                    None if deferred => {}
                    None => fail(format!("invalid value for {key}: {v}")),
                }
            }
        }
        MountField::Size => {
            if mount.kind != MountType::Tmpfs {
                fail(format!(
                    "unexpected key '{key}' for mount type '{}'",
                    mount.kind.as_str()
                ));
            } else {
                match parse_ram_size(v) {
                    Some(n) => mount.size = Some(n),
                    None if deferred => {}
                    None => fail(format!("invalid value for {key}: {v}")),
                }
            }
        }
        MountField::Sharing => match v.to_ascii_lowercase().as_str() {
            "shared" => mount.sharing = Some(CacheSharing::Shared),
            "private" => mount.sharing = Some(CacheSharing::Private),
            "locked" => mount.sharing = Some(CacheSharing::Locked),
            _ if deferred => {}
            _ => fail(format!("unsupported sharing value \"{v}\"")),
        },
        MountField::Mode => match u32::from_str_radix(v, 8) {
            Ok(n) => mount.mode = Some(n),
            Err(_) if deferred => {}
            Err(_) => fail(format!("invalid value {v} for mode")),
        },
        MountField::Uid | MountField::Gid => match v.parse::<u32>() {
            Ok(n) if option.field == MountField::Uid => mount.uid = Some(n),
            Ok(n) => mount.gid = Some(n),
            Err(_) if deferred => {}
            Err(_) => fail(format!("invalid value {v} for {key}")),
        },
        MountField::Unknown => fail(format!(
            "unexpected key '{key}' in '{}={v}'",
            option.key.value
        )),
    }
}

/// BuildKit's `\$.` check: a `$` followed by any character.
fn has_variable(v: &str) -> bool {
    v.find('$').is_some_and(|i| i + 1 < v.len())
}

/// Cross-option rules that BuildKit checks once all options are read; like
/// BuildKit, only the first violation is reported.
fn validate(mount: &Mount, errors: &mut Vec<ParseError>) {
    let t = mount.kind.as_str();
    let file_info_allowed = matches!(
        mount.kind,
        MountType::Secret | MountType::Ssh | MountType::Cache
    );
    let message = if !file_info_allowed && mount.mode.is_some() {
        format!("mode not allowed for \"{t}\" type mounts")
    } else if !file_info_allowed && mount.uid.is_some() {
        format!("uid not allowed for \"{t}\" type mounts")
    } else if !file_info_allowed && mount.gid.is_some() {
        format!("gid not allowed for \"{t}\" type mounts")
    } else if mount.kind == MountType::Secret && mount.from.is_some() {
        "secret mount should not have a from".to_string()
    } else if mount.kind == MountType::Secret && mount.sharing.is_some() {
        "secret mount should not define sharing".to_string()
    } else if mount.kind == MountType::Secret
        && mount.source.is_none()
        && mount.target.is_none()
        && mount.id.is_none()
    {
        "invalid secret mount. one of source, target required".to_string()
    } else if mount.kind == MountType::Secret && mount.source.is_some() && mount.id.is_some() {
        "both source and id can't be set".to_string()
    } else if mount.sharing.is_some() && mount.kind != MountType::Cache {
        format!("invalid cache sharing set for {t} mount")
    } else {
        return;
    };
    errors.push(ParseError::new(
        ParseErrorKind::InvalidFlagValue,
        mount.span,
        message,
    ));
}

/// Sizes like `64m`, `1.5GiB`, `1024` (binary multiples), as docker's
/// `RAMInBytes` reads them.
fn parse_ram_size(v: &str) -> Option<u64> {
    let number_len = v
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let (number, mut unit) = v.split_at(number_len);
    if number.is_empty() || !number.as_bytes()[0].is_ascii_digit() || number.ends_with('.') {
        return None;
    }
    let number: f64 = number.parse().ok()?;
    unit = unit.strip_prefix(' ').unwrap_or(unit);
    let lower = unit.to_ascii_lowercase();
    let mut rest = lower.as_str();
    let mut multiplier = 1f64;
    if let Some(c) = rest.chars().next()
        && let Some(power) = "kmgtp".find(c)
    {
        multiplier = 1024f64.powi(power as i32 + 1);
        rest = &rest[1..];
    }
    rest = rest.strip_prefix('i').unwrap_or(rest);
    rest = rest.strip_prefix('b').unwrap_or(rest);
    if !rest.is_empty() {
        return None;
    }
    Some((number * multiplier) as u64)
}

struct CsvField {
    text: String,
    start: usize,
    end: usize,
    quoted: bool,
}

/// Splits one CSV record like Go's `encoding/csv` with default settings.
fn split_csv(value: &str) -> Result<Vec<CsvField>, String> {
    if value.is_empty() {
        return Err("EOF".to_string());
    }
    let bytes = value.as_bytes();
    let mut fields = Vec::new();
    let mut i = 0;
    loop {
        let start = i;
        if bytes.get(i) == Some(&b'"') {
            let mut text = String::new();
            i += 1;
            let mut run = i;
            loop {
                match bytes.get(i) {
                    None => return Err("extraneous or missing \" in quoted-field".to_string()),
                    Some(b'"') if bytes.get(i + 1) == Some(&b'"') => {
                        text.push_str(&value[run..=i]);
                        i += 2;
                        run = i;
                    }
                    Some(b'"') => {
                        text.push_str(&value[run..i]);
                        i += 1;
                        break;
                    }
                    Some(_) => i += 1,
                }
            }
            match bytes.get(i) {
                None | Some(b',') => {}
                Some(_) => return Err("extraneous or missing \" in quoted-field".to_string()),
            }
            fields.push(CsvField {
                text,
                start,
                end: i,
                quoted: true,
            });
        } else {
            let end = value[i..].find(',').map_or(value.len(), |n| i + n);
            let text = &value[i..end];
            if text.contains('"') {
                return Err("bare \" in non-quoted-field".to_string());
            }
            fields.push(CsvField {
                text: text.to_string(),
                start,
                end,
                quoted: false,
            });
            i = end;
        }
        if i >= value.len() {
            return Ok(fields);
        }
        i += 1; // the comma
        if i == value.len() {
            fields.push(CsvField {
                text: String::new(),
                start: i,
                end: i,
                quoted: false,
            });
            return Ok(fields);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> (Mount, Vec<ParseError>) {
        let mut errors = Vec::new();
        let m = parse_mount(
            value,
            Span::new(0, value.len()),
            &|a, b| Span::new(a, b),
            &mut errors,
        );
        (m, errors)
    }

    #[test]
    fn cache_mount_with_spans() {
        let (m, errors) = parse("type=cache,target=/root/.cache/pip,sharing=locked,id=pip");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(m.kind, MountType::Cache);
        assert_eq!(m.target.as_deref(), Some("/root/.cache/pip"));
        assert_eq!(m.sharing, Some(CacheSharing::Locked));
        assert_eq!(m.id.as_deref(), Some("pip"));
        let target = m.option(MountField::Target).unwrap();
        assert_eq!(target.span, Span::new(11, 34));
        assert_eq!(target.key.span, Span::new(11, 17));
        assert_eq!(target.value.as_ref().unwrap().span, Span::new(18, 34));
        assert!(!m.is_readonly());
    }

    #[test]
    fn quoted_fields_and_bare_booleans() {
        let (m, errors) = parse("\"type=secret\",id=x,required,ro");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(m.kind, MountType::Secret);
        assert_eq!(m.required, Some(true));
        assert_eq!(m.readonly, Some(true));
        assert_eq!(
            m.option(MountField::Type).unwrap().key.span,
            Span::new(1, 5)
        );
    }

    #[test]
    fn errors_follow_buildkit() {
        let msg = |v: &str| {
            parse(v)
                .1
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
        };
        assert_eq!(msg("type=nfs"), ["unsupported mount type \"nfs\""]);
        assert_eq!(
            msg("required,type=secret,id=a"),
            ["unexpected key 'required' for mount type 'bind'"]
        );
        assert_eq!(
            msg("type=cache,target=/x,bogus=1"),
            ["unexpected key 'bogus' in 'bogus=1'"]
        );
        assert_eq!(
            msg("type=cache,target"),
            ["invalid field 'target' must be a key=value pair"]
        );
        assert_eq!(
            msg("type=bind,mode=0755"),
            ["mode not allowed for \"bind\" type mounts"]
        );
        assert_eq!(
            msg("type=secret"),
            ["invalid secret mount. one of source, target required"]
        );
        assert_eq!(
            msg("type=cache,sharing=wide"),
            ["unsupported sharing value \"wide\""]
        );
        assert_eq!(msg("type=cache,uid=x"), ["invalid value x for uid"]);
        assert_eq!(msg("type=tmpfs,size=big"), ["invalid value for size: big"]);
        assert_eq!(
            msg("from=$STAGE"),
            ["'from' doesn't support variable expansion, define alias stage instead"]
        );
        assert_eq!(
            msg("a\"b"),
            ["failed to parse csv mounts: bare \" in non-quoted-field"]
        );
        assert_eq!(msg(""), ["failed to parse csv mounts: EOF"]);
        assert!(msg("type=cache,target=$HOME/.cache,uid=$UID").is_empty());
    }

    #[test]
    fn ram_sizes() {
        assert_eq!(parse_ram_size("1024"), Some(1024));
        assert_eq!(parse_ram_size("64m"), Some(64 << 20));
        assert_eq!(parse_ram_size("1.5GiB"), Some(3 << 29));
        assert_eq!(parse_ram_size("x"), None);
        let (m, e) = parse("type=tmpfs,target=/t,size=2k");
        assert!(e.is_empty());
        assert_eq!(m.size, Some(2048));
    }
}
