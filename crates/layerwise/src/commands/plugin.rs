//! layerwise as a Docker CLI plugin: the metadata call the docker CLI makes
//! (`docker-cli-plugin-metadata`), the command line it passes
//! (`docker-layerwise layerwise ARGS…`), and `layerwise plugin install`, which
//! links the running binary into the CLI's plugin directory.

use std::ffi::OsString;
use std::path::Path;

use anyhow::{Context as _, Result, anyhow, bail};
use clap::Subcommand;

use crate::exit;

/// The name the docker CLI runs a plugin for `docker layerwise` by.
const PLUGIN_FILE: &str = "docker-layerwise";

#[derive(Subcommand, Debug)]
pub enum PluginCommand {
    /// Link this binary as the Docker CLI plugin `docker layerwise`
    /// (`$DOCKER_CONFIG/cli-plugins/docker-layerwise`, or under `~/.docker`).
    Install,
}

/// The command line to parse: run by the docker CLI as a plugin, argv[1] is
/// the plugin's name (`docker-layerwise layerwise check …`), which is dropped.
pub fn command_line(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    let as_plugin = args
        .first()
        .and_then(|argv0| Path::new(argv0).file_name())
        .is_some_and(|name| name == PLUGIN_FILE);
    if as_plugin && args.get(1).is_some_and(|word| word == "layerwise") {
        args.remove(1);
    }
    args
}

/// The answer to the docker CLI's metadata call.
pub fn metadata() -> Result<u8> {
    let answer = serde_json::json!({
        "SchemaVersion": "0.1.0",
        "Vendor": "layerwise",
        "Version": env!("CARGO_PKG_VERSION"),
        "ShortDescription": "Lint, fix and build Python Dockerfiles for fast rebuilds",
        "URL": env!("CARGO_PKG_REPOSITORY"),
    });
    println!("{answer}");
    Ok(exit::SUCCESS)
}

pub fn run(command: PluginCommand) -> Result<u8> {
    match command {
        PluginCommand::Install => install(),
    }
}

fn install() -> Result<u8> {
    let config_dir = layerwise_engine::EnvInputs::from_process()
        .config_dir
        .ok_or_else(|| {
            anyhow!("neither DOCKER_CONFIG nor HOME is set: no Docker config directory")
        })?;
    let plugins = config_dir.join("cli-plugins");
    let link = plugins.join(PLUGIN_FILE);
    let binary = std::env::current_exe()
        .and_then(|path| path.canonicalize())
        .context("cannot find the running layerwise binary")?;
    // Replace an earlier link, never a file the user put there.
    if let Ok(existing) = link.symlink_metadata()
        && !existing.file_type().is_symlink()
    {
        bail!(
            "{}: exists and is not a link; remove it to install layerwise there",
            link.display()
        );
    }
    std::fs::create_dir_all(&plugins)
        .with_context(|| format!("cannot create {}", plugins.display()))?;
    // A new link beside the old one, renamed over it: never a moment without one.
    let staged = plugins.join(format!(".{PLUGIN_FILE}.{}", std::process::id()));
    let _ = std::fs::remove_file(&staged);
    symlink(&binary, &staged).with_context(|| format!("cannot write {}", staged.display()))?;
    if let Err(err) = std::fs::rename(&staged, &link) {
        let _ = std::fs::remove_file(&staged);
        return Err(err).with_context(|| format!("cannot write {}", link.display()));
    }
    println!("{} -> {}", link.display(), binary.display());
    println!("run it as `docker layerwise check`");
    Ok(exit::SUCCESS)
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "plugin links are made on Unix only; copy the binary there as docker-layerwise.exe",
    ))
}

#[cfg(test)]
mod tests {
    use super::command_line;
    use std::ffi::OsString;

    fn words(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn plugin_name_is_dropped_only_when_run_as_the_plugin() {
        let plugin = words(&[
            "/home/u/.docker/cli-plugins/docker-layerwise",
            "layerwise",
            "check",
        ]);
        assert_eq!(
            command_line(plugin),
            words(&["/home/u/.docker/cli-plugins/docker-layerwise", "check"])
        );
        let direct = words(&["layerwise", "layerwise", "check"]);
        assert_eq!(command_line(direct.clone()), direct);
        let metadata = words(&["docker-layerwise", "docker-cli-plugin-metadata"]);
        assert_eq!(command_line(metadata.clone()), metadata);
    }
}
