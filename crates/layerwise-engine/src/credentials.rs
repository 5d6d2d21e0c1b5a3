//! Registry credentials from the Docker configuration's `auths`, offered to
//! BuildKit through the session (pulling bases, importing registry caches).
//! Credential helpers (`credsStore`) are not consulted.

use std::collections::HashMap;
use std::path::Path;

use base64::Engine as _;

/// Username and password per registry host.
#[derive(Debug, Clone, Default)]
pub struct RegistryCredentials {
    by_host: HashMap<String, (String, String)>,
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
        let Some(auths) = value.get("auths").and_then(|a| a.as_object()) else {
            return Self::default();
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
        RegistryCredentials { by_host }
    }

    /// Credentials for a registry host as BuildKit names it.
    pub fn lookup(&self, host: &str) -> Option<(String, String)> {
        self.by_host.get(&normalize_host(host)).cloned()
    }
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
}
