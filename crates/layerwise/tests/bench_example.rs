//! `layerwise bench` end to end: a one-run `--init` bench of
//! examples/flask-requirements on the real engine, and the input errors that
//! need no engine.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use layerwise_engine::testing::engine_available_or_skip;

mod common;
use common::{layerwise, text};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

/// Every file under `dir` with its contents, to prove the tree is untouched.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// Which of `tags` still exist on the engine.
fn surviving(tags: &[String]) -> Vec<String> {
    common::block_on(async {
        let engine = layerwise_engine::Engine::connect().await.unwrap();
        let mut left = Vec::new();
        for tag in tags {
            if engine.image_exists(tag).await.unwrap() {
                left.push(tag.clone());
            }
        }
        left
    })
}

#[test]
fn input_errors_need_no_engine() {
    let out = layerwise(&["bench", "/nonexistent/project"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let dir = example("flask-requirements");
    let dir = dir.to_str().unwrap();
    let out = layerwise(&["bench", dir, "--bandwidth", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = layerwise(&["bench", dir, "--init", "--baseline", "Dockerfile.naive"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = layerwise(&["bench", dir, "--runs", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let empty = tempfile::tempdir().unwrap();
    let out = layerwise(&["bench", empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("no Dockerfile"), "{}", text(&out));
}

#[test]
fn one_run_init_bench_of_the_flask_example() {
    if !engine_available_or_skip() {
        return;
    }
    let dir = example("flask-requirements");
    let before = snapshot(&dir);
    let out_dir = tempfile::tempdir().unwrap();
    let json = out_dir.path().join("bench.json");
    let html = out_dir.path().join("bench.html");
    let markdown = out_dir.path().join("bench.md");
    let out = layerwise(&[
        "bench",
        dir.to_str().unwrap(),
        "--runs",
        "1",
        "--init",
        "--bandwidth",
        "20",
        "--json",
        json.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
        "--markdown",
        markdown.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(snapshot(&dir), before, "the project tree was modified");

    let md = std::fs::read_to_string(&markdown).unwrap();
    assert!(md.contains("| Scenario | Before | After | Ratio |"), "{md}");
    assert!(md.contains("Code edit (`app.py`)"), "{md}");
    assert!(md.contains("six==1.16.0 in requirements.txt"), "{md}");
    assert!(md.contains("Start-up: `import app` in the image"), "{md}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), md);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && page.contains("class=\"bar\""));

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["runs"], 1);
    let tags: Vec<String> = report["temporary_images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    assert_eq!(tags.len(), 10, "{tags:?}");
    assert_eq!(surviving(&tags), Vec::<String>::new(), "bench left images");
    let variants = report["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 2);
    for variant in variants {
        let kinds: Vec<_> = variant["scenarios"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["kind"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            kinds,
            [
                "cold-empty-cache",
                "cold-warm-cache",
                "no-change",
                "code-edit",
                "dependency-edit"
            ]
        );
        for scenario in variant["scenarios"].as_array().unwrap() {
            assert!(scenario["skipped"].is_null(), "{scenario}");
            assert_eq!(scenario["runs"].as_array().unwrap().len(), 1);
            assert!(scenario["seconds"]["median"].as_f64().unwrap() > 0.0);
        }
        assert!(variant["image"]["size_bytes"].as_u64().unwrap() > 0);
        assert!(variant["image"]["layers"].as_u64().unwrap() > 0);
        // The Flask app imports in a new container of either image.
        let import = variant["image"]["import_seconds"].as_f64();
        assert!(
            import.is_some_and(|s| s > 0.0 && s < 30.0),
            "{}",
            variant["image"]
        );
        // Where a cold build's time went: one figure per step that ran.
        let cold = &variant["scenarios"][0]["runs"][0];
        assert_eq!(
            cold["breakdown"]["step_seconds"].as_array().map(Vec::len),
            cold["steps_ran"].as_array().map(Vec::len),
            "{cold}"
        );
        // A no-change rebuild runs nothing.
        let no_change = &variant["scenarios"][2]["runs"][0];
        assert_eq!(no_change["steps_ran"], serde_json::json!([]), "{no_change}");
    }
    let steps = |variant: &serde_json::Value, scenario: usize, key: &str| -> Vec<String> {
        variant["scenarios"][scenario]["runs"][0][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let installs = |s: &String| s.contains("pip install") || s.contains("uv pip");
    // The optimized Dockerfile re-runs only the code layers on a code edit:
    // the install is answered from the cache, a COPY of the code ran.
    let after = &variants[1];
    let ran = steps(after, 3, "steps_ran");
    assert!(!ran.is_empty(), "nothing ran after the code edit");
    assert!(!ran.iter().any(installs), "install re-ran: {ran:?}");
    assert!(ran.iter().any(|s| s.contains("COPY")), "{ran:?}");
    assert!(steps(after, 3, "steps_cached").iter().any(installs));
    // The naive Dockerfile reinstalls everything on the same edit.
    let before_ran = steps(&variants[0], 3, "steps_ran");
    assert!(before_ran.iter().any(installs), "{before_ran:?}");
    // The dependency edit fetched the added package on both.
    for variant in variants {
        let packages = &variant["scenarios"][4]["runs"][0]["downloads"]["packages"];
        let names: Vec<_> = packages
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"six"), "{packages}");
    }
    // Where this machine has a physical network adapter, what each build
    // received over it is counted: the naive cold build's pip downloads all
    // arrived that way, with TLS and index pages on top of their sizes.
    let physical_adapter = layerwise_bench::network::Adapters::of_this_machine().is_some();
    if physical_adapter {
        let cold = &variants[0]["scenarios"][0]["runs"][0];
        let printed = cold["downloads"]["bytes"].as_u64().unwrap();
        let received = cold["received_bytes"].as_u64().unwrap();
        assert!(printed > 0 && received >= printed, "{cold}");
        assert!(
            md.contains("| Received over the network on dependency edit |"),
            "{md}"
        );
        // The warm cold build re-runs the install over the cache mount the
        // empty one filled, so it fetches less (`--no-cache` would have
        // emptied the mount).
        let received = |scenario: usize| {
            variants[1]["scenarios"][scenario]["runs"][0]["received_bytes"]
                .as_u64()
                .unwrap()
        };
        // Flask's wheels are about half of what its cold build receives; the
        // index pages are the rest.
        assert!(
            received(1) * 4 < received(0) * 3,
            "warm {} B, empty {} B",
            received(1),
            received(0)
        );
    }
    let warm_ran = steps(after, 1, "steps_ran");
    assert!(warm_ran.iter().any(installs), "{warm_ran:?}");
}
