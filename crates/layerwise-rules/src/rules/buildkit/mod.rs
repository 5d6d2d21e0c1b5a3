//! Rules matching BuildKit's build checks (LW4xx).

pub mod copy_ignored_file;
pub mod expose;
pub mod from_args;
pub mod from_as_casing;
pub mod instruction_casing;
pub mod legacy_key_value;
pub mod maintainer;
pub mod multiple_instructions;
pub mod no_empty_continuation;
pub mod stage_name_casing;
pub mod stage_names;
pub mod undefined_var;
pub mod workdir_relative;
