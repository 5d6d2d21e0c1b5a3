//! Package indexes other than the default one, and how their credentials
//! must reach a build: through a BuildKit secret mount, because ARG and ENV
//! values are stored in the image history and layers.

use serde::Serialize;

use crate::PackageManager;
use crate::manifest::RawIndex;
use crate::source::Source;

/// A package index the project installs from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageIndex {
    /// Name given in the manifest, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The URL with any user and password replaced by `***`.
    pub url: String,
    /// Where it was declared: `requirements`, `tool.poetry.source`,
    /// `tool.uv.index`, `tool.pdm.source` or `Pipfile source`.
    pub declared_in: String,
    /// The URL itself carries a user or token.
    pub embedded_credentials: bool,
    /// The URL refers to environment variables (`${TOKEN}`).
    pub env_credentials: bool,
    /// How to pass credentials to the build.
    pub advice: String,
    /// Where it was written.
    pub source: Source,
}

/// Hosts of the default public index; an index there needs no secret.
const DEFAULT_INDEX_HOSTS: [&str; 2] = ["pypi.org", "files.pythonhosted.org"];

/// Host part of a URL, without user info and port.
fn host(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host_port.split(':').next().unwrap_or(host_port)
}

/// Replaces `user:password@` with `***@` so reports never print tokens.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://***@{host}{}", &rest[authority_end..]),
        None => url.to_string(),
    }
}

fn has_user_info(url: &str) -> bool {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme.split(['/', '?', '#']).next().unwrap_or("");
    authority.contains('@')
}

fn advice(manager: PackageManager, name: Option<&str>) -> String {
    let env_name = name
        .map(|n| {
            n.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect::<String>()
        })
        .unwrap_or_else(|| "NAME".to_string());
    let how = match manager {
        PackageManager::Pip => "mount a pip.conf holding the index URL as a secret: \
             `RUN --mount=type=secret,id=pipconf,target=/etc/pip.conf pip install ...`"
            .to_string(),
        PackageManager::Uv => format!(
            "read the credentials from secrets: `RUN --mount=type=secret,id=index_user,env=UV_INDEX_{env_name}_USERNAME \
             --mount=type=secret,id=index_token,env=UV_INDEX_{env_name}_PASSWORD uv sync ...` \
             (or the whole URL as UV_INDEX_URL)"
        ),
        PackageManager::Poetry => format!(
            "read the credentials from secrets: `RUN --mount=type=secret,id=index_user,env=POETRY_HTTP_BASIC_{env_name}_USERNAME \
             --mount=type=secret,id=index_token,env=POETRY_HTTP_BASIC_{env_name}_PASSWORD poetry ...`"
        ),
        PackageManager::Pipenv => {
            "write the URL with ${VARIABLES} in the Pipfile and provide them from secrets: \
             `RUN --mount=type=secret,id=index_token,env=INDEX_TOKEN pipenv install ...`"
                .to_string()
        }
        PackageManager::Pdm => format!(
            "read the credentials from secrets: `RUN --mount=type=secret,id=index_user,env=PDM_{env_name}_USERNAME \
             --mount=type=secret,id=index_token,env=PDM_{env_name}_PASSWORD pdm install ...`"
        ),
    };
    format!("{how}; never pass credentials with ARG or ENV, which are kept in the image")
}

/// Keeps the indexes that are not the default one and explains each.
pub(crate) fn classify(raw: Vec<RawIndex>, manager: PackageManager) -> Vec<PackageIndex> {
    let mut out: Vec<PackageIndex> = Vec::new();
    for index in raw {
        let host = host(&index.url).to_ascii_lowercase();
        let embedded = has_user_info(&index.url);
        if DEFAULT_INDEX_HOSTS.contains(&host.as_str()) && !embedded {
            continue;
        }
        let url = redact_url(&index.url);
        if out.iter().any(|i| i.url == url && i.source == index.source) {
            continue;
        }
        out.push(PackageIndex {
            advice: advice(manager, index.name.as_deref()),
            name: index.name,
            url,
            declared_in: index.origin.to_string(),
            embedded_credentials: embedded,
            env_credentials: index.url.contains('$'),
            source: index.source,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(url: &str) -> RawIndex {
        RawIndex {
            name: Some("corp".to_string()),
            url: url.to_string(),
            source: Source::line("pyproject.toml", 3),
            origin: "tool.uv.index",
        }
    }

    #[test]
    fn redacts_user_info() {
        assert_eq!(
            redact_url("https://user:tok@pkgs.example.com/simple/"),
            "https://***@pkgs.example.com/simple/"
        );
        assert_eq!(
            redact_url("https://pkgs.example.com/simple"),
            "https://pkgs.example.com/simple"
        );
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn default_index_is_dropped_private_kept_with_advice() {
        let indexes = classify(
            vec![
                raw("https://pypi.org/simple"),
                raw("https://__token__:abc@pkgs.example.com/simple"),
                raw("https://${USER}:${TOKEN}@pkgs.example.com/other"),
            ],
            PackageManager::Uv,
        );
        assert_eq!(indexes.len(), 2);
        assert!(indexes[0].embedded_credentials);
        assert!(!indexes[0].url.contains("abc"));
        assert!(indexes[0].advice.contains("UV_INDEX_CORP_PASSWORD"));
        assert!(
            indexes[0]
                .advice
                .contains("never pass credentials with ARG or ENV")
        );
        assert!(indexes[1].env_credentials);
    }

    #[test]
    fn poetry_advice_uses_http_basic() {
        let indexes = classify(
            vec![raw("https://pkgs.example.com/simple")],
            PackageManager::Poetry,
        );
        assert!(
            indexes[0]
                .advice
                .contains("POETRY_HTTP_BASIC_CORP_USERNAME")
        );
        assert!(!indexes[0].embedded_credentials);
    }

    #[test]
    fn host_extraction() {
        assert_eq!(host("https://u:p@Example.com:8443/x"), "Example.com");
        assert_eq!(host("example.com"), "example.com");
    }
}
