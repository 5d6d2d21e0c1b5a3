//! Inline suppression comments and BuildKit's `# check=skip=` directive.
//!
//! * `# layerwise: ignore[LW101,copy-before-install]` on the line(s)
//!   directly before an instruction silences those rules there;
//!   `# layerwise: ignore` without a list silences every rule.
//! * `# hadolint ignore=DL3008,DL3009` does the same for the layerwise rules
//!   that cover those hadolint codes.
//! * `# check=skip=JSONArgsRecommended,StageNameCasing` (or `skip=all`) at
//!   the top of the file silences the rules covering those BuildKit checks
//!   in the whole file.

use layerwise_syntax::{DirectiveKind, Dockerfile, Item, Span};

use crate::registry;

/// Which rules are silenced where.
#[derive(Debug, Default)]
pub struct Suppressions {
    /// Instruction span and the codes silenced for it (`None` = all).
    local: Vec<(Span, Option<Vec<&'static str>>)>,
    /// Codes silenced in the whole file (`None` in the list = all).
    file: Vec<&'static str>,
    file_all: bool,
}

fn parse_list(list: &str) -> Vec<&'static str> {
    list.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .flat_map(|key| match registry::resolve(key) {
            Some(idx) => idx.into_iter().map(|i| registry::all()[i].code).collect(),
            None => Vec::new(),
        })
        .collect()
}

/// Parses one comment; `Some(None)` silences all rules.
fn parse_comment(text: &str) -> Option<Option<Vec<&'static str>>> {
    let body = text.trim_start_matches('#').trim();
    if let Some(rest) = body.strip_prefix("layerwise:") {
        let rest = rest.trim();
        let rest = rest.strip_prefix("ignore")?.trim();
        if rest.is_empty() {
            return Some(None);
        }
        let list = rest.strip_prefix('[')?.split(']').next()?;
        return Some(Some(parse_list(list)));
    }
    if let Some(rest) = body.strip_prefix("hadolint") {
        let rest = rest
            .trim()
            .strip_prefix("ignore")?
            .trim_start()
            .strip_prefix('=')?;
        return Some(Some(parse_list(rest)));
    }
    None
}

impl Suppressions {
    pub fn collect(file: &Dockerfile) -> Suppressions {
        let mut out = Suppressions::default();
        for directive in file.directives() {
            if directive.kind != DirectiveKind::Check {
                continue;
            }
            for part in directive.value.value.split(';') {
                let Some((key, value)) = part.split_once('=') else {
                    continue;
                };
                if !key.trim().eq_ignore_ascii_case("skip") {
                    continue;
                }
                if value.trim().eq_ignore_ascii_case("all") {
                    out.file_all = true;
                } else {
                    out.file.extend(parse_list(value));
                }
            }
        }
        let mut pending: Vec<Option<Vec<&'static str>>> = Vec::new();
        for item in file.items() {
            match item {
                Item::Comment(c) => {
                    if let Some(s) = parse_comment(file.text(c.text)) {
                        pending.push(s);
                    }
                }
                Item::Blank(_) | Item::Directive(_) => pending.clear(),
                Item::Instruction(ins) => {
                    for p in pending.drain(..) {
                        out.local.push((ins.span, p));
                    }
                }
            }
        }
        out
    }

    /// Whether `code` is silenced for a diagnostic at `span`.
    pub fn is_suppressed(&self, code: &str, span: Span) -> bool {
        if self.file.contains(&code) {
            return true;
        }
        // `skip=all` covers the BuildKit checks, i.e. rules with a Docker alias.
        if self.file_all
            && registry::find(code).is_some_and(|r| r.aliases.iter().any(|a| !a.starts_with("DL")))
        {
            return true;
        }
        self.local.iter().any(|(ins, codes)| {
            (ins.contains(span.start) || (span.is_empty() && span.start == ins.end))
                && codes.as_ref().is_none_or(|c| c.contains(&code))
        })
    }
}
