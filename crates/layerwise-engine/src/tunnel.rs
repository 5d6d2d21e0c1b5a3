//! Engines behind TLS or SSH, reached through a local unix socket.
//!
//! layerwise opens several kinds of connection to an engine: bollard's HTTP
//! client, the raw BuildKit session, raw requests for answers bollard does
//! not model, and a docker CLI for the fallback road. Rather than teach each
//! of them TLS and SSH, a [`Tunnel`] listens on a socket in a private
//! temporary directory and carries every connection made to it to the
//! engine: over TLS with the docker CLI's certificate files, or through the
//! system's `ssh` running `docker system dial-stdio` on the host, one `ssh`
//! per connection, as the docker CLI itself does.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::net::{TcpStream, UnixListener, UnixStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use crate::EngineError;
use crate::connect::{Address, SshTarget, TlsFiles};

/// A local socket carrying connections to a TLS or SSH engine; it stops
/// when dropped (open connections end with it).
#[derive(Debug)]
pub(crate) struct Tunnel {
    dir: tempfile::TempDir,
    accept: JoinHandle<()>,
    last_error: Arc<Mutex<Option<String>>>,
}

/// What a tunnel connects to.
#[derive(Clone)]
enum Upstream {
    Tls {
        hostport: String,
        server_name: ServerName<'static>,
        connector: TlsConnector,
    },
    Ssh(SshTarget),
}

impl Tunnel {
    /// Starts a tunnel to a [`Address::Tls`] or [`Address::Ssh`] engine. TLS
    /// files are read now, so a missing or malformed certificate is an
    /// error naming the file before any connection is tried.
    pub(crate) fn open(address: &Address) -> Result<Tunnel, EngineError> {
        let upstream = match address {
            Address::Tls { hostport, files } => Upstream::Tls {
                hostport: hostport.clone(),
                server_name: server_name(hostport)?,
                connector: TlsConnector::from(Arc::new(client_config(files)?)),
            },
            Address::Ssh(target) => Upstream::Ssh(target.clone()),
            Address::Unix(_) | Address::Tcp(_) => {
                return Err(EngineError::Unsupported(
                    "unix and plain TCP engines need no tunnel".into(),
                ));
            }
        };
        let dir = tempfile::Builder::new()
            .prefix("layerwise-engine-")
            .tempdir()
            .map_err(|e| EngineError::Unsupported(format!("tunnel directory: {e}")))?;
        let listener = UnixListener::bind(dir.path().join("engine.sock"))
            .map_err(|e| EngineError::Unsupported(format!("tunnel socket: {e}")))?;
        let last_error = Arc::new(Mutex::new(None));
        let accept = tokio::spawn(accept_loop(listener, upstream, last_error.clone()));
        Ok(Tunnel {
            dir,
            accept,
            last_error,
        })
    }

    /// The local socket to dial.
    pub(crate) fn socket(&self) -> PathBuf {
        self.dir.path().join("engine.sock")
    }

    /// Why the last connection through the tunnel failed (`ssh`'s own
    /// message, or the TLS handshake's), for errors that would otherwise
    /// only say the connection closed.
    pub(crate) fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok()?.clone()
    }

    /// [`Self::last_error`], waiting up to `limit` for it: a client sees the
    /// connection close before `ssh` has exited and its message is read.
    pub(crate) async fn wait_for_error(&self, limit: std::time::Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if let Some(why) = self.last_error() {
                return Some(why);
            }
            if tokio::time::Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn accept_loop(
    listener: UnixListener,
    upstream: Upstream,
    last_error: Arc<Mutex<Option<String>>>,
) {
    while let Ok((local, _)) = listener.accept().await {
        let upstream = upstream.clone();
        let last_error = last_error.clone();
        tokio::spawn(async move {
            if let Err(why) = carry(local, &upstream, &last_error).await
                && let Ok(mut slot) = last_error.lock()
            {
                *slot = Some(why);
            }
        });
    }
}

/// Carries one local connection to the engine until either side closes.
async fn carry(
    mut local: UnixStream,
    upstream: &Upstream,
    last_error: &Arc<Mutex<Option<String>>>,
) -> Result<(), String> {
    match upstream {
        Upstream::Tls {
            hostport,
            server_name,
            connector,
        } => {
            let tcp = TcpStream::connect(hostport)
                .await
                .map_err(|e| format!("connecting to {hostport}: {e}"))?;
            let mut tls = connector
                .connect(server_name.clone(), tcp)
                .await
                .map_err(|e| format!("TLS handshake with {hostport}: {e}"))?;
            copy_both_ways(&mut local, &mut tls).await;
            Ok(())
        }
        Upstream::Ssh(target) => {
            let mut child = tokio::process::Command::new("ssh")
                .args(ssh_args(target))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .map_err(|e| format!("running ssh: {e}"))?;
            let (Some(stdin), Some(stdout), Some(mut stderr)) =
                (child.stdin.take(), child.stdout.take(), child.stderr.take())
            else {
                return Err("ssh started without its pipes".into());
            };
            let mut remote = tokio::io::join(stdout, stdin);
            copy_both_ways(&mut local, &mut remote).await;
            let _ = child.start_kill();
            let status = child.wait().await;
            let mut message = String::new();
            let _ = stderr.read_to_string(&mut message).await;
            let message = message.trim();
            match status {
                Ok(status) if !status.success() && !message.is_empty() => {
                    Err(format!("ssh {}: {message}", target.host))
                }
                _ => {
                    // A clean end clears an older failure.
                    if let Ok(mut slot) = last_error.lock() {
                        *slot = None;
                    }
                    Ok(())
                }
            }
        }
    }
}

async fn copy_both_ways<A, B>(a: &mut A, b: &mut B)
where
    A: AsyncRead + AsyncWrite + Unpin,
    B: AsyncRead + AsyncWrite + Unpin,
{
    // Either side closing ends the connection; the error is the closing.
    let _ = tokio::io::copy_bidirectional(a, b).await;
}

/// `ssh [-l user] [-p port] -o BatchMode=yes -- host docker system dial-stdio`:
/// batch mode because no one can answer a password prompt here.
fn ssh_args(target: &SshTarget) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(user) = &target.user {
        args.extend(["-l".to_string(), user.clone()]);
    }
    if let Some(port) = target.port {
        args.extend(["-p".to_string(), port.to_string()]);
    }
    args.extend(["-o".to_string(), "BatchMode=yes".to_string()]);
    args.extend(
        ["--", &target.host, "docker", "system", "dial-stdio"]
            .iter()
            .map(|s| s.to_string()),
    );
    args
}

fn server_name(hostport: &str) -> Result<ServerName<'static>, EngineError> {
    let host = crate::connect::host_of(hostport);
    ServerName::try_from(host.to_string())
        .map_err(|e| EngineError::InvalidOption(format!("engine host {host}: {e}")))
}

fn tls_error(path: &std::path::Path, why: impl std::fmt::Display) -> EngineError {
    EngineError::InvalidOption(format!("{}: {why}", path.display()))
}

/// The client configuration from the docker CLI's files: `ca.pem` to verify
/// the engine, `cert.pem` + `key.pem` to prove who we are (when present).
fn client_config(files: &TlsFiles) -> Result<ClientConfig, EngineError> {
    // ring's provider is deprecated only for lacking post-quantum key
    // exchange, which Docker engines (Go's TLS, classic groups) do not offer
    // either; it keeps the build free of aws-lc's C and assembly toolchain.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| EngineError::Unsupported(format!("TLS: {e}")))?;
    let builder = if files.verify {
        let ca = files.dir.join("ca.pem");
        let mut roots = RootCertStore::empty();
        let certificates = CertificateDer::pem_file_iter(&ca)
            .map_err(|e| tls_error(&ca, format!("cannot read the engine's CA: {e}")))?;
        for certificate in certificates {
            let certificate = certificate.map_err(|e| tls_error(&ca, e))?;
            roots.add(certificate).map_err(|e| tls_error(&ca, e))?;
        }
        if roots.is_empty() {
            return Err(tls_error(&ca, "no certificate in the file"));
        }
        builder.with_root_certificates(roots)
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(unverified::AnyEngine(provider)))
    };
    let (cert, key) = (files.dir.join("cert.pem"), files.dir.join("key.pem"));
    if !cert.is_file() || !key.is_file() {
        return Ok(builder.with_no_client_auth());
    }
    let chain = CertificateDer::pem_file_iter(&cert)
        .map_err(|e| tls_error(&cert, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_error(&cert, e))?;
    let key_der = PrivateKeyDer::from_pem_file(&key).map_err(|e| tls_error(&key, e))?;
    builder
        .with_client_auth_cert(chain, key_der)
        .map_err(|e| tls_error(&cert, e))
}

/// `DOCKER_TLS` without `DOCKER_TLS_VERIFY`: encrypted, engine not
/// authenticated. Signatures are still checked, so the handshake is sound.
mod unverified {
    use std::sync::Arc;

    use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
    use tokio_rustls::rustls::client::danger::{
        HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
    };
    use tokio_rustls::rustls::crypto::{
        CryptoProvider, verify_tls12_signature, verify_tls13_signature,
    };
    use tokio_rustls::rustls::{DigitallySignedStruct, Error, SignatureScheme};

    #[derive(Debug)]
    pub(super) struct AnyEngine(pub(super) Arc<CryptoProvider>);

    impl ServerCertVerifier for AnyEngine {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp_response: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            verify_tls12_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, Error> {
            verify_tls13_signature(
                message,
                cert,
                dss,
                &self.0.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_runs_dial_stdio_with_user_and_port() {
        let args = ssh_args(&SshTarget {
            user: Some("ci".into()),
            host: "builder".into(),
            port: Some(2222),
        });
        assert_eq!(
            args.join(" "),
            "-l ci -p 2222 -o BatchMode=yes -- builder docker system dial-stdio"
        );
    }

    #[test]
    fn a_missing_ca_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = client_config(&TlsFiles {
            dir: dir.path().to_path_buf(),
            verify: true,
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("ca.pem"), "{err}");
        // Without verification and without client files: encryption only.
        assert!(
            client_config(&TlsFiles {
                dir: dir.path().to_path_buf(),
                verify: false,
            })
            .is_ok()
        );
    }
}
