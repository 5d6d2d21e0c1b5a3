//! Image size and multi-stage rules (LW2xx).

pub mod build_tools_in_final;
pub mod manager_in_runtime;
pub mod venv_copies;
