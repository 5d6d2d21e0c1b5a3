//! Walker selection, tar determinism, hash invariances and the stat cache,
//! all on real temporary directories.

use layerwise_context::*;
use layerwise_ignore::DockerIgnore;
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::time::{Duration, SystemTime};

fn write(root: &Path, rel: &str, content: &str) {
    let p = root.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(p, content).expect("write");
}

/// A small Python project with the usual clutter.
fn project(root: &Path) {
    write(root, "Dockerfile", "FROM python:3.12-slim\n");
    write(root, ".dockerignore", "");
    write(root, "pyproject.toml", "[project]\nname='app'\n");
    write(root, "requirements.txt", "flask==3.0\n");
    write(root, "src/app/__init__.py", "");
    write(root, "src/app/main.py", "print('hi')\n");
    write(root, "src/app/__pycache__/main.cpython-312.pyc", "bytecode");
    write(root, "tests/test_main.py", "def test(): pass\n");
    write(root, ".git/HEAD", "ref: refs/heads/main\n");
    write(root, ".git/objects/aa/bb", "blob");
    write(
        root,
        "node_modules/left-pad/index.js",
        "module.exports = 1\n",
    );
    write(root, "build/keep/me.txt", "kept\n");
    write(root, "build/drop.txt", "dropped\n");
    write(root, "docs/README.md", "# docs\n");
}

fn paths(w: &Walk) -> Vec<&str> {
    w.entries.iter().map(|e| e.path.as_str()).collect()
}

fn ignore(text: &str) -> DockerIgnore {
    DockerIgnore::parse(text).expect("valid .dockerignore")
}

#[test]
fn walks_everything_sorted_depth_first() {
    let t = tempfile::tempdir().expect("tempdir");
    write(t.path(), "a/b", "1");
    write(t.path(), "a.txt", "2");
    write(t.path(), "a-b", "3");
    let w = walk(t.path(), &WalkOptions::default()).expect("walk");
    // A directory comes right before its contents, names in byte order.
    assert_eq!(paths(&w), ["a", "a/b", "a-b", "a.txt"]);
    assert!(w.warnings.is_empty());
}

#[test]
fn ignore_with_exceptions_and_pruning() {
    let t = tempfile::tempdir().expect("tempdir");
    project(t.path());
    let opts = WalkOptions {
        ignore: Some(ignore(
            ".git\nnode_modules\n**/__pycache__\nbuild\n!build/keep/me.txt\n*.md\n!README*.md\n",
        )),
        ..WalkOptions::default()
    };
    let w = walk(t.path(), &opts).expect("walk");
    assert_eq!(
        paths(&w),
        [
            ".dockerignore",
            "Dockerfile",
            "build",
            "build/keep",
            "build/keep/me.txt",
            "docs",
            "docs/README.md",
            "pyproject.toml",
            "requirements.txt",
            "src",
            "src/app",
            "src/app/__init__.py",
            "src/app/main.py",
            "tests",
            "tests/test_main.py",
        ]
    );
    // Root, build, build/keep, docs, src, src/app, tests — and not .git,
    // node_modules or __pycache__, which are skipped unread.
    assert_eq!(w.dirs_read, 7);
}

#[test]
fn copy_sources_limit_what_is_read_and_sent() {
    let t = tempfile::tempdir().expect("tempdir");
    project(t.path());
    let opts = WalkOptions {
        ignore: Some(ignore("**/__pycache__\n")),
        sources: Some(vec![
            "requirements.txt".into(),
            "./pyproject.toml".into(),
            "src/".into(),
            "docs/*.md".into(),
        ]),
        always_include: vec!["Dockerfile".into(), ".dockerignore".into()],
    };
    let w = walk(t.path(), &opts).expect("walk");
    assert_eq!(
        paths(&w),
        [
            ".dockerignore",
            "Dockerfile",
            "docs",
            "docs/README.md",
            "pyproject.toml",
            "requirements.txt",
            "src",
            "src/app",
            "src/app/__init__.py",
            "src/app/main.py",
        ]
    );
    // Root, docs, src, src/app only.
    assert_eq!(w.dirs_read, 4);

    // `.` means the whole context; an empty list means none of it.
    let all = walk(
        t.path(),
        &WalkOptions {
            sources: Some(vec!["src".into(), ".".into()]),
            ..WalkOptions::default()
        },
    )
    .expect("walk");
    assert!(paths(&all).contains(&"node_modules/left-pad/index.js"));
    let none = walk(
        t.path(),
        &WalkOptions {
            sources: Some(vec![]),
            always_include: vec!["Dockerfile".into()],
            ..WalkOptions::default()
        },
    )
    .expect("walk");
    assert_eq!(paths(&none), ["Dockerfile"]);
}

#[test]
fn forced_files_survive_exclusion() {
    let t = tempfile::tempdir().expect("tempdir");
    write(t.path(), "docker/app.Dockerfile", "FROM scratch\n");
    write(t.path(), "docker/other", "x");
    write(t.path(), "app.py", "x");
    let opts = WalkOptions {
        ignore: Some(ignore("*\n")),
        always_include: vec!["docker/app.Dockerfile".into()],
        ..WalkOptions::default()
    };
    let w = walk(t.path(), &opts).expect("walk");
    assert_eq!(paths(&w), ["docker", "docker/app.Dockerfile"]);
}

#[test]
fn symlinks_are_entries_and_followed_for_sources() {
    let t = tempfile::tempdir().expect("tempdir");
    write(t.path(), "real/config.toml", "x = 1\n");
    write(t.path(), "other/file", "y");
    symlink("real", t.path().join("conf")).expect("symlink");
    symlink("conf", t.path().join("loop-a")).expect("symlink");
    symlink("loop-b", t.path().join("loop-b")).expect("symlink");
    let w = walk(t.path(), &WalkOptions::default()).expect("walk");
    let conf = w
        .entries
        .iter()
        .find(|e| e.path == "conf")
        .expect("conf entry");
    assert_eq!(
        conf.kind,
        EntryKind::Symlink {
            target: "real".into()
        }
    );
    // Not followed: nothing appears below the link.
    assert!(!paths(&w).iter().any(|p| p.starts_with("conf/")));

    // COPY conf/config.toml: the client must also send the link's target.
    let w = walk(
        t.path(),
        &WalkOptions {
            sources: Some(vec![
                "conf/config.toml".into(),
                "loop-b".into(),
                "loop-a".into(),
            ]),
            ..WalkOptions::default()
        },
    )
    .expect("self-referencing links do not hang");
    assert_eq!(
        paths(&w),
        ["conf", "loop-a", "loop-b", "real", "real/config.toml"]
    );
}

#[test]
fn missing_context_is_a_typed_error() {
    let t = tempfile::tempdir().expect("tempdir");
    let err = walk(&t.path().join("nope"), &WalkOptions::default()).expect_err("missing");
    assert!(matches!(err, ContextError::NotADirectory { .. }), "{err}");
    write(t.path(), "f", "x");
    let err = walk(&t.path().join("f"), &WalkOptions::default()).expect_err("file");
    assert!(err.to_string().contains("not a directory"), "{err}");
}

/// True when permission bits are enforced for this process (not root).
fn permissions_enforced(dir: &Path) -> bool {
    let probe = dir.join("probe");
    fs::write(&probe, "x").expect("write");
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o000)).expect("chmod");
    let enforced = fs::read(&probe).is_err();
    let _ = fs::remove_file(&probe);
    enforced
}

#[test]
fn unreadable_directory_fails_only_when_selected() {
    let t = tempfile::tempdir().expect("tempdir");
    if !permissions_enforced(t.path()) {
        eprintln!("skipped: running with privileges that bypass file permissions");
        return;
    }
    write(t.path(), "secret/key", "k");
    write(t.path(), "app.py", "x");
    let secret = t.path().join("secret");
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).expect("chmod");
    let err = walk(t.path(), &WalkOptions::default()).expect_err("unreadable");
    assert!(
        matches!(err, ContextError::PermissionDenied { ref path } if path.ends_with("secret")),
        "{err}"
    );
    let ok = walk(
        t.path(),
        &WalkOptions {
            ignore: Some(ignore("secret\n")),
            ..WalkOptions::default()
        },
    )
    .expect("excluded dir is not read");
    assert_eq!(paths(&ok), ["app.py"]);
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o755)).expect("chmod back");
}

fn tar_bytes(root: &Path) -> Vec<u8> {
    let w = walk(root, &WalkOptions::default()).expect("walk");
    let mut out = Vec::new();
    write_tar(&w, &mut out).expect("tar");
    out
}

fn set_mtime(path: &Path, secs_ago: u64) {
    let f = fs::File::options().write(true).open(path).expect("open");
    let t = SystemTime::now() - Duration::from_secs(secs_ago);
    f.set_modified(t).expect("set mtime");
}

#[test]
fn tar_is_deterministic() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    project(a.path());
    project(b.path());
    symlink("src/app", a.path().join("link")).expect("symlink");
    symlink("src/app", b.path().join("link")).expect("symlink");
    let first = tar_bytes(a.path());
    assert_eq!(first, tar_bytes(a.path()), "same tree twice");
    assert_eq!(
        first,
        tar_bytes(b.path()),
        "identical trees in different places"
    );

    set_mtime(&a.path().join("src/app/main.py"), 3600);
    assert_eq!(
        first,
        tar_bytes(a.path()),
        "mtime does not reach the archive"
    );

    fs::set_permissions(
        a.path().join("src/app/main.py"),
        fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    assert_ne!(first, tar_bytes(a.path()), "mode bits do");
}

#[test]
fn tar_headers_are_normalized_and_readable() {
    let t = tempfile::tempdir().expect("tempdir");
    write(t.path(), "bin/run.sh", "#!/bin/sh\necho hi\n");
    fs::set_permissions(
        t.path().join("bin/run.sh"),
        fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    let long = format!("{}/{}", "d".repeat(80), "f".repeat(80));
    write(t.path(), &long, "long");
    symlink("bin/run.sh", t.path().join("run")).expect("symlink");
    let bytes = tar_bytes(t.path());
    let mut archive = tar::Archive::new(bytes.as_slice());
    let mut seen = Vec::new();
    for entry in archive.entries().expect("entries") {
        let entry = entry.expect("entry");
        let h = entry.header();
        assert_eq!(h.mtime().expect("mtime"), 0);
        assert_eq!(h.uid().expect("uid"), 0);
        assert_eq!(h.gid().expect("gid"), 0);
        assert_eq!(h.username().expect("uname"), Some(""));
        let path = entry.path().expect("path").to_string_lossy().into_owned();
        let link = entry
            .link_name()
            .expect("link")
            .map(|l| l.to_string_lossy().into_owned());
        seen.push((path, h.entry_type(), h.mode().expect("mode"), link));
    }
    let find = |p: &str| seen.iter().find(|s| s.0 == p).cloned();
    assert_eq!(
        find("bin/run.sh").map(|s| (s.1, s.2)),
        Some((tar::EntryType::Regular, 0o755))
    );
    assert_eq!(
        find("run").map(|s| (s.1, s.3)),
        Some((tar::EntryType::Symlink, Some("bin/run.sh".to_string())))
    );
    assert_eq!(find("bin/").map(|s| s.1), Some(tar::EntryType::Directory));
    assert!(find(&long).is_some(), "long names survive: {seen:?}");
}

fn digest(root: &Path, source: &str) -> Digest {
    let w = walk(root, &WalkOptions::default()).expect("walk");
    let h = hash_files(&w, None).expect("hash");
    source_digest(&w, &h, source).expect("digest")
}

#[test]
fn digests_ignore_mtime_but_not_mode_or_content() {
    let t = tempfile::tempdir().expect("tempdir");
    project(t.path());
    let before = digest(t.path(), "src");
    let reqs = digest(t.path(), "requirements*.txt");
    set_mtime(&t.path().join("src/app/main.py"), 7200);
    assert_eq!(digest(t.path(), "src"), before, "mtime-only change");

    fs::set_permissions(
        t.path().join("src/app/main.py"),
        fs::Permissions::from_mode(0o700),
    )
    .expect("chmod");
    let after_mode = digest(t.path(), "src");
    assert_ne!(after_mode, before, "mode change");
    fs::set_permissions(
        t.path().join("src/app/main.py"),
        fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");

    write(t.path(), "src/app/main.py", "print('bye')\n");
    assert_ne!(digest(t.path(), "src"), before, "content change");
    // Other sources are unaffected.
    assert_eq!(digest(t.path(), "requirements*.txt"), reqs);
    let plain = digest(t.path(), "requirements.txt");
    assert_eq!(digest(t.path(), "./requirements.txt"), plain);
    assert_ne!(digest(t.path(), "pyproject.toml"), plain);
}

#[test]
fn plain_sources_follow_symlinks() {
    let t = tempfile::tempdir().expect("tempdir");
    write(t.path(), "real/config.toml", "x = 1\n");
    symlink("real", t.path().join("conf")).expect("symlink");
    symlink("/conf", t.path().join("abs")).expect("symlink");
    symlink("spin", t.path().join("spin")).expect("symlink");
    let w = walk(t.path(), &WalkOptions::default()).expect("walk");
    let sel = select_source(&w, "conf").expect("select");
    assert_eq!(sel.base, "real");
    let rel: Vec<&str> = sel.entries.iter().map(|e| sel.relative(e)).collect();
    assert_eq!(rel, ["", "config.toml"]);
    let via_link = digest(t.path(), "conf");
    assert_eq!(
        via_link,
        digest(t.path(), "real"),
        "same content, same digest"
    );
    assert_eq!(
        via_link,
        digest(t.path(), "abs"),
        "absolute targets resolve in the context"
    );
    assert_eq!(
        select_source(&w, "conf/config.toml").map(|s| s.base).ok(),
        Some("real/config.toml".to_string())
    );
    assert!(matches!(
        select_source(&w, "spin"),
        Err(ContextError::SymlinkLoop { .. })
    ));
    write(t.path(), "real/config.toml", "x = 2\n");
    assert_ne!(digest(t.path(), "conf"), via_link, "target content counts");
}

#[test]
fn select_source_uses_go_globs() {
    let t = tempfile::tempdir().expect("tempdir");
    project(t.path());
    let w = walk(t.path(), &WalkOptions::default()).expect("walk");
    let sel = |s: &str| -> Vec<String> {
        select_source(&w, s)
            .expect("valid")
            .entries
            .iter()
            .map(|e| e.path.clone())
            .collect()
    };
    assert_eq!(sel("*.toml"), ["pyproject.toml"]);
    assert_eq!(
        sel("src/app/*.py"),
        ["src/app/__init__.py", "src/app/main.py"]
    );
    assert_eq!(
        sel("build"),
        ["build", "build/drop.txt", "build/keep", "build/keep/me.txt"]
    );
    assert!(sel("nothing-here").is_empty());
    assert!(matches!(
        select_source(&w, "src/[").map(|v| v.entries.len()),
        Err(ContextError::BadSource { .. })
    ));
}

#[test]
fn stat_cache_avoids_rereading_and_persists() {
    let t = tempfile::tempdir().expect("tempdir");
    let ctx = t.path().join("ctx");
    project(&ctx);
    let cache_file = t.path().join("state/stat.cache");
    let w = walk(&ctx, &WalkOptions::default()).expect("walk");
    let files = w
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::File)
        .count();

    let mut cache = StatCache::new(&ctx);
    cache.set_racy_window(Duration::ZERO);
    let cold = hash_files(&w, Some(&mut cache)).expect("hash");
    assert_eq!((cold.stats.files_read, cold.stats.cache_hits), (files, 0));
    cache.save(&cache_file).expect("save");

    let (mut loaded, notice) = StatCache::load(&cache_file, &ctx);
    assert_eq!(notice, None);
    assert_eq!(loaded.len(), files);
    loaded.set_racy_window(Duration::ZERO);
    let warm = hash_files(&w, Some(&mut loaded)).expect("hash");
    assert_eq!((warm.stats.files_read, warm.stats.cache_hits), (0, files));
    assert_eq!(warm.hashes, cold.hashes);

    // A changed file is re-read, the rest still come from the cache.
    write(&ctx, "src/app/main.py", "print('changed')\n");
    let w2 = walk(&ctx, &WalkOptions::default()).expect("walk");
    let again = hash_files(&w2, Some(&mut loaded)).expect("hash");
    assert_eq!(again.stats.files_read, 1);
    assert_ne!(
        again.hashes.get("src/app/main.py"),
        cold.hashes.get("src/app/main.py")
    );

    // Files changed within the racy window of their hashing are not trusted.
    let mut strict = StatCache::new(&ctx);
    strict.set_racy_window(Duration::from_secs(3600));
    hash_files(&w2, Some(&mut strict)).expect("hash");
    let strict_run = hash_files(&w2, Some(&mut strict)).expect("hash");
    assert_eq!(strict_run.stats.files_read, files);

    // A cache for another context is ignored.
    let (other, notice) = StatCache::load(&cache_file, t.path());
    assert!(other.is_empty());
    assert!(matches!(notice, Some(CacheNotice::OtherRoot { .. })));
}

#[test]
fn corrupt_cache_files_are_set_aside() {
    let t = tempfile::tempdir().expect("tempdir");
    let ctx = t.path();
    write(ctx, "f", "x");
    let file = t.path().join("stat.cache");
    let mut cache = StatCache::new(ctx);
    let w = walk(ctx, &WalkOptions::default()).expect("walk");
    hash_files(&w, Some(&mut cache)).expect("hash");
    cache.save(&file).expect("save");
    let good = fs::read(&file).expect("read");

    // Flip one payload byte: checksum mismatch.
    let mut bad = good.clone();
    if let Some(last) = bad.last_mut() {
        *last ^= 0xff;
    }
    fs::write(&file, &bad).expect("write");
    let (c, notice) = StatCache::load(&file, ctx);
    assert!(c.is_empty());
    match notice {
        Some(CacheNotice::Corrupt {
            set_aside: Some(p), ..
        }) => {
            assert!(p.exists());
            assert!(!file.exists());
        }
        other => panic!("expected a corrupt notice, got {other:?}"),
    }

    // Garbage and truncation.
    for junk in [
        b"not a cache at all".to_vec(),
        good[..10].to_vec(),
        Vec::new(),
    ] {
        fs::write(&file, &junk).expect("write");
        let (c, notice) = StatCache::load(&file, ctx);
        assert!(c.is_empty());
        assert!(
            matches!(notice, Some(CacheNotice::Corrupt { .. })),
            "{notice:?}"
        );
    }

    // A future format version is ignored, not parsed.
    let mut future = good.clone();
    future[8] = 99;
    fs::write(&file, &future).expect("write");
    let (c, notice) = StatCache::load(&file, ctx);
    assert!(c.is_empty());
    assert_eq!(notice, Some(CacheNotice::OtherVersion { version: 99 }));
}

#[test]
fn vanished_files_become_warnings() {
    let t = tempfile::tempdir().expect("tempdir");
    write(t.path(), "stays", "1");
    write(t.path(), "goes", "2");
    let w = walk(t.path(), &WalkOptions::default()).expect("walk");
    fs::remove_file(t.path().join("goes")).expect("rm");
    let h = hash_files(&w, None).expect("hash");
    assert_eq!(
        h.warnings,
        [Warning::Vanished {
            path: "goes".into()
        }]
    );
    assert!(h.hashes.contains_key("stays"));
    let mut out = Vec::new();
    let s = write_tar(&w, &mut out).expect("tar");
    assert_eq!(s.entries, 1);
    assert_eq!(
        s.warnings,
        [Warning::Vanished {
            path: "goes".into()
        }]
    );
}

#[test]
fn special_files_are_listed_but_not_archived_or_hashed() {
    let t = tempfile::tempdir().expect("tempdir");
    write(t.path(), "a.txt", "a");
    let made = std::process::Command::new("mkfifo")
        .arg(t.path().join("pipe"))
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    let w = walk(t.path(), &WalkOptions::default()).expect("walk");
    assert_eq!(paths(&w), ["a.txt", "pipe"]);
    assert_eq!(
        w.warnings,
        [Warning::SpecialFile {
            path: "pipe".into()
        }]
    );
    let h = hash_files(&w, None).expect("hash does not block on the FIFO");
    assert_eq!(h.hashes.keys().collect::<Vec<_>>(), ["a.txt"]);
    let mut out = Vec::new();
    let s = write_tar(&w, &mut out).expect("tar does not block on the FIFO");
    assert_eq!(s.entries, 1);
}
