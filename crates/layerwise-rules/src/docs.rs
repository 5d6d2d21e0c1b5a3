//! Rule documentation, generated from the rules themselves.

use std::fmt::Write;

use crate::registry::{self, Category, Rule};

/// Where a rule's documentation is published: its heading in `docs/rules.md`.
pub fn rule_url(rule: &Rule) -> String {
    format!(
        "https://github.com/layerwise/layerwise/blob/main/docs/rules.md#{}-{}",
        rule.code.to_ascii_lowercase(),
        rule.name
    )
}

/// The documentation of one rule as Markdown.
pub fn rule_markdown(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### {} `{}`\n", rule.code, rule.name);
    let _ = writeln!(out, "{}.\n", rule.summary);
    let _ = write!(out, "Default severity: **{}**", rule.severity);
    if rule.fixes.any() {
        let _ = write!(out, " · fix: {}", rule.fixes.label());
    }
    if !rule.aliases.is_empty() {
        let _ = write!(
            out,
            " · covers: {}",
            rule.aliases
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out.push_str("\n\n");
    // Demote the rule's own `##` headings below the rule heading.
    for line in rule.docs.trim().lines() {
        if let Some(h) = line.strip_prefix("## ") {
            let _ = writeln!(out, "#### {h}");
        } else {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

/// Hadolint rules and the BuildKit checks layerwise does not implement, with why.
const NOT_COVERED: &[(&str, &str)] = &[
    (
        "InvalidBaseImagePlatform",
        "needs the image's manifest from a registry; not decidable from the Dockerfile",
    ),
    (
        "InvalidDefinitionDescription",
        "experimental in BuildKit and off by default; ordinary comments above ARG/FROM would trip it",
    ),
];

/// The whole `docs/rules.md`.
pub fn rules_markdown() -> String {
    let mut out = String::new();
    out.push_str("# layerwise rules\n\n");
    out.push_str("<!-- Generated from crates/layerwise-rules by `UPDATE_DOCS=1 cargo test -p layerwise-rules --test docs`. Do not edit. -->\n\n");
    out.push_str("Select or ignore rules by code (`LW101`), code prefix (`LW1`), category name (`cache`), rule name (`copy-before-install`), or the Docker build-check name or hadolint code a rule covers (`JSONArgsRecommended`, `DL3025`). `# hadolint ignore=DL3008` and `# check=skip=JSONArgsRecommended` are honoured for the covering rules.\n\n");
    out.push_str("| Code | Name | Severity | Fix | Covers |\n|---|---|---|---|---|\n");
    for rule in registry::all() {
        let _ = writeln!(
            out,
            "| {} | [{}](#{}-{}) | {} | {} | {} |",
            rule.code,
            rule.name,
            rule.code.to_ascii_lowercase(),
            rule.name,
            rule.severity,
            rule.fixes.label(),
            rule.aliases.join(", ")
        );
    }
    out.push_str("\n## Not implemented\n\n");
    for (name, why) in NOT_COVERED {
        let _ = writeln!(out, "- `{name}`: {why}.");
    }
    for category in Category::ALL {
        let rules: Vec<&&Rule> = registry::all()
            .iter()
            .filter(|r| r.category == category)
            .collect();
        if rules.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n## {} ({}xx)\n", category.title(), category.prefix());
        for rule in rules {
            out.push_str(&rule_markdown(rule));
            out.push('\n');
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
