//! Atomic writes: the mode is kept, no temporary file is left, and a file
//! that changed on disk since it was read is not overwritten.

use std::path::Path;

use layerwise_fix::write::{Snapshot, WriteError, write_atomic};

#[cfg(unix)]
#[test]
fn keeps_the_mode_and_leaves_no_temp_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, "FROM a\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    write_atomic(&path, Snapshot::of(Some(b"FROM a\n")), b"FROM b\n").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "FROM b\n");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn refuses_a_file_changed_since_it_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, "FROM a\n").unwrap();
    let read = Snapshot::read(&path).unwrap();
    std::fs::write(&path, "FROM edited\n").unwrap();
    let err = write_atomic(&path, read, b"FROM fixed\n").unwrap_err();
    assert!(matches!(err, WriteError::Changed(_)), "{err}");
    assert!(err.to_string().contains("changed on disk"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "FROM edited\n");
}

#[test]
fn refuses_to_replace_a_file_that_appeared() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".dockerignore");
    std::fs::write(&path, "secret\n").unwrap();
    let err = write_atomic(&path, Snapshot::Absent, b".git\n").unwrap_err();
    assert!(matches!(err, WriteError::Changed(_)));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "secret\n");
}

#[cfg(unix)]
#[test]
fn new_files_are_world_readable() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".dockerignore");
    write_atomic(&path, Snapshot::Absent, b".git\n").unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644);
}

#[cfg(unix)]
#[test]
fn a_symlink_is_written_through_and_stays_a_link() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("docker/Dockerfile.real");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(&target, "FROM a\n").unwrap();
    let link = tmp.path().join("Dockerfile");
    std::os::unix::fs::symlink("docker/Dockerfile.real", &link).unwrap();
    write_atomic(&link, Snapshot::of(Some(b"FROM a\n")), b"FROM b\n").unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "FROM b\n");
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("docker/Dockerfile.real")
    );
}
