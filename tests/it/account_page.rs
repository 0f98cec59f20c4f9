//! Password reset and the account page.

use crate::{
    collections::upload,
    harness::{Backend, TestApp},
    on_both_backends,
};

on_both_backends!(
    a_password_is_reset_by_mail_and_other_sessions_end,
    forgot_password_answers_the_same_for_anyone,
    the_account_page_changes_name_password_and_sessions,
    deleting_an_account_takes_only_solo_workspaces,
    forgot_password_mails_in_the_background,
);

/// The token of the `nth` (from 1) reset link mailed to `email`, once it is there.
pub async fn reset_token(app: &TestApp, email: &str, nth: usize) -> String {
    let links = app.mailed_links(email, "/password/reset/", nth).await;
    links[nth - 1].trim_start_matches("/password/reset/").to_owned()
}

async fn a_password_is_reset_by_mail_and_other_sessions_end(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let laptop = app.signed_up("Ada", "ada@example.com").await;
    let visitor = app.client();
    visitor.get("/password/forgot").await;
    let sent = visitor.post("/password/forgot", &[("email", "ADA@example.com")]).await;
    sent.assert_status(200);
    assert!(sent.text("#reset-sent").contains("If an account exists"));
    let token = reset_token(&app, "ada@example.com", 1).await;
    let form = visitor.get(&format!("/password/reset/{token}")).await;
    assert!(form.attrs("#password", "name").len() == 1);
    visitor.post(&format!("/password/reset/{token}"), &[("password", "short")]).await.assert_status(422);
    visitor
        .post(&format!("/password/reset/{token}"), &[("password", "a brand new password")])
        .await
        .assert_redirect("/");
    visitor.get("/").await.assert_status(200);
    laptop.get("/").await.assert_redirect("/login");

    let check = app.client();
    check.get("/login").await;
    check
        .post("/login", &[("email", "ada@example.com"), ("password", "correct horse battery")])
        .await
        .assert_status(422);
    check
        .post("/login", &[("email", "ada@example.com"), ("password", "a brand new password")])
        .await
        .assert_redirect("/");

    let reused = app.client();
    reused.get(&format!("/password/reset/{token}")).await;
    let page = reused.post(&format!("/password/reset/{token}"), &[("password", "another new password")]).await;
    page.assert_status(422);
    assert!(page.text("#reset-dead").contains("already used"));

    app.client().get("/password/forgot").await;
    let again = app.client();
    again.get("/password/forgot").await;
    again.post("/password/forgot", &[("email", "ada@example.com")]).await;
    let fresh = reset_token(&app, "ada@example.com", 2).await;
    app.try_execute("UPDATE password_resets SET expires_at = created_at").await.expect("expire");
    assert!(again.get(&format!("/password/reset/{fresh}")).await.text("#reset-dead").contains("expired"));
    assert!(again.get("/password/reset/nonsense").await.text("#reset-dead").contains("not valid"));
}

async fn forgot_password_answers_the_same_for_anyone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up("Ada", "ada@example.com").await;
    let visitor = app.client();
    visitor.get("/password/forgot").await;
    let known = visitor.post("/password/forgot", &[("email", "ada@example.com")]).await;
    let unknown = visitor.post("/password/forgot", &[("email", "nobody@example.com")]).await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(known.text("#reset-sent"), unknown.text("#reset-sent"));
    reset_token(&app, "ada@example.com", 1).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM password_resets").await, 1);
}

async fn the_account_page_changes_name_password_and_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let phone = app.client();
    phone.get("/login").await;
    phone.post("/login", &[("email", "ada@example.com"), ("password", "correct horse battery")]).await;
    let page = ada.get("/account").await;
    assert!(page.text("#methods").contains("Email and password"));
    ada.post("/account", &[("name", "Ada Lovelace")]).await.assert_redirect("/account");
    assert_eq!(ada.get("/account").await.text("h1"), "Ada Lovelace");
    ada.post("/account", &[("name", " ")]).await.assert_status(422);

    let wrong = ada.post("/account/password", &[("current", "not it"), ("new", "a new password")]).await;
    wrong.assert_status(422);
    assert!(wrong.text("#password-error").contains("current password"));
    ada.post("/account/password", &[("current", "correct horse battery"), ("new", "a new password")])
        .await
        .assert_redirect("/account");
    ada.get("/").await.assert_status(200);
    phone.get("/").await.assert_redirect("/login");

    let tablet = app.client();
    tablet.get("/login").await;
    tablet.post("/login", &[("email", "ada@example.com"), ("password", "a new password")]).await;
    ada.get("/account").await;
    ada.post("/account/sessions/end-others", &[]).await.assert_redirect("/account");
    tablet.get("/").await.assert_redirect("/login");
    assert_eq!(ada.get("/").await.text(".switcher-name"), "Ada's studio", "this session lives on, in its workspace");
}

async fn deleting_an_account_takes_only_solo_workspaces(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    upload(&ada, "heron.png", 1).await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    app.add_member(&studio, "bea@example.com", "member").await;

    ada.get("/account").await;
    let refused = ada.post("/account/delete", &[("confirm_email", "ada@example.com")]).await;
    refused.assert_status(422);
    assert!(refused.text("#delete-error").contains("Ada's studio"));
    ada.post("/account/delete", &[("confirm_email", "wrong@example.com")]).await.assert_status(422);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 2);

    // Bea deletes hers: her solo studio is scheduled for deletion, Ada's shared one stays.
    let beas = bea.guards().page_workspace;
    bea.get("/account").await;
    bea.post("/account/delete", &[("confirm_email", "bea@example.com")]).await.assert_redirect("/signup");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces WHERE delete_after IS NULL").await, 1);
    assert_eq!(app.scheduled().await, 1);
    assert_eq!(app.files_of(&studio).len(), 3);
    bea.get("/").await.assert_redirect("/login");
    // Now Ada is alone in her studio and may go; once the grace period is
    // over the purge takes both studios, rows and files.
    ada.get("/account").await;
    ada.post("/account/delete", &[("confirm_email", "ada@example.com")]).await.assert_redirect("/signup");
    assert_eq!(app.scheduled().await, 2);
    app.end_grace_periods().await;
    assert_eq!(app.purge_due().await, 2);
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 0);
    assert!(!app.uploads().join(&beas).exists());
    assert!(!app.uploads().join(&studio).exists());
}

/// The reset page answers before any mail is sent, whoever asks: a held mail
/// server (as a slow one would be) does not hold the answer back, and the
/// mail still goes once the server answers.
async fn forgot_password_mails_in_the_background(backend: Backend) {
    let smtp = crate::harness::smtp::SmtpServer::start().await;
    let port = smtp.port;
    let app = TestApp::spawn_with(backend, |c| c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    app.signed_up("Ada", "ada@example.com").await;
    let before = smtp.received().len();
    smtp.hold();
    let visitor = app.client();
    visitor.get("/password/forgot").await;
    let known = visitor.post("/password/forgot", &[("email", "ada@example.com")]).await;
    known.assert_status(200);
    assert_eq!(smtp.received().len(), before, "answered while the mail server still held the mail");
    smtp.release();
    for _ in 0..400 {
        if smtp.received().iter().any(|m| m.data.contains("/password/reset/")) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the reset mail never went out");
}
