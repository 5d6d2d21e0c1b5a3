//! Versions of the installers the generated builder stage installs with pip.
//! Pinned so that a rebuild months later installs the same tool; bump them here.

pub const UV: &str = "uv==0.13.9";
pub const POETRY: &str = "poetry==2.5.1";
pub const POETRY_EXPORT_PLUGIN: &str = "poetry-plugin-export==1.10.1";
pub const PIPENV: &str = "pipenv==2026.10.3";
pub const PDM: &str = "pdm==2.29.4";
