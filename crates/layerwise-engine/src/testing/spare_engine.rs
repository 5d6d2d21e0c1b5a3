//! A second Docker engine for tests that need two (a team's laptop and its
//! CI runner, an engine reached over TLS): `dockerd` started with a data
//! root, exec root and socket of its own in a temporary directory, a bridge
//! of its own and no iptables rules, so it cannot disturb the machine's
//! engine. It is stopped, its bridge deleted and its directory removed when
//! dropped.
//!
//! Not `--bridge=none`: a dockerd started that way deletes the `docker0`
//! interface the machine's engine runs its containers on.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Engine, EnvInputs};

/// A running extra `dockerd`.
pub struct SpareEngine {
    child: Child,
    dir: tempfile::TempDir,
    /// Deleted after `drop` has stopped dockerd (fields drop after it).
    _bridge: Bridge,
}

/// A Linux bridge made for one spare engine (root only, as dockerd is).
struct Bridge(String);

impl Bridge {
    fn create() -> Result<Bridge, String> {
        let id = std::process::id();
        let name = format!("lwe{}", id % 100_000);
        // A /24 from 10.213.0.0/16 per process, away from docker0's default.
        let address = format!("10.213.{}.1/24", id % 250);
        let ip = |args: &[&str]| -> Result<(), String> {
            let output = Command::new("ip")
                .args(args)
                .output()
                .map_err(|e| format!("running ip: {e}"))?;
            if output.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "ip {}: {}",
                    args.join(" "),
                    String::from_utf8_lossy(&output.stderr).trim()
                ))
            }
        };
        let _ = ip(&["link", "delete", &name]);
        ip(&["link", "add", &name, "type", "bridge"])?;
        let bridge = Bridge(name);
        ip(&["addr", "add", &address, "dev", &bridge.0])?;
        ip(&["link", "set", &bridge.0, "up"])?;
        Ok(bridge)
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["link", "delete", &self.0])
            .output();
    }
}

impl SpareEngine {
    /// Starts `dockerd` with its own roots and a unix socket, plus
    /// `extra_args` (e.g. a TLS-protected `-H tcp://…` listener), and waits
    /// until it answers. `Err` says why it could not start, with the end of
    /// its log.
    pub fn start(extra_args: &[String]) -> Result<SpareEngine, String> {
        let dockerd = [
            "/usr/sbin/dockerd",
            "/usr/bin/dockerd",
            "/usr/local/bin/dockerd",
        ]
        .into_iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .ok_or("no dockerd binary (Debian's docker.io provides it)")?;
        let bridge = Bridge::create()?;
        // Under /tmp with a short name: a unix socket path holds at most 107
        // bytes, and containerd's sockets live below the exec root.
        let dir = tempfile::Builder::new()
            .prefix("lwe")
            .tempdir_in("/tmp")
            .map_err(|e| format!("temporary directory: {e}"))?;
        let root = dir.path();
        let log = std::fs::File::create(root.join("dockerd.log"))
            .map_err(|e| format!("dockerd log: {e}"))?;
        let child = Command::new(dockerd)
            .arg("--data-root")
            .arg(root.join("data"))
            .arg("--exec-root")
            .arg(root.join("x"))
            .arg("--pidfile")
            .arg(root.join("dockerd.pid"))
            .arg("-H")
            .arg(format!("unix://{}", root.join("d.sock").display()))
            .arg(format!("--bridge={}", bridge.0))
            .args(["--iptables=false", "--ip-masq=false"])
            .args(extra_args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", dockerd.display()))?;
        let mut engine = SpareEngine {
            child,
            dir,
            _bridge: bridge,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = engine.child.try_wait() {
                return Err(format!("dockerd exited ({status}): {}", engine.log_tail()));
            }
            if engine.socket().exists() && engine.answers() {
                return Ok(engine);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(format!(
            "dockerd did not answer within 60 s: {}",
            engine.log_tail()
        ))
    }

    /// The unix socket it listens on.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("d.sock")
    }

    /// `unix://…`, for `DOCKER_HOST`.
    pub fn host(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    /// The directory holding its roots, socket and log.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Connects to it, as a client with `DOCKER_HOST` set to [`Self::host`].
    pub async fn connect(&self) -> Result<Engine, crate::EngineError> {
        Engine::connect_with(&EnvInputs {
            docker_host: Some(self.host()),
            ..EnvInputs::default()
        })
        .await
    }

    /// The last lines of its log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.path().join("dockerd.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    fn answers(&self) -> bool {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return false;
        };
        runtime.block_on(self.connect()).is_ok()
    }
}

impl Drop for SpareEngine {
    fn drop(&mut self) {
        // SIGTERM lets dockerd unmount its layers before the directory goes.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
