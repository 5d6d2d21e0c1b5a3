//! `analyze` and `invocations` must survive any input.

use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_strings(s in "\\PC*") {
        let script = layerwise_shell::analyze(&s);
        let _ = layerwise_shell::invocations(&script);
        for c in &script.commands {
            prop_assert!(s.get(c.span.clone()).is_some());
        }
    }

    #[test]
    fn shell_like_strings(s in "[a-z $'\"`\\\\(){}|&;<>=*?\\[\\]#~\n-]{0,60}") {
        let script = layerwise_shell::analyze(&s);
        let _ = layerwise_shell::invocations(&script);
        for c in &script.commands {
            prop_assert!(s.get(c.span.clone()).is_some());
            for w in &c.argv {
                prop_assert!(s.get(w.span.clone()).is_some());
            }
        }
    }

    #[test]
    fn tool_lines(tool in prop::sample::select(vec![
            "pip install", "uv pip install", "uv sync", "poetry install", "apt-get install",
            "apk add", "useradd", "sudo", "curl", "wget", "rm -rf", "cd", "python -m venv",
            "export", "sh -c", "adduser", "pdm sync", "pipenv install", "env", "gosu"]),
        rest in "[a-z0-9 ='\"$/.:@_-]{0,40}") {
        let line = format!("{tool} {rest}");
        let script = layerwise_shell::analyze(&line);
        let _ = layerwise_shell::invocations(&script);
        let exec: Vec<&str> = line.split(' ').collect();
        let _ = layerwise_shell::invocations(&layerwise_shell::analyze_exec(&exec));
    }
}
