//! Just enough of the W3C WebDriver protocol to drive Chromium through
//! `chromedriver`: sessions, navigation, elements, scripts, screenshots.

use std::{
    net::TcpListener,
    path::Path,
    process::{Child, Command, Stdio},
    time::Duration,
};

use anyhow::{Context, bail};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A `chromedriver` on a free loopback port, stopped when dropped.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    pub async fn start() -> anyhow::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("chromedriver is not installed (apt-get install chromium chromium-driver)")?;
        let driver = Self { child, url: format!("http://127.0.0.1:{port}") };
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{}/status", driver.url)).send().await.is_ok() {
                return Ok(driver);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("chromedriver did not answer on {}", driver.url)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One headless Chromium with a fresh profile.
pub struct Browser {
    http: reqwest::Client,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn open(driver: &Driver) -> anyhow::Result<Self> {
        let profile = tempfile::tempdir()?;
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1280,1000".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium(), "args": args },
        } } });
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
        let answer: Value =
            http.post(format!("{}/session", driver.url)).json(&capabilities).send().await?.json().await?;
        let id = answer["value"]["sessionId"].as_str().with_context(|| format!("no session: {answer}"))?;
        Ok(Self { http, session: format!("{}/session/{id}", driver.url), _profile: profile })
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let mut request = self.http.request(method, format!("{}{path}", self.session));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request.send().await?.json().await?;
        if let Some(error) = answer["value"]["error"].as_str() {
            bail!("webdriver {path}: {error}: {}", answer["value"]["message"]);
        }
        Ok(answer["value"].clone())
    }

    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url }))).await.map(drop)
    }

    pub async fn url(&self) -> anyhow::Result<String> {
        Ok(self.call(reqwest::Method::GET, "/url", None).await?.as_str().unwrap_or_default().to_owned())
    }

    async fn element(&self, css: &str) -> anyhow::Result<String> {
        let found = self
            .call(reqwest::Method::POST, "/element", Some(json!({ "using": "css selector", "value": css })))
            .await
            .with_context(|| format!("no element {css}"))?;
        Ok(found[ELEMENT].as_str().unwrap_or_default().to_owned())
    }

    pub async fn count(&self, css: &str) -> anyhow::Result<usize> {
        let found = self
            .call(reqwest::Method::POST, "/elements", Some(json!({ "using": "css selector", "value": css })))
            .await?;
        Ok(found.as_array().map_or(0, Vec::len))
    }

    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        let id = self.element(css).await?;
        self.call(reqwest::Method::POST, &format!("/element/{id}/click"), Some(json!({}))).await.map(drop)
    }

    /// Types into a field, replacing what was there.
    pub async fn fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let id = self.element(css).await?;
        self.call(reqwest::Method::POST, &format!("/element/{id}/clear"), Some(json!({}))).await?;
        self.call(reqwest::Method::POST, &format!("/element/{id}/value"), Some(json!({ "text": text }))).await.map(drop)
    }

    /// Chooses files in a file input (one path per line).
    pub async fn choose_files(&self, css: &str, files: &[&Path]) -> anyhow::Result<()> {
        let id = self.element(css).await?;
        let text = files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join("\n");
        self.call(reqwest::Method::POST, &format!("/element/{id}/value"), Some(json!({ "text": text }))).await.map(drop)
    }

    pub async fn text(&self, css: &str) -> anyhow::Result<String> {
        let id = self.element(css).await?;
        Ok(self
            .call(reqwest::Method::GET, &format!("/element/{id}/text"), None)
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    pub async fn run(&self, script: &str, args: Value) -> anyhow::Result<Value> {
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({ "script": script, "args": args }))).await
    }

    /// Waits (at most 20 s) until `condition`, a JavaScript expression, is true.
    pub async fn wait_for(&self, condition: &str, what: &str) -> anyhow::Result<()> {
        let script = format!("return Boolean({condition});");
        for _ in 0..200 {
            if self.run(&script, json!([])).await?.as_bool() == Some(true) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("waited 20 s for {what}")
    }

    pub async fn screenshot(&self) -> anyhow::Result<Vec<u8>> {
        let png = self.call(reqwest::Method::GET, "/screenshot", None).await?;
        Ok(STANDARD.decode(png.as_str().unwrap_or_default())?)
    }

    /// Lays pages out as on a screen `width` CSS pixels wide (a phone when
    /// narrow), through Chromium's DevTools, since a headless window has a
    /// minimum width.
    pub async fn viewport(&self, width: u32, height: u32) -> anyhow::Result<()> {
        let params = json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 });
        let body = json!({ "cmd": "Emulation.setDeviceMetricsOverride", "params": params });
        self.call(reqwest::Method::POST, "/goog/cdp/execute", Some(body)).await.map(drop)
    }

    pub async fn html(&self) -> anyhow::Result<String> {
        Ok(self.call(reqwest::Method::GET, "/source", None).await?.as_str().unwrap_or_default().to_owned())
    }

    pub async fn close(self) {
        let _ = self.http.delete(&self.session).send().await;
    }
}

/// Debian's Chromium, or whatever `chromium` is on PATH.
fn chromium() -> String {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .find(|p| Path::new(p).exists())
        .map_or_else(|| "chromium".to_owned(), |p| (*p).to_owned())
}
