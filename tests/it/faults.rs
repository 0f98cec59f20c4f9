//! Fault tests: Easel as a real process, killed in the middle of uploads,
//! cut off from PostgreSQL, writing to a full disk, and stopped by SIGTERM
//! during a slow request. Everything runs on 127.0.0.1, every wait is
//! bounded, and every process a test starts is killed by its guard's `Drop`
//! when the test ends, passing or failing.

use std::{
    collections::{HashMap, HashSet},
    ffi::OsString,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use easel::db::Db;
use rand::{Rng, SeedableRng, rngs::StdRng};
use sha2::{Digest, Sha256};
use sqlx::Connection;
use tempfile::TempDir;
use uuid::Uuid;

use crate::{
    harness::{
        Backend, Client, art, postgres,
        process::{Postgres, RawUpload, Server, is_root, sign_up, with_session_of},
    },
    on_both_backends,
};

on_both_backends!(
    sigkill_during_uploads_leaves_no_partial_file_and_no_orphan,
    a_full_uploads_disk_refuses_clearly_and_reads_go_on,
);

fn temp_dir(prefix: &str) -> TempDir {
    tempfile::Builder::new().prefix(prefix).tempdir().expect("temp dir")
}

/// The server's database URL and the URL of a connection that sees every row.
pub async fn database_for(backend: Backend, dir: &Path) -> (String, String) {
    match backend {
        Backend::Sqlite => {
            let url = format!("sqlite://{}", dir.join("easel.db").display());
            (url.clone(), url)
        }
        Backend::Postgres => {
            let cluster = postgres::cluster();
            let database = cluster.create_database().await;
            (cluster.app_url(&database), cluster.admin_url(&database))
        }
    }
}

/// Ids of the images a results page says were added.
fn added_ids(html: &str) -> Vec<Uuid> {
    let selector = scraper::Selector::parse(".upload-added a").expect("selector");
    scraper::Html::parse_document(html)
        .select(&selector)
        .filter_map(|a| a.value().attr("href"))
        .filter_map(|href| Uuid::parse_str(href.trim_start_matches("/images/")).ok())
        .collect()
}

// ---------------------------------------------------------------------------
// 1. SIGKILL at random moments during uploads
// ---------------------------------------------------------------------------

const KILL_ROUNDS: usize = 20;

/// The pictures the uploaders make, each new, and the SHA-256 of each sent.
#[derive(Default)]
struct Pictures {
    next: AtomicU64,
    sent: Mutex<HashSet<String>>,
}

/// What one uploader saw before the server died under it.
#[derive(Default)]
struct Uploaded {
    /// Ids the server answered "added" for: they must survive the kill.
    acknowledged: Vec<Uuid>,
    /// Complete answers other than 200 (there must be none).
    unexpected: Vec<String>,
}

/// Uploads fresh noisy pictures one after the other until the connection
/// fails (the server was killed), at most `limit` of them. Each body goes in
/// `pieces` pieces `pause` apart, so a kill can land while it streams.
async fn keep_uploading(
    client: Client,
    base: String,
    pictures: Arc<Pictures>,
    pieces: usize,
    pause: Duration,
) -> Uploaded {
    let mut seen = Uploaded::default();
    for _ in 0..50 {
        let seed = pictures.next.fetch_add(1, Ordering::SeqCst);
        let png = tokio::task::spawn_blocking(move || art::noisy_png(480, 360, seed)).await.expect("make a picture");
        pictures.sent.lock().expect("sent").insert(hex::encode(Sha256::digest(&png)));
        let upload = RawUpload::new(&client, &base, &[(&format!("piece-{seed}.png"), &png)]);
        let addr = base.trim_start_matches("http://").parse().expect("server address");
        match upload.send_slowly(addr, pieces, pause, None).await {
            Ok(response) if response.status == 200 => seen.acknowledged.extend(added_ids(&response.body)),
            Ok(response) => seen.unexpected.push(format!("{}: {}", response.status, response.body)),
            Err(_) => break,
        }
    }
    seen
}

/// One `images` row.
struct Row {
    workspace: Uuid,
    id: Uuid,
    extension: String,
    byte_size: i64,
    sha256: String,
}

async fn image_rows(url: &str) -> Vec<Row> {
    let db = Db::connect(url).await.expect("inspector connection");
    let sql = "SELECT workspace_id, id, extension, byte_size, sha256 FROM images";
    let rows: Vec<(Uuid, Uuid, String, i64, String)> = match &db {
        Db::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await,
        Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await,
    }
    .expect("read the images");
    match &db {
        Db::Sqlite(pool) => pool.close().await,
        Db::Postgres(pool) => pool.close().await,
    }
    rows.into_iter()
        .map(|(workspace, id, extension, byte_size, sha256)| Row { workspace, id, extension, byte_size, sha256 })
        .collect()
}

/// Names of the files in a folder (none if it does not exist).
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

fn is_whole_jpeg(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0xD8]) && bytes.ends_with(&[0xFF, 0xD9])
}

/// Right after a kill, before any sweeping: every file a reader could find
/// (in originals/, large/ or thumbs/, with a row or not) is whole: an
/// original is byte for byte a picture that was sent, a JPEG ends properly.
fn check_visible_files_are_whole(uploads: &Path, pictures: &Pictures, when: &str) {
    let sent = pictures.sent.lock().expect("sent");
    for workspace in names_in(uploads) {
        let root = uploads.join(&workspace);
        for name in names_in(&root.join("originals")) {
            let bytes = std::fs::read(root.join("originals").join(&name)).expect("read an original");
            assert!(
                sent.contains(&hex::encode(Sha256::digest(&bytes))),
                "{when}: originals/{name} ({} bytes) is not a whole picture that was sent",
                bytes.len()
            );
        }
        for folder in ["large", "thumbs"] {
            for name in names_in(&root.join(folder)) {
                let bytes = std::fs::read(root.join(folder).join(&name)).expect("read a JPEG");
                assert!(is_whole_jpeg(&bytes), "{when}: {folder}/{name} is not a whole JPEG");
            }
        }
    }
}

/// After a start (the sweeper has run): nothing in `tmp/`, every row with
/// its three whole files, every file with its row, every acknowledged
/// upload still there. Returns the number of rows.
async fn check_uploads(inspector_url: &str, uploads: &Path, acknowledged: &HashSet<Uuid>, when: &str) -> usize {
    let rows = image_rows(inspector_url).await;
    let mut by_workspace: HashMap<Uuid, HashMap<Uuid, &Row>> = HashMap::new();
    for row in &rows {
        by_workspace.entry(row.workspace).or_default().insert(row.id, row);
        let root = uploads.join(row.workspace.to_string());
        let original = std::fs::read(root.join("originals").join(format!("{}.{}", row.id, row.extension)))
            .unwrap_or_else(|e| panic!("{when}: image {} has a row but no original: {e}", row.id));
        assert_eq!(original.len() as i64, row.byte_size, "{when}: the original of {} is not whole", row.id);
        assert_eq!(hex::encode(Sha256::digest(&original)), row.sha256, "{when}: the original of {} differs", row.id);
        for folder in ["large", "thumbs"] {
            let path = root.join(folder).join(format!("{}.jpg", row.id));
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{when}: {} is missing: {e}", path.display()));
            assert!(is_whole_jpeg(&bytes), "{when}: {} is not a whole JPEG", path.display());
        }
    }
    for id in acknowledged {
        assert!(rows.iter().any(|r| r.id == *id), "{when}: image {id} was acknowledged as added but is gone");
    }
    for workspace in names_in(uploads) {
        let root = uploads.join(&workspace);
        let tmp = names_in(&root.join("tmp"));
        assert!(tmp.is_empty(), "{when}: {workspace}/tmp still holds {tmp:?} after the sweeper ran");
        let known = Uuid::parse_str(&workspace).ok().and_then(|w| by_workspace.get(&w));
        for folder in ["originals", "large", "thumbs"] {
            for name in names_in(&root.join(folder)) {
                let (stem, extension) = name.split_once('.').unwrap_or((&name, ""));
                let row = Uuid::parse_str(stem).ok().and_then(|id| known.and_then(|rows| rows.get(&id)));
                let expected = match row {
                    Some(row) if folder == "originals" => row.extension.as_str(),
                    Some(_) => "jpg",
                    None => panic!("{when}: {workspace}/{folder}/{name} has no row"),
                };
                assert_eq!(extension, expected, "{when}: {workspace}/{folder}/{name} is not the row's file");
            }
        }
    }
    rows.len()
}

/// The server is killed (SIGKILL) at a random moment while two uploaders
/// send pictures (one fast, one in slow pieces), 20 times, and restarted
/// each time. The moments differ (while a body streams, while pictures are
/// decoded and resized, between the renames and the row...); after every
/// restart the uploads folder and the database must agree exactly.
async fn sigkill_during_uploads_leaves_no_partial_file_and_no_orphan(backend: Backend) {
    kill_during_uploads(backend, None).await
}

/// The same with S3 storage (the test server; its objects are files under
/// its folder, so the same checks read them): no row ever lacks an object,
/// and the objects of a killed upload go at the next start's sweep.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_uploads_to_s3_leaves_no_row_without_its_objects() {
    kill_during_uploads(Backend::Postgres, Some(crate::harness::s3::shared())).await
}

async fn kill_during_uploads(backend: Backend, s3: Option<&crate::harness::s3::S3Server>) {
    let dir = temp_dir("easel-fault-kill-");
    let prefix = Uuid::now_v7().to_string();
    let (uploads, env) = match s3 {
        Some(server) => (server.folder(&prefix), server.env(&prefix)),
        None => (dir.path().join("uploads"), Vec::new()),
    };
    let (database_url, inspector_url) = database_for(backend, dir.path()).await;
    let seed: u64 = rand::random();
    println!("kill timings from seed {seed}");
    let mut rng = StdRng::seed_from_u64(seed);
    let pictures = Arc::new(Pictures { next: AtomicU64::new(seed % 1_000_000 * 1000), ..Pictures::default() });
    let mut acknowledged = HashSet::new();
    let mut swept_rounds = 0;

    let mut server = Server::start_with_env(dir.path(), &database_url, &env).await;
    let mut client = sign_up(server.url(""), "Ada", "ada@example.com").await;
    for round in 1..=KILL_ROUNDS {
        let base = server.url("");
        let fast = tokio::spawn(keep_uploading(client.clone(), base.clone(), pictures.clone(), 1, Duration::ZERO));
        let slow = tokio::spawn(keep_uploading(client.clone(), base, pictures.clone(), 12, Duration::from_millis(15)));
        tokio::time::sleep(Duration::from_millis(rng.gen_range(20..700))).await;
        server.kill();
        for uploader in [fast, slow] {
            let seen = tokio::time::timeout(Duration::from_secs(120), uploader)
                .await
                .expect("an uploader noticed the kill")
                .expect("uploader task");
            assert!(seen.unexpected.is_empty(), "round {round}: unexpected answers: {:?}", seen.unexpected);
            acknowledged.extend(seen.acknowledged);
        }
        check_visible_files_are_whole(&uploads, &pictures, &format!("right after kill {round}"));

        // `prepare` sweeps before Easel listens, so healthy means swept.
        server = Server::start_with_env(dir.path(), &database_url, &env).await;
        if server.log().contains("swept the uploads folder") {
            swept_rounds += 1;
        }
        check_uploads(&inspector_url, &uploads, &acknowledged, &format!("after kill {round}")).await;
        client = with_session_of(&client, server.url(""));
        client.get("/images").await.assert_status(200);
    }
    let rows = check_uploads(&inspector_url, &uploads, &acknowledged, "at the end").await;
    println!(
        "{KILL_ROUNDS} kills: {rows} images stored, {} acknowledged, leftovers swept after {swept_rounds} kills",
        acknowledged.len()
    );
    assert!(!acknowledged.is_empty(), "no upload completed in {KILL_ROUNDS} rounds: the test proved nothing");
    assert!(swept_rounds > 0, "no kill ever landed mid-upload (the sweeper never found leftovers)");
}

// ---------------------------------------------------------------------------
// 2. PostgreSQL restarted while requests are flowing
// ---------------------------------------------------------------------------

/// Phases of the outage, as seen by a request when it starts and ends.
const UP: u8 = 0;
const STOPPING: u8 = 1;
const DOWN: u8 = 2;
const STARTING: u8 = 3;
const BACK: u8 = 4;

struct Answer {
    path: &'static str,
    started: u8,
    ended: u8,
    status: u16,
    friendly: bool,
    took: Duration,
}

/// Signed-in requests one after the other until `stop`, each noted with the
/// phase it started and ended in.
async fn keep_requesting(
    client: Client,
    phase: Arc<AtomicU8>,
    stop: Arc<AtomicBool>,
    answers: Arc<Mutex<Vec<Answer>>>,
) {
    for n in 0..100_000 {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let path = if n % 2 == 0 { "/images" } else { "/healthz" };
        let started = phase.load(Ordering::SeqCst);
        let clock = Instant::now();
        let page = tokio::time::timeout(Duration::from_secs(60), client.get(path))
            .await
            .unwrap_or_else(|_| panic!("GET {path} got no answer within 60 s"));
        let answer = Answer {
            path,
            started,
            ended: phase.load(Ordering::SeqCst),
            status: page.status,
            friendly: page.body.contains("Easel is briefly unavailable")
                && page.header("content-type").starts_with("text/html"),
            took: clock.elapsed(),
        };
        answers.lock().expect("answers").push(answer);
    }
}

/// Waits (at most 90 s) until `enough` holds for the answers so far.
async fn wait_for_answers(answers: &Mutex<Vec<Answer>>, what: &str, enough: impl Fn(&[Answer]) -> bool) {
    for _ in 0..900 {
        if enough(&answers.lock().expect("answers")) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("waited 90 s for {what}");
}

/// A throwaway cluster of this test's own is stopped (fast shutdown: every
/// connection is cut, queries in flight included) while two signed-in
/// clients keep asking for pages and `/healthz`, then started again. A
/// request cut off by the shutdown gets a 200 or the friendly 503 page, one
/// made while the server is gone gets the 503 page, and once the server is
/// back every request succeeds again; Easel itself is never restarted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_under_load_means_503s_then_service_resumes() {
    let mut cluster = tokio::task::block_in_place(Postgres::start);
    let admin_url = format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port);
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.expect("connect as superuser");
    for sql in [
        "CREATE ROLE easel_app LOGIN PASSWORD 'fault' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE",
        "CREATE DATABASE easel OWNER easel_app",
    ] {
        sqlx::query(sql).execute(&mut admin).await.expect("prepare the cluster");
    }
    admin.close().await.expect("close");
    let dir = temp_dir("easel-fault-pg-");
    let mut server = Server::start(dir.path(), &cluster.url("easel_app", "fault", "easel")).await;
    let ada = sign_up(server.url(""), "Ada", "ada@example.com").await;
    let bea = sign_up(server.url(""), "Bea", "bea@example.com").await;

    let phase = Arc::new(AtomicU8::new(UP));
    let stop = Arc::new(AtomicBool::new(false));
    let answers = Arc::new(Mutex::new(Vec::new()));
    let requesters: Vec<_> = [ada, bea]
        .into_iter()
        .map(|client| tokio::spawn(keep_requesting(client, phase.clone(), stop.clone(), answers.clone())))
        .collect();
    wait_for_answers(&answers, "answers before the outage", |a| a.len() >= 10).await;

    // Requests cut off by the shutdown, then requests that find no server.
    phase.store(STOPPING, Ordering::SeqCst);
    tokio::task::block_in_place(|| cluster.stop());
    phase.store(DOWN, Ordering::SeqCst);
    wait_for_answers(&answers, "503s while PostgreSQL is down", |a| {
        ["/images", "/healthz"].iter().all(|path| a.iter().any(|a| a.started == DOWN && a.path == *path))
    })
    .await;
    assert!(server.exited().is_none(), "easel exited while PostgreSQL was down:\n{}", server.log());

    phase.store(STARTING, Ordering::SeqCst);
    tokio::task::block_in_place(|| cluster.start_again());
    phase.store(BACK, Ordering::SeqCst);
    wait_for_answers(&answers, "answers after the restart", |a| a.iter().filter(|a| a.started == BACK).count() >= 20)
        .await;
    stop.store(true, Ordering::SeqCst);
    for requester in requesters {
        tokio::time::timeout(Duration::from_secs(90), requester).await.expect("requests end").expect("requester");
    }

    let answers = answers.lock().expect("answers");
    let log = server.log();
    let errors: Vec<&str> = log.lines().filter(|l| l.contains("ERROR")).collect();
    for a in answers.iter() {
        let what = format!(
            "GET {} (phase {}→{}) answered {}; errors logged: {errors:#?}",
            a.path, a.started, a.ended, a.status
        );
        match (a.started, a.ended) {
            (UP, UP) | (BACK, BACK) => assert_eq!(a.status, 200, "{what}: only an outage may fail a request"),
            (DOWN, DOWN) => assert!(a.status == 503 && a.friendly, "{what}, not the friendly 503"),
            _ => assert!(a.status == 200 || (a.status == 503 && a.friendly), "{what}, not the friendly 503"),
        }
    }
    let slowest_503 = answers.iter().filter(|a| a.status == 503).map(|a| a.took).max().unwrap_or_default();
    println!(
        "{} answers, {} of them 503 (the slowest after {slowest_503:?})",
        answers.len(),
        answers.iter().filter(|a| a.status == 503).count()
    );
    assert!(server.exited().is_none(), "easel is no longer running:\n{}", server.log());
}

// ---------------------------------------------------------------------------
// 3. The uploads folder on a full filesystem
// ---------------------------------------------------------------------------

/// How the uploads folder is made to run out of room.
enum FullDisk {
    /// A real 1 MiB tmpfs mounted on the uploads folder, in a private mount
    /// namespace of the server's own (`unshare --mount`, with a user
    /// namespace when not root), so the mount can never outlive the server
    /// or show up on the machine. Writes fail with ENOSPC, as on a full disk.
    Tmpfs,
    /// When mounting is not possible (no root, no user namespaces, or
    /// `EASEL_TEST_SIMULATE_FULL_DISK` is set): the server runs with
    /// RLIMIT_FSIZE (`ulimit -f`) and SIGXFSZ ignored, so a write past the
    /// limit fails with EFBIG, the error a filesystem gives for a file it
    /// cannot hold. The limit (1 or 2 MiB, depending on the shell's unit)
    /// leaves room for the database, the log and small pictures.
    FileSizeLimit,
}

const TMPFS_MOUNT: &str = r#"mount -t tmpfs -o size=1m,mode=0755 easel-full "$1" || exit 97; shift; exec "$@""#;

impl FullDisk {
    fn unshare(uploads: &Path) -> Vec<OsString> {
        let mut command: Vec<OsString> = vec!["unshare".into()];
        if !is_root() {
            command.extend(["--user".into(), "--map-root-user".into()]);
        }
        command.extend(["--mount", "--propagation", "private", "sh", "-c", TMPFS_MOUNT, "sh"].map(OsString::from));
        command.push(uploads.into());
        command
    }

    fn choose(uploads: &Path) -> Self {
        if std::env::var_os("EASEL_TEST_SIMULATE_FULL_DISK").is_some() {
            return Self::FileSizeLimit;
        }
        let probe = Self::unshare(uploads);
        let mounted = std::process::Command::new(&probe[0])
            .args(&probe[1..])
            .arg("true")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if mounted { Self::Tmpfs } else { Self::FileSizeLimit }
    }

    fn describe(&self) -> &'static str {
        match self {
            Self::Tmpfs => "a 1 MiB tmpfs (ENOSPC)",
            Self::FileSizeLimit => "simulated with RLIMIT_FSIZE (EFBIG)",
        }
    }

    fn wrapper(&self, uploads: &Path) -> Vec<OsString> {
        match self {
            Self::Tmpfs => Self::unshare(uploads),
            Self::FileSizeLimit => {
                ["sh", "-c", r#"trap '' XFSZ; ulimit -f 2048 || exit 97; exec "$0""#].map(OsString::from).to_vec()
            }
        }
    }

    /// Where the test sees the uploads folder: a tmpfs in the server's own
    /// mount namespace is reached through its `/proc/<pid>/root`.
    fn view(&self, server: &Server, uploads: &Path) -> PathBuf {
        match self {
            Self::Tmpfs => PathBuf::from(format!("/proc/{}/root{}", server.pid(), uploads.display())),
            Self::FileSizeLimit => uploads.to_owned(),
        }
    }
}

/// Every file of a workspace with its size, as `folder/name`.
fn files_with_sizes(uploads: &Path, workspace: &str) -> Vec<(String, u64)> {
    let mut found = Vec::new();
    for folder in ["originals", "large", "thumbs", "tmp"] {
        let dir = uploads.join(workspace).join(folder);
        for name in names_in(&dir) {
            let size = std::fs::metadata(dir.join(&name)).map(|m| m.len()).unwrap_or_default();
            found.push((format!("{folder}/{name}"), size));
        }
    }
    found
}

/// An upload bigger than the room left is refused with a clear message;
/// nothing of it is left, no row is added, the artwork already there is
/// still served, and a small upload afterwards works.
async fn a_full_uploads_disk_refuses_clearly_and_reads_go_on(backend: Backend) {
    let dir = temp_dir("easel-fault-full-");
    let uploads = dir.path().join("uploads");
    std::fs::create_dir_all(&uploads).expect("uploads folder");
    let (database_url, inspector_url) = database_for(backend, dir.path()).await;
    let disk = FullDisk::choose(&uploads);
    println!("the full disk is {}", disk.describe());
    let server = Server::start_wrapped(dir.path(), &database_url, &disk.wrapper(&uploads)).await;
    let seen = disk.view(&server, &uploads);
    let ada = sign_up(server.url(""), "Ada", "ada@example.com").await;
    let ws = ada.guards().page_workspace;

    let first = ada.upload("/images", &[("heron.png", art::png(1))]).await;
    first.assert_status(200);
    let heron = *added_ids(&first.body).first().unwrap_or_else(|| panic!("heron was not added:\n{}", first.body));
    let before = files_with_sizes(&seen, &ws);
    assert_eq!(before.len(), 3, "{before:?}");

    // 3 MiB of noise: more than the disk (or the file size limit) holds.
    let too_big = art::noisy_png(1024, 1024, 77);
    assert!(too_big.len() > 3 * 1024 * 1024);
    let refused = ada.upload("/images", &[("too-big.png", too_big)]).await;
    assert_eq!(refused.status, 507, "a full disk must not look like a crash:\n{}", refused.body);
    let message = refused.text("p.lead");
    assert!(message.contains("no room left") && message.contains("Nothing was stored"), "{message}");
    assert!(server.log().contains("no room left in the uploads folder"), "{}", server.log());

    assert_eq!(files_with_sizes(&seen, &ws), before, "the refused upload left something behind");
    let rows = image_rows(&inspector_url).await;
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![heron], "no row may be added");

    let thumb = ada.get(&format!("/media/{heron}/thumb")).await;
    thumb.assert_status(200);
    let on_disk = std::fs::read(seen.join(&ws).join("thumbs").join(format!("{heron}.jpg"))).expect("thumb on disk");
    assert_eq!(thumb.bytes, on_disk);
    ada.get("/images").await.assert_status(200);
    let page = ada.get(&format!("/images/{heron}")).await;
    page.assert_status(200);

    let after = ada.upload("/images", &[("wren.png", art::png(2))]).await;
    after.assert_status(200);
    assert_eq!(added_ids(&after.body).len(), 1, "{}", after.body);
    assert_eq!(files_with_sizes(&seen, &ws).len(), 6);
}

// ---------------------------------------------------------------------------
// 4. SIGTERM during a slow request
// ---------------------------------------------------------------------------

/// An upload whose body arrives in 40 pieces 50 ms apart is in flight when
/// the server gets SIGTERM: new connections are refused at once, the upload
/// still completes and is stored, and the process exits successfully.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_slow_upload_finishes_it_refuses_new_connections_and_exits() {
    const PIECES: usize = 40;
    let dir = temp_dir("easel-fault-term-");
    let database_url = format!("sqlite://{}", dir.path().join("easel.db").display());
    let mut server = Server::start(dir.path(), &database_url).await;
    let ada = sign_up(server.url(""), "Ada", "ada@example.com").await;
    let upload = RawUpload::new(&ada, &server.url(""), &[("slow.png", &art::noisy_png(200, 150, 4))]);
    let (progress, mut sent) = tokio::sync::watch::channel(0);
    let addr = server.addr;
    let in_flight =
        tokio::spawn(async move { upload.send_slowly(addr, PIECES, Duration::from_millis(50), Some(progress)).await });
    tokio::time::timeout(Duration::from_secs(60), sent.wait_for(|n| *n >= 5))
        .await
        .expect("the first pieces went within 60 s")
        .expect("progress");

    let pieces_before_the_signal = *sent.borrow();
    server.terminate();
    let mut refused = false;
    for _ in 0..500 {
        match tokio::net::TcpStream::connect(addr).await {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                refused = true;
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    assert!(refused, "new connections were still accepted after SIGTERM");
    assert!(pieces_before_the_signal < PIECES, "the body was complete before the signal; nothing was tested");

    let response = tokio::time::timeout(Duration::from_secs(120), in_flight)
        .await
        .expect("the slow upload ended")
        .expect("upload task")
        .expect("the slow upload got its answer");
    assert_eq!(response.status, 200, "{}", response.body);
    let added = added_ids(&response.body);
    assert_eq!(added.len(), 1, "{}", response.body);

    let status = server.wait_for_exit(Duration::from_secs(60)).await;
    assert!(status.is_some_and(|s| s.success()), "easel did not exit cleanly ({status:?}):\n{}", server.log());
    assert!(server.log().contains("shutting down"), "{}", server.log());

    // The upload that finished during shutdown is really there.
    let rows = image_rows(&database_url).await;
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), added);
    check_uploads(&database_url, &dir.path().join("uploads"), &added.into_iter().collect(), "after SIGTERM").await;
}
