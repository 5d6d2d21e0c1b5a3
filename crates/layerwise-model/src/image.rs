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
