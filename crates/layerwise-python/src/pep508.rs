//! One entry point to PEP 508 parsing, guarding known panics in `pep508_rs`
//! 0.9: a name that ends in `.`, `-` or `_` followed by another character
//! (`A-!`) trips an internal `expect`, and some non-ASCII characters after
//! `]` make its cursor slice inside a character. Both are answered with an
//! error here; any other panic of the parser is caught and reported as an
//! error as well.

use std::str::FromStr;

use pep508_rs::{Requirement, VerbatimUrl};

/// A parse failure: 0-based character offset into the input and a message.
#[derive(Debug)]
pub(crate) struct Pep508Failure {
    pub offset: usize,
    pub message: String,
}

/// Parses a PEP 508 requirement string without panicking on any input.
pub(crate) fn parse(text: &str) -> Result<Requirement<VerbatimUrl>, Pep508Failure> {
    let leading = text.chars().take_while(|c| c.is_whitespace()).count();
    let name: Vec<char> = text
        .chars()
        .skip(leading)
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    let followed = text.chars().count() > leading + name.len();
    if let Some(&last) = name.last()
        && followed
        && matches!(last, '.' | '-' | '_')
    {
        return Err(Pep508Failure {
            offset: leading + name.len() - 1,
            message: format!("package name must end with a letter or digit, not `{last}`"),
        });
    }
    if let Some((offset, c)) = text.chars().enumerate().find(|(_, c)| !c.is_ascii()) {
        return Err(Pep508Failure {
            offset,
            message: format!("non-ASCII character `{c}` in a requirement"),
        });
    }
    match std::panic::catch_unwind(|| Requirement::<VerbatimUrl>::from_str(text)) {
        Ok(parsed) => parsed.map_err(|err| Pep508Failure {
            offset: err.start,
            message: err.message.to_string(),
        }),
        Err(_) => Err(Pep508Failure {
            offset: 0,
            message: "the requirement could not be parsed".to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_separator_in_name_is_an_error_not_a_panic() {
        let err = parse("A-!").expect_err("error");
        assert_eq!(err.offset, 1);
        assert!(err.message.contains("`-`"));
        assert!(parse("  foo_ ==1").is_err());
        assert!(parse("foo-").is_err());
    }

    #[test]
    fn non_ascii_is_an_error_not_a_panic() {
        let err = parse("g-r  ; python_version < '3.9']é ; x").expect_err("error");
        assert_eq!(err.offset, 30);
        assert!(err.message.contains("`é`"));
    }

    #[test]
    fn valid_requirements_parse() {
        let req = parse("Foo.Bar[x] >=1 ; python_version >= '3.8'").expect("ok");
        assert_eq!(req.name.to_string(), "foo-bar");
        assert!(parse("a-b-c==1").is_ok());
    }
}
