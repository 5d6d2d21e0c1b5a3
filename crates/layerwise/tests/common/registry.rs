//! A local registry (Debian's `docker-registry`) on a loopback port, which
//! engines treat as insecure without configuration. Shared by the tests
//! that push and import build caches.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const REGISTRY: &str = "/usr/bin/docker-registry";

/// The registry binary, installing Debian's package when it is missing.
pub fn registry_binary() -> Option<PathBuf> {
    super::debian_binary(REGISTRY, "docker-registry")
}

/// A started registry, or `None` after saying why the test is skipped.
///
/// # Panics
/// When `LAYERWISE_REQUIRE_DOCKER=1` and no registry can be installed.
pub fn registry_or_skip() -> Option<Registry> {
    let Some(binary) = registry_binary() else {
        assert!(
            !super::outside_world_required(),
            "docker-registry could not be installed"
        );
        eprintln!("skipped: docker-registry is not installed and could not be");
        return None;
    };
    Some(Registry::start(&binary))
}

/// A registry process, killed when dropped.
pub struct Registry {
    child: Child,
    pub port: u16,
    _storage: tempfile::TempDir,
}

impl Registry {
    pub fn start(binary: &Path) -> Registry {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let storage = tempfile::tempdir().unwrap();
        let config = storage.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n\
                 http:\n  addr: 127.0.0.1:{port}\n",
                storage.path().join("data").display()
            ),
        )
        .unwrap();
        let child = Command::new(binary)
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry starts");
        let registry = Registry {
            child,
            port,
            _storage: storage,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if registry.answers() {
                return registry;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the registry did not answer on 127.0.0.1:{port}");
    }

    fn answers(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        if stream
            .write_all(b"GET /v2/ HTTP/1.0\r\nHost: localhost\r\n\r\n")
            .is_err()
        {
            return false;
        }
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.starts_with("HTTP/1.") && answer.contains(" 200 ")
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
