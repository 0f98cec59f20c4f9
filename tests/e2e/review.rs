//! Client review in two browsers: an admin turns client approval on, sends
//! five posts for review and makes a review link; the client, with no
//! account, asks for a change on one and approves the rest; the admin sees
//! the comment and the bell, edits the post, the client approves it, and
//! only approved posts reach the stand-in Publer.

use anyhow::{Context, ensure};
use serde_json::json;

use crate::{server::Server, services::Services, webdriver::Browser};

const CHANGE: &str = "Warmer light on this one, please";

/// The month's posts in date order.
pub async fn june_posts(browser: &Browser, server: &Server, calendar: &str) -> anyhow::Result<Vec<String>> {
    browser.goto(&server.url(&format!("/calendars/{calendar}?date=2030-06-15"))).await?;
    let ids = browser
        .run(
            "return [...document.querySelectorAll(\"[data-date^='2030-06-0'] [data-post]\")].map(p => p.dataset.post)",
            json!([]),
        )
        .await?;
    let ids: Vec<String> = serde_json::from_value(ids)?;
    ensure!(ids.len() == 5, "five June posts, found {ids:?}");
    Ok(ids)
}

/// Client approval on, every post sent for review.
pub async fn submit_all(browser: &Browser, server: &Server, posts: &[String]) -> anyhow::Result<()> {
    browser.goto(&server.url("/settings")).await?;
    browser.click("form[action='/settings/approval'] input[value=client]").await?;
    browser.click("form[action='/settings/approval'] button[type=submit]").await?;
    browser.wait_for("document.querySelector('.flash-success')", "the approval setting saved").await?;
    for post in posts {
        browser.goto(&server.url(&format!("/events/{post}"))).await?;
        browser.click("[data-review-submit]").await?;
        browser.wait_for("document.querySelector(\"#review[data-review='client']\")", "the post in review").await?;
    }
    Ok(())
}

/// A link over June for Mia; returns its address, shown once.
pub async fn make_link(browser: &Browser, server: &Server, calendar: &str) -> anyhow::Result<String> {
    browser.goto(&server.url("/review-links")).await?;
    browser.fill("#reviewer_name", "Mia Client").await?;
    browser.fill("#reviewer_email", "mia@example.com").await?;
    browser
        .run(
            "document.querySelector('#scope-range').checked = true;
             document.querySelector('#calendar').value = arguments[0];
             document.querySelector('#starts_on').value = '2030-06-01';
             document.querySelector('#ends_on').value = '2030-06-30';",
            json!([calendar]),
        )
        .await?;
    browser.click("form[action='/review-links'] button[type=submit]").await?;
    browser.wait_for("document.querySelector('#made-url')", "the new link").await?;
    let link = browser.run("return document.querySelector('#made-url').value", json!([])).await?;
    link.as_str().map(str::to_owned).context("the link's address")
}

/// The client asks for a change on the first post, then approves the rest.
pub async fn client_answers(client: &Browser, link: &str, first: &str) -> anyhow::Result<()> {
    client.goto(link).await?;
    client.wait_for("document.querySelectorAll('.review-card').length === 5", "the five posts").await?;
    ensure!(client.count("#bell, .switcher-name").await? == 0, "the review page shows nothing of the app");
    let card = format!("#post-{first}");
    client.click(&format!("{card} .review-changes summary")).await?;
    client.fill(&format!("#changes-{first}"), CHANGE).await?;
    client.click(&format!("{card} form[action$='/changes'] button[type=submit]")).await?;
    client
        .wait_for(
            &format!("document.querySelector('{card} [data-review]').textContent.includes('Changes requested')"),
            "the change requested",
        )
        .await?;
    client.goto(link).await?;
    client.click("#approve-all button[type=submit]").await?;
    client
        .wait_for(
            "[...document.querySelectorAll('.review-card [data-review]')].filter(b => b.textContent.includes('Approved')).length === 4",
            "four approved",
        )
        .await
}

/// The admin sees the bell and the client's comment, rewrites the caption
/// and sends the post for review again.
pub async fn admin_revises(browser: &Browser, server: &Server, first: &str) -> anyhow::Result<()> {
    browser.goto(&server.url("/")).await?;
    let bell = browser.run("return document.querySelector('#bell').getAttribute('aria-label')", json!([])).await?;
    ensure!(bell.as_str().unwrap_or_default().contains("unread"), "the bell shows unread notifications: {bell}");
    browser.goto(&server.url(&format!("/events/{first}"))).await?;
    let page = browser.text("main").await?;
    ensure!(page.contains(CHANGE) && page.contains("Mia Client"), "the editor shows the client's comment");
    browser.fill("#caption", "Morning light on the harbour, warmer.").await?;
    browser.run("document.querySelector('#caption').form.requestSubmit()", json!([])).await?;
    browser.wait_for("document.querySelector('.flash-success')", "the post saved").await?;
    browser.click("[data-review-submit]").await?;
    browser.wait_for("document.querySelector(\"#review[data-review='client']\")", "back in review").await
}

/// The client approves the revised post.
pub async fn client_approves(client: &Browser, link: &str, first: &str) -> anyhow::Result<()> {
    client.goto(link).await?;
    client.click(&format!("#post-{first} form[action$='/approve'] button[type=submit]")).await?;
    client
        .wait_for(
            &format!("document.querySelector('#post-{first} [data-review]').textContent.includes('Approved')"),
            "the revised post approved",
        )
        .await
}

/// An approved post edited after approval goes back to review; the bulk
/// send then hands only the four approved posts to Publer.
pub async fn send_approved(
    browser: &Browser,
    server: &Server,
    calendar: &str,
    last: &str,
    services: &Services,
) -> anyhow::Result<()> {
    browser.goto(&server.url(&format!("/events/{last}"))).await?;
    browser.fill("#caption", "A different caption after approval.").await?;
    browser.run("document.querySelector('#caption').form.requestSubmit()", json!([])).await?;
    browser.wait_for("document.querySelector(\"#review[data-review='client']\")", "the edit reopened review").await?;
    browser.goto(&server.url(&format!("/calendars/{calendar}?date=2030-06-15"))).await?;
    browser.wait_for("document.querySelector('[data-bulk-bar]')", "the bulk toolbar").await?;
    browser
        .run(
            "document.querySelectorAll(\"[data-date^='2030-06-0'] input.chip-select\").forEach(b => b.click());
             document.querySelector('#bulk-action').value = 'publer';",
            json!([]),
        )
        .await?;
    browser.click("#bulk-posts button[type=submit]").await?;
    browser.wait_for("document.querySelector('.flash-success, .flash-error')", "the bulk result").await?;
    let report = browser.text(".flash-success, .flash-error").await?;
    ensure!(report.to_lowercase().contains("waiting for approval"), "the report names the post in review: {report}");
    for _ in 0..100 {
        if services.seen("/publer/posts/schedule").len() >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let scheduled = services.seen("/publer/posts/schedule");
    ensure!(scheduled.len() == 4, "four approved posts reached Publer, saw {}", scheduled.len());
    ensure!(
        scheduled.iter().all(|s| !s.body.contains("A different caption")),
        "the post back in review never reached Publer"
    );
    Ok(())
}
