//! Planning that shows the art, as an artist does it in a browser: the
//! first-run checklist, dragging from the library tray, cropping a portrait
//! to 4:5, reordering the grid planner, and bulk actions that end at Publer.

use std::path::Path;

use anyhow::{Context, bail, ensure};
use serde_json::{Value, json};

use crate::{server::Server, services::Services, webdriver::Browser};

/// Dispatches an HTML drag from `from` onto `to` (CSS selectors), the way
/// the page's script sees a person's drag.
pub async fn drag(browser: &Browser, from: &str, to: &str) -> anyhow::Result<()> {
    let done = browser
        .run(
            "const a = document.querySelector(arguments[0]), b = document.querySelector(arguments[1]);
             if (!a || !b) return false;
             const dt = new DataTransfer();
             a.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));
             b.dispatchEvent(new DragEvent('dragenter', {bubbles: true, cancelable: true, dataTransfer: dt}));
             b.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt}));
             b.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt}));
             a.dispatchEvent(new DragEvent('dragend', {bubbles: true, dataTransfer: dt}));
             return true;",
            json!([from, to]),
        )
        .await?;
    ensure!(done == json!(true), "nothing to drag from {from} onto {to}");
    Ok(())
}

/// Reloads `path` until `check` (JavaScript returning a boolean) holds:
/// what a drag saved must be there on a fresh load.
async fn until_saved(browser: &Browser, server: &Server, path: &str, check: &str, what: &str) -> anyhow::Result<()> {
    for _ in 0..50 {
        browser.goto(&server.url(path)).await?;
        if browser.run(&format!("return Boolean({check});"), json!([])).await? == json!(true) {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    bail!("{what} was not saved")
}

pub async fn checklist_done(browser: &Browser, server: &Server) -> anyhow::Result<usize> {
    browser.goto(&server.url("/")).await?;
    if browser.count("#checklist").await? == 0 {
        return Ok(5);
    }
    browser.count("#checklist .checklist-step.done").await
}

/// The checklist starts at nothing done and "Upload artwork" leads.
pub async fn first_run(browser: &Browser, server: &Server) -> anyhow::Result<()> {
    ensure!(checklist_done(browser, server).await? == 0, "a new workspace has done nothing yet");
    let lead = browser.text("main .button:not(.ghost)").await?;
    ensure!(lead.contains("Upload artwork"), "the main button is {lead:?}");
    Ok(())
}

/// Five portraits (4:5 would cut them) through the library's file input.
pub async fn upload_portraits(browser: &Browser, server: &Server, files: &[&Path]) -> anyhow::Result<()> {
    browser.goto(&server.url("/images")).await?;
    browser.choose_files("#files", files).await?;
    let expected = files.len();
    browser
        .wait_for(&format!("document.querySelectorAll('.upload-added').length === {expected}"), "the uploads")
        .await?;
    ensure!(checklist_done(browser, server).await? == 1, "uploading ticks the first step");
    Ok(())
}

/// A collection of everything, an Instagram calendar, and five ready posts
/// filled from the collection in June 2030. Returns the calendar's id.
pub async fn fill_ready(browser: &Browser, server: &Server) -> anyhow::Result<String> {
    browser.goto(&server.url("/collections")).await?;
    browser.fill("#collection-name", "Portraits").await?;
    browser.click("form[action='/collections'] button[type=submit]").await?;
    browser.wait_for("location.pathname.startsWith('/collections/0')", "the new collection").await?;
    browser.click("a[href$='/add']").await?;
    browser.run("document.querySelectorAll('input[name=ids]').forEach(c => c.checked = true)", json!([])).await?;
    browser.click(".sticky-actions button[type=submit]").await?;
    browser.wait_for("location.pathname.match(/^\\/collections\\/[0-9a-f-]+$/)", "back on the collection").await?;
    ensure!(checklist_done(browser, server).await? == 2, "a collection ticks the second step");

    browser.goto(&server.url("/calendars")).await?;
    browser.fill("#calendar-name", "Feed").await?;
    browser.click("form[action='/calendars'] button[type=submit]").await?;
    browser.wait_for("location.pathname.match(/^\\/calendars\\/[0-9a-f-]+$/)", "the new calendar").await?;
    let url = browser.url().await?;
    let calendar = url.rsplit('/').next().unwrap_or_default().split('?').next().unwrap_or_default().to_owned();
    ensure!(checklist_done(browser, server).await? == 3, "a calendar ticks the third step");

    browser.goto(&server.url(&format!("/calendars/{calendar}/autoschedule"))).await?;
    browser
        .run(
            "document.querySelector('#collection_id').selectedIndex = 1;
             document.querySelector('#start').value = '2030-06-03';
             document.querySelector('#end').value = '2030-06-09';
             document.querySelectorAll('input[name=weekdays]').forEach(c => c.checked = true);
             document.querySelector('#times').value = '10:30';
             document.querySelector('input[name=make_ready]').checked = true;",
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
    browser.wait_for("document.querySelectorAll('[data-post]').length === 5", "five posts").await?;
    ensure!(browser.count("[data-post].status-ready").await? == 5, "'make them ready' made them ready");
    ensure!(checklist_done(browser, server).await? == 4, "filling the calendar ticks the fourth step");
    Ok(calendar)
}

/// Drags the tray's first piece onto 20 June: a post with it appears there.
pub async fn tray_drop(browser: &Browser, server: &Server, calendar: &str) -> anyhow::Result<()> {
    let month = format!("/calendars/{calendar}?date=2030-06-15");
    browser.goto(&server.url(&month)).await?;
    browser.wait_for("document.querySelector('[data-tray] .tray-item[data-image]')", "the library tray").await?;
    drag(browser, "[data-tray] .tray-item[data-image]", "[data-dropzone-calendar] [data-date='2030-06-20']").await?;
    until_saved(
        browser,
        server,
        &month,
        "document.querySelector(\"[data-date='2030-06-20'] [data-post] img.chip-thumb\")",
        "the post dropped on 20 June",
    )
    .await
}

/// Narrows the first artwork's 4:5 frame with the keyboard and saves it;
/// the post editor's preview then shows that 4:5 rendition. Returns the
/// artwork's id.
pub async fn crop_portrait(browser: &Browser, server: &Server, calendar: &str) -> anyhow::Result<String> {
    let month = format!("/calendars/{calendar}?date=2030-06-15");
    browser.goto(&server.url(&month)).await?;
    let image: Value = browser
        .run(
            "const img = document.querySelector(\"[data-date='2030-06-03'] img.chip-thumb\");
             return img && img.getAttribute('src').split('/')[2];",
            json!([]),
        )
        .await?;
    let image = image.as_str().context("the first post has artwork")?.to_owned();
    browser.goto(&server.url(&format!("/images/{image}?crop=portrait#crops"))).await?;
    browser
        .wait_for("document.querySelector('#crop-panel-portrait [data-crop-handle]:not([hidden])')", "the editor")
        .await?;
    let before = browser.run("return document.querySelector('#crop-portrait-w').value", json!([])).await?;
    browser
        .run(
            "const h = document.querySelector('#crop-panel-portrait [data-crop-handle]');
             h.focus();
             for (let i = 0; i < 4; i++) h.dispatchEvent(new KeyboardEvent('keydown', {key: '-', bubbles: true}));
             h.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowDown', bubbles: true}));",
            json!([]),
        )
        .await?;
    let after = browser.run("return document.querySelector('#crop-portrait-w').value", json!([])).await?;
    ensure!(before != after, "the keyboard resized the frame ({before} → {after})");
    browser.click("#crop-panel-portrait form[data-crop-form] button[type=submit]").await?;
    browser.wait_for("document.querySelector('#crop-tab-portrait .crop-set')", "the crop saved").await?;

    browser.goto(&server.url(&month)).await?;
    browser.click("[data-date='2030-06-03'] [data-post] a").await?;
    browser
        .wait_for(
            "document.querySelector('[data-preview-image]') && document.querySelector('[data-preview-image]').complete",
            "the preview",
        )
        .await?;
    let shape = browser
        .run(
            "const i = document.querySelector('[data-preview-image]');
             return [i.getAttribute('src'), i.naturalWidth, i.naturalHeight];",
            json!([]),
        )
        .await?;
    ensure!(shape[0].as_str().unwrap_or_default().contains("/crop/portrait"), "the preview uses the 4:5 crop: {shape}");
    let (w, h) = (shape[1].as_u64().unwrap_or(0), shape[2].as_u64().unwrap_or(0));
    ensure!(w > 0 && (w * 5).abs_diff(h * 4) <= 5, "the preview is 4:5, not {w}x{h}");
    Ok(image)
}

/// Drags the grid planner's first tile onto the second: they change places.
pub async fn reorder_grid(browser: &Browser, server: &Server, calendar: &str) -> anyhow::Result<()> {
    let grid = format!("/calendars/{calendar}/grid");
    browser.goto(&server.url(&grid)).await?;
    let ids = browser
        .run("return [...document.querySelectorAll('[data-feed-grid] [data-tile]')].slice(0, 2).map(t => t.dataset.tile)", json!([]))
        .await?;
    let (first, second) = (ids[0].as_str().unwrap_or_default(), ids[1].as_str().unwrap_or_default());
    ensure!(!first.is_empty() && !second.is_empty(), "two tiles to reorder: {ids}");
    drag(browser, &format!("[data-tile='{first}']"), &format!("[data-tile='{second}']")).await?;
    let swapped = format!(
        "(() => {{ const t = [...document.querySelectorAll('[data-feed-grid] [data-tile]')].map(t => t.dataset.tile);
              return t[0] === '{second}' && t[1] === '{first}'; }})()"
    );
    until_saved(browser, server, &grid, &swapped, "the reordered grid").await
}

/// Connects Publer (the stand-in) and maps the calendar to its account.
pub async fn connect_publer(browser: &Browser, server: &Server, services: &Services) -> anyhow::Result<()> {
    services.set(|s| {
        s.publer_keys.insert("publer-e2e-key-123456".to_owned(), "pw-e2e".to_owned());
    });
    browser.goto(&server.url("/settings/integrations")).await?;
    browser.fill("#publer_workspace_id", "pw-e2e").await?;
    browser.click("form[action='/settings/integrations'] button[type=submit]").await?;
    browser.wait_for("document.querySelector('.flash-success')", "the settings saved").await?;
    browser.fill("#value-publer_api_key", "publer-e2e-key-123456").await?;
    browser.click("#key-publer_api_key form button[type=submit]").await?;
    browser.wait_for("document.querySelector('#key-publer_api_key [data-stored]')", "the key stored").await?;
    browser.goto(&server.url("/settings/publer")).await?;
    browser.click("form[action='/settings/publer/connect'] button[type=submit]").await?;
    browser.wait_for("document.querySelector('#publer-accounts')", "the accounts listed").await?;
    browser
        .run("document.querySelectorAll('select[name^=\"route:\"]').forEach(s => s.selectedIndex = 1)", json!([]))
        .await?;
    browser.click("form[action='/settings/publer/routes'] button[type=submit]").await?;
    // The connection's own flash is still on the page until the form's answer
    // arrives: wait for the routes' own, or the next page load races it.
    let saved = "document.querySelector('.flash-success')?.textContent.includes('Publer accounts saved')";
    browser.wait_for(saved, "the routes saved").await
}

/// Selects June's five posts (a click, then shift-click on the fifth),
/// marks them draft and ready again, and sends them to Publer. The stand-in
/// receives the cropped artwork at 4:5.
pub async fn bulk_send(browser: &Browser, server: &Server, calendar: &str, services: &Services) -> anyhow::Result<()> {
    let month = format!("/calendars/{calendar}?date=2030-06-15");
    for action in ["draft", "ready", "publer"] {
        browser.goto(&server.url(&month)).await?;
        browser.wait_for("document.querySelector('[data-bulk-bar]')", "the bulk toolbar").await?;
        let selected = browser
            .run(
                "const boxes = [...document.querySelectorAll(\"[data-date^='2030-06-0'] input.chip-select\")];
                 boxes[0].click();
                 boxes[boxes.length - 1].dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, shiftKey: true}));
                 return [boxes.length, boxes.filter(b => b.checked).length];",
                json!([]),
            )
            .await?;
        ensure!(selected == json!([5, 5]), "shift-click selects the range of five: {selected}");
        browser.run("document.querySelector('#bulk-action').value = arguments[0]", json!([action])).await?;
        browser.click("#bulk-posts button[type=submit]").await?;
        browser.wait_for("document.querySelector('.flash-success, .flash-error')", "the bulk result").await?;
        let result = browser.text(".flash-success, .flash-error").await?;
        ensure!(browser.count(".flash-success").await? == 1 && result.starts_with('5'), "{action}: {result}");
    }
    for _ in 0..100 {
        if services.seen("/publer/media").len() >= 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let uploads = services.seen("/publer/media");
    ensure!(uploads.len() >= 5, "five uploads reached Publer, saw {}", uploads.len());
    for upload in &uploads {
        let size = upload.body.split("size: ").nth(1).unwrap_or_default();
        let (w, h) = size.split_once('x').context("a size")?;
        let (w, h): (u64, u64) = (w.trim().parse()?, h.trim().parse()?);
        ensure!((w * 5).abs_diff(h * 4) <= 5, "Publer got {w}x{h}, not 4:5");
    }
    ensure!(checklist_done(browser, server).await? == 5, "sending to Publer finishes the checklist");
    Ok(())
}
