//! What a build is asked to do, parsed from `docker build`-style arguments.

use std::path::PathBuf;

use crate::EngineError;

/// Which road a build takes to BuildKit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PathChoice {
    /// The Engine API, falling back to a docker CLI if the API cannot run a
    /// BuildKit build on this engine.
    #[default]
    Auto,
    /// Only the Engine API.
    Api,
    /// Only a docker CLI with BuildKit.
    Cli,
}

/// Options of one build. The build context itself is passed separately.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The Dockerfile's path inside the context (`Dockerfile` when empty).
    pub dockerfile: String,
    pub tags: Vec<String>,
    pub target: Option<String>,
    pub build_args: Vec<(String, String)>,
    pub labels: Vec<(String, String)>,
    pub secrets: Vec<SecretSpec>,
    pub no_cache: bool,
    pub pull: bool,
    pub platform: Option<String>,
    pub network: Option<String>,
    /// Image references whose inline cache BuildKit may import.
    pub cache_from: Vec<String>,
    pub cache_to: Vec<CacheTo>,
    pub path: PathChoice,
    /// Build from this directory through a docker CLI instead of sending a
    /// tar: BuildKit's file sync then transfers only files that changed
    /// since the last build, which matters for large contexts. The CLI
    /// applies `.dockerignore` itself, with the same rules.
    pub context_dir: Option<std::path::PathBuf>,
}

impl BuildOptions {
    /// The build arguments sent, with `BUILDKIT_INLINE_CACHE=1` when an
    /// inline cache export was asked for.
    pub fn effective_build_args(&self) -> Vec<(String, String)> {
        let mut args = self.build_args.clone();
        if self.cache_to.contains(&CacheTo::Inline)
            && !args.iter().any(|(k, _)| k == "BUILDKIT_INLINE_CACHE")
        {
            args.push(("BUILDKIT_INLINE_CACHE".into(), "1".into()));
        }
        args
    }
}

/// Where a secret's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    File(PathBuf),
    Env(String),
}

/// `--secret id=NAME,src=PATH` or `id=NAME,env=VAR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretSpec {
    pub id: String,
    pub source: SecretSource,
}

impl SecretSpec {
    /// Parses the docker CLI's secret syntax. `id=NAME` alone reads the
    /// environment variable `NAME`, as buildx does when no file is named.
    pub fn parse(text: &str) -> Result<SecretSpec, EngineError> {
        let bad = |why: &str| EngineError::InvalidOption(format!("--secret {text}: {why}"));
        let mut id = None;
        let mut src = None;
        let mut env = None;
        let mut kind = None;
        for field in text.split(',').filter(|f| !f.is_empty()) {
            let (key, value) = field
                .split_once('=')
                .ok_or_else(|| bad("expected key=value"))?;
            match key.trim().to_ascii_lowercase().as_str() {
                "id" => id = Some(value.to_string()),
                "src" | "source" => src = Some(value.to_string()),
                "env" => env = Some(value.to_string()),
                "type" => kind = Some(value.to_string()),
                other => return Err(bad(&format!("unknown field {other}"))),
            }
        }
        let id = id
            .filter(|i| !i.is_empty())
            .ok_or_else(|| bad("id is required"))?;
        let source = match (kind.as_deref(), src, env) {
            (_, Some(_), Some(_)) => return Err(bad("give src or env, not both")),
            (Some("env"), Some(name), None) | (_, None, Some(name)) => SecretSource::Env(name),
            (Some("file") | None, Some(path), None) => SecretSource::File(PathBuf::from(path)),
            (Some("file"), None, None) => SecretSource::File(PathBuf::from(&id)),
            (Some("env") | None, None, None) => SecretSource::Env(id.clone()),
            (Some(other), _, _) => return Err(bad(&format!("unknown type {other}"))),
        };
        Ok(SecretSpec { id, source })
    }
}

/// A cache export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheTo {
    /// Cache metadata embedded in the image (push the image to share it):
    /// the one export the Engine API's builder performs.
    Inline,
    /// Any other BuildKit exporter (`type=registry,ref=…,mode=max`,
    /// `type=local,dest=…`, …), kept as written: only a BuildKit client
    /// (docker buildx) runs it, so the build takes the CLI road.
    Buildx(String),
}

impl CacheTo {
    /// Parses `--cache-to`: `inline`/`type=inline`, or an exporter buildx
    /// runs (`type=registry` needs `ref=`).
    pub fn parse(text: &str) -> Result<CacheTo, EngineError> {
        let kind = text
            .split(',')
            .find_map(|f| f.strip_prefix("type="))
            .unwrap_or(if text.contains('=') { "" } else { text });
        match kind {
            "inline" => Ok(CacheTo::Inline),
            "registry" if !text.split(',').any(|f| f.starts_with("ref=")) => Err(
                EngineError::InvalidOption(format!("--cache-to {text}: ref=IMAGE is required")),
            ),
            "registry" | "local" | "gha" | "s3" | "azblob" => Ok(CacheTo::Buildx(text.to_string())),
            other => Err(EngineError::InvalidOption(format!(
                "--cache-to {text}: unknown cache export type \"{other}\" (inline, registry, local, \
                 gha, s3, azblob)"
            ))),
        }
    }
}

impl BuildOptions {
    /// The first cache export only buildx can run, if any.
    pub fn buildx_cache_export(&self) -> Option<&str> {
        self.cache_to.iter().find_map(|c| match c {
            CacheTo::Buildx(spec) => Some(spec.as_str()),
            CacheTo::Inline => None,
        })
    }
}

/// Parses `--cache-from` into an image reference: `REF` or `type=registry,ref=REF`.
pub fn parse_cache_from(text: &str) -> Result<String, EngineError> {
    if !text.contains('=') {
        return Ok(text.to_string());
    }
    let mut kind = "registry";
    let mut reference = None;
    for field in text.split(',') {
        match field.split_once('=') {
            Some(("type", v)) => kind = v,
            Some(("ref", v)) => reference = Some(v),
            _ => {}
        }
    }
    match (kind, reference) {
        ("registry", Some(r)) if !r.is_empty() => Ok(r.to_string()),
        ("registry", _) => Err(EngineError::InvalidOption(format!(
            "--cache-from {text}: ref=IMAGE is required"
        ))),
        (other, _) => Err(EngineError::InvalidOption(format!(
            "--cache-from {text}: the Docker Engine build API imports caches only from registry \
             images; cache type \"{other}\" needs buildx"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_parse_like_the_docker_cli() {
        assert_eq!(
            SecretSpec::parse("id=npm,src=/run/npmrc").unwrap(),
            SecretSpec {
                id: "npm".into(),
                source: SecretSource::File("/run/npmrc".into())
            }
        );
        assert_eq!(
            SecretSpec::parse("id=token,env=GH_TOKEN").unwrap().source,
            SecretSource::Env("GH_TOKEN".into())
        );
        assert_eq!(
            SecretSpec::parse("id=TOKEN").unwrap().source,
            SecretSource::Env("TOKEN".into())
        );
        assert!(SecretSpec::parse("src=/x").is_err());
        assert!(SecretSpec::parse("id=a,src=/x,env=Y").is_err());
        assert!(SecretSpec::parse("id=a,colour=red").is_err());
    }

    #[test]
    fn cache_exports_are_inline_or_for_buildx() {
        assert_eq!(CacheTo::parse("type=inline").unwrap(), CacheTo::Inline);
        assert_eq!(CacheTo::parse("inline").unwrap(), CacheTo::Inline);
        let registry = "type=registry,ref=r/x:cache,mode=max";
        assert_eq!(
            CacheTo::parse(registry).unwrap(),
            CacheTo::Buildx(registry.into())
        );
        assert!(CacheTo::parse("type=registry,mode=max").is_err());
        assert!(CacheTo::parse("type=carrier-pigeon").is_err());
        let options = BuildOptions {
            cache_to: vec![CacheTo::Inline, CacheTo::Buildx(registry.into())],
            ..Default::default()
        };
        assert_eq!(options.buildx_cache_export(), Some(registry));
    }

    #[test]
    fn cache_from_accepts_refs() {
        assert_eq!(
            parse_cache_from("127.0.0.1:5000/app:1").unwrap(),
            "127.0.0.1:5000/app:1"
        );
        assert_eq!(
            parse_cache_from("type=registry,ref=r/app").unwrap(),
            "r/app"
        );
        assert!(parse_cache_from("type=local,src=/tmp/c").is_err());
    }

    #[test]
    fn inline_cache_adds_the_build_arg_once() {
        let options = BuildOptions {
            cache_to: vec![CacheTo::Inline],
            ..Default::default()
        };
        let args = options.effective_build_args();
        assert_eq!(
            args,
            vec![("BUILDKIT_INLINE_CACHE".to_string(), "1".to_string())]
        );
    }
}
