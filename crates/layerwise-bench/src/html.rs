//! A self-contained HTML report: the table, what was fetched, and an SVG bar
//! chart of the median times with min–max whiskers. The SVG is written by
//! hand: it is a few rectangles and labels, and needs no font files.

use crate::report::{Report, ScenarioKind, format_seconds};

const COLOURS: [&str; 4] = ["#c0504d", "#2e7d32", "#1f77b4", "#8e44ad"];
const WIDTH: f64 = 760.0;
const LABEL_WIDTH: f64 = 250.0;
const BAR_HEIGHT: f64 = 18.0;
const GROUP_GAP: f64 = 14.0;
const TOP: f64 = 40.0;

/// Escapes text for HTML and SVG content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One bar: median, min and max seconds, or `None` when not measured.
type Bar = Option<(f64, f64, f64)>;

/// A horizontal grouped bar chart: one group per measured scenario, one bar
/// per Dockerfile.
pub fn svg_chart(report: &Report) -> String {
    let groups: Vec<(ScenarioKind, Vec<Bar>)> = ScenarioKind::ALL
        .iter()
        .map(|kind| {
            let bars = report
                .variants
                .iter()
                .map(|v| {
                    v.scenario(*kind)
                        .and_then(|s| s.seconds)
                        .map(|s| (s.median, s.min, s.max))
                })
                .collect::<Vec<_>>();
            (*kind, bars)
        })
        .filter(|(_, bars)| bars.iter().any(Option::is_some))
        .collect();
    let longest = groups
        .iter()
        .flat_map(|(_, bars)| bars.iter().flatten().map(|b| b.2))
        .fold(0.0_f64, f64::max);
    let scale_max = if longest > 0.0 { longest } else { 1.0 };
    let plot_width = WIDTH - LABEL_WIDTH - 90.0;
    let per_group = report.variants.len() as f64 * BAR_HEIGHT + GROUP_GAP;
    let height = TOP + groups.len() as f64 * per_group + 30.0;
    let x = |seconds: f64| LABEL_WIDTH + seconds / scale_max * plot_width;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n\
         <title>Build time per scenario, seconds (median, min–max)</title>\n"
    );
    for (i, variant) in report.variants.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let lx = LABEL_WIDTH + i as f64 * 140.0;
        svg.push_str(&format!(
            "<rect x=\"{lx}\" y=\"10\" width=\"12\" height=\"12\" fill=\"{colour}\"/>\
             <text x=\"{}\" y=\"20\">{}</text>\n",
            lx + 16.0,
            escape(&variant.label)
        ));
    }
    for (g, (kind, bars)) in groups.iter().enumerate() {
        let gy = TOP + g as f64 * per_group;
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
            LABEL_WIDTH - 8.0,
            gy + bars.len() as f64 * BAR_HEIGHT / 2.0 + 4.0,
            escape(kind.title())
        ));
        for (i, bar) in bars.iter().enumerate() {
            let y = gy + i as f64 * BAR_HEIGHT;
            let colour = COLOURS[i % COLOURS.len()];
            let Some((median, min, max)) = bar else {
                svg.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" fill=\"#777\">skipped</text>\n",
                    LABEL_WIDTH + 4.0,
                    y + 13.0
                ));
                continue;
            };
            let w = (x(*median) - LABEL_WIDTH).max(1.0);
            let mid = y + (BAR_HEIGHT - 4.0) / 2.0;
            svg.push_str(&format!(
                "<rect class=\"bar\" x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{colour}\"/>\n\
                 <line x1=\"{:.1}\" y1=\"{mid}\" x2=\"{:.1}\" y2=\"{mid}\" stroke=\"#222\"/>\n\
                 <text x=\"{:.1}\" y=\"{}\">{}</text>\n",
                BAR_HEIGHT - 4.0,
                x(*min),
                x(*max),
                x(*max) + 6.0,
                y + 12.0,
                escape(&format_seconds(*median))
            ));
        }
    }
    svg.push_str(&format!(
        "<line x1=\"{LABEL_WIDTH}\" y1=\"{}\" x2=\"{LABEL_WIDTH}\" y2=\"{}\" stroke=\"#444\"/>\n</svg>\n",
        TOP - 4.0,
        height - 26.0
    ));
    svg
}

/// The whole page.
pub fn render(report: &Report) -> String {
    let mut html =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str(&format!(
        "<title>layerwise bench: {}</title>\n<style>\
         body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .6rem}}\
         td.n{{text-align:right}}\
         </style>\n</head>\n<body>\n<h1>layerwise bench: <code>{}</code></h1>\n",
        escape(&report.project),
        escape(&report.project)
    ));
    html.push_str("<ul>\n");
    for variant in &report.variants {
        html.push_str(&format!(
            "<li><b>{}</b>: {}</li>\n",
            escape(&variant.label),
            escape(&variant.dockerfile)
        ));
    }
    html.push_str("</ul>\n<table>\n<tr><th>Scenario</th>");
    for variant in &report.variants {
        html.push_str(&format!("<th>{}</th>", escape(&variant.label)));
    }
    let compare = report.variants.len() == 2;
    if compare {
        html.push_str("<th>Ratio</th>");
    }
    html.push_str("</tr>\n");
    for row in report.rows() {
        html.push_str(&format!("<tr><td>{}</td>", escape(&row.title)));
        for cell in &row.cells {
            html.push_str(&format!("<td class=\"n\">{}</td>", escape(cell)));
        }
        if compare {
            html.push_str(&format!(
                "<td class=\"n\">{}</td>",
                escape(row.ratio.as_deref().unwrap_or("—"))
            ));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    html.push_str(&format!(
        "<p>Median of {} run(s), min–max in brackets. Machine: {} cores, {}, {}, builds through the {}.</p>\n",
        report.runs,
        report.machine.cores,
        escape(&report.machine.os),
        escape(&report.machine.engine),
        escape(&report.machine.build_path)
    ));
    html.push_str(&svg_chart(report));
    html.push_str("<ul>\n");
    for line in report.fetched_lines() {
        html.push_str(&format!("<li>{}</li>\n", escape(&line)));
    }
    for variant in &report.variants {
        for scenario in &variant.scenarios {
            if let Some(reason) = &scenario.skipped {
                html.push_str(&format!(
                    "<li>{} skipped for {}: {}</li>\n",
                    escape(scenario.kind.title()),
                    escape(&variant.label),
                    escape(reason)
                ));
            }
        }
    }
    for note in &report.notes {
        html.push_str(&format!("<li>{}</li>\n", escape(note)));
    }
    html.push_str("</ul>\n</body>\n</html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn chart_has_a_bar_per_measured_scenario_and_dockerfile() {
        let report = sample();
        let svg = svg_chart(&report);
        // Before: 3 measured scenarios + dependency edit = 4; After the same
        // 4 (its cold-warm is skipped and Before has none, so no group).
        assert_eq!(svg.matches("class=\"bar\"").count(), 8);
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        // The longest whisker reaches the right edge of the plot area.
        let right = LABEL_WIDTH + (WIDTH - LABEL_WIDTH - 90.0);
        assert!(svg.contains(&format!("x2=\"{right:.1}\"")), "{svg}");
        insta::assert_snapshot!(svg);
    }

    #[test]
    fn page_escapes_and_embeds_the_chart() {
        let mut report = sample();
        report.project = "<x & y>".into();
        let html = render(&report);
        assert!(html.contains("&lt;x &amp; y&gt;"));
        assert!(!html.contains("<x & y>"));
        assert_eq!(html.matches("<svg").count(), 1);
        assert!(html.contains("example reason"));
        assert!(html.contains("<th>Ratio</th>"));
    }

    #[test]
    fn empty_report_renders() {
        let mut report = sample();
        report.variants.clear();
        let svg = svg_chart(&report);
        assert!(svg.contains("</svg>"));
        assert!(render(&report).contains("</html>"));
    }
}
