//! Versions of the installers the generated builder stage uses. Pinned so
//! that a rebuild months later installs the same tool; bump them here.

/// uv's version, for its published image and its package alike.
pub const UV_VERSION: &str = "0.13.9";
/// uv's package, installed with pip when the image cannot be reached.
pub const UV: &str = "uv==0.13.9";

/// uv's published image at [`UV_VERSION`]: two static binaries, `/uv` and
/// `/uvx`, which the builder copies instead of installing uv with pip.
pub fn uv_image() -> String {
    format!("ghcr.io/astral-sh/uv:{UV_VERSION}")
}
pub const POETRY: &str = "poetry==2.5.1";
pub const POETRY_EXPORT_PLUGIN: &str = "poetry-plugin-export==1.10.1";
pub const PIPENV: &str = "pipenv==2026.10.3";
pub const PDM: &str = "pdm==2.29.4";
