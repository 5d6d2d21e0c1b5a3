//! All rules, one per file, grouped by category.

pub mod buildkit;
pub mod cache;
pub mod hadolint;
pub mod helpers;
pub mod security;
pub mod size;

use crate::registry::Rule;

/// Every rule in code order.
pub static RULES: &[&Rule] = &[
    &cache::copy_before_install::RULE,
    &cache::missing_cache_mount::RULE,
    &cache::no_cache_with_mount::RULE,
    &cache::cache_in_layer::RULE,
    &cache::cache_mount_target::RULE,
    &cache::uv_link_mode::RULE,
    &cache::apt_update_alone::RULE,
    &cache::apt_cleanup::RULE,
    &cache::volatile_arg::RULE,
    &cache::add_remote_url::RULE,
    &cache::unpinned_base_image::RULE,
    &cache::dockerignore::MISSING,
    &cache::dockerignore::LEAKS,
    &cache::requirements_local_paths::RULE,
    &size::build_tools_in_final::RULE,
    &size::venv_copies::REINSTALL,
    &size::venv_copies::BASE_MISMATCH,
    &size::venv_copies::EDITABLE,
    &size::venv_copies::NOT_ON_PATH,
    &size::manager_in_runtime::RULE,
    &size::venv_copies::USER_INSTALL,
    &security::root_user::RULE,
    &security::secrets::RULE,
    &security::sudo::RULE,
    &security::shell_form_cmd::RULE,
    &security::unbuffered::RULE,
    &buildkit::stage_name_casing::RULE,
    &buildkit::from_as_casing::RULE,
    &buildkit::no_empty_continuation::RULE,
    &buildkit::instruction_casing::RULE,
    &buildkit::stage_names::DUPLICATE,
    &buildkit::stage_names::RESERVED,
    &buildkit::maintainer::RULE,
    &buildkit::from_args::UNDEFINED_ARG,
    &buildkit::workdir_relative::RULE,
    &buildkit::undefined_var::RULE,
    &buildkit::multiple_instructions::RULE,
    &buildkit::legacy_key_value::RULE,
    &buildkit::from_args::REDUNDANT_PLATFORM,
    &buildkit::from_args::INVALID_DEFAULT,
    &buildkit::from_args::CONST_PLATFORM,
    &buildkit::expose::PROTO_CASING,
    &buildkit::expose::INVALID_FORMAT,
    &buildkit::copy_ignored_file::RULE,
    &hadolint::cd_in_run::RULE,
    &hadolint::apt_pinning::PIN,
    &hadolint::pip_pinning::RULE,
    &hadolint::apt_pinning::RECOMMENDS,
    &hadolint::add_instead_of_copy::RULE,
    &hadolint::consecutive_run::RULE,
    &hadolint::pipefail::RULE,
    &hadolint::apt_pinning::YES,
];
