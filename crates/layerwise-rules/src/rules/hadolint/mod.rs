//! hadolint rules that matter for Python images (LW5xx).

pub mod add_instead_of_copy;
pub mod apt_pinning;
pub mod cd_in_run;
pub mod consecutive_run;
pub mod pip_pinning;
pub mod pipefail;
