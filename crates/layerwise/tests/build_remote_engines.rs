//! Engines reached the way shared build servers are: over TCP with TLS
//! (a second `dockerd` with `--tlsverify` and certificates made here) and
//! through `ssh://` (an `sshd` on loopback with a key made here, running
//! `docker system dial-stdio` for the machine's engine). Each builds a
//! project end to end; a connection dropped mid-build (its `ssh` killed)
//! ends with exit 3 and no image tagged.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use layerwise_engine::testing::{SpareEngine, engine_available_or_skip};
use rcgen::{BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, KeyPair};

mod common;
use common::{
    layerwise_with, outside_world_required, process_running, read_report, report_steps, text,
};

fn token() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}-{nanos}", std::process::id())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn run(mut command: Command) -> Output {
    command.output().expect("layerwise runs")
}

/// A one-step project whose RUN is new to every engine's cache.
fn small_project(token: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.py"), format!("print('{token}')\n")).unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM python:3.11-slim\nCOPY app.py /app/app.py\nRUN python /app/app.py\n",
    )
    .unwrap();
    dir
}

/// `doctor` names the road (`road` in its output), then a small project
/// builds and its RUN runs on that engine. Returns the project and the
/// build's JSON report. `engine_log` adds the engine's log to failures.
fn doctor_then_build(
    env: &[(&str, String)],
    road: &str,
    engine_log: impl Fn() -> String,
) -> (tempfile::TempDir, serde_json::Value) {
    let output = run(layerwise_with(env, &["doctor"]));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(road), "{}", text(&output));

    let project = small_project(&token());
    let reports = tempfile::tempdir().unwrap();
    let report = reports.path().join("report.json");
    let output = run(layerwise_with(
        env,
        &[
            "build",
            project.path().to_str().unwrap(),
            "--progress",
            "plain",
            "--report",
            "json",
            report.to_str().unwrap(),
        ],
    ));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}\nengine log:\n{}",
        text(&output),
        engine_log()
    );
    let value = read_report(&report);
    let steps = report_steps(&value);
    assert!(
        steps
            .iter()
            .any(|s| s.instruction.starts_with("RUN") && !s.cached),
        "the RUN ran on the engine reached {road}: {steps:?}"
    );
    (project, value)
}

fn skip_or_fail(why: &str) {
    assert!(!outside_world_required(), "{why}");
    eprintln!("skipped: {why}");
}

// ---------------------------------------------------------------- TLS

/// A CA, a server certificate for 127.0.0.1 and a client certificate, in
/// the file names dockerd's flags and the docker CLI's DOCKER_CERT_PATH use.
struct Certificates {
    dir: tempfile::TempDir,
}

impl Certificates {
    fn make() -> Certificates {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: String| std::fs::write(dir.path().join(name), text).unwrap();
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).unwrap();
        write("ca.pem", ca.pem());

        let server_key = KeyPair::generate().unwrap();
        let mut server =
            CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server = server.signed_by(&server_key, &ca, &ca_key).unwrap();
        write("server-cert.pem", server.pem());
        write("server-key.pem", server_key.serialize_pem());

        let client_key = KeyPair::generate().unwrap();
        let mut client = CertificateParams::new(Vec::<String>::new()).unwrap();
        client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client = client.signed_by(&client_key, &ca, &ca_key).unwrap();
        write("cert.pem", client.pem());
        write("key.pem", client_key.serialize_pem());
        Certificates { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

#[test]
fn builds_on_an_engine_behind_tls_and_refuses_an_engine_it_cannot_verify() {
    if !engine_available_or_skip() {
        return;
    }
    let certs = Certificates::make();
    let port = free_port();
    let flags: Vec<String> = [
        "-H",
        &format!("tcp://127.0.0.1:{port}"),
        "--tlsverify",
        "--tlscacert",
        &certs.path("ca.pem"),
        "--tlscert",
        &certs.path("server-cert.pem"),
        "--tlskey",
        &certs.path("server-key.pem"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let engine = match SpareEngine::start(&flags) {
        Ok(engine) => engine,
        Err(why) => return skip_or_fail(&format!("a TLS engine could not start: {why}")),
    };
    common::block_on(async {
        let machine = layerwise_engine::Engine::connect().await.unwrap();
        let spare = engine.connect().await.unwrap();
        machine
            .copy_images_to(&spare, &["python:3.11-slim"])
            .await
            .expect("base image copied to the TLS engine");
    });
    let env = vec![
        ("DOCKER_HOST", format!("tcp://127.0.0.1:{port}")),
        ("DOCKER_TLS_VERIFY", "1".to_string()),
        ("DOCKER_CERT_PATH", certs.dir.path().display().to_string()),
    ];

    let (project, value) =
        doctor_then_build(&env, "over TLS, engine verified", || engine.log_tail());
    // What was sent: the tar of the Dockerfile and app.py, a few kB.
    let sent = value["context_sent_bytes"].as_u64().expect("bytes sent");
    assert!((1024..64 * 1024).contains(&sent), "{sent} bytes sent");

    // Another CA: the engine's certificate does not verify, exit 3.
    let stranger = Certificates::make();
    let env = vec![
        ("DOCKER_HOST", format!("tcp://127.0.0.1:{port}")),
        ("DOCKER_TLS_VERIFY", "1".to_string()),
        (
            "DOCKER_CERT_PATH",
            stranger.dir.path().display().to_string(),
        ),
    ];
    let output = run(layerwise_with(
        &env,
        &["build", project.path().to_str().unwrap()],
    ));
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("TLS handshake"), "{stderr}");
}

// ---------------------------------------------------------------- SSH

const SSHD: &str = "/usr/sbin/sshd";

/// An sshd on a loopback port that lets in the holder of a key made here,
/// and an `ssh` wrapper that uses that key (first on PATH for layerwise, as
/// a user's `~/.ssh/config` would be).
struct Sshd {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Sshd {
    fn start(binary: &Path) -> Result<Sshd, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name);
        for key in ["host_key", "client_key"] {
            let status = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(path(key))
                .status()
                .map_err(|e| format!("ssh-keygen: {e}"))?;
            if !status.success() {
                return Err(format!("ssh-keygen failed for {key}"));
            }
        }
        std::fs::copy(path("client_key.pub"), path("authorized_keys")).unwrap();
        let port = free_port();
        std::fs::write(
            path("sshd_config"),
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\n\
                 PidFile {}\nUsePAM no\nStrictModes no\nPermitRootLogin prohibit-password\n\
                 PasswordAuthentication no\n",
                path("host_key").display(),
                path("authorized_keys").display(),
                path("sshd.pid").display(),
            ),
        )
        .unwrap();
        let _ = std::fs::create_dir_all("/run/sshd");
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let wrapper = bin.join("ssh");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\nexec /usr/bin/ssh -F none -i {} -o StrictHostKeyChecking=no \
                 -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \"$@\"\n",
                path("client_key").display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        let child = Command::new(binary)
            .args(["-D", "-e", "-f"])
            .arg(path("sshd_config"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting sshd: {e}"))?;
        let sshd = Sshd { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(sshd);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!("sshd did not listen on 127.0.0.1:{port}"))
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        let path = std::env::var("PATH").unwrap_or_default();
        vec![
            ("DOCKER_HOST", format!("ssh://root@127.0.0.1:{}", self.port)),
            (
                "PATH",
                format!("{}:{path}", self.dir.path().join("bin").display()),
            ),
        ]
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Pids of the `ssh` processes `parent` started.
fn ssh_children(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (comm) state ppid …`; comm may hold spaces, so split after ')'.
            let (head, rest) = stat.rsplit_once(')')?;
            let comm = head.split_once('(')?.1;
            let ppid: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
            (comm == "ssh" && ppid == parent).then_some(pid)
        })
        .collect()
}

#[test]
fn builds_through_ssh_and_a_dropped_connection_exits_3_without_an_image() {
    if !engine_available_or_skip() {
        return;
    }
    let Some(binary) = common::debian_binary(SSHD, "openssh-server") else {
        return skip_or_fail("openssh-server is not installed and could not be");
    };
    let sshd = match Sshd::start(&binary) {
        Ok(sshd) => sshd,
        Err(why) => return skip_or_fail(&why),
    };
    let env = sshd.env();

    doctor_then_build(&env, "through ssh to 127.0.0.1", String::new);

    // Mid-build, the ssh processes carrying the connections are killed.
    let token = token();
    let marker = format!("dropped-{token}");
    let tag = format!("lw-dropped-{token}:v1");
    let slow = tempfile::tempdir().unwrap();
    std::fs::write(
        slow.path().join("Dockerfile"),
        format!("FROM python:3.11-slim\nRUN echo {marker} && sleep 120\n"),
    )
    .unwrap();
    let mut command = layerwise_with(
        &env,
        &[
            "build",
            slow.path().to_str().unwrap(),
            "-t",
            &tag,
            "--progress",
            "plain",
        ],
    );
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    while !process_running(&marker) {
        assert!(
            Instant::now() < deadline,
            "the slow step never started through ssh"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let killed = ssh_children(child.id());
    assert!(!killed.is_empty(), "layerwise's ssh processes are found");
    for pid in &killed {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("connection dropped during the build"),
        "{stderr}"
    );
    // The engine cancels the orphaned build: its step stops and no tag appears.
    let deadline = Instant::now() + Duration::from_secs(60);
    while process_running(&marker) {
        assert!(
            Instant::now() < deadline,
            "the engine kept running the dropped build's step"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    common::block_on(async {
        let engine = layerwise_engine::Engine::connect().await.unwrap();
        assert!(
            !engine.image_exists(&tag).await.unwrap(),
            "no image is tagged {tag} after the dropped build"
        );
    });
}
