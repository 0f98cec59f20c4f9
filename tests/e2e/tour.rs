//! Screenshots of the pages an artist lives in, at a desktop and a phone
//! width, saved under `target/e2e/` for a person to look at.

use std::path::PathBuf;

use crate::{server::Server, webdriver::Browser};

pub const WIDTHS: [(u32, u32); 2] = [(1400, 900), (390, 844)];

/// Visits each `(name, path)` at each width and saves `<name>-<width>.png`.
/// Fails when a page answers with an error page, so a broken page is seen.
pub async fn screenshots(browser: &Browser, server: &Server, pages: &[(&str, String)]) -> anyhow::Result<()> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("e2e");
    std::fs::create_dir_all(&dir)?;
    for (width, height) in WIDTHS {
        browser.viewport(width, height).await?;
        for (name, path) in pages {
            browser.goto(&server.url(path)).await?;
            browser.wait_for("document.readyState === 'complete'", "the page to load").await?;
            let has_error = browser.count(".error-card").await? > 0;
            anyhow::ensure!(!has_error, "{path} shows an error page");
            std::fs::write(dir.join(format!("{name}-{width}.png")), browser.screenshot().await?)?;
        }
    }
    browser.viewport(1280, 1000).await
}
