//! Security and runtime-correctness rules (LW3xx).

pub mod root_user;
pub mod secrets;
pub mod shell_form_cmd;
pub mod sudo;
pub mod unbuffered;
