//! BuildKit progress folded into Dockerfile steps.
//!
//! BuildKit re-sends a vertex every time it changes (started, log output,
//! completed), so vertexes are merged by digest. Only the `[stage k/n] …`
//! vertexes are steps of the Dockerfile; `[internal] …` and `exporting …`
//! are BuildKit's own work and are kept only to report their errors.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bollard_buildkit_proto::moby::buildkit::v1::StatusResponse;

/// Most log lines kept per step; the tail is what explains a failure.
const MAX_LOG_LINES: usize = 4000;

/// One Dockerfile step as BuildKit ran it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Step {
    pub digest: String,
    /// The vertex name, e.g. `[builder 3/5] RUN pip install -r requirements.txt`.
    pub name: String,
    /// The stage as BuildKit names it: its `AS` name, or `stage-N`.
    pub stage: String,
    /// Position in the stage (1 is the FROM) and the stage's step count.
    pub index: u32,
    pub count: u32,
    /// The instruction text after the bracket (BuildKit's rendering).
    pub instruction: String,
    pub cached: bool,
    pub started: Option<SystemTime>,
    pub completed: Option<SystemTime>,
    pub error: Option<String>,
    pub logs: Vec<String>,
}

impl Step {
    /// Wall time between start and completion; zero for a cache hit.
    pub fn duration(&self) -> Duration {
        match (self.started, self.completed) {
            (Some(start), Some(end)) => end.duration_since(start).unwrap_or_default(),
            _ => Duration::ZERO,
        }
    }

    pub fn is_done(&self) -> bool {
        self.completed.is_some() || self.cached && self.error.is_none()
    }
}

/// Parses `[builder 3/5] RUN …` into (stage, k, n, instruction). A
/// single-stage Dockerfile's steps carry no stage (`[2/3] RUN …`): the stage
/// is then empty.
pub fn parse_step_name(name: &str) -> Option<(String, u32, u32, String)> {
    let rest = name.strip_prefix('[')?;
    let (inside, after) = rest.split_once(']')?;
    let inside = inside.trim();
    let (stage, position) = match inside.rsplit_once(' ') {
        Some((stage, position)) => (stage.trim(), position),
        None => ("", inside),
    };
    let (k, n) = position.split_once('/')?;
    let (k, n) = (k.parse().ok()?, n.parse().ok()?);
    Some((stage.to_string(), k, n, after.trim().to_string()))
}

/// Something that changed, for live display.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Started(usize),
    Log(usize, String),
    Finished(usize),
}

/// A vertex that is not a Dockerfile step (context transfer, metadata, export).
#[derive(Debug, Clone, Default)]
struct Internal {
    name: String,
    started: Option<SystemTime>,
    completed: Option<SystemTime>,
    error: Option<String>,
    logs: Vec<String>,
}

/// Accumulates progress messages into steps.
#[derive(Debug, Default)]
pub struct Tracker {
    steps: Vec<Step>,
    by_digest: HashMap<String, usize>,
    internal: HashMap<String, Internal>,
    partial: HashMap<String, String>,
}

impl Tracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Steps in the order BuildKit first reported them.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    pub fn into_steps(self) -> Vec<Step> {
        self.steps
    }

    /// How long BuildKit spent writing the image (its `exporting to image`
    /// vertex): layer diffs and the image config, after the last step.
    pub fn export_time(&self) -> Option<Duration> {
        self.internal
            .values()
            .filter(|v| v.name.starts_with("exporting to image"))
            .find_map(|v| v.completed?.duration_since(v.started?).ok())
    }

    /// The first error BuildKit attached to any vertex, with its name and log
    /// tail, steps first.
    pub fn failure(&self) -> Option<(String, String, Vec<String>)> {
        if let Some(step) = self.steps.iter().find(|s| s.error.is_some()) {
            return Some((step.name.clone(), step.error.clone()?, step.logs.clone()));
        }
        self.internal.values().find(|v| v.error.is_some()).map(|v| {
            (
                v.name.clone(),
                v.error.clone().unwrap_or_default(),
                v.logs.clone(),
            )
        })
    }

    /// Folds one status message in, returning what changed.
    pub fn apply(&mut self, status: &StatusResponse) -> Vec<Event> {
        let mut events = Vec::new();
        for vertex in &status.vertexes {
            let update = VertexUpdate {
                digest: &vertex.digest,
                name: &vertex.name,
                cached: vertex.cached,
                started: vertex.started.as_ref().map(to_system_time),
                completed: vertex.completed.as_ref().map(to_system_time),
                error: (!vertex.error.is_empty()).then(|| vertex.error.clone()),
            };
            self.update(update, &mut events);
        }
        for log in &status.logs {
            self.log(&log.vertex, &log.msg, &mut events);
        }
        events
    }

    /// Merges one vertex state; shared by the API and the CLI progress parser.
    pub(crate) fn update(&mut self, update: VertexUpdate<'_>, events: &mut Vec<Event>) {
        let Some(&index) = self.by_digest.get(update.digest) else {
            if update.name.is_empty() {
                return;
            }
            match parse_step_name(update.name) {
                Some((stage, k, n, instruction)) => {
                    let index = self.steps.len();
                    self.steps.push(Step {
                        digest: update.digest.to_string(),
                        name: update.name.to_string(),
                        stage,
                        index: k,
                        count: n,
                        instruction,
                        ..Step::default()
                    });
                    self.by_digest.insert(update.digest.to_string(), index);
                    self.merge(index, update, events);
                }
                None => {
                    let entry = self.internal.entry(update.digest.to_string()).or_default();
                    entry.name = update.name.to_string();
                    entry.started = entry.started.or(update.started);
                    entry.completed = update.completed.or(entry.completed);
                    if update.error.is_some() {
                        entry.error = update.error;
                    }
                }
            }
            return;
        };
        self.merge(index, update, events);
    }

    fn merge(&mut self, index: usize, update: VertexUpdate<'_>, events: &mut Vec<Event>) {
        let step = &mut self.steps[index];
        let was_started = step.started.is_some() || step.cached;
        let was_done = step.is_done() || step.error.is_some();
        step.cached |= update.cached;
        if update.started.is_some() && step.started.is_none() {
            step.started = update.started;
        }
        if update.completed.is_some() {
            step.completed = update.completed;
        }
        if update.error.is_some() {
            step.error = update.error;
        }
        if !was_started && (step.started.is_some() || step.cached) {
            events.push(Event::Started(index));
        }
        if !was_done && (step.is_done() || step.error.is_some()) {
            events.push(Event::Finished(index));
        }
    }

    /// Replaces a step's start time with an exact one (the CLI reports a
    /// duration only once the step is done).
    pub(crate) fn correct_start(&mut self, digest: &str, started: SystemTime) {
        if let Some(&index) = self.by_digest.get(digest) {
            self.steps[index].started = Some(started);
        }
    }

    /// Appends log bytes to a vertex, splitting complete lines.
    pub(crate) fn log(&mut self, digest: &str, bytes: &[u8], events: &mut Vec<Event>) {
        let buffer = self.partial.entry(digest.to_string()).or_default();
        buffer.push_str(&String::from_utf8_lossy(bytes));
        let mut lines = Vec::new();
        while let Some(pos) = buffer.find(['\n', '\r']) {
            let line: String = buffer.drain(..=pos).collect();
            let line = line.trim_end_matches(['\n', '\r']).to_string();
            if !line.is_empty() {
                lines.push(line);
            }
        }
        for line in lines {
            self.push_log(digest, line, events);
        }
    }

    pub(crate) fn push_log(&mut self, digest: &str, line: String, events: &mut Vec<Event>) {
        let target = match self.by_digest.get(digest) {
            Some(&index) => {
                events.push(Event::Log(index, line.clone()));
                &mut self.steps[index].logs
            }
            None => &mut self.internal.entry(digest.to_string()).or_default().logs,
        };
        if target.len() >= MAX_LOG_LINES {
            target.remove(0);
        }
        target.push(line);
    }

    /// Flushes unterminated log output at the end of a build.
    pub fn finish(&mut self) {
        let pending: Vec<(String, String)> = self.partial.drain().collect();
        let mut events = Vec::new();
        for (digest, rest) in pending {
            let rest = rest.trim_end().to_string();
            if !rest.is_empty() {
                self.push_log(&digest, rest, &mut events);
            }
        }
    }
}

/// One observation of a vertex.
pub(crate) struct VertexUpdate<'a> {
    pub digest: &'a str,
    pub name: &'a str,
    pub cached: bool,
    pub started: Option<SystemTime>,
    pub completed: Option<SystemTime>,
    pub error: Option<String>,
}

fn to_system_time(ts: &bollard_buildkit_proto::google::protobuf::Timestamp) -> SystemTime {
    let secs = u64::try_from(ts.seconds).unwrap_or(0);
    let nanos = u32::try_from(ts.nanos).unwrap_or(0).min(999_999_999);
    UNIX_EPOCH + Duration::new(secs, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard_buildkit_proto::moby::buildkit::v1::{Vertex, VertexLog};

    fn ts(secs: i64) -> Option<bollard_buildkit_proto::google::protobuf::Timestamp> {
        Some(bollard_buildkit_proto::google::protobuf::Timestamp {
            seconds: secs,
            nanos: 0,
        })
    }

    fn vertex(digest: &str, name: &str) -> Vertex {
        Vertex {
            digest: digest.into(),
            name: name.into(),
            ..Vertex::default()
        }
    }

    #[test]
    fn the_export_time_comes_from_its_vertex_across_updates() {
        let mut tracker = Tracker::new();
        assert_eq!(tracker.export_time(), None);
        let mut export = vertex("sha256:e", "exporting to image");
        export.started = ts(200);
        let mut status = StatusResponse::default();
        status.vertexes.push(export.clone());
        tracker.apply(&status);
        assert_eq!(tracker.export_time(), None, "not completed yet");
        // BuildKit re-sends the vertex without its start once it completes.
        export.started = None;
        export.completed = ts(202);
        status.vertexes = vec![export];
        tracker.apply(&status);
        assert_eq!(tracker.export_time(), Some(Duration::from_secs(2)));
        assert!(
            tracker.steps().is_empty(),
            "the export is no Dockerfile step"
        );
    }

    #[test]
    fn step_names_parse() {
        assert_eq!(
            parse_step_name("[builder 3/5] RUN pip install six"),
            Some(("builder".into(), 3, 5, "RUN pip install six".into()))
        );
        assert_eq!(
            parse_step_name("[stage-1 2/2] COPY --from=builder /opt/venv /opt/venv")
                .unwrap()
                .0,
            "stage-1"
        );
        assert_eq!(
            parse_step_name("[2/3] COPY . ."),
            Some((String::new(), 2, 3, "COPY . .".into()))
        );
        assert_eq!(
            parse_step_name("[internal] load build definition from Dockerfile"),
            None
        );
        assert_eq!(parse_step_name("exporting to image"), None);
    }

    #[test]
    fn vertexes_merge_by_digest_and_internal_ones_are_dropped() {
        let mut tracker = Tracker::new();
        let mut first = StatusResponse::default();
        first
            .vertexes
            .push(vertex("sha256:a", "[internal] load build context"));
        let mut run = vertex("sha256:b", "[builder 2/3] RUN pip install six");
        run.started = ts(100);
        first.vertexes.push(run.clone());
        assert_eq!(tracker.apply(&first), vec![Event::Started(0)]);

        let mut logs = StatusResponse::default();
        logs.logs.push(VertexLog {
            vertex: "sha256:b".into(),
            msg: b"Collecting six\nInstalling".to_vec(),
            ..VertexLog::default()
        });
        assert_eq!(
            tracker.apply(&logs),
            vec![Event::Log(0, "Collecting six".into())]
        );

        let mut done = StatusResponse::default();
        run.completed = ts(103);
        done.vertexes.push(run);
        let mut cached = vertex("sha256:c", "[builder 3/3] COPY . .");
        cached.cached = true;
        done.vertexes.push(cached);
        let events = tracker.apply(&done);
        assert_eq!(
            events,
            vec![Event::Finished(0), Event::Started(1), Event::Finished(1)]
        );
        tracker.finish();

        let steps = tracker.steps();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].duration(), Duration::from_secs(3));
        assert!(!steps[0].cached);
        assert_eq!(steps[0].logs, vec!["Collecting six", "Installing"]);
        assert!(steps[1].cached);
        assert_eq!(steps[1].stage, "builder");
        assert!(tracker.failure().is_none());
    }

    #[test]
    fn errors_are_reported_with_their_step() {
        let mut tracker = Tracker::new();
        let mut status = StatusResponse::default();
        let mut failing = vertex("sha256:f", "[stage-0 2/2] RUN exit 3");
        failing.started = ts(1);
        failing.completed = ts(2);
        failing.error = "exit code: 3".into();
        status.vertexes.push(failing);
        tracker.apply(&status);
        let (name, error, _) = tracker.failure().unwrap();
        assert_eq!(name, "[stage-0 2/2] RUN exit 3");
        assert_eq!(error, "exit code: 3");
    }
}
