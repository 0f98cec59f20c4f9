//! CSRF: writes without our token, or from another site, change nothing.

use crate::{
    harness::{Backend, TestApp, settings},
    on_both_backends,
};

on_both_backends!(
    a_post_without_the_token_is_refused,
    a_post_from_another_site_is_refused,
    a_token_from_another_session_is_refused,
    htmx_requests_carry_the_token_in_a_header,
);

async fn a_post_without_the_token_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let page = ada.post_exactly("/workspaces", &[("name", "Forged")], &[]).await;
    page.assert_status(403);
    assert!(page.text("p.lead").contains("nothing was changed"));
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, 1);

    let visitor = app.client();
    visitor
        .post_exactly("/signup", &[("name", "Eve"), ("email", "eve@example.com"), ("password", "correct horse")], &[])
        .await
        .assert_status(403);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
}

async fn a_post_from_another_site_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/workspaces").await;
    let guards = ada.guards();
    let fields = [("csrf_token", guards.csrf_token.as_str()), ("page_workspace", ""), ("name", "Forged")];
    for headers in [
        vec![("origin", "https://evil.example")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site"), ("origin", "https://sub.example")],
        vec![("origin", "null")],
    ] {
        ada.post_exactly("/workspaces", &fields, &headers).await.assert_status(403);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, 1);

    // The same request from our own origin goes through.
    let origin = app.url("");
    ada.post_exactly("/workspaces", &fields, &[("origin", &origin), ("sec-fetch-site", "same-origin")])
        .await
        .assert_redirect("/");
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, 2);
}

async fn a_token_from_another_session_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let eve = app.signed_up("Eve", "eve@example.com").await;
    let eves = eve.guards();
    ada.post_exactly("/workspaces", &[("csrf_token", &eves.csrf_token), ("name", "Forged")], &[])
        .await
        .assert_status(403);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, 2);
}

async fn htmx_requests_carry_the_token_in_a_header(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/settings").await;
    let guards = ada.guards();
    let headers = [
        ("hx-request", "true"),
        ("x-csrf-token", guards.csrf_token.as_str()),
        ("x-easel-workspace", guards.page_workspace.as_str()),
    ];
    ada.post_exactly("/settings", &settings("Via HTMX", "UTC"), &headers).await.assert_redirect("/settings");
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_settings WHERE display_name = 'Via HTMX'").await, 1);

    // A refused HTMX request gets a toast aimed at the toast region.
    let page = ada.post_exactly("/settings", &settings("x", "UTC"), &[("hx-request", "true")]).await;
    page.assert_status(403);
    assert_eq!(page.headers.get("hx-retarget").and_then(|v| v.to_str().ok()), Some("#toasts"));
    assert!(page.body.contains("data-toast"));
}
