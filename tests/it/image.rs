//! The container image (`Containerfile`, built by `scripts/image.sh`).
//!
//! No container runtime can start a container on the machines these tests
//! run on, so they test what a runtime would run: the image's filesystem,
//! exported, with its entrypoint and its health check run under `chroot`,
//! as the image's user, with the image's environment (a port other than
//! the default given as `-e N4N_MOCK_PORT=...` would be).
//!
//! Building the image takes minutes and needs podman, root (for `chroot`)
//! and the static build's tools, so these tests are ignored by a plain
//! `cargo test` (which counts them as ignored, not passed) and run with
//! `cargo test --test it image:: -- --ignored`, as `.ci/run` does. They fail
//! when something they need is missing.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use crate::util::{API_KEY, EXAMPLE_CLICK, FORM, RunningBinary, file_names, root};

/// The most the image may weigh, as the issue asks.
const MAX_IMAGE_BYTES: u64 = 25_000_000;
const LIMIT: Duration = Duration::from_secs(20);

/// The image, built once and exported, and the settings a runtime reads.
struct ExportedImage {
    /// What `scripts/image.sh` printed, e.g. `n4n-mock:0.1.0`.
    reference: String,
    /// Its filesystem, unpacked.
    root: PathBuf,
    /// `Env`, as NAME → value.
    env: BTreeMap<String, String>,
    /// `User`, e.g. `65532:65532`.
    user: String,
    /// `Entrypoint` followed by `Cmd`.
    command: Vec<String>,
    /// `Healthcheck.Test`, e.g. `["CMD", "/n4n-mock", "wait", ...]`.
    health_test: Vec<String>,
    /// `ExposedPorts`' keys, e.g. `8080/tcp`.
    exposed_ports: Vec<String>,
    /// The image's size in bytes, as the engine reports it.
    size: u64,
}

static IMAGE: OnceLock<Result<ExportedImage, String>> = OnceLock::new();

/// The exported image. Every test shares one build.
fn image() -> &'static ExportedImage {
    match IMAGE.get_or_init(build_and_export) {
        Ok(image) => image,
        Err(why) => panic!("{why}"),
    }
}

fn build_and_export() -> Result<ExportedImage, String> {
    for tool in ["podman", "chroot", "tar"] {
        if find_program(tool).is_none() {
            return Err(format!("the image tests need `{tool}` on PATH"));
        }
    }
    let uid = std::os::unix::fs::MetadataExt::uid(
        &std::fs::metadata("/proc/self").map_err(|e| format!("/proc/self: {e}"))?,
    );
    if uid != 0 {
        return Err("the image tests need root, for chroot".to_string());
    }

    let built = Command::new("bash")
        .arg(root().join("scripts/image.sh"))
        .env("N4N_MOCK_ENGINE", "podman")
        .output()
        .map_err(|e| format!("cannot run scripts/image.sh: {e}"))?;
    if !built.status.success() {
        return Err(format!(
            "scripts/image.sh failed ({}):\n{}",
            built.status,
            String::from_utf8_lossy(&built.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&built.stdout);
    let reference = stdout
        .lines()
        .last()
        .ok_or("scripts/image.sh printed no image reference")?
        .trim()
        .to_string();

    let inspect = run_ok("podman", &["image", "inspect", &reference])?;
    let inspect: serde_json::Value = serde_json::from_slice(&inspect.stdout)
        .map_err(|e| format!("podman image inspect is not JSON: {e}"))?;
    let image = &inspect[0];
    let config = &image["Config"];
    let strings = |value: &serde_json::Value| -> Vec<String> {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let env = strings(&config["Env"])
        .into_iter()
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            Some((name.to_string(), value.to_string()))
        })
        .collect();
    let mut command = strings(&config["Entrypoint"]);
    command.extend(strings(&config["Cmd"]));
    let exposed_ports = config["ExposedPorts"]
        .as_object()
        .map(|ports| ports.keys().cloned().collect())
        .unwrap_or_default();
    // podman shows a Docker-format image's health check beside its Config.
    let health_test = strings(&image["Healthcheck"]["Test"]);

    // The filesystem: a container created (never started), exported, unpacked
    // where cargo keeps test files, fresh each run.
    let root_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("image-root");
    if root_dir.exists() {
        std::fs::remove_dir_all(&root_dir).map_err(|e| format!("clearing {root_dir:?}: {e}"))?;
    }
    std::fs::create_dir_all(&root_dir).map_err(|e| format!("{root_dir:?}: {e}"))?;
    let tarball = root_dir.with_extension("tar");
    let created = run_ok("podman", &["create", &reference])?;
    let container = String::from_utf8_lossy(&created.stdout).trim().to_string();
    let exported = run_ok(
        "podman",
        &["export", "-o", &tarball.to_string_lossy(), &container],
    );
    let _ = run_ok("podman", &["rm", &container]);
    exported?;
    run_ok(
        "tar",
        &[
            "-xf",
            &tarball.to_string_lossy(),
            "-C",
            &root_dir.to_string_lossy(),
        ],
    )?;
    let _ = std::fs::remove_file(&tarball);

    Ok(ExportedImage {
        reference,
        root: root_dir,
        env,
        user: config["User"].as_str().unwrap_or_default().to_string(),
        command,
        health_test,
        exposed_ports,
        size: image["Size"].as_u64().unwrap_or(u64::MAX),
    })
}

/// Runs `program` with `args`, or says how it failed.
fn run_ok(program: &str, args: &[&str]) -> Result<Output, String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(format!(
            "{program} {} failed ({}):\n{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// `name` found on this process's PATH.
fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

impl ExportedImage {
    /// `argv` run the way a runtime runs the image's processes: inside its
    /// filesystem, as its user, with its environment and nothing else, and
    /// `N4N_MOCK_PORT` as given to the container.
    fn chroot(&self, argv: &[String], port: u16) -> Command {
        let chroot = find_program("chroot").expect("chroot on PATH");
        let user = match self.user.split_once(':') {
            Some(_) => self.user.clone(),
            None => format!("{}:0", self.user),
        };
        let mut command = Command::new(chroot);
        command
            .arg(format!("--userspec={user}"))
            .arg(&self.root)
            .args(argv)
            .env_clear()
            .envs(&self.env)
            .env("N4N_MOCK_PORT", port.to_string())
            .stdin(Stdio::null());
        command
    }

    /// The entrypoint and its arguments, started on `port`.
    fn serve(&self, port: u16) -> RunningBinary {
        RunningBinary::start_as_given(&mut self.chroot(&self.command, port))
    }

    /// The health check's command, run once to its end.
    fn health_check(&self, port: u16) -> ExitStatus {
        let argv = self
            .health_test
            .strip_prefix(&["CMD".to_string()])
            .unwrap_or_else(|| panic!("an exec-form health check: {:?}", self.health_test));
        self.chroot(argv, port)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run the health check")
    }

    /// A path inside the image.
    fn path(&self, inside: &str) -> PathBuf {
        self.root.join(inside.trim_start_matches('/'))
    }
}

/// A port that was free a moment ago, and is not the image's default.
fn free_port() -> u16 {
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        if port != 8080 {
            return port;
        }
    }
}

/// Where a client on this machine reaches a server listening on `addr`.
fn loopback_url(addr: SocketAddr, path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", addr.port())
}

fn blocking<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

#[test]
#[ignore = "builds the container image with podman and runs it under chroot (minutes, \
            needs root): run with `cargo test --test it image:: -- --ignored`, as .ci/run does"]
fn the_image_serves_the_api_page_example_on_the_port_it_is_given() {
    let image = image();
    let port = free_port();

    let server = image.serve(port);
    let (status, body) = blocking(async {
        let answer = reqwest::Client::new()
            .get(loopback_url(server.addr, "/api/transaction/click_detail"))
            .header("api-key", API_KEY)
            .header("api-username", "n4n_admin")
            .header("content-type", FORM)
            .body(format!("transaction_hash={EXAMPLE_CLICK}"))
            .send()
            .await
            .expect("request");
        (answer.status().as_u16(), answer.text().await.expect("body"))
    });

    assert_eq!(server.addr.port(), port, "{}", server.listening_line);
    assert!(
        server.addr.ip().is_unspecified(),
        "listens beyond the container's loopback: {}",
        server.listening_line
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(EXAMPLE_CLICK), "{body}");
}

#[test]
#[ignore = "builds the container image with podman and runs it under chroot (minutes, \
            needs root): run with `cargo test --test it image:: -- --ignored`, as .ci/run does"]
fn the_image_health_check_passes_on_a_non_default_port_and_fails_once_the_mock_stops() {
    let image = image();
    let port = free_port();
    let server = image.serve(port);

    let while_serving = image.health_check(port);
    server.signal("TERM");
    let (code, logs) = server.wait_exit(LIMIT);
    let once_stopped = image.health_check(port);

    assert_eq!(code, Some(0), "{logs}");
    assert!(while_serving.success(), "{while_serving} on port {port}");
    assert!(
        !once_stopped.success(),
        "passed with no mock: {once_stopped}"
    );
}

#[test]
#[ignore = "builds the container image with podman and runs it under chroot (minutes, \
            needs root): run with `cargo test --test it image:: -- --ignored`, as .ci/run does"]
fn the_image_holds_the_bundled_scenarios_and_serves_them() {
    let image = image();
    let port = free_port();

    let server = image.serve(port);
    let loaded: serde_json::Value = blocking(async {
        reqwest::Client::new()
            .get(loopback_url(server.addr, "/__mock/scenario"))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("JSON")
    });

    assert_eq!(
        file_names(&image.path("/scenarios")),
        file_names(&root().join("scenarios"))
    );
    assert_eq!(
        file_names(&image.path("/fixtures")),
        file_names(&root().join("fixtures"))
    );
    let served: Vec<&str> = loaded["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    for file in file_names(&root().join("scenarios")) {
        let name = file.trim_end_matches(".yaml");
        assert!(served.contains(&name), "{name} not served: {loaded}");
    }
}

#[test]
#[ignore = "builds the container image with podman and runs it under chroot (minutes, \
            needs root): run with `cargo test --test it image:: -- --ignored`, as .ci/run does"]
fn the_image_has_no_shell() {
    let image = image();

    for shell in ["/bin/sh", "/bin/bash", "/bin/busybox", "/usr/bin/sh"] {
        assert!(
            image.path(shell).symlink_metadata().is_err(),
            "{shell} in {}",
            image.reference
        );
    }
}

#[test]
#[ignore = "builds the container image with podman and runs it under chroot (minutes, \
            needs root): run with `cargo test --test it image:: -- --ignored`, as .ci/run does"]
fn the_image_is_at_most_25_mb() {
    let image = image();

    assert!(
        image.size <= MAX_IMAGE_BYTES,
        "{} is {} bytes",
        image.reference,
        image.size
    );
}

#[test]
#[ignore = "builds the container image with podman and runs it under chroot (minutes, \
            needs root): run with `cargo test --test it image:: -- --ignored`, as .ci/run does"]
fn the_image_runs_the_binary_as_a_non_root_user_listening_on_8080_for_others() {
    let image = image();

    let uid = image.user.split(':').next().unwrap_or_default();
    assert!(
        !uid.is_empty() && uid != "0" && uid != "root",
        "User is {:?}",
        image.user
    );
    assert_eq!(image.command.first().map(String::as_str), Some("/n4n-mock"));
    assert_eq!(image.exposed_ports, ["8080/tcp"]);
    for (name, value) in [
        ("N4N_MOCK_BIND", "0.0.0.0"),
        ("N4N_MOCK_PORT", "8080"),
        ("N4N_MOCK_SCENARIOS_DIR", "/scenarios"),
    ] {
        assert_eq!(
            image.env.get(name).map(String::as_str),
            Some(value),
            "{name}"
        );
    }
    assert_eq!(image.health_test[..2], ["CMD", "/n4n-mock"]);
    assert!(Path::new(&image.path("/n4n-mock")).is_file());
}
