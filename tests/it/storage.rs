//! Object storage (issue 15 §1) against a real S3 server (s3s-fs, SigV4
//! checked): presigned redirects after the workspace check, purging a
//! workspace's prefix, /readyz when the store is down, and
//! `easel storage copy` from disk to S3 and back, verified and resumable.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::Duration,
};

use futures_util::TryStreamExt;

use crate::harness::{
    Backend, Client, TestApp, art,
    s3::{self, S3Server},
};

async fn upload(client: &Client, name: &str, seed: u8) -> String {
    let page = client.upload("/images", &[(name, art::png(seed))]).await;
    page.assert_status(200);
    let ids = page.attrs(".upload-added a", "href");
    ids.last()
        .map(|h| h.trim_start_matches("/images/").to_owned())
        .unwrap_or_else(|| panic!("not added:\n{}", page.body))
}

async fn on_s3(tweak: impl FnOnce(&mut easel::config::Config)) -> TestApp {
    s3::ON_S3.scope(true, TestApp::spawn_with(Backend::Postgres, tweak)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn media_redirects_to_a_presigned_url_only_after_the_workspace_check() {
    let app = on_s3(|c| c.storage.redirect = true).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let id = upload(&ada, "heron.png", 1).await;
    let thumb = ada.get(&format!("/media/{id}/thumb")).await;
    thumb.assert_status(307);
    assert_eq!(thumb.header("cache-control"), "no-store");
    let url = thumb.location().expect("a presigned URL").to_owned();
    assert!(url.contains("X-Amz-Signature="), "{url}");
    let fetched = reqwest::get(&url).await.expect("fetch the presigned URL");
    assert_eq!(fetched.status(), 200);
    let bytes = fetched.bytes().await.expect("bytes");
    let ws = ada.guards().page_workspace;
    assert_eq!(bytes.as_ref(), std::fs::read(app.uploads().join(&ws).join(format!("thumbs/{id}.jpg"))).expect("thumb"));
    // The signature is checked: the same URL with another key is refused.
    let forged = url.replace("thumbs", "large");
    assert_eq!(reqwest::get(&forged).await.expect("forged").status(), 403);

    let bea = app.signed_up("Bea", "bea@example.com").await;
    let refused = bea.get(&format!("/media/{id}/thumb")).await;
    refused.assert_status(404);
    assert!(refused.location().is_none(), "no redirect for another workspace's image");
    let stranger = app.client();
    assert!(stranger.get(&format!("/media/{id}/original")).await.location().is_none_or(|l| l.starts_with("/login")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purging_a_workspace_removes_its_prefix_from_s3() {
    let app = on_s3(|c| c.delete_grace = Duration::ZERO).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    upload(&ada, "heron.png", 1).await;
    upload(&ada, "fox.png", 2).await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let beas = bea.guards().page_workspace;
    upload(&bea, "owl.png", 3).await;
    assert_eq!(objects(&app, &studio).await, 6);

    crate::deletion::delete(&ada, &studio, "Ada's studio").await;
    assert_eq!(app.purge_due().await, 1);
    assert_eq!(objects(&app, &studio).await, 0, "the purged workspace's prefix is empty");
    assert!(app.files_of(&studio).is_empty());
    assert_eq!(objects(&app, &beas).await, 3, "another workspace keeps its objects");
}

async fn objects(app: &TestApp, prefix: &str) -> usize {
    let listed: Vec<_> = app.storage.list(Some(prefix)).try_collect().await.expect("list");
    listed.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_says_503_naming_the_store_when_s3_is_down() {
    let disk = TestApp::spawn(Backend::Sqlite).await;
    let page = disk.client().get("/readyz").await;
    page.assert_status(200);
    assert_eq!(page.body, "ready");

    let mut server = S3Server::start();
    let app =
        TestApp::spawn_on_store(Backend::Postgres, server.env("ready"), Some(server.folder("ready")), |_| {}).await;
    let client = app.client();
    client.get("/readyz").await.assert_status(200);
    server.stop();
    let down = client.get("/readyz").await;
    down.assert_status(503);
    assert!(down.body.contains("object store unavailable"), "{}", down.body);
    assert!(!down.body.contains("database"), "{}", down.body);
    client.get("/healthz").await.assert_status(200);
}

/// Every stored file under `root`, as key → bytes (temporary files aside).
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, root: &Path, found: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, found);
            } else {
                let key = path.strip_prefix(root).expect("under root").to_string_lossy().into_owned();
                if !key.contains("/tmp/") {
                    found.insert(key, std::fs::read(&path).expect("read"));
                }
            }
        }
    }
    let mut found = BTreeMap::new();
    walk(root, root, &mut found);
    found
}

fn storage_copy(dir: &Path, storage: &[(String, String)], to: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_easel"));
    command
        .env_clear()
        .current_dir(dir)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("EASEL_DATA_DIR", dir.join("data"))
        .env("EASEL_UPLOADS_DIR", dir.join("uploads"))
        .envs(storage.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .args(["storage", "copy", "--to", to])
        .stdin(Stdio::null());
    command
}

/// The S3 variables without `EASEL_STORAGE` (the target is `--to`).
fn s3_credentials(server: &S3Server) -> Vec<(String, String)> {
    server.env("unused").into_iter().filter(|(k, _)| k != "EASEL_STORAGE").collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storage_copy_moves_every_file_to_s3_and_back_verified_and_resumable() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    for seed in 1..=8 {
        upload(&ada, &format!("picture-{seed}.png"), seed).await;
    }
    let logo = ada.upload_as("/settings/branding/logo", "logo", &[("logo.png", art::png(40))]).await;
    assert!(matches!(logo.status, 200 | 303), "{}", logo.body);
    let source = tree(&app.uploads());
    assert_eq!(source.len(), 8 * 3 + 1);

    let server = s3::shared();
    let prefix = uuid::Uuid::now_v7().to_string();
    let target = server.folder(&prefix);
    let to = format!("s3://{}/{prefix}", s3::BUCKET);
    let dir = app.dir.path().to_owned();
    let credentials = s3_credentials(server);

    // A copy that was interrupted: one object already there and whole, one
    // cut short to the right size but with other bytes.
    let mut keys = source.keys();
    let (whole, damaged) = (keys.next().expect("a key").clone(), keys.next().expect("a key").clone());
    put_file(&target.join(&whole), &source[&whole]);
    let mut wrong = source[&damaged].clone();
    wrong[0] ^= 0xFF;
    put_file(&target.join(&damaged), &wrong);

    // And one killed part-way (if it ends first, the next run finds it all there).
    let mut first =
        storage_copy(&dir, &credentials, &to).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("start");
    for _ in 0..2000 {
        if tree(&target).len() >= 6 || first.try_wait().expect("poll").is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let _ = first.kill();
    let _ = first.wait();

    let out = storage_copy(&dir, &credentials, &to).output().expect("run the copy again");
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{printed}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(printed.contains("verified by size and SHA-256"), "{printed}");
    let skipped: usize = printed
        .split("; ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("skipped count");
    assert!(skipped >= 1, "the object already there is skipped: {printed}");
    assert_eq!(tree(&target), source, "every object is in the bucket, byte for byte (the damaged one replaced)");

    // Back from S3 to a folder, with EASEL_STORAGE pointing at the bucket.
    let back = dir.join("back");
    let out = storage_copy(&dir, &server.env(&prefix), &back.display().to_string()).output().expect("copy back");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(tree(&back), source, "the round trip gives the same files");

    // Bad targets fail clearly, with nothing copied.
    let out = storage_copy(&dir, &credentials, "ftp://elsewhere/x").output().expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("s3://bucket/prefix"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn put_file(path: &PathBuf, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
    std::fs::write(path, bytes).expect("write");
}
