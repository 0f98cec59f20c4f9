//! End-to-end: Easel's own binary driven through headless Chromium, the
//! way a person uses it. On a failure the page's screenshot and HTML are
//! saved under `target/e2e/`.
//!
//! Needs `chromium` and `chromedriver` (Debian: `chromium chromium-driver`).

mod billing;
mod planning;
mod review;
mod server;
mod stand_ins;
mod tour;
mod two_factor;
mod webdriver;

use stand_ins::{art, services, stripe};

use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use serde_json::json;

use server::Server;
use services::Services;
use webdriver::{Browser, Driver};

const PASSWORD: &str = "correct horse battery";

/// Runs one flow; on failure saves what the browser showed, then fails.
async fn step<F: std::future::Future<Output = anyhow::Result<()>>>(name: &str, browser: &Browser, flow: F) {
    if let Err(error) = flow.await {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("e2e");
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = browser.screenshot().await {
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
        if let Ok(html) = browser.html().await {
            let _ = std::fs::write(dir.join(format!("{name}.html")), html);
        }
        let url = browser.url().await.unwrap_or_default();
        panic!("{name} failed at {url}: {error:#}\n(screenshot and HTML in {})", dir.display());
    }
}

async fn sign_up(browser: &Browser, server: &Server, name: &str, email: &str, path: &str) -> anyhow::Result<()> {
    browser.goto(&server.url(path)).await?;
    browser.fill("#name", name).await?;
    if browser.run("return document.querySelector('#email').value", json!([])).await?.as_str() != Some(email) {
        browser.fill("#email", email).await?;
    }
    browser.fill("#password", PASSWORD).await?;
    browser.click("form[action='/signup'] button[type=submit]").await?;
    browser.wait_for("document.querySelector('.switcher-name')", "the navbar of a signed-in page").await
}

/// Three images through the drop zone's file input; every progress bar reaches 100.
async fn upload_three(browser: &Browser, server: &Server, files: &[PathBuf]) -> anyhow::Result<()> {
    browser.goto(&server.url("/images")).await?;
    // Record every value a progress bar is given (uploads on loopback are quick).
    browser
        .run(
            "window.__progress = [];
             const d = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, 'value');
             Object.defineProperty(HTMLProgressElement.prototype, 'value', {
               set(v) { window.__progress.push([this.getAttribute('aria-label'), Number(v)]); d.set.call(this, v); },
               get() { return d.get.call(this); }, configurable: true });",
            json!([]),
        )
        .await?;
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    browser.choose_files("#files", &paths).await?;
    browser.wait_for("document.querySelectorAll('.upload-added').length === 3", "three uploads added").await?;
    let finished = browser
        .run("return new Set(window.__progress.filter(p => p[1] === 100).map(p => p[0])).size", json!([]))
        .await?;
    ensure!(finished == json!(3), "three progress bars should reach 100, saw {finished}");
    browser.wait_for("document.querySelectorAll('#gallery .art-card').length === 3", "the gallery to show them").await
}

async fn collection_and_calendar(browser: &Browser, server: &Server) -> anyhow::Result<String> {
    browser.goto(&server.url("/collections")).await?;
    browser.fill("#collection-name", "Herons").await?;
    browser.click("form[action='/collections'] button[type=submit]").await?;
    browser.wait_for("location.pathname.startsWith('/collections/0')", "the new collection").await?;
    browser.click("a[href$='/add']").await?;
    browser.run("document.querySelectorAll('input[name=ids]').forEach(c => c.checked = true)", json!([])).await?;
    browser.click(".sticky-actions button[type=submit]").await?;
    browser.wait_for("location.pathname.match(/^\\/collections\\/[0-9a-f-]+$/)", "back on the collection").await?;

    browser.goto(&server.url("/calendars")).await?;
    browser.fill("#calendar-name", "Main").await?;
    browser.click("form[action='/calendars'] button[type=submit]").await?;
    browser.wait_for("location.pathname.match(/^\\/calendars\\/[0-9a-f-]+$/)", "the new calendar").await?;
    let calendar =
        browser.url().await?.rsplit('/').next().unwrap_or_default().split('?').next().unwrap_or_default().to_owned();
    browser.goto(&server.url(&format!("/calendars/{calendar}/autoschedule"))).await?;
    browser
        .run(
            "document.querySelector('#collection_id').selectedIndex = 1;
             document.querySelector('#start').value = '2030-06-03';
             document.querySelector('#end').value = '2030-06-09';
             document.querySelectorAll('input[name=weekdays]').forEach(c => c.checked = true);
             document.querySelector('#times').value = '10:30';",
            json!([]),
        )
        .await?;
    browser.click("form[action$='/autoschedule'] button[type=submit]").await?;
    browser.wait_for("document.querySelector('input[name=action][value=create]')", "the preview").await?;
    browser
        .run(
            "document.querySelector('input[name=action][value=create]').form.querySelector('button').click()",
            json!([]),
        )
        .await?;
    browser.wait_for("document.querySelectorAll('[data-post]').length === 3", "three scheduled posts").await?;
    Ok(calendar)
}

/// Drags the first post to the last day of the week; its time stays.
async fn drag_a_post(browser: &Browser, server: &Server, calendar: &str) -> anyhow::Result<()> {
    browser.goto(&server.url(&format!("/calendars/{calendar}?view=week&date=2030-06-03"))).await?;
    let moved = browser
        .run(
            "const chip = document.querySelector('[data-post]');
             const time = chip.querySelector('strong').textContent;
             const target = document.querySelector('[data-date=\"2030-06-09\"]');
             const dt = new DataTransfer();
             chip.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));
             target.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt}));
             target.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt}));
             chip.dispatchEvent(new DragEvent('dragend', {bubbles: true, dataTransfer: dt}));
             return [chip.dataset.post, time];",
            json!([]),
        )
        .await?;
    let (post, time) =
        (moved[0].as_str().unwrap_or_default().to_owned(), moved[1].as_str().unwrap_or_default().to_owned());
    ensure!(time == "10:30", "the post started at {time}");
    // The move is saved on the server: a fresh load shows it on the new day at the same time.
    for _ in 0..50 {
        browser.goto(&server.url(&format!("/calendars/{calendar}?view=week&date=2030-06-03"))).await?;
        let found = browser
            .run(
                "const c = document.querySelector(`[data-post=\"${arguments[0]}\"]`);
                 return c ? [c.closest('[data-date]').dataset.date, c.querySelector('strong').textContent] : null;",
                json!([post]),
            )
            .await?;
        if found == json!(["2030-06-09", "10:30"]) {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    bail!("the dragged post did not land on 2030-06-09 at 10:30")
}

/// A second workspace shows none of the first's content; the navbar switches back.
async fn switch_workspace(browser: &Browser, server: &Server) -> anyhow::Result<()> {
    browser.goto(&server.url("/workspaces")).await?;
    browser.fill("#workspace-name", "Client Two").await?;
    browser.click("form[action='/workspaces'] button[type=submit]").await?;
    browser
        .wait_for("document.querySelector('.switcher-name').textContent.includes('Client Two')", "the new workspace")
        .await?;
    browser.goto(&server.url("/images")).await?;
    ensure!(browser.count("#gallery .art-card").await? == 0, "the new workspace shows no artwork");
    browser.goto(&server.url("/calendars")).await?;
    ensure!(!browser.html().await?.contains(">Main<"), "the new workspace shows no calendar of the first");
    browser.click(".switcher summary").await?;
    browser.click(".switcher .menu-form button").await?;
    browser
        .wait_for(
            "document.querySelector('.switcher-name').textContent.includes(\"Ada's studio\")",
            "back in the first workspace",
        )
        .await
}

/// Invites a viewer; a second browser accepts by signing up from the link.
async fn invite(browser: &Browser, server: &Server) -> anyhow::Result<String> {
    browser.goto(&server.url("/team")).await?;
    browser.fill("#invite-email", "vic@example.com").await?;
    browser.run("document.querySelector('#invite-role').value = 'viewer'", json!([])).await?;
    browser.click("form[action='/team/invites'] button[type=submit]").await?;
    browser
        .wait_for(
            "document.querySelector('.flash') && document.querySelector('.flash').textContent.includes('/invites/')",
            "the invitation link",
        )
        .await?;
    let flash = browser.text(".flash").await?;
    let at = flash.find("/invites/").context("no link")?;
    Ok(flash[at..at + 9 + 43].to_owned())
}

async fn accept_and_read_only(viewer: &Browser, server: &Server, link: &str) -> anyhow::Result<()> {
    viewer.goto(&server.url(link)).await?;
    viewer.click("a[href^='/signup?invite=']").await?;
    viewer
        .wait_for(
            "document.querySelector('#email') && document.querySelector('#email').value === 'vic@example.com'",
            "the email filled in",
        )
        .await?;
    sign_up(viewer, server, "Vic", "vic@example.com", &viewer.url().await?.replace(&server.base, "")).await?;
    viewer
        .wait_for("document.querySelector('.switcher-name').textContent.includes(\"Ada's studio\")", "Ada's workspace")
        .await?;
    viewer.goto(&server.url("/images")).await?;
    ensure!(viewer.count("form[data-uploader]").await? == 0, "a viewer gets no upload form");
    ensure!(viewer.count("#gallery .art-card").await? == 3, "a viewer sees the artwork");
    viewer.goto(&server.url("/calendars")).await?;
    viewer.click("a[href^='/calendars/0']").await?;
    viewer.goto(&format!("{}?date=2030-06-03", viewer.url().await?)).await?;
    ensure!(viewer.count(".cal-add").await? == 0, "a viewer gets no + buttons");
    viewer.click("[data-post] a").await?;
    viewer.wait_for("document.querySelector('fieldset[disabled] #caption')", "a read-only editor").await?;
    ensure!(viewer.count("[data-write-caption]").await? == 0, "a viewer cannot write captions");
    Ok(())
}

/// "Write caption" with the workspace's key against the stand-in OpenAI server.
async fn write_caption(browser: &Browser, server: &Server, services: &Services) -> anyhow::Result<()> {
    browser.goto(&server.url("/settings/integrations")).await?;
    // The server first: a key is bound to the server it is entered for.
    browser.fill("#openai_base_url", &services.openai_url()).await?;
    browser.click("form[action='/settings/integrations'] button[type=submit]").await?;
    browser.wait_for("document.querySelector('.flash-success')", "the settings saved").await?;
    browser.fill("#value-openai_api_key", "sk-e2e-test-key-12345").await?;
    browser.click("#key-openai_api_key form button[type=submit]").await?;
    browser.wait_for("document.querySelector('#key-openai_api_key [data-stored]')", "the key stored").await?;
    browser.goto(&server.url("/calendars")).await?;
    browser.click("a[href^='/calendars/0']").await?;
    browser.goto(&format!("{}?date=2030-06-03", browser.url().await?)).await?;
    browser.click("[data-post] a").await?;
    browser.click("[data-write-caption]").await?;
    browser
        .wait_for("document.querySelector('#caption').value === 'Morning light on the river.'", "the caption written")
        .await?;
    ensure!(browser.text("#caption-note").await?.contains("Written by AI"), "the caption is labelled");
    ensure!(browser.text("[data-preview]").await?.contains("Morning light"), "the preview follows");
    ensure!(services.seen("/chat/completions").len() == 1, "one call to the stand-in");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_plans_their_work_in_a_real_browser() {
    let services = Services::start().await;
    let server = Server::start(&[]).await.expect("start Easel");
    let driver = Driver::start().await.expect("start chromedriver");
    let files: Vec<PathBuf> = (1..=3)
        .map(|n| {
            let path = server.dir.path().join(format!("heron-{n}.png"));
            std::fs::write(&path, art::png(n)).expect("write a test image");
            path
        })
        .collect();
    let ada = Browser::open(&driver).await.expect("open a browser");
    step("sign-up", &ada, sign_up(&ada, &server, "Ada", "ada@example.com", "/signup")).await;
    step("upload", &ada, upload_three(&ada, &server, &files)).await;
    let mut calendar = String::new();
    step("collection-and-calendar", &ada, async {
        calendar = collection_and_calendar(&ada, &server).await?;
        Ok(())
    })
    .await;
    step("drag", &ada, drag_a_post(&ada, &server, &calendar)).await;
    step("switch-workspace", &ada, switch_workspace(&ada, &server)).await;
    let mut link = String::new();
    step("invite", &ada, async {
        link = invite(&ada, &server).await?;
        Ok(())
    })
    .await;
    let vic = Browser::open(&driver).await.expect("open a second browser");
    step("viewer", &vic, accept_and_read_only(&vic, &server, &link)).await;
    step("caption", &ada, write_caption(&ada, &server, &services)).await;
    let pages = [
        ("home", "/".to_owned()),
        ("library", "/images".to_owned()),
        ("month", format!("/calendars/{calendar}")),
        ("settings", "/settings".to_owned()),
    ];
    step("screenshots", &ada, tour::screenshots(&ada, &server, &pages)).await;
    ada.close().await;
    vic.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_artist_plans_with_the_art_in_a_real_browser() {
    let services = Services::start().await;
    let server = Server::start(&[("EASEL_PUBLER_BASE_URL", services.publer_url())]).await.expect("start Easel");
    let driver = Driver::start().await.expect("start chromedriver");
    let files: Vec<PathBuf> = (1..=5)
        .map(|n| {
            let path = server.dir.path().join(format!("portrait-{n}.png"));
            std::fs::write(&path, art::encode(&art::picture(600, 900, n), image::ImageFormat::Png)).expect("write");
            path
        })
        .collect();
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let eve = Browser::open(&driver).await.expect("open a browser");
    step("plan-sign-up", &eve, sign_up(&eve, &server, "Eve", "eve@example.com", "/signup")).await;
    step("checklist-start", &eve, planning::first_run(&eve, &server)).await;
    step("upload-portraits", &eve, planning::upload_portraits(&eve, &server, &paths)).await;
    let mut calendar = String::new();
    step("fill-ready", &eve, async {
        calendar = planning::fill_ready(&eve, &server).await?;
        Ok(())
    })
    .await;
    step("tray-drop", &eve, planning::tray_drop(&eve, &server, &calendar)).await;
    let mut image = String::new();
    step("crop-portrait", &eve, async {
        image = planning::crop_portrait(&eve, &server, &calendar).await?;
        Ok(())
    })
    .await;
    step("grid-reorder", &eve, planning::reorder_grid(&eve, &server, &calendar)).await;
    step("connect-publer", &eve, planning::connect_publer(&eve, &server, &services)).await;
    step("bulk-send", &eve, planning::bulk_send(&eve, &server, &calendar, &services)).await;
    eve.goto(&server.url(&format!("/calendars/{calendar}?date=2030-06-15"))).await.expect("the month");
    let post = eve
        .run("return document.querySelector('[data-post]').dataset.post", json!([]))
        .await
        .expect("a post")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let pages = [
        ("plan-home", "/".to_owned()),
        ("plan-library", "/images".to_owned()),
        ("plan-month", format!("/calendars/{calendar}?date=2030-06-15")),
        ("plan-grid", format!("/calendars/{calendar}/grid")),
        ("plan-editor", format!("/events/{post}")),
        ("plan-crop", format!("/images/{image}?crop=portrait#crops")),
        ("plan-all", "/calendars/all?date=2030-06-15".to_owned()),
        ("plan-workspaces", "/workspaces".to_owned()),
    ];
    step("plan-screenshots", &eve, tour::screenshots(&eve, &server, &pages)).await;
    eve.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_reviews_posts_through_a_link_without_an_account() {
    let services = Services::start().await;
    let server = Server::start(&[("EASEL_PUBLER_BASE_URL", services.publer_url())]).await.expect("start Easel");
    let driver = Driver::start().await.expect("start chromedriver");
    let files: Vec<PathBuf> = (1..=5)
        .map(|n| {
            let path = server.dir.path().join(format!("piece-{n}.png"));
            std::fs::write(&path, art::encode(&art::picture(600, 900, n), image::ImageFormat::Png)).expect("write");
            path
        })
        .collect();
    let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let ada = Browser::open(&driver).await.expect("open a browser");
    let mia = Browser::open(&driver).await.expect("open a second browser");
    step("review-sign-up", &ada, sign_up(&ada, &server, "Ada", "ada@example.com", "/signup")).await;
    step("review-upload", &ada, planning::upload_portraits(&ada, &server, &paths)).await;
    let mut calendar = String::new();
    step("review-fill", &ada, async {
        calendar = planning::fill_ready(&ada, &server).await?;
        Ok(())
    })
    .await;
    step("review-publer", &ada, planning::connect_publer(&ada, &server, &services)).await;
    let mut posts = Vec::new();
    step("review-posts", &ada, async {
        posts = review::june_posts(&ada, &server, &calendar).await?;
        Ok(())
    })
    .await;
    step("review-submit", &ada, review::submit_all(&ada, &server, &posts)).await;
    let mut link = String::new();
    step("review-link", &ada, async {
        link = review::make_link(&ada, &server, &calendar).await?;
        Ok(())
    })
    .await;
    step("review-client", &mia, review::client_answers(&mia, &link, &posts[0])).await;
    step("review-revise", &ada, review::admin_revises(&ada, &server, &posts[0])).await;
    step("review-approve", &mia, review::client_approves(&mia, &link, &posts[0])).await;
    step("review-send", &ada, review::send_approved(&ada, &server, &calendar, &posts[4], &services)).await;
    let pages = [
        ("review-editor", format!("/events/{}", posts[0])),
        ("review-links", "/review-links".to_owned()),
        ("review-notifications", "/notifications".to_owned()),
        ("review-settings", "/settings".to_owned()),
    ];
    step("review-screenshots", &ada, tour::screenshots(&ada, &server, &pages)).await;
    let client_page = mia.screenshot().await.expect("the client's page");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("e2e");
    std::fs::write(dir.join("review-client.png"), client_page).expect("save the client's page");
    ada.close().await;
    mia.close().await;
}
