//! Cache and layer-order rules (LW1xx).

pub mod add_remote_url;
pub mod apt_cleanup;
pub mod apt_update_alone;
pub mod cache_in_layer;
pub mod cache_mount_target;
pub mod copy_before_install;
pub mod dockerignore;
pub mod missing_cache_mount;
pub mod no_cache_with_mount;
pub mod requirements_local_paths;
pub mod unpinned_base_image;
pub mod uv_link_mode;
pub mod volatile_arg;
