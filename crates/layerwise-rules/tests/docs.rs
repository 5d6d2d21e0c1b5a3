//! `docs/rules.md` is generated from the rules; this test keeps it in sync.
//! Run with `UPDATE_DOCS=1` to regenerate it.

use std::path::Path;

#[test]
fn rules_doc_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let expected = layerwise_rules::docs::rules_markdown() + "\n";
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/rules.md is out of date; regenerate it with `UPDATE_DOCS=1 cargo test -p layerwise-rules --test docs`"
    );
}
