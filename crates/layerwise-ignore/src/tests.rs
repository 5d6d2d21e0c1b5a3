use super::*;
use proptest::prelude::*;

/// (dockerignore text, path, excluded?) — behaviour documented by
/// patternmatcher's tests and Docker's `.dockerignore` reference.
const CASES: &[(&str, &str, bool)] = &[
    // `*` and `?` stay inside one path component.
    ("*", "fileutils.go", true),
    ("*.go", "fileutils.go", true),
    ("*.go", "pkg/fileutils.go", false),
    ("*/*.go", "pkg/fileutils.go", true),
    ("a*/b", "abc/b", true),
    ("a*/b", "a/c/b", false),
    ("abc?def", "abcZdef", true),
    ("abc?def", "abcdef", false),
    ("a?b", "a/b", false),
    // A match on a parent directory excludes everything below it.
    ("a*", "ab/c", true),
    ("docs", "docs/sub/README.md", true),
    ("docs/", "docs/README.md", true),
    ("node_modules", "app/node_modules/x.js", false),
    // Regexp metacharacters are literal.
    (".*", ".foo", true),
    (".*", "foo", false),
    ("abc.def", "abcZdef", false),
    ("a(b)c/def", "a(b)c/def", true),
    ("a.|)$(}+{bc", "a.|)$(}+{bc", true),
    (
        "dist/*.whl",
        "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
        true,
    ),
    // `**` at the start, middle and end.
    ("**", "file", true),
    ("**", "dir/file", true),
    ("**/dir", "dir", true),
    ("**/dir", "x/dir/file", true),
    ("**/dir2/*", "dir/dir2/file", true),
    ("**/file", "dir/dir/file", true),
    ("**file", "dir/myfile", true),
    ("**/*.pyc", "a/b/__pycache__/m.pyc", true),
    ("**/*.pyc", "m.pyc", true),
    ("**/**/*.txt2", "dir/dir/file.txt", false),
    ("**/.foo", "bar.foo", false),
    ("a**/*.txt", "a/dir/dir/file.txt", true),
    ("a/**/b", "a/b", true),
    ("a/**/b", "a/x/y/b", true),
    ("a/**/b", "a/x/yb", false),
    ("abc/**", "abc/def/ghi", true),
    ("abc/**", "abc", false),
    ("a/*.txt**", "a/file.txt", true),
    // Character classes; `[!x]` is a class containing `!` and `x`.
    ("a[b-d]e", "ace", true),
    ("a[b-d]e", "aae", false),
    ("a[^b-d]e", "aze", true),
    ("a[^b-d]e", "ace", false),
    ("x[!y]", "x!", true),
    ("x[!y]", "xz", false),
    ("[\\]a]", "]", true),
    // Escapes.
    ("a\\*b", "a*b", true),
    ("a\\*b", "axb", false),
    ("a\\\\", "a\\", true),
    // Leading `/`, `./`, `..` and duplicate slashes are cleaned.
    ("/secret.txt", "secret.txt", true),
    ("./build", "build/x.o", true),
    ("a/../b", "b", true),
    ("a/../b", "a", false),
    ("a//b/", "a/b", true),
    // Anchored at the root.
    ("foo", "a/foo", false),
    // Later patterns win; exceptions re-include.
    ("*.go\n!fileutils.go", "fileutils.go", false),
    ("!fileutils.go\n*.go", "fileutils.go", true),
    ("docs\n!docs/README.md", "docs/README.md", false),
    ("docs\n!docs/README.md", "docs/other.md", true),
    ("docs/*\n!docs/README.md", "docs/README.md", false),
    ("**\n!util/docker/web", "util/docker/web/foo", false),
    (
        "**\n!util/docker/web\nutil/docker/web/foo",
        "util/docker/web/foo",
        true,
    ),
    (
        "*.md\n!README*.md\nREADME-secret.md",
        "README-secret.md",
        true,
    ),
    ("*.md\n!README*.md\nREADME-secret.md", "README.md", false),
    ("!  /keep\n*", "keep", true),
    ("*\n! /keep", "keep", false),
    // Comments only in column 1; blank lines and surrounding space ignored.
    ("# comment\n\n   \nsecret", "secret", true),
    ("#secret", "#secret", false),
    ("  #secret", "#secret", true),
    ("  secret  \r\n", "secret", true),
    ("\u{feff}secret", "secret", true),
    // `.` is never excluded.
    ("*", ".", false),
];

#[test]
fn documented_behaviour_table() {
    assert!(CASES.len() >= 40);
    for &(text, path, want) in CASES {
        let ignore = DockerIgnore::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(
            ignore.is_excluded(path),
            want,
            "patterns {text:?} path {path:?}"
        );
    }
}

#[test]
fn reading_rules_match_buildkit() {
    let text =
        "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n";
    let ignore = DockerIgnore::parse(text).expect("valid");
    let pats: Vec<(usize, &str)> = ignore
        .lines()
        .iter()
        .map(|l| (l.line, l.pattern.as_str()))
        .collect();
    assert_eq!(
        pats,
        [
            (1, "test1"),
            (2, "test2"),
            (3, "a/file/here"),
            (5, "lastfile"),
            (7, "!inverted/abs/path")
        ]
    );
}

#[test]
fn errors_name_line_and_column() {
    let err = DockerIgnore::parse("ok\n\n  src/[a-\n").expect_err("bad class");
    assert_eq!((err.line, err.column), (3, 7));
    assert!(matches!(err.kind, PatternErrorKind::Glob(_)));

    let err = DockerIgnore::parse("a\n!\n").expect_err("lone !");
    assert_eq!((err.line, err.kind), (2, PatternErrorKind::LoneExclamation));

    let err = DockerIgnore::parse("! \n").expect_err("lone ! with space");
    assert_eq!(err.line, 1);

    let err = DockerIgnore::parse("x\\").expect_err("trailing backslash");
    assert_eq!((err.line, err.column), (1, 2));

    let err = DockerIgnore::parse("[z-a]").expect_err("reversed range");
    assert_eq!(
        err.kind,
        PatternErrorKind::Glob(GlobErrorKind::ReversedRange)
    );
}

#[test]
fn skipping_directories() {
    let ig = DockerIgnore::parse("node_modules\n.git\n").expect("valid");
    assert!(ig.can_skip_dir("node_modules"));
    assert!(ig.can_skip_dir(".git"));
    assert!(!ig.can_skip_dir("src"));

    // An exception below the excluded directory forces a walk of its path only.
    let ig = DockerIgnore::parse("build\n!build/keep/me.txt\n").expect("valid");
    assert!(!ig.can_skip_dir("build"));
    assert!(!ig.can_skip_dir("build/keep"));
    assert!(ig.can_skip_dir("build/other"));
    assert!(!ig.is_excluded("build/keep/me.txt"));
    assert!(ig.is_excluded("build/keep/other.txt"));

    // A wildcard exception anywhere keeps every excluded directory open.
    let ig = DockerIgnore::parse("*\n!**/*.py\n").expect("valid");
    assert!(!ig.can_skip_dir("deep"));
    assert!(!ig.is_excluded("deep/er/x.py"));

    // An exception with a literal prefix only keeps matching directories open.
    let ig = DockerIgnore::parse("*\n!src/*.py\n").expect("valid");
    assert!(!ig.can_skip_dir("src"));
    assert!(ig.can_skip_dir("tests"));
}

#[test]
fn keep_forces_inclusion() {
    let mut ig = DockerIgnore::parse("*\n").expect("valid");
    assert!(ig.is_excluded("Dockerfile"));
    ig.keep("Dockerfile");
    ig.keep("dir/we[ird].dockerignore");
    assert!(!ig.is_excluded("Dockerfile"));
    assert!(!ig.is_excluded("dir/we[ird].dockerignore"));
    assert!(ig.is_excluded("dir/weird.dockerignore"));
}

#[test]
fn pattern_list_include_semantics() {
    // Include patterns as BuildKit derives them from COPY sources.
    let inc = PatternList::new(["requirements.txt", "src", "conf/*.toml"]).expect("valid");
    assert!(inc.matches("src/app/main.py"));
    assert!(inc.matches("conf/a.toml"));
    assert!(!inc.matches("conf/a.yaml"));
    assert!(!inc.matches("tests/test_x.py"));
    assert!(inc.may_match_below("conf"));
    assert!(!inc.may_match_below("tests"));
    assert!(!inc.may_match_below("srcx"));
    let err = PatternList::new(["ok", "bad["]).expect_err("bad");
    assert_eq!((err.index, err.column), (1, 4));
}

#[test]
fn locate_prefers_dockerfile_specific_file() {
    let dir = std::env::temp_dir().join(format!("lw-ignore-locate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("docker")).expect("mkdir");
    let dockerfile = dir.join("docker/app.Dockerfile");
    std::fs::write(&dockerfile, "FROM scratch\n").expect("write");
    assert_eq!(locate(&dir, &dockerfile), None);
    std::fs::write(dir.join(".dockerignore"), "x\n").expect("write");
    assert_eq!(locate(&dir, &dockerfile), Some(dir.join(".dockerignore")));
    let specific = dir.join("docker/app.Dockerfile.dockerignore");
    std::fs::write(&specific, "y\n").expect("write");
    assert_eq!(locate(&dir, &dockerfile), Some(specific.clone()));
    let (path, ig) = DockerIgnore::load(&dir, &dockerfile)
        .expect("load")
        .expect("present");
    assert_eq!(path, specific);
    assert!(ig.is_excluded("y"));
    std::fs::write(&specific, "ok\n[\n").expect("write");
    let err = DockerIgnore::load(&dir, &dockerfile).expect_err("syntax");
    assert!(err.to_string().contains(":2:1:"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

proptest! {
    #[test]
    fn never_panics(text in "\\PC{0,40}(\n\\PC{0,20}){0,4}", path in "[a-z/.*?\\[\\]!\\\\ ]{0,30}") {
        if let Ok(ig) = DockerIgnore::parse(&text) {
            let _ = ig.is_excluded(&path);
            let _ = ig.can_skip_dir(&path);
        }
        let _ = glob_match(&text, &path);
        let _ = PatternList::new(text.lines()).map(|l| l.matches(&path));
    }

    #[test]
    fn skip_is_sound(
        pats in proptest::collection::vec("!?[ab*]{1,3}(/[ab*]{1,3}){0,2}", 1..5),
        path in "[ab]{1,2}(/[ab]{1,2}){1,3}",
    ) {
        // If a directory may be skipped, nothing below it may be included.
        let ig = DockerIgnore::parse(&pats.join("\n")).expect("generated patterns are valid");
        let mut dir = String::new();
        for comp in path.split('/') {
            if !dir.is_empty() {
                dir.push('/');
            }
            dir.push_str(comp);
            if dir.len() < path.len() && ig.can_skip_dir(&dir) {
                prop_assert!(ig.is_excluded(&path), "skipped {dir} but {path} is kept by {pats:?}");
            }
        }
    }
}
