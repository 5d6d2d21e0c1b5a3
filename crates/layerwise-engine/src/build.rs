//! Running one build and collecting its outcome.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bollard::models::BuildInfo;
use bollard::query_parameters::{BuildImageOptions, BuilderVersion, TagImageOptionsBuilder};
use bollard_stubs::models::BuildInfoAux;
use futures_util::StreamExt;

use crate::options::{BuildOptions, PathChoice};
use crate::progress::{Event, Step, Tracker};
use crate::session::Session;
use crate::{Engine, EngineError, cli};

/// How long the engine may take to start answering a build request (the
/// context upload happens before that).
const BUILD_REQUEST_TIMEOUT: Duration = Duration::from_secs(3600);

/// Which road the build took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildPath {
    /// `POST /build` with BuildKit and a layerwise session.
    Api,
    /// A docker CLI (the program named) with BuildKit's plain progress.
    Cli(String),
}

impl std::fmt::Display for BuildPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildPath::Api => f.write_str("Docker Engine API (BuildKit)"),
            BuildPath::Cli(program) => write!(f, "docker CLI {program} (BuildKit)"),
        }
    }
}

/// Why a build failed.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildFailure {
    /// The failing vertex's name (`[builder 2/3] RUN …`), when known.
    pub step: Option<String>,
    pub message: String,
    /// The failing step's output, last lines last.
    pub logs: Vec<String>,
}

impl BuildFailure {
    /// The failing step, the message and the last `lines` of output, one
    /// `  | `-prefixed line each.
    pub fn describe(&self, lines: usize) -> String {
        let mut out = self
            .step
            .as_ref()
            .map(|step| format!("failing step: {step}\n"))
            .unwrap_or_default();
        out.push_str(&self.message);
        for line in self.last_lines(lines) {
            out.push_str(&format!("\n  | {line}"));
        }
        out
    }

    /// The last `lines` lines of the failing step's output.
    pub fn last_lines(&self, lines: usize) -> &[String] {
        &self.logs[self.logs.len().saturating_sub(lines)..]
    }
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildOutcome {
    pub image_id: Option<String>,
    /// Dockerfile steps in the order BuildKit reported them.
    pub steps: Vec<Step>,
    pub failure: Option<BuildFailure>,
    pub path: BuildPath,
    pub elapsed: Duration,
    /// Time spent writing the image after the last step, when BuildKit
    /// reported it.
    pub export_time: Option<Duration>,
    /// Things the user should know (e.g. why the CLI fallback was taken).
    pub notes: Vec<String>,
    /// Bytes of build context sent to the engine (the tar); `None` when a
    /// docker CLI's file sync sent the directory (it transfers only what
    /// changed and does not say how much).
    pub context_sent: Option<u64>,
}

impl BuildOutcome {
    pub fn succeeded(&self) -> bool {
        self.failure.is_none()
    }

    /// The steps other than `FROM`: BuildKit reports resolving the base
    /// image as work even when nothing was rebuilt.
    pub fn work_steps(&self) -> impl Iterator<Item = &Step> {
        self.steps
            .iter()
            .filter(|step| !step.instruction.starts_with("FROM "))
    }

    /// The work steps that ran rather than came from the layer cache.
    pub fn ran_steps(&self) -> impl Iterator<Item = &Step> {
        self.work_steps().filter(|step| !step.cached)
    }
}

/// A progress callback: the event and all steps so far.
pub type Observer<'a> = dyn FnMut(&Event, &[Step]) + Send + 'a;

impl Engine {
    /// Builds `context` (a tar archive holding the Dockerfile) with BuildKit.
    ///
    /// Dropping the returned future cancels the build: the request and the
    /// session close, the engine stops the solve, and no tag is written.
    pub async fn build(
        &self,
        options: &BuildOptions,
        context: bytes::Bytes,
        observer: &mut Observer<'_>,
    ) -> Result<BuildOutcome, EngineError> {
        let started = Instant::now();
        let mut notes = Vec::new();
        let context_sent = options
            .context_dir
            .is_none()
            .then_some(context.len() as u64);
        let path = match options.buildx_cache_export() {
            Some(spec) => {
                cli::require_buildx(spec).await?;
                PathChoice::Cli
            }
            None => options.path,
        };
        let mut outcome = match path {
            _ if options.context_dir.is_some() => {
                cli::build(self, options, context, observer).await?
            }
            PathChoice::Cli => cli::build(self, options, context, observer).await?,
            PathChoice::Api => self.build_via_api(options, context, observer).await?,
            PathChoice::Auto => {
                match self.build_via_api(options, context.clone(), observer).await {
                    Err(err) if api_cannot_build(&err) => {
                        notes.push(format!(
                        "the Engine API could not run a BuildKit build ({err}); used a docker CLI"
                    ));
                        cli::build(self, options, context, observer).await?
                    }
                    other => other?,
                }
            }
        };
        if outcome.failure.is_none()
            && let Some(id) = outcome.image_id.clone()
        {
            for tag in options.tags.iter().skip(1) {
                self.tag(&id, tag).await?;
            }
        }
        outcome.notes.splice(0..0, notes);
        outcome.elapsed = started.elapsed();
        outcome.context_sent = context_sent;
        Ok(outcome)
    }

    async fn tag(&self, image: &str, reference: &str) -> Result<(), EngineError> {
        let (repo, tag) = split_reference(reference);
        let options = TagImageOptionsBuilder::default()
            .repo(repo)
            .tag(tag)
            .build();
        self.docker.tag_image(image, Some(options)).await?;
        Ok(())
    }

    async fn build_via_api(
        &self,
        options: &BuildOptions,
        context: bytes::Bytes,
        observer: &mut Observer<'_>,
    ) -> Result<BuildOutcome, EngineError> {
        let address = self.dial.clone();
        let session = Session::open(
            &address,
            &self.api_version,
            &options.secrets,
            self.credentials(),
        )
        .await?;
        let request = api_options(options, &session.id);
        let docker = self.docker.clone().with_timeout(BUILD_REQUEST_TIMEOUT);
        let result = {
            let stream = docker.build_image(request, None, Some(bollard::body_full(context)));
            consume(stream, observer).await
        };
        session.close().await;
        let (tracker, image_id, stream_error) = result.map_err(|err| self.dropped(err))?;
        Ok(finish(tracker, image_id, stream_error, BuildPath::Api))
    }
}

impl Engine {
    /// A transport error while the build's answer streamed in is a lost
    /// engine, not a failed build: the engine cancels a build whose client
    /// went away, so nothing was tagged.
    fn dropped(&self, err: EngineError) -> EngineError {
        match err {
            EngineError::Api(
                bollard::errors::Error::HyperResponseError { .. }
                | bollard::errors::Error::IOError { .. }
                | bollard::errors::Error::RequestTimeoutError,
            ) => {
                let tunnel = self
                    .tunnel_error()
                    .map(|why| format!(" ({why})"))
                    .unwrap_or_default();
                EngineError::Unreachable {
                    location: self.location().to_string(),
                    reason: format!(
                        "the connection dropped during the build: {err}{tunnel}; the engine \
                         cancels a build whose client is gone, so no image was tagged"
                    ),
                }
            }
            other => other,
        }
    }
}

/// Reads the build response: BuildKit status, the image id, or an error.
async fn consume(
    stream: impl futures_util::Stream<Item = Result<BuildInfo, bollard::errors::Error>>,
    observer: &mut Observer<'_>,
) -> Result<(Tracker, Option<String>, Option<String>), EngineError> {
    let mut stream = std::pin::pin!(stream);
    let mut tracker = Tracker::new();
    let mut image_id = None;
    let mut stream_error = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => match info.aux {
                Some(BuildInfoAux::BuildKit(status)) => {
                    for event in tracker.apply(&status) {
                        observer(&event, tracker.steps());
                    }
                }
                Some(BuildInfoAux::Default(id)) => image_id = id.id.or(image_id),
                None => {}
            },
            Err(bollard::errors::Error::DockerStreamError { error }) => {
                stream_error = Some(error);
                break;
            }
            Err(err) => return Err(EngineError::Api(err)),
        }
    }
    tracker.finish();
    Ok((tracker, image_id, stream_error))
}

/// Turns the collected progress into an outcome.
pub(crate) fn finish(
    tracker: Tracker,
    image_id: Option<String>,
    stream_error: Option<String>,
    path: BuildPath,
) -> BuildOutcome {
    let vertex_failure = tracker.failure();
    let failure = match (stream_error, vertex_failure) {
        (message, Some((step, error, logs))) => Some(BuildFailure {
            step: Some(step),
            message: message.unwrap_or(error),
            logs,
        }),
        (Some(message), None) => Some(BuildFailure {
            step: None,
            message,
            logs: Vec::new(),
        }),
        (None, None) if image_id.is_none() => Some(BuildFailure {
            step: None,
            message: "the engine ended the build without an image id".into(),
            logs: Vec::new(),
        }),
        (None, None) => None,
    };
    BuildOutcome {
        image_id,
        export_time: tracker.export_time(),
        steps: tracker.into_steps(),
        failure,
        path,
        elapsed: Duration::ZERO,
        notes: Vec::new(),
        context_sent: None,
    }
}

/// Errors meaning "this engine's API cannot run BuildKit builds" (as
/// opposed to the build itself failing), which the CLI may still manage.
fn api_cannot_build(err: &EngineError) -> bool {
    match err {
        EngineError::Session(_) => true,
        EngineError::Api(bollard::errors::Error::DockerResponseServerError { message, .. }) => {
            let message = message.to_ascii_lowercase();
            message.contains("buildkit") || message.contains("session")
        }
        _ => false,
    }
}

fn api_options(options: &BuildOptions, session: &str) -> BuildImageOptions {
    let dockerfile = if options.dockerfile.is_empty() {
        "Dockerfile".to_string()
    } else {
        options.dockerfile.clone()
    };
    let to_map = |pairs: &[(String, String)]| -> Option<HashMap<String, String>> {
        (!pairs.is_empty()).then(|| pairs.iter().cloned().collect())
    };
    BuildImageOptions {
        dockerfile,
        t: options.tags.first().cloned(),
        target: options.target.clone().unwrap_or_default(),
        buildargs: to_map(&options.effective_build_args()),
        labels: to_map(&options.labels),
        nocache: options.no_cache,
        pull: options.pull.then(|| "1".to_string()),
        platform: options.platform.clone().unwrap_or_default(),
        networkmode: options.network.clone(),
        cachefrom: (!options.cache_from.is_empty()).then(|| options.cache_from.clone()),
        rm: true,
        forcerm: true,
        version: BuilderVersion::BuilderBuildKit,
        session: Some(session.to_string()),
        ..BuildImageOptions::default()
    }
}

/// Splits `repo[:tag]`, minding registry ports (`host:5000/app`).
pub(crate) fn split_reference(reference: &str) -> (&str, &str) {
    match reference.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (reference, "latest"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_at_the_tag_not_the_port() {
        assert_eq!(split_reference("app:1.2"), ("app", "1.2"));
        assert_eq!(
            split_reference("127.0.0.1:5000/app"),
            ("127.0.0.1:5000/app", "latest")
        );
        assert_eq!(
            split_reference("127.0.0.1:5000/app:v1"),
            ("127.0.0.1:5000/app", "v1")
        );
    }

    #[test]
    fn api_options_carry_buildkit_and_the_session() {
        let options = BuildOptions {
            tags: vec!["a:1".into(), "b:2".into()],
            no_cache: true,
            cache_to: vec![crate::CacheTo::Inline],
            ..BuildOptions::default()
        };
        let request = api_options(&options, "sess");
        assert_eq!(request.version, BuilderVersion::BuilderBuildKit);
        assert_eq!(request.session.as_deref(), Some("sess"));
        assert_eq!(request.dockerfile, "Dockerfile");
        assert_eq!(request.t.as_deref(), Some("a:1"));
        assert!(request.nocache);
        assert_eq!(request.buildargs.unwrap()["BUILDKIT_INLINE_CACHE"], "1");
    }

    #[test]
    fn a_stream_error_without_a_step_is_still_a_failure() {
        let outcome = finish(Tracker::new(), None, Some("boom".into()), BuildPath::Api);
        assert_eq!(outcome.failure.unwrap().message, "boom");
        let ok = finish(
            Tracker::new(),
            Some("sha256:1".into()),
            None,
            BuildPath::Api,
        );
        assert!(ok.succeeded());
    }
}
