//! JUnit XML for CI test-report views: one `<testsuite>` per Dockerfile, one
//! failing `<testcase>` per finding (an `<error>` for a file that could not be
//! checked), and one passing case for a clean file so it is counted.

use std::io::Write;

use layerwise_rules::FileReport;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

/// The failure text: where, what and how to fix it.
fn body(location: &str, message: &str, help: Option<&str>) -> String {
    match help {
        Some(help) => format!("{location}: {message}\nhelp: {help}"),
        None => format!("{location}: {message}"),
    }
}

pub fn write(out: &mut dyn Write, reports: &[FileReport]) -> std::io::Result<()> {
    let failures: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    let errors: usize = reports.iter().map(|r| r.errors.len()).sum();
    let tests: usize = reports
        .iter()
        .map(|r| (r.diagnostics.len() + r.errors.len()).max(1))
        .sum();
    let mut xml = Writer::new_with_indent(&mut *out, b' ', 2);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    xml.create_element("testsuites")
        .with_attribute(("name", "layerwise"))
        .with_attribute(("tests", tests.to_string().as_str()))
        .with_attribute(("failures", failures.to_string().as_str()))
        .with_attribute(("errors", errors.to_string().as_str()))
        .write_inner_content(|xml| {
            for report in reports {
                write_suite(xml, report)?;
            }
            Ok(())
        })?;
    writeln!(out)
}

fn write_suite<W: Write>(xml: &mut Writer<W>, report: &FileReport) -> std::io::Result<()> {
    let path = super::repo_path(&report.path);
    let tests = (report.diagnostics.len() + report.errors.len()).max(1);
    xml.create_element("testsuite")
        .with_attribute(("name", path.as_str()))
        .with_attribute(("tests", tests.to_string().as_str()))
        .with_attribute(("failures", report.diagnostics.len().to_string().as_str()))
        .with_attribute(("errors", report.errors.len().to_string().as_str()))
        .write_inner_content(|xml| {
            for (line, column, message) in &report.errors {
                let location = report.location(*line, *column);
                xml.create_element("testcase")
                    .with_attribute(("name", "input error"))
                    .with_attribute(("classname", path.as_str()))
                    .with_attribute(("file", path.as_str()))
                    .with_attribute(("line", line.to_string().as_str()))
                    .write_inner_content(|xml| {
                        xml.create_element("error")
                            .with_attribute(("message", message.as_str()))
                            .write_text_content(BytesText::new(&body(&location, message, None)))?;
                        Ok(())
                    })?;
            }
            if let Some(file) = &report.file {
                for d in &report.diagnostics {
                    let (start, _) = super::range(file, d.span);
                    let location = report.location(start.line, start.column);
                    let name = format!("{} {} at {}:{}", d.code, d.name, start.line, start.column);
                    xml.create_element("testcase")
                        .with_attribute(("name", name.as_str()))
                        .with_attribute(("classname", path.as_str()))
                        .with_attribute(("file", path.as_str()))
                        .with_attribute(("line", start.line.to_string().as_str()))
                        .write_inner_content(|xml| {
                            let text = body(&location, &d.message, d.help.as_deref());
                            xml.create_element("failure")
                                .with_attribute(("message", d.message.as_str()))
                                .with_attribute(("type", d.code))
                                .write_text_content(BytesText::new(&text))?;
                            Ok(())
                        })?;
                }
            }
            if report.diagnostics.is_empty() && report.errors.is_empty() {
                xml.create_element("testcase")
                    .with_attribute(("name", "layerwise check"))
                    .with_attribute(("classname", path.as_str()))
                    .with_attribute(("file", path.as_str()))
                    .write_empty()?;
            }
            Ok(())
        })?;
    Ok(())
}
