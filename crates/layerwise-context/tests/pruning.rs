//! The walker prunes directories; pruning must never change the result.
//! Compare it with a brute-force filter over a full walk on random trees,
//! random `.dockerignore` rules and random COPY sources.

use layerwise_context::{WalkOptions, walk};
use layerwise_ignore::{DockerIgnore, PatternList};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// Paths of every parent directory of `path`.
fn parents(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

fn build_tree(files: &[String]) -> Option<tempfile::TempDir> {
    let t = tempfile::tempdir().ok()?;
    for f in files {
        let p = t.path().join(f);
        let parent = p.parent()?;
        std::fs::create_dir_all(parent).ok()?;
        // A name may already exist as a directory; skip those collisions.
        if !p.is_dir() {
            std::fs::write(&p, f.as_bytes()).ok()?;
        }
    }
    Some(t)
}

fn component() -> impl Strategy<Value = String> {
    prop_oneof![Just("a"), Just("b"), Just("ab"), Just("c.py"), Just("d.md")]
        .prop_map(str::to_string)
}

fn rel_path() -> impl Strategy<Value = String> {
    proptest::collection::vec(component(), 1..4).prop_map(|v| v.join("/"))
}

fn pattern() -> impl Strategy<Value = String> {
    let comp = prop_oneof![
        Just("a"),
        Just("b"),
        Just("*"),
        Just("**"),
        Just("*.py"),
        Just("a*"),
        Just("?"),
        Just("[ab]")
    ];
    (any::<bool>(), proptest::collection::vec(comp, 1..4))
        .prop_map(|(neg, v)| format!("{}{}", if neg { "!" } else { "" }, v.join("/")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn pruned_walk_equals_brute_force(
        files in proptest::collection::vec(rel_path(), 1..12),
        rules in proptest::collection::vec(pattern(), 0..5),
        sources in proptest::option::of(proptest::collection::vec(rel_path(), 1..3)),
    ) {
        let Some(tree) = build_tree(&files) else {
            return Ok(());
        };
        let ignore = DockerIgnore::parse(&rules.join("\n")).expect("generated rules are valid");
        let full = walk(tree.path(), &WalkOptions::default()).expect("full walk");
        let include = sources
            .as_ref()
            .map(|s| PatternList::new(s).expect("generated sources are valid"));

        // Selected entries plus all their parents, in full-walk order.
        let mut keep: BTreeSet<&str> = BTreeSet::new();
        for e in &full.entries {
            let included = include.as_ref().is_none_or(|inc| inc.matches(&e.path));
            if included && !ignore.is_excluded(&e.path) {
                keep.insert(&e.path);
                keep.extend(parents(&e.path));
            }
        }
        let expected: Vec<&str> = full
            .entries
            .iter()
            .map(|e| e.path.as_str())
            .filter(|p| keep.contains(p))
            .collect();

        let opts = WalkOptions {
            ignore: Some(ignore.clone()),
            sources: sources.clone(),
            ..WalkOptions::default()
        };
        let pruned = walk(tree.path(), &opts).expect("pruned walk");
        let got: Vec<&str> = pruned.entries.iter().map(|e| e.path.as_str()).collect();
        prop_assert_eq!(got, expected, "rules {:?} sources {:?}", rules, sources);
        prop_assert!(pruned.dirs_read <= full.dirs_read);
    }
}
