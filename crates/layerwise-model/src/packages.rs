//! What a package-manager call installs: the summary rules reason about.

use crate::shell::Word;
use crate::tools::{Invocation, PIP_VALUE_OPTIONS, Tool};

/// Python packages that install packages (the installers and their
/// plugins): cheap tooling steps, not the project's dependencies.
pub const INSTALLER_PACKAGES: &[&str] = &[
    "pip",
    "setuptools",
    "wheel",
    "uv",
    "poetry",
    "poetry-plugin-export",
    "pipenv",
    "pdm",
    "virtualenv",
];

/// Whether a requirement specifier (`poetry==1.8.3`, `pip>=24`) names an
/// installer package.
pub fn is_installer_package(requirement: &str) -> bool {
    let name = requirement
        .split(['=', '<', '>', '~', '!', '[', ';', ' '])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    INSTALLER_PACKAGES.contains(&name.as_str())
}

/// Whether a system (apt/apk) package is only needed to build: compilers,
/// build systems, headers.
pub fn is_build_package(package: &str) -> bool {
    let name = package.split(['=', ':']).next().unwrap_or(package);
    matches!(
        name,
        "gcc"
            | "g++"
            | "cc"
            | "clang"
            | "build-essential"
            | "build-base"
            | "make"
            | "cmake"
            | "ninja-build"
            | "autoconf"
            | "automake"
            | "libtool"
            | "pkg-config"
            | "pkgconf"
            | "gfortran"
            | "swig"
            | "rustc"
            | "cargo"
            | "cython"
            | "cython3"
    ) || name.starts_with("gcc-")
        || name.starts_with("g++-")
        || name.ends_with("-dev")
        || name.ends_with("-devel")
}

/// The Python package manager behind an install.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Manager {
    Pip,
    Uv,
    Poetry,
    Pipenv,
    Pdm,
}

impl Manager {
    /// The command name.
    pub fn name(self) -> &'static str {
        match self {
            Manager::Pip => "pip",
            Manager::Uv => "uv",
            Manager::Poetry => "poetry",
            Manager::Pipenv => "pipenv",
            Manager::Pdm => "pdm",
        }
    }

    /// The cache directory relative to HOME (`~/.cache/...`).
    pub fn cache_dir(self) -> &'static str {
        match self {
            Manager::Pip | Manager::Pipenv => ".cache/pip",
            Manager::Uv => ".cache/uv",
            Manager::Poetry => ".cache/pypoetry",
            Manager::Pdm => ".cache/pdm",
        }
    }

    /// The environment variable that relocates the cache.
    pub fn cache_env(self) -> &'static str {
        match self {
            Manager::Pip | Manager::Pipenv => "PIP_CACHE_DIR",
            Manager::Uv => "UV_CACHE_DIR",
            Manager::Poetry => "POETRY_CACHE_DIR",
            Manager::Pdm => "PDM_CACHE_DIR",
        }
    }
}

/// A Python dependency install found in a RUN command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PythonInstall {
    pub manager: Manager,
    /// Index into the RUN's invocations.
    pub invocation: usize,
    /// The whole command words, for spans.
    pub program: Word,
    /// `-r FILE` values.
    pub requirement_files: Vec<Word>,
    /// `-c FILE` values.
    pub constraint_files: Vec<Word>,
    /// `-e TARGET` values.
    pub editables: Vec<Word>,
    /// Package arguments (requirement specifiers, paths, `.`).
    pub packages: Vec<Word>,
    /// The `--user` option.
    pub user: Option<Word>,
    /// `--no-cache-dir` (pip) or `--no-cache`/`-n` (uv, pipenv).
    pub no_cache: Option<Word>,
    /// `--target`/`--prefix`/`--root` was given: files go to a custom place.
    pub custom_location: bool,
    /// `--no-deps`: only the named packages, none of their dependencies.
    pub no_deps: bool,
    /// Options that change where packages come from or which versions are
    /// chosen (`--index-url`, `--find-links`, `--pre`, `--only-binary`…),
    /// as written.
    pub resolution_options: Vec<Word>,
}

impl PythonInstall {
    /// Whether this installs only the local project (`pip install --no-deps .`):
    /// after the dependencies were installed from the manifests, this step
    /// needs the sources and downloads nothing, so it belongs after `COPY . .`.
    pub fn only_local_project(&self) -> bool {
        self.no_deps
            && self.requirement_files.is_empty()
            && !self.packages.is_empty()
            && self
                .packages
                .iter()
                .chain(&self.editables)
                .all(|p| p.value.starts_with('.') || p.value.starts_with('/'))
    }

    /// Whether this install only upgrades the installer tooling itself
    /// (`pip install -U pip setuptools wheel`), which is cheap.
    pub fn only_tooling(&self) -> bool {
        self.requirement_files.is_empty()
            && self.editables.is_empty()
            && !self.packages.is_empty()
            && self.packages.iter().all(|p| is_installer_package(&p.value))
    }

    /// Whether this install reads dependency manifests or the project itself
    /// (as opposed to a fixed list of packages).
    pub fn reads_project(&self) -> bool {
        !self.requirement_files.is_empty()
            || !self.editables.is_empty()
            || matches!(
                self.manager,
                Manager::Poetry | Manager::Pipenv | Manager::Pdm
            )
            || (self.manager == Manager::Uv && self.packages.is_empty())
            || self
                .packages
                .iter()
                .any(|p| p.value.starts_with('.') || p.value.starts_with('/'))
    }
}

/// Recognizes a Python install in `inv` (index `index`).
pub fn python_install(index: usize, inv: &Invocation) -> Option<PythonInstall> {
    let sub = inv.sub();
    let (manager, args): (Manager, &[Word]) = match inv.tool {
        Tool::Pip if sub == "install" => (Manager::Pip, inv.args()),
        Tool::Uv if sub == "pip" => {
            let pos = inv.args().iter().position(|w| w.value == "pip")?;
            let next = inv.args().get(pos + 1)?;
            if next.value != "install" && next.value != "sync" {
                return None;
            }
            (Manager::Uv, &inv.args()[pos + 1..])
        }
        Tool::Uv if sub == "sync" => (Manager::Uv, inv.args()),
        Tool::Poetry if sub == "install" || sub == "sync" => (Manager::Poetry, inv.args()),
        Tool::Pipenv if sub == "install" || sub == "sync" => (Manager::Pipenv, inv.args()),
        Tool::Pdm if sub == "install" || sub == "sync" => (Manager::Pdm, inv.args()),
        _ => return None,
    };
    let mut install = PythonInstall {
        manager,
        invocation: index,
        program: inv.program().clone(),
        requirement_files: Vec::new(),
        constraint_files: Vec::new(),
        editables: Vec::new(),
        packages: Vec::new(),
        user: None,
        no_cache: None,
        custom_location: false,
        no_deps: false,
        resolution_options: Vec::new(),
    };
    let mut seen_sub = false;
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let v = w.value.as_str();
        let (name, inline) = match v.split_once('=') {
            Some((n, val)) if n.starts_with("--") => (n, Some(val)),
            _ => (v, None),
        };
        let value_word = || -> Option<Word> {
            match inline {
                Some(val) => Some(Word {
                    value: val.to_string(),
                    range: (w.range.end - val.len())..w.range.end,
                    quoted: w.quoted,
                }),
                None => args.get(i + 1).cloned(),
            }
        };
        let consumed = if inline.is_some() { 1 } else { 2 };
        match name {
            "-r" | "--requirement" | "--requirements" => {
                install.requirement_files.extend(value_word());
                i += consumed;
                continue;
            }
            "-c" | "--constraint" | "--constraints" => {
                install.constraint_files.extend(value_word());
                i += consumed;
                continue;
            }
            "-e" | "--editable" => {
                install.editables.extend(value_word());
                i += consumed;
                continue;
            }
            "--user" => install.user = Some(w.clone()),
            "--no-cache-dir" | "--no-cache" => install.no_cache = Some(w.clone()),
            "-n" if manager == Manager::Uv => install.no_cache = Some(w.clone()),
            "--target" | "-t" | "--prefix" | "--root" => install.custom_location = true,
            "--no-deps" => install.no_deps = true,
            _ if RESOLUTION_OPTIONS.contains(&name) => install.resolution_options.push(w.clone()),
            _ => {}
        }
        if short_requirement(v).is_some() {
            // `-rrequirements.txt`
            let file = short_requirement(v).unwrap_or_default();
            let word = Word {
                value: file.to_string(),
                range: (w.range.end - file.len().min(w.range.len()))..w.range.end,
                quoted: w.quoted,
            };
            if v.starts_with("-r") {
                install.requirement_files.push(word);
            } else {
                install.constraint_files.push(word);
            }
        } else if v.starts_with('-') {
            if inline.is_none() && PIP_VALUE_OPTIONS.contains(&name) {
                i += 1;
            }
        } else if !seen_sub && (v == "install" || v == "sync") {
            seen_sub = true;
        } else if manager == Manager::Pip || manager == Manager::Uv {
            install.packages.push(w.clone());
        }
        i += 1;
    }
    Some(install)
}

/// Install options that decide which packages (or builds of them) are
/// installed, beyond the requirements themselves: pip's and uv's spellings.
const RESOLUTION_OPTIONS: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "--index",
    "--default-index",
    "--index-strategy",
    "-f",
    "--find-links",
    "--no-index",
    "--pre",
    "--prerelease",
    "--only-binary",
    "--no-binary",
    "--prefer-binary",
    "--trusted-host",
    "--upgrade-strategy",
    "--resolution",
    "--exclude-newer",
    "--override",
];

fn short_requirement(v: &str) -> Option<&str> {
    let rest = v.strip_prefix("-r").or_else(|| v.strip_prefix("-c"))?;
    (!rest.is_empty() && !rest.starts_with('-')).then_some(rest)
}

/// A system package manager call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemInstall {
    pub tool: Tool,
    pub invocation: usize,
    /// `install` / `add`.
    pub install: bool,
    /// `update`.
    pub update: bool,
    pub packages: Vec<Word>,
    pub no_install_recommends: bool,
    /// `apk add --no-cache`.
    pub no_cache: bool,
}

/// Recognizes an apt-get/apt/apk call.
pub fn system_install(index: usize, inv: &Invocation) -> Option<SystemInstall> {
    if !matches!(inv.tool, Tool::AptGet | Tool::Apt | Tool::Apk) {
        return None;
    }
    let sub = inv.sub();
    let install = matches!(sub, "install" | "add");
    let update = sub == "update";
    let mut packages = Vec::new();
    let mut seen_sub = false;
    let mut i = 0;
    while let Some(w) = inv.args().get(i) {
        if w.value.starts_with('-') {
            if matches!(w.value.as_str(), "-o" | "-c" | "-t" | "--repository" | "-X") {
                i += 1;
            }
        } else if !seen_sub {
            seen_sub = true;
        } else if install {
            packages.push(w.clone());
        }
        i += 1;
    }
    Some(SystemInstall {
        tool: inv.tool,
        invocation: index,
        install,
        update,
        packages,
        no_install_recommends: inv.option(&["--no-install-recommends"]).is_some()
            || inv.args().iter().any(|w| {
                w.value.contains("Install-Recommends=false")
                    || w.value.contains("Install-Recommends=0")
            }),
        no_cache: inv.option(&["--no-cache"]).is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::split;
    use crate::tools::invocations;

    fn installs(text: &str) -> Vec<PythonInstall> {
        invocations(&split(text))
            .iter()
            .enumerate()
            .filter_map(|(i, inv)| python_install(i, inv))
            .collect()
    }

    #[test]
    fn pip_install_options() {
        let got = installs(
            "pip install --no-cache-dir -r requirements.txt -c c.txt --user -e . 'flask==3' --index-url x",
        );
        let i = &got[0];
        assert_eq!(i.manager, Manager::Pip);
        assert_eq!(i.requirement_files[0].value, "requirements.txt");
        assert_eq!(i.constraint_files[0].value, "c.txt");
        assert_eq!(i.editables[0].value, ".");
        assert_eq!(
            i.packages
                .iter()
                .map(|p| p.value.as_str())
                .collect::<Vec<_>>(),
            ["flask==3"]
        );
        assert!(i.user.is_some() && i.no_cache.is_some());
        assert!(i.reads_project());
    }

    #[test]
    fn inline_values_and_tooling() {
        let text = "pip install --requirement=dev.txt";
        let got = installs(text);
        assert_eq!(got[0].requirement_files[0].value, "dev.txt");
        assert_eq!(&text[got[0].requirement_files[0].range.clone()], "dev.txt");
        assert!(installs("pip install -U pip setuptools")[0].only_tooling());
        assert_eq!(installs("uv sync --frozen")[0].manager, Manager::Uv);
        assert_eq!(
            installs("poetry install --no-root")[0].manager,
            Manager::Poetry
        );
        assert!(installs("pip download x").is_empty());
    }

    #[test]
    fn apt_packages() {
        let invs = invocations(&split(
            "apt-get install -y --no-install-recommends gcc libpq-dev",
        ));
        let s = system_install(0, &invs[0]).unwrap();
        assert!(s.install && s.no_install_recommends);
        assert_eq!(s.packages.len(), 2);
    }
}
