//! Rule metadata and lookup by code, name or alias.

use crate::context::Context;
use crate::diagnostic::{Finding, Severity};

/// Groups of rules; a category's code prefix selects all its rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    /// Layer order and cache use: how much a rebuild re-runs.
    Cache,
    /// What ends up in the final image.
    Size,
    /// Users, secrets, signals.
    Security,
    /// The checks BuildKit itself runs.
    Buildkit,
    /// hadolint rules that matter for Python images.
    Hadolint,
}

impl Category {
    pub fn name(self) -> &'static str {
        match self {
            Category::Cache => "cache",
            Category::Size => "size",
            Category::Security => "security",
            Category::Buildkit => "buildkit",
            Category::Hadolint => "hadolint",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Category::Cache => "Cache and layer order",
            Category::Size => "Image size and multi-stage builds",
            Category::Security => "Security and runtime correctness",
            Category::Buildkit => "BuildKit build checks",
            Category::Hadolint => "hadolint parity",
        }
    }

    pub fn prefix(self) -> &'static str {
        match self {
            Category::Cache => "LW1",
            Category::Size => "LW2",
            Category::Security => "LW3",
            Category::Buildkit => "LW4",
            Category::Hadolint => "LW5",
        }
    }

    pub const ALL: [Category; 5] = [
        Category::Cache,
        Category::Size,
        Category::Security,
        Category::Buildkit,
        Category::Hadolint,
    ];
}

/// Which fixes a rule offers, as its documentation states them. A registry
/// test holds every rule to it on the rule's own documented example.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fixes {
    /// The rule reports without a fix.
    None,
    /// Every fix keeps the build's meaning.
    Safe,
    /// Every fix needs review (`--unsafe-fixes`).
    Unsafe,
    /// Safe or unsafe depending on the finding; the docs say when.
    SafeOrUnsafe,
}

impl Fixes {
    /// Whether the rule can offer a fix at all.
    pub fn any(self) -> bool {
        self != Fixes::None
    }

    /// Whether a fix of this applicability is one the rule declares.
    pub fn allows(self, applicability: crate::Applicability) -> bool {
        use crate::Applicability::{Safe, Unsafe};
        matches!(
            (self, applicability),
            (Fixes::Safe, Safe) | (Fixes::Unsafe, Unsafe) | (Fixes::SafeOrUnsafe, _)
        )
    }

    /// How the docs name it; empty for no fix.
    pub fn label(self) -> &'static str {
        match self {
            Fixes::None => "",
            Fixes::Safe => "safe",
            Fixes::Unsafe => "unsafe",
            Fixes::SafeOrUnsafe => "safe or unsafe",
        }
    }
}

/// The check function of a rule: read the context, push findings.
pub type CheckFn = fn(&Context, &mut Vec<Finding>);

/// One rule: identity, documentation and the check itself.
pub struct Rule {
    /// Stable code, e.g. `LW101`.
    pub code: &'static str,
    /// Stable kebab-case name.
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// One line: what the rule reports.
    pub summary: &'static str,
    /// Markdown with the sections What it does / Why is this bad? / Example / Use instead.
    pub docs: &'static str,
    /// Docker build-check names and hadolint codes this rule covers; usable
    /// in select/ignore and in `# check=skip=` / `# hadolint ignore=`.
    pub aliases: &'static [&'static str],
    /// The fixes the rule's findings can carry.
    pub fixes: Fixes,
    pub check: CheckFn,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.code, self.name)
    }
}

/// Every rule, in code order.
pub fn all() -> &'static [&'static Rule] {
    crate::rules::RULES
}

/// Finds a rule by code, name or alias (case-insensitive).
pub fn find(key: &str) -> Option<&'static Rule> {
    all().iter().copied().find(|r| {
        r.code.eq_ignore_ascii_case(key)
            || r.name.eq_ignore_ascii_case(key)
            || r.aliases.iter().any(|a| a.eq_ignore_ascii_case(key))
    })
}

/// Resolves a selector to rule indices: `ALL`, a code, a code prefix
/// (`LW1`), a category name, a rule name, or an alias (all rules sharing
/// it). `None` if nothing matches.
pub fn resolve(selector: &str) -> Option<Vec<usize>> {
    let s = selector.trim();
    let rules = all();
    let hits: Vec<usize> = if s.eq_ignore_ascii_case("all") {
        (0..rules.len()).collect()
    } else if let Some(cat) = Category::ALL
        .iter()
        .find(|c| c.name().eq_ignore_ascii_case(s))
    {
        (0..rules.len())
            .filter(|&i| rules[i].category == *cat)
            .collect()
    } else if s.len() >= 2 && s[..2].eq_ignore_ascii_case("LW") {
        let upper = s.to_ascii_uppercase();
        (0..rules.len())
            .filter(|&i| rules[i].code.starts_with(&upper))
            .collect()
    } else {
        (0..rules.len())
            .filter(|&i| {
                rules[i].name.eq_ignore_ascii_case(s)
                    || rules[i].aliases.iter().any(|a| a.eq_ignore_ascii_case(s))
            })
            .collect()
    };
    (!hits.is_empty()).then_some(hits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ContextDir, Settings, check_source};

    #[test]
    fn codes_are_unique_and_in_order() {
        let codes: Vec<&str> = all().iter().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            codes, sorted,
            "rule codes must be unique and listed in code order"
        );
        for rule in all() {
            assert!(
                rule.code.starts_with(rule.category.prefix()),
                "{} is not in its category's range {}",
                rule.code,
                rule.category.prefix()
            );
            assert_eq!(find(rule.name).map(|r| r.code), Some(rule.code));
        }
    }

    /// The first fenced Dockerfile under a docs heading.
    fn example(docs: &str, heading: &str) -> Option<String> {
        let rest = &docs[docs.find(heading)?..];
        let start = rest.find("```dockerfile\n")? + "```dockerfile\n".len();
        let end = rest[start..].find("```")?;
        Some(rest[start..start + end].to_string())
    }

    /// Every fix a rule emits on its own documented example is one the rule
    /// declares, and a rule that declares fixes offers one there (checked with
    /// and without a project directory holding the manifests it names).
    #[test]
    fn declared_fixes_match_what_rules_emit() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "requirements.txt",
            "pyproject.toml",
            "poetry.lock",
            "app.py",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let project = ContextDir::load(dir.path());
        for (index, rule) in all().iter().enumerate() {
            let Some(src) = example(rule.docs, "## Example") else {
                continue;
            };
            let src = if src.trim_start().starts_with("FROM") {
                src
            } else {
                format!("FROM python:3.12-slim\n{src}")
            };
            let mut enabled = vec![false; all().len()];
            enabled[index] = true;
            let settings = Settings {
                enabled,
                ..Settings::default()
            };
            let mut offered = false;
            for project in [None, Some(&project)] {
                let (_, diagnostics) = check_source(&src, &settings, project);
                for d in &diagnostics {
                    if let Some(fix) = &d.fix {
                        offered = true;
                        assert!(
                            rule.fixes.allows(fix.applicability),
                            "{} emits a {:?} fix but declares {:?}",
                            rule.code,
                            fix.applicability,
                            rule.fixes
                        );
                    }
                }
            }
            if offered {
                assert!(
                    rule.fixes.any(),
                    "{} emits fixes but declares none",
                    rule.code
                );
            }
        }
    }
}
