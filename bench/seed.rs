//! Seeds a running Easel over HTTP, the way people would: one account with
//! many workspaces, one of them holding thousands of images. Then times the
//! ingest of a 24-megapixel JPEG. Prints `key=value` lines for bench/run.sh.
//!
//!     cargo run --release --example seed -- http://127.0.0.1:3000 100 10000

use std::{io::Cursor, time::Instant};

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use reqwest::{Client, multipart};

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "bench password 123";
const BATCH: usize = 50;

struct Session {
    http: Client,
    base: String,
}

impl Session {
    async fn page(&self, path: &str) -> String {
        let response = self.http.get(format!("{}{path}", self.base)).send().await.expect("GET");
        response.text().await.expect("body")
    }

    /// The form guards of the page at `path`.
    async fn guards(&self, path: &str) -> (String, String) {
        let html = self.page(path).await;
        (field(&html, "csrf_token"), field(&html, "page_workspace"))
    }

    async fn post(&self, path: &str, from: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let (token, workspace) = self.guards(from).await;
        let mut all = vec![("csrf_token", token.as_str()), ("page_workspace", workspace.as_str())];
        all.extend_from_slice(fields);
        self.http.post(format!("{}{path}", self.base)).form(&all).send().await.expect("POST")
    }

    async fn upload(&self, files: Vec<(String, Vec<u8>)>) -> String {
        let (token, workspace) = self.guards("/images").await;
        let mut form = multipart::Form::new().text("csrf_token", token).text("page_workspace", workspace);
        for (name, bytes) in files {
            form = form.part("files", multipart::Part::bytes(bytes).file_name(name));
        }
        let response = self.http.post(format!("{}/images", self.base)).multipart(form).send().await.expect("upload");
        assert!(response.status().is_success(), "upload failed: {}", response.status());
        response.text().await.expect("body")
    }
}

fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.find(&marker)
        .map(|i| {
            let rest = &html[i + marker.len()..];
            rest[..rest.find('"').unwrap_or(0)].to_owned()
        })
        .unwrap_or_default()
}

/// A small, unique picture: the index is written into its pixels.
fn small_png(index: usize) -> Vec<u8> {
    let bytes = (index as u32).to_be_bytes();
    let image =
        RgbImage::from_fn(96, 72, |x, y| Rgb([bytes[(x % 4) as usize], bytes[(y % 4) as usize], (x * 2 + y) as u8]));
    encode(DynamicImage::ImageRgb8(image), ImageFormat::Png)
}

/// A 6000 × 4000 photograph-like JPEG (smooth colour with grain).
fn big_jpeg(seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    let image = RgbImage::from_fn(6000, 4000, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let grain = (state % 24) as u8;
        Rgb([(x / 24) as u8 ^ grain, (y / 16) as u8 ^ grain, ((x + y) / 40) as u8 ^ grain])
    });
    encode(DynamicImage::ImageRgb8(image), ImageFormat::Jpeg)
}

fn encode(image: DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let base = args.get(1).cloned().unwrap_or_else(|| "http://127.0.0.1:3000".into());
    let workspaces: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100);
    let images: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let http = Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .expect("client");
    let s = Session { http, base: base.clone() };

    s.page("/signup").await;
    let (token, _) = s.guards("/signup").await;
    s.http
        .post(format!("{base}/signup"))
        .form(&[("csrf_token", token.as_str()), ("name", "Bench Studio"), ("email", EMAIL), ("password", PASSWORD)])
        .send()
        .await
        .expect("signup");
    let studio = s.guards("/settings").await.1;
    assert!(!studio.is_empty(), "signed up and in");

    let started = Instant::now();
    for n in 1..workspaces {
        s.post("/workspaces", "/workspaces", &[("name", &format!("Client {n:03}"))]).await;
        s.upload((0..3).map(|i| (format!("client-{n}-{i}.png"), small_png(1_000_000 + n * 10 + i))).collect()).await;
    }
    s.post("/workspaces/switch", "/workspaces", &[("workspace_id", &studio), ("back", "/")]).await;
    for batch in (0..images).collect::<Vec<_>>().chunks(BATCH) {
        s.upload(batch.iter().map(|i| (format!("piece {i:05}.png"), small_png(*i))).collect()).await;
    }
    eprintln!("seeded {workspaces} workspaces and {images} images in {:.1} s", started.elapsed().as_secs_f64());

    let library = s.page("/images").await;
    let image_id = field(&library, "ids");
    let mut ingest = Vec::new();
    for seed in 1..=3 {
        let jpeg = big_jpeg(seed);
        let size = jpeg.len();
        let started = Instant::now();
        let result = s.upload(vec![(format!("large-{seed}.jpg"), jpeg)]).await;
        assert!(result.contains("upload-added"), "the 24 MP JPEG was not added");
        ingest.push(started.elapsed().as_secs_f64());
        eprintln!("24 MP JPEG of {:.1} MB ingested in {:.2} s", size as f64 / 1e6, ingest[ingest.len() - 1]);
    }
    ingest.sort_by(f64::total_cmp);
    let cookie = {
        use reqwest::cookie::CookieStore;
        jar.cookies(&base.parse().expect("url")).and_then(|v| v.to_str().ok().map(str::to_owned)).unwrap_or_default()
    };
    println!("cookie={cookie}");
    println!("image_id={image_id}");
    println!("ingest_24mp_median_s={:.2}", ingest[1]);
}
