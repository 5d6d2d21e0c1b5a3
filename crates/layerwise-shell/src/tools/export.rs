//! `export NAME=value`.

use crate::Word;

/// One `export` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// The variables exported, in order.
    pub vars: Vec<ExportVar>,
}

/// One exported variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportVar {
    /// Variable name.
    pub name: String,
    /// The new value; `None` for `export NAME` (exports the current value).
    pub value: Option<Word>,
    /// Bytes of the whole `NAME=value` word.
    pub span: std::ops::Range<usize>,
}

/// Parses the arguments after `export`.
pub(crate) fn parse(args: &[Word]) -> Export {
    let vars = args
        .iter()
        .filter(|w| !w.text.starts_with('-'))
        .map(|w| match w.text.split_once('=') {
            Some((name, value)) => {
                let skip = name.len() + 1;
                // Exact value position is known only when quoting did not
                // change the word's length.
                let span = if w.span.len() == w.text.len() {
                    w.span.start + skip..w.span.end
                } else {
                    w.span.clone()
                };
                ExportVar {
                    name: name.to_owned(),
                    value: Some(Word {
                        text: value.to_owned(),
                        span,
                        literal: w.literal,
                    }),
                    span: w.span.clone(),
                }
            }
            None => ExportVar {
                name: w.text.clone(),
                value: None,
                span: w.span.clone(),
            },
        })
        .collect();
    Export { vars }
}

#[cfg(test)]
mod tests {
    use crate::{ToolInvocation, analyze, invocations};

    #[test]
    fn exported_values() {
        let s = "export PATH=\"/opt/venv/bin:$PATH\" VIRTUAL_ENV=/opt/venv DEBUG && export -n X";
        let inv = invocations(&analyze(s));
        let ToolInvocation::Export(e) = &inv[0].tool else {
            panic!("expected export, got {inv:?}");
        };
        assert_eq!(e.vars.len(), 3);
        assert_eq!(e.vars[0].name, "PATH");
        let v = e.vars[0].value.as_ref();
        assert_eq!(v.map(|w| w.text.as_str()), Some("/opt/venv/bin:$PATH"));
        assert_eq!(v.map(|w| w.literal), Some(false));
        let v1 = e.vars[1].value.as_ref();
        assert_eq!(v1.map(|w| &s[w.span.clone()]), Some("/opt/venv"));
        assert_eq!(e.vars[2].value, None);
        let ToolInvocation::Export(n) = &inv[1].tool else {
            panic!("expected export");
        };
        assert_eq!(n.vars[0].name, "X");
    }
}
