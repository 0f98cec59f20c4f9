//! One throwaway PostgreSQL cluster per test run, started from the machine's
//! own `initdb` and `postgres`, and one fresh database per test.

use std::{
    io::Write,
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Mutex, OnceLock},
    time::{Duration, Instant},
};

use sqlx::{Connection, PgConnection};
use uuid::Uuid;

/// The role Easel connects as: an ordinary owner, neither superuser nor BYPASSRLS.
pub const APP_ROLE: &str = "easel_app";
const APP_PASSWORD: &str = "easel_app_password";
const ADMIN_ROLE: &str = "postgres";

pub struct Cluster {
    pub port: u16,
    /// Holds the pipe whose closing (when the test process exits) stops the server.
    _keeper: Mutex<Child>,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();

pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(start)
}

impl Cluster {
    pub fn admin_url(&self, database: &str) -> String {
        format!("postgres://{ADMIN_ROLE}@127.0.0.1:{}/{database}", self.port)
    }

    pub fn app_url(&self, database: &str) -> String {
        format!("postgres://{APP_ROLE}:{APP_PASSWORD}@127.0.0.1:{}/{database}", self.port)
    }

    /// A new, empty database owned by the app role.
    pub async fn create_database(&self) -> String {
        let name = format!("easel_test_{}", Uuid::new_v4().simple());
        let mut admin = connect_with_retry(&self.admin_url("postgres")).await;
        sqlx::query(&format!("CREATE DATABASE {name} OWNER {APP_ROLE}"))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        name
    }
}

/// `binary` from PATH, else from Debian's versioned folder (newest first).
fn find(binary: &str) -> PathBuf {
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| dirs.filter_map(|d| d.ok()).map(|d| d.path().join("bin")).collect())
        .unwrap_or_default();
    debian
        .sort_by_key(|p| std::cmp::Reverse(p.to_string_lossy().split('/').nth(4).and_then(|v| v.parse::<u32>().ok())));
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .chain(debian)
        .map(|dir| dir.join(binary))
        .find(|p| p.is_file());
    found.unwrap_or_else(|| {
        panic!(
            "`{binary}` is not on PATH. The tests need PostgreSQL's server binaries: \
             install them (Debian: `apt-get install postgresql`) and put their folder \
             (e.g. /usr/lib/postgresql/15/bin) on PATH."
        )
    })
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
}

/// PostgreSQL refuses to run as root; then everything runs as `postgres`.
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn start() -> Cluster {
    let initdb = find("initdb");
    let postgres = find("postgres");
    let dir = tempfile::Builder::new().prefix("easel-pg-").tempdir().expect("temp dir").keep();
    if is_root() {
        let ok = Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir).status().is_ok_and(|s| s.success());
        assert!(ok, "chown the PostgreSQL folder to the postgres user");
    }
    let data = dir.join("data");
    let out = as_server_user(&initdb)
        .args(["-D"])
        .arg(&data)
        .args(["-U", ADMIN_ROLE, "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"])
        .output()
        .expect("run initdb");
    assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));

    let port = free_port();
    // The shell keeps the server until its stdin closes, which happens when
    // this test process exits however it exits; then it stops the server and
    // removes the folder.
    let script = r#"
        "$1" -D "$2/data" -p "$3" -h 127.0.0.1 -k "$2" -F \
             -c max_connections=400 -c shared_buffers=64MB -c log_min_messages=warning \
             >"$2/server.log" 2>&1 &
        pid=$!
        cat >/dev/null
        kill -INT "$pid" 2>/dev/null
        wait "$pid"
        rm -rf "$2"
    "#;
    let mut keeper = as_server_user(Path::new("/bin/sh"))
        .args(["-c", script, "sh"])
        .arg(&postgres)
        .arg(&dir)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start postgres");
    wait_until_ready(port, &dir);
    if let Some(stdin) = keeper.stdin.as_mut() {
        let _ = stdin.flush();
    }
    let cluster = Cluster { port, _keeper: Mutex::new(keeper) };
    create_app_role(&cluster);
    cluster
}

fn wait_until_ready(port: u16, dir: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let ready = Command::new("pg_isready")
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-q"])
            .status()
            .map(|s| s.success())
            .unwrap_or_else(|_| std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
        if ready {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    panic!("PostgreSQL did not start within 60 s:\n{log}");
}

/// Runs on a thread of its own: the cluster starts from inside async tests.
fn create_app_role(cluster: &Cluster) {
    let url = cluster.admin_url("postgres");
    std::thread::scope(|s| {
        s.spawn(|| {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let mut admin = connect_with_retry(&url).await;
                let sql = format!(
                    "CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_PASSWORD}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
                );
                sqlx::query(&sql).execute(&mut admin).await.expect("create the app role");
            });
        })
        .join()
        .expect("role creation thread");
    });
}

async fn connect_with_retry(url: &str) -> PgConnection {
    let mut last_error = None;
    for _ in 0..100 {
        match PgConnection::connect(url).await {
            Ok(conn) => return conn,
            Err(e) => last_error = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot connect to the test PostgreSQL: {last_error:?}");
}
