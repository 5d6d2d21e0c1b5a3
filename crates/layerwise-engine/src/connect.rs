//! Finding the engine the way the docker CLI does: `DOCKER_CONTEXT`, then
//! `DOCKER_HOST`, then the config's `currentContext`, then the default socket.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bollard::{API_DEFAULT_VERSION, Docker};
use tokio::io::{AsyncRead, AsyncWrite};

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
    /// TLS for a `tcp://` address: from `DOCKER_TLS_VERIFY`/`DOCKER_TLS`
    /// and `DOCKER_CERT_PATH`, or from the context's TLS material.
    pub tls: Option<TlsFiles>,
}

/// Where the TLS certificates of an engine connection are, as the docker CLI
/// keeps them: `ca.pem` (the engine's CA), `cert.pem` and `key.pem` (the
/// client's own, optional).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub dir: PathBuf,
    /// Check the engine's certificate against `ca.pem` (`DOCKER_TLS_VERIFY`,
    /// or a context without `SkipTLSVerify`); without it the connection is
    /// encrypted but the engine is not authenticated, as with `--tls`.
    pub verify: bool,
}

/// `ssh://[user@]host[:port]`: reached through the system's `ssh` running
/// `docker system dial-stdio` on the host, as the docker CLI does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            HostSource::EnvHost => write!(f, "{} (from DOCKER_HOST)", self.host),
            HostSource::Context(name) => {
                write!(f, "{} (from Docker context \"{name}\")", self.host)
            }
            HostSource::Default => write!(f, "{} (default socket)", self.host),
        }?;
        match &self.tls {
            Some(tls) if tls.verify => write!(f, " with TLS"),
            Some(_) => write!(f, " with TLS, engine not verified"),
            None => Ok(()),
        }
    }
}

/// How the engine is reached. Unix sockets and plain TCP are dialled
/// directly (the BuildKit session needs raw connections next to bollard's
/// HTTP client); TLS and SSH engines through a local [`crate::tunnel`]
/// socket, so every connection of every kind takes the same road.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Unix(PathBuf),
    Tcp(String),
    Tls { hostport: String, files: TlsFiles },
    Ssh(SshTarget),
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
            let rest = rest.trim_end_matches('/');
            let has_port = rest
                .rsplit_once(':')
                .is_some_and(|(_, p)| p.parse::<u16>().is_ok());
            return Ok(match &self.tls {
                Some(files) => Address::Tls {
                    hostport: if has_port {
                        rest.to_string()
                    } else {
                        format!("{rest}:2376")
                    },
                    files: files.clone(),
                },
                None if has_port => Address::Tcp(rest.to_string()),
                None => Address::Tcp(format!("{rest}:2375")),
            });
        }
        if let Some(rest) = host.strip_prefix("ssh://") {
            return parse_ssh(rest).map(Address::Ssh).ok_or_else(|| {
                EngineError::InvalidOption(format!(
                    "{self}: expected ssh://[user@]host[:port] (no path)"
                ))
            });
        }
        if host.starts_with('/') {
            return Ok(Address::Unix(PathBuf::from(host)));
        }
        Err(EngineError::Unsupported(format!(
            "{self}: only unix://, tcp:// and ssh:// engine addresses are supported"
        )))
    }
}

fn parse_ssh(rest: &str) -> Option<SshTarget> {
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains('/') || rest.is_empty() {
        return None;
    }
    let (user, host_port) = match rest.rsplit_once('@') {
        Some((user, host_port)) if !user.is_empty() => (Some(user.to_string()), host_port),
        Some(_) => return None,
        None => (None, rest),
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((host, port)) => (host, Some(port.parse::<u16>().ok()?)),
        None => (host_port, None),
    };
    (!host.is_empty()).then(|| SshTarget {
        user,
        host: host.to_string(),
        port,
    })
}

/// Environment inputs of [`resolve_location`], separate so tests need not
/// touch the process environment.
#[derive(Debug, Clone, Default)]
pub struct EnvInputs {
    pub docker_host: Option<String>,
    pub docker_context: Option<String>,
    /// `DOCKER_CONFIG`, or `~/.docker`.
    pub config_dir: Option<PathBuf>,
    /// `DOCKER_TLS_VERIFY` is set (TLS, engine verified).
    pub tls_verify: bool,
    /// `DOCKER_TLS` is set (TLS without verifying the engine).
    pub tls: bool,
    /// `DOCKER_CERT_PATH`; the configuration directory when unset.
    pub cert_path: Option<PathBuf>,
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
            tls_verify: non_empty("DOCKER_TLS_VERIFY").is_some(),
            tls: non_empty("DOCKER_TLS").is_some(),
            cert_path: non_empty("DOCKER_CERT_PATH").map(PathBuf::from),
        }
    }

    /// The TLS files `DOCKER_TLS_VERIFY`/`DOCKER_TLS` ask for, if they do.
    fn env_tls(&self) -> Option<TlsFiles> {
        if !self.tls_verify && !self.tls {
            return None;
        }
        Some(TlsFiles {
            dir: self
                .cert_path
                .clone()
                .or_else(|| self.config_dir.clone())
                .unwrap_or_default(),
            verify: self.tls_verify,
        })
    }

    fn env_host(&self, host: &str) -> Location {
        Location {
            host: host.to_string(),
            source: HostSource::EnvHost,
            tls: self.env_tls(),
        }
    }
}

/// Resolves the engine address with the docker CLI's precedence.
pub fn resolve_location(env: &EnvInputs) -> Result<Location, EngineError> {
    if let Some(name) = &env.docker_context {
        return context_location(env, name);
    }
    if let Some(host) = &env.docker_host {
        return Ok(env.env_host(host));
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
        tls: None,
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
            Some(host) => env.env_host(host),
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
        // TLS material sits under contexts/tls/ in a directory named like
        // the meta directory (a digest of the context's name).
        let tls_dir = meta
            .parent()
            .map(|contexts| contexts.join("tls").join(entry.file_name()).join("docker"));
        let skip_verify = value
            .pointer("/Endpoints/docker/SkipTLSVerify")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let tls = tls_dir.filter(|dir| dir.is_dir()).map(|dir| TlsFiles {
            dir,
            verify: !skip_verify,
        });
        return Ok(Location {
            host: host.to_string(),
            source: HostSource::Context(name.to_string()),
            tls,
        });
    }
    Err(missing())
}

/// Opens a bollard client on an address dialled directly (a tunnel's
/// socket for TLS and SSH engines); requests are not sent yet.
pub(crate) fn open_client(
    dial: &Address,
    location: &Location,
    timeout: Duration,
) -> Result<Docker, EngineError> {
    let secs = timeout.as_secs().max(1);
    let result = match dial {
        Address::Unix(path) => {
            Docker::connect_with_unix(&path.to_string_lossy(), secs, API_DEFAULT_VERSION)
        }
        Address::Tcp(hostport) => {
            Docker::connect_with_http(&format!("http://{hostport}"), secs, API_DEFAULT_VERSION)
        }
        Address::Tls { .. } | Address::Ssh(_) => {
            return Err(EngineError::Unsupported(format!(
                "{location}: TLS and SSH engines are dialled through a tunnel"
            )));
        }
    };
    result.map_err(|err| EngineError::Unreachable {
        location: location.to_string(),
        reason: err.to_string(),
    })
}

/// A connection layerwise dialled itself.
pub(crate) trait RawStream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> RawStream for T {}

/// Opens a raw connection to a directly dialled address (what
/// [`crate::Engine::dial`] returns).
pub(crate) async fn dial(address: &Address) -> std::io::Result<Box<dyn RawStream>> {
    match address {
        Address::Unix(path) => Ok(Box::new(tokio::net::UnixStream::connect(path).await?)),
        Address::Tcp(hostport) => Ok(Box::new(tokio::net::TcpStream::connect(hostport).await?)),
        Address::Tls { .. } | Address::Ssh(_) => Err(std::io::Error::other(
            "TLS and SSH engines are dialled through their tunnel's socket",
        )),
    }
}

impl Address {
    /// The address as a `DOCKER_HOST` value, for a docker CLI run against
    /// the same engine (a tunnel's socket included).
    pub fn docker_host(&self) -> String {
        match self {
            Address::Unix(path) => format!("unix://{}", path.display()),
            Address::Tcp(hostport) | Address::Tls { hostport, .. } => format!("tcp://{hostport}"),
            Address::Ssh(target) => {
                let user = target
                    .user
                    .as_deref()
                    .map(|u| format!("{u}@"))
                    .unwrap_or_default();
                let port = target.port.map(|p| format!(":{p}")).unwrap_or_default();
                format!("ssh://{user}{}{port}", target.host)
            }
        }
    }

    /// Whether the engine runs on another machine (as far as the address
    /// tells: SSH, or TCP to anything but a loopback address).
    pub fn is_remote(&self) -> bool {
        let loopback = |hostport: &str| {
            let host = host_of(hostport);
            host == "localhost"
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        };
        match self {
            Address::Unix(_) => false,
            Address::Tcp(hostport) | Address::Tls { hostport, .. } => !loopback(hostport),
            Address::Ssh(target) => !loopback(&target.host),
        }
    }
}

/// The host of `host:port` (`[v6]:port` too), without the brackets.
pub(crate) fn host_of(hostport: &str) -> &str {
    hostport
        .rsplit_once(':')
        .map_or(hostport, |(h, _)| h)
        .trim_start_matches('[')
        .trim_end_matches(']')
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
            ..Default::default()
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
            ..Default::default()
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
            tls: None,
        };
        assert_eq!(
            location.address().unwrap(),
            Address::Tcp("engine:2375".into())
        );
        let ssh = Location {
            host: "ssh://me@box:2222".into(),
            source: HostSource::EnvHost,
            tls: None,
        };
        assert_eq!(
            ssh.address().unwrap(),
            Address::Ssh(SshTarget {
                user: Some("me".into()),
                host: "box".into(),
                port: Some(2222)
            })
        );
        assert!(ssh.address().unwrap().is_remote());
        let with_path = Location {
            host: "ssh://box/var/run/docker.sock".into(),
            ..ssh
        };
        assert!(with_path.address().is_err());
    }

    #[test]
    fn tls_comes_from_the_environment_or_the_context() {
        let dir = tempfile::tempdir().unwrap();
        let env = EnvInputs {
            docker_host: Some("tcp://10.0.0.1".into()),
            tls_verify: true,
            cert_path: Some("/certs".into()),
            config_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let location = resolve_location(&env).unwrap();
        assert_eq!(
            location.address().unwrap(),
            Address::Tls {
                hostport: "10.0.0.1:2376".into(),
                files: TlsFiles {
                    dir: "/certs".into(),
                    verify: true
                }
            }
        );
        assert!(location.to_string().ends_with("with TLS"));

        write(
            &dir.path().join("contexts/meta/d1/meta.json"),
            r#"{"Name":"ci","Endpoints":{"docker":{"Host":"tcp://build:2376","SkipTLSVerify":true}}}"#,
        );
        write(&dir.path().join("contexts/tls/d1/docker/ca.pem"), "x");
        let env = EnvInputs {
            docker_context: Some("ci".into()),
            config_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let location = resolve_location(&env).unwrap();
        let tls = location.tls.clone().expect("context TLS material");
        assert_eq!(tls.dir, dir.path().join("contexts/tls/d1/docker"));
        assert!(!tls.verify);
        assert!(location.to_string().contains("not verified"));
    }

    #[test]
    fn api_versions_parse() {
        assert_eq!(parse_api_version("1.41"), Some((1, 41)));
        assert_eq!(parse_api_version("x"), None);
    }
}
