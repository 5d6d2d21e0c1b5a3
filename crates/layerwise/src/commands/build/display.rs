//! Live build progress on stderr: a spinner on a terminal, plain lines,
//! JSON events, or nothing.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use layerwise_engine::{Event, Step};

use super::Progress;
use crate::output::truncate;

pub(super) fn round_ms(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1000.0).round() / 1000.0
}

/// Live progress output.
pub(super) enum Display {
    Bar(ProgressBar),
    Plain,
    Json,
    Quiet,
}

impl Display {
    pub(super) fn new(progress: Progress) -> Display {
        match progress {
            Progress::Auto if std::io::stderr().is_terminal() => {
                let bar = ProgressBar::new_spinner();
                let style = ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner());
                bar.set_style(style);
                bar.enable_steady_tick(Duration::from_millis(120));
                Display::Bar(bar)
            }
            Progress::Auto | Progress::Plain => Display::Plain,
            Progress::Json => Display::Json,
            Progress::Quiet => Display::Quiet,
        }
    }

    pub(super) fn event(&self, event: &Event, steps: &[Step]) {
        let step_of = |index: &usize| steps.get(*index);
        match (self, event) {
            (Display::Quiet, _) => {}
            (Display::Json, event) => {
                let value = match event {
                    Event::Started(i) => step_of(i).map(|s| {
                        serde_json::json!({"event": "started", "step": s.name, "cached": s.cached})
                    }),
                    Event::Log(i, line) => step_of(i)
                        .map(|s| serde_json::json!({"event": "log", "step": s.name, "line": line})),
                    Event::Finished(i) => step_of(i).map(|s| {
                        serde_json::json!({"event": "finished", "step": s.name, "cached": s.cached,
                            "duration_s": round_ms(s.duration()), "error": s.error})
                    }),
                };
                if let Some(value) = value {
                    eprintln!("{value}");
                }
            }
            (Display::Plain, Event::Started(i)) => {
                if let Some(step) = step_of(i) {
                    eprintln!("=> {}", step.name);
                }
            }
            (Display::Plain, Event::Log(i, line)) => {
                if let Some(step) = step_of(i) {
                    eprintln!("   {} | {line}", short_name(step));
                }
            }
            (Display::Plain, Event::Finished(i)) => {
                if let Some(step) = step_of(i) {
                    eprintln!("   {} {}", short_name(step), status_word(step));
                }
            }
            (Display::Bar(bar), Event::Started(_)) => bar.set_message(running(steps)),
            (Display::Bar(bar), Event::Log(i, line)) => {
                if let Some(step) = step_of(i) {
                    bar.set_message(format!("{} | {}", short_name(step), truncate(line, 60)));
                }
            }
            (Display::Bar(bar), Event::Finished(i)) => {
                if let Some(step) = step_of(i) {
                    bar.println(format!(
                        "{} {}",
                        status_word(step),
                        truncate(&step.name, 90)
                    ));
                }
                bar.set_message(running(steps));
            }
        }
    }

    pub(super) fn finish(&self) {
        if let Display::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

fn short_name(step: &Step) -> String {
    let stage = if step.stage.is_empty() {
        String::new()
    } else {
        format!("{} ", step.stage)
    };
    format!("[{stage}{}/{}]", step.index, step.count)
}

fn status_word(step: &Step) -> String {
    if step.error.is_some() {
        "ERROR".to_string()
    } else if step.cached {
        "CACHED".to_string()
    } else {
        format!("DONE {:.1}s", step.duration().as_secs_f64())
    }
}

fn running(steps: &[Step]) -> String {
    let names: Vec<String> = steps
        .iter()
        .filter(|s| !s.is_done() && s.error.is_none() && s.started.is_some())
        .map(|s| truncate(&s.name, 70))
        .collect();
    if names.is_empty() {
        "building".to_string()
    } else {
        names.join("  ")
    }
}
