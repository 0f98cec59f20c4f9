//! The `easel` binary that `cargo test` builds anyway (one compile shared
//! with the integration tests), on a free loopback port with its own
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

impl Server {
    /// Starts Easel on SQLite with `vars` added to its environment.
    pub async fn start(vars: &[(&str, String)]) -> anyhow::Result<Self> {
        let binary = PathBuf::from(env!("CARGO_BIN_EXE_easel"));
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
