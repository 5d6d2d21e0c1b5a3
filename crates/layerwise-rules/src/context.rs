//! What a rule sees: the parsed file, its model, the project, and helpers
//! for the questions many rules ask.

use layerwise_model::{Model, Run, Stage};
use layerwise_syntax::{
    Arguments, Details, Dockerfile, Instruction, InstructionKind, Mount, MountType, Span, Spanned,
};

use crate::context_dir::ContextDir;

/// Input of every rule.
pub struct Context<'a> {
    pub file: &'a Dockerfile,
    pub model: &'a Model<'a>,
    pub project: Option<&'a ContextDir>,
}

impl<'a> Context<'a> {
    /// Source text of a span.
    pub fn text(&self, span: Span) -> &'a str {
        self.file.text(span)
    }

    /// All instructions with their index.
    pub fn instructions(&self) -> impl Iterator<Item = (usize, &'a Instruction)> + '_ {
        self.model.instructions.iter().copied().enumerate()
    }

    /// The instructions of a stage (FROM excluded) with their index.
    pub fn stage_body(&self, stage: &Stage) -> impl Iterator<Item = (usize, &'a Instruction)> + '_ {
        self.model
            .body(stage)
            .map(|i| (i, self.model.instructions[i]))
    }

    /// The stage that is built (the last one unless a target is set).
    pub fn final_stage(&self) -> Option<&'a Stage> {
        self.model.target_stage()
    }

    /// The analyzed RUN at index `i`.
    pub fn run(&self, i: usize) -> Option<&'a Run<'a>> {
        self.model.run(i)
    }

    /// Whether a stage runs Python: a Python base image, or Python packages
    /// installed in it or in a stage it builds on.
    pub fn is_python_stage(&self, stage: &Stage) -> bool {
        if stage.image.as_ref().is_some_and(|i| i.is_python()) {
            return true;
        }
        let mut current = Some(stage);
        while let Some(s) = current {
            if self
                .stage_body(s)
                .any(|(i, _)| self.run(i).is_some_and(|r| !r.python.is_empty()))
            {
                return true;
            }
            current = match s.base {
                layerwise_model::Base::Stage(b) => self.model.stages.get(b),
                _ => None,
            };
        }
        false
    }

    /// The cache mounts of a RUN.
    pub fn cache_mounts(&self, ins: &'a Instruction) -> Vec<&'a Mount> {
        match &ins.details {
            Details::Run(flags) => flags
                .mounts
                .iter()
                .filter(|m| m.kind == MountType::Cache)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The `--from` value of a COPY/ADD.
    pub fn copy_from(&self, ins: &'a Instruction) -> Option<&'a Spanned<String>> {
        match &ins.details {
            Details::Copy(flags) => flags.from.as_ref(),
            _ => None,
        }
    }

    /// Sources and destination of a COPY/ADD (heredoc sources excluded).
    pub fn copy_paths(
        &self,
        ins: &'a Instruction,
    ) -> (Vec<&'a Spanned<String>>, Option<&'a Spanned<String>>) {
        let words: Vec<&Spanned<String>> = match &ins.arguments {
            Arguments::Words(w) => w.iter().collect(),
            Arguments::Exec(e) => e.elements.iter().collect(),
            _ => Vec::new(),
        };
        match words.split_last() {
            Some((dest, sources)) if !sources.is_empty() => (sources.to_vec(), Some(*dest)),
            _ => (Vec::new(), None),
        }
    }

    /// Whether a COPY/ADD sends the whole build context (`COPY . .`,
    /// `ADD ./ /app`, `COPY * ./`).
    pub fn is_whole_context_copy(&self, ins: &'a Instruction) -> bool {
        if !matches!(ins.kind, InstructionKind::Copy | InstructionKind::Add)
            || self.copy_from(ins).is_some()
        {
            return false;
        }
        let (sources, _) = self.copy_paths(ins);
        sources.iter().any(|s| {
            matches!(
                s.value.trim_end_matches('/'),
                "." | "" | "*" | "./*" | "./."
            )
        })
    }

    /// The span of a whole instruction line(s) without the line end.
    pub fn instruction_span(&self, ins: &Instruction) -> Span {
        let text = self.text(ins.span);
        let trimmed = text.trim_end_matches(['\n', '\r']);
        // Heredoc bodies make instructions long; point at the first line then.
        let first_line = if ins.heredocs().is_empty() {
            trimmed.len()
        } else {
            trimmed.find('\n').unwrap_or(trimmed.len())
        };
        Span::new(ins.span.start, ins.span.start + first_line)
    }

    /// The span of the instruction's first line only.
    pub fn first_line_span(&self, ins: &Instruction) -> Span {
        let text = self.text(ins.span);
        let end = text.find('\n').unwrap_or(text.len());
        Span::new(
            ins.span.start,
            ins.span.start + text[..end].trim_end_matches('\r').len(),
        )
    }

    /// 1-based line of an offset.
    pub fn line(&self, offset: usize) -> usize {
        self.file.position(offset).line
    }
}
