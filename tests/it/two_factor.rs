//! Two-factor sign-in: enrolling, the code step after a password, a
//! provider or a reset, recovery codes, turning it off, and the operator's
//! rule (`EASEL_REQUIRE_2FA`).

use easel::config::TwoFactorRule;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::{
    harness::{
        Backend, Client, Page, TestApp,
        oauth::{Person, StandIn},
    },
    on_both_backends,
};

on_both_backends!(
    enrolling_shows_a_qr_code_and_ten_recovery_codes_kept_only_as_hashes,
    sign_in_asks_for_a_code_and_refuses_a_wrong_or_replayed_one,
    a_half_signed_in_session_reaches_nothing_that_needs_a_person,
    a_recovery_code_works_once,
    turning_it_off_needs_the_password_and_a_code,
    the_staff_rule_sends_owners_to_enrol_before_anything_else,
    the_admins_rule_covers_platform_admins_only,
    a_provider_sign_in_also_asks_for_the_code,
    a_password_reset_still_asks_for_the_code,
    code_attempts_are_rate_limited,
);

const PASSWORD: &str = "correct horse battery";

/// The code an authenticator app shows `steps_ahead` time steps from now.
fn code(secret: &str, steps_ahead: u64) -> String {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().expect("a base32 secret");
    let totp = TOTP::new(Algorithm::SHA1, 6, 0, 30, bytes, None, "test".into()).expect("totp");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    totp.generate(now + 30 * steps_ahead)
}

/// Sets up two-factor from the account page; the secret and the recovery codes.
pub async fn enrol(client: &Client) -> (String, Vec<String>) {
    client.get("/account/two-factor").await.assert_status(200);
    client.post("/account/two-factor/start", &[]).await.assert_redirect("/account/two-factor");
    let page = client.get("/account/two-factor").await;
    let secret = page.attrs("#totp-secret", "data-secret").pop().expect("the secret shown as text");
    let shown = client.post("/account/two-factor/confirm", &[("code", &code(&secret, 0))]).await;
    shown.assert_status(200);
    (secret, shown.texts("#recovery-codes li"))
}

/// A person who signed up (without assuming where the app sends them next).
async fn signed_up(app: &TestApp, name: &str, email: &str) -> Client {
    let client = app.client();
    client.get("/signup").await;
    let page = client.post("/signup", &[("name", name), ("email", email), ("password", PASSWORD)]).await;
    assert_eq!(page.status, 303, "signup should redirect: {}", page.body);
    client
}

/// The password step on a fresh browser; the answer to it.
async fn password_step(app: &TestApp, email: &str) -> (Client, Page) {
    let client = app.client();
    client.get("/login").await;
    let page = client.post("/login", &[("email", email), ("password", PASSWORD)]).await;
    (client, page)
}

/// The code step: reads the code page (for its form guard), then sends `typed`.
async fn give_code(client: &Client, typed: &str) -> Page {
    client.get("/login/code").await.assert_status(200);
    client.post("/login/code", &[("code", typed)]).await
}

async fn enrolling_shows_a_qr_code_and_ten_recovery_codes_kept_only_as_hashes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    assert!(ada.get("/account").await.text("#two-factor").contains("Off"));
    ada.get("/account/two-factor").await;
    ada.post("/account/two-factor/start", &[]).await;
    let page = ada.get("/account/two-factor").await;
    assert_eq!(page.texts("#totp-qr svg").len(), 1, "the QR code is drawn in the page");
    assert!(!page.body.contains("<img"), "no image from elsewhere");
    let secret = page.attrs("#totp-secret", "data-secret").pop().expect("secret");
    assert_eq!(page.text("#totp-secret").replace(' ', ""), secret);

    let wrong = ada.post("/account/two-factor/confirm", &[("code", "000000")]).await;
    wrong.assert_status(422);
    assert!(wrong.text("#two-factor-error").contains("does not match"));
    assert_eq!(app.count("SELECT COUNT(*) FROM two_factor WHERE confirmed_at IS NOT NULL").await, 0);

    let shown = ada.post("/account/two-factor/confirm", &[("code", &code(&secret, 0))]).await;
    shown.assert_status(200);
    let codes = shown.texts("#recovery-codes li");
    assert_eq!(codes.len(), 10);
    assert_eq!(app.count("SELECT COUNT(*) FROM two_factor WHERE confirmed_at IS NOT NULL").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM two_factor_recovery_codes WHERE used_at IS NULL").await, 10);
    let stored = app.strings("SELECT code_hash FROM two_factor_recovery_codes").await;
    assert!(codes.iter().all(|c| !stored.iter().any(|h| h.contains(c.as_str()))), "codes are stored hashed");
    let sealed = app.strings("SELECT secret_sealed FROM two_factor").await.pop().expect("secret row");
    assert!(sealed.starts_with("v1:") && !sealed.contains(&secret), "the secret is sealed");

    let after = ada.get("/account/two-factor").await;
    assert_eq!(after.text("#recovery-left"), "10");
    assert!(after.texts("#totp-secret").is_empty(), "the secret is not shown again");
    assert!(ada.get("/account").await.text("#two-factor").contains("On"));
}

async fn sign_in_asks_for_a_code_and_refuses_a_wrong_or_replayed_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let (secret, _) = enrol(&ada).await;

    let (laptop, page) = password_step(&app, "ada@example.com").await;
    page.assert_redirect("/login/code");
    let wrong = give_code(&laptop, "123456").await;
    wrong.assert_status(422);
    assert!(wrong.text("#code-error").contains("not right"));
    let fresh = code(&secret, 1);
    give_code(&laptop, &fresh).await.assert_redirect("/");
    laptop.get("/").await.assert_status(200);

    // The same code again, from another browser, within its window: refused.
    let (phone, page) = password_step(&app, "ada@example.com").await;
    page.assert_redirect("/login/code");
    give_code(&phone, &fresh).await.assert_status(422);
    phone.get("/").await.assert_redirect("/login");
}

async fn a_half_signed_in_session_reaches_nothing_that_needs_a_person(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    ada.get("/").await.assert_status(200);
    let workspace_id = ada.guards().page_workspace;
    assert!(!workspace_id.is_empty());
    enrol(&ada).await;

    let (half, page) = password_step(&app, "ada@example.com").await;
    page.assert_redirect("/login/code");
    half.get("/").await.assert_redirect("/login");
    half.get("/images").await.assert_redirect("/login?next=%2Fimages");
    for path in ["/calendars", "/collections", "/team", "/settings", "/account", "/workspaces", "/account/two-factor"] {
        let page = half.get(path).await;
        assert_eq!(page.status, 303, "{path} must not open half signed in");
        assert!(page.location().unwrap_or_default().starts_with("/login"), "{path} goes to sign-in");
    }
    half.get("/login/code").await.assert_status(200);
    let switch = half.post("/workspaces/switch", &[("workspace_id", &workspace_id)]).await;
    assert_eq!(switch.status, 303);
    assert!(switch.location().unwrap_or_default().starts_with("/login"));
    // Nothing to see on the code page without a password step first.
    let stranger = app.client();
    stranger.get("/login/code").await.assert_redirect("/login");
}

async fn a_recovery_code_works_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let (secret, codes) = enrol(&ada).await;

    let (laptop, _) = password_step(&app, "ada@example.com").await;
    give_code(&laptop, &codes[3].to_uppercase()).await.assert_redirect("/");
    assert!(laptop.get("/").await.text(".flash").contains("9 left"));
    assert_eq!(app.count("SELECT COUNT(*) FROM two_factor_recovery_codes WHERE used_at IS NULL").await, 9);

    let (again, _) = password_step(&app, "ada@example.com").await;
    give_code(&again, &codes[3]).await.assert_status(422);
    again.get("/").await.assert_redirect("/login");

    // New codes need a code from the app (a recovery code will not do, and
    // is not used up by trying), and they replace the old ones.
    ada.get("/account/two-factor").await;
    ada.post("/account/two-factor/recovery-codes", &[("code", &codes[4])]).await.assert_status(422);
    assert_eq!(app.count("SELECT COUNT(*) FROM two_factor_recovery_codes WHERE used_at IS NULL").await, 9);
    let shown = ada.post("/account/two-factor/recovery-codes", &[("code", &code(&secret, 1))]).await;
    let fresh = shown.assert_status(200).texts("#recovery-codes li");
    assert_eq!(fresh.len(), 10);
    give_code(&again, &codes[4]).await.assert_status(422);
    give_code(&again, &fresh[0]).await.assert_redirect("/");
}

async fn turning_it_off_needs_the_password_and_a_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let (secret, _) = enrol(&ada).await;
    let next = code(&secret, 1);

    ada.get("/account/two-factor").await;
    let no_password = ada.post("/account/two-factor/disable", &[("password", "not it"), ("code", &next)]).await;
    no_password.assert_status(422);
    assert!(no_password.text("#two-factor-error").contains("password"));
    let no_code = ada.post("/account/two-factor/disable", &[("password", PASSWORD), ("code", "000000")]).await;
    no_code.assert_status(422);
    assert_eq!(app.count("SELECT COUNT(*) FROM two_factor").await, 1, "still on");

    ada.post("/account/two-factor/disable", &[("password", PASSWORD), ("code", &next)])
        .await
        .assert_redirect("/account/two-factor");
    assert_eq!(app.count("SELECT COUNT(*) FROM two_factor").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM two_factor_recovery_codes").await, 0);
    let (_, page) = password_step(&app, "ada@example.com").await;
    page.assert_redirect("/");
}

async fn the_staff_rule_sends_owners_to_enrol_before_anything_else(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.require_two_factor = TwoFactorRule::Staff).await;
    let ada = signed_up(&app, "Ada", "ada@example.com").await;
    for path in ["/", "/images", "/calendars", "/account", "/workspaces"] {
        ada.get(path).await.assert_redirect("/account/two-factor");
    }
    let hx = ada.send(reqwest::Method::GET, "/images", None, &[("HX-Request", "true")]).await;
    assert_eq!(hx.header("hx-redirect"), "/account/two-factor", "HTMX follows with a full page load");
    let page = ada.get("/account/two-factor").await;
    page.assert_status(200);
    assert!(page.text("#two-factor-required").contains("Set it up"));
    let (secret, _) = enrol(&ada).await;
    ada.get("/").await.assert_status(200);
    ada.get("/account/two-factor").await;
    let refused = ada.post("/account/two-factor/disable", &[("password", PASSWORD), ("code", &code(&secret, 1))]).await;
    refused.assert_status(422);
    assert!(refused.text("#two-factor-error").contains("required"));

    // Someone who owns and administers nothing is not covered by the rule.
    ada.get("/").await;
    let workspace_id = ada.guards().page_workspace;
    let mo = signed_up(&app, "Mo", "mo@example.com").await;
    mo.get("/").await.assert_redirect("/account/two-factor");
    app.add_member(&workspace_id, "mo@example.com", "member").await;
    app.try_execute(
        "DELETE FROM memberships WHERE role = 'owner' AND user_id = (SELECT id FROM users WHERE email = 'mo@example.com')",
    )
    .await
    .expect("leave Mo only a member");
    mo.get("/").await.assert_status(200);
}

async fn the_admins_rule_covers_platform_admins_only(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.require_two_factor = TwoFactorRule::Admins).await;
    let ada = signed_up(&app, "Ada", "ada@example.com").await;
    ada.get("/").await.assert_status(200);
    easel::admin::set_platform_admin(&app.db, "ada@example.com", true, "test").await.expect("grant");
    ada.get("/").await.assert_redirect("/account/two-factor");
    ada.get("/admin").await.assert_redirect("/account/two-factor");
    enrol(&ada).await;
    ada.get("/admin").await.assert_status(200);
}

async fn a_provider_sign_in_also_asks_for_the_code(backend: Backend) {
    let provider = StandIn::start().await;
    let google = provider.config("google");
    let app = TestApp::spawn_with(backend, move |c| c.google = Some(google)).await;
    let sign_in_with = |client: Client| {
        let provider = provider.clone();
        async move {
            let start = client.get("/auth/google").await;
            let url = url::Url::parse(start.location().expect("to the provider")).expect("url");
            let p: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
            let grant =
                provider.approve(Person::new("g-1", "gina@example.com", true), &p["code_challenge"], &p["nonce"]);
            client.get(&format!("/auth/google/callback?code={grant}&state={}", p["state"])).await
        }
    };
    let gina = app.client();
    sign_in_with(gina.clone()).await.assert_redirect("/");
    let (secret, _) = enrol(&gina).await;
    let account = gina.get("/account/two-factor").await;
    assert!(account.texts("#password").is_empty(), "no password to ask for");

    let laptop = app.client();
    sign_in_with(laptop.clone()).await.assert_redirect("/login/code");
    laptop.get("/").await.assert_redirect("/login");
    give_code(&laptop, &code(&secret, 1)).await.assert_redirect("/");
    laptop.get("/").await.assert_status(200);
}

async fn a_password_reset_still_asks_for_the_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let (secret, _) = enrol(&ada).await;
    let visitor = app.client();
    visitor.get("/password/forgot").await;
    visitor.post("/password/forgot", &[("email", "ada@example.com")]).await.assert_status(200);
    let link = app.mailed_links("ada@example.com", "/password/reset/", 1).await.remove(0);
    visitor.get(&link).await;
    visitor.post(&link, &[("password", "a brand new password")]).await.assert_redirect("/login/code");
    visitor.get("/").await.assert_redirect("/login");
    give_code(&visitor, &code(&secret, 1)).await.assert_redirect("/");
}

async fn code_attempts_are_rate_limited(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.auth_limits.per_email = 3).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let (secret, _) = enrol(&ada).await;
    let (laptop, _) = password_step(&app, "ada@example.com").await;
    laptop.get("/login/code").await;
    // Every code attempt of the person counts (confirming the enrolment was one).
    let mut refused = 0;
    for _ in 0..5 {
        match laptop.post("/login/code", &[("code", "000000")]).await.status {
            422 => refused += 1,
            429 => break,
            other => panic!("a wrong code answered {other}"),
        }
    }
    assert!(refused < 3, "the limit of 3 attempts holds ({refused} wrong codes were checked)");
    let limited = laptop.post("/login/code", &[("code", &code(&secret, 1))]).await;
    limited.assert_status(429);
    laptop.get("/").await.assert_redirect("/login");
}
