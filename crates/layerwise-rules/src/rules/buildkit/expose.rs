//! LW416/LW417: EXPOSE protocol casing and format.

use layerwise_syntax::{Arguments, InstructionKind};

use crate::context::Context;
use crate::diagnostic::{Applicability, Edit, Finding, Fix, Severity};
use crate::registry::{Category, Fixes, Rule};

pub static PROTO_CASING: Rule = Rule {
    code: "LW416",
    name: "expose-proto-casing",
    category: Category::Buildkit,
    severity: Severity::Warning,
    summary: "EXPOSE protocol is not lowercase",
    docs: r#"## What it does
Finds `EXPOSE 8000/TCP` and other uppercase protocols.

## Why is this bad?
Protocols are lowercase (`tcp`, `udp`, `sctp`); tools that read the image
config may not recognise other spellings.

## Example
```dockerfile
EXPOSE 8000/TCP
```

## Use instead
```dockerfile
EXPOSE 8000/tcp
```
"#,
    aliases: &["ExposeProtoCasing"],
    fixes: Fixes::Safe,
    check: check_casing,
};

pub static INVALID_FORMAT: Rule = Rule {
    code: "LW417",
    name: "expose-invalid-format",
    category: Category::Buildkit,
    severity: Severity::Warning,
    summary: "EXPOSE includes an IP address or a host port",
    docs: r#"## What it does
Finds `EXPOSE` values with an IP address or a `host:container` mapping.

## Why is this bad?
EXPOSE documents the container's ports; publishing to a host port is
decided when the container runs (`docker run -p`). BuildKit ignores the
host part, so the line does not do what it says.

## Example
```dockerfile
EXPOSE 0.0.0.0:8000:8000
```

## Use instead
```dockerfile
EXPOSE 8000
```
"#,
    aliases: &["ExposeInvalidFormat"],
    fixes: Fixes::None,
    check: check_format,
};

fn ports(ins: &layerwise_syntax::Instruction) -> &[layerwise_syntax::Spanned<String>] {
    match (&ins.kind, &ins.arguments) {
        (InstructionKind::Expose, Arguments::Words(w)) => w,
        _ => &[],
    }
}

fn check_casing(cx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in cx.instructions() {
        for p in ports(ins) {
            let Some((_, proto)) = p.value.rsplit_once('/') else {
                continue;
            };
            if proto == proto.to_ascii_lowercase() {
                continue;
            }
            let lower = p.value.to_ascii_lowercase();
            let fix = (cx.text(p.span) == p.value).then(|| {
                Fix::new(
                    Applicability::Safe,
                    format!("write `{lower}`"),
                    vec![Edit::replace(p.span, lower.clone())],
                )
            });
            out.push(
                Finding::new(
                    p.span,
                    format!("protocol in `{}` should be lowercase", p.value),
                )
                .fix(fix),
            );
        }
    }
}

fn check_format(cx: &Context, out: &mut Vec<Finding>) {
    for (_, ins) in cx.instructions() {
        for p in ports(ins) {
            if p.value.contains(':') && !p.value.contains('$') {
                out.push(
                    Finding::new(
                        p.span,
                        format!("`EXPOSE {}` names a host address or port", p.value),
                    )
                    .help("expose only the container port"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::lint;

    #[test]
    fn flags_casing_and_format() {
        let src = "FROM python:3.12\nEXPOSE 8000/TCP 0.0.0.0:80:80\n";
        let out = format!("{}{}", lint("LW416", src), lint("LW417", src));
        insta::assert_snapshot!(out);
        assert!(out.contains("8000/tcp") && out.contains("LW417"));
    }

    #[test]
    fn quiet_for_plain_ports() {
        let src = "FROM python:3.12\nEXPOSE 8000 53/udp\n";
        assert_eq!(lint("LW416", src), "");
        assert_eq!(lint("LW417", src), "");
    }
}
