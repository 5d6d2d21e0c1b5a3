//! `pip` and its pip-compatible front-end `uv pip`.

use crate::Word;
use crate::args::{Opt, OptSpec, find, flag, parse_args, val, values};
use crate::tools::split_subcommand;

/// Which program provides the pip interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipFrontend {
    /// `pip`, `pip3`, `python -m pip`.
    Pip,
    /// `uv pip …`.
    UvPip,
}

/// The pip subcommand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PipSubcommand {
    /// `install`
    Install,
    /// `uninstall`
    Uninstall,
    /// `wheel`
    Wheel,
    /// `download`
    Download,
    /// `freeze`
    Freeze,
    /// `uv pip sync`
    Sync,
    /// `uv pip compile`
    Compile,
    /// Anything else (`list`, `show`, `config`, …), as written.
    Other(String),
    /// No subcommand (e.g. `pip --version`).
    None,
}

/// A package index given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexUrl {
    /// The URL as given.
    pub url: Word,
    /// True for `--extra-index-url`, false for the primary index.
    pub extra: bool,
    /// True when the URL embeds `user:password@`, which would be baked into
    /// the image history.
    pub has_credentials: bool,
}

/// One pip invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pip {
    /// `pip` or `uv pip`.
    pub frontend: PipFrontend,
    /// What pip was asked to do.
    pub subcommand: PipSubcommand,
    /// The subcommand word, for its position.
    pub subcommand_word: Option<Word>,
    /// `-r FILE` / `--requirement FILE` (and `uv pip sync FILE`).
    pub requirement_files: Vec<Word>,
    /// `-c FILE` / `--constraint FILE`.
    pub constraint_files: Vec<Word>,
    /// `-e TARGET` / `--editable TARGET`.
    pub editables: Vec<Word>,
    /// Requirement specifiers such as `flask==3.0` or `git+https://…`.
    pub packages: Vec<Word>,
    /// Local directories and archives: `.`, `./dist/*.whl`, `/src`.
    pub local_paths: Vec<Word>,
    /// `--index-url` / `--extra-index-url` (and uv's `--index`).
    pub index_urls: Vec<IndexUrl>,
    /// Every option, canonical long names (`-U` is `--upgrade`).
    pub options: Vec<Opt>,
}

impl Pip {
    /// The first option with this canonical name, e.g. `--no-deps`.
    pub fn option(&self, name: &str) -> Option<&Opt> {
        find(&self.options, name)
    }

    /// The option that disables the download cache: `--no-cache-dir` for
    /// pip, `--no-cache`/`-n` for uv.
    pub fn no_cache(&self) -> Option<&Opt> {
        self.option("--no-cache-dir")
            .or_else(|| self.option("--no-cache"))
    }

    /// `--cache-dir DIR`.
    pub fn cache_dir(&self) -> Option<&Word> {
        self.option("--cache-dir").and_then(|o| o.value.as_ref())
    }

    /// `--user`.
    pub fn user(&self) -> Option<&Opt> {
        self.option("--user")
    }

    /// `--target DIR`.
    pub fn target(&self) -> Option<&Word> {
        self.option("--target").and_then(|o| o.value.as_ref())
    }

    /// `--prefix DIR`.
    pub fn prefix(&self) -> Option<&Word> {
        self.option("--prefix").and_then(|o| o.value.as_ref())
    }

    /// `--no-deps`.
    pub fn no_deps(&self) -> Option<&Opt> {
        self.option("--no-deps")
    }

    /// `--upgrade` / `-U`.
    pub fn upgrade(&self) -> Option<&Opt> {
        self.option("--upgrade")
    }

    /// `--require-hashes`.
    pub fn require_hashes(&self) -> Option<&Opt> {
        self.option("--require-hashes")
    }

    /// `--no-binary` values.
    pub fn no_binary(&self) -> Vec<Word> {
        values(&self.options, "--no-binary")
    }

    /// `--break-system-packages`.
    pub fn break_system_packages(&self) -> Option<&Opt> {
        self.option("--break-system-packages")
    }

    /// `uv pip --system`: install into the system interpreter.
    pub fn system(&self) -> Option<&Opt> {
        self.option("--system")
    }

    /// True when this installs the project in the current or a given
    /// directory (`pip install .`, `pip install -e .`), which needs the
    /// source code copied first.
    pub fn installs_local_project(&self) -> bool {
        !self.local_paths.is_empty() || !self.editables.is_empty()
    }
}

/// Options shared by pip and `uv pip`. Only the value-taking ones matter
/// for correctness; the flags are listed to give them canonical names.
const COMMON: &[OptSpec] = &[
    val(&["--requirement", "-r"]),
    val(&["--constraint", "-c"]),
    val(&["--editable", "-e"]),
    val(&["--index-url", "-i"]),
    val(&["--extra-index-url"]),
    val(&["--find-links", "-f"]),
    val(&["--target", "-t"]),
    val(&["--prefix"]),
    val(&["--root"]),
    val(&["--cache-dir"]),
    val(&["--no-binary"]),
    val(&["--only-binary"]),
    val(&["--platform"]),
    val(&["--python-version"]),
    val(&["--implementation"]),
    val(&["--abi"]),
    val(&["--src"]),
    val(&["--upgrade-strategy"]),
    val(&["--progress-bar"]),
    val(&["--log"]),
    val(&["--log-file"]),
    val(&["--proxy"]),
    val(&["--retries"]),
    val(&["--timeout"]),
    val(&["--exists-action"]),
    val(&["--trusted-host"]),
    val(&["--cert"]),
    val(&["--client-cert"]),
    val(&["--global-option"]),
    val(&["--install-option"]),
    val(&["--config-settings"]),
    val(&["--report"]),
    val(&["--root-user-action"]),
    val(&["--dest", "-d"]),
    val(&["--wheel-dir", "-w"]),
    val(&["--build", "-b"]),
    val(&["--keyring-provider"]),
    val(&["--use-feature"]),
    val(&["--use-deprecated"]),
    val(&["--group"]),
    val(&["--override"]),
    val(&["--extra"]),
    flag(&["--no-cache-dir"]),
    flag(&["--user"]),
    flag(&["--no-deps"]),
    flag(&["--upgrade", "-U"]),
    flag(&["--force-reinstall"]),
    flag(&["--ignore-installed", "-I"]),
    flag(&["--require-hashes"]),
    flag(&["--break-system-packages"]),
    flag(&["--pre"]),
    flag(&["--quiet", "-q"]),
    flag(&["--verbose", "-v"]),
    flag(&["--no-index"]),
    flag(&["--yes", "-y"]),
    flag(&["--disable-pip-version-check"]),
    flag(&["--no-build-isolation"]),
];

/// Options only pip has (where a short name means something else in uv).
const PIP_ONLY: &[OptSpec] = &[val(&["--python"]), val(&["--config-settings", "-C"])];

/// Options only `uv pip` has.
const UV_ONLY: &[OptSpec] = &[
    val(&["--python", "-p"]),
    val(&["--index"]),
    val(&["--default-index"]),
    val(&["--link-mode"]),
    val(&["--output-file", "-o"]),
    val(&["--torch-backend"]),
    val(&["--python-platform"]),
    val(&["--exclude-newer"]),
    val(&["--resolution"]),
    val(&["--prerelease"]),
    val(&["--index-strategy"]),
    val(&["--config-setting", "-C"]),
    val(&["--directory"]),
    val(&["--project"]),
    val(&["--config-file"]),
    val(&["--color"]),
    val(&["--cache-dir"]),
    flag(&["--no-cache", "-n"]),
    flag(&["--system"]),
    flag(&["--strict"]),
    flag(&["--all-extras"]),
    flag(&["--compile-bytecode"]),
];

/// True for an argument that names a local directory or archive rather
/// than a requirement specifier.
fn is_local_path(text: &str) -> bool {
    if text.contains("://") {
        return text.starts_with("file:");
    }
    text == "."
        || text == ".."
        || text.starts_with("./")
        || text.starts_with("../")
        || text.starts_with('/')
        || text.starts_with('~')
        || text.ends_with(".whl")
        || text.ends_with(".tar.gz")
        || text.ends_with(".zip")
}

/// True when the URL has a `user[:password]@` part.
pub(crate) fn url_has_credentials(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority.contains('@')
}

/// Parses the arguments after `pip` (or after `uv pip`).
pub(crate) fn parse(frontend: PipFrontend, args: &[Word]) -> Pip {
    let spec: &[&[OptSpec]] = match frontend {
        PipFrontend::Pip => &[COMMON, PIP_ONLY],
        PipFrontend::UvPip => &[COMMON, UV_ONLY],
    };
    let parsed = parse_args(args, spec, false);
    let (sub_word, operands) = split_subcommand(&parsed);
    let subcommand = match sub_word.as_ref().map(|w| w.text.as_str()) {
        None => PipSubcommand::None,
        Some("install") => PipSubcommand::Install,
        Some("uninstall") => PipSubcommand::Uninstall,
        Some("wheel") => PipSubcommand::Wheel,
        Some("download") => PipSubcommand::Download,
        Some("freeze") => PipSubcommand::Freeze,
        Some("sync") => PipSubcommand::Sync,
        Some("compile") => PipSubcommand::Compile,
        Some(other) => PipSubcommand::Other(other.to_owned()),
    };
    let mut requirement_files = values(&parsed.opts, "--requirement");
    let mut packages = Vec::new();
    let mut local_paths = Vec::new();
    match subcommand {
        PipSubcommand::Install
        | PipSubcommand::Wheel
        | PipSubcommand::Download
        | PipSubcommand::Uninstall => {
            for w in operands {
                if is_local_path(&w.text) {
                    local_paths.push(w);
                } else {
                    packages.push(w);
                }
            }
        }
        // `uv pip sync` and `uv pip compile` take requirement files as operands.
        PipSubcommand::Sync | PipSubcommand::Compile => requirement_files.extend(operands),
        _ => {}
    }
    let index_urls = parsed
        .opts
        .iter()
        .filter_map(|o| {
            let extra = match o.name.as_str() {
                "--index-url" | "--default-index" => false,
                "--extra-index-url" | "--index" => true,
                _ => return None,
            };
            let url = o.value.clone()?;
            Some(IndexUrl {
                has_credentials: url_has_credentials(&url.text),
                url,
                extra,
            })
        })
        .collect();
    Pip {
        frontend,
        subcommand,
        subcommand_word: sub_word,
        constraint_files: values(&parsed.opts, "--constraint"),
        editables: values(&parsed.opts, "--editable"),
        requirement_files,
        packages,
        local_paths,
        index_urls,
        options: parsed.opts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Script, ToolInvocation, analyze, invocations};

    fn pips(script: &str) -> Vec<Pip> {
        invocations(&analyze(script))
            .into_iter()
            .filter_map(|i| match i.tool {
                ToolInvocation::Pip(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    fn texts(words: &[Word]) -> Vec<&str> {
        words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn install_with_requirements_and_options() {
        let s = "set -eux; pip install --no-cache-dir -r requirements.txt -c constraints.txt \
                 'uvicorn[standard]>=0.30' gunicorn==22.0 -U --no-deps";
        let p = &pips(s)[0];
        assert_eq!(p.subcommand, PipSubcommand::Install);
        assert_eq!(texts(&p.requirement_files), ["requirements.txt"]);
        assert_eq!(texts(&p.constraint_files), ["constraints.txt"]);
        assert_eq!(
            texts(&p.packages),
            ["uvicorn[standard]>=0.30", "gunicorn==22.0"]
        );
        let opt = p.no_cache().map(|o| &s[o.span.clone()]);
        assert_eq!(opt, Some("--no-cache-dir"));
        assert!(p.upgrade().is_some());
        assert!(p.no_deps().is_some());
        assert!(p.user().is_none());
        assert_eq!(&s[p.packages[0].span.clone()], "'uvicorn[standard]>=0.30'");
    }

    #[test]
    fn program_spellings() {
        let s = "pip3 install a && python3.12 -m pip install b && /opt/venv/bin/pip install c \
                 && $VENV/bin/pip install d && pip3.11 install e";
        let all = pips(s);
        let pkgs: Vec<&str> = all.iter().flat_map(|p| texts(&p.packages)).collect();
        assert_eq!(pkgs, ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn local_project_and_editables() {
        let p = &pips("pip install --user -e . ./dist/*.whl --target=/deps --prefix /usr/local")[0];
        assert_eq!(texts(&p.editables), ["."]);
        assert_eq!(texts(&p.local_paths), ["./dist/*.whl"]);
        assert!(p.installs_local_project());
        assert!(p.user().is_some());
        assert_eq!(p.target().map(|w| w.text.as_str()), Some("/deps"));
        assert_eq!(p.prefix().map(|w| w.text.as_str()), Some("/usr/local"));
        let p = &pips("pip install flask")[0];
        assert!(!p.installs_local_project());
    }

    #[test]
    fn index_urls_and_credentials() {
        let s = "pip install -i https://pypi.internal/simple \
                 --extra-index-url https://user:${TOKEN}@repo.example/simple x";
        let p = &pips(s)[0];
        assert_eq!(p.index_urls.len(), 2);
        assert!(!p.index_urls[0].extra && !p.index_urls[0].has_credentials);
        assert!(p.index_urls[1].extra && p.index_urls[1].has_credentials);
        assert!(!p.index_urls[1].url.literal);
        assert_eq!(texts(&p.packages), ["x"]);
        assert!(!url_has_credentials("https://host/simple?a=b@c"));
    }

    #[test]
    fn other_subcommands_and_flags() {
        let all = pips(
            "pip uninstall -y setuptools; pip wheel -w /wheels -r req.txt; \
             pip download -d /d x; pip freeze > req.txt; pip --version; \
             pip install --require-hashes --no-binary :all: --cache-dir /c --break-system-packages y",
        );
        assert_eq!(all[0].subcommand, PipSubcommand::Uninstall);
        assert_eq!(texts(&all[0].packages), ["setuptools"]);
        assert_eq!(all[1].subcommand, PipSubcommand::Wheel);
        assert_eq!(texts(&all[1].requirement_files), ["req.txt"]);
        assert!(all[1].packages.is_empty());
        assert_eq!(all[2].subcommand, PipSubcommand::Download);
        assert_eq!(texts(&all[2].packages), ["x"]);
        assert_eq!(all[3].subcommand, PipSubcommand::Freeze);
        assert_eq!(all[4].subcommand, PipSubcommand::None);
        let p = &all[5];
        assert!(p.require_hashes().is_some());
        assert_eq!(texts(&p.no_binary()), [":all:"]);
        assert_eq!(p.cache_dir().map(|w| w.text.as_str()), Some("/c"));
        assert!(p.break_system_packages().is_some());
        assert_eq!(texts(&p.packages), ["y"]);
    }

    #[test]
    fn env_prefix_and_conditional_context() {
        let s = "if [ -f requirements.txt ]; then PIP_NO_CACHE_DIR=1 pip install -r requirements.txt; fi";
        let script: Script = analyze(s);
        let inv = invocations(&script);
        let cmd = &script.commands[inv[0].command];
        assert!(cmd.conditional);
        assert_eq!(cmd.env_prefix[0].name, "PIP_NO_CACHE_DIR");
        assert_eq!(cmd.env_prefix[0].value.text, "1");
        assert_eq!(
            &s[cmd.span.clone()],
            "PIP_NO_CACHE_DIR=1 pip install -r requirements.txt"
        );
    }

    #[test]
    fn pip_install_poetry_is_a_pip_call() {
        let p = &pips("pip install 'poetry==1.8.3'")[0];
        assert_eq!(texts(&p.packages), ["poetry==1.8.3"]);
    }
}
