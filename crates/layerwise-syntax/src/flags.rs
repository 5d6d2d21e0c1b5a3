//! Flag validation and typed flag values, per instruction, as BuildKit's
//! `BFlags` and instruction parsers check them.

use std::time::Duration;

use crate::error::{ParseError, ParseErrorKind};
use crate::instruction::{Details, Flag, InstructionKind};
use crate::mount::{Mount, parse_mount};
use crate::span::{Span, Spanned};

/// `RUN --network=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NetworkMode {
    Default,
    None,
    Host,
}

/// `RUN --security=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecurityMode {
    Sandbox,
    Insecure,
}

/// Typed flags of `RUN`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RunFlags {
    pub mounts: Vec<Mount>,
    /// `None` when absent or when the value holds a variable.
    pub network: Option<Spanned<NetworkMode>>,
    /// `None` when absent or when the value holds a variable.
    pub security: Option<Spanned<SecurityMode>>,
    pub devices: Vec<Spanned<String>>,
}

/// Typed flags of `COPY` and `ADD` (each accepts a subset).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CopyFlags {
    pub from: Option<Spanned<String>>,
    pub chown: Option<Spanned<String>>,
    pub chmod: Option<Spanned<String>>,
    pub checksum: Option<Spanned<String>>,
    pub link: Option<Spanned<bool>>,
    pub parents: Option<Spanned<bool>>,
    pub keep_git_dir: Option<Spanned<bool>>,
    pub unpack: Option<Spanned<bool>>,
    /// Every `--exclude`, in order.
    pub exclude: Vec<Spanned<String>>,
}

/// Typed flags of `FROM`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FromFlags {
    pub platform: Option<Spanned<String>>,
}

/// Typed flags of `HEALTHCHECK` (ignored by BuildKit for `HEALTHCHECK NONE`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct HealthcheckFlags {
    pub interval: Option<Spanned<Duration>>,
    pub timeout: Option<Spanned<Duration>>,
    pub start_period: Option<Spanned<Duration>>,
    pub start_interval: Option<Spanned<Duration>>,
    pub retries: Option<Spanned<u32>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FlagType {
    Bool,
    Text,
    List,
}

fn accepted_flags(kind: InstructionKind) -> &'static [(&'static str, FlagType)] {
    use FlagType::*;
    match kind {
        InstructionKind::Run => &[
            ("mount", List),
            ("network", Text),
            ("security", Text),
            ("device", List),
        ],
        InstructionKind::Copy => &[
            ("chown", Text),
            ("from", Text),
            ("chmod", Text),
            ("link", Bool),
            ("parents", Bool),
            ("exclude", List),
        ],
        InstructionKind::Add => &[
            ("chown", Text),
            ("chmod", Text),
            ("link", Bool),
            ("keep-git-dir", Bool),
            ("checksum", Text),
            ("exclude", List),
            ("unpack", Bool),
        ],
        InstructionKind::From => &[("platform", Text)],
        // `ARG --required` (read it with `Instruction::flag("required")`).
        InstructionKind::Arg => &[("required", Bool)],
        InstructionKind::Healthcheck => &[
            ("interval", Text),
            ("timeout", Text),
            ("start-period", Text),
            ("start-interval", Text),
            ("retries", Text),
        ],
        _ => &[],
    }
}

/// Checks `flags` against what `kind` accepts and builds the typed values.
/// `value_span(i, a, b)` maps bytes `a..b` of flag `i`'s value to the source.
/// `healthcheck_none` mirrors BuildKit, which ignores flags on `HEALTHCHECK NONE`.
pub(crate) fn check_flags(
    kind: InstructionKind,
    flags: &[Flag],
    healthcheck_none: bool,
    value_span: &dyn Fn(usize, usize, usize) -> Span,
    errors: &mut Vec<ParseError>,
) -> Details {
    if kind == InstructionKind::Healthcheck && healthcheck_none {
        return Details::Healthcheck(Box::default());
    }
    if kind == InstructionKind::Unknown {
        return Details::None;
    }
    let accepted = accepted_flags(kind);
    let mut seen: Vec<&str> = Vec::new();
    let mut valid: Vec<usize> = Vec::new();
    for (i, flag) in flags.iter().enumerate() {
        let name = flag.name.value.as_str();
        let Some(&(_, flag_type)) = accepted.iter().find(|(n, _)| *n == name) else {
            errors.push(ParseError::new(
                ParseErrorKind::UnknownFlag,
                flag.span,
                format!("unknown flag: {name}"),
            ));
            continue;
        };
        if flag_type != FlagType::List && seen.contains(&name) {
            errors.push(ParseError::new(
                ParseErrorKind::DuplicateFlag,
                flag.span,
                format!("duplicate flag specified: {name}"),
            ));
            continue;
        }
        seen.push(name);
        match (&flag.value, flag_type) {
            (None, FlagType::Text | FlagType::List) => {
                errors.push(ParseError::new(
                    ParseErrorKind::MissingFlagValue,
                    flag.span,
                    format!("missing a value on flag: {name}"),
                ));
                continue;
            }
            (Some(v), FlagType::Bool) if v.value.is_empty() => {
                errors.push(ParseError::new(
                    ParseErrorKind::MissingFlagValue,
                    flag.span,
                    format!("missing a value on flag: {name}"),
                ));
                continue;
            }
            (Some(v), FlagType::Bool)
                if !v.value.eq_ignore_ascii_case("true")
                    && !v.value.eq_ignore_ascii_case("false") =>
            {
                errors.push(ParseError::new(
                    ParseErrorKind::InvalidFlagValue,
                    v.span,
                    format!("expecting boolean value for flag {name}, not: {}", v.value),
                ));
                continue;
            }
            _ => valid.push(i),
        }
    }
    let valid_flags = || valid.iter().map(|&i| (i, &flags[i]));
    let text = |f: &Flag| {
        f.value
            .clone()
            .unwrap_or_else(|| Spanned::new(String::new(), f.span))
    };
    let boolean = |f: &Flag| {
        let value = f
            .value
            .as_ref()
            .is_none_or(|v| v.value.eq_ignore_ascii_case("true"));
        Spanned::new(value, f.span)
    };
    match kind {
        InstructionKind::Run => {
            let mut run = RunFlags::default();
            for (i, f) in valid_flags() {
                let v = text(f);
                match f.name.value.as_str() {
                    "mount" => run.mounts.push(parse_mount(
                        &v.value,
                        v.span,
                        &|a, b| value_span(i, a, b),
                        errors,
                    )),
                    "network" => {
                        let mode = match v.value.as_str() {
                            "default" => Some(NetworkMode::Default),
                            "none" => Some(NetworkMode::None),
                            "host" => Some(NetworkMode::Host),
                            s if s.contains('$') => None,
                            s => {
                                errors.push(ParseError::new(
                                    ParseErrorKind::InvalidFlagValue,
                                    v.span,
                                    format!("unsupported network mode \"{s}\""),
                                ));
                                None
                            }
                        };
                        run.network = mode.map(|m| Spanned::new(m, v.span));
                    }
                    "security" => {
                        let mode = match v.value.as_str() {
                            "sandbox" => Some(SecurityMode::Sandbox),
                            "insecure" => Some(SecurityMode::Insecure),
                            s if s.contains('$') => None,
                            s => {
                                errors.push(ParseError::new(
                                    ParseErrorKind::InvalidFlagValue,
                                    v.span,
                                    format!("unsupported security mode \"{s}\""),
                                ));
                                None
                            }
                        };
                        run.security = mode.map(|m| Spanned::new(m, v.span));
                    }
                    _ => run.devices.push(v),
                }
            }
            Details::Run(run)
        }
        InstructionKind::Copy | InstructionKind::Add => {
            let mut copy = CopyFlags::default();
            for (_, f) in valid_flags() {
                match f.name.value.as_str() {
                    "from" => copy.from = Some(text(f)),
                    "chown" => copy.chown = Some(text(f)),
                    "chmod" => copy.chmod = Some(text(f)),
                    "checksum" => copy.checksum = Some(text(f)),
                    "link" => copy.link = Some(boolean(f)),
                    "parents" => copy.parents = Some(boolean(f)),
                    "keep-git-dir" => copy.keep_git_dir = Some(boolean(f)),
                    "unpack" => copy.unpack = Some(boolean(f)),
                    _ => copy.exclude.push(text(f)),
                }
            }
            Details::Copy(Box::new(copy))
        }
        InstructionKind::From => Details::From(FromFlags {
            platform: valid_flags().map(|(_, f)| text(f)).next_back(),
        }),
        InstructionKind::Healthcheck => {
            let mut health = HealthcheckFlags::default();
            for (_, f) in valid_flags() {
                let v = text(f);
                let name = f.name.value.as_str();
                if name == "retries" {
                    if v.value.is_empty() {
                        continue;
                    }
                    match v.value.parse::<i64>() {
                        Ok(n) if n < 0 => errors.push(ParseError::new(
                            ParseErrorKind::InvalidFlagValue,
                            v.span,
                            format!("--retries cannot be negative ({n})"),
                        )),
                        Ok(n) if n <= i64::from(i32::MAX) => {
                            health.retries = Some(Spanned::new(n as u32, v.span))
                        }
                        _ => errors.push(ParseError::new(
                            ParseErrorKind::InvalidFlagValue,
                            v.span,
                            format!("invalid value for --retries: \"{}\"", v.value),
                        )),
                    }
                    continue;
                }
                if v.value.is_empty() {
                    continue;
                }
                let duration = match parse_go_duration(&v.value) {
                    Some(d) if !d.is_zero() && d < Duration::from_millis(1) => {
                        errors.push(ParseError::new(
                            ParseErrorKind::InvalidFlagValue,
                            v.span,
                            format!("Interval \"{name}\" cannot be less than 1ms"),
                        ));
                        continue;
                    }
                    Some(d) => Spanned::new(d, v.span),
                    None => {
                        errors.push(ParseError::new(
                            ParseErrorKind::InvalidFlagValue,
                            v.span,
                            format!("time: invalid duration \"{}\"", v.value),
                        ));
                        continue;
                    }
                };
                match name {
                    "interval" => health.interval = Some(duration),
                    "timeout" => health.timeout = Some(duration),
                    "start-period" => health.start_period = Some(duration),
                    _ => health.start_interval = Some(duration),
                }
            }
            Details::Healthcheck(Box::new(health))
        }
        _ => Details::None,
    }
}

/// Go's `time.ParseDuration` for non-negative values: `300ms`, `1h30m`, `1.5s`, `0`.
pub(crate) fn parse_go_duration(text: &str) -> Option<Duration> {
    let s = text.strip_prefix('+').unwrap_or(text);
    if s == "0" {
        return Some(Duration::ZERO);
    }
    if s.is_empty() {
        return None;
    }
    let mut rest = s;
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        let (number, after) = rest.split_at(num_len);
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        let unit_len = after
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map_or(after.len(), |(i, _)| i);
        let (unit, next) = after.split_at(unit_len);
        let nanos = match unit {
            "ns" => 1.0,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += value * nanos;
        rest = next;
    }
    if !total.is_finite() || total > u64::MAX as f64 {
        return None;
    }
    Some(Duration::from_nanos(total as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("5s"), Some(Duration::from_secs(5)));
        assert_eq!(parse_go_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_go_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_go_duration("300ms"), Some(Duration::from_millis(300)));
        assert_eq!(parse_go_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_go_duration("0s"), Some(Duration::ZERO));
        assert_eq!(parse_go_duration("5"), None);
        assert_eq!(parse_go_duration("s"), None);
        assert_eq!(parse_go_duration("5 s"), None);
        assert_eq!(parse_go_duration(""), None);
    }
}
