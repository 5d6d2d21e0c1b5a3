//! All rules, one per file, grouped by category.

pub mod cache;
pub mod helpers;

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
];
