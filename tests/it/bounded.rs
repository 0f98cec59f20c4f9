//! Work a stranger can make unbounded (issue 13 §4), on both backends:
//! huge sign-in emails and the limiter's memory, bulk forms naming too many
//! ids, uploads over the plan or the pixel limit, the connection cap, and
//! page views that must not write a session row.

use std::time::Duration;

use easel::db::Db;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::{
    harness::{Backend, Client, TestApp, art, process::RawUpload},
    on_both_backends,
};

on_both_backends!(
    huge_emails_are_refused_first_and_the_limiter_stays_under_its_cap,
    bulk_forms_naming_more_than_500_ids_are_refused_and_change_nothing,
    a_full_plan_refuses_an_upload_before_its_body_is_read,
    images_and_logos_over_the_pixel_limit_are_refused_with_422,
    anonymous_page_views_write_no_session_row,
    connections_past_the_cap_wait_until_one_closes,
);

async fn session_rows(app: &TestApp) -> i64 {
    match app.db {
        Db::Sqlite(_) => app.count("SELECT COUNT(*) FROM tower_sessions").await,
        Db::Postgres(_) => app.count("SELECT COUNT(*) FROM tower_sessions.session").await,
    }
}

/// 2,000 sign-in attempts with distinct 100 KB emails are each a 422 before
/// any other work (no 429: they are not even counted), and 800 password
/// reset requests for distinct addresses leave the limiter at its cap of 500.
async fn huge_emails_are_refused_first_and_the_limiter_stays_under_its_cap(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.bounds.limiter_keys = 500;
        c.auth_limits.per_address = 100_000;
    })
    .await;
    let visitor = app.client();
    visitor.get("/login").await.assert_status(200);
    let padding = "x".repeat(100 * 1024);
    for n in 0..2_000 {
        let email = format!("{n}{padding}@example.com");
        let page = visitor.post("/login", &[("email", &email), ("password", "wrong")]).await;
        assert_eq!(page.status, 422, "attempt {n}: {}", &page.body[..page.body.len().min(500)]);
        assert!(page.body.contains("at most 254 characters"), "attempt {n}");
        assert!(!page.body.contains(&padding[..1000]), "the email is not echoed back");
        assert!(app.rate_limiter.len().await <= app.rate_limiter.max_keys());
    }
    visitor.get("/password/forgot").await.assert_status(200);
    for n in 0..800 {
        let email = format!("someone-{n}@example.com");
        visitor.post("/password/forgot", &[("email", &email)]).await.assert_status(200);
        assert!(app.rate_limiter.len().await <= 500, "after {n}: {} keys", app.rate_limiter.len().await);
    }
    assert_eq!(app.rate_limiter.len().await, 500, "the cap is reached and held");
}

/// A form of 501 ids (one real image, 500 made up) is a 422 that says the
/// limit; nothing is tagged, collected or deleted. 500 is still fine.
async fn bulk_forms_naming_more_than_500_ids_are_refused_and_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/images").await;
    let page = ada.upload("/images", &[("heron.png", art::png(1))]).await;
    page.assert_status(200);
    let real = page.attrs(".upload-added a", "href")[0].trim_start_matches("/images/").to_owned();
    ada.get("/collections").await;
    let created = ada.post("/collections", &[("name", "Birds"), ("description", "")]).await;
    created.assert_status(303);
    let collection_id = created.location().expect("the new collection").to_owned();

    let mut ids: Vec<String> = (0..500).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    ids.push(real.clone());
    let with = |extra: &[(&'static str, &str)], ids: &[String]| {
        let mut fields: Vec<(&str, String)> = extra.iter().map(|(k, v)| (*k, v.to_string())).collect();
        fields.extend(ids.iter().map(|id| ("ids", id.clone())));
        fields
    };
    ada.get("/images").await;
    for action in [vec![("action", "tag"), ("tags", "heron")], vec![("action", "delete"), ("confirm", "yes")]] {
        let fields = with(&action, &ids);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let page = ada.post("/images/bulk", &fields).await;
        page.assert_status(422);
        assert!(page.body.contains("at most 500"), "{}", page.body);
    }
    let fields = with(&[], &ids);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ada.post(&format!("{collection_id}/images"), &fields).await.assert_status(422);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 1, "nothing deleted");
    assert_eq!(app.count("SELECT COUNT(*) FROM image_tags").await, 0, "nothing tagged");
    assert_eq!(app.count("SELECT COUNT(*) FROM collection_images").await, 0, "nothing collected");

    // The real image alone still works.
    ada.get("/images").await;
    let page = ada.post("/images/bulk", &[("action", "tag"), ("tags", "heron"), ("ids", &real)]).await;
    page.assert_status(303);
    assert_eq!(app.count("SELECT COUNT(*) FROM image_tags").await, 1);
}

/// Sends a request head and only the first part of its body, then reads
/// whatever the server answers (at most 30 s): the status, or `None` if it
/// never answered.
async fn answer_to_half_a_body(addr: std::net::SocketAddr, upload: &RawUpload) -> Option<(u16, String)> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.ok()?;
        stream.write_all(&upload.head).await.ok()?;
        stream.write_all(&upload.body[..upload.body.len() / 4]).await.ok()?;
        let mut raw = Vec::new();
        let mut buf = [0u8; 8192];
        // Read until the server closes (it answers with `Connection: close`).
        while let Ok(n) = stream.read(&mut buf).await {
            if n == 0 {
                break;
            }
            raw.extend_from_slice(&buf[..n]);
        }
        let text = String::from_utf8_lossy(&raw).into_owned();
        let status = text.split_whitespace().nth(1)?.parse().ok()?;
        Some((status, text))
    };
    tokio::time::timeout(Duration::from_secs(30), exchange).await.ok().flatten()
}

/// A workspace whose plan has no room left gets its 422 while the upload's
/// body is still on its way: nothing is read or written to disk first.
async fn a_full_plan_refuses_an_upload_before_its_body_is_read(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = ada.guards().page_workspace;
    app.try_execute("UPDATE workspaces SET custom_max_images = 0").await.expect("a full plan");
    ada.get("/images").await;
    let picture = art::noisy_png(400, 300, 3);
    let upload = RawUpload::new(&ada, &app.url(""), &[("heron.png", &picture)]);
    let (status, text) = answer_to_half_a_body(app.addr, &upload).await.expect("an answer before the whole body");
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("limit of 0 images"), "{text}");
    assert!(app.files_of(&ws).is_empty(), "{:?}", app.files_of(&ws));
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 0);
}

/// With a 1-megapixel limit, a 2-megapixel picture is refused with a 422
/// naming the limit, as artwork and as a logo; a small one still works.
async fn images_and_logos_over_the_pixel_limit_are_refused_with_422(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.bounds.max_pixels = 1_000_000).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = ada.guards().page_workspace;
    let big = art::encode(&art::picture(2000, 1000, 5), image::ImageFormat::Png);
    ada.get("/images").await;
    let page = ada.upload("/images", &[("wide.png", big.clone())]).await;
    page.assert_status(422);
    assert!(page.text(".upload-refused").contains("the limit is 1 megapixels"), "{}", page.body);
    let bomb = ada.upload("/images", &[("bomb.png", art::png_claiming(10_000, 10_000))]).await;
    bomb.assert_status(422);
    assert!(app.files_of(&ws).is_empty(), "{:?}", app.files_of(&ws));

    ada.get("/settings/branding").await;
    let logo = ada.upload_as("/settings/branding/logo", "logo", &[("logo.png", big)]).await;
    logo.assert_status(422);
    assert!(logo.body.contains("the limit is 1 megapixels"), "{}", logo.body);
    assert_eq!(app.strings("SELECT logo FROM workspaces").await.concat(), "");

    ada.get("/images").await;
    ada.upload("/images", &[("small.png", art::png(2))]).await.assert_status(200);
}

/// Looking at the sign-in, sign-up and forgotten-password pages (and a
/// failed sign-in) writes no session row; signing up still works, with the
/// visitor's signed cookie, and a token without its cookie is refused.
async fn anonymous_page_views_write_no_session_row(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let before = session_rows(&app).await;
    let regular = app.client();
    for n in 0..10 {
        for path in ["/login", "/signup", "/password/forgot"] {
            regular.get(path).await.assert_status(200);
            app.client().get(path).await.assert_status(200);
        }
        let page = regular.post("/login", &[("email", &format!("no-{n}@example.com")), ("password", "nope")]).await;
        page.assert_status(422);
    }
    assert_eq!(session_rows(&app).await, before, "a visitor's page views wrote session rows");

    // The form token works only with the cookie it was made for.
    let token = regular.guards().csrf_token;
    let stranger = Client::new(app.url(""));
    let forged = stranger
        .post_exactly("/login", &[("csrf_token", &token), ("email", "a@example.com"), ("password", "x")], &[])
        .await;
    forged.assert_status(403);

    app.signed_up("Ada", "ada@example.com").await;
    assert_eq!(session_rows(&app).await, before + 1, "signing in starts one session");
}

/// With a cap of two connections, two silent clients hold both places: a
/// third request waits, and is answered as soon as one of them leaves.
async fn connections_past_the_cap_wait_until_one_closes(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.bounds.max_connections = 2).await;
    let first = TcpStream::connect(app.addr).await.expect("first");
    let _second = TcpStream::connect(app.addr).await.expect("second");
    let request = async {
        let mut third = TcpStream::connect(app.addr).await.expect("third");
        third.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.expect("send");
        let mut raw = Vec::new();
        third.read_to_end(&mut raw).await.expect("read");
        String::from_utf8_lossy(&raw).into_owned()
    };
    tokio::pin!(request);
    let early = tokio::time::timeout(Duration::from_secs(1), &mut request).await;
    assert!(early.is_err(), "a third connection was served past the cap: {early:?}");
    drop(first);
    let answer = tokio::time::timeout(Duration::from_secs(30), request).await.expect("served once a place freed");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}
