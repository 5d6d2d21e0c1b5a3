//! Lexical path cleaning with the rules of Go's `filepath.Clean` on Unix.
//!
//! BuildKit cleans every `.dockerignore` pattern and every COPY source this
//! way before matching, so `a//b/./c/../d/` and `a/b/d` are the same pattern.

/// Returns the shortest lexically equivalent form of a slash-separated path:
/// repeated slashes collapse, `.` elements go, `..` removes the element before
/// it (and is dropped right after the root), a trailing slash is removed, and
/// the empty path becomes `.`.
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    // Number of leading `..` elements that cannot be cancelled (relative paths only).
    let mut leading_dotdots = 0usize;
    for elem in path.split('/') {
        match elem {
            "" | "." => {}
            ".." => {
                if parts.len() > leading_dotdots {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                    leading_dotdots += 1;
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn matches_go_clean_examples() {
        let cases = [
            ("", "."),
            (".", "."),
            ("/", "/"),
            ("//", "/"),
            ("a/b/", "a/b"),
            ("a//b", "a/b"),
            ("./a", "a"),
            ("a/./b", "a/b"),
            ("a/../b", "b"),
            ("a/b/../../..", ".."),
            ("../a", "../a"),
            ("../../a/../b", "../../b"),
            ("/../a", "/a"),
            ("/..", "/"),
            ("a/..", "."),
            ("abc/def/../ghi/./x/", "abc/ghi/x"),
            ("!a/../b", "b"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "clean({input:?})");
        }
    }
}
