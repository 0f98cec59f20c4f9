//! Archives: a workspace exported from one backend and imported into the
//! other comes back byte for byte; `--as-new` makes an independent copy;
//! `easel copy` moves an instance from SQLite to PostgreSQL; bad archives
//! are refused with a clear message and change nothing.

use std::{collections::BTreeMap, io::Read, path::Path};

use easel::{
    archive::{self, ArchiveError, ImportOptions, Imported, Progress},
    storage::Storage,
};
use uuid::Uuid;

use crate::{
    collections::upload,
    harness::{Backend, Client, TestApp, postgres},
    on_both_backends,
};

on_both_backends!(
    a_workspace_round_trips_between_backends_byte_for_byte,
    an_import_as_new_gets_fresh_ids_and_stays_apart,
    bad_archives_are_refused_with_a_clear_message_and_change_nothing,
    a_backup_restores_into_an_empty_instance_and_refuses_a_full_one,
);

/// A workspace with everything a workspace can hold.
pub async fn seeded(app: &TestApp, ada: &Client) -> String {
    let ws = ada.guards().page_workspace;
    crate::roles::fixture(app, ada).await;
    let fox = upload(ada, "fox.png", 2).await;
    let tag = format!(
        "INSERT INTO image_tags (workspace_id, image_id, tag) VALUES ({}, {}, 'fox')",
        app.uuid_literal(&ws),
        app.uuid_literal(&fox)
    );
    app.try_execute(&tag).await.expect("tag");
    app.try_execute(
        "INSERT INTO publer_sends (workspace_id, event_id, state, step, account_id, error, attempts, requested_by, \
         requested_at, updated_at) SELECT workspace_id, id, 'failed', 'done', 'acct-1', 'Publer said no', 1, 'Ada', \
         created_at, updated_at FROM events",
    )
    .await
    .expect("a send");
    ada.get("/settings").await;
    ada.post("/settings", &crate::harness::settings("Ada Studio", "Europe/Paris")).await;
    ws
}

pub fn storage(app: &TestApp) -> Storage {
    app.storage.clone()
}

pub async fn export(app: &TestApp, ws: &str, name: &str) -> std::path::PathBuf {
    let out = app.dir.path().join(name);
    let ws = Uuid::parse_str(ws).expect("workspace id");
    archive::export_workspace(&app.databases, &storage(app), ws, &out, &Progress::default()).await.expect("export");
    out
}

async fn import(app: &TestApp, file: &Path, as_new: bool) -> Result<Imported, ArchiveError> {
    let options = ImportOptions { as_new, invite: false };
    archive::import_workspace(&app.db, &storage(app), file, &options, &Progress::default()).await
}

/// Every entry of a zip, by name.
pub fn entries(file: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(file).expect("open")).expect("zip");
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).expect("entry");
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read");
        out.insert(entry.name().to_owned(), bytes);
    }
    out
}

fn other(backend: Backend) -> Backend {
    match backend {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    }
}

async fn a_workspace_round_trips_between_backends_byte_for_byte(backend: Backend) {
    let here = TestApp::spawn(backend).await;
    let ada = here.signed_up("Ada", "ada@example.com").await;
    let ws = seeded(&here, &ada).await;
    let first = export(&here, &ws, "first.zip").await;

    let there = TestApp::spawn(other(backend)).await;
    let ada_there = there.signed_up("Ada", "ada@example.com").await;
    there.signed_up("Tom", "tom@example.com").await;
    let imported = import(&there, &first, false).await.expect("import");
    assert_eq!(imported.workspace_id.to_string(), ws);
    assert_eq!(imported.members, vec!["ada@example.com", "tom@example.com"]);
    assert!(imported.invited.is_empty(), "{:?}", imported.invited);
    let second = export(&there, &ws, "second.zip").await;

    let (a, b) = (entries(&first), entries(&second));
    let tables: Vec<&String> = a.keys().filter(|k| k.starts_with("tables/")).collect();
    assert!(tables.len() > 15, "{tables:?}");
    for table in tables {
        assert_eq!(
            String::from_utf8_lossy(&a[table]),
            String::from_utf8_lossy(&b[table]),
            "{table} differs after the round trip"
        );
    }
    let files = |m: &BTreeMap<String, Vec<u8>>| -> Vec<String> {
        m.keys().filter(|k| k.starts_with("files/")).cloned().collect()
    };
    assert_eq!(files(&a), files(&b));
    assert_eq!(files(&a).len(), 3, "two originals and a logo");
    for file in files(&a) {
        assert_eq!(a[&file], b[&file], "{file}");
    }
    let manifest: serde_json::Value = serde_json::from_slice(&a["manifest.json"]).expect("manifest");
    assert_eq!(manifest["format"], 1);
    assert_eq!(manifest["scope"], "workspace");
    assert!(a["tables/audit_log.jsonl"].windows(15).any(|w| w == b"ada@example.com"), "people are emails");
    assert!(!String::from_utf8_lossy(&a["tables/invitations.jsonl"]).contains("token_hash"));
    assert!(String::from_utf8_lossy(&a["artwork.csv"]).contains("Fox"));

    // The imported workspace works: its pictures, resized copies and posts.
    ada_there.post("/workspaces/switch", &[("workspace_id", &ws), ("back", "/")]).await;
    let library = ada_there.get("/images").await;
    library.assert_status(200);
    let thumbs = library.attrs("img", "src");
    assert!(thumbs.iter().filter(|s| s.contains("/thumb")).count() >= 2, "{thumbs:?}");
    for src in thumbs.iter().filter(|s| s.contains("/thumb")) {
        ada_there.get(src).await.assert_status(200);
    }
    let usage = there.count("SELECT CAST(SUM(image_count) AS BIGINT) FROM workspace_usage").await;
    assert_eq!(usage, 2, "counters are recomputed");
}

async fn an_import_as_new_gets_fresh_ids_and_stays_apart(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = seeded(&app, &ada).await;
    let file = export(&app, &ws, "ws.zip").await;
    let refused = import(&app, &file, false).await.expect_err("already here");
    assert!(refused.to_string().contains("already on this instance"), "{refused}");

    let copy = import(&app, &file, true).await.expect("as new").workspace_id.to_string();
    assert_ne!(copy, ws);
    for table in ["images", "collections", "calendars", "events", "hashtag_sets", "audit_log"] {
        let shared = app
            .count(&format!(
                "SELECT COUNT(*) FROM {table} a JOIN {table} b ON a.id = b.id AND a.workspace_id <> b.workspace_id"
            ))
            .await;
        assert_eq!(shared, 0, "{table} ids are all new");
        let per_workspace = app.count(&format!("SELECT COUNT(DISTINCT workspace_id) FROM {table}")).await;
        assert!(per_workspace >= 2, "{table} has rows in both");
    }
    let originals = |w: &str| app.files_of(w).into_iter().filter(|f| f.starts_with("originals/")).collect::<Vec<_>>();
    assert_eq!(originals(&copy).len(), 2);
    assert!(originals(&copy).iter().all(|f| !originals(&ws).contains(f)), "files are renamed with the new ids");

    // Ada is in both; in the copy, the original's ids are 404, and back.
    let original_image = ada.get("/images").await.attrs("a[href^='/images/0']", "href");
    let original_image = original_image.first().expect("an image").clone();
    ada.post("/workspaces/switch", &[("workspace_id", &copy), ("back", "/")]).await;
    ada.get(&original_image).await.assert_status(404);
    let copy_images = ada.get("/images").await.attrs("a[href^='/images/0']", "href");
    assert!(!copy_images.is_empty());
    assert!(!copy_images.contains(&original_image));
    ada.get(&copy_images[0]).await.assert_status(200);
    ada.post("/workspaces/switch", &[("workspace_id", &ws), ("back", "/")]).await;
    ada.get(&copy_images[0]).await.assert_status(404);
    ada.get(&original_image).await.assert_status(200);
}

/// Rewrites an archive entry by entry; `change` may alter or add entries.
fn rewritten(file: &Path, out: &Path, change: impl FnOnce(&mut BTreeMap<String, Vec<u8>>)) {
    let mut all = entries(file);
    change(&mut all);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(out).expect("create"));
    for (name, bytes) in all {
        zip.start_file(name, zip::write::SimpleFileOptions::default()).expect("start");
        std::io::Write::write_all(&mut zip, &bytes).expect("write");
    }
    zip.finish().expect("finish");
}

fn manifest_edit(all: &mut BTreeMap<String, Vec<u8>>, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut manifest: serde_json::Value = serde_json::from_slice(&all["manifest.json"]).expect("manifest");
    edit(&mut manifest);
    all.insert("manifest.json".into(), serde_json::to_vec(&manifest).expect("json"));
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A stored entry whose sizes claim ten gigabytes (a zip64 header patched).
fn ten_gigabytes_declared(file: &Path, out: &Path) {
    let all = entries(file);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in &all {
        zip.start_file(name.clone(), zip::write::SimpleFileOptions::default()).expect("start");
        std::io::Write::write_all(&mut zip, bytes).expect("write");
    }
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    zip.start_file("tables/image_tags.jsonl.big", options).expect("start");
    std::io::Write::write_all(&mut zip, &[b'x'; 4096]).expect("write");
    let mut bytes = zip.finish().expect("finish").into_inner();
    let (real, ten_gb) = (4096u64.to_le_bytes(), (10u64 << 30).to_le_bytes());
    let mut patched = 0;
    for i in 0..bytes.len().saturating_sub(8) {
        if bytes[i..i + 8] == real {
            bytes[i..i + 8].copy_from_slice(&ten_gb);
            patched += 1;
        }
    }
    assert!(patched >= 1, "the zip64 size was found");
    std::fs::write(out, bytes).expect("write");
}

/// Makes a bad archive (second path) out of a good one (first).
type Spoiler = Box<dyn Fn(&Path, &Path)>;

async fn bad_archives_are_refused_with_a_clear_message_and_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = seeded(&app, &ada).await;
    let good = export(&app, &ws, "good.zip").await;
    let bad = app.dir.path().join("bad.zip");
    let before = (crate::isolation::snapshot(&app, &[&ws]).await, app.count("SELECT COUNT(*) FROM workspaces").await);
    let folders = || std::fs::read_dir(app.uploads()).expect("uploads").count();
    let folders_before = folders();

    let cases: Vec<(&str, Spoiler)> = vec![
        (
            "truncated",
            Box::new(|g, b| {
                let bytes = std::fs::read(g).expect("read");
                std::fs::write(b, &bytes[..bytes.len() / 2]).expect("write");
            }),
        ),
        (
            "does not match its manifest",
            Box::new(|g, b| {
                rewritten(g, b, |all| {
                    let images = all.get_mut("tables/images.jsonl").expect("images");
                    let text = String::from_utf8_lossy(images).replace("Heron", "HERON");
                    *images = text.into_bytes();
                })
            }),
        ),
        (
            "points outside",
            Box::new(|g, b| {
                rewritten(g, b, |all| {
                    all.insert("../../etc/passwd".into(), b"root:x:0:0".to_vec());
                })
            }),
        ),
        (
            "symbolic link",
            Box::new(|g, b| {
                let all = entries(g);
                let mut zip = zip::ZipWriter::new(std::fs::File::create(b).expect("create"));
                for (name, bytes) in all {
                    zip.start_file(name, zip::write::SimpleFileOptions::default()).expect("start");
                    std::io::Write::write_all(&mut zip, &bytes).expect("write");
                }
                zip.add_symlink("files/link", "/etc/passwd", zip::write::SimpleFileOptions::default()).expect("link");
                zip.finish().expect("finish");
            }),
        ),
        ("zip bomb", Box::new(ten_gigabytes_declared)),
        (
            "table Easel does not know: secrets",
            Box::new(|g, b| {
                rewritten(g, b, |all| {
                    all.insert("tables/secrets.jsonl".into(), b"{}\n".to_vec());
                    manifest_edit(all, |m| {
                        m["tables"]
                            .as_array_mut()
                            .expect("tables")
                            .push(serde_json::json!({"name": "secrets", "rows": 1, "sha256": "00"}))
                    });
                })
            }),
        ),
        ("format version 2", Box::new(|g, b| rewritten(g, b, |all| manifest_edit(all, |m| m["format"] = 2.into())))),
        (
            "a file of another workspace",
            Box::new(|g, b| {
                rewritten(g, b, |all| {
                    let key = format!("{}/originals/{}.png", Uuid::now_v7(), Uuid::now_v7());
                    let bytes = b"not yours".to_vec();
                    let entry = serde_json::json!({"path": key, "size": bytes.len(), "sha256": sha256(&bytes)});
                    all.insert(format!("files/{key}"), bytes);
                    manifest_edit(all, |m| m["files"].as_array_mut().expect("files").push(entry));
                })
            }),
        ),
        (
            "names a file Easel would never write",
            Box::new(|g, b| {
                rewritten(g, b, |all| {
                    let images =
                        String::from_utf8_lossy(&all["tables/images.jsonl"]).replace("\"png\"", "\"../../../etc/x\"");
                    let sha = sha256(images.as_bytes());
                    all.insert("tables/images.jsonl".into(), images.into_bytes());
                    manifest_edit(all, |m| {
                        for table in m["tables"].as_array_mut().expect("tables") {
                            if table["name"] == "images" {
                                table["sha256"] = sha.clone().into();
                            }
                        }
                    });
                })
            }),
        ),
    ];
    for (expected, make) in cases {
        let _ = std::fs::remove_file(&bad);
        make(&good, &bad);
        let err = import(&app, &bad, true).await.expect_err(expected);
        assert!(matches!(err, ArchiveError::Invalid(_)), "{expected}: {err:?}");
        assert!(err.to_string().contains(expected), "{expected}: {err}");
        // Keeping ids, it is refused too (the archive, or the workspace already here).
        import(&app, &bad, false).await.expect_err(expected);
        let after =
            (crate::isolation::snapshot(&app, &[&ws]).await, app.count("SELECT COUNT(*) FROM workspaces").await);
        assert_eq!(before, after, "{expected}: nothing changed");
        assert_eq!(folders(), folders_before, "{expected}: no files placed");
    }
}

async fn a_backup_restores_into_an_empty_instance_and_refuses_a_full_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = seeded(&app, &ada).await;
    let backup = app.dir.path().join("backup.zip");
    archive::backup(&app.databases, &storage(&app), &backup, &Progress::default()).await.expect("backup");

    let full = archive::restore(&app.db, &storage(&app), &backup, &Progress::default()).await.expect_err("full");
    assert!(matches!(full, ArchiveError::Conflict(_)), "{full:?}");
    assert!(full.to_string().contains("row(s) in users"), "{full}");
    let copy = archive::copy(&app.db, &app.db, &Progress::default()).await.expect_err("full");
    assert!(copy.to_string().contains("only copy into an empty database"), "{copy}");

    let fresh = TestApp::spawn(other(backend)).await;
    std::fs::remove_dir_all(fresh.uploads()).ok();
    archive::restore(&fresh.db, &storage(&fresh), &backup, &Progress::default()).await.expect("restore");
    assert_eq!(fresh.files_of(&ws), app.files_of(&ws), "originals, and the resized copies made again");
    let client = fresh.client();
    client.get("/login").await;
    client
        .post("/login", &[("email", "ada@example.com"), ("password", "correct horse battery")])
        .await
        .assert_status(303);
    client.post("/workspaces/switch", &[("workspace_id", &ws), ("back", "/")]).await;
    let titles = client.get("/images").await.texts(".art-grid figcaption, .art-grid .title");
    assert_eq!(titles, ada.get("/images").await.texts(".art-grid figcaption, .art-grid .title"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copying_sqlite_to_postgresql_keeps_people_pages_and_keys() {
    let mut app = TestApp::spawn(Backend::Sqlite).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = seeded(&app, &ada).await;
    ada.get("/settings/integrations").await;
    ada.post("/settings/integrations/keys/openai_api_key", &[("value", "sk-test-abcdef123456")])
        .await
        .assert_status(303);
    ada.get("/settings/integrations").await; // the flash, once
    let bob = app.signed_up("Bob", "bob@example.com").await;
    upload(&bob, "owl.png", 9).await;
    let pages = ["/images", "/collections", "/calendars", "/settings", "/team", "/settings/integrations"];
    let mut before = Vec::new();
    for (client, path) in pages.iter().flat_map(|p| [(&ada, *p), (&bob, *p)]) {
        before.push(masked(&client.get(path).await.body));
    }

    let cluster = postgres::cluster();
    let target = cluster.app_url(&cluster.create_database().await);
    let down = easel::archive::commands::copy(&app.db, "postgres://easel:secret@127.0.0.1:9/easel").await;
    let down = format!("{:#}", down.expect_err("down"));
    assert!(
        down.starts_with("cannot reach the target database") && !down.contains("secret@") && !down.contains('\n'),
        "{down}"
    );
    easel::archive::commands::copy(&app.db, &target).await.expect("copy");
    let again = easel::archive::commands::copy(&app.db, &target).await.expect_err("not empty");
    assert!(again.to_string().contains("row(s) in users"), "{again}");

    app.restart_with(|config| config.database_url = target.clone()).await;
    let secrets = easel::secrets::Secrets::from_file(&app.dir.path().join("data/secret.key")).expect("key");
    let easel::db::Db::Postgres(pool) = &app.db else { panic!("now on PostgreSQL") };
    let mut tx = pool.begin().await.expect("tx");
    sqlx::query("SELECT set_config('app.workspace_id', $1, true)").bind(&ws).execute(&mut *tx).await.expect("scope");
    let sealed: String = sqlx::query_scalar("SELECT sealed FROM workspace_secrets WHERE field = 'openai_api_key'")
        .fetch_one(&mut *tx)
        .await
        .expect("the sealed key was copied");
    let workspace = Uuid::parse_str(&ws).expect("id");
    assert_eq!(secrets.open(workspace, "openai_api_key", &sealed).expect("it opens"), "sk-test-abcdef123456");
    let mut after = Vec::new();
    let (ada, bob) = (signed_in(&app, "ada@example.com").await, signed_in(&app, "bob@example.com").await);
    ada.post("/workspaces/switch", &[("workspace_id", &ws), ("back", "/")]).await;
    for (client, path) in pages.iter().flat_map(|p| [(&ada, *p), (&bob, *p)]) {
        after.push(masked(&client.get(path).await.body));
    }
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        assert_eq!(b, a, "page {} renders the same after the move", pages[i / 2]);
    }
}

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    client.get("/login").await;
    client.post("/login", &[("email", email), ("password", "correct horse battery")]).await.assert_status(303);
    client
}

/// A page without what changes from one session to the next: CSRF tokens
/// (any long run of base64url characters).
fn masked(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut run = String::new();
    let token_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    for c in body.chars().chain(std::iter::once('\0')) {
        if token_char(c) {
            run.push(c);
            continue;
        }
        out.push_str(if run.len() >= 40 { "…" } else { &run });
        run.clear();
        if c != '\0' {
            out.push(c);
        }
    }
    out
}
