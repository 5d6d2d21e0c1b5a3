//! All rules, one per file, grouped by category.

pub mod cache;
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
];
