//! Easel as a real process, for the fault tests: the `easel` binary started
//! with its own environment (optionally behind a wrapper such as `unshare`),
//! killed or stopped by signal, and always killed when dropped; a throwaway
//! PostgreSQL cluster that can be stopped and started again; and a raw
//! HTTP/1.1 client that sends a request body slowly.

use std::{
    ffi::OsString,
    io::{BufRead, BufReader, Write},
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio},
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use reqwest::cookie::CookieStore;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use super::Client;

/// A loopback address with a port that was free a moment ago.
pub fn free_addr() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port")
}

pub fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
}

/// How many servers this test binary has started (names their log files).
static STARTED: AtomicUsize = AtomicUsize::new(0);

/// A running `easel serve`, killed (SIGKILL) when dropped if still running.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    /// Starts Easel on a fresh loopback port with its files under `dir`
    /// (`dir/data`, `dir/uploads`) and waits until `/healthz` answers 200.
    pub async fn start(dir: &Path, database_url: &str) -> Self {
        Self::start_wrapped(dir, database_url, &[]).await
    }

    /// The same, with the binary run by `wrapper` (a command line that ends
    /// where the path of the `easel` binary is appended, and that must `exec`
    /// it so that the process started is Easel itself).
    pub async fn start_wrapped(dir: &Path, database_url: &str, wrapper: &[OsString]) -> Self {
        Self::started(|| Self::spawn_wrapped(dir, database_url, wrapper)).await
    }

    /// Starts Easel with extra variables (S3 storage, a sweep grace) and
    /// waits until it is healthy.
    pub async fn start_with_env(dir: &Path, database_url: &str, env: &[(String, String)]) -> Self {
        Self::started(|| Self::spawn_with_env(dir, database_url, &[], env)).await
    }

    /// The first of a few tries that serves: the port `free_addr` found can
    /// be taken by another test between choosing it and Easel binding it.
    async fn started(spawn: impl Fn() -> Self) -> Self {
        for _ in 0..5 {
            let mut server = spawn();
            match server.healthy().await {
                Ok(()) => return server,
                Err(why) if why.contains("Address already in use") => continue,
                Err(why) => panic!("{why}"),
            }
        }
        panic!("easel found no free port in five tries");
    }

    /// Starts the process without waiting for it.
    pub fn spawn_wrapped(dir: &Path, database_url: &str, wrapper: &[OsString]) -> Self {
        Self::spawn_with_env(dir, database_url, wrapper, &[])
    }

    /// Starts the process, with extra variables, without waiting for it.
    pub fn spawn_with_env(dir: &Path, database_url: &str, wrapper: &[OsString], env: &[(String, String)]) -> Self {
        let addr = free_addr();
        let n = STARTED.fetch_add(1, Ordering::SeqCst);
        let log = dir.join(format!("easel-{n}.log"));
        let log_file = std::fs::File::create(&log).expect("server log file");
        let binary = env!("CARGO_BIN_EXE_easel");
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        // Nothing from the test's own environment (or a `.env` in the
        // project folder) may reach the server.
        command
            .env_clear()
            .current_dir(dir)
            .env("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()))
            .env("DATABASE_URL", database_url)
            .env("EASEL_BIND", addr.to_string())
            .env("EASEL_DATA_DIR", dir.join("data"))
            .env("EASEL_UPLOADS_DIR", dir.join("uploads"))
            .env("RUST_LOG", "easel=info,tower_http=warn")
            .env("NO_COLOR", "1")
            // Nothing is in flight when a test server starts: leftovers go at once.
            .env("EASEL_SWEEP_GRACE", "0s")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log file"))
            .stderr(log_file);
        let child = command.spawn().expect("start easel");
        Self { child, addr, log }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server has logged so far (stdout and stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The exit status, if the process has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("poll the server process")
    }

    /// Polls `/healthz` until it answers 200 (at most 60 s); `Err` with the
    /// server's log if the process exits first or never gets there.
    async fn healthy(&mut self) -> Result<(), String> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("http client");
        for _ in 0..600 {
            if let Some(status) = self.exited() {
                return Err(format!("easel exited ({status}) before it served:\n{}", self.log()));
            }
            if let Ok(response) = http.get(self.url("/healthz")).send().await
                && response.status() == 200
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("easel did not become healthy within 60 s:\n{}", self.log()))
    }

    /// SIGKILL, then reaps the process.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, the way a service manager stops Easel.
    pub fn terminate(&self) {
        let sent = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().is_ok_and(|s| s.success());
        assert!(sent, "send SIGTERM to easel");
    }

    /// Waits (at most `limit`) for the process to exit on its own.
    pub async fn wait_for_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let rounds = (limit.as_millis() / 50).max(1);
        for _ in 0..rounds {
            if let Some(status) = self.exited() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.exited()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(Some(_))) {
            self.kill();
        }
    }
}

/// A new client with `client`'s session (cookies are not tied to a port, and
/// sessions live in the database, so a restarted server knows them).
pub fn with_session_of(client: &Client, base: String) -> Client {
    let fresh = Client::new(base.clone());
    let url: reqwest::Url = base.parse().expect("base url");
    if let Some(cookies) = client.jar.cookies(&url) {
        for cookie in cookies.to_str().expect("cookie header").split("; ") {
            fresh.jar.add_cookie_str(cookie, &url);
        }
    }
    fresh
}

/// The `Cookie` header `client` would send to `base`.
pub fn cookie_header(client: &Client, base: &str) -> String {
    let url: reqwest::Url = base.parse().expect("base url");
    client.jar.cookies(&url).and_then(|v| v.to_str().ok().map(str::to_owned)).unwrap_or_default()
}

/// Signs a new person up on the server at `base`; their studio is active.
pub async fn sign_up(base: String, name: &str, email: &str) -> Client {
    let client = Client::new(base);
    client.get("/signup").await.assert_status(200);
    let page = client.post("/signup", &[("name", name), ("email", email), ("password", "correct horse battery")]).await;
    assert_eq!(page.status, 303, "signup should redirect: {}", page.body);
    client.get("/images").await.assert_status(200);
    client
}

/// A response read off a raw connection.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub body: String,
}

/// A multipart upload of `files` to `/images`, with the form guards of
/// `client`'s last page in headers, as the uploader script sends them.
pub struct RawUpload {
    pub head: Vec<u8>,
    pub body: Vec<u8>,
}

impl RawUpload {
    pub fn new(client: &Client, base: &str, files: &[(&str, &[u8])]) -> Self {
        let boundary = format!("easel-fault-{}", uuid::Uuid::new_v4().simple());
        let mut body = Vec::new();
        for (name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let guards = client.guards();
        let host = base.trim_start_matches("http://").trim_end_matches('/');
        let head = format!(
            "POST /images HTTP/1.1\r\nHost: {host}\r\nCookie: {}\r\nx-csrf-token: {}\r\n\
             x-easel-workspace: {}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            cookie_header(client, base),
            guards.csrf_token,
            guards.page_workspace,
            body.len()
        );
        Self { head: head.into_bytes(), body }
    }

    /// Sends the request over a new connection, the body in `pieces` pieces
    /// `pause` apart, telling `progress` how many pieces have gone; then
    /// reads the whole response. Gives up (with an error) after 120 s.
    pub async fn send_slowly(
        &self,
        addr: SocketAddr,
        pieces: usize,
        pause: Duration,
        progress: Option<tokio::sync::watch::Sender<usize>>,
    ) -> std::io::Result<RawResponse> {
        let exchange = async {
            let mut stream = TcpStream::connect(addr).await?;
            stream.write_all(&self.head).await?;
            let size = self.body.len().div_ceil(pieces.max(1)).max(1);
            for (n, piece) in self.body.chunks(size).enumerate() {
                if n > 0 {
                    tokio::time::sleep(pause).await;
                }
                stream.write_all(piece).await?;
                stream.flush().await?;
                if let Some(progress) = &progress {
                    let _ = progress.send(n + 1);
                }
            }
            let mut raw = Vec::new();
            stream.read_to_end(&mut raw).await?;
            parse_response(&raw)
        };
        tokio::time::timeout(Duration::from_secs(120), exchange)
            .await
            .unwrap_or_else(|_| Err(std::io::Error::other("no response within 120 s")))
    }
}

fn parse_response(raw: &[u8]) -> std::io::Result<RawResponse> {
    let bad = |why: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_owned());
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| bad("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| bad("no status line"))?;
    let mut body = raw[split + 4..].to_vec();
    if head.lines().any(|l| l.to_ascii_lowercase().starts_with("transfer-encoding: chunked")) {
        body = dechunk(&body).ok_or_else(|| bad("broken chunked body"))?;
    }
    Ok(RawResponse { status, body: String::from_utf8_lossy(&body).into_owned() })
}

fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&raw[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}

/// A PostgreSQL cluster of one test's own, which the test may stop and
/// start again (the shared cluster of `postgres.rs` must never be touched).
///
/// A shell owns it: it reads `stop` and `start` on its stdin and answers
/// with a line each; when its stdin closes (the test dropped this, or the
/// test process died however it died) it stops the server at once and
/// removes the folder.
pub struct Postgres {
    pub port: u16,
    keeper: Child,
    commands: Option<ChildStdin>,
    answers: BufReader<ChildStdout>,
    dir: PathBuf,
}

const PG_KEEPER: &str = r#"
    pg_ctl=$1 dir=$2 port=$3
    start() {
        "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port -h 127.0.0.1 -k $dir -F -c log_min_messages=warning" start >/dev/null 2>&1
    }
    stop() { "$pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1; }
    start; echo "start $?"
    while read -r command; do
        case "$command" in
            start) start; echo "start $?" ;;
            stop) stop; echo "stop $?" ;;
        esac
    done
    "$pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1
    rm -rf "$dir"
"#;

impl Postgres {
    /// Makes a cluster (trust authentication, superuser `postgres`) and
    /// starts it on a free port. Blocking: call it from `block_in_place`.
    pub fn start() -> Self {
        let initdb = find("initdb");
        let pg_ctl = find("pg_ctl");
        let dir = tempfile::Builder::new().prefix("easel-fault-pg-").tempdir().expect("temp dir").keep();
        if is_root() {
            let ok =
                Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir).status().is_ok_and(|s| s.success());
            assert!(ok, "chown the PostgreSQL folder to the postgres user");
        }
        let out = as_server_user(&initdb)
            .arg("-D")
            .arg(dir.join("data"))
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"])
            .output()
            .expect("run initdb");
        if !out.status.success() {
            let _ = std::fs::remove_dir_all(&dir);
            panic!("initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let port = free_addr().port();
        let mut keeper = as_server_user(Path::new("/bin/sh"))
            .args(["-c", PG_KEEPER, "sh"])
            .arg(&pg_ctl)
            .arg(&dir)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the PostgreSQL keeper");
        let commands = keeper.stdin.take();
        let answers = BufReader::new(keeper.stdout.take().expect("keeper stdout"));
        let mut cluster = Self { port, keeper, commands, answers, dir };
        cluster.expect_answer("start");
        cluster
    }

    pub fn url(&self, role: &str, password: &str, database: &str) -> String {
        format!("postgres://{role}:{password}@127.0.0.1:{}/{database}", self.port)
    }

    /// Fast shutdown (every connection is cut), waiting until it is down.
    pub fn stop(&mut self) {
        self.command("stop");
    }

    /// Starts it again, waiting until it accepts connections.
    pub fn start_again(&mut self) {
        self.command("start");
    }

    fn command(&mut self, command: &str) {
        let stdin = self.commands.as_mut().expect("keeper stdin");
        writeln!(stdin, "{command}").and_then(|()| stdin.flush()).expect("tell the keeper");
        self.expect_answer(command);
    }

    fn expect_answer(&mut self, command: &str) {
        let mut line = String::new();
        self.answers.read_line(&mut line).expect("keeper answer");
        if line.trim() != format!("{command} 0") {
            let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
            panic!("PostgreSQL `{command}` failed ({}):\n{log}", line.trim());
        }
    }
}

/// `binary` from PATH, else from Debian's versioned folders.
fn find(binary: &str) -> PathBuf {
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| dirs.filter_map(|d| d.ok()).map(|d| d.path().join("bin")).collect())
        .unwrap_or_default();
    debian.sort_by_key(|p| std::cmp::Reverse(p.parent().and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())));
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(debian)
        .map(|dir| dir.join(binary))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("`{binary}` is not on PATH (install PostgreSQL's server binaries)"))
}

/// PostgreSQL refuses to run as root; then it runs as `postgres`.
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // Closing stdin makes the keeper stop the server and clean up.
        self.commands.take();
        for _ in 0..600 {
            if matches!(self.keeper.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.keeper.kill();
        let _ = self.keeper.wait();
    }
}
