//! What layerwise knows about base images from their reference alone.

/// A parsed image reference `[registry/]repo[:tag][@digest]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// Everything before the tag/digest, e.g. `python` or `ghcr.io/x/y`.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses a reference; never fails (odd input gives an odd repository).
    pub fn parse(reference: &str) -> ImageRef {
        let (rest, digest) = match reference.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (reference, None),
        };
        // A `:` after the last `/` is a tag; before it, a registry port.
        let slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (repository, tag) = match rest[slash..].rfind(':') {
            Some(i) => (
                rest[..slash + i].to_string(),
                Some(rest[slash + i + 1..].to_string()),
            ),
            None => (rest.to_string(), None),
        };
        ImageRef {
            repository,
            tag,
            digest,
        }
    }

    /// The environment variables the image's config sets, for the images
    /// whose config is known (official Python, Debian, Ubuntu, Alpine,
    /// BusyBox); `None` for any other image.
    pub fn known_env(&self) -> Option<&'static [&'static str]> {
        const PYTHON: &[&str] = &[
            "PATH",
            "LANG",
            "GPG_KEY",
            "PYTHON_VERSION",
            "PYTHON_SHA256",
            "PYTHON_PIP_VERSION",
            "PYTHON_SETUPTOOLS_VERSION",
            "PYTHON_GET_PIP_URL",
            "PYTHON_GET_PIP_SHA256",
        ];
        match self.name() {
            "python" => Some(PYTHON),
            "debian" | "ubuntu" | "alpine" | "busybox" => Some(&["PATH"]),
            _ => None,
        }
    }

    /// Checks the reference against the distribution reference grammar
    /// (`[host[:port]/]path[:tag][@algo:hex]`, lowercase path components);
    /// the error says what is wrong.
    pub fn validate(reference: &str) -> Result<(), String> {
        if reference.is_empty() {
            return Err("the image name is empty".into());
        }
        let (rest, digest) = match reference.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (reference, None),
        };
        if let Some(d) = digest {
            let ok = d.split_once(':').is_some_and(|(algo, hex)| {
                !algo.is_empty()
                    && algo
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+._-".contains(c))
                    && hex.len() >= 32
                    && hex.chars().all(|c| c.is_ascii_hexdigit())
            });
            if !ok {
                return Err(format!("`{d}` is not a valid digest"));
            }
        }
        let slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[slash..].rfind(':') {
            Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(tag) = tag {
            let valid = !tag.is_empty()
                && tag.len() <= 128
                && tag.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                && tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
            if tag.is_empty() {
                return Err("the tag after `:` is empty".into());
            }
            if !valid {
                return Err(format!("`{tag}` is not a valid tag"));
            }
        }
        let mut parts: Vec<&str> = name.split('/').collect();
        // A first component with a `.` or `:`, or `localhost`, is a registry host.
        if parts.len() > 1 && (parts[0].contains(['.', ':']) || parts[0] == "localhost") {
            let host = parts.remove(0);
            let (h, port) = host.split_once(':').unwrap_or((host, "0"));
            if h.is_empty()
                || !h
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c))
                || !port.chars().all(|c| c.is_ascii_digit())
            {
                return Err(format!("`{host}` is not a valid registry host"));
            }
        }
        for part in parts {
            let separators_ok = part
                .split(['.', '_', '-'])
                .all(|run| !run.is_empty() || part.contains("__") || part.contains("--"));
            let valid = !part.is_empty()
                && part.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && part.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
                && separators_ok;
            if !valid {
                return Err(if part.chars().any(|c| c.is_ascii_uppercase()) {
                    format!("repository name `{name}` must be lowercase")
                } else {
                    format!("`{name}` is not a valid repository name")
                });
            }
        }
        Ok(())
    }

    /// The last path component of the repository (`python` for `docker.io/library/python`).
    pub fn name(&self) -> &str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(&self.repository)
    }

    /// Whether this is an official-style Python image (`python:*`, `*/python:*`).
    pub fn is_python(&self) -> bool {
        self.name() == "python"
    }

    /// The Python version from a `python:3.12-slim` style tag.
    pub fn python_version(&self) -> Option<String> {
        if !self.is_python() {
            return None;
        }
        let tag = self.tag.as_deref()?;
        let version: String = tag
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        (!version.is_empty()).then_some(version)
    }

    /// Where the interpreter lives: `/usr/local/bin/python3` in the official
    /// images, `/usr/bin/python3` in distribution images.
    pub fn python_path(&self) -> Option<&'static str> {
        if self.is_python() {
            Some("/usr/local/bin/python3")
        } else if matches!(
            self.name(),
            "debian" | "ubuntu" | "alpine" | "fedora" | "distroless" | "python3"
        ) {
            Some("/usr/bin/python3")
        } else {
            None
        }
    }

    /// The libc family, which decides whether compiled wheels are portable.
    pub fn flavor(&self) -> &'static str {
        let tag = self.tag.as_deref().unwrap_or("");
        if self.name() == "alpine" || tag.contains("alpine") {
            "musl"
        } else {
            "glibc"
        }
    }

    /// Whether the tag is missing or `latest` and there is no digest.
    pub fn is_unpinned(&self) -> bool {
        self.digest.is_none() && self.tag.as_deref().is_none_or(|t| t == "latest")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let r = ImageRef::parse("localhost:5000/python:3.12-slim@sha256:abc");
        assert_eq!(r.repository, "localhost:5000/python");
        assert_eq!(r.tag.as_deref(), Some("3.12-slim"));
        assert_eq!(r.python_version().as_deref(), Some("3.12"));
        assert!(!r.is_unpinned());
        assert!(ImageRef::parse("ubuntu").is_unpinned());
        assert!(ImageRef::parse("ubuntu:latest").is_unpinned());
        assert_eq!(ImageRef::parse("python:3.11-alpine").flavor(), "musl");
    }
}

#[cfg(test)]
mod validate_tests {
    use super::ImageRef;

    #[test]
    fn accepts_valid_references() {
        for r in [
            "python",
            "python:3.12-slim",
            "ghcr.io/org/app:v1",
            "localhost:5000/app",
            "registry.example:443/a/b_c__d:1.0",
            "python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(ImageRef::validate(r), Ok(()), "{r}");
        }
    }

    #[test]
    fn rejects_invalid_references() {
        for r in [
            "",
            "python:",
            "Python:3",
            "python:-x",
            "a//b",
            "app-",
            "x@sha256:zz",
        ] {
            assert!(ImageRef::validate(r).is_err(), "{r}");
        }
    }
}
