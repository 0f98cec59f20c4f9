//! Verified emails: the mailed link, what an unconfirmed account may not do,
//! what else proves an address, and password reset links.

use crate::{
    account_page::reset_token,
    harness::{Backend, Client, TestApp},
    on_both_backends,
};

on_both_backends!(
    signing_up_mails_a_single_use_link_that_only_the_account_can_use,
    a_new_link_can_be_mailed_a_few_times,
    an_unconfirmed_account_cannot_accept_an_invitation,
    signing_up_from_an_invitation_confirms_the_address,
    a_password_reset_confirms_the_address_and_kills_the_other_links,
    a_password_change_kills_unused_reset_links,
    admin_emails_make_only_confirmed_accounts_admins,
);

async fn verified(app: &TestApp, email: &str) -> bool {
    app.count(&format!("SELECT COUNT(*) FROM users WHERE email = '{email}' AND email_verified_at IS NOT NULL")).await
        == 1
}

/// Invites `email` from the team page and returns the link's path.
async fn invite(client: &Client, email: &str) -> String {
    client.get("/team").await;
    client.post("/team/invites", &[("email", email), ("role", "member")]).await.assert_redirect("/team");
    let flash = client.get("/team").await.text(".flash");
    let at = flash.find("/invites/").unwrap_or_else(|| panic!("no link in: {flash}"));
    flash[at..at + 9 + 43].to_owned()
}

async fn signing_up_mails_a_single_use_link_that_only_the_account_can_use(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up_unconfirmed("Ada", "ada@example.com").await;
    assert!(!verified(&app, "ada@example.com").await);
    assert!(ada.get("/").await.text("#verify-banner").contains("confirm ada@example.com"));
    assert!(ada.get("/account").await.text("#email-status").contains("not confirmed"));
    let link = app.mailed_link("ada@example.com", "/verify/").await;

    // Whoever reads the mail but is not signed in to the account cannot use it:
    // a stranger's sign-up must not be confirmed by the address's owner.
    let owner = app.client();
    assert!(owner.get(&link).await.text("#verify").contains("Sign in to confirm"));
    owner.post(&link, &[]).await.assert_redirect("/login");
    let bea = app.signed_up("Bea", "bea@example.com").await;
    assert!(bea.get(&link).await.text("#verify").contains("for another account"));
    bea.post(&link, &[]).await.assert_redirect(&link);
    assert!(!verified(&app, "ada@example.com").await);

    ada.get(&link).await.assert_status(200);
    ada.post(&link, &[]).await.assert_redirect("/");
    assert!(verified(&app, "ada@example.com").await);
    let home = ada.get("/").await;
    assert!(home.texts("#verify-banner").is_empty(), "the banner goes once confirmed");
    assert!(ada.get("/account").await.text("#email-status").contains("confirmed"));
    assert!(ada.get(&link).await.text("#verify-dead").contains("already used"));
    app.try_execute("UPDATE email_verifications SET used_at = NULL, expires_at = created_at").await.expect("expire");
    assert!(ada.get(&link).await.text("#verify-dead").contains("expired"));
    assert!(ada.get("/verify/nonsense").await.text("#verify-dead").contains("not valid"));
}

async fn a_new_link_can_be_mailed_a_few_times(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up_unconfirmed("Ada", "ada@example.com").await;
    for sent in 2..=4 {
        ada.get("/account").await;
        ada.post("/account/verify/resend", &[("back", "/account")]).await.assert_redirect("/account");
        assert_eq!(app.mailed_links("ada@example.com", "/verify/", sent).await.len(), sent);
    }
    ada.get("/account").await;
    ada.post("/account/verify/resend", &[("back", "/account")]).await.assert_status(429);
    assert_eq!(app.mails_to("ada@example.com").len(), 4, "no mail past the limit");
    // The newest link works; following it uses up the older ones too.
    let links = app.mailed_links("ada@example.com", "/verify/", 4).await;
    ada.get(&links[3]).await;
    ada.post(&links[3], &[]).await.assert_redirect("/");
    assert!(ada.get(&links[0]).await.text("#verify-dead").contains("already used"));
}

async fn an_unconfirmed_account_cannot_accept_an_invitation(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let eve = app.signed_up_unconfirmed("Eve", "eve@example.com").await;
    let link = invite(&ada, "eve@example.com").await;
    let page = eve.get(&link).await;
    assert!(page.text("#invitation").contains("Confirm your email address first"), "{}", page.body);
    eve.post(&format!("{link}/accept"), &[]).await.assert_status(403);
    // Signing in from the invitation does not accept it either.
    eve.post("/logout", &[]).await;
    eve.get("/login").await;
    eve.post("/login", &[("email", "eve@example.com"), ("password", "correct horse battery"), ("next", &link)])
        .await
        .assert_redirect(&link);
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships WHERE role = 'member'").await, 0);

    app.confirm_email(&eve, "eve@example.com").await;
    eve.get(&link).await;
    eve.post(&format!("{link}/accept"), &[]).await.assert_redirect("/");
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships WHERE role = 'member'").await, 1);
}

async fn signing_up_from_an_invitation_confirms_the_address(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let link = invite(&ada, "bea@example.com").await;
    let token = link.trim_start_matches("/invites/");
    let bea = app.client();
    bea.get(&format!("/signup?invite={token}")).await;
    bea.post(
        "/signup",
        &[("name", "Bea"), ("email", "bea@example.com"), ("password", "correct horse battery"), ("invite", token)],
    )
    .await
    .assert_redirect("/");
    assert!(verified(&app, "bea@example.com").await, "an invited person is never asked twice");
    assert!(bea.get("/").await.texts("#verify-banner").is_empty());
    assert!(app.mails_to("bea@example.com").iter().all(|m| !m.contains("/verify/")));
}

async fn a_password_reset_confirms_the_address_and_kills_the_other_links(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.signed_up_unconfirmed("Ada", "ada@example.com").await;
    let visitor = app.client();
    for _ in 0..2 {
        visitor.get("/password/forgot").await;
        visitor.post("/password/forgot", &[("email", "ada@example.com")]).await.assert_status(200);
    }
    let first = reset_token(&app, "ada@example.com", 1).await;
    let second = reset_token(&app, "ada@example.com", 2).await;
    visitor.get(&format!("/password/reset/{second}")).await;
    visitor
        .post(&format!("/password/reset/{second}"), &[("password", "a brand new password")])
        .await
        .assert_redirect("/");
    assert!(verified(&app, "ada@example.com").await, "the reset link was mailed to the address");
    let page = visitor.get(&format!("/password/reset/{first}")).await;
    assert!(page.text("#reset-dead").contains("already used"), "an older link dies with the reset");
    visitor
        .post(&format!("/password/reset/{first}"), &[("password", "the attackers password")])
        .await
        .assert_status(422);
}

async fn a_password_change_kills_unused_reset_links(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let visitor = app.client();
    visitor.get("/password/forgot").await;
    visitor.post("/password/forgot", &[("email", "ada@example.com")]).await;
    let token = reset_token(&app, "ada@example.com", 1).await;
    ada.get("/account").await;
    ada.post("/account/password", &[("current", "correct horse battery"), ("new", "a new password")])
        .await
        .assert_redirect("/account");
    let page = visitor.get(&format!("/password/reset/{token}")).await;
    assert!(page.text("#reset-dead").contains("already used"));
}

async fn admin_emails_make_only_confirmed_accounts_admins(backend: Backend) {
    let mut app =
        TestApp::spawn_with(backend, |c| c.admin_emails = vec!["boss@example.com".into(), "oz@example.com".into()])
            .await;
    // Someone signs up first with the address the operator named...
    let squatter = app.signed_up_unconfirmed("Boss", "boss@example.com").await;
    let oz = app.signed_up_unconfirmed("Oz", "oz@example.com").await;
    app.restart_with(|c| c.admin_emails = vec!["boss@example.com".into(), "oz@example.com".into()]).await;
    let squatter_again = app.client();
    squatter_again.get("/login").await;
    squatter_again.post("/login", &[("email", "boss@example.com"), ("password", "correct horse battery")]).await;
    squatter_again.get("/admin").await.assert_status(404);
    drop(squatter);
    // ...and the one who confirms the address becomes an admin at once.
    let oz_again = app.client();
    oz_again.get("/login").await;
    oz_again.post("/login", &[("email", "oz@example.com"), ("password", "correct horse battery")]).await;
    oz_again.get("/admin").await.assert_status(404);
    app.confirm_email(&oz_again, "oz@example.com").await;
    oz_again.get("/admin").await.assert_status(200);
    drop(oz);
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE is_platform_admin").await, 1);
}
