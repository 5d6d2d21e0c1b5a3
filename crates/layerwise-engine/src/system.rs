//! What `doctor` reports, and the image and cache operations around builds.

use bollard::auth::DockerCredentials;
use bollard::container::LogOutput;
use bollard::models::{ContainerCreateBody, HostConfig, ImageInspect};
use bollard::query_parameters::{
    CreateContainerOptions, ImportImageOptionsBuilder, ListImagesOptionsBuilder,
    LogsOptionsBuilder, PruneBuildOptions, PushImageOptionsBuilder, RemoveContainerOptionsBuilder,
    RemoveImageOptionsBuilder,
};
use futures_util::StreamExt;

use crate::build::split_reference;
use crate::{Engine, EngineError, raw};

/// What a push did: layers the registry received, layers it had already.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pushed {
    pub layers_sent: usize,
    pub layers_present: usize,
    /// The manifest digest the registry answered with.
    pub digest: Option<String>,
}

/// The registry host of a repository name, as the docker CLI reads it: the
/// first path component when it has a dot or a port or is `localhost`,
/// otherwise Docker Hub.
pub fn registry_host(repository: &str) -> &str {
    match repository.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            first
        }
        _ => "docker.io",
    }
}

/// Versions and capabilities of the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineInfo {
    pub engine_version: String,
    pub api_version: String,
    pub min_api_version: String,
    pub os: String,
    pub arch: String,
    pub experimental: bool,
    /// The `Builder-Version` ping header: `2` when BuildKit is the default
    /// builder. Engines before 23.0 do not send it.
    pub default_builder: Option<String>,
}

/// What the engine's built-in Dockerfile frontend understands, known from
/// the BuildKit version each Docker Engine release embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrontendFeatures {
    /// The embedded BuildKit release, e.g. `0.8`.
    pub buildkit: &'static str,
    /// `RUN --mount=type=cache` (and secret/ssh mounts) work at all.
    pub run_mounts: bool,
    /// They work without a `# syntax=docker/dockerfile:experimental` line.
    pub run_mounts_without_syntax: bool,
    /// `RUN <<EOF` heredocs (frontend 1.4).
    pub heredocs: bool,
    /// `COPY --link` (frontend 1.4).
    pub copy_link: bool,
}

/// The frontend built into a Docker Engine version (`major.minor`).
pub fn frontend_features(engine_version: &str) -> FrontendFeatures {
    let mut parts = engine_version
        .split(['.', '-', '+'])
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let version = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    let (buildkit, run_mounts, plain_mounts, modern) = match version {
        v if v >= (28, 0) => ("0.20", true, true, true),
        v if v >= (27, 0) => ("0.15", true, true, true),
        v if v >= (26, 0) => ("0.13", true, true, true),
        v if v >= (25, 0) => ("0.12", true, true, true),
        v if v >= (24, 0) => ("0.11", true, true, true),
        v if v >= (23, 0) => ("0.10", true, true, true),
        v if v >= (20, 10) => ("0.8", true, true, false),
        v if v >= (19, 3) => ("0.6", true, false, false),
        v if v >= (18, 9) => ("0.3", true, false, false),
        _ => ("none", false, false, false),
    };
    FrontendFeatures {
        buildkit,
        run_mounts,
        run_mounts_without_syntax: plain_mounts,
        heredocs: modern,
        copy_link: modern,
    }
}

/// Build cache disk usage from `/system/df`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheUsage {
    pub records: u64,
    pub bytes: u64,
    /// Bytes in records no build is using, which `docker builder prune` frees.
    pub reclaimable: u64,
}

impl Engine {
    pub async fn info(&self) -> Result<EngineInfo, EngineError> {
        let version = self.docker.version().await?;
        let ping = raw::get(&self.dial, "/_ping").await.ok();
        Ok(EngineInfo {
            engine_version: version.version.unwrap_or_default(),
            api_version: self.api_version.clone(),
            min_api_version: version.min_api_version.unwrap_or_default(),
            os: version.os.unwrap_or_default(),
            arch: version.arch.unwrap_or_default(),
            experimental: version.experimental.unwrap_or(false),
            default_builder: ping.and_then(|p| p.header("builder-version").map(str::to_string)),
        })
    }

    /// Sums the build cache records. Read raw because the typed model
    /// follows the newest API, whose layout older engines do not send.
    pub async fn build_cache_usage(&self) -> Result<CacheUsage, EngineError> {
        let path = format!("/v{}/system/df", self.api_version);
        let response = raw::get(&self.dial, &path).await?;
        if response.status != 200 {
            return Err(EngineError::Protocol(format!(
                "/system/df answered {}",
                response.status
            )));
        }
        let value: serde_json::Value = serde_json::from_slice(&response.body)
            .map_err(|e| EngineError::Protocol(format!("/system/df: {e}")))?;
        Ok(cache_usage_from(&value))
    }

    /// Empties the build cache (`docker builder prune [-a]`); returns bytes freed.
    pub async fn prune_build_cache(&self, all: bool) -> Result<u64, EngineError> {
        let options = PruneBuildOptions {
            all: Some(all),
            ..PruneBuildOptions::default()
        };
        // Pruning a large cache takes far longer than an ordinary request.
        let docker = self
            .docker
            .clone()
            .with_timeout(std::time::Duration::from_secs(900));
        let response = docker.prune_build(Some(options)).await?;
        Ok(response
            .space_reclaimed
            .and_then(|s| u64::try_from(s).ok())
            .unwrap_or(0))
    }

    /// Whether an image reference exists locally.
    pub async fn image_exists(&self, reference: &str) -> Result<bool, EngineError> {
        match self.docker.inspect_image(reference).await {
            Ok(_) => Ok(true),
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// Whether any local image is a `docker/dockerfile` frontend (so a
    /// `# syntax=` line can resolve without the network).
    pub async fn has_local_frontend_image(&self) -> Result<bool, EngineError> {
        let mut filters = std::collections::HashMap::new();
        filters.insert("reference", vec!["docker/dockerfile"]);
        let options = ListImagesOptionsBuilder::default()
            .filters(&filters)
            .build();
        Ok(!self.docker.list_images(Some(options)).await?.is_empty())
    }

    /// The median time of five `/_ping` requests: the engine's round trip
    /// (through the tunnel, for TLS and SSH engines).
    pub async fn round_trip(&self) -> Result<std::time::Duration, EngineError> {
        let mut times = Vec::new();
        for _ in 0..5 {
            let started = std::time::Instant::now();
            self.docker.ping().await?;
            times.push(started.elapsed());
        }
        times.sort();
        Ok(times[2])
    }

    /// Pushes `repo[:tag]` to its registry, with the Docker configuration's
    /// credentials for that registry when it has some.
    pub async fn push(&self, reference: &str) -> Result<Pushed, EngineError> {
        let (repo, tag) = split_reference(reference);
        let options = PushImageOptionsBuilder::default().tag(tag).build();
        let credentials =
            self.credentials()
                .lookup(registry_host(repo))
                .map(|(username, password)| DockerCredentials {
                    username: Some(username),
                    password: Some(password),
                    serveraddress: Some(registry_host(repo).to_string()),
                    ..DockerCredentials::default()
                });
        let mut stream = std::pin::pin!(self.docker.push_image(repo, Some(options), credentials));
        let mut pushed = Pushed::default();
        while let Some(item) = stream.next().await {
            let info = item?;
            match info.status.as_deref() {
                Some("Pushed") => pushed.layers_sent += 1,
                Some("Layer already exists") | Some("Mounted from") => pushed.layers_present += 1,
                Some(status) if status.starts_with("Mounted from") => pushed.layers_present += 1,
                _ => {}
            }
            if let Some(aux) = info
                .status
                .as_deref()
                .and_then(|s| s.split_once("digest: "))
            {
                pushed.digest = aux.1.split_whitespace().next().map(str::to_string);
            }
        }
        Ok(pushed)
    }

    /// Copies images from this engine into `other` (`docker save | docker
    /// load`), e.g. base images onto an engine that cannot pull them.
    pub async fn copy_images_to(
        &self,
        other: &Engine,
        references: &[&str],
    ) -> Result<(), EngineError> {
        let mut archive = Vec::new();
        let mut stream = std::pin::pin!(self.docker.export_images(references));
        while let Some(chunk) = stream.next().await {
            archive.extend_from_slice(&chunk?);
        }
        let options = ImportImageOptionsBuilder::default().quiet(true).build();
        let mut load = std::pin::pin!(other.docker.import_image(
            options,
            bollard::body_full(archive.into()),
            None
        ));
        while let Some(item) = load.next().await {
            item?;
        }
        Ok(())
    }

    /// Removes an image (forced, with its untagged parents).
    pub async fn remove_image(&self, reference: &str) -> Result<(), EngineError> {
        let options = RemoveImageOptionsBuilder::default().force(true).build();
        self.docker
            .remove_image(reference, Some(options), None)
            .await?;
        Ok(())
    }

    /// Removes an image by id when no tag names it any more (what a rebuild
    /// under the same tag leaves behind); an image someone tagged is kept.
    pub async fn remove_if_untagged(&self, id: &str) -> Result<(), EngineError> {
        let image = match self.docker.inspect_image(id).await {
            Ok(image) => image,
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => return Ok(()),
            Err(err) => return Err(err.into()),
        };
        if image.repo_tags.is_some_and(|tags| !tags.is_empty()) {
            return Ok(());
        }
        let options = RemoveImageOptionsBuilder::default().build();
        self.docker.remove_image(id, Some(options), None).await?;
        Ok(())
    }

    /// Runs a command in a new container of `image`, returns its exit code
    /// and combined output, and removes the container.
    pub async fn run(&self, image: &str, cmd: &[&str]) -> Result<(i64, String), EngineError> {
        let body = ContainerCreateBody {
            image: Some(image.to_string()),
            cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
            ..ContainerCreateBody::default()
        };
        let (code, logs) = self.run_container(body).await?;
        Ok((code, logs.iter().map(ToString::to_string).collect()))
    }

    /// Runs `script` with `/bin/sh -c` in a new container of `image`, whatever
    /// its entrypoint, without network; removes the container afterwards.
    pub async fn run_script(&self, image: &str, script: &str) -> Result<ScriptRun, EngineError> {
        let body = ContainerCreateBody {
            image: Some(image.to_string()),
            entrypoint: Some(vec!["/bin/sh".to_string()]),
            cmd: Some(vec!["-c".to_string(), script.to_string()]),
            host_config: Some(HostConfig {
                network_mode: Some("none".to_string()),
                ..HostConfig::default()
            }),
            ..ContainerCreateBody::default()
        };
        let (code, logs) = self.run_container(body).await?;
        let mut run = ScriptRun {
            code,
            ..ScriptRun::default()
        };
        for log in logs {
            match log {
                LogOutput::StdErr { message } => {
                    run.stderr.push_str(&String::from_utf8_lossy(&message))
                }
                other => run.stdout.push_str(&other.to_string()),
            }
        }
        Ok(run)
    }

    /// What the engine knows of an image: size, layers, configuration.
    pub async fn inspect_image(&self, reference: &str) -> Result<ImageInspect, EngineError> {
        Ok(self.docker.inspect_image(reference).await?)
    }

    async fn run_container(
        &self,
        body: ContainerCreateBody,
    ) -> Result<(i64, Vec<LogOutput>), EngineError> {
        let created = self
            .docker
            .create_container(None::<CreateContainerOptions>, body)
            .await?;
        let id = created.id;
        let result = self.run_created(&id).await;
        let remove = RemoveContainerOptionsBuilder::default().force(true).build();
        let removed = self.docker.remove_container(&id, Some(remove)).await;
        let output = result?;
        removed?;
        Ok(output)
    }

    async fn run_created(&self, id: &str) -> Result<(i64, Vec<LogOutput>), EngineError> {
        self.docker.start_container(id, None).await?;
        let mut code = 0;
        let mut wait = std::pin::pin!(self.docker.wait_container(id, None));
        while let Some(item) = wait.next().await {
            match item {
                Ok(response) => code = response.status_code,
                // A non-zero exit arrives as an error carrying the code.
                Err(bollard::errors::Error::DockerContainerWaitError { code: c, .. }) => code = c,
                Err(err) => return Err(err.into()),
            }
        }
        let options = LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .build();
        let mut logs = std::pin::pin!(self.docker.logs(id, Some(options)));
        let mut output = Vec::new();
        while let Some(item) = logs.next().await {
            output.push(item?);
        }
        Ok((code, output))
    }
}

/// What a script run in a container printed, and its exit code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptRun {
    pub code: i64,
    pub stdout: String,
    pub stderr: String,
}

fn cache_usage_from(value: &serde_json::Value) -> CacheUsage {
    let mut usage = CacheUsage::default();
    let records = value.get("BuildCache").and_then(|b| b.as_array());
    for record in records.into_iter().flatten() {
        let size = record.get("Size").and_then(|s| s.as_u64()).unwrap_or(0);
        let in_use = record
            .get("InUse")
            .and_then(|s| s.as_bool())
            .unwrap_or(false);
        usage.records += 1;
        usage.bytes += size;
        if !in_use {
            usage.reclaimable += size;
        }
    }
    usage
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frontend_features_follow_the_engine_release() {
        let old = frontend_features("20.10.24+dfsg1");
        assert_eq!(old.buildkit, "0.8");
        assert!(old.run_mounts_without_syntax && !old.heredocs && !old.copy_link);
        let new = frontend_features("28.1.1");
        assert!(new.heredocs && new.copy_link);
        let ancient = frontend_features("19.03.15");
        assert!(ancient.run_mounts && !ancient.run_mounts_without_syntax);
        assert!(!frontend_features("17.06.0-ce").run_mounts);
    }

    #[test]
    fn cache_usage_sums_records() {
        let value = serde_json::json!({"BuildCache": [
            {"Size": 100, "InUse": false}, {"Size": 50, "InUse": true}
        ]});
        assert_eq!(
            cache_usage_from(&value),
            CacheUsage {
                records: 2,
                bytes: 150,
                reclaimable: 100
            }
        );
        assert_eq!(
            cache_usage_from(&serde_json::json!({})),
            CacheUsage::default()
        );
    }
}
