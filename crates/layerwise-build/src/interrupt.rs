//! Ctrl-C for builds: dropping an engine build future closes the request and
//! its session, so the engine cancels the solve and tags nothing.

use std::future::Future;
use std::time::Duration;

use tokio::signal::unix::{Signal, SignalKind, signal};

/// Ctrl-C (SIGINT), listened for from [`Interrupt::listen`] on. While it
/// lives, SIGINT no longer ends the process: the caller decides, and can
/// remove what it made first.
pub struct Interrupt {
    sigint: Signal,
}

/// Ctrl-C arrived before the work finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

impl Interrupt {
    /// Starts listening; must be called inside a tokio runtime.
    pub fn listen() -> std::io::Result<Interrupt> {
        Ok(Interrupt {
            sigint: signal(SignalKind::interrupt())?,
        })
    }

    /// Whether Ctrl-C arrived since the last look, without waiting.
    pub async fn arrived(&mut self) -> bool {
        tokio::time::timeout(Duration::ZERO, self.sigint.recv())
            .await
            .is_ok()
    }
}

/// Runs `work` unless Ctrl-C comes first; then `work` is dropped (a build
/// in it is cancelled on the engine).
pub async fn until_interrupted<F: Future>(
    interrupt: &mut Interrupt,
    work: F,
) -> Result<F::Output, Interrupted> {
    tokio::select! {
        output = work => Ok(output),
        _ = interrupt.sigint.recv() => Err(Interrupted),
    }
}
