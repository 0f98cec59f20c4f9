//! Billing in a real browser: the operator prices Standard on `/admin/plans`,
//! the owner chooses it, pays on the stand-in Stripe's script-free Checkout
//! page (which sends Easel the signed webhooks) and comes back to the new
//! plan's limits.

use std::process::Command;

use anyhow::{Context, ensure};

use crate::{
    server::Server,
    sign_up, step, stripe, tour,
    webdriver::{Browser, Driver},
};

/// Makes `email` a platform admin with the `easel admin grant` command, as
/// an operator would.
pub fn grant_admin(server: &Server, email: &str) -> anyhow::Result<()> {
    let data = server.dir.path().join("data");
    let done = Command::new(env!("CARGO_BIN_EXE_easel"))
        .args(["admin", "grant", email])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("EASEL_DATA_DIR", &data)
        .env("EASEL_UPLOADS_DIR", server.dir.path().join("uploads"))
        .output()
        .context("running easel admin grant")?;
    ensure!(done.status.success(), "easel admin grant: {}", String::from_utf8_lossy(&done.stderr));
    Ok(())
}

/// The operator gives Standard its Stripe price and its display price.
pub async fn price_standard(browser: &Browser, server: &Server, price: &str) -> anyhow::Result<()> {
    browser.goto(&server.url("/admin/plans")).await?;
    browser.fill("#standard-stripe-monthly", price).await?;
    browser.fill("#standard-price-monthly", "9.99").await?;
    browser.click("form[action='/admin/plans/standard'] button[type=submit]").await?;
    browser.wait_for("document.querySelector('.flash-success')", "the plan saved").await
}

/// The owner chooses Standard, pays on the stand-in Checkout, and is back on
/// the plan page with Standard's limits.
pub async fn choose_and_pay(browser: &Browser, server: &Server) -> anyhow::Result<()> {
    browser.goto(&server.url("/settings/plan")).await?;
    ensure!(browser.text("#plan-name").await? == "Free", "a new workspace starts on Free");
    let price = browser.text("article.plan-card[data-plan='standard'] .plan-price").await?;
    ensure!(price.contains("$9.99"), "Standard's price is shown: {price}");
    browser.click("article.plan-card[data-plan='standard'] form[action='/settings/plan/checkout'] button").await?;
    browser.wait_for("document.querySelector('#pay')", "the stand-in Stripe Checkout page").await?;
    ensure!(browser.text("#price").await?.contains("price_standard_m"), "Checkout sells Standard's price");
    browser.click("#pay").await?;
    browser
        .wait_for(
            "location.pathname === '/settings/plan' && document.querySelector('#plan-name') \
             && document.querySelector('#plan-name').textContent.trim() === 'Standard'",
            "the plan page showing Standard",
        )
        .await?;
    let images = browser.text("[data-meter='Images'] [data-limit]").await?;
    ensure!(images == "5000", "Standard's image limit is shown: {images}");
    ensure!(browser.count("#billing-pending").await? == 0, "the payment is confirmed, not pending");
    ensure!(browser.count("form[action='/settings/plan/portal']").await? >= 1, "Manage billing is offered");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_buys_a_plan_through_stripe_checkout_in_a_real_browser() {
    let stripe = stripe::Stripe::start().await;
    stripe.add_price("price_standard_m", 999, "month");
    let server = Server::start(&[
        ("EASEL_STRIPE_SECRET_KEY", stripe.secret_key.clone()),
        ("EASEL_STRIPE_WEBHOOK_SECRET", stripe.webhook_secret.clone()),
        ("EASEL_STRIPE_BASE_URL", stripe.base.clone()),
        ("EASEL_DEFAULT_PLAN", "free".to_owned()),
    ])
    .await
    .expect("start Easel");
    stripe.set_webhook_url(&server.url("/stripe/webhook"));
    let driver = Driver::start().await.expect("start chromedriver");
    let ada = Browser::open(&driver).await.expect("open a browser");
    step("billing-sign-up", &ada, sign_up(&ada, &server, "Ada", "ada@example.com", "/signup")).await;
    grant_admin(&server, "ada@example.com").expect("grant");
    step("billing-price", &ada, price_standard(&ada, &server, "price_standard_m")).await;
    step("billing-checkout", &ada, choose_and_pay(&ada, &server)).await;
    step(
        "billing-screenshots",
        &ada,
        tour::screenshots(&ada, &server, &[("billing-plan", "/settings/plan".to_owned())]),
    )
    .await;
    ada.close().await;
}
