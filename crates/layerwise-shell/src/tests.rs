use super::*;

fn argv(c: &SimpleCommand) -> Vec<&str> {
    c.argv.iter().map(|w| w.text.as_str()).collect()
}

/// Every span must slice the input at character boundaries, and every
/// fully literal word without quotes must slice to its own text.
fn check_spans(src: &str, script: &Script) {
    for c in &script.commands {
        assert!(
            src.get(c.span.clone()).is_some(),
            "bad command span {:?}",
            c.span
        );
        for w in &c.argv {
            let raw = src.get(w.span.clone());
            assert!(raw.is_some(), "bad word span {:?} in {src:?}", w.span);
            if w.literal && !raw.is_some_and(|r| r.contains(['\'', '"', '\\'])) {
                assert_eq!(raw, Some(w.text.as_str()));
            }
        }
    }
}

#[test]
fn and_chain_with_spans() {
    let s = "set -eux; apt-get update && apt-get install -y curl || echo failed";
    let script = analyze(s);
    assert_eq!(script.parse_error, None);
    check_spans(s, &script);
    let c = &script.commands;
    assert_eq!(c.len(), 4);
    assert_eq!(argv(&c[0]), ["set", "-eux"]);
    assert_eq!(c[0].connector, Connector::First);
    assert_eq!(c[1].connector, Connector::Sequence);
    assert_eq!(c[2].connector, Connector::And);
    assert_eq!(c[3].connector, Connector::Or);
    assert!(!c[2].conditional);
    assert!(c[3].conditional);
    assert_eq!(&s[c[2].span.clone()], "apt-get install -y curl");
    assert_eq!(&s[c[2].argv[3].span.clone()], "curl");
}

#[test]
fn quoting_and_literals() {
    let s = r#"pip install "flask>=3" 'a b' c\ d $X "${Y}z" *.whl"#;
    let script = analyze(s);
    check_spans(s, &script);
    let w = &script.commands[0].argv;
    assert_eq!(w[2].text, "flask>=3");
    assert!(w[2].literal);
    assert_eq!(&s[w[2].span.clone()], "\"flask>=3\"");
    assert_eq!(w[3].text, "a b");
    assert_eq!(w[4].text, "c d");
    assert!(!w[5].literal);
    assert_eq!(w[6].text, "${Y}z");
    assert!(!w[6].literal);
    assert!(!w[7].literal);
}

#[test]
fn non_ascii_offsets_are_bytes() {
    let s = "echo 'héllo wörld' && pip install x";
    let script = analyze(s);
    check_spans(s, &script);
    let pip = &script.commands[1];
    assert_eq!(&s[pip.argv[2].span.clone()], "x");
    assert_eq!(&s[pip.span.clone()], "pip install x");
}

#[test]
fn if_then_else_and_loops() {
    let s = "if [ -f poetry.lock ]; then poetry install; elif true; then pip install .; \
             else pip install -r req.txt; fi; for p in a b; do pip install $p; done; \
             while false; do sleep 1; done; case $X in a) apt-get update;; esac; \
             f() { pip install y; }";
    let script = analyze(s);
    assert_eq!(script.parse_error, None);
    check_spans(s, &script);
    let by_prog = |name: &str| -> Vec<&SimpleCommand> {
        script
            .commands
            .iter()
            .filter(|c| c.argv.first().is_some_and(|w| w.text == name))
            .collect()
    };
    assert!(!by_prog("[")[0].conditional);
    assert!(by_prog("poetry")[0].conditional);
    assert_eq!(by_prog("poetry")[0].connector, Connector::First);
    let pips = by_prog("pip");
    assert_eq!(pips.len(), 4);
    assert!(pips[0].conditional && pips[1].conditional);
    assert!(!pips[2].conditional, "for bodies run");
    assert!(pips[3].conditional, "function bodies run only when called");
    assert!(by_prog("sleep")[0].conditional);
    assert!(by_prog("apt-get")[0].conditional);
}

#[test]
fn pipes_and_background() {
    let s = "curl -sSL https://x | sh -s -- -y & wait";
    let script = analyze(s);
    let c = &script.commands;
    assert_eq!(c.len(), 3);
    assert_eq!(c[0].pipeline, c[1].pipeline);
    assert_ne!(c[1].pipeline, c[2].pipeline);
    assert_eq!(c[1].connector, Connector::Pipe);
    assert_eq!(c[2].connector, Connector::Background);
}

#[test]
fn shell_wrapper_single_quoted() {
    let s = "sh -c 'pip install --no-cache-dir -r req.txt && cd /app'";
    let script = analyze(s);
    check_spans(s, &script);
    let c = &script.commands;
    assert_eq!(c.len(), 3);
    assert_eq!(c[1].origin, Origin::ShellWrapper(0));
    assert_eq!(argv(&c[1])[..2], ["pip", "install"]);
    assert_eq!(&s[c[1].argv[2].span.clone()], "--no-cache-dir");
    assert_eq!(
        &s[c[1].span.clone()],
        "pip install --no-cache-dir -r req.txt"
    );
    assert_eq!(&s[c[2].argv[1].span.clone()], "/app");
    assert_eq!(c[2].connector, Connector::And);
}

#[test]
fn shell_wrapper_double_quoted_with_escapes() {
    let s = r#"bash -lc "pip install \"x==1\" $EXTRA""#;
    let script = analyze(s);
    let c = &script.commands;
    assert_eq!(c.len(), 2, "{c:?}");
    assert_eq!(c[1].origin, Origin::ShellWrapper(0));
    assert_eq!(c[1].argv[2].text, "x==1");
    assert_eq!(&s[c[1].argv[2].span.clone()], r#"\"x==1\""#);
    assert_eq!(&s[c[1].argv[3].span.clone()], "$EXTRA");
    assert!(!c[1].argv[3].literal);
}

#[test]
fn nested_wrappers_and_options() {
    let s = r#"sh -ec "bash -c 'apt-get update'""#;
    let script = analyze(s);
    let c = &script.commands;
    assert_eq!(c.len(), 3, "{c:?}");
    assert_eq!(c[2].origin, Origin::ShellWrapper(1));
    assert_eq!(&s[c[2].span.clone()], "apt-get update");
    // Not wrappers: a script file, and an option that is not -c.
    assert_eq!(analyze("sh install.sh").commands.len(), 1);
    assert_eq!(analyze("bash -x run.sh -c x").commands.len(), 1);
    assert_eq!(analyze("bash -o pipefail -c 'true'").commands.len(), 2);
}

#[test]
fn command_substitution_is_analysed() {
    let s = "pip install $(cat requirements.txt | grep -v dev) && export V=`python -V`";
    let script = analyze(s);
    check_spans(s, &script);
    let c = &script.commands;
    let progs: Vec<&str> = c.iter().filter_map(|c| c.program()).collect();
    assert_eq!(progs, ["pip", "cat", "grep", "export", "python"]);
    assert_eq!(c[1].origin, Origin::Substitution(0));
    assert!(c[1].in_subshell);
    assert_eq!(c[1].pipeline, c[2].pipeline);
    assert_eq!(&s[c[1].span.clone()], "cat requirements.txt");
    assert_eq!(c[4].origin, Origin::Substitution(3));
    assert_eq!(&s[c[4].argv[1].span.clone()], "-V");
}

#[test]
fn assignments_and_redirects() {
    let s = "A=1 B=\"x y\" pip install z > /dev/null 2>&1; C=2";
    let script = analyze(s);
    let c = &script.commands;
    assert_eq!(c[0].env_prefix.len(), 2);
    assert_eq!(c[0].env_prefix[1].name, "B");
    assert_eq!(c[0].env_prefix[1].value.text, "x y");
    assert_eq!(&s[c[0].env_prefix[1].value.span.clone()], "\"x y\"");
    assert_eq!(&s[c[0].env_prefix[1].span.clone()], "B=\"x y\"");
    assert_eq!(argv(&c[0]), ["pip", "install", "z"]);
    assert_eq!(c[0].redirects.len(), 2);
    assert_eq!(c[0].redirects[0].kind, RedirectKind::Write);
    assert_eq!(
        c[0].redirects[0].target.as_ref().map(|t| t.text.as_str()),
        Some("/dev/null")
    );
    assert_eq!(c[0].redirects[1].fd, Some(2));
    assert!(c[1].argv.is_empty());
    assert_eq!(c[1].env_prefix[0].name, "C");
}

#[test]
fn exec_form() {
    let script = analyze_exec(&["pip", "install", "--no-cache-dir", "x y"]);
    let c = &script.commands;
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].argv[3].text, "x y");
    assert!(c[0].argv[3].literal);
    let joined = "pip install --no-cache-dir x y";
    assert_eq!(&joined[c[0].argv[2].span.clone()], "--no-cache-dir");

    let argv = ["/bin/sh", "-c", "apt-get update && pip install $P"];
    let script = analyze_exec(&argv);
    let joined = argv.join(" ");
    let c = &script.commands;
    assert_eq!(c.len(), 3);
    assert_eq!(c[2].origin, Origin::ShellWrapper(0));
    assert_eq!(&joined[c[2].argv[2].span.clone()], "$P");
    assert!(!c[2].argv[2].literal);
    assert!(analyze_exec(&[]).commands.is_empty());
}

#[test]
fn parse_errors_are_reported() {
    for s in [
        "if true; then echo",
        "echo 'unterminated",
        "a && && b",
        "((",
    ] {
        let script = analyze(s);
        assert!(script.parse_error.is_some(), "{s:?} should not parse");
        assert!(script.commands.is_empty());
    }
    let e = analyze("echo )").parse_error;
    assert!(e.is_some_and(|e| e.offset.is_some()));
}

#[test]
fn deep_nesting_is_refused_not_crashed() {
    let s = "(".repeat(5000);
    assert!(analyze(&s).parse_error.is_some());
    let s = format!("{}echo{}", "$(".repeat(50), ")".repeat(50));
    let _ = analyze(&s);
}

#[test]
fn empty_and_comment_only() {
    assert_eq!(analyze("").commands.len(), 0);
    assert_eq!(analyze("   # just a comment").commands.len(), 0);
    assert_eq!(analyze("").parse_error, None);
}

#[test]
fn realistic_joined_run_line() {
    // As handed over by the Dockerfile parser: continuations joined, the
    // indentation tabs of the following lines kept.
    let s = "set -eux; \tpython -m venv /opt/venv \t&& . /opt/venv/bin/activate \
             \t&& PIP_NO_CACHE_DIR=1 pip install -r requirements.txt \
             \t&& if [ \"$APP_ENV\" = dev ]; then pip install -r dev.txt; fi \
             \t&& useradd --create-home --uid 10001 app";
    let script = analyze(s);
    assert_eq!(script.parse_error, None);
    check_spans(s, &script);
    let kinds: Vec<&str> = invocations(&script)
        .iter()
        .map(|i| match &i.tool {
            ToolInvocation::VenvCreate(_) => "venv",
            ToolInvocation::Pip(_) => "pip",
            ToolInvocation::UserAdd(_) => "user",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["venv", "pip", "pip", "user"]);
    let inv = invocations(&script);
    let first_pip = &script.commands[inv[1].command];
    assert!(!first_pip.conditional);
    assert_eq!(first_pip.connector, Connector::And);
    assert!(script.commands[inv[2].command].conditional);
    let ToolInvocation::Pip(p) = &inv[2].tool else {
        panic!("expected pip");
    };
    assert_eq!(&s[p.requirement_files[0].span.clone()], "dev.txt");
}
