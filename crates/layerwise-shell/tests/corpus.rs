//! Runs the analyser over every shell-form `RUN` of the binnacle-gold
//! corpus: it must never panic, and nearly all lines must parse.

/// Shell-form `RUN` scripts of one Dockerfile, continuations joined the way
/// BuildKit does (backslash-newline removed, comment lines inside a
/// continuation dropped). Exec form and heredocs are skipped.
fn run_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Windows images switch to a non-POSIX shell with `SHELL [...]` or the
    // backtick escape directive; their RUN lines are not sh scripts.
    if text
        .lines()
        .take(5)
        .any(|l| l.to_ascii_lowercase().replace(' ', "") == "#escape=`")
    {
        return out;
    }
    let mut foreign_shell = false;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let lower = trimmed.to_ascii_lowercase();
        if lower.starts_with("from ") {
            foreign_shell = false;
        }
        if lower.starts_with("shell ") {
            foreign_shell = ["powershell", "pwsh", "cmd"]
                .iter()
                .any(|s| lower.contains(s));
        }
        if foreign_shell {
            continue;
        }
        let Some(keyword) = trimmed.get(..3) else {
            continue;
        };
        if !keyword.eq_ignore_ascii_case("run")
            || !trimmed[3..].starts_with(|c: char| c.is_whitespace())
        {
            continue;
        }
        let mut script = String::new();
        let mut current = trimmed[3..].to_string();
        loop {
            let body = current.trim_end();
            if let Some(stripped) = body.strip_suffix('\\') {
                script.push_str(stripped);
                // Find the next line that is not a comment or empty.
                let mut next = None;
                for l in lines.by_ref() {
                    let t = l.trim_start();
                    if t.starts_with('#') || t.is_empty() {
                        continue;
                    }
                    next = Some(l.to_string());
                    break;
                }
                match next {
                    Some(l) => current = l,
                    None => break,
                }
            } else {
                script.push_str(body);
                break;
            }
        }
        let mut s = script.trim_start();
        // Strip `--mount=…`, `--network=…`, `--security=…` flags.
        while s.starts_with("--") {
            s = s
                .find(char::is_whitespace)
                .map_or("", |k| s[k..].trim_start());
        }
        if s.starts_with('[') || s.contains("<<") {
            continue;
        }
        out.push(s.to_string());
    }
    out
}

#[test]
fn corpus_run_lines_parse() {
    let Some(files) = layerwise_syntax::testing::binnacle_gold_files() else {
        return;
    };
    let mut total = 0usize;
    let mut failures = Vec::new();
    let mut invocation_count = 0usize;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for line in run_lines(&text) {
            total += 1;
            let script = layerwise_shell::analyze(&line);
            invocation_count += layerwise_shell::invocations(&script).len();
            for c in &script.commands {
                assert!(line.get(c.span.clone()).is_some(), "bad span in {line:?}");
                for w in &c.argv {
                    assert!(line.get(w.span.clone()).is_some(), "bad span in {line:?}");
                }
            }
            if let Some(e) = script.parse_error {
                failures.push(format!(
                    "{}: {e}\n    {line}",
                    path.file_name()
                        .map_or_else(String::new, |f| f.to_string_lossy().into_owned())
                ));
            }
        }
    }
    for f in &failures {
        println!("{f}");
    }
    println!(
        "{} RUN lines, {} failed to parse, {} tool invocations",
        total,
        failures.len(),
        invocation_count
    );
    assert!(total > 1000, "expected many RUN lines, found {total}");
    let ok = total - failures.len();
    assert!(ok * 100 >= total * 95, "only {ok} of {total} parsed");
}
