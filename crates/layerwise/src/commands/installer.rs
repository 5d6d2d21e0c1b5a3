//! The installer options `init` and `fix` share: what installs into the
//! venv and where uv's binary comes from.

use clap::Args;
use layerwise_init::{Frontend, UvSource};

#[derive(Args, Clone, Debug)]
pub struct InstallerArgs {
    /// What installs requirement files, exported lock files and the project
    /// into the venv: `uv pip` (uv's cache keeps every wheel it fetched, so a
    /// dependency edit downloads only what is new) or `pip`. uv projects always
    /// use `uv sync`.
    #[arg(long, value_name = "TOOL", value_enum, default_value = "uv")]
    install_with: InstallWith,
    /// The image the builder copies uv's binary from (default: uv's published
    /// image at the version layerwise pins); name a mirror here.
    #[arg(long, value_name = "IMAGE", conflicts_with = "uv_from_index")]
    uv_image: Option<String>,
    /// Install uv with pip from the package index instead of copying it from
    /// its image, for builders that cannot reach the image's registry.
    #[arg(long)]
    uv_from_index: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum InstallWith {
    Uv,
    Pip,
}

impl InstallerArgs {
    pub fn frontend(&self) -> Frontend {
        match self.install_with {
            InstallWith::Uv => Frontend::Uv,
            InstallWith::Pip => Frontend::Pip,
        }
    }

    /// `None`: uv's published image at the pinned version.
    pub fn uv_source(&self) -> Option<UvSource> {
        match (&self.uv_image, self.uv_from_index) {
            (_, true) => Some(UvSource::Index),
            (Some(image), false) => Some(UvSource::Image(image.clone())),
            (None, false) => None,
        }
    }
}
