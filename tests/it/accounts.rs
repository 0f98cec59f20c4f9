//! Sign-up, sign-in, sign-out, sessions and where a person lands.

use crate::{
    harness::{Backend, Client, TestApp},
    on_both_backends,
};

on_both_backends!(
    signing_up_creates_the_account_and_a_personal_studio,
    signing_in_and_out,
    a_wrong_password_and_an_unknown_email_get_the_same_answer,
    an_email_can_only_have_one_account_in_any_case,
    malformed_signups_are_refused_and_change_nothing,
    the_session_cookie_changes_at_sign_in,
    an_old_cookie_is_dead_after_signing_out,
    a_signed_out_visitor_comes_back_to_the_page_they_wanted,
    next_only_accepts_local_paths,
    sign_in_is_rate_limited,
    ending_all_sessions_signs_out_every_device,
);

async fn signing_up_creates_the_account_and_a_personal_studio(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada Lovelace", "  Ada@Example.com ").await;
    let home = ada.get("/").await;
    home.assert_status(200);
    assert_eq!(home.text(".switcher-name"), "Ada Lovelace's studio");
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE email = 'ada@example.com'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships WHERE role = 'owner'").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspace_settings").await, 1);
    let list = ada.get("/workspaces").await;
    assert_eq!(list.texts("tbody tr td:nth-child(2)"), vec!["Owner"]);
}

async fn signing_in_and_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.post("/logout", &[]).await.assert_redirect("/login");
    ada.get("/").await.assert_redirect("/login");

    ada.get("/login").await.assert_status(200);
    ada.post("/login", &[("email", "ADA@example.com"), ("password", "correct horse battery")])
        .await
        .assert_redirect("/");
    ada.get("/").await.assert_status(200);
}

async fn a_wrong_password_and_an_unknown_email_get_the_same_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("Ada", "ada@example.com").await;
    let visitor = app.client();
    visitor.get("/login").await;
    let wrong = visitor.post("/login", &[("email", "ada@example.com"), ("password", "wrong password")]).await;
    let unknown = visitor.post("/login", &[("email", "nobody@example.com"), ("password", "wrong password")]).await;
    wrong.assert_status(422);
    unknown.assert_status(422);
    assert_eq!(wrong.text("[role=alert]"), unknown.text("[role=alert]"));
    visitor.get("/").await.assert_redirect("/login");
}

async fn an_email_can_only_have_one_account_in_any_case(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("Ada", "ada@example.com").await;
    let other = app.client();
    other.get("/signup").await;
    let page = other
        .post("/signup", &[("name", "Impostor"), ("email", "ADA@EXAMPLE.COM"), ("password", "another password")])
        .await;
    // The same answer as for a new account (the form tells nobody who has
    // one); the owner hears of it by mail instead.
    page.assert_redirect("/");
    assert!(!page.body.contains("already exists"));
    other.get("/").await.assert_redirect("/login");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, 1);
    let mails = app.mails_to("ada@example.com");
    assert!(mails.last().is_some_and(|m| m.contains("Someone tried to create an Easel account")), "{mails:?}");
}

async fn malformed_signups_are_refused_and_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let visitor = app.client();
    visitor.get("/signup").await;
    let long = "x".repeat(10_000);
    let cases: [(&str, &str, &str, &str); 5] = [
        ("Ada", "not-an-email", "correct horse battery", "#email-error"),
        ("Ada", "ada@example.com", "short", "#password-error"),
        ("Ada", "ada@example.com", &long, "#password-error"),
        ("   ", "ada@example.com", "correct horse battery", "#name-error"),
        ("Ada", "", "correct horse battery", "#email-error"),
    ];
    for (name, email, password, error) in cases {
        let page = visitor.post("/signup", &[("name", name), ("email", email), ("password", password)]).await;
        page.assert_status(422);
        assert!(!page.text(error).is_empty(), "expected an inline {error}");
    }
    // A form with fields missing entirely is a clear error too, never a 500.
    visitor.post("/signup", &[]).await.assert_status(422);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, 0);
}

fn session_cookie(client: &Client, app: &TestApp) -> Option<String> {
    use reqwest::cookie::CookieStore;
    let url = app.url("/").parse().expect("url");
    client.jar.cookies(&url).and_then(|v| v.to_str().ok().map(str::to_owned))
}

async fn the_session_cookie_changes_at_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("Ada", "ada@example.com").await.post("/logout", &[]).await;
    let visitor = app.client();
    visitor.get("/login").await;
    let before = session_cookie(&visitor, &app).expect("the login form starts a session");
    visitor
        .post("/login", &[("email", "ada@example.com"), ("password", "correct horse battery")])
        .await
        .assert_redirect("/");
    let after = session_cookie(&visitor, &app).expect("a signed-in session");
    assert_ne!(before, after, "the session id must be cycled at sign-in");
}

async fn an_old_cookie_is_dead_after_signing_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let cookie = session_cookie(&ada, &app).expect("cookie");
    ada.post("/logout", &[]).await.assert_redirect("/login");

    let replay = app.client();
    replay.jar.add_cookie_str(&cookie, &app.url("/").parse().expect("url"));
    replay.get("/").await.assert_redirect("/login");
}

async fn a_signed_out_visitor_comes_back_to_the_page_they_wanted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("Ada", "ada@example.com").await.post("/logout", &[]).await;
    let visitor = app.client();
    visitor.get("/workspaces?tab=all").await.assert_redirect("/login?next=%2Fworkspaces%3Ftab%3Dall");
    let form = visitor.get("/login?next=%2Fworkspaces%3Ftab%3Dall").await;
    assert_eq!(form.attrs("input[name=next]", "value"), vec!["/workspaces?tab=all"]);
    visitor
        .post(
            "/login",
            &[("email", "ada@example.com"), ("password", "correct horse battery"), ("next", "/workspaces?tab=all")],
        )
        .await
        .assert_redirect("/workspaces?tab=all");
}

async fn next_only_accepts_local_paths(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("Ada", "ada@example.com").await.post("/logout", &[]).await;
    for evil in ["//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"] {
        let visitor = app.client();
        visitor.get("/login").await;
        visitor
            .post("/login", &[("email", "ada@example.com"), ("password", "correct horse battery"), ("next", evil)])
            .await
            .assert_redirect("/");
    }
}

async fn sign_in_is_rate_limited(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.auth_limits.per_email = 3).await;
    let visitor = app.client();
    visitor.get("/login").await;
    for _ in 0..3 {
        visitor.post("/login", &[("email", "ada@example.com"), ("password", "guess guess")]).await.assert_status(422);
    }
    let page = visitor.post("/login", &[("email", "ada@example.com"), ("password", "guess guess")]).await;
    page.assert_status(429);
    assert!(page.text("h1").contains("Too many attempts"));
}

async fn ending_all_sessions_signs_out_every_device(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let laptop = app.signed_up("Ada", "ada@example.com").await;
    let phone = app.client();
    phone.get("/login").await;
    phone.post("/login", &[("email", "ada@example.com"), ("password", "correct horse battery")]).await;
    phone.get("/").await.assert_status(200);

    let id = {
        let user = easel::auth::queries::by_email(&app.db, "ada@example.com").await.expect("query").expect("user");
        user.id
    };
    easel::auth::queries::end_all_sessions(&app.db, id).await.expect("end sessions");
    laptop.get("/").await.assert_redirect("/login");
    phone.get("/").await.assert_redirect("/login");
}
