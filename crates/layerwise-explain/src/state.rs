//! What the last build saw and did, kept under the user's cache directory
//! (never in the build context, so it cannot change what a COPY sees).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ExplainError;
use crate::plan::{Inputs, PlannedStep};

/// Marks a layerwise state file; anything else is foreign.
pub const FORMAT: &str = "layerwise-explain-state";
/// Bumped whenever the meaning of a recorded key changes.
pub const VERSION: u32 = 1;

/// One recorded step: the model's inputs next to what BuildKit did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedStep {
    #[serde(flatten)]
    pub planned: PlannedStep,
    /// `Some(true)` cached, `Some(false)` ran, `None` BuildKit showed no
    /// vertex for it (merged with an identical one).
    pub cached: Option<bool>,
    pub duration_s: f64,
    /// The duration the last time the step actually ran, kept across
    /// builds where it was a cache hit: the cost of the next miss.
    pub ran_s: Option<f64>,
}

/// The state of one (project, Dockerfile) pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub format: String,
    pub version: u32,
    pub project: String,
    pub dockerfile: String,
    /// Seconds since the Unix epoch.
    pub recorded_at: u64,
    pub inputs: Inputs,
    pub images: BTreeMap<String, Option<String>>,
    pub steps: Vec<RecordedStep>,
}

impl State {
    /// The base image IDs the recorded build used, for a prediction made
    /// without asking an engine.
    pub fn image_ids(&self) -> BTreeMap<String, String> {
        self.images
            .iter()
            .filter_map(|(reference, id)| Some((reference.clone(), id.clone()?)))
            .collect()
    }
}

/// Why a state file was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateNotice {
    /// Damaged, foreign or of another version: moved to `set_aside`.
    SetAside {
        path: PathBuf,
        set_aside: Option<PathBuf>,
        reason: String,
    },
    /// Could not be read at all.
    Unreadable { path: PathBuf, reason: String },
}

impl std::fmt::Display for StateNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateNotice::SetAside {
                path,
                set_aside,
                reason,
            } => {
                write!(f, "ignored the state file {} ({reason})", path.display())?;
                if let Some(a) = set_aside {
                    write!(f, "; moved it to {}", a.display())?;
                }
                Ok(())
            }
            StateNotice::Unreadable { path, reason } => {
                write!(
                    f,
                    "could not read the state file {}: {reason}",
                    path.display()
                )
            }
        }
    }
}

/// `$XDG_CACHE_HOME/layerwise`, else `~/.cache/layerwise`.
pub fn cache_root() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let base = xdg.or_else(|| {
        std::env::var_os("HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .map(|h| h.join(".cache"))
    })?;
    Some(base.join("layerwise"))
}

/// The state file of a project and Dockerfile (both canonical), under
/// `root` or else [`cache_root`].
pub fn state_path(
    root: Option<&Path>,
    project: &Path,
    dockerfile: &Path,
) -> Result<PathBuf, ExplainError> {
    let root = match root {
        Some(r) => r.to_path_buf(),
        None => cache_root().ok_or(ExplainError::NoCacheDir)?,
    };
    let mut h = blake3::Hasher::new();
    h.update(project.as_os_str().as_encoded_bytes());
    h.update(b"\0");
    h.update(dockerfile.as_os_str().as_encoded_bytes());
    let id = h.finalize().to_hex();
    Ok(root.join("explain").join(format!("{}.json", &id[..24])))
}

/// Why a state file cannot be used, found by [`read`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    /// The file could not be read at all.
    Unreadable(String),
    /// Damaged, foreign, of another version or of another project.
    NotOurs(String),
}

/// Reads the state without changing anything on disk: `Ok(None)` when none
/// was recorded. For readers that must not move files (the editor's hover).
pub fn read(path: &Path, project: &Path, dockerfile: &Path) -> Result<Option<State>, Unusable> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Unusable::Unreadable(e.to_string())),
    };
    match serde_json::from_slice::<State>(&bytes) {
        Err(e) => Err(Unusable::NotOurs(format!("not a readable state: {e}"))),
        Ok(s) if s.format != FORMAT => {
            Err(Unusable::NotOurs(format!("unknown format {:?}", s.format)))
        }
        Ok(s) if s.version != VERSION => Err(Unusable::NotOurs(format!(
            "format version {} (expected {VERSION})",
            s.version
        ))),
        Ok(s)
            if s.project != project.to_string_lossy()
                || s.dockerfile != dockerfile.to_string_lossy() =>
        {
            Err(Unusable::NotOurs(format!(
                "recorded for {} / {}",
                s.project, s.dockerfile
            )))
        }
        Ok(s) => Ok(Some(s)),
    }
}

/// Loads the state, setting aside anything that is not ours.
pub fn load(
    path: &Path,
    project: &Path,
    dockerfile: &Path,
) -> (Option<State>, Option<StateNotice>) {
    let reason = match read(path, project, dockerfile) {
        Ok(state) => return (state, None),
        Err(Unusable::Unreadable(reason)) => {
            return (
                None,
                Some(StateNotice::Unreadable {
                    path: path.to_path_buf(),
                    reason,
                }),
            );
        }
        Err(Unusable::NotOurs(reason)) => reason,
    };
    let aside = path.with_extension(format!("json.bad-{}", now_secs()));
    let set_aside = std::fs::rename(path, &aside).ok().map(|()| aside);
    (
        None,
        Some(StateNotice::SetAside {
            path: path.to_path_buf(),
            set_aside,
            reason,
        }),
    )
}

/// Writes atomically: a temporary file next to it, then a rename.
pub fn save(path: &Path, state: &State) -> Result<(), ExplainError> {
    let io = |op: &'static str, p: &Path| {
        let p = p.to_path_buf();
        move |source| ExplainError::Io {
            path: p,
            op,
            source,
        }
    };
    let dir = path
        .parent()
        .ok_or_else(|| ExplainError::Other("state path has no parent".into()))?;
    std::fs::create_dir_all(dir).map_err(io("create directory", dir))?;
    let json = serde_json::to_vec_pretty(state).map_err(|e| ExplainError::Other(e.to_string()))?;
    let tmp = path.with_extension(format!("json.tmp-{}", std::process::id()));
    let mut f = std::fs::File::create(&tmp).map_err(io("create", &tmp))?;
    f.write_all(&json).map_err(io("write", &tmp))?;
    f.sync_all().map_err(io("sync", &tmp))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(io("rename", path))?;
    Ok(())
}

pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(project: &str) -> State {
        State {
            format: FORMAT.into(),
            version: VERSION,
            project: project.into(),
            dockerfile: format!("{project}/Dockerfile"),
            recorded_at: 1,
            inputs: Inputs::default(),
            images: BTreeMap::new(),
            steps: Vec::new(),
        }
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let state = sample("/p");
        save(&path, &state).unwrap();
        let (loaded, notice) = load(&path, Path::new("/p"), Path::new("/p/Dockerfile"));
        assert_eq!(notice, None);
        assert_eq!(loaded, Some(state));
    }

    #[test]
    fn corrupt_and_foreign_files_are_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        for bytes in [
            b"{not json".to_vec(),
            br#"{"format":"other","version":1}"#.to_vec(),
            serde_json::to_vec(&State {
                version: 99,
                ..sample("/p")
            })
            .unwrap(),
            serde_json::to_vec(&sample("/elsewhere")).unwrap(),
            vec![0xff, 0x00, 0x12],
        ] {
            std::fs::write(&path, &bytes).unwrap();
            let (loaded, notice) = load(&path, Path::new("/p"), Path::new("/p/Dockerfile"));
            assert!(loaded.is_none());
            match notice {
                Some(StateNotice::SetAside {
                    set_aside: Some(a), ..
                }) => {
                    assert!(a.exists());
                    std::fs::remove_file(a).unwrap();
                }
                other => panic!("expected set aside, got {other:?}"),
            }
            assert!(!path.exists());
        }
    }

    #[test]
    fn read_reports_a_foreign_file_and_leaves_it_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        assert_eq!(
            read(&path, Path::new("/p"), Path::new("/p/Dockerfile")),
            Ok(None)
        );
        std::fs::write(&path, b"{not json").unwrap();
        let result = read(&path, Path::new("/p"), Path::new("/p/Dockerfile"));
        assert!(
            matches!(&result, Err(Unusable::NotOurs(reason)) if reason.starts_with("not a readable state")),
            "{result:?}"
        );
        assert!(path.exists());
    }

    #[test]
    fn state_paths_differ_per_dockerfile() {
        let root = Some(Path::new("/cache/layerwise"));
        let a = state_path(root, Path::new("/p"), Path::new("/p/Dockerfile")).unwrap();
        let b = state_path(root, Path::new("/p"), Path::new("/p/Dockerfile.dev")).unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("/cache/layerwise/explain"));
    }
}
