//! `layerwise explain [DIR]`: which steps the next build re-runs, why, and
//! what that costs, from the cache model and the last recorded build (or a
//! git revision with `--since`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use layerwise_explain::{BuildFiles, Explanation, Inputs};

use crate::exit;
use crate::output::truncate;

#[derive(Args, Debug, Clone)]
pub struct ExplainArgs {
    /// The build context directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The Dockerfile (default: DIR/Dockerfile, else the one Dockerfile-named
    /// file in DIR, such as Containerfile).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The stage to build (default: the last one).
    #[arg(long)]
    pub target: Option<String>,
    /// A build-time variable (`KEY=VALUE`, or `KEY` to take it from the environment).
    #[arg(long = "build-arg", value_name = "KEY=VALUE")]
    pub build_args: Vec<String>,
    /// Compare with this git revision instead of the last recorded build.
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

pub fn run(args: ExplainArgs) -> anyhow::Result<u8> {
    let file = match &args.file {
        Some(file) => Some(file.clone()),
        None if args.dir.is_dir() => match layerwise_rules::discover::default_dockerfile(&args.dir)
        {
            Ok(file) => Some(file),
            Err(message) => {
                eprintln!("error: {message}");
                return Ok(exit::INPUT_ERROR);
            }
        },
        None => None,
    };
    let project = match BuildFiles::new(&args.dir, file.as_deref()) {
        Ok(p) => p,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(exit::INPUT_ERROR);
        }
    };
    let build_args: BTreeMap<String, String> =
        super::build_args(&args.build_args).into_iter().collect();
    let inputs = Inputs {
        target: args.target.clone(),
        build_args,
    };
    let ids = lookup_image_ids(&project, &inputs);
    let result = match &args.since {
        Some(rev) => layerwise_explain::explain_since(&project, &inputs, ids.as_ref(), rev),
        None => layerwise_explain::explain(&project, &inputs, ids.as_ref()),
    };
    let explanation = match result {
        Ok(e) => e,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(exit::INPUT_ERROR);
        }
    };
    for notice in &explanation.notices {
        eprintln!("note: {notice}");
    }
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&json(&explanation))?),
        Format::Human => print!("{}", human(&explanation)),
    }
    Ok(exit::SUCCESS)
}

/// Base image IDs from the engine; `None` when no engine answers (the
/// recorded IDs are then assumed).
fn lookup_image_ids(project: &BuildFiles, inputs: &Inputs) -> Option<BTreeMap<String, String>> {
    let refs = project.base_images(inputs);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    runtime.block_on(async {
        let engine = layerwise_engine::Engine::connect().await.ok()?;
        Some(layerwise_explain::image_ids(&engine, &refs).await)
    })
}

/// The shape of `build --report json`, with the prediction as `cached`.
fn json(e: &Explanation) -> serde_json::Value {
    let steps: Vec<serde_json::Value> = e
        .steps
        .iter()
        .map(|s| {
            serde_json::json!({
                "stage": s.stage,
                "instruction": s.instruction,
                "line": s.line,
                "cached": s.cached,
                "cause": s.cause,
                "expected_s": s.expected_s,
            })
        })
        .collect();
    serde_json::json!({
        "baseline": e.baseline,
        "total_s": e.expected_s,
        "unmeasured": e.unmeasured,
        "skipped_stages": e.skipped_stages,
        "steps": steps,
    })
}

fn human(e: &Explanation) -> String {
    let mut out = String::new();
    let mut stages: Vec<&str> = Vec::new();
    for s in &e.steps {
        if !stages.contains(&s.stage.as_str()) {
            stages.push(&s.stage);
        }
    }
    let reruns = e.steps.iter().filter(|s| !s.cached).count();
    for stage in stages {
        let steps: Vec<_> = e.steps.iter().filter(|s| s.stage == stage).collect();
        let missed: Vec<_> = steps.iter().filter(|s| !s.cached).collect();
        if missed.is_empty() {
            out.push_str(&format!(
                "stage {stage}: all {} steps cached\n",
                steps.len()
            ));
            continue;
        }
        out.push_str(&format!("stage {stage}:\n"));
        for s in missed {
            let cost = match s.expected_s {
                Some(c) => format!("~{c:.1}s"),
                None => "cost unknown".to_string(),
            };
            let cause = s.cause.as_deref().unwrap_or("");
            let marker = if s.root { "re-runs" } else { "  then" };
            out.push_str(&format!(
                "  {marker} line {:>3}  {}  ({cost})\n           because {cause}\n",
                s.line,
                truncate(&s.instruction, 70)
            ));
        }
    }
    for stage in &e.skipped_stages {
        out.push_str(&format!(
            "stage {stage}: not built (the target does not need it)\n"
        ));
    }
    let unmeasured = if e.unmeasured > 0 {
        format!(", {} without a measured cost", e.unmeasured)
    } else {
        String::new()
    };
    out.push_str(&format!(
        "{reruns} of {} steps re-run, expected ~{:.1}s{unmeasured} (compared with: {})\n",
        e.steps.len(),
        e.expected_s,
        e.baseline
    ));
    out
}
