//! Sign-in with Google and GitHub, against a stand-in provider.

use crate::{
    harness::{
        Backend, Client, Page, TestApp,
        oauth::{Failure, Person, StandIn},
    },
    on_both_backends,
};

on_both_backends!(
    google_creates_an_account_and_signs_in_again,
    github_reads_the_verified_primary_email,
    a_verified_email_links_to_the_existing_account,
    an_unverified_email_never_links,
    a_forged_state_or_a_bad_verifier_changes_nothing,
    a_replayed_code_is_refused,
    denied_consent_and_broken_providers_end_on_the_login_page,
    providers_are_linked_and_unlinked_from_the_account_page,
    a_provider_sign_in_accepts_a_waiting_invitation,
    the_verified_owner_takes_over_an_unconfirmed_account,
    a_second_factor_set_up_by_the_pre_registrant_goes_with_the_take_over,
    an_unconfirmed_account_links_no_provider_for_another_address,
    providers_respect_the_signup_policy_for_new_accounts,
);

async fn app_with_providers(backend: Backend) -> (TestApp, StandIn) {
    let provider = StandIn::start().await;
    let (google, github) = (provider.config("google"), provider.config("github"));
    let app = TestApp::spawn_with(backend, move |c| {
        c.google = Some(google);
        c.github = Some(github);
    })
    .await;
    (app, provider)
}

/// The query parameters of the provider's authorize URL Easel sent us to.
fn params(page: &Page) -> std::collections::HashMap<String, String> {
    let location = page.location().expect("a redirect to the provider");
    url::Url::parse(location).expect("url").query_pairs().into_owned().collect()
}

/// Starts at `/auth/{provider}`, has `person` approve, and comes back.
async fn sign_in_with(client: &Client, provider: &StandIn, key: &str, person: Person) -> Page {
    let start = client.get(&format!("/auth/{key}")).await;
    let p = params(&start);
    assert_eq!(p["code_challenge_method"], "S256");
    let code = provider.approve(person, &p["code_challenge"], p.get("nonce").map_or("", String::as_str));
    client.get(&format!("/auth/{key}/callback?code={code}&state={}", p["state"])).await
}

async fn google_creates_an_account_and_signs_in_again(backend: Backend) {
    let (app, provider) = app_with_providers(backend).await;
    let login = app.client().get("/login").await;
    assert_eq!(login.attrs("[data-provider]", "data-provider"), vec!["google", "github"]);
    let start = app.client().get("/auth/google").await;
    let p = params(&start);
    assert!(p["scope"].contains("openid") && p["scope"].contains("email") && p["scope"].contains("profile"));
    assert!(!p["nonce"].is_empty() && !p["state"].is_empty());
    assert!(p["redirect_uri"].ends_with("/auth/google/callback"));

    let ada = app.client();
    sign_in_with(&ada, &provider, "google", Person::new("g-1", "Ada@Example.com", true)).await.assert_redirect("/");
    assert_eq!(ada.get("/").await.text(".switcher-name"), "Ada Provider's studio");
    assert_eq!(app.count("SELECT COUNT(*) FROM users WHERE password_hash IS NULL").await, 1);
    let again = app.client();
    sign_in_with(&again, &provider, "google", Person::new("g-1", "renamed@example.com", true))
        .await
        .assert_redirect("/");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1, "the identity, not the email, finds the account");
    again.get("/").await.assert_status(200);
}

async fn github_reads_the_verified_primary_email(backend: Backend) {
    let (app, provider) = app_with_providers(backend).await;
    let bea = app.client();
    sign_in_with(&bea, &provider, "github", Person::new("4242", "bea@example.com", true)).await.assert_redirect("/");
    assert_eq!(app.strings("SELECT email FROM users").await, vec!["bea@example.com"]);
    assert_eq!(app.strings("SELECT subject FROM oauth_identities").await, vec!["4242"]);
}

async fn a_verified_email_links_to_the_existing_account(backend: Backend) {
    let (app, provider) = app_with_providers(backend).await;
    app.signed_up("Ada", "ada@example.com").await;
    let client = app.client();
    sign_in_with(&client, &provider, "google", Person::new("g-9", "ada@example.com", true)).await.assert_redirect("/");
    assert_eq!(client.get("/").await.text(".switcher-name"), "Ada's studio");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM oauth_identities").await, 1);
}

async fn an_unverified_email_never_links(backend: Backend) {
    let (app, provider) = app_with_providers(backend).await;
    app.signed_up("Ada", "ada@example.com").await;
    let eve = app.client();
    sign_in_with(&eve, &provider, "github", Person::new("666", "ada@example.com", false))
        .await
        .assert_redirect("/login");
    let page = eve.get("/login").await;
    assert!(page.text(".flash-error").contains("has not verified"));
    eve.get("/").await.assert_redirect("/login");
    assert_eq!(app.count("SELECT COUNT(*) FROM oauth_identities").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
}

async fn a_forged_state_or_a_bad_verifier_changes_nothing(backend: Backend) {
    let (app, provider) = app_with_providers(backend).await;
    let client = app.client();
    let p = params(&client.get("/auth/google").await);
    let code = provider.approve(Person::new("g-1", "ada@example.com", true), &p["code_challenge"], &p["nonce"]);
    client.get(&format!("/auth/google/callback?code={code}&state=forged")).await.assert_redirect("/login");
    assert!(client.get("/login").await.text(".flash-error").contains("did not start here"));

    // A code approved for another PKCE challenge does not exchange.
    let p = params(&client.get("/auth/google").await);
    let code = provider.approve(Person::new("g-1", "ada@example.com", true), "some-other-challenge", &p["nonce"]);
    client.get(&format!("/auth/google/callback?code={code}&state={}", p["state"])).await.assert_redirect("/login");
    assert!(client.get("/login").await.text(".flash-error").contains("did not confirm"));

    // A nonce from another sign-in is refused.
    let p = params(&client.get("/auth/google").await);
    let code = provider.approve(Person::new("g-1", "ada@example.com", true), &p["code_challenge"], "another-nonce");
    client.get(&format!("/auth/google/callback?code={code}&state={}", p["state"])).await.assert_redirect("/login");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}

async fn a_replayed_code_is_refused(backend: Backend) {
    let (app, provider) = app_with_providers(backend).await;
    let first = app.client();
    let p = params(&first.get("/auth/github").await);
    let code = provider.approve(Person::new("7", "ada@example.com", true), &p["code_challenge"], "");
    first.get(&format!("/auth/github/callback?code={code}&state={}", p["state"])).await.assert_redirect("/");
    // The same callback again: the session no longer waits for it.
    first.get(&format!("/auth/github/callback?code={code}&state={}", p["state"])).await.assert_redirect("/login");
    // The same code in a new flow: the provider refuses it.
    let thief = app.client();
    let p = params(&thief.get("/auth/github").await);
    thief.get(&format!("/auth/github/callback?code={code}&state={}", p["state"])).await.assert_redirect("/login");
    thief.get("/").await.assert_redirect("/login");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
}

async fn denied_consent_and_broken_providers_end_on_the_login_page(backend: Backend) {
    let (app, provider) = app_with_providers(backend).await;
    let client = app.client();
    let p = params(&client.get("/auth/google").await);
    client
        .get(&format!("/auth/google/callback?error=access_denied&state={}", p["state"]))
        .await
        .assert_redirect("/login");
    assert!(client.get("/login").await.text(".flash-error").contains("you cancelled"));
    for failure in [Failure::ServerError, Failure::Garbage] {
        provider.fail_with(Some(failure));
        sign_in_with(&client, &provider, "google", Person::new("g-1", "ada@example.com", true))
            .await
            .assert_redirect("/login");
        assert!(client.get("/login").await.text(".flash-error").contains("did not confirm"));
    }
    provider.fail_with(None);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    app.client().get("/auth/myspace").await.assert_status(404);
}

async fn providers_are_linked_and_unlinked_from_the_account_page(backend: Backend) {
    let (app, provider) = app_with_providers(backend).await;
    // Someone who only ever used Google cannot unlink it...
    let gina = app.client();
    sign_in_with(&gina, &provider, "google", Person::new("g-5", "gina@example.com", true)).await;
    let account = gina.get("/account").await;
    assert_eq!(account.attrs("[data-linked]", "data-linked"), vec!["google"]);
    gina.post("/account/identities/google/unlink", &[]).await.assert_status(400);
    // ...until she links GitHub too (or sets a password).
    let start = gina.get("/auth/github?link=1").await;
    let p = params(&start);
    let code = provider.approve(Person::new("55", "gina@work.example", true), &p["code_challenge"], "");
    gina.get(&format!("/auth/github/callback?code={code}&state={}", p["state"])).await.assert_redirect("/account");
    let account = gina.get("/account").await;
    assert_eq!(account.attrs("[data-linked]", "data-linked"), vec!["github", "google"]);
    gina.post("/account/identities/google/unlink", &[]).await.assert_redirect("/account");
    assert_eq!(app.strings("SELECT provider FROM oauth_identities").await, vec!["github"]);
    gina.post("/account/password", &[("current", ""), ("new", "now with a password")])
        .await
        .assert_redirect("/account");
    gina.get("/account").await;
    gina.post("/account/identities/github/unlink", &[]).await.assert_redirect("/account");
    assert_eq!(app.count("SELECT COUNT(*) FROM oauth_identities").await, 0);
}

async fn a_provider_sign_in_accepts_a_waiting_invitation(backend: Backend) {
    let (app, provider) = app_with_providers(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/team").await;
    ada.post("/team/invites", &[("email", "bea@example.com"), ("role", "member")]).await;
    let bea = app.client();
    sign_in_with(&bea, &provider, "google", Person::new("g-2", "bea@example.com", true)).await.assert_redirect("/");
    assert_eq!(bea.get("/").await.text(".switcher-name"), "Ada's studio");
    assert_eq!(app.count("SELECT COUNT(*) FROM workspaces").await, 1, "no stray studio");
}

async fn the_verified_owner_takes_over_an_unconfirmed_account(backend: Backend) {
    let (app, provider) = app_with_providers(backend).await;
    // Eve signs up first with Ada's address and keeps a session open.
    let eve = app.signed_up_unconfirmed("Eve", "ada@example.com").await;
    let ada = app.client();
    sign_in_with(&ada, &provider, "google", Person::new("g-ada", "ada@example.com", true)).await.assert_redirect("/");
    let home = ada.get("/").await;
    assert!(home.text(".flash").contains("password, two-factor and any other"), "{}", home.body);
    assert!(home.texts("#verify-banner").is_empty(), "Google verified the address");
    eve.get("/").await.assert_redirect("/login");
    let again = app.client();
    again.get("/login").await;
    again
        .post("/login", &[("email", "ada@example.com"), ("password", "correct horse battery")])
        .await
        .assert_status(422);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE password_hash IS NULL AND email_verified_at IS NOT NULL").await,
        1
    );
    assert_eq!(app.strings("SELECT subject FROM oauth_identities").await, vec!["g-ada"]);
    let audit = app.strings("SELECT action || '|' || actor_email FROM platform_audit").await;
    assert_eq!(audit, vec!["account.claimed|ada@example.com"]);
}

async fn a_second_factor_set_up_by_the_pre_registrant_goes_with_the_take_over(backend: Backend) {
    let (app, provider) = app_with_providers(backend).await;
    let eve = app.signed_up_unconfirmed("Eve", "ada@example.com").await;
    crate::two_factor::enrol(&eve).await;
    let ada = app.client();
    sign_in_with(&ada, &provider, "google", Person::new("g-ada", "ada@example.com", true)).await.assert_redirect("/");
    ada.get("/").await.assert_status(200);
    assert_eq!(app.count("SELECT COUNT(*) FROM two_factor").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM two_factor_recovery_codes").await, 0);
}

async fn an_unconfirmed_account_links_no_provider_for_another_address(backend: Backend) {
    let (app, provider) = app_with_providers(backend).await;
    let eve = app.signed_up_unconfirmed("Eve", "boss@example.com").await;
    let p = params(&eve.get("/auth/github?link=1").await);
    let code = provider.approve(Person::new("66", "eve@evil.example", true), &p["code_challenge"], "");
    eve.get(&format!("/auth/github/callback?code={code}&state={}", p["state"])).await.assert_redirect("/account");
    assert!(eve.get("/account").await.text(".flash-error").contains("Confirm your email address first"));
    assert_eq!(app.count("SELECT COUNT(*) FROM oauth_identities").await, 0);
}

async fn providers_respect_the_signup_policy_for_new_accounts(backend: Backend) {
    let provider = StandIn::start().await;
    let google = provider.config("google");
    let app = TestApp::spawn_with(backend, move |c| {
        c.google = Some(google);
        c.signup = easel::config::SignupPolicy::Invite;
    })
    .await;
    let stranger = app.client();
    sign_in_with(&stranger, &provider, "google", Person::new("g-x", "x@example.com", true))
        .await
        .assert_redirect("/login");
    assert!(stranger.get("/login").await.text(".flash-error").contains("needs an invitation"));
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
}
