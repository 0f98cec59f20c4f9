//! The test harness: the real app on 127.0.0.1:0 with a fresh database (on
//! SQLite or PostgreSQL) and a cookie-keeping client that reads the HTML.

pub mod art;
pub mod oauth;
mod placement;
pub mod postgres;
pub mod process;
pub mod purge;
pub mod s3;
pub mod services;
pub mod smtp;
pub mod stripe;

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use easel::{
    config::Config,
    db::{Databases, Db},
    web::rate_limit::RateLimiter,
};
use reqwest::{Method, cookie::Jar, header::HeaderMap, redirect::Policy};
use scraper::{Html, Selector};
use tempfile::TempDir;
use tokio::sync::oneshot;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates `mod <test> { sqlite, postgres }` for each `async fn <test>(Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::harness::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::harness::Backend::Postgres).await
                }
            }
        )*
    };
}

pub struct TestApp {
    pub addr: SocketAddr,
    /// The app's store (disk or S3).
    pub storage: easel::storage::Storage,
    /// Where the stored files are as files: the uploads folder, or the S3
    /// server's folder for this test's prefix.
    uploads_root: std::path::PathBuf,
    /// Set for S3: the variables that point the app at it (kept for restarts).
    storage_env: Vec<(String, String)>,
    /// The app's sign-in rate limiter, to check how much it remembers.
    pub rate_limiter: Arc<RateLimiter>,
    pub database_url: String,
    /// The app's own pool.
    pub db: Db,
    /// Every database of the app (on PostgreSQL, `main` and `second`).
    pub databases: Databases,
    /// For looking behind the app's back: on PostgreSQL a superuser, whom
    /// row-level security does not hide anything from.
    inspector: Db,
    /// The same in the second database (PostgreSQL only), where every
    /// second workspace of a test lives: see `second_database`.
    second: Option<Db>,
    /// The app's settings of where workspaces live, kept across restarts.
    placement: easel::config::Placement,
    pub dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<()>>,
}

/// What a started app hands back to its `TestApp`.
struct Started {
    addr: SocketAddr,
    db: Db,
    databases: Databases,
    limiter: Arc<RateLimiter>,
    shutdown: oneshot::Sender<()>,
    served: tokio::task::JoinHandle<()>,
    storage: easel::storage::Storage,
}

/// Prepares and launches the app on a fresh loopback port.
async fn start(
    dir: &TempDir,
    database_url: &str,
    placement: &easel::config::Placement,
    storage_env: &[(String, String)],
    tweak: impl FnOnce(&mut Config),
) -> Started {
    let mut vars = HashMap::from([
        ("DATABASE_URL".to_owned(), database_url.to_owned()),
        ("EASEL_DATA_DIR".to_owned(), dir.path().join("data").display().to_string()),
        ("EASEL_UPLOADS_DIR".to_owned(), dir.path().join("uploads").display().to_string()),
        // The stand-ins of OpenAI answer on 127.0.0.1, as a local model would;
        // the tests of the outbound guard take this allowance away.
        ("EASEL_OUTBOUND_ALLOW".to_owned(), "127.0.0.1".to_owned()),
        // Nothing is in flight when a test app starts: sweep leftovers at once.
        ("EASEL_SWEEP_GRACE".to_owned(), "0s".to_owned()),
    ]);
    vars.extend(storage_env.iter().cloned());
    let mut config = Config::from_lookup(|k| vars.get(k).cloned()).expect("test configuration");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    config.bind = addr;
    config.base_url = format!("http://{addr}").parse().expect("base url");
    config.placement = placement.clone();
    tweak(&mut config);
    let state = easel::prepare(config).await.expect("prepare the app");
    let (db, databases) = (state.db.clone(), state.databases.clone());
    let limiter = state.rate_limiter.clone();
    let storage = state.storage.clone();
    let (tx, rx) = oneshot::channel::<()>();
    let served = tokio::spawn(async move {
        let shutdown = async {
            let _ = rx.await;
        };
        easel::launch(listener, state, shutdown).await.expect("serve");
    });
    answering(addr).await;
    Started { addr, db, databases, limiter, shutdown: tx, served, storage }
}

/// Waits for the first answer: `launch` sweeps the store and tidies exports
/// before it serves, and a test racing that sweep (grace 0 here) would see
/// its own fresh files swept. The listener is bound, so the request waits
/// in the backlog; a server that failed to start refuses it instead.
async fn answering(addr: std::net::SocketAddr) {
    let client = reqwest::Client::new();
    let asked = client.get(format!("http://{addr}/healthz")).send();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(120), asked).await;
}

/// Everything every app in this test binary has logged.
static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// The server logs so far, of every test in this binary.
pub fn logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
}

/// Server logs go to `LOGS`, where tests look for things that must never be
/// logged, and to stdout when `EASEL_TEST_LOGS` is set.
fn capture_logs() {
    struct Tee;
    impl std::io::Write for Tee {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            LOGS.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
            if std::env::var_os("EASEL_TEST_LOGS").is_some() {
                print!("{}", String::from_utf8_lossy(buf));
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter("easel=debug,tower_http=debug")
        .with_ansi(false)
        .with_writer(|| Tee)
        .try_init();
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts the app after `tweak` has adjusted its configuration.
    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Self {
        if s3::wanted() {
            let server = s3::shared();
            let prefix = uuid::Uuid::now_v7().to_string();
            Self::spawn_on_store(backend, server.env(&prefix), Some(server.folder(&prefix)), tweak).await
        } else {
            Self::spawn_on_store(backend, Vec::new(), None, tweak).await
        }
    }

    /// Starts the app with `storage_env` (empty: the uploads folder) whose
    /// objects are the files under `uploads_root`.
    pub async fn spawn_on_store(
        backend: Backend,
        storage_env: Vec<(String, String)>,
        uploads_root: Option<std::path::PathBuf>,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        capture_logs();
        let dir = tempfile::Builder::new().prefix("easel-test-").tempdir().expect("temp dir");
        let (database_url, inspector_url) = match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("easel.db").display());
                (url.clone(), url)
            }
            Backend::Postgres => {
                let cluster = postgres::cluster();
                let database = cluster.create_database().await;
                (cluster.app_url(&database), cluster.admin_url(&database))
            }
        };
        let (placement, second) = match backend {
            Backend::Sqlite => (easel::config::Placement::default(), None),
            Backend::Postgres => placement::second_database().await,
        };
        let inspector = Db::connect(&inspector_url).await.expect("inspector connection");
        let uploads_root = uploads_root.unwrap_or_else(|| dir.path().join("uploads"));
        let started = start(&dir, &database_url, &placement, &storage_env, tweak).await;
        Self {
            addr: started.addr,
            storage: started.storage,
            uploads_root,
            storage_env,
            rate_limiter: started.limiter,
            database_url,
            db: started.db,
            databases: started.databases,
            inspector,
            second,
            placement,
            dir,
            shutdown: Some(started.shutdown),
            served: Some(started.served),
        }
    }

    /// Stops the app (as a restart would: work in flight is cut off) and
    /// starts it again on the same database and folders.
    pub async fn restart_with(&mut self, tweak: impl FnOnce(&mut Config)) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(served) = self.served.take() {
            let _ = served.await;
        }
        let started = start(&self.dir, &self.database_url, &self.placement, &self.storage_env, tweak).await;
        (self.addr, self.db, self.databases) = (started.addr, started.db, started.databases);
        (self.rate_limiter, self.storage) = (started.limiter, started.storage);
        (self.shutdown, self.served) = (Some(started.shutdown), Some(started.served));
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn uploads(&self) -> std::path::PathBuf {
        self.uploads_root.clone()
    }

    pub fn on_s3(&self) -> bool {
        !self.storage_env.is_empty()
    }

    /// Every file under a workspace's folder, as `folder/name`, sorted.
    pub fn files_of(&self, workspace: &str) -> Vec<String> {
        let root = self.uploads().join(workspace);
        let mut found = Vec::new();
        // With S3, temporary files stay on the app's machine, in its data folder.
        let local_tmp = self.dir.path().join("data/storage-tmp").join(workspace);
        let folders =
            [("originals", root.join("originals")), ("large", root.join("large")), ("thumbs", root.join("thumbs"))];
        let tmp = [("tmp", root.join("tmp")), ("tmp", local_tmp)];
        for (folder, path) in folders.iter().chain(tmp.iter()) {
            if let Ok(entries) = std::fs::read_dir(path) {
                for entry in entries.flatten() {
                    found.push(format!("{folder}/{}", entry.file_name().to_string_lossy()));
                }
            }
        }
        found.sort();
        found
    }

    pub fn client(&self) -> Client {
        Client::new(self.url(""))
    }

    /// A person who signed up (and so owns "<name>'s studio", now active)
    /// and confirmed their address with the link mailed to them, as people do
    /// (with mail going over SMTP, the address stays unconfirmed).
    pub async fn signed_up(&self, name: &str, email: &str) -> Client {
        let client = self.signed_up_unconfirmed(name, email).await;
        if self.outbox().exists() {
            self.confirm_email(&client, email).await;
        }
        client
    }

    /// A person who signed up and never followed the mailed link.
    pub async fn signed_up_unconfirmed(&self, name: &str, email: &str) -> Client {
        let client = self.client();
        client.get("/signup").await.assert_status(200);
        let page =
            client.post("/signup", &[("name", name), ("email", email), ("password", "correct horse battery")]).await;
        assert_eq!(page.status, 303, "signup should redirect: {}", page.body);
        client.get("/").await.assert_status(200);
        client
    }

    /// Follows the newest confirmation link mailed to `email`, signed in as `client`.
    pub async fn confirm_email(&self, client: &Client, email: &str) {
        let link = self.mailed_link(email, "/verify/").await;
        client.get(&link).await.assert_status(200);
        client.post(&link, &[]).await.assert_redirect("/");
    }

    /// Where mail goes without SMTP.
    pub fn outbox(&self) -> std::path::PathBuf {
        self.dir.path().join("data/outbox")
    }

    /// Every mail in the outbox to `email`, oldest first, with quoted-printable
    /// line breaks undone.
    pub fn mails_to(&self, email: &str) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.outbox()) else { return Vec::new() };
        let mut mails: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        mails.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        let to = format!("to: {}", email.trim().to_lowercase());
        mails
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .map(|text| text.replace("=\r\n", "").replace("=\n", ""))
            .filter(|text| text.lines().any(|l| l.trim().to_lowercase() == to))
            .collect()
    }

    /// The path and token of the newest link under `prefix` mailed to `email`.
    pub async fn mailed_link(&self, email: &str, prefix: &str) -> String {
        self.mailed_links(email, prefix, 1).await.pop().expect("a link")
    }

    /// Every link under `prefix` mailed to `email` (path and token), oldest
    /// first, once there are at least `count`: mail sent in the background
    /// is waited for, with a bounded number of looks.
    pub async fn mailed_links(&self, email: &str, prefix: &str, count: usize) -> Vec<String> {
        for _ in 0..400 {
            let links: Vec<String> = self
                .mails_to(email)
                .iter()
                .filter_map(|text| text.find(prefix).map(|at| text[at..at + prefix.len() + 43].to_owned()))
                .collect();
            if links.len() >= count {
                return links;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("fewer than {count} mails to {email} with a {prefix} link")
    }

    /// Counts rows, in every workspace, with a query that takes no parameters
    /// (in both databases when it reads a workspace's own tables).
    pub async fn count(&self, sql: &str) -> i64 {
        let mut total = 0;
        for (i, db) in self.inspectors(sql).into_iter().enumerate() {
            // A figure read without COUNT (one workspace's row) is in one
            // database only: the main one must have it, the second may not.
            // (A SUM over no rows is NULL there.)
            let found = match db {
                Db::Sqlite(pool) => sqlx::query_scalar::<_, Option<i64>>(sql).fetch_optional(pool).await,
                Db::Postgres(pool) => sqlx::query_scalar::<_, Option<i64>>(sql).fetch_optional(pool).await,
            }
            .expect("count");
            total +=
                if i == 0 { found.expect("count: no row").expect("count: NULL") } else { found.flatten().unwrap_or(0) };
        }
        total
    }
}

impl TestApp {
    /// Puts the person with `email` into a workspace with `role`, behind the app's back.
    pub async fn add_member(&self, workspace_id: &str, email: &str, role: &str) {
        let sql = "INSERT INTO memberships (workspace_id, user_id, role, created_at) \
                   SELECT $1, id, $2, $3 FROM users WHERE email = $4";
        let id = uuid::Uuid::parse_str(workspace_id).expect("workspace id");
        let now = time::OffsetDateTime::now_utc();
        let done = match &self.db {
            Db::Sqlite(p) => {
                sqlx::query(sql).bind(id).bind(role).bind(now).bind(email).execute(p).await.map(|r| r.rows_affected())
            }
            Db::Postgres(p) => {
                sqlx::query(sql).bind(id).bind(role).bind(now).bind(email).execute(p).await.map(|r| r.rows_affected())
            }
        };
        assert_eq!(done.expect("add member"), 1);
    }

    /// Deletes a membership behind the app's back.
    pub async fn remove_member(&self, workspace_id: &str, email: &str) {
        let sql =
            "DELETE FROM memberships WHERE workspace_id = $1 AND user_id = (SELECT id FROM users WHERE email = $2)";
        let id = uuid::Uuid::parse_str(workspace_id).expect("workspace id");
        let done = match &self.db {
            Db::Sqlite(p) => sqlx::query(sql).bind(id).bind(email).execute(p).await.map(|r| r.rows_affected()),
            Db::Postgres(p) => sqlx::query(sql).bind(id).bind(email).execute(p).await.map(|r| r.rows_affected()),
        };
        assert_eq!(done.expect("remove member"), 1);
    }
}

impl TestApp {
    /// A UUID as a literal of this backend's SQL.
    pub fn uuid_literal(&self, id: &str) -> String {
        match &self.db {
            Db::Sqlite(_) => format!("X'{}'", id.replace('-', "")),
            Db::Postgres(_) => format!("'{id}'::uuid"),
        }
    }

    /// The first column, as text, of every row (in every workspace; the
    /// main database's rows first).
    pub async fn strings(&self, sql: &str) -> Vec<String> {
        let mut all = Vec::new();
        for db in self.inspectors(sql) {
            all.extend(match db {
                Db::Sqlite(p) => sqlx::query_scalar::<_, String>(sql).fetch_all(p).await.expect("strings"),
                Db::Postgres(p) => sqlx::query_scalar::<_, String>(sql).fetch_all(p).await.expect("strings"),
            });
        }
        all
    }

    /// Runs a statement with the inspector's rights in each database it
    /// concerns: the rows it touched in all, or the error when every one of
    /// them refused it (a row of one workspace breaks the other database's
    /// foreign keys, where that workspace does not live).
    pub async fn try_execute(&self, sql: &str) -> Result<u64, sqlx::Error> {
        let (mut total, mut worked, mut error) = (0, false, None);
        for db in self.inspectors(sql) {
            let done = match db {
                Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
                Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|r| r.rows_affected()),
            };
            match done {
                Ok(n) => (total, worked) = (total + n, true),
                Err(e) => error = Some(e),
            }
        }
        match error {
            Some(e) if !worked => Err(e),
            _ => Ok(total),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A browser stand-in: keeps cookies, does not follow redirects, and
/// remembers the form guards of the last page it read.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    pub jar: Arc<Jar>,
    guards: Arc<Mutex<Guards>>,
}

#[derive(Default, Clone, Debug)]
pub struct Guards {
    pub csrf_token: String,
    pub page_workspace: String,
}

pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Client {
    pub fn new(base: String) -> Self {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .redirect(Policy::none())
            .cookie_provider(jar.clone())
            .build()
            .expect("http client");
        Self { http, base, jar, guards: Arc::default() }
    }

    /// The same person (cookies and form guards) talking to the server at
    /// `base`: several instances behind one load balancer.
    pub fn at(&self, base: String) -> Self {
        Self { http: self.http.clone(), base, jar: self.jar.clone(), guards: self.guards.clone() }
    }

    pub fn guards(&self) -> Guards {
        self.guards.lock().expect("guards").clone()
    }

    pub async fn get(&self, path: &str) -> Page {
        self.send(Method::GET, path, None, &[]).await
    }

    /// A form post carrying the guards of the last page read, as a browser would.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let guards = self.guards();
        let mut all: Vec<(&str, &str)> =
            vec![("csrf_token", &guards.csrf_token), ("page_workspace", &guards.page_workspace)];
        all.extend_from_slice(fields);
        self.post_exactly(path, &all, &[]).await
    }

    /// A form post with exactly these fields and extra headers.
    pub async fn post_exactly(&self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Page {
        self.send(Method::POST, path, Some(fields), headers).await
    }

    /// A multipart upload laid out like the plain HTML form: the guards
    /// first, then each file as a `files` part.
    pub async fn upload(&self, path: &str, files: &[(&str, Vec<u8>)]) -> Page {
        self.upload_as(path, "files", files).await
    }

    /// The same, with the files in parts named `field`.
    pub async fn upload_as(&self, path: &str, field: &str, files: &[(&str, Vec<u8>)]) -> Page {
        let guards = self.guards();
        let mut form = reqwest::multipart::Form::new()
            .text("csrf_token", guards.csrf_token)
            .text("page_workspace", guards.page_workspace);
        for (name, bytes) in files {
            form =
                form.part(field.to_owned(), reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()));
        }
        let response = self.http.post(format!("{}{}", self.base, path)).multipart(form).send().await.expect("upload");
        Self::read(response).await
    }

    /// A multipart form like the plain HTML one: the guards, then `fields`,
    /// then one file in a part named `field`.
    pub async fn upload_form(&self, path: &str, fields: &[(&str, &str)], field: &str, file: (&str, Vec<u8>)) -> Page {
        let guards = self.guards();
        let mut form = reqwest::multipart::Form::new()
            .text("csrf_token", guards.csrf_token)
            .text("page_workspace", guards.page_workspace);
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        let part = reqwest::multipart::Part::bytes(file.1).file_name(file.0.to_owned());
        form = form.part(field.to_owned(), part);
        let response = self.http.post(format!("{}{}", self.base, path)).multipart(form).send().await.expect("upload");
        Self::read(response).await
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
        headers: &[(&str, &str)],
    ) -> Page {
        let mut request = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(fields) = form {
            request = request.form(fields);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("request");
        let page = Self::read(response).await;
        if let Some(guards) = page.guards() {
            *self.guards.lock().expect("guards") = guards;
        }
        page
    }

    async fn read(response: reqwest::Response) -> Page {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body").to_vec();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Page { status, headers, body, bytes }
    }
}

impl Page {
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "unexpected status; body:\n{}", self.body);
        self
    }

    pub fn header(&self, name: &str) -> String {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
    }

    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }

    pub fn assert_redirect(&self, to: &str) -> &Self {
        assert!(matches!(self.status, 302 | 303), "expected a redirect, got {}: {}", self.status, self.body);
        assert_eq!(self.location(), Some(to));
        self
    }

    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The text of every element matching `css`, trimmed.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let selector = Selector::parse(css).expect("selector");
        self.html()
            .select(&selector)
            .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    pub fn text(&self, css: &str) -> String {
        self.texts(css).into_iter().next().unwrap_or_else(|| panic!("no {css} in:\n{}", self.body))
    }

    /// The `attr` of every element matching `css`.
    pub fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        let selector = Selector::parse(css).expect("selector");
        self.html().select(&selector).filter_map(|e| e.value().attr(attr).map(str::to_owned)).collect()
    }

    /// The hidden fields of the form matching `form`, without the guards
    /// (the client adds its own), to submit exactly what the page carries.
    pub fn hidden_fields(&self, form: &str) -> Vec<(String, String)> {
        let selector = Selector::parse(&format!("{form} input[type=hidden]")).expect("selector");
        self.html()
            .select(&selector)
            .filter_map(|i| Some((i.value().attr("name")?.to_owned(), i.value().attr("value")?.to_owned())))
            .filter(|(k, _)| k != "csrf_token" && k != "page_workspace")
            .collect()
    }

    fn guards(&self) -> Option<Guards> {
        if !self.headers.get("content-type")?.to_str().ok()?.starts_with("text/html") {
            return None;
        }
        // Every full page carries its guards in `hx-headers` on <body>.
        let json = self.attrs("body", "hx-headers").into_iter().next()?;
        let headers: serde_json::Value = serde_json::from_str(&json).ok()?;
        Some(Guards {
            csrf_token: headers["x-csrf-token"].as_str().filter(|t| !t.is_empty())?.to_owned(),
            page_workspace: headers["x-easel-workspace"].as_str().unwrap_or_default().to_owned(),
        })
    }
}

/// A complete settings form with these two fields and defaults for the rest.
pub fn settings<'a>(display_name: &'a str, time_zone: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("display_name", display_name),
        ("time_zone", time_zone),
        ("instagram_hashtag_count", "20"),
        ("pinterest_hashtag_count", "5"),
        ("posting_times", "09:00"),
    ]
}

impl TestApp {
    /// A browser stand-in that reaches this app as `http://{host}:{port}`
    /// (resolved to the app on 127.0.0.1), e.g. at a workspace's own
    /// address; with cookies of its own, kept per host as a browser does.
    pub fn client_at(&self, host: &str) -> Client {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .redirect(Policy::none())
            .cookie_provider(jar.clone())
            .resolve(host, self.addr)
            .build()
            .expect("http client");
        Client { http, base: format!("http://{host}:{}", self.addr.port()), jar, guards: Arc::default() }
    }
}
