//! Packages that need Debian packages to build (compilers, headers) or to
//! run (shared libraries), kept as data: one entry per Python package.

use serde::Serialize;

use crate::source::Source;

/// When an entry applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildCondition {
    /// No wheels on the package index: always compiled.
    AlwaysFromSource,
    /// Wheels exist for current CPython on Linux from this version on; older
    /// versions (or `--no-binary`) compile.
    FromSourceBefore(&'static str),
    /// Pure Python wrapper that loads a system library at run time.
    RuntimeOnly,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct NativeRule {
    /// PEP 503-normalised package name.
    pub package: &'static str,
    /// Extra that enables the native part (`psycopg[c]`); `None` for the package itself.
    pub extra: Option<&'static str>,
    /// When the row applies.
    pub condition: BuildCondition,
    /// Debian packages needed to compile it.
    pub build: &'static [&'static str],
    /// Debian packages its compiled or loaded code needs at run time.
    pub runtime: &'static [&'static str],
    /// Why: what the package links against.
    pub why: &'static str,
}

/// The table. Debian package names are those of bookworm, the base of the
/// official `python:*-slim` images.
pub const NATIVE_RULES: &[NativeRule] = &[
    NativeRule {
        package: "psycopg2",
        extra: None,
        condition: BuildCondition::AlwaysFromSource,
        build: &["libpq-dev", "gcc"],
        runtime: &["libpq5"],
        why: "psycopg2 ships only a source distribution and links against libpq (psycopg2-binary bundles it)",
    },
    NativeRule {
        package: "psycopg",
        extra: Some("c"),
        condition: BuildCondition::AlwaysFromSource,
        build: &["libpq-dev", "gcc"],
        runtime: &["libpq5"],
        why: "the psycopg[c] extra compiles the C implementation against libpq",
    },
    NativeRule {
        package: "psycopg",
        extra: None,
        condition: BuildCondition::RuntimeOnly,
        build: &[],
        runtime: &["libpq5"],
        why: "plain psycopg 3 is pure Python and loads the system libpq at run time (the [binary] extra bundles it)",
    },
    NativeRule {
        package: "mysqlclient",
        extra: None,
        condition: BuildCondition::AlwaysFromSource,
        build: &["default-libmysqlclient-dev", "pkg-config", "gcc"],
        runtime: &["libmariadb3"],
        why: "mysqlclient has no Linux wheels and links against the MySQL/MariaDB client library",
    },
    NativeRule {
        package: "lxml",
        extra: None,
        condition: BuildCondition::FromSourceBefore("4.9.1"),
        build: &["libxml2-dev", "libxslt1-dev", "gcc"],
        runtime: &["libxml2", "libxslt1.1"],
        why: "lxml built from source links against libxml2 and libxslt; newer wheels bundle them",
    },
    NativeRule {
        package: "pillow",
        extra: None,
        condition: BuildCondition::FromSourceBefore("9.3.0"),
        build: &["libjpeg62-turbo-dev", "zlib1g-dev", "gcc"],
        runtime: &["libjpeg62-turbo"],
        why: "Pillow built from source needs libjpeg and zlib headers; wheels for Python 3.11 start at 9.3.0",
    },
    NativeRule {
        package: "cryptography",
        extra: None,
        condition: BuildCondition::FromSourceBefore("3.4"),
        build: &["libssl-dev", "libffi-dev", "gcc"],
        runtime: &["libssl3"],
        why: "cryptography before 3.4 compiles its C bindings against the system OpenSSL and libffi",
    },
    NativeRule {
        package: "cffi",
        extra: None,
        condition: BuildCondition::FromSourceBefore("1.15.1"),
        build: &["libffi-dev", "gcc"],
        runtime: &["libffi8"],
        why: "cffi built from source links against libffi; wheels for Python 3.11 start at 1.15.1",
    },
    NativeRule {
        package: "pyodbc",
        extra: None,
        condition: BuildCondition::FromSourceBefore("5.0.0"),
        build: &["unixodbc-dev", "g++"],
        runtime: &["unixodbc"],
        why: "pyodbc needs the unixODBC driver manager; older releases also compile against its headers",
    },
    NativeRule {
        package: "python-ldap",
        extra: None,
        condition: BuildCondition::AlwaysFromSource,
        build: &["libldap2-dev", "libsasl2-dev", "gcc"],
        runtime: &["libldap-2.5-0", "libsasl2-2"],
        why: "python-ldap ships only a source distribution and links against OpenLDAP and Cyrus SASL",
    },
    NativeRule {
        package: "xmlsec",
        extra: None,
        condition: BuildCondition::AlwaysFromSource,
        build: &["libxmlsec1-dev", "pkg-config", "gcc"],
        runtime: &["libxmlsec1", "libxmlsec1-openssl"],
        why: "python-xmlsec compiles against libxmlsec1",
    },
    NativeRule {
        package: "pygraphviz",
        extra: None,
        condition: BuildCondition::AlwaysFromSource,
        build: &["graphviz-dev", "gcc"],
        runtime: &["libcgraph6", "libgvc6"],
        why: "pygraphviz ships only a source distribution and links against Graphviz",
    },
    NativeRule {
        package: "uwsgi",
        extra: None,
        condition: BuildCondition::AlwaysFromSource,
        build: &["gcc", "libc6-dev"],
        runtime: &[],
        why: "uWSGI ships only a source distribution and is compiled during install",
    },
    NativeRule {
        package: "python-magic",
        extra: None,
        condition: BuildCondition::RuntimeOnly,
        build: &[],
        runtime: &["libmagic1"],
        why: "python-magic loads libmagic at run time",
    },
    NativeRule {
        package: "weasyprint",
        extra: None,
        condition: BuildCondition::RuntimeOnly,
        build: &[],
        runtime: &["libpango-1.0-0", "libpangoft2-1.0-0"],
        why: "WeasyPrint loads Pango through cffi at run time",
    },
];

/// A native requirement found in the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NativeDependency {
    /// The Python package.
    pub package: String,
    /// Debian packages for the builder stage.
    pub build_packages: Vec<String>,
    /// Debian packages for the production stage.
    pub runtime_packages: Vec<String>,
    /// Why they are needed.
    pub why: String,
    /// Where the package was declared or locked.
    pub source: Source,
}

/// What is known about one package that may need native libraries.
pub(crate) struct Candidate<'a> {
    pub name: &'a str,
    pub extras: &'a [String],
    /// Exact version, from a pin or a lock file.
    pub version: Option<&'a str>,
    /// `--no-binary` forces a source build.
    pub forced_source: bool,
    pub source: &'a Source,
}

/// The rule that applies to a candidate, if any.
pub(crate) fn native_for(candidate: &Candidate<'_>) -> Option<NativeDependency> {
    let rule = NATIVE_RULES.iter().find(|rule| {
        rule.package == candidate.name
            && rule
                .extra
                .is_none_or(|extra| candidate.extras.iter().any(|e| e == extra))
    })?;
    let applies = match rule.condition {
        BuildCondition::AlwaysFromSource | BuildCondition::RuntimeOnly => true,
        BuildCondition::FromSourceBefore(first_wheel) => {
            candidate.forced_source
                || candidate
                    .version
                    .is_some_and(|v| version_less(v, first_wheel))
        }
    };
    // psycopg[binary] bundles libpq: the plain-psycopg row does not apply.
    if rule.package == "psycopg"
        && rule.extra.is_none()
        && candidate.extras.iter().any(|e| e == "binary")
    {
        return None;
    }
    applies.then(|| NativeDependency {
        package: candidate.name.to_string(),
        build_packages: rule.build.iter().map(|s| (*s).to_string()).collect(),
        runtime_packages: rule.runtime.iter().map(|s| (*s).to_string()).collect(),
        why: rule.why.to_string(),
        source: candidate.source.clone(),
    })
}

fn version_less(version: &str, bound: &str) -> bool {
    use std::str::FromStr;
    match (
        pep440_rs::Version::from_str(version),
        pep440_rs::Version::from_str(bound),
    ) {
        (Ok(v), Ok(b)) => v < b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        name: &str,
        extras: &[&str],
        version: Option<&str>,
        forced: bool,
    ) -> Option<NativeDependency> {
        let extras: Vec<String> = extras.iter().map(|s| (*s).to_string()).collect();
        let source = Source::line("requirements.txt", 1);
        native_for(&Candidate {
            name,
            extras: &extras,
            version,
            forced_source: forced,
            source: &source,
        })
    }

    #[test]
    fn psycopg2_always_needs_libpq() {
        let dep = check("psycopg2", &[], None, false).expect("native");
        assert_eq!(dep.build_packages, ["libpq-dev", "gcc"]);
        assert_eq!(dep.runtime_packages, ["libpq5"]);
        assert!(check("psycopg2-binary", &[], None, false).is_none());
    }

    #[test]
    fn wheel_packages_only_when_old_or_forced() {
        assert!(check("lxml", &[], Some("5.3.0"), false).is_none());
        assert!(check("lxml", &[], None, false).is_none());
        assert!(check("lxml", &[], Some("4.6.3"), false).is_some());
        assert!(check("lxml", &[], Some("5.3.0"), true).is_some());
        assert!(check("cryptography", &[], Some("3.3.2"), false).is_some());
        assert!(check("cryptography", &[], Some("43.0.0"), false).is_none());
    }

    #[test]
    fn extras_select_rows() {
        assert_eq!(
            check("psycopg", &["c"], None, false)
                .expect("c")
                .build_packages,
            ["libpq-dev", "gcc"]
        );
        let plain = check("psycopg", &[], None, false).expect("plain");
        assert!(plain.build_packages.is_empty());
        assert_eq!(plain.runtime_packages, ["libpq5"]);
        assert!(check("psycopg", &["binary"], None, false).is_none());
    }

    #[test]
    fn table_names_are_normalised_and_explained() {
        for rule in NATIVE_RULES {
            assert_eq!(
                rule.package,
                crate::requirements::normalize_name(rule.package)
            );
            assert!(!rule.why.is_empty());
            assert!(
                !(rule.build.is_empty() && rule.runtime.is_empty()),
                "{}",
                rule.package
            );
        }
    }
}
