//! The layerwise language server: `layerwise server` speaks the Language
//! Server Protocol over stdio. The analysis is `check`'s (`layerwise-rules`);
//! this crate keeps the editor's documents ([`document`]), turns findings into
//! diagnostics ([`analysis`]), fixes and suppressions into code actions
//! ([`actions`]), rule docs and cache key inputs into hovers ([`hover`], [`cache`]), and runs the protocol
//! loop ([`server`]).

pub mod actions;
pub mod analysis;
pub mod cache;
pub mod document;
pub mod hover;
pub mod server;

pub use server::run_stdio;

/// What a caught panic said, for the error the client sees.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}
