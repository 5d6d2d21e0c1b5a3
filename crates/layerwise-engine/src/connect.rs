//! Finding the engine the way the docker CLI does: `DOCKER_CONTEXT`, then
//! `DOCKER_HOST`, then the config's `currentContext`, then the default socket.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bollard::{API_DEFAULT_VERSION, Docker};

use crate::EngineError;

/// The oldest API that serves `/session` and BuildKit builds (Engine 18.09).
pub const MIN_BUILDKIT_API: (u32, u32) = (1, 39);

const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

/// Where the engine address came from, for messages that tell the user where
/// layerwise looked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostSource {
    /// The `DOCKER_HOST` environment variable.
    EnvHost,
    /// A Docker context, named by `DOCKER_CONTEXT` or the config's `currentContext`.
    Context(String),
    /// No configuration: the default socket.
    Default,
}

/// A resolved engine address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The address as configured, e.g. `unix:///var/run/docker.sock`.
    pub host: String,
    pub source: HostSource,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            HostSource::EnvHost => write!(f, "{} (from DOCKER_HOST)", self.host),
            HostSource::Context(name) => {
                write!(f, "{} (from Docker context \"{name}\")", self.host)
            }
            HostSource::Default => write!(f, "{} (default socket)", self.host),
        }
    }
}

/// The transport layerwise can open itself (the BuildKit session needs a raw
/// connection next to bollard's HTTP client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Unix(PathBuf),
    Tcp(String),
}

impl Location {
    /// Parses the host into a transport layerwise can dial.
    pub fn address(&self) -> Result<Address, EngineError> {
        let host = self.host.trim();
        if let Some(path) = host.strip_prefix("unix://") {
            return Ok(Address::Unix(PathBuf::from(path)));
        }
        if let Some(rest) = host
            .strip_prefix("tcp://")
            .or_else(|| host.strip_prefix("http://"))
        {
            if std::env::var_os("DOCKER_TLS_VERIFY").is_some_and(|v| !v.is_empty()) {
                return Err(EngineError::Unsupported(format!(
                    "{self}: TLS-protected engines (DOCKER_TLS_VERIFY) are not supported; \
                     use a unix socket or an SSH tunnel to it"
                )));
            }
            let rest = rest.trim_end_matches('/');
            let with_port = if rest
                .rsplit_once(':')
                .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
            {
                rest.to_string()
            } else {
                format!("{rest}:2375")
            };
            return Ok(Address::Tcp(with_port));
        }
        if host.starts_with('/') {
            return Ok(Address::Unix(PathBuf::from(host)));
        }
        Err(EngineError::Unsupported(format!(
            "{self}: only unix:// and tcp:// engine addresses are supported"
        )))
    }
}

/// Environment inputs of [`resolve_location`], separate so tests need not
/// touch the process environment.
#[derive(Debug, Clone, Default)]
pub struct EnvInputs {
    pub docker_host: Option<String>,
    pub docker_context: Option<String>,
    /// `DOCKER_CONFIG`, or `~/.docker`.
    pub config_dir: Option<PathBuf>,
}

impl EnvInputs {
    pub fn from_process() -> Self {
        let non_empty = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let config_dir = non_empty("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| non_empty("HOME").map(|home| Path::new(&home).join(".docker")));
        EnvInputs {
            docker_host: non_empty("DOCKER_HOST"),
            docker_context: non_empty("DOCKER_CONTEXT"),
            config_dir,
        }
    }
}

/// Resolves the engine address with the docker CLI's precedence.
pub fn resolve_location(env: &EnvInputs) -> Result<Location, EngineError> {
    if let Some(name) = &env.docker_context {
        return context_location(env, name);
    }
    if let Some(host) = &env.docker_host {
        return Ok(Location {
            host: host.clone(),
            source: HostSource::EnvHost,
        });
    }
    if let Some(name) = current_context(env) {
        return context_location(env, &name);
    }
    Ok(default_location())
}

fn default_location() -> Location {
    Location {
        host: format!("unix://{DEFAULT_SOCKET}"),
        source: HostSource::Default,
    }
}

fn current_context(env: &EnvInputs) -> Option<String> {
    let dir = env.config_dir.as_ref()?;
    let text = std::fs::read_to_string(dir.join("config.json")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    let name = value.get("currentContext")?.as_str()?;
    (!name.is_empty()).then(|| name.to_string())
}

fn context_location(env: &EnvInputs, name: &str) -> Result<Location, EngineError> {
    if name == "default" {
        return Ok(match &env.docker_host {
            Some(host) => Location {
                host: host.clone(),
                source: HostSource::EnvHost,
            },
            None => default_location(),
        });
    }
    let missing = || EngineError::Unreachable {
        location: format!("Docker context \"{name}\""),
        reason: "no such context in the Docker configuration's contexts/meta".to_string(),
    };
    let meta = env
        .config_dir
        .as_ref()
        .ok_or_else(missing)?
        .join("contexts")
        .join("meta");
    // Directory names are digests of the context name; reading each meta.json
    // and matching `Name` avoids recomputing them.
    let entries = std::fs::read_dir(&meta).map_err(|_| missing())?;
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path().join("meta.json")) else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        if value.get("Name").and_then(|n| n.as_str()) != Some(name) {
            continue;
        }
        let host = value
            .pointer("/Endpoints/docker/Host")
            .and_then(|h| h.as_str())
            .ok_or_else(missing)?;
        return Ok(Location {
            host: host.to_string(),
            source: HostSource::Context(name.to_string()),
        });
    }
    Err(missing())
}

/// Opens a bollard client on the address; requests are not sent yet.
pub(crate) fn open_client(location: &Location, timeout: Duration) -> Result<Docker, EngineError> {
    let secs = timeout.as_secs().max(1);
    let result = match location.address()? {
        Address::Unix(path) => {
            Docker::connect_with_unix(&path.to_string_lossy(), secs, API_DEFAULT_VERSION)
        }
        Address::Tcp(hostport) => {
            Docker::connect_with_http(&format!("http://{hostport}"), secs, API_DEFAULT_VERSION)
        }
    };
    result.map_err(|err| EngineError::Unreachable {
        location: location.to_string(),
        reason: err.to_string(),
    })
}

/// Parses `1.41` into `(1, 41)`.
pub fn parse_api_version(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn docker_host_wins_over_current_context() {
        let dir = tempfile::tempdir().unwrap();
        write(
            &dir.path().join("config.json"),
            r#"{"currentContext":"remote"}"#,
        );
        let env = EnvInputs {
            docker_host: Some("tcp://10.0.0.1:2375".into()),
            docker_context: None,
            config_dir: Some(dir.path().to_path_buf()),
        };
        let location = resolve_location(&env).unwrap();
        assert_eq!(location.source, HostSource::EnvHost);
        assert_eq!(
            location.address().unwrap(),
            Address::Tcp("10.0.0.1:2375".into())
        );
    }

    #[test]
    fn current_context_is_read_from_meta() {
        let dir = tempfile::tempdir().unwrap();
        write(
            &dir.path().join("config.json"),
            r#"{"currentContext":"colima"}"#,
        );
        write(
            &dir.path().join("contexts/meta/abc123/meta.json"),
            r#"{"Name":"colima","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///tmp/colima.sock","SkipTLSVerify":false}}}"#,
        );
        let env = EnvInputs {
            config_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let location = resolve_location(&env).unwrap();
        assert_eq!(location.source, HostSource::Context("colima".into()));
        assert_eq!(
            location.address().unwrap(),
            Address::Unix("/tmp/colima.sock".into())
        );
        assert!(location.to_string().contains("colima"));
    }

    #[test]
    fn docker_context_env_beats_docker_host_and_unknown_context_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let env = EnvInputs {
            docker_host: Some("unix:///x.sock".into()),
            docker_context: Some("nope".into()),
            config_dir: Some(dir.path().to_path_buf()),
        };
        assert!(matches!(
            resolve_location(&env),
            Err(EngineError::Unreachable { .. })
        ));
    }

    #[test]
    fn defaults_to_the_standard_socket() {
        let location = resolve_location(&EnvInputs::default()).unwrap();
        assert_eq!(location.source, HostSource::Default);
        assert_eq!(
            location.address().unwrap(),
            Address::Unix(DEFAULT_SOCKET.into())
        );
    }

    #[test]
    fn tcp_without_port_gets_the_plain_http_port() {
        let location = Location {
            host: "tcp://engine".into(),
            source: HostSource::EnvHost,
        };
        assert_eq!(
            location.address().unwrap(),
            Address::Tcp("engine:2375".into())
        );
        let ssh = Location {
            host: "ssh://me@box".into(),
            source: HostSource::EnvHost,
        };
        assert!(ssh.address().is_err());
    }

    #[test]
    fn api_versions_parse() {
        assert_eq!(parse_api_version("1.41"), Some((1, 41)));
        assert_eq!(parse_api_version("x"), None);
    }
}
