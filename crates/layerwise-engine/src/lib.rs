//! The Docker Engine client behind `layerwise build` and `layerwise doctor`.
//!
//! * [`Engine::connect`] finds the engine as the docker CLI does
//!   (`DOCKER_CONTEXT`, `DOCKER_HOST`, the current context, the default
//!   socket) and negotiates the API version.
//! * [`Engine::build`] runs a BuildKit build through the Engine API with a
//!   session served by layerwise (secrets, registry credentials), folds the
//!   progress into Dockerfile [`Step`]s, and closes the session afterwards.
//!   Where the API cannot run a BuildKit build it falls back to a docker CLI
//!   that can, parsing its plain progress; [`BuildOutcome::path`] says which.
//! * [`system`] gathers what `doctor` reports and the image and cache
//!   operations tests and `build` need (push, prune, run, remove).
//!
//! The build context is an input (a tar archive): the engine does not apply
//! `.dockerignore` to it, so the caller sends exactly what should be seen.

mod build;
mod cli;
pub mod connect;
mod credentials;
mod options;
pub mod progress;
pub mod raw;
mod session;
pub mod system;
#[doc(hidden)]
pub mod testing;
mod tunnel;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bollard::Docker;

pub use build::{BuildFailure, BuildOutcome, BuildPath, Observer};
pub use cli::{buildx_available, cli_available};
pub use connect::{Address, EnvInputs, HostSource, Location, SshTarget, TlsFiles};
pub use credentials::RegistryCredentials;
pub use options::{BuildOptions, CacheTo, PathChoice, SecretSource, SecretSpec, parse_cache_from};
pub use progress::{Event, Step};
pub use system::Pushed;

/// Why the engine could not do what was asked (a failed build is not an
/// error: it is a [`BuildOutcome`] with a failure).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("no Docker engine reachable at {location}: {reason}")]
    Unreachable { location: String, reason: String },
    #[error(
        "the Docker engine at {location} is too old for BuildKit builds: API {api_version} \
         (Engine {engine_version}); BuildKit through the API needs API 1.39 (Docker 18.09), \
         cache mounts without a syntax line Docker 20.10"
    )]
    TooOld {
        location: String,
        api_version: String,
        engine_version: String,
    },
    #[error("{0}")]
    Unsupported(String),
    #[error("{0}")]
    InvalidOption(String),
    #[error("BuildKit session: {0}")]
    Session(String),
    #[error("unexpected answer from the engine: {0}")]
    Protocol(String),
    #[error("Docker Engine API: {0}")]
    Api(#[from] bollard::errors::Error),
    #[error("docker CLI: {0}")]
    Cli(String),
}

impl EngineError {
    /// What the user can do to get a usable engine, when it is that.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            EngineError::Unreachable { .. } => Some(
                "start the Docker engine (e.g. `sudo systemctl start docker`, or Docker Desktop), \
                 or point DOCKER_HOST / DOCKER_CONTEXT at a running one; `layerwise doctor` checks the setup",
            ),
            EngineError::TooOld { .. } => Some(
                "upgrade Docker to 20.10 or newer (BuildKit needs 18.09+, cache mounts without \
                 a syntax line 20.10+)",
            ),
            _ => None,
        }
    }
}

/// A connected engine with its negotiated API version.
#[derive(Debug, Clone)]
pub struct Engine {
    docker: Docker,
    location: Location,
    /// What layerwise dials: the engine's own socket or TCP address, or the
    /// local socket of `tunnel` for TLS and SSH engines.
    dial: Address,
    tunnel: Option<Arc<tunnel::Tunnel>>,
    api_version: String,
    engine_version: String,
    config_dir: Option<PathBuf>,
}

/// How long a plain request may wait for its answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl Engine {
    /// Connects as the docker CLI would from this process's environment.
    pub async fn connect() -> Result<Engine, EngineError> {
        Self::connect_with(&EnvInputs::from_process()).await
    }

    /// Connects to the engine the given environment designates, checking
    /// that it answers and speaks an API able to run BuildKit builds.
    pub async fn connect_with(env: &EnvInputs) -> Result<Engine, EngineError> {
        let location = connect::resolve_location(env)?;
        let address = location.address()?;
        let (dial, tunnel) = match &address {
            Address::Unix(_) | Address::Tcp(_) => (address.clone(), None),
            Address::Tls { .. } | Address::Ssh(_) => {
                let tunnel = tunnel::Tunnel::open(&address)?;
                (Address::Unix(tunnel.socket()), Some(Arc::new(tunnel)))
            }
        };
        let unreachable = |reason: String| EngineError::Unreachable {
            location: location.to_string(),
            reason,
        };
        let docker = connect::open_client(&dial, &location, REQUEST_TIMEOUT)?;
        let ping = tokio::time::timeout(Duration::from_secs(10), docker.ping()).await;
        let failure = match ping {
            Err(_) => Some("no answer within 10 s".to_string()),
            Ok(Err(err)) => Some(err.to_string()),
            Ok(Ok(_)) => None,
        };
        if let Some(reason) = failure {
            // Through a tunnel the client only sees the connection close;
            // the tunnel knows why (ssh's message, the TLS handshake's).
            let why = match &tunnel {
                Some(tunnel) => tunnel.wait_for_error(Duration::from_secs(3)).await,
                None => None,
            };
            return Err(unreachable(why.unwrap_or(reason)));
        }
        let docker = docker
            .negotiate_version()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        let version = docker.version().await?;
        let api_version = version.api_version.clone().unwrap_or_default();
        let engine_version = version.version.clone().unwrap_or_default();
        let engine = Engine {
            docker,
            location,
            dial,
            tunnel,
            api_version,
            engine_version,
            config_dir: env.config_dir.clone(),
        };
        match connect::parse_api_version(&engine.api_version) {
            Some(v) if v >= connect::MIN_BUILDKIT_API => Ok(engine),
            _ => Err(EngineError::TooOld {
                location: engine.location.to_string(),
                api_version: engine.api_version,
                engine_version: engine.engine_version,
            }),
        }
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The address layerwise dials for raw connections (the BuildKit
    /// session, a docker CLI's `DOCKER_HOST`): a tunnel's socket for TLS and
    /// SSH engines.
    pub fn dial(&self) -> &Address {
        &self.dial
    }

    /// Why the last connection through a TLS or SSH tunnel failed, if one did.
    pub fn tunnel_error(&self) -> Option<String> {
        self.tunnel.as_ref().and_then(|t| t.last_error())
    }

    /// The API version both sides agreed on, e.g. `1.41`.
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// The engine's own version, e.g. `20.10.24`.
    pub fn engine_version(&self) -> &str {
        &self.engine_version
    }

    /// The bollard client, for operations layerwise does not wrap.
    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    pub(crate) fn credentials(&self) -> RegistryCredentials {
        RegistryCredentials::load(self.config_dir.as_deref())
    }
}
