//! Two-factor sign-in in a real browser: enrol from the account page, sign
//! out, sign in with a code from the app, then with a recovery code, which
//! does not work a second time.

use anyhow::{Context, ensure};
use serde_json::json;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::{PASSWORD, server::Server, sign_up, step, webdriver::Browser, webdriver::Driver};

/// What an authenticator app shows `steps_ahead` time steps from now.
fn app_code(secret: &str, steps_ahead: u64) -> anyhow::Result<String> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let totp = TOTP::new(Algorithm::SHA1, 6, 0, 30, bytes, None, "e2e".into()).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    Ok(totp.generate(now + 30 * steps_ahead))
}

/// Turns two-factor on; the secret and the recovery codes shown.
async fn enrol(browser: &Browser, server: &Server) -> anyhow::Result<(String, Vec<String>)> {
    browser.goto(&server.url("/account")).await?;
    browser.click("#two-factor a[href='/account/two-factor']").await?;
    browser.click("form[action='/account/two-factor/start'] button").await?;
    browser.wait_for("document.querySelector('#totp-qr svg')", "the QR code").await?;
    let secret = browser.run("return document.querySelector('#totp-secret').dataset.secret", json!([])).await?;
    let secret = secret.as_str().context("the secret shown as text")?.to_owned();
    browser.fill("#code", &app_code(&secret, 0)?).await?;
    browser.click("form[action='/account/two-factor/confirm'] button").await?;
    browser.wait_for("document.querySelectorAll('#recovery-codes li').length === 10", "ten recovery codes").await?;
    let codes = browser
        .run("return [...document.querySelectorAll('#recovery-codes li')].map(li => li.textContent.trim())", json!([]))
        .await?;
    let codes: Vec<String> = serde_json::from_value(codes)?;
    Ok((secret, codes))
}

async fn sign_out(browser: &Browser) -> anyhow::Result<()> {
    browser.run("document.querySelector(\"form[action='/logout'] button\").click()", json!([])).await?;
    browser.wait_for("location.pathname === '/login'", "the sign-in page").await
}

/// The password step; ends on the code page.
async fn password_step(browser: &Browser, server: &Server, email: &str) -> anyhow::Result<()> {
    browser.goto(&server.url("/login")).await?;
    browser.fill("#email", email).await?;
    browser.fill("#password", PASSWORD).await?;
    browser.click("form[action='/login'] button[type=submit]").await?;
    browser.wait_for("location.pathname === '/login/code'", "the code page").await
}

async fn give_code(browser: &Browser, code: &str) -> anyhow::Result<()> {
    browser.fill("#code", code).await?;
    browser.click("form[action='/login/code'] button[type=submit]").await
}

async fn flow(browser: &Browser, server: &Server) -> anyhow::Result<()> {
    sign_up(browser, server, "Eve", "eve@example.com", "/signup").await?;
    let (secret, codes) = enrol(browser, server).await?;
    sign_out(browser).await?;

    password_step(browser, server, "eve@example.com").await?;
    browser.goto(&server.url("/images")).await?;
    ensure!(browser.url().await?.contains("/login"), "half signed in, the library stays closed");
    browser.goto(&server.url("/login/code")).await?;
    give_code(browser, &app_code(&secret, 1)?).await?;
    browser.wait_for("document.querySelector('.switcher-name')", "signed in with the app's code").await?;
    sign_out(browser).await?;

    password_step(browser, server, "eve@example.com").await?;
    give_code(browser, &codes[0]).await?;
    browser.wait_for("document.querySelector('.switcher-name')", "signed in with a recovery code").await?;
    ensure!(browser.text(".flash").await?.contains("9 left"), "the page says how many recovery codes are left");
    sign_out(browser).await?;

    password_step(browser, server, "eve@example.com").await?;
    give_code(browser, &codes[0]).await?;
    browser.wait_for("document.querySelector('#code-error')", "the used recovery code refused").await?;
    ensure!(browser.count(".switcher-name").await? == 0, "a used recovery code signs nobody in");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_factor_sign_in_in_a_real_browser() {
    let server = Server::start(&[]).await.expect("start Easel");
    let driver = Driver::start().await.expect("start chromedriver");
    let eve = Browser::open(&driver).await.expect("open a browser");
    step("two-factor", &eve, flow(&eve, &server)).await;
    eve.close().await;
}
