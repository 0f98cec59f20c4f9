//! Health, headers, error pages, migrations and the command line.

use std::process::Command;

use crate::{
    harness::{Backend, TestApp},
    on_both_backends,
};

on_both_backends!(
    health_answers_ok_while_the_database_answers,
    pages_carry_the_security_headers,
    unknown_pages_get_a_friendly_404_with_a_reference,
    a_signed_out_htmx_request_is_sent_to_sign_in_with_a_full_page_load,
    unreadable_forms_get_a_clear_error_not_a_500,
);

async fn health_answers_ok_while_the_database_answers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let page = app.client().get("/healthz").await;
    page.assert_status(200);
    assert_eq!(page.body, "ok");
}

async fn pages_carry_the_security_headers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let page = app.client().get("/login").await;
    let header = |name: &str| page.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(header("content-security-policy").contains("default-src 'self'"));
    assert!(header("content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "same-origin");
    assert!(!header("x-request-id").is_empty());
    assert!(page.attrs("[data-provider]", "data-provider").is_empty(), "no provider buttons unless configured");
    let cookie = header("set-cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http must not get Secure cookies");
}

async fn unknown_pages_get_a_friendly_404_with_a_reference(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let page = app.client().get("/no/such/page").await;
    page.assert_status(404);
    assert_eq!(page.text("h1"), "Not found");
    let reference = page.headers.get("x-request-id").and_then(|v| v.to_str().ok()).expect("request id").to_owned();
    assert!(page.body.contains(&reference));
    assert!(page.headers["content-type"].to_str().expect("type").starts_with("text/html"));
}

async fn a_signed_out_htmx_request_is_sent_to_sign_in_with_a_full_page_load(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let page = app.client().send(reqwest::Method::GET, "/settings", None, &[("hx-request", "true")]).await;
    page.assert_status(200);
    assert_eq!(page.headers.get("hx-redirect").and_then(|v| v.to_str().ok()), Some("/login?next=%2Fsettings"));
}

async fn unreadable_forms_get_a_clear_error_not_a_500(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let guards = ada.guards();
    let page = ada
        .send(
            reqwest::Method::POST,
            "/workspaces",
            None,
            &[("x-csrf-token", &guards.csrf_token), ("content-type", "application/json")],
        )
        .await;
    assert!(page.status >= 400 && page.status < 500, "got {}", page.status);
    assert!(page.body.contains("That did not work"));
}

#[test]
fn both_backends_have_the_same_migrations() {
    let names = |dir: &str| {
        let mut names: Vec<String> = std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
            .expect("migrations folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
}

fn easel(args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_easel")).args(args).envs(envs.iter().copied()).output().expect("run easel")
}

#[test]
fn the_command_line_explains_itself() {
    let help = easel(&["--help"], &[]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("serve") && text.contains("migrate"), "{text}");
}

#[test]
fn migrate_creates_the_database_and_exits() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/nested/easel.db", dir.path().display());
    let data = dir.path().join("data").display().to_string();
    let out = easel(&["migrate"], &[("DATABASE_URL", &url), ("EASEL_DATA_DIR", &data)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("nested/easel.db").exists());
}

#[test]
fn a_malformed_master_key_stops_start_up_with_one_clear_line() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/easel.db", dir.path().display());
    let data = dir.path().join("data").display().to_string();
    let out =
        easel(&["migrate"], &[("DATABASE_URL", &url), ("EASEL_DATA_DIR", &data), ("EASEL_SECRET_KEY", "k1:too-short")]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("EASEL_SECRET_KEY"), "{err}");
    // Without the variable, a private key file is made on first run.
    let out = easel(&["migrate"], &[("DATABASE_URL", &url), ("EASEL_DATA_DIR", &data)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("data/secret.key").exists());
}

#[test]
fn a_bad_setting_stops_start_up_with_one_clear_line() {
    let out = easel(&["migrate"], &[("EASEL_BIND", "everywhere")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("EASEL_BIND"), "{err}");
}
