//! The cache model: for every step BuildKit would run for the target, the
//! inputs its cache key covers and the key itself (see docs/cache-model.md).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use layerwise_context::{EntryKind, FileHashes, StatCache, Walk, WalkOptions};
use layerwise_model::{Base, Model, Options, State};
use layerwise_syntax::expand::expand_word;
use layerwise_syntax::{Arguments, Details, Dockerfile, Instruction, InstructionKind, MountType};
use serde::{Deserialize, Serialize};

use crate::ExplainError;

/// Build-time inputs that are not files: what `build` was asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    pub target: Option<String>,
    pub build_args: BTreeMap<String, String>,
}

/// What one context file looked like, so a change can be told in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// `file`, `dir`, `link` or `special`.
    pub kind: String,
    pub mode: u32,
    /// BLAKE3 of the bytes (files), link target (links), empty otherwise.
    pub content: String,
    /// Short hashes of each line of small text files, to count added and
    /// removed lines without keeping the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<u32>>,
}

/// One step that makes a BuildKit vertex (FROM, RUN, COPY, ADD, WORKDIR).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedStep {
    /// Instruction index in the Dockerfile (0-based, all instructions).
    pub instruction_index: usize,
    /// 1-based line of the instruction.
    pub line: usize,
    /// BuildKit's stage name: the `AS` name (lower-cased) or `stage-N`.
    pub stage: String,
    /// `k` of BuildKit's `[stage k/n]` (1 is the FROM).
    pub position: u32,
    pub keyword: String,
    /// The instruction with whitespace collapsed.
    pub instruction: String,
    /// The labelled inputs of the cache key (see [`crate::cause`] for names).
    pub inputs: BTreeMap<String, String>,
    /// Context files this step reads.
    #[serde(default)]
    pub files: BTreeMap<String, FileRecord>,
    /// Line of the step this one builds on (same stage or base stage).
    pub parent_line: Option<usize>,
    /// Key of the step this one builds on.
    pub parent_key: String,
    /// Whether the key leaves the parent out (`COPY --link`).
    pub independent_of_parent: bool,
    /// The predicted cache key.
    pub key: String,
}

/// The model's view of one build.
#[derive(Debug, Clone, Default)]
pub struct CachePlan {
    pub steps: Vec<PlannedStep>,
    /// Stages the target does not need (BuildKit skips them).
    pub skipped_stages: Vec<String>,
    /// Non-fatal problems (a source that cannot be resolved, vanished files).
    pub warnings: Vec<String>,
    /// Base image references looked up, with the ID used (if known).
    pub images: BTreeMap<String, Option<String>>,
}

/// Image references of the `FROM` lines the target needs, expanded.
pub fn base_images(source: &str, inputs: &Inputs) -> Vec<String> {
    let file = layerwise_syntax::parse(source);
    let model = Model::new(&file, &model_options(inputs));
    let mut refs: Vec<String> = model
        .stages
        .iter()
        .filter(|s| s.reachable)
        .filter_map(|s| match &s.base {
            Base::Image(_) => from_reference(&model, s.from),
            _ => None,
        })
        .collect();
    refs.sort();
    refs.dedup();
    refs
}

fn model_options(inputs: &Inputs) -> Options {
    Options {
        build_args: inputs.build_args.clone(),
        target: inputs.target.clone(),
    }
}

/// The expanded image word of the FROM at instruction `i`.
fn from_reference(model: &Model, i: usize) -> Option<String> {
    let ins = model.instructions.get(i)?;
    let Arguments::Words(words) = &ins.arguments else {
        return None;
    };
    let word = words.first()?;
    let globals: Vec<(String, Option<String>)> = model
        .global_args
        .iter()
        .map(|a| (a.name.clone(), a.value.clone()))
        .collect();
    let lookup = |n: &str| {
        globals
            .iter()
            .rev()
            .find(|(k, _)| k == n)
            .and_then(|(_, v)| v.clone())
    };
    expand_word(&word.value, &lookup, model.file.escape()).ok()
}

/// Computes the plan for `dockerfile` built with `context` as its context.
/// `image_ids` maps base image references to their local image IDs.
pub fn plan(
    context: &Path,
    dockerfile: &Path,
    inputs: &Inputs,
    image_ids: &BTreeMap<String, String>,
    stat_cache: Option<&Path>,
) -> Result<CachePlan, ExplainError> {
    plan_with(context, dockerfile, inputs, image_ids, stat_cache, false)
}

/// [`plan`], optionally seeing file modes as git stores them (0644 or
/// 0755, directories 0755), so a checkout and a working tree compare on
/// what git can tell apart.
pub fn plan_with(
    context: &Path,
    dockerfile: &Path,
    inputs: &Inputs,
    image_ids: &BTreeMap<String, String>,
    stat_cache: Option<&Path>,
    git_modes: bool,
) -> Result<CachePlan, ExplainError> {
    let file = layerwise_syntax::read_buildable(dockerfile)?;
    let model = Model::new(&file, &model_options(inputs));
    if let Some(t) = &inputs.target
        && model.target.is_none()
    {
        return Err(ExplainError::NoTarget { target: t.clone() });
    }
    let ctx = Context::read(context, dockerfile, &file, stat_cache, git_modes)?;
    let mut plan = CachePlan {
        warnings: ctx.warnings.clone(),
        ..CachePlan::default()
    };
    let mut builder = Builder {
        model: &model,
        ctx: &ctx,
        image_ids,
        stage_results: HashMap::new(),
        plan: &mut plan,
    };
    builder.run();
    // BuildKit 0.8 numbers only the steps that make a vertex; the FROM
    // is 1 even when it comes from another stage and makes none.
    let mut counter: HashMap<String, u32> = HashMap::new();
    for step in &mut plan.steps {
        let next = counter
            .entry(step.stage.clone())
            .or_insert(if step.keyword == "FROM" { 0 } else { 1 });
        *next += 1;
        step.position = *next;
    }
    Ok(plan)
}

/// The build context as the cache sees it.
struct Context {
    walk: Walk,
    hashes: FileHashes,
    warnings: Vec<String>,
}

impl Context {
    fn read(
        context: &Path,
        dockerfile: &Path,
        file: &Dockerfile,
        stat_cache: Option<&Path>,
        git_modes: bool,
    ) -> Result<Context, ExplainError> {
        let ignore = layerwise_ignore::DockerIgnore::load(context, dockerfile)
            .map_err(|e| ExplainError::Other(e.to_string()))?;
        // `layerwise build` sends the Dockerfile and .dockerignore whatever
        // the patterns say, so `COPY .` sees them too.
        let mut always_include = Vec::new();
        let inside = |p: &Path| {
            p.strip_prefix(context)
                .ok()
                .map(|r| r.to_string_lossy().into_owned())
        };
        always_include.extend(inside(dockerfile));
        if let Some((path, _)) = &ignore {
            always_include.extend(inside(path));
        }
        let walk_options = WalkOptions {
            ignore: ignore.map(|(_, i)| i),
            sources: context_sources(file),
            always_include,
        };
        let mut walk = layerwise_context::walk(context, &walk_options)?;
        if git_modes {
            for e in &mut walk.entries {
                let perm = match e.kind {
                    EntryKind::File if e.mode & 0o111 != 0 => 0o755,
                    EntryKind::File => 0o644,
                    EntryKind::Dir => 0o755,
                    _ => continue,
                };
                e.mode = (e.mode & !0o7777) | perm;
            }
        }
        let mut warnings: Vec<String> = walk.warnings.iter().map(|w| format!("{w:?}")).collect();
        let hashes = match stat_cache {
            Some(path) => {
                let (mut cache, _notice) = StatCache::load(path, &walk.root);
                let hashes = layerwise_context::hash_files(&walk, Some(&mut cache))?;
                cache.retain_paths(walk.entries.iter().map(|e| e.path.as_str()));
                if let Err(e) = cache.save(path) {
                    warnings.push(format!(
                        "could not save the hash cache {}: {e}",
                        path.display()
                    ));
                }
                hashes
            }
            None => layerwise_context::hash_files(&walk, None)?,
        };
        for w in &hashes.warnings {
            if let layerwise_context::Warning::Vanished { path } = w {
                warnings.push(format!("{path} vanished while it was read; left out"));
            }
        }
        Ok(Context {
            walk,
            hashes,
            warnings,
        })
    }

    /// Digest and per-file records of what `source` selects.
    fn source(&self, source: &str) -> Result<(String, BTreeMap<String, FileRecord>), String> {
        let sel =
            layerwise_context::select_source(&self.walk, source).map_err(|e| e.to_string())?;
        let digest = layerwise_context::source_digest(&self.walk, &self.hashes, source)
            .map_err(|e| e.to_string())?;
        let mut files = BTreeMap::new();
        for e in &sel.entries {
            let (kind, content, lines) = match &e.kind {
                EntryKind::File => match self.hashes.hashes.get(&e.path) {
                    Some(d) => (
                        "file",
                        d.to_hex(),
                        line_hashes(&self.walk.abs_path(e), e.size),
                    ),
                    None => continue,
                },
                EntryKind::Dir => ("dir", String::new(), None),
                EntryKind::Symlink { target } => {
                    ("link", target.to_string_lossy().into_owned(), None)
                }
                EntryKind::Special => ("special", String::new(), None),
            };
            files.insert(
                e.path.clone(),
                FileRecord {
                    kind: kind.to_string(),
                    mode: e.mode,
                    content,
                    lines,
                },
            );
        }
        Ok((digest.to_hex(), files))
    }
}

/// Files bigger than this keep no line hashes.
const MAX_LINES_BYTES: u64 = 256 * 1024;

fn line_hashes(path: &Path, size: u64) -> Option<Vec<u32>> {
    if size > MAX_LINES_BYTES {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_LINES_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.contains(&0) {
        return None;
    }
    Some(
        bytes
            .split(|&b| b == b'\n')
            .map(|line| {
                let h = blake3::hash(line);
                let b = h.as_bytes();
                u32::from_le_bytes([b[0], b[1], b[2], b[3]])
            })
            .collect(),
    )
}

/// What the build can read from the context: COPY/ADD sources, or
/// everything (`None`) when a bind mount or a variable makes that unknowable.
pub fn context_sources(file: &Dockerfile) -> Option<Vec<String>> {
    let mut sources = Vec::new();
    for ins in file.instructions() {
        match (&ins.kind, &ins.details) {
            (InstructionKind::Run, Details::Run(flags))
                if flags
                    .mounts
                    .iter()
                    .any(|m| m.kind == MountType::Bind && m.from.is_none()) =>
            {
                return None;
            }
            (InstructionKind::Copy | InstructionKind::Add, Details::Copy(flags)) => {
                if flags.from.is_some() {
                    continue;
                }
                let words = words_of(ins)?;
                let Some((_, srcs)) = words.split_last() else {
                    continue;
                };
                for src in srcs {
                    if is_remote(src) || src.starts_with("<<") {
                        continue;
                    }
                    if src.contains('$') {
                        return None;
                    }
                    sources.push(src.clone());
                }
            }
            _ => {}
        }
    }
    Some(sources)
}

fn is_remote(src: &str) -> bool {
    src.contains("://") || src.starts_with("git@")
}

fn words_of(ins: &Instruction) -> Option<Vec<String>> {
    match &ins.arguments {
        Arguments::Words(w) => Some(w.iter().map(|w| w.value.clone()).collect()),
        Arguments::Exec(e) => Some(e.elements.iter().map(|w| w.value.clone()).collect()),
        _ => None,
    }
}

/// A stage's name as the Dockerfile writes it after `AS`, else `stage-N`.
pub fn stage_label(model: &Model, stage: &layerwise_model::Stage) -> String {
    stage
        .name_span
        .and_then(|span| model.file.source().get(span.start..span.end))
        .map(str::to_string)
        .or_else(|| stage.name.clone())
        .unwrap_or_else(|| format!("stage-{}", stage.index))
}

/// The instruction as reports show it: whitespace runs collapsed to one space.
pub(crate) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Hashes labelled inputs and a parent key into a key.
fn key_of(kind: &str, inputs: &BTreeMap<String, String>, parent: Option<&str>) -> String {
    let mut h = blake3::Hasher::new();
    h.update(b"layerwise-explain-key-v1\0");
    h.update(kind.as_bytes());
    h.update(b"\0");
    for (k, v) in inputs {
        // The reference is shown, the ID decides when it is known.
        if k == "image" && inputs.contains_key("image-id") {
            continue;
        }
        h.update(&(k.len() as u64).to_le_bytes());
        h.update(k.as_bytes());
        h.update(&(v.len() as u64).to_le_bytes());
        h.update(v.as_bytes());
    }
    if let Some(p) = parent {
        h.update(b"parent\0");
        h.update(p.as_bytes());
    }
    h.finalize().to_hex()[..32].to_string()
}

struct Builder<'m, 'a> {
    model: &'m Model<'a>,
    ctx: &'m Context,
    image_ids: &'m BTreeMap<String, String>,
    /// Result key and line of each stage's last step.
    stage_results: HashMap<usize, (String, usize)>,
    plan: &'m mut CachePlan,
}

impl Builder<'_, '_> {
    fn run(&mut self) {
        let model = self.model;
        for stage in &model.stages {
            let name = stage_label(model, stage);
            if !stage.reachable {
                self.plan.skipped_stages.push(name);
                continue;
            }
            let mut result = self.base_image_step(stage, &name);
            for i in model.body(stage) {
                if let Some(next) = self.step(stage.from, i, &name, &result) {
                    result = next;
                }
            }
            self.stage_results.insert(stage.index, result);
        }
    }

    fn base_step(&self, i: usize, stage: &str, stage_from: usize) -> PlannedStep {
        let ins = self.model.instructions[i];
        PlannedStep {
            instruction_index: i,
            line: self.model.file.position(ins.span.start).line,
            stage: stage.to_string(),
            position: u32::try_from(i - stage_from + 1).unwrap_or(u32::MAX),
            keyword: ins.kind.keyword().to_string(),
            instruction: collapse(ins.logical_line(self.model.file.source())),
            inputs: BTreeMap::new(),
            files: BTreeMap::new(),
            parent_line: None,
            parent_key: String::new(),
            independent_of_parent: false,
            key: String::new(),
        }
    }

    /// The FROM step; returns the stage's starting result.
    fn base_image_step(&mut self, stage: &layerwise_model::Stage, name: &str) -> (String, usize) {
        let mut step = self.base_step(stage.from, name, stage.from);
        if let Details::From(flags) = &self.model.instructions[stage.from].details
            && let Some(p) = &flags.platform
        {
            step.inputs.insert("platform".into(), p.value.clone());
        }
        match &stage.base {
            Base::Stage(s) => {
                // No vertex of its own: the stage continues from its base,
                // so its row shares the vertex of the base's last step.
                let base = self
                    .stage_results
                    .get(s)
                    .cloned()
                    .unwrap_or_else(|| (format!("stage-{s}-unbuilt"), 0));
                step.inputs.insert(
                    "from-stage".into(),
                    stage_label(self.model, &self.model.stages[*s]),
                );
                step.parent_line = Some(base.1).filter(|&l| l > 0);
                step.parent_key = base.0.clone();
                step.key = base.0.clone();
                self.plan.steps.push(step);
                return base;
            }
            Base::Scratch => {
                step.inputs.insert("image".into(), "scratch".into());
            }
            Base::Image(_) | Base::Unknown => {
                let reference = from_reference(self.model, stage.from).unwrap_or_default();
                if let Some(id) = self.image_ids.get(&reference) {
                    step.inputs.insert("image-id".into(), id.clone());
                }
                self.plan
                    .images
                    .insert(reference.clone(), self.image_ids.get(&reference).cloned());
                step.inputs.insert("image".into(), reference);
            }
        }
        step.key = key_of("FROM", &step.inputs, None);
        let result = (step.key.clone(), step.line);
        self.plan.steps.push(step);
        result
    }

    /// A body instruction; returns the new result when it makes a vertex.
    fn step(
        &mut self,
        stage_from: usize,
        i: usize,
        stage: &str,
        parent: &(String, usize),
    ) -> Option<(String, usize)> {
        let model = self.model;
        let ins = model.instructions[i];
        let state = &model.states[i];
        let escape = model.file.escape();
        let lookup = |n: &str| state.lookup(n);
        let expand = |w: &str| expand_word(w, &lookup, escape).unwrap_or_else(|_| w.to_string());
        let mut step = self.base_step(i, stage, stage_from);
        step.parent_line = Some(parent.1).filter(|&l| l > 0);
        step.parent_key = parent.0.clone();
        match (&ins.kind, &ins.details) {
            (InstructionKind::Run, details) => {
                let flags = match details {
                    Details::Run(f) => Some(f),
                    _ => None,
                };
                self.run_inputs(ins, state, flags, &mut step);
            }
            (InstructionKind::Copy | InstructionKind::Add, details) => {
                let flags = match details {
                    Details::Copy(f) => Some(f),
                    _ => None,
                };
                let words: Vec<String> = words_of(ins)
                    .unwrap_or_default()
                    .iter()
                    .map(|w| expand(w))
                    .collect();
                let (dest, srcs) = words.split_last()?;
                let dest_abs = if dest.starts_with('/') {
                    dest.clone()
                } else {
                    let joined = layerwise_model::join_path(&state.workdir, dest);
                    if dest.ends_with('/') && !joined.ends_with('/') {
                        format!("{joined}/")
                    } else {
                        joined
                    }
                };
                step.inputs.insert("dest".into(), dest_abs);
                let from = flags
                    .and_then(|f| f.from.as_ref())
                    .map(|f| expand(&f.value));
                if let Some(f) = flags {
                    for (label, flag) in [("chown", &f.chown), ("chmod", &f.chmod)] {
                        if let Some(v) = flag {
                            step.inputs.insert(label.into(), expand(&v.value));
                        }
                    }
                    if f.link.as_ref().is_some_and(|l| l.value) {
                        step.independent_of_parent = true;
                        step.inputs.insert("link".into(), "true".into());
                    }
                    if let Some(c) = &f.checksum {
                        step.inputs.insert("checksum".into(), c.value.clone());
                    }
                    for (n, e) in f.exclude.iter().enumerate() {
                        step.inputs.insert(format!("exclude:{n}"), e.value.clone());
                    }
                }
                match from {
                    Some(from) => {
                        let stage_index = model.states[i].stage.unwrap_or(0);
                        match model.stage_ref(&from, stage_index) {
                            Some(s) => {
                                let result = self.stage_results.get(&s);
                                step.inputs.insert(
                                    "from-stage".into(),
                                    stage_label(model, &model.stages[s]),
                                );
                                step.inputs.insert(
                                    "from-stage-key".into(),
                                    result.map(|r| r.0.clone()).unwrap_or_default(),
                                );
                            }
                            None => {
                                step.inputs.insert("from-image".into(), from.clone());
                                if let Some(id) = self.image_ids.get(&from) {
                                    step.inputs.insert("from-image-id".into(), id.clone());
                                }
                            }
                        }
                        for (n, src) in srcs.iter().enumerate() {
                            step.inputs.insert(format!("path:{n}"), src.clone());
                        }
                    }
                    None => {
                        for (n, src) in srcs.iter().enumerate() {
                            if is_remote(src) {
                                step.inputs.insert(format!("url:{n}"), src.clone());
                                continue;
                            }
                            let value = match self.ctx.source(src) {
                                Ok((digest, files)) => {
                                    step.files.extend(files);
                                    digest
                                }
                                Err(e) => {
                                    self.plan.warnings.push(format!(
                                        "line {}: COPY source {src}: {e}",
                                        step.line
                                    ));
                                    format!("unresolved: {e}")
                                }
                            };
                            step.inputs.insert(format!("src:{src}"), value);
                        }
                    }
                }
            }
            (InstructionKind::Workdir, _) => {
                // The state after the WORKDIR is the next instruction's.
                let after = model
                    .states
                    .get(i + 1)
                    .filter(|s| s.stage == state.stage)
                    .map(|s| s.workdir.clone())
                    .unwrap_or_else(|| match &ins.arguments {
                        Arguments::Text(t) => {
                            layerwise_model::join_path(&state.workdir, &expand(t.value.trim()))
                        }
                        _ => state.workdir.clone(),
                    });
                // BuildKit makes the directory only when it is not `/`; a
                // WORKDIR that resolves to `/` is no build step.
                if after == "/" {
                    return None;
                }
                step.inputs.insert("workdir".into(), after);
            }
            _ => return None,
        }
        let parent_key = if step.independent_of_parent {
            None
        } else {
            Some(parent.0.as_str())
        };
        step.key = key_of(&step.keyword, &step.inputs, parent_key);
        let result = if step.independent_of_parent {
            let mut h = blake3::Hasher::new();
            h.update(b"merge\0");
            h.update(parent.0.as_bytes());
            h.update(step.key.as_bytes());
            h.finalize().to_hex()[..32].to_string()
        } else {
            step.key.clone()
        };
        let line = step.line;
        self.plan.steps.push(step);
        Some((result, line))
    }

    fn run_inputs(
        &mut self,
        ins: &Instruction,
        state: &State,
        flags: Option<&layerwise_syntax::RunFlags>,
        step: &mut PlannedStep,
    ) {
        let escape = self.model.file.escape();
        let lookup = |n: &str| state.lookup(n);
        let expand = |w: &str| expand_word(w, &lookup, escape).unwrap_or_else(|_| w.to_string());
        let command = match &ins.arguments {
            Arguments::Exec(e) => serde_json::to_string(
                &e.elements
                    .iter()
                    .map(|w| w.value.as_str())
                    .collect::<Vec<_>>(),
            )
            .unwrap_or_default(),
            Arguments::Text(t) => {
                let mut argv = state.shell.clone();
                argv.push(t.value.clone());
                serde_json::to_string(&argv).unwrap_or_default()
            }
            _ => collapse(ins.logical_line(self.model.file.source())),
        };
        step.inputs.insert("command".into(), command);
        for (k, v) in &state.env {
            step.inputs.insert(format!("env:{k}"), v.clone());
        }
        for a in &state.args {
            if let Some(v) = &a.value
                && state.env(&a.name).is_none()
            {
                step.inputs.insert(format!("arg:{}", a.name), v.clone());
            }
        }
        step.inputs.insert("workdir".into(), state.workdir.clone());
        step.inputs.insert(
            "user".into(),
            state
                .user
                .clone()
                .unwrap_or_else(|| "(image default)".into()),
        );
        let Some(flags) = flags else { return };
        if let Some(n) = &flags.network {
            step.inputs
                .insert("network".into(), format!("{:?}", n.value).to_lowercase());
        }
        if let Some(s) = &flags.security {
            step.inputs
                .insert("security".into(), format!("{:?}", s.value).to_lowercase());
        }
        for (n, m) in flags.mounts.iter().enumerate() {
            let target = m.target.as_deref().map(expand).unwrap_or_default();
            let mut desc = format!("type={:?},target={target}", m.kind).to_lowercase();
            match m.kind {
                MountType::Cache => {
                    let id =
                        m.id.as_deref()
                            .map(expand)
                            .unwrap_or_else(|| target.clone());
                    let sharing = m
                        .sharing
                        .map(|s| format!("{s:?}").to_lowercase())
                        .unwrap_or_else(|| "shared".into());
                    desc.push_str(&format!(",id={id},sharing={sharing}"));
                }
                MountType::Secret | MountType::Ssh => {
                    if let Some(id) = &m.id {
                        desc.push_str(&format!(",id={}", expand(id)));
                    }
                }
                MountType::Bind | MountType::Tmpfs => {}
            }
            if let Some(ro) = m.readonly {
                desc.push_str(&format!(",readonly={ro}"));
            }
            for (label, v) in [("mode", m.mode), ("uid", m.uid), ("gid", m.gid)] {
                if let Some(v) = v {
                    desc.push_str(&format!(",{label}={v}"));
                }
            }
            let source = m.source.as_deref().map(expand);
            match (&m.kind, &m.from) {
                (MountType::Bind, None) => {
                    let src = source.unwrap_or_else(|| ".".into());
                    let value = match self.ctx.source(&src) {
                        Ok((digest, files)) => {
                            step.files.extend(files);
                            digest
                        }
                        Err(e) => format!("unresolved: {e}"),
                    };
                    step.inputs.insert(format!("bind:{n}"), value);
                }
                (MountType::Bind | MountType::Cache, Some(from)) => {
                    let from = expand(from);
                    let current = state.stage.unwrap_or(0);
                    let key = match self.model.stage_ref(&from, current) {
                        Some(s) => self
                            .stage_results
                            .get(&s)
                            .map(|r| r.0.clone())
                            .unwrap_or_default(),
                        None => self
                            .image_ids
                            .get(&from)
                            .cloned()
                            .unwrap_or_else(|| from.clone()),
                    };
                    desc.push_str(&format!(
                        ",from={from},source={}",
                        source.unwrap_or_default()
                    ));
                    step.inputs.insert(format!("mount-from:{n}"), key);
                }
                _ => {}
            }
            step.inputs.insert(format!("mount:{n}"), desc);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_for(dockerfile: &str, files: &[(&str, &str)], inputs: &Inputs) -> CachePlan {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
        for (p, c) in files {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, c).unwrap();
        }
        plan(
            dir.path(),
            &dir.path().join("Dockerfile"),
            inputs,
            &BTreeMap::new(),
            None,
        )
        .unwrap()
    }

    const DF: &str = "FROM python:3.11-slim AS other\nRUN echo other\n\nFROM python:3.11-slim AS app\nARG GIT_SHA=dev\nWORKDIR /app\nCOPY requirements.txt ./\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\nCOPY app.py ./\nENV X=1\nCMD [\"python\", \"app.py\"]\n";

    fn keys(p: &CachePlan) -> Vec<(usize, String)> {
        p.steps.iter().map(|s| (s.line, s.key.clone())).collect()
    }

    #[test]
    fn context_sources_come_from_copy_and_add() {
        let dockerfile = layerwise_syntax::parse(
            "FROM python:3.11-slim AS builder\nCOPY requirements.txt .\nFROM python:3.11-slim\nCOPY --from=builder /opt/venv /opt/venv\nCOPY . /app\n",
        );
        assert_eq!(
            context_sources(&dockerfile),
            Some(vec!["requirements.txt".into(), ".".into()])
        );
        let bind = layerwise_syntax::parse("FROM x\nRUN --mount=type=bind,target=/src make\n");
        assert_eq!(context_sources(&bind), None);
        let variable = layerwise_syntax::parse("FROM x\nARG D=.\nCOPY $D /app\n");
        assert_eq!(context_sources(&variable), None);
    }

    #[test]
    fn unreachable_stages_are_skipped_and_positions_count_vertices() {
        let p = plan_for(
            DF,
            &[("requirements.txt", "six\n"), ("app.py", "x\n")],
            &Inputs::default(),
        );
        assert_eq!(p.skipped_stages, vec!["other".to_string()]);
        let lines: Vec<usize> = p.steps.iter().map(|s| s.line).collect();
        assert_eq!(lines, vec![4, 6, 7, 8, 9]);
        let positions: Vec<u32> = p.steps.iter().map(|s| s.position).collect();
        assert_eq!(positions, vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_workdir_resolving_to_the_root_is_no_step() {
        let p = plan_for(
            "FROM python:3.11-slim\nWORKDIR .\nCOPY . .\nWORKDIR /\nWORKDIR app\n",
            &[("app.py", "x\n")],
            &Inputs::default(),
        );
        let lines: Vec<usize> = p.steps.iter().map(|s| s.line).collect();
        assert_eq!(lines, vec![1, 3, 5]);
    }

    #[test]
    fn code_edit_changes_only_the_copy_and_later() {
        let a = plan_for(
            DF,
            &[("requirements.txt", "six\n"), ("app.py", "x\n")],
            &Inputs::default(),
        );
        let b = plan_for(
            DF,
            &[("requirements.txt", "six\n"), ("app.py", "y\n")],
            &Inputs::default(),
        );
        let (ka, kb) = (keys(&a), keys(&b));
        assert_eq!(ka[..4], kb[..4]);
        assert_ne!(ka[4], kb[4]);
    }

    #[test]
    fn arg_change_reaches_runs_but_not_copies() {
        let files = [("requirements.txt", "six\n"), ("app.py", "x\n")];
        let a = plan_for(DF, &files, &Inputs::default());
        let mut inputs = Inputs::default();
        inputs.build_args.insert("GIT_SHA".into(), "abc".into());
        let b = plan_for(DF, &files, &inputs);
        let (ka, kb) = (keys(&a), keys(&b));
        // FROM, WORKDIR, COPY requirements unchanged; RUN differs.
        assert_eq!(ka[..3], kb[..3]);
        assert_ne!(ka[3], kb[3]);
        assert_eq!(
            b.steps[3].inputs.get("arg:GIT_SHA").map(String::as_str),
            Some("abc")
        );
    }

    #[test]
    fn image_id_decides_the_from_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Dockerfile"),
            "FROM python:3.11-slim\nRUN true\n",
        )
        .unwrap();
        let df = dir.path().join("Dockerfile");
        let mut ids = BTreeMap::new();
        ids.insert("python:3.11-slim".to_string(), "sha256:aaa".to_string());
        let a = plan(dir.path(), &df, &Inputs::default(), &ids, None).unwrap();
        ids.insert("python:3.11-slim".to_string(), "sha256:bbb".to_string());
        let b = plan(dir.path(), &df, &Inputs::default(), &ids, None).unwrap();
        assert_ne!(a.steps[0].key, b.steps[0].key);
        assert_ne!(a.steps[1].key, b.steps[1].key);
        assert_eq!(
            a.images.get("python:3.11-slim"),
            Some(&Some("sha256:aaa".to_string()))
        );
    }

    #[test]
    fn link_copies_do_not_depend_on_the_parent() {
        let df = |cmd: &str| {
            format!("FROM scratch\nCOPY --from=busybox {cmd} /x\nCOPY --link a /a\nCOPY b /b\n")
        };
        let files = [("a", "1"), ("b", "2")];
        let a = plan_for(&df("/bin/one"), &files, &Inputs::default());
        let b = plan_for(&df("/bin/two"), &files, &Inputs::default());
        assert_ne!(a.steps[1].key, b.steps[1].key);
        assert_eq!(a.steps[2].key, b.steps[2].key, "link copy keeps its key");
        assert_ne!(
            a.steps[3].key, b.steps[3].key,
            "later steps follow the merged parent"
        );
    }

    #[test]
    fn dockerignored_files_do_not_count_and_modes_do() {
        let df = "FROM scratch\nCOPY . /app\n";
        let a = plan_for(
            df,
            &[
                (".dockerignore", "notes.md\n"),
                ("notes.md", "a"),
                ("x.sh", "1"),
            ],
            &Inputs::default(),
        );
        let b = plan_for(
            df,
            &[
                (".dockerignore", "notes.md\n"),
                ("notes.md", "b"),
                ("x.sh", "1"),
            ],
            &Inputs::default(),
        );
        assert_eq!(a.steps[1].key, b.steps[1].key);
        assert!(!a.steps[1].files.contains_key("notes.md"));
        assert!(a.steps[1].files.contains_key("x.sh"));
        assert!(a.steps[1].files["x.sh"].lines.is_some());
    }
}
