//! The BuildKit session a build attaches to: an HTTP connection upgraded to
//! h2c on `/session`, over which the engine calls back into layerwise for
//! secrets, registry credentials and health checks.
//!
//! layerwise serves it itself (rather than through bollard's `buildkit`
//! feature) so that it can offer a secrets provider and, above all, close the
//! connection when the build is over: the engine never hangs up first.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};

use bollard_buildkit_proto::health::health_check_response::ServingStatus;
use bollard_buildkit_proto::health::health_server::{Health, HealthServer};
use bollard_buildkit_proto::health::{
    HealthCheckRequest, HealthCheckResponse, HealthListRequest, HealthListResponse,
};
use bollard_buildkit_proto::moby::buildkit::secrets::v1::secrets_server::{Secrets, SecretsServer};
use bollard_buildkit_proto::moby::buildkit::secrets::v1::{GetSecretRequest, GetSecretResponse};
use bollard_buildkit_proto::moby::filesync::v1::auth_server::{Auth, AuthServer};
use bollard_buildkit_proto::moby::filesync::v1::{
    CredentialsRequest, CredentialsResponse, FetchTokenRequest, FetchTokenResponse,
    GetTokenAuthorityRequest, GetTokenAuthorityResponse, VerifyTokenAuthorityRequest,
    VerifyTokenAuthorityResponse,
};
use tokio::io::ReadBuf;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::server::Connected;
use tonic::{Request, Response, Status};

use crate::EngineError;
use crate::connect::Address;
use crate::credentials::RegistryCredentials;
use crate::options::{SecretSource, SecretSpec};

/// The gRPC methods the session offers; the engine only routes these.
const METHODS: &[&str] = &[
    "/grpc.health.v1.Health/Check",
    "/moby.buildkit.secrets.v1.Secrets/GetSecret",
    "/moby.filesync.v1.Auth/Credentials",
    "/moby.filesync.v1.Auth/FetchToken",
    "/moby.filesync.v1.Auth/GetTokenAuthority",
    "/moby.filesync.v1.Auth/VerifyTokenAuthority",
];

/// An open session. Dropping it closes the connection.
pub struct Session {
    pub id: String,
    task: Option<JoinHandle<()>>,
    /// Dropping this ends the connection (see [`Closable`]).
    close: Option<oneshot::Sender<()>>,
}

impl Session {
    /// Dials the engine, upgrades `/session` and starts serving it.
    pub async fn open(
        address: &Address,
        api_version: &str,
        secrets: &[SecretSpec],
        credentials: RegistryCredentials,
    ) -> Result<Session, EngineError> {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let services = Services {
            secrets: secrets
                .iter()
                .map(|s| (s.id.clone(), s.source.clone()))
                .collect(),
            credentials,
        };
        let (close, closed) = oneshot::channel();
        let mut stream = crate::connect::dial(address)
            .await
            .map_err(|e| session_error(format!("connecting to {}: {e}", address.docker_host())))?;
        upgrade(&mut stream, api_version, &id).await?;
        let task = tokio::spawn(serve(Closable::new(stream, closed), services));
        Ok(Session {
            id,
            task: Some(task),
            close: Some(close),
        })
    }

    /// Closes the connection and waits until its socket is released.
    pub async fn close(mut self) {
        self.close.take();
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

fn session_error(message: String) -> EngineError {
    EngineError::Session(message)
}

/// Sends the upgrade request and consumes the response head byte by byte, so
/// that no byte of the engine's HTTP/2 preface is swallowed.
async fn upgrade<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    api_version: &str,
    id: &str,
) -> Result<(), EngineError> {
    let mut request = format!(
        "POST /v{api_version}/session HTTP/1.1\r\nHost: docker\r\nUser-Agent: layerwise\r\n\
         Connection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: 0\r\n\
         X-Docker-Expose-Session-Uuid: {id}\r\nX-Docker-Expose-Session-Name: layerwise\r\n\
         X-Docker-Expose-Session-Sharedkey: {id}\r\n"
    );
    for method in METHODS {
        request.push_str("X-Docker-Expose-Session-Grpc-Method: ");
        request.push_str(method);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| session_error(format!("sending the session request: {e}")))?;
    let mut head = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 64 * 1024 {
            return Err(session_error(
                "the engine's session response is too long".into(),
            ));
        }
        let n = stream
            .read(&mut byte)
            .await
            .map_err(|e| session_error(format!("reading the session response: {e}")))?;
        if n == 0 {
            return Err(session_error(
                "the engine closed the session connection".into(),
            ));
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let status_line = head.lines().next().unwrap_or_default();
    if status_line.split_whitespace().nth(1) != Some("101") {
        return Err(session_error(format!(
            "the engine refused the BuildKit session: {status_line}"
        )));
    }
    Ok(())
}

struct Services {
    secrets: HashMap<String, SecretSource>,
    credentials: RegistryCredentials,
}

async fn serve<S>(stream: S, services: Services)
where
    S: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
{
    let incoming = tokio_stream::iter([Ok::<_, std::io::Error>(stream)]);
    let _ = tonic::transport::Server::builder()
        .add_service(HealthServer::new(HealthService))
        .add_service(SecretsServer::new(SecretStore {
            sources: services.secrets,
        }))
        .add_service(AuthServer::new(CredentialStore {
            credentials: services.credentials,
        }))
        .serve_with_incoming(incoming)
        .await;
}

struct HealthService;

type WatchStream =
    Pin<Box<dyn tokio_stream::Stream<Item = Result<HealthCheckResponse, Status>> + Send>>;

#[tonic::async_trait]
impl Health for HealthService {
    async fn check(
        &self,
        _request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        Ok(Response::new(HealthCheckResponse {
            status: ServingStatus::Serving as i32,
        }))
    }

    async fn list(
        &self,
        _request: Request<HealthListRequest>,
    ) -> Result<Response<HealthListResponse>, Status> {
        Err(Status::unimplemented("list"))
    }

    type WatchStream = WatchStream;

    async fn watch(
        &self,
        _request: Request<HealthCheckRequest>,
    ) -> Result<Response<WatchStream>, Status> {
        Err(Status::unimplemented("watch"))
    }
}

struct SecretStore {
    sources: HashMap<String, SecretSource>,
}

#[tonic::async_trait]
impl Secrets for SecretStore {
    async fn get_secret(
        &self,
        request: Request<GetSecretRequest>,
    ) -> Result<Response<GetSecretResponse>, Status> {
        let id = &request.get_ref().id;
        // NotFound is what BuildKit expects for an unknown id: optional
        // secret mounts are then skipped, required ones fail the step.
        let data = match self.sources.get(id) {
            None => return Err(Status::not_found(format!("secret {id} not provided"))),
            Some(SecretSource::File(path)) => read_secret_file(path, id)?,
            Some(SecretSource::Env(name)) => std::env::var_os(name)
                .map(|v| v.into_encoded_bytes())
                .ok_or_else(|| Status::not_found(format!("secret {id}: ${name} is not set")))?,
        };
        Ok(Response::new(GetSecretResponse { data }))
    }
}

fn read_secret_file(path: &PathBuf, id: &str) -> Result<Vec<u8>, Status> {
    std::fs::read(path)
        .map_err(|e| Status::not_found(format!("secret {id}: reading {}: {e}", path.display())))
}

struct CredentialStore {
    credentials: RegistryCredentials,
}

#[tonic::async_trait]
impl Auth for CredentialStore {
    async fn credentials(
        &self,
        request: Request<CredentialsRequest>,
    ) -> Result<Response<CredentialsResponse>, Status> {
        let (username, secret) = self
            .credentials
            .lookup(&request.get_ref().host)
            .unwrap_or_default();
        Ok(Response::new(CredentialsResponse { username, secret }))
    }

    async fn fetch_token(
        &self,
        _request: Request<FetchTokenRequest>,
    ) -> Result<Response<FetchTokenResponse>, Status> {
        // BuildKit falls back to fetching tokens itself with `Credentials`.
        Err(Status::unimplemented("fetch_token"))
    }

    async fn get_token_authority(
        &self,
        _request: Request<GetTokenAuthorityRequest>,
    ) -> Result<Response<GetTokenAuthorityResponse>, Status> {
        Err(Status::unimplemented("get_token_authority"))
    }

    async fn verify_token_authority(
        &self,
        _request: Request<VerifyTokenAuthorityRequest>,
    ) -> Result<Response<VerifyTokenAuthorityResponse>, Status> {
        Err(Status::unimplemented("verify_token_authority"))
    }
}

/// The session's transport, which fails every read and write once the
/// session is closed. The gRPC server runs each connection in a task of its
/// own that aborting the server does not reach; failing the transport makes
/// that task end and release the socket.
struct Closable<S> {
    inner: S,
    closed: oneshot::Receiver<()>,
    is_closed: bool,
}

impl<S> Closable<S> {
    fn new(inner: S, closed: oneshot::Receiver<()>) -> Self {
        Closable {
            inner,
            closed,
            is_closed: false,
        }
    }

    /// Registers for the close signal; true once it has come.
    fn check(&mut self, cx: &mut Context<'_>) -> bool {
        if !self.is_closed && Pin::new(&mut self.closed).poll(cx).is_ready() {
            self.is_closed = true;
        }
        self.is_closed
    }
}

fn closed_error() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "session closed")
}

impl<S: AsyncRead + Unpin> AsyncRead for Closable<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.check(cx) {
            return Poll::Ready(Err(closed_error()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Closable<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.check(cx) {
            return Poll::Ready(Err(closed_error()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if self.check(cx) {
            return Poll::Ready(Err(closed_error()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<S> Connected for Closable<S> {
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}
