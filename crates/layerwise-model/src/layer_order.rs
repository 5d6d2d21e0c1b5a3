//! Layer order: what each RUN reads from the files earlier instructions put
//! in the image, and where a COPY from the build context puts its files.
//!
//! BuildKit re-runs a step when any input above it changed. A RUN that never
//! reads the files a COPY brings still re-runs on every edit of those files
//! when it comes after the COPY; knowing what each RUN reads is what lets a
//! rule move the COPY below it. The analysis is conservative: a program it
//! does not know may read anything.

use crate::packages::PythonInstall;
use crate::tools::project_directory;
use crate::{Invocation, Model, Run, Tool, join_path};

/// How costly re-running a RUN is, cheapest first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cost {
    /// User creation, directories, links, configuration.
    #[default]
    Cheap,
    /// Downloads, and installs of the installer tooling itself.
    Download,
    /// apt/apk package installs.
    SystemPackages,
    /// Installs of Python dependencies.
    Dependencies,
}

/// What a RUN reads (or changes) of the files already in the image.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reads {
    /// It may read anything: an unknown program, or an install of the
    /// project itself.
    pub everything: bool,
    /// Installs the project itself (`pip install .`, `poetry install`
    /// without `--no-root`, `uv sync` without `--no-install-project`…).
    pub project_install: bool,
    /// Dependency manifests an install reads, as absolute paths in the
    /// image: copied on their own before the install, they keep it cached.
    pub manifests: Vec<String>,
    /// Other paths it reads or changes (files or directories), absolute.
    pub paths: Vec<String>,
    pub cost: Cost,
}

impl Reads {
    fn merge(&mut self, other: Reads) {
        self.everything |= other.everything;
        self.project_install |= other.project_install;
        self.manifests.extend(other.manifests);
        self.paths.extend(other.paths);
        self.cost = self.cost.max(other.cost);
    }

    fn everything(cost: Cost) -> Reads {
        Reads {
            everything: true,
            cost,
            ..Reads::default()
        }
    }
}

/// Programs that read nothing the build context brought, whatever their
/// arguments (paths they create do not count: a later COPY merges into them).
const READS_NOTHING: &[&str] = &[
    "echo",
    "printf",
    "true",
    ":",
    "mkdir",
    "groupadd",
    "addgroup",
    "usermod",
    "update-ca-certificates",
    "locale-gen",
    "ldconfig",
    "dpkg-reconfigure",
    "export",
    "umask",
    "sleep",
    "which",
    "id",
    "whoami",
    "uname",
    "date",
    "exit",
    "set",
    "apt-key",
    "update-alternatives",
];

/// Programs whose operands are paths they read or change.
const PATH_OPERANDS: &[&str] = &[
    "rm", "touch", "cp", "mv", "ln", "cat", "sed", "tar", "unzip", "find", "ls", "test", "[",
];

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

impl Model<'_> {
    /// What the RUN at instruction `i` reads; `None` when `i` is no RUN.
    pub fn reads(&self, i: usize) -> Option<Reads> {
        let run = self.run(i)?;
        let workdir = self.states.get(i).map_or("/", |s| s.workdir.as_str());
        Some(run_reads(run, workdir))
    }
}

/// What a RUN reads, with relative paths resolved against `workdir` and any
/// `cd` in the script.
pub fn run_reads(run: &Run, workdir: &str) -> Reads {
    let mut reads = Reads::default();
    if run.exec_form && run.invocations.is_empty() {
        return Reads::everything(Cost::Cheap);
    }
    let mut cwd = workdir.to_string();
    for (index, inv) in run.invocations.iter().enumerate() {
        let install = run.python.iter().find(|p| p.invocation == index);
        let next = match inv.tool {
            Tool::Cd => {
                match inv.args().first() {
                    Some(dir) if !dir.value.contains('$') && !dir.value.starts_with('-') => {
                        cwd = join_path(&cwd, &dir.value)
                    }
                    _ => return Reads::everything(reads.cost),
                }
                Reads::default()
            }
            Tool::Pip | Tool::Uv | Tool::Poetry | Tool::Pipenv | Tool::Pdm => {
                manager_reads(inv, install, &cwd)
            }
            Tool::AptGet | Tool::Apt | Tool::Apk => Reads {
                cost: if run
                    .system
                    .iter()
                    .any(|s| s.invocation == index && s.install)
                {
                    Cost::SystemPackages
                } else {
                    Cost::Cheap
                },
                ..Reads::default()
            },
            Tool::Curl | Tool::Wget => Reads {
                cost: Cost::Download,
                ..Reads::default()
            },
            Tool::Venv | Tool::Useradd | Tool::Adduser => Reads::default(),
            Tool::Rm => path_operands(inv, &cwd, 0),
            Tool::Sudo => Reads::default(),
            Tool::Other => {
                let name = basename(&inv.program().value);
                if READS_NOTHING.contains(&name) {
                    Reads::default()
                } else if matches!(name, "chown" | "chmod" | "chgrp") {
                    // The first operand is the owner or the mode.
                    path_operands(inv, &cwd, 1)
                } else if PATH_OPERANDS.contains(&name) {
                    path_operands(inv, &cwd, 0)
                } else {
                    Reads::everything(Cost::Cheap)
                }
            }
        };
        reads.merge(next);
    }
    reads
}

/// Every non-option operand of `inv` after the first `skip`, as a path.
fn path_operands(inv: &Invocation, cwd: &str, skip: usize) -> Reads {
    let mut reads = Reads::default();
    for word in inv
        .args()
        .iter()
        .filter(|w| !w.value.starts_with('-'))
        .skip(skip)
    {
        if word.value.contains('$') || word.value.contains('*') {
            return Reads::everything(Cost::Cheap);
        }
        reads.paths.push(join_path(cwd, &word.value));
    }
    reads
}

/// The manifests a manager reads in `dir`.
fn manifests_in(dir: &str, names: &[&str]) -> Vec<String> {
    names.iter().map(|n| join_path(dir, n)).collect()
}

/// What a Python package manager call reads.
fn manager_reads(inv: &Invocation, install: Option<&PythonInstall>, cwd: &str) -> Reads {
    let has = |flag: &str| inv.args().iter().any(|w| w.value == flag);
    let project_dir = match project_directory(inv) {
        Some(dir) if dir.value.contains('$') => return Reads::everything(Cost::Cheap),
        Some(dir) => join_path(cwd, &dir.value),
        None => cwd.to_string(),
    };
    let sub = inv.sub();
    let lock_reads = |names: &[&str], installs_project: bool, cost: Cost| Reads {
        everything: installs_project,
        project_install: installs_project,
        manifests: manifests_in(&project_dir, names),
        cost,
        ..Reads::default()
    };
    match inv.tool {
        Tool::Pip => match install {
            Some(install) => pip_install_reads(install, cwd),
            None if matches!(sub, "download" | "wheel") || has("-r") => {
                Reads::everything(Cost::Dependencies)
            }
            None => Reads::default(),
        },
        Tool::Uv => match (sub, install) {
            ("pip", Some(install)) => pip_install_reads(install, cwd),
            ("pip", None)
                if matches!(inv.args().get(1).map(|w| w.value.as_str()), Some("compile")) =>
            {
                Reads::everything(Cost::Download)
            }
            ("sync", _) => lock_reads(
                &["pyproject.toml", "uv.lock"],
                !has("--no-install-project") && !has("--only-group"),
                Cost::Dependencies,
            ),
            ("lock" | "export", _) => {
                lock_reads(&["pyproject.toml", "uv.lock"], false, Cost::Download)
            }
            ("venv" | "tool" | "python" | "cache" | "--version" | "version" | "self", _) => {
                Reads::default()
            }
            _ => Reads::everything(Cost::Cheap),
        },
        Tool::Poetry => match sub {
            "install" | "sync" => lock_reads(
                &["pyproject.toml", "poetry.lock"],
                !has("--no-root") && !has("--only-root") && !has("--no-directory"),
                Cost::Dependencies,
            ),
            "export" | "lock" | "check" => {
                lock_reads(&["pyproject.toml", "poetry.lock"], false, Cost::Cheap)
            }
            "config" | "self" | "--version" | "" => Reads::default(),
            _ => Reads::everything(Cost::Cheap),
        },
        Tool::Pipenv => match sub {
            "install" | "sync" | "requirements" | "lock" | "verify" => {
                lock_reads(&["Pipfile", "Pipfile.lock"], false, Cost::Dependencies)
            }
            "--version" | "" => Reads::default(),
            _ => Reads::everything(Cost::Cheap),
        },
        Tool::Pdm => match sub {
            "install" | "sync" => lock_reads(
                &["pyproject.toml", "pdm.lock"],
                !has("--no-self"),
                Cost::Dependencies,
            ),
            "export" | "lock" => lock_reads(&["pyproject.toml", "pdm.lock"], false, Cost::Cheap),
            "config" | "self" | "--version" | "" => Reads::default(),
            _ => Reads::everything(Cost::Cheap),
        },
        _ => Reads::everything(Cost::Cheap),
    }
}

/// What `pip install` (or `uv pip install`) reads.
fn pip_install_reads(install: &PythonInstall, cwd: &str) -> Reads {
    let local = |v: &str| v.starts_with('.') || v.starts_with('/') || v.starts_with("file:");
    let installs_local = install.editables.iter().any(|w| local(&w.value))
        || install.packages.iter().any(|w| local(&w.value));
    let cost = if install.only_tooling() {
        Cost::Download
    } else {
        Cost::Dependencies
    };
    if installs_local
        || install
            .requirement_files
            .iter()
            .chain(&install.constraint_files)
            .any(|w| w.value.contains('$'))
    {
        return Reads {
            everything: true,
            project_install: installs_local,
            cost,
            ..Reads::default()
        };
    }
    Reads {
        manifests: install
            .requirement_files
            .iter()
            .chain(&install.constraint_files)
            .map(|w| join_path(cwd, &w.value))
            .collect(),
        cost,
        ..Reads::default()
    }
}

/// Where a COPY/ADD from the build context puts its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextCopy {
    /// Sources as written, without a leading `./`.
    pub sources: Vec<String>,
    /// The destination as an absolute path, without a trailing `/`.
    pub dest: String,
    /// The destination was written relative to the WORKDIR.
    pub dest_relative: bool,
    /// Sources or destination use variables.
    pub has_variables: bool,
}

/// Whether a source copies the whole context.
pub fn is_whole_context_source(source: &str) -> bool {
    matches!(source.trim_end_matches('/'), "." | "" | "*" | "./*" | "./.")
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Whether `path` is `dir` or lies under it.
pub fn is_under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    dir.is_empty()
        || path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// `*`-only wildcard match of one path component.
fn wildcard(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            name.starts_with(head)
                && (tail.is_empty() && name.len() >= head.len()
                    || (head.len()..=name.len()).any(|i| wildcard(tail, &name[i..])))
        }
    }
}

impl ContextCopy {
    /// The copy made from `sources` and `dest` as written, at `workdir`.
    pub fn new(sources: &[&str], dest: &str, workdir: &str) -> ContextCopy {
        let has_variables = sources.iter().any(|s| s.contains('$')) || dest.contains('$');
        ContextCopy {
            sources: sources
                .iter()
                .map(|s| s.strip_prefix("./").unwrap_or(s).to_string())
                .collect(),
            dest: join_path(workdir, dest),
            dest_relative: !dest.starts_with('/'),
            has_variables,
        }
    }

    /// Whether one source copies the whole context.
    pub fn is_whole_context(&self) -> bool {
        self.sources.iter().any(|s| is_whole_context_source(s))
    }

    /// The context path that lands at `path` in the image, if this copy
    /// brings it. `is_dir` tells whether a source is a directory in the
    /// context (`None` when unknown: then a source whose last component has
    /// no dot counts as a directory).
    pub fn source_of(&self, path: &str, is_dir: &dyn Fn(&str) -> Option<bool>) -> Option<String> {
        let into_dir = self.sources.len() > 1;
        for source in &self.sources {
            let trimmed = source.trim_end_matches('/');
            if is_whole_context_source(source) {
                if is_under(path, &self.dest) && path != self.dest {
                    return Some(path[self.dest.len()..].trim_start_matches('/').to_string());
                }
                continue;
            }
            let name = basename(trimmed);
            if has_glob(trimmed) {
                // `*.txt`, `requirements*.txt`: a file named like the pattern
                // directly in the destination.
                if let Some(rest) = path.strip_prefix(&self.dest)
                    && let Some(file) = rest.strip_prefix('/')
                    && !file.contains('/')
                    && wildcard(name, file)
                    && !trimmed.contains('/')
                {
                    return Some(file.to_string());
                }
                continue;
            }
            let dir =
                is_dir(trimmed).unwrap_or_else(|| source.ends_with('/') || !name.contains('.'));
            if dir {
                if is_under(path, &self.dest) && path != self.dest {
                    let rest = path[self.dest.len()..].trim_start_matches('/');
                    return Some(format!("{trimmed}/{rest}"));
                }
            } else {
                let as_file = !into_dir && path == self.dest;
                let in_dir = path
                    .strip_prefix(&self.dest)
                    .and_then(|r| r.strip_prefix('/'))
                    == Some(name);
                if as_file || in_dir {
                    return Some(trimmed.to_string());
                }
            }
        }
        None
    }

    /// Where the context file `source` lands in the image, if this copy
    /// brings it (the inverse of [`ContextCopy::source_of`]).
    pub fn dest_of(&self, source: &str, is_dir: &dyn Fn(&str) -> Option<bool>) -> Option<String> {
        let source = source.strip_prefix("./").unwrap_or(source);
        let into_dir = self.sources.len() > 1;
        for s in &self.sources {
            let trimmed = s.trim_end_matches('/');
            if is_whole_context_source(s) {
                return Some(join_path(&self.dest, source));
            }
            if has_glob(trimmed) {
                if !trimmed.contains('/') && !source.contains('/') && wildcard(trimmed, source) {
                    return Some(join_path(&self.dest, source));
                }
                continue;
            }
            let name = basename(trimmed);
            let dir = is_dir(trimmed).unwrap_or_else(|| s.ends_with('/') || !name.contains('.'));
            if dir {
                if let Some(rest) = source
                    .strip_prefix(trimmed)
                    .and_then(|r| r.strip_prefix('/'))
                {
                    return Some(join_path(&self.dest, rest));
                }
            } else if source == trimmed {
                return Some(if into_dir {
                    join_path(&self.dest, name)
                } else {
                    self.dest.clone()
                });
            }
        }
        None
    }

    /// Whether this copy may write at `path` or under it, or `path` lies
    /// under what it writes: the two cannot be reordered freely.
    pub fn overlaps(&self, path: &str) -> bool {
        is_under(path, &self.dest) || is_under(&self.dest, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;

    fn reads_of(src: &str) -> Reads {
        let file = layerwise_syntax::parse(src);
        let model = Model::new(&file, &Options::default());
        let last = model.instructions.len() - 1;
        model.reads(last).expect("a RUN")
    }

    #[test]
    fn installs_read_their_manifests_only() {
        let r = reads_of(
            "FROM python:3.12\nWORKDIR /app\nRUN pip install --upgrade pip && pip install -r requirements.txt -c /c.txt\n",
        );
        assert!(!r.everything);
        assert_eq!(r.manifests, vec!["/app/requirements.txt", "/c.txt"]);
        assert_eq!(r.cost, Cost::Dependencies);
        let r = reads_of(
            "FROM python:3.12\nWORKDIR /srv\nRUN cd svc && pip install -r requirements.txt\n",
        );
        assert_eq!(r.manifests, vec!["/srv/svc/requirements.txt"]);
        let r = reads_of("FROM python:3.12\nWORKDIR /srv\nRUN poetry -C api install --no-root\n");
        assert_eq!(
            r.manifests,
            vec!["/srv/api/pyproject.toml", "/srv/api/poetry.lock"]
        );
        let r = reads_of("FROM python:3.12\nRUN pipenv --python 3.11 install --deploy --system\n");
        assert_eq!(r.manifests, vec!["/Pipfile", "/Pipfile.lock"]);
        assert!(!r.everything);
    }

    #[test]
    fn project_installs_and_unknown_programs_read_everything() {
        for src in [
            "FROM python:3.12\nRUN pip install -e .\n",
            "FROM python:3.12\nRUN poetry install\n",
            "FROM python:3.12\nRUN uv sync --frozen\n",
            "FROM python:3.12\nRUN python manage.py collectstatic --noinput\n",
        ] {
            assert!(reads_of(src).everything, "{src}");
        }
        assert!(reads_of("FROM python:3.12\nRUN pip install -e .\n").project_install);
    }

    #[test]
    fn steps_that_read_no_code() {
        for (src, cost) in [
            (
                "FROM python:3.12\nRUN apt-get update && apt-get install -y gcc\n",
                Cost::SystemPackages,
            ),
            (
                "FROM python:3.12\nRUN pip install gunicorn==22.0\n",
                Cost::Dependencies,
            ),
            ("FROM python:3.12\nRUN pip install poetry\n", Cost::Download),
            (
                "FROM python:3.12\nRUN curl -fsSL https://example.org/x -o /usr/local/bin/x\n",
                Cost::Download,
            ),
            (
                "FROM python:3.12\nRUN useradd -m app && mkdir -p /data\n",
                Cost::Cheap,
            ),
        ] {
            let r = reads_of(src);
            assert!(
                !r.everything && r.manifests.is_empty() && r.paths.is_empty(),
                "{src}: {r:?}"
            );
            assert_eq!(r.cost, cost, "{src}");
        }
        let r = reads_of("FROM python:3.12\nWORKDIR /app\nRUN chown -R app:app /app\n");
        assert_eq!(r.paths, vec!["/app"]);
    }

    #[test]
    fn where_a_copy_puts_files() {
        let none = |_: &str| None;
        let whole = ContextCopy::new(&["."], ".", "/app");
        assert_eq!(
            whole.source_of("/app/requirements.txt", &none).as_deref(),
            Some("requirements.txt")
        );
        assert_eq!(whole.source_of("/srv/requirements.txt", &none), None);
        let dir = ContextCopy::new(&["service/"], "./service/", "/app");
        assert_eq!(
            dir.source_of("/app/service/requirements.txt", &none)
                .as_deref(),
            Some("service/requirements.txt")
        );
        let files = ContextCopy::new(&["requirements.txt", "src/main.py"], "./", "/app");
        assert_eq!(
            files.source_of("/app/requirements.txt", &none).as_deref(),
            Some("requirements.txt")
        );
        assert_eq!(files.source_of("/app/other.txt", &none), None);
        let renamed = ContextCopy::new(&["requirements/prod.txt"], "/tmp/req.txt", "/");
        assert_eq!(
            renamed.source_of("/tmp/req.txt", &none).as_deref(),
            Some("requirements/prod.txt")
        );
        let glob = ContextCopy::new(&["requirements*.txt"], ".", "/app");
        assert_eq!(
            glob.source_of("/app/requirements-dev.txt", &none)
                .as_deref(),
            Some("requirements-dev.txt")
        );
        assert!(
            dir.overlaps("/app") && dir.overlaps("/app/service/x") && !dir.overlaps("/app/other")
        );
    }
}
