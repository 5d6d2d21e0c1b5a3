//! Registry credentials from the Docker configuration, found as the docker
//! CLI finds them: a registry's own helper (`credHelpers`), then the file's
//! `auths`, then the default helper (`credsStore`, e.g. Docker Desktop's).
//! A helper is the program `docker-credential-NAME` on PATH, asked with
//! `get` and the registry's address on stdin. Offered to BuildKit through the
//! session (pulling bases, importing registry caches) and sent with pushes.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine as _;

/// Username and password per registry host, and the helpers to ask.
#[derive(Debug, Clone, Default)]
pub struct RegistryCredentials {
    by_host: HashMap<String, (String, String)>,
    /// `credHelpers`: registry host → helper name.
    helpers: HashMap<String, String>,
    /// `credsStore`: the helper for every other registry.
    store: Option<String>,
}

impl RegistryCredentials {
    /// Reads `config.json` in the Docker configuration directory; a missing
    /// or unreadable file means no credentials.
    pub fn load(config_dir: Option<&Path>) -> Self {
        let Some(dir) = config_dir else {
            return Self::default();
        };
        let Ok(text) = std::fs::read_to_string(dir.join("config.json")) else {
            return Self::default();
        };
        Self::from_config(&text)
    }

    pub fn from_config(text: &str) -> Self {
        let mut by_host = HashMap::new();
        let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
            return Self::default();
        };
        let helpers = value
            .get("credHelpers")
            .and_then(|h| h.as_object())
            .map(|map| {
                map.iter()
                    .filter_map(|(host, name)| {
                        Some((normalize_host(host), name.as_str()?.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let store = value
            .get("credsStore")
            .and_then(|s| s.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let Some(auths) = value.get("auths").and_then(|a| a.as_object()) else {
            return RegistryCredentials {
                by_host,
                helpers,
                store,
            };
        };
        for (key, entry) in auths {
            let Some(encoded) = entry.get("auth").and_then(|a| a.as_str()) else {
                continue;
            };
            let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
                continue;
            };
            let decoded = String::from_utf8_lossy(&decoded);
            let Some((user, password)) = decoded.split_once(':') else {
                continue;
            };
            by_host.insert(
                normalize_host(key),
                (user.to_string(), password.to_string()),
            );
        }
        RegistryCredentials {
            by_host,
            helpers,
            store,
        }
    }

    /// Credentials for a registry host as BuildKit names it.
    pub fn lookup(&self, host: &str) -> Option<(String, String)> {
        let host = normalize_host(host);
        if let Some(helper) = self.helpers.get(&host) {
            return ask_helper(helper, &host);
        }
        if let Some(found) = self.by_host.get(&host) {
            return Some(found.clone());
        }
        ask_helper(self.store.as_deref()?, &host)
    }
}

/// `docker-credential-NAME get` with the registry's address on stdin: its
/// JSON answer's `Username` and `Secret`, or nothing when the helper is
/// missing, fails or knows no credentials for it.
fn ask_helper(name: &str, host: &str) -> Option<(String, String)> {
    // Docker Hub's credentials are kept under the address the CLI logs in to.
    let address = if host == "docker.io" {
        "https://index.docker.io/v1/"
    } else {
        host
    };
    let mut child = Command::new(format!("docker-credential-{name}"))
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(address.as_bytes()).ok()?;
    let output = child.wait_with_output().ok()?;
    if !output.status.success() {
        return None;
    }
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    let user = answer.get("Username")?.as_str()?.to_string();
    let secret = answer.get("Secret")?.as_str()?.to_string();
    (!secret.is_empty()).then_some((user, secret))
}

/// `https://index.docker.io/v1/` (the config's key for Docker Hub) and
/// `registry-1.docker.io` (what BuildKit asks for) are the same registry.
fn normalize_host(key: &str) -> String {
    let host = key
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let host = host.split('/').next().unwrap_or(host);
    match host {
        "index.docker.io" | "registry-1.docker.io" | "docker.io" => "docker.io".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_auths_and_maps_docker_hub() {
        let text = r#"{"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNz"},
            "127.0.0.1:5000":{"auth":"YTpiOmM="},"broken":{"auth":"!!"}}}"#;
        let creds = RegistryCredentials::from_config(text);
        assert_eq!(
            creds.lookup("registry-1.docker.io"),
            Some(("user".into(), "pass".into()))
        );
        assert_eq!(
            creds.lookup("127.0.0.1:5000"),
            Some(("a".into(), "b:c".into()))
        );
        assert_eq!(creds.lookup("broken"), None);
        assert_eq!(creds.lookup("ghcr.io"), None);
    }

    #[test]
    fn helpers_are_read_with_the_clis_precedence() {
        let text = r#"{"auths":{"registry.example":{"auth":"dXNlcjpwYXNz"}},
            "credsStore":"desktop","credHelpers":{"registry.example":"ecr-login"}}"#;
        let creds = RegistryCredentials::from_config(text);
        assert_eq!(
            creds.helpers.get("registry.example").map(String::as_str),
            Some("ecr-login")
        );
        assert_eq!(creds.store.as_deref(), Some("desktop"));
        // The registry's own helper wins over the file; a missing helper
        // program means no credentials, not an error.
        assert_eq!(creds.lookup("registry.example"), None);
    }
}
