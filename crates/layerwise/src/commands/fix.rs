//! `layerwise fix`: apply the rule fixes, print the diff or write the files.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use layerwise_fix::restructure::Install;
use layerwise_fix::write::{Snapshot, write_atomic};
use layerwise_fix::{Options, Outcome};
use layerwise_rules::Settings;
use layerwise_rules::discover::{NO_DOCKERFILE, find_dockerfiles};

use crate::commands::check::{RuleSelection, rule_options};
use crate::commands::installer::InstallerArgs;
use crate::exit;

/// Apply the fixes of `check`: print a diff, or write with --write.
#[derive(Args, Debug)]
pub struct FixArgs {
    /// Dockerfiles or project directories (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Print a unified diff and change nothing (the default).
    #[arg(long, conflicts_with = "write")]
    pub diff: bool,
    /// Write the fixed files (atomically, keeping their mode).
    #[arg(long)]
    pub write: bool,
    /// Also apply fixes that change behaviour, including the restructure
    /// into a builder venv and a non-root production stage.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// The build context directory (default: the Dockerfile's directory).
    #[arg(long)]
    pub context: Option<PathBuf>,
    /// Build the original and the fixed Dockerfile from copies of the context
    /// and compare packages, app files, image settings, and code-edit and
    /// dependency-edit rebuild times. With --write, nothing is written when the
    /// images differ or the fixed build is slower in either scenario by more
    /// than 25% and 0.3 s (the fixed side's fastest rebuild against the original's fastest, and beyond the original's slowest).
    #[arg(long)]
    pub verify: bool,
    /// With --verify --write: write even when a rebuild scenario is slower
    /// after the fix (the images must still match). For a smaller image or a
    /// non-root user bought with a slower dependency edit, knowingly.
    #[arg(long, requires = "verify")]
    pub allow_slower: bool,
    #[command(flatten)]
    pub rules: RuleSelection,
    /// Most re-check rounds per file.
    #[arg(long, default_value_t = 10)]
    pub max_rounds: usize,
    // What the restructure installs with (a file that installs with uv keeps
    // uv; one that configures pip through `PIP_*` variables keeps pip).
    #[command(flatten)]
    pub installer: InstallerArgs,
}

pub fn run(args: FixArgs) -> Result<u8> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut targets = Vec::new();
    let mut code = exit::SUCCESS;
    for path in &paths {
        if path.is_dir() {
            let found = find_dockerfiles(path);
            if found.is_empty() {
                eprintln!("{}: error: {NO_DOCKERFILE}", path.display());
                code = exit::INPUT_ERROR;
            }
            targets.extend(found);
        } else if path.is_file() {
            targets.push(path.clone());
        } else {
            eprintln!("{}: no such file or directory", path.display());
            code = exit::INPUT_ERROR;
        }
    }
    // A symbolic link and the file it points to are one file: fix it once.
    let mut seen = std::collections::HashSet::new();
    targets
        .retain(|p: &PathBuf| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())));
    let rule_options = rule_options(&args.rules)?;
    let options = Options {
        unsafe_fixes: args.unsafe_fixes,
        max_rounds: args.max_rounds.max(1),
        install: Install {
            frontend: args.installer.frontend(),
            uv_source: args.installer.uv_source(),
        },
        ..Options::default()
    };
    let mut would_change = false;
    for path in targets {
        let (_, settings, _) = rule_options
            .settings_for(&path)
            .map_err(anyhow::Error::msg)?;
        let context = args.context.clone().unwrap_or_else(|| match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        });
        match fix_one(
            &path,
            &context,
            &settings,
            &options,
            args.write,
            args.verify.then_some(Verify {
                allow_slower: args.allow_slower,
            }),
        ) {
            Ok(changed) => would_change |= changed,
            Err((failure, message)) => {
                eprintln!("{message}");
                code = code.max(failure);
            }
        }
    }
    if code != exit::SUCCESS {
        return Ok(code);
    }
    Ok(if would_change && !args.write {
        exit::FINDINGS
    } else {
        exit::SUCCESS
    })
}

/// Fixes one file; `Ok(true)` when it changes (or would). Errors carry
/// the exit code they map to.
fn fix_one(
    path: &Path,
    context: &Path,
    settings: &Settings,
    options: &Options,
    write: bool,
    verify: Option<Verify>,
) -> Result<bool, (u8, String)> {
    let display = path.display().to_string();
    let input = |m: String| (exit::INPUT_ERROR, m);
    let source = layerwise_syntax::read_text(path).map_err(|e| input(e.to_string()))?;
    let fix_text = |options: &Options| -> Result<Outcome, (u8, String)> {
        let mut outcome = layerwise_fix::fix_source(&source, settings, Some(context), options)
            .map_err(|e| {
                input(format!(
                    "{display}:{}:{}: {}; nothing written",
                    e.line, e.column, e.message
                ))
            })?;
        outcome.fixed = keep_line_endings(&outcome.original, &outcome.fixed);
        report(&display, &outcome, write);
        Ok(outcome)
    };
    let mut outcome = fix_text(options)?;
    if !outcome.changed() {
        return Ok(false);
    }
    if let Some(verify) = verify
        && let Err(refused) = run_verify(path, context, &outcome, verify)
    {
        // A restructure the engine refused (it did not build, or its image
        // differed, or it was slower) is not the only answer: the rule fixes
        // alone (the reorder, cache mounts) may still be a faster build.
        // Verify those instead.
        let restructured = outcome.applied.iter().any(|a| a.code == "restructure");
        if !restructured || !refused.fixed_side {
            return Err(refused.into_exit());
        }
        eprintln!("{}", refused.message);
        eprintln!("{display}: trying the fixes without the restructure");
        outcome = fix_text(&Options {
            restructure: false,
            ..options.clone()
        })?;
        if !outcome.changed() {
            return Err(refused.into_exit());
        }
        run_verify(path, context, &outcome, verify).map_err(Refused::into_exit)?;
    }
    if !write {
        print!(
            "{}",
            layerwise_fix::unified_diff(&display, Some(&outcome.original), &outcome.fixed)
        );
        for side in &outcome.side_files {
            let name = side.path.display().to_string();
            print!(
                "{}",
                layerwise_fix::unified_diff(&name, side.before.as_deref(), &side.after)
            );
        }
        return Ok(true);
    }
    if outcome.fixed != outcome.original {
        write_atomic(
            path,
            Snapshot::of(Some(source.as_bytes())),
            outcome.fixed.as_bytes(),
        )
        .map_err(|e| input(e.to_string()))?;
        eprintln!("{display}: written");
    }
    for side in &outcome.side_files {
        let snapshot = Snapshot::of(side.before.as_deref().map(str::as_bytes));
        write_atomic(&side.path, snapshot, side.after.as_bytes())
            .map_err(|e| input(e.to_string()))?;
        eprintln!("{}: written", side.path.display());
    }
    Ok(true)
}

/// Builds both versions on the engine and prints the comparison.
/// How `--verify` judges the fixed build.
#[derive(Clone, Copy, Debug)]
struct Verify {
    /// Slower rebuilds are reported, not refused.
    allow_slower: bool,
}

/// Why `--verify` did not let a fix be written.
struct Refused {
    code: u8,
    message: String,
    /// The fixed side did not build, differed or was slower: a smaller fix
    /// may still pass (as opposed to the original failing, or no engine).
    fixed_side: bool,
}

impl Refused {
    fn new(code: u8, message: String, fixed_side: bool) -> Self {
        Refused {
            code,
            message,
            fixed_side,
        }
    }

    fn into_exit(self) -> (u8, String) {
        (self.code, self.message)
    }
}

fn run_verify(
    path: &Path,
    context: &Path,
    outcome: &Outcome,
    judge: Verify,
) -> Result<(), Refused> {
    use layerwise_fix::verify::{Input, VerifyError, verify};
    let display = path.display();
    let absolute = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (file, dir) = (absolute(path), absolute(context));
    let Ok(relative) = file.strip_prefix(&dir) else {
        return Err(Refused::new(
            exit::INPUT_ERROR,
            format!(
                "{display}: --verify needs the Dockerfile inside the context {}",
                context.display()
            ),
            false,
        ));
    };
    let dockerfile = relative.to_string_lossy().into_owned();
    let ignore = outcome
        .side_files
        .iter()
        .find(|s| s.path.file_name().is_some_and(|n| n == ".dockerignore"));
    eprintln!(
        "{display}: verifying on the engine (a cold build, three code-edit and two dependency-edit rebuilds of each)…"
    );
    let report = verify(&Input {
        context: &dir,
        dockerfile: &dockerfile,
        original: &outcome.original,
        fixed: &outcome.fixed,
        fixed_dockerignore: ignore.map(|s| s.after.as_str()),
    })
    .map_err(|e| {
        let code = match e {
            VerifyError::Unavailable(_) => exit::ENGINE_UNAVAILABLE,
            VerifyError::BuildFailed { .. } => exit::BUILD_FAILED,
            VerifyError::Interrupted => exit::INTERRUPTED,
            VerifyError::Other(_) => exit::INPUT_ERROR,
        };
        let fixed_side = matches!(e, VerifyError::BuildFailed { which: "fixed", .. });
        Refused::new(code, format!("{display}: {e}"), fixed_side)
    })?;
    eprint!("{}", report.render());
    if !report.equivalent() {
        return Err(Refused::new(
            exit::FINDINGS,
            format!("{display}: the fixed image differs from the original; nothing written"),
            true,
        ));
    }
    let slower = report.slower();
    if !slower.is_empty() && judge.allow_slower {
        eprintln!(
            "{display}: slower after the fix ({}), accepted with --allow-slower",
            slower.join("; ")
        );
    } else if !slower.is_empty() {
        return Err(Refused::new(
            exit::FINDINGS,
            format!(
                "{display}: the fixed build is slower than the original ({}); nothing written",
                slower.join("; ")
            ),
            true,
        ));
    }
    Ok(())
}

/// What was fixed and what was left, on stderr so the diff stays clean.
/// Without `--write` nothing is written, and the verbs say so.
fn report(display: &str, outcome: &Outcome, write: bool) {
    let would = if write { "" } else { "would " };
    for a in &outcome.applied {
        let at = if a.round == 1 {
            format!(":{}", a.line)
        } else {
            String::new()
        };
        let fixed = if write { "fixed" } else { "fix" };
        eprintln!("{display}{at}: {would}{fixed} {}: {}", a.code, a.message);
    }
    for side in &outcome.side_files {
        let verb = match (side.before.is_some(), write) {
            (true, true) => "extended",
            (true, false) => "would extend",
            (false, true) => "created",
            (false, false) => "would create",
        };
        eprintln!("{}: {verb}", side.path.display());
    }
    for note in &outcome.notes {
        eprintln!("{display}: {note}");
    }
    if !outcome.converged {
        eprintln!("{display}: still changing after the last round; run fix again or report this");
    }
}

/// `fixed` with the line endings of `original`: in a file whose every line
/// ends in CRLF, the lines a fix inserted with LF get CRLF too.
fn keep_line_endings(original: &str, fixed: &str) -> String {
    let lines = original.matches('\n').count();
    if lines == 0 || original.matches("\r\n").count() != lines {
        return fixed.to_string();
    }
    let mut out = String::with_capacity(fixed.len() + fixed.len() / 32);
    let mut previous = '\0';
    for c in fixed.chars() {
        if c == '\n' && previous != '\r' {
            out.push('\r');
        }
        out.push(c);
        previous = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::keep_line_endings;

    #[test]
    fn crlf_files_keep_crlf_on_inserted_lines() {
        let original = "FROM a\r\nRUN b\r\n";
        let fixed = "FROM a\r\nUSER app\nRUN b\r\n";
        assert_eq!(
            keep_line_endings(original, fixed),
            "FROM a\r\nUSER app\r\nRUN b\r\n"
        );
        // LF files, and files mixing both, are left as the fix wrote them.
        assert_eq!(keep_line_endings("FROM a\n", "FROM a\nX\n"), "FROM a\nX\n");
        let mixed = "FROM a\r\nRUN b\n";
        assert_eq!(keep_line_endings(mixed, "FROM a\r\nX\n"), "FROM a\r\nX\n");
    }
}
