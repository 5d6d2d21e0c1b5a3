//! The bench report: its model, built from measured runs, and its Markdown
//! and JSON forms. Nothing here measures; the command fills it in.

pub use layerwise_context::human_bytes;
use serde::Serialize;

use crate::downloads::{Downloads, Fetch};
use crate::stats::{Summary, on_slower_link};

/// The situations a rebuild is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScenarioKind {
    /// No layer cache and package-download cache mounts never used.
    ColdEmptyCache,
    /// No layer cache, but the download cache mounts filled by a build before.
    ColdWarmCache,
    NoChange,
    CodeEdit,
    DependencyEdit,
}

impl ScenarioKind {
    pub const ALL: [ScenarioKind; 5] = [
        ScenarioKind::ColdEmptyCache,
        ScenarioKind::ColdWarmCache,
        ScenarioKind::NoChange,
        ScenarioKind::CodeEdit,
        ScenarioKind::DependencyEdit,
    ];

    pub fn title(self) -> &'static str {
        match self {
            ScenarioKind::ColdEmptyCache => "Cold build, empty download cache",
            ScenarioKind::ColdWarmCache => "Cold build, warm download cache",
            ScenarioKind::NoChange => "No-change rebuild",
            ScenarioKind::CodeEdit => "Code edit",
            ScenarioKind::DependencyEdit => "Dependency edit",
        }
    }
}

/// Where the figures were measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Machine {
    pub cores: usize,
    pub os: String,
    pub engine: String,
    pub build_path: String,
}

/// One build of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    pub seconds: f64,
    /// Steps that ran (`[stage k/n] INSTRUCTION`), in BuildKit's order.
    pub steps_ran: Vec<String>,
    /// Steps answered from the layer cache.
    pub steps_cached: Vec<String>,
    /// Wall time of each step that ran, in `steps_ran`'s order, and of
    /// writing the image: where a scenario's time goes.
    pub breakdown: Breakdown,
    /// Read from the logs of the steps that ran.
    pub downloads: Downloads,
    /// Bytes this machine's network adapters received while the build ran
    /// (index pages and TLS included); `None` for an engine elsewhere or
    /// where the adapters cannot be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_bytes: Option<u64>,
}

impl Run {
    /// What the build fetched: the adapters' count where there is one, the
    /// sizes installers printed otherwise.
    fn fetched_bytes(&self) -> u64 {
        self.received_bytes.unwrap_or(self.downloads.bytes)
    }
}

/// Where one build's time went.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Breakdown {
    /// Seconds per step that ran, paired with `Run::steps_ran`.
    pub step_seconds: Vec<f64>,
    /// Seconds BuildKit spent writing the image after the last step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_seconds: Option<f64>,
}

/// One scenario of one Dockerfile: measured over the runs, or skipped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub kind: ScenarioKind,
    /// What was changed, e.g. `app.py` or `six==1.16.0 in requirements.txt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Why the scenario could not apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<Summary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub downloaded_bytes: Option<Summary>,
    /// False when an installer fetched files without printing their size,
    /// so `downloaded_bytes` is a lower bound.
    pub sizes_complete: bool,
    /// Received over this machine's network adapters, when every run
    /// counted it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_bytes: Option<Summary>,
    /// Estimated seconds on the `--bandwidth` link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slow_link_seconds: Option<Summary>,
    pub runs: Vec<Run>,
}

impl Scenario {
    pub fn skipped(kind: ScenarioKind, detail: Option<String>, reason: String) -> Scenario {
        Scenario {
            kind,
            detail,
            skipped: Some(reason),
            seconds: None,
            downloaded_bytes: None,
            sizes_complete: true,
            received_bytes: None,
            slow_link_seconds: None,
            runs: Vec::new(),
        }
    }

    /// Summarises measured runs; `bandwidth` is `--bandwidth` in Mbit/s.
    pub fn measured(
        kind: ScenarioKind,
        detail: Option<String>,
        runs: Vec<Run>,
        bandwidth: Option<f64>,
    ) -> Scenario {
        let seconds: Vec<f64> = runs.iter().map(|r| r.seconds).collect();
        let bytes: Vec<f64> = runs.iter().map(|r| r.downloads.bytes as f64).collect();
        let received: Option<Vec<f64>> = runs
            .iter()
            .map(|r| r.received_bytes.map(|b| b as f64))
            .collect();
        let slow: Vec<f64> = match bandwidth {
            Some(mbit) => runs
                .iter()
                .filter_map(|r| on_slower_link(r.seconds, r.fetched_bytes(), mbit))
                .collect(),
            None => Vec::new(),
        };
        Scenario {
            kind,
            detail,
            skipped: None,
            seconds: Summary::of(&seconds),
            downloaded_bytes: Summary::of(&bytes),
            sizes_complete: runs.iter().all(|r| r.downloads.sizes_complete),
            received_bytes: received.and_then(|r| Summary::of(&r)),
            slow_link_seconds: Summary::of(&slow),
            runs,
        }
    }
}

/// Size and layer count of the final image, and how long its Python takes
/// to import the application.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageFacts {
    pub size_bytes: u64,
    pub layers: usize,
    /// Median seconds `import <module>` takes in a new container of the
    /// image (bytecode compiled at build time or not shows here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_seconds: Option<f64>,
    /// Why the import could not be timed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_failure: Option<String>,
}

/// One Dockerfile's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// `Before`, `After`, or `Dockerfile` when only one is measured.
    pub label: String,
    /// Where the Dockerfile came from.
    pub dockerfile: String,
    pub scenarios: Vec<Scenario>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageFacts>,
}

impl Variant {
    pub fn scenario(&self, kind: ScenarioKind) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.kind == kind)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub project: String,
    pub runs: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bandwidth_mbit: Option<f64>,
    pub machine: Machine,
    pub variants: Vec<Variant>,
    pub notes: Vec<String>,
    /// Tags of the images the bench built; all are removed when it ends.
    pub temporary_images: Vec<String>,
    /// The application module whose import time is each image's start-up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_module: Option<String>,
}

impl Report {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// The table people paste into pull requests, with the notes under it.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let labels: Vec<&str> = self.variants.iter().map(|v| v.label.as_str()).collect();
        let compare = self.variants.len() == 2;
        out.push_str(&format!("**layerwise bench** `{}`", self.project));
        for variant in &self.variants {
            out.push_str(&format!(" · {}: {}", variant.label, variant.dockerfile));
        }
        out.push_str("\n\n");
        let mut header = String::from("| Scenario |");
        let mut rule = String::from("|---|");
        for label in &labels {
            header.push_str(&format!(" {label} |"));
            rule.push_str("---:|");
        }
        if compare {
            header.push_str(" Ratio |");
            rule.push_str("---:|");
        }
        out.push_str(&header);
        out.push('\n');
        out.push_str(&rule);
        out.push('\n');
        for row in self.rows() {
            out.push_str(&format!("| {} |", row.title));
            for cell in &row.cells {
                out.push_str(&format!(" {cell} |"));
            }
            if compare {
                out.push_str(&format!(" {} |", row.ratio.as_deref().unwrap_or("—")));
            }
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&format!(
            "Times are the median of {} run{} (min–max). Machine: {} cores, {}, {}, builds through the {}.\n",
            self.runs,
            if self.runs == 1 { "" } else { "s" },
            self.machine.cores,
            self.machine.os,
            self.machine.engine,
            self.machine.build_path
        ));
        for line in self.fetched_lines() {
            out.push_str(&format!("\n{line}"));
        }
        for variant in &self.variants {
            for scenario in &variant.scenarios {
                if let Some(reason) = &scenario.skipped {
                    out.push_str(&format!(
                        "\n{} skipped for {}: {reason}",
                        scenario.kind.title(),
                        variant.label
                    ));
                }
            }
        }
        for note in &self.notes {
            out.push_str(&format!("\nNote: {note}"));
        }
        out.push('\n');
        out
    }

    /// What each Dockerfile fetched again on the dependency edit.
    pub fn fetched_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for variant in &self.variants {
            let Some(scenario) = variant.scenario(ScenarioKind::DependencyEdit) else {
                continue;
            };
            let Some(run) = scenario.runs.last() else {
                continue;
            };
            let d = &run.downloads;
            let text = if !d.installer_seen {
                "no pip or uv output in the steps that ran".to_string()
            } else if d.packages.is_empty() {
                "nothing downloaded or built".to_string()
            } else {
                d.packages
                    .iter()
                    .map(|p| {
                        let mut s = p.name.clone();
                        if let Some(v) = &p.version {
                            s.push_str(&format!(" {v}"));
                        }
                        match (p.how, p.bytes) {
                            (Fetch::Built, _) => s.push_str(" (built)"),
                            (_, Some(b)) => s.push_str(&format!(" ({})", human_bytes(b as f64))),
                            (Fetch::Installed, None) => s.push_str(" (installed)"),
                            (Fetch::Downloaded, None) => {}
                        }
                        s
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            lines.push(format!(
                "Dependency edit, {} fetched (last run): {text}.",
                variant.label
            ));
        }
        lines
    }

    /// The table's rows, shared by Markdown and HTML.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        for kind in ScenarioKind::ALL {
            let scenarios: Vec<Option<&Scenario>> =
                self.variants.iter().map(|v| v.scenario(kind)).collect();
            if scenarios.iter().all(Option::is_none) {
                continue;
            }
            let detail = scenarios.iter().flatten().find_map(|s| s.detail.clone());
            let title = match detail {
                Some(d) => format!("{} (`{d}`)", kind.title()),
                None => kind.title().to_string(),
            };
            rows.push(Row::of(title, &scenarios, |s| s.seconds, format_seconds));
            if kind == ScenarioKind::DependencyEdit {
                let counted = scenarios
                    .iter()
                    .flatten()
                    .all(|s| s.received_bytes.is_some());
                let complete = scenarios.iter().flatten().all(|s| s.sizes_complete);
                let (title, bytes): (&str, fn(&Scenario) -> Option<Summary>) = if counted {
                    ("Received over the network on dependency edit", |s| {
                        s.received_bytes
                    })
                } else if complete {
                    ("Downloaded on dependency edit", |s| s.downloaded_bytes)
                } else {
                    (
                        "Downloaded on dependency edit (sizes uv printed only)",
                        |s| s.downloaded_bytes,
                    )
                };
                rows.push(Row::of(title.to_string(), &scenarios, bytes, human_bytes));
                if let Some(mbit) = self.bandwidth_mbit {
                    rows.push(Row::of(
                        format!("Dependency edit at {mbit} Mbit/s (estimate)"),
                        &scenarios,
                        |s| s.slow_link_seconds,
                        format_seconds,
                    ));
                }
            }
            if kind == ScenarioKind::ColdEmptyCache
                && let Some(mbit) = self.bandwidth_mbit
            {
                rows.push(Row::of(
                    format!("Cold build at {mbit} Mbit/s (estimate)"),
                    &scenarios,
                    |s| s.slow_link_seconds,
                    format_seconds,
                ));
            }
        }
        let images: Vec<Option<ImageFacts>> =
            self.variants.iter().map(|v| v.image.clone()).collect();
        if images.iter().any(Option::is_some) {
            rows.push(Row::plain(
                "Image size".into(),
                &images,
                |i| i.size_bytes as f64,
                human_bytes,
            ));
            rows.push(Row::plain(
                "Layers".into(),
                &images,
                |i| i.layers as f64,
                |x| format!("{x:.0}"),
            ));
            if let Some(module) = &self.import_module
                && images.iter().flatten().any(|i| i.import_seconds.is_some())
            {
                rows.push(Row::optional(
                    format!("Start-up: `import {module}` in the image"),
                    &images,
                    |i| i.import_seconds,
                    format_seconds,
                ));
            }
        }
        rows
    }
}

/// One table row: a cell per variant and, for two, Before ÷ After.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub title: String,
    pub cells: Vec<String>,
    pub ratio: Option<String>,
}

impl Row {
    fn of(
        title: String,
        scenarios: &[Option<&Scenario>],
        value: impl Fn(&Scenario) -> Option<Summary>,
        format: impl Fn(f64) -> String,
    ) -> Row {
        let mut cells = Vec::new();
        let mut medians = Vec::new();
        for scenario in scenarios {
            let (cell, median) = match scenario {
                None => ("—".to_string(), None),
                Some(s) if s.skipped.is_some() => ("skipped".to_string(), None),
                Some(s) => match value(s) {
                    None => ("—".to_string(), None),
                    Some(sum) if sum.runs > 1 && sum.max > sum.min => (
                        format!(
                            "{} ({}–{})",
                            format(sum.median),
                            format(sum.min),
                            format(sum.max)
                        ),
                        Some(sum.median),
                    ),
                    Some(sum) => (format(sum.median), Some(sum.median)),
                },
            };
            cells.push(cell);
            medians.push(median);
        }
        Row {
            title,
            cells,
            ratio: ratio(&medians),
        }
    }

    fn plain(
        title: String,
        images: &[Option<ImageFacts>],
        value: impl Fn(&ImageFacts) -> f64,
        format: impl Fn(f64) -> String,
    ) -> Row {
        Row::optional(title, images, |i| Some(value(i)), format)
    }

    fn optional(
        title: String,
        images: &[Option<ImageFacts>],
        value: impl Fn(&ImageFacts) -> Option<f64>,
        format: impl Fn(f64) -> String,
    ) -> Row {
        let values: Vec<Option<f64>> = images.iter().map(|i| i.as_ref().and_then(&value)).collect();
        Row {
            title,
            cells: values
                .iter()
                .map(|v| v.map(&format).unwrap_or_else(|| "—".into()))
                .collect(),
            ratio: ratio(&values),
        }
    }
}

/// Before ÷ After, when both exist and After is not zero.
fn ratio(medians: &[Option<f64>]) -> Option<String> {
    match medians {
        [Some(before), Some(after)] if *after > 0.0 => {
            let r = before / after;
            Some(if r >= 100.0 {
                format!("{r:.0}×")
            } else {
                format!("{r:.1}×")
            })
        }
        _ => None,
    }
}

pub fn format_seconds(seconds: f64) -> String {
    if seconds < 10.0 {
        format!("{seconds:.2} s")
    } else {
        format!("{seconds:.1} s")
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::downloads::Package;

    fn run(seconds: f64, ran: &[&str], bytes: u64, packages: &[(&str, u64)]) -> Run {
        Run {
            seconds,
            steps_ran: ran.iter().map(|s| s.to_string()).collect(),
            steps_cached: Vec::new(),
            breakdown: Breakdown::default(),
            downloads: Downloads {
                packages: packages
                    .iter()
                    .map(|(n, b)| Package {
                        name: n.to_string(),
                        version: Some("1.0".into()),
                        bytes: Some(*b),
                        how: Fetch::Downloaded,
                    })
                    .collect(),
                bytes,
                sizes_complete: true,
                installer_seen: true,
            },
            received_bytes: None,
        }
    }

    /// A fixed two-Dockerfile report for rendering tests.
    pub(crate) fn sample() -> Report {
        let variant = |label: &str, file: &str, scale: f64, dep_bytes: u64, size: u64| Variant {
            label: label.into(),
            dockerfile: file.into(),
            scenarios: vec![
                Scenario::measured(
                    ScenarioKind::ColdEmptyCache,
                    None,
                    vec![
                        run(30.0 * scale, &["RUN pip"], 9_000_000, &[]),
                        run(32.0 * scale, &[], 9_000_000, &[]),
                    ],
                    Some(10.0),
                ),
                Scenario::measured(
                    ScenarioKind::NoChange,
                    None,
                    vec![run(0.5, &[], 0, &[]), run(0.7, &[], 0, &[])],
                    Some(10.0),
                ),
                Scenario::measured(
                    ScenarioKind::CodeEdit,
                    Some("app.py".into()),
                    vec![
                        run(20.0 * scale, &["COPY . ."], 0, &[]),
                        run(22.0 * scale, &[], 0, &[]),
                    ],
                    Some(10.0),
                ),
                Scenario::measured(
                    ScenarioKind::DependencyEdit,
                    Some("six==1.16.0 in requirements.txt".into()),
                    vec![
                        run(25.0 * scale, &[], dep_bytes, &[("six", 11_000)]),
                        run(25.0 * scale, &[], dep_bytes, &[("six", 11_000)]),
                    ],
                    Some(10.0),
                ),
            ],
            image: Some(ImageFacts {
                size_bytes: size,
                layers: 6,
                import_seconds: Some(0.4 + scale / 2.0),
                import_failure: None,
            }),
        };
        let mut after = variant(
            "After",
            "generated by `layerwise init`",
            0.25,
            11_000,
            150_000_000,
        );
        after.scenarios.push(Scenario::skipped(
            ScenarioKind::ColdWarmCache,
            None,
            "example reason".into(),
        ));
        Report {
            project: "examples/flask-requirements".into(),
            runs: 2,
            bandwidth_mbit: Some(10.0),
            machine: Machine {
                cores: 2,
                os: "Debian GNU/Linux 12".into(),
                engine: "Docker Engine 20.10.24".into(),
                build_path: "Docker Engine API (BuildKit)".into(),
            },
            variants: vec![
                variant("Before", "Dockerfile.naive", 1.0, 9_000_000, 180_000_000),
                after,
            ],
            notes: vec!["a note".into()],
            temporary_images: vec!["layerwise-bench-x:v0-r0-s0".into()],
            import_module: Some("app".into()),
        }
    }

    #[test]
    fn markdown_table() {
        insta::assert_snapshot!(sample().to_markdown());
    }

    #[test]
    fn counted_bytes_replace_printed_sizes() {
        let counted = |received: Option<u64>| {
            let mut runs = vec![run(2.0, &[], 1_000_000, &[]), run(3.0, &[], 1_000_000, &[])];
            for r in &mut runs {
                r.received_bytes = received;
            }
            Scenario::measured(ScenarioKind::DependencyEdit, None, runs, Some(8.0))
        };
        // 1 MB at 8 Mbit/s is 1 s; 5 MB is 5 s.
        let printed = counted(None);
        assert_eq!(printed.received_bytes, None);
        assert_eq!(printed.slow_link_seconds.unwrap().median, 3.5);
        let received = counted(Some(5_000_000));
        assert_eq!(received.received_bytes.unwrap().median, 5_000_000.0);
        assert_eq!(received.slow_link_seconds.unwrap().median, 7.5);

        let mut report = sample();
        for variant in &mut report.variants {
            variant.scenarios[3] = counted(Some(5_000_000));
        }
        let titles: Vec<String> = report.rows().into_iter().map(|r| r.title).collect();
        assert!(
            titles
                .iter()
                .any(|t| t == "Received over the network on dependency edit")
        );
        assert!(
            !titles
                .iter()
                .any(|t| t.starts_with("Downloaded on dependency edit"))
        );
    }

    #[test]
    fn json_shape() {
        let value: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        assert_eq!(value["variants"].as_array().unwrap().len(), 2);
        let code = &value["variants"][1]["scenarios"][2];
        assert_eq!(code["kind"], "code-edit");
        assert_eq!(code["seconds"]["median"], 5.25);
        assert_eq!(code["runs"][0]["steps_ran"][0], "COPY . .");
        assert_eq!(
            value["variants"][1]["scenarios"][4]["skipped"],
            "example reason"
        );
        assert_eq!(value["variants"][0]["image"]["layers"], 6);
    }

    #[test]
    fn ratios_and_units() {
        assert_eq!(ratio(&[Some(10.0), Some(4.0)]).as_deref(), Some("2.5×"));
        assert_eq!(ratio(&[Some(1000.0), Some(1.0)]).as_deref(), Some("1000×"));
        assert_eq!(ratio(&[Some(1.0), Some(0.0)]), None);
        assert_eq!(ratio(&[Some(1.0), None]), None);
        assert_eq!(human_bytes(11_000.0), "11.0 kB");
        assert_eq!(human_bytes(512.0), "512 B");
        assert_eq!(human_bytes(1.5e8), "150.0 MB");
        assert_eq!(format_seconds(0.456), "0.46 s");
        assert_eq!(format_seconds(42.04), "42.0 s");
    }
}
