//! The release binary of Easel, on a free loopback port with its own
//! throwaway data, stopped when dropped.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use anyhow::{Context, bail};

pub struct Server {
    child: Child,
    pub base: String,
    pub dir: tempfile::TempDir,
}

/// Builds (or finds up to date) `target/release/easel`.
fn release_binary() -> anyhow::Result<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--bin", "easel"])
        .current_dir(&root)
        .status()
        .context("running cargo build --release")?;
    if !status.success() {
        bail!("cargo build --release failed");
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    Ok(target.join("release").join("easel"))
}

impl Server {
    /// Starts Easel on SQLite with `vars` added to its environment.
    pub async fn start(vars: &[(&str, String)]) -> anyhow::Result<Self> {
        let binary = release_binary()?;
        let dir = tempfile::Builder::new().prefix("easel-e2e-").tempdir()?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let base = format!("http://127.0.0.1:{port}");
        let log = std::fs::File::create(dir.path().join("server.log"))?;
        let mut command = Command::new(&binary);
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("EASEL_BIND", format!("127.0.0.1:{port}"))
            .env("EASEL_DATA_DIR", dir.path().join("data"))
            .env("EASEL_UPLOADS_DIR", dir.path().join("uploads"))
            .env("RUST_LOG", "easel=info")
            // The stand-in OpenAI server answers on 127.0.0.1.
            .env("EASEL_OUTBOUND_ALLOW", "127.0.0.1")
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log));
        for (name, value) in vars {
            command.env(name, value);
        }
        let child = command.spawn().with_context(|| format!("starting {}", binary.display()))?;
        let server = Self { child, base, dir };
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(answer) = http.get(format!("{}/healthz", server.base)).send().await
                && answer.status().is_success()
            {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("Easel did not come up on {}", server.base)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
