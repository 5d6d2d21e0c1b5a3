//! Shell completions and man pages generated from the clap definitions, loaded
//! the way users load them: bash sources the script, `man` renders the page.

mod common;

use std::process::Command;

use common::{layerwise, text};

/// The words bash's completion function offers for `COMP_WORDS`, completing
/// the last word.
fn bash_complete(words: &[&str]) -> Vec<String> {
    let script = layerwise(&["completions", "bash"]);
    assert_eq!(script.status.code(), Some(0), "{}", text(&script));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("layerwise.bash");
    std::fs::write(&path, &script.stdout).expect("write script");
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}' || exit 9\n\
         COMP_WORDS=({})\n\
         COMP_CWORD={}\n\
         COMP_LINE=\"${{COMP_WORDS[*]}}\"\n\
         COMP_POINT=${{#COMP_LINE}}\n\
         _layerwise layerwise \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display(),
        quoted.join(" "),
        words.len() - 1
    );
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_a_subcommand_from_its_prefix() {
    let offered = bash_complete(&["layerwise", "ch"]);
    assert_eq!(offered, vec!["check".to_string()], "offered: {offered:?}");
}

#[test]
fn bash_completes_an_option_of_check() {
    let offered = bash_complete(&["layerwise", "check", "--for"]);
    assert!(
        offered.contains(&"--format".to_string()),
        "offered: {offered:?}"
    );
}

#[test]
fn every_shell_gets_a_script_naming_layerwise() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = layerwise(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", text(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("layerwise"),
            "{shell}: {}",
            text(&out)
        );
    }
    let unknown = layerwise(&["completions", "tcsh"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
}

#[test]
fn man_page_documents_the_subcommands() {
    let out = layerwise(&["man"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.starts_with(".ie"), "not roff: {page}");
    assert!(page.contains(".TH layerwise 1"), "{page}");
    for sub in ["check", "fix", "init", "build", "completions"] {
        assert!(page.contains(sub), "{sub} missing: {page}");
    }
}

#[test]
fn man_out_dir_writes_one_page_per_subcommand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = layerwise(&["man", "--out-dir", dir.path().to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    for page in ["layerwise.1", "layerwise-check.1", "layerwise-fix.1"] {
        let body = std::fs::read_to_string(dir.path().join(page)).expect(page);
        assert!(body.contains(".SH OPTIONS"), "{page}: {body}");
    }
    let check = std::fs::read_to_string(dir.path().join("layerwise-check.1")).expect("check");
    assert!(check.contains("format"), "{check}");
    let missing = layerwise(&["man", "--out-dir", "/nonexistent/layerwise-man"]);
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
    assert!(text(&missing).contains("/nonexistent/layerwise-man: not a directory"));
}
