//! Full JSON snapshots of what `detect` reports for two examples: the
//! summary `init` prints is built from exactly this.

use std::path::PathBuf;

fn detect_json(name: &str) -> serde_json::Value {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    let project = layerwise_python::detect(&dir).unwrap_or_else(|err| panic!("{name}: {err}"));
    serde_json::to_value(project).expect("serialize")
}

#[test]
fn django_postgres_snapshot() {
    insta::assert_json_snapshot!(detect_json("django-postgres"));
}

#[test]
fn src_layout_cli_snapshot() {
    insta::assert_json_snapshot!(detect_json("src-layout-cli"));
}
