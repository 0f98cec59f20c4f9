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
/// Posts in the benchmark calendar, June to September 2030 (500 a month).
const POSTS: usize = 2000;

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

/// The ids an upload's results page links to as added.
fn added_ids(html: &str) -> Vec<String> {
    html.split("Added as <a href=\"/images/").skip(1).map(|rest| rest[..36].to_owned()).collect()
}

/// A collection of the given images and a calendar with one post each from
/// June 2030 on (up to 17 a day, 500 a month), made with "fill from a collection".
async fn plan_month(s: &Session, images: &[String]) -> (String, String) {
    let (token, workspace) = s.guards("/collections").await;
    let created = s
        .http
        .post(format!("{}/collections", s.base))
        .form(&[("csrf_token", token.as_str()), ("page_workspace", workspace.as_str()), ("name", "Bench series")])
        .send()
        .await
        .expect("collection");
    let collection = created.url().path().trim_start_matches("/collections/").to_owned();
    // A form carries at most 500 ids: add them 500 at a time.
    for batch in images.chunks(500) {
        let mut form = vec![("csrf_token".to_owned(), token.clone()), ("page_workspace".to_owned(), workspace.clone())];
        form.extend(batch.iter().map(|id| ("ids".to_owned(), id.clone())));
        let added = s.http.post(format!("{}/collections/{collection}/images", s.base)).form(&form).send().await;
        assert!(added.expect("add").status().is_success(), "images added to the collection");
    }
    let created = s
        .http
        .post(format!("{}/calendars", s.base))
        .form(&[
            ("csrf_token", token.as_str()),
            ("page_workspace", workspace.as_str()),
            ("name", "Bench calendar"),
            ("colour", "#4f46e5"),
            ("default_platform", "instagram"),
        ])
        .send()
        .await
        .expect("calendar");
    let calendar = created.url().path().trim_start_matches("/calendars/").to_owned();
    let times = "06:00 07:00 08:00 09:00 10:00 11:00 12:00 13:00 14:00 15:00 16:00 17:00 18:00 19:00 20:00 21:00 22:00";
    let url = format!("{}/calendars/{calendar}/autoschedule", s.base);
    // "Fill from a collection" makes at most 500 posts at a time: one month per round.
    for (start, end) in [
        ("2030-06-01", "2030-06-30"),
        ("2030-07-01", "2030-07-31"),
        ("2030-08-01", "2030-08-31"),
        ("2030-09-01", "2030-09-30"),
    ] {
        let mut plan: Vec<(String, String)> = [
            ("csrf_token", token.as_str()),
            ("page_workspace", workspace.as_str()),
            ("action", "preview"),
            ("collection_id", collection.as_str()),
            ("start", start),
            ("end", end),
            ("times", times),
            ("platform", "instagram"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        plan.extend((1..=7).map(|d| ("weekdays".to_owned(), d.to_string())));
        let preview = s.http.post(&url).form(&plan).send().await.expect("preview").text().await.expect("body");
        plan.retain(|(k, _)| k != "action");
        plan.push(("action".into(), "create".into()));
        plan.push(("fingerprint".into(), field(&preview, "fingerprint")));
        s.http.post(&url).form(&plan).send().await.expect("create");
    }
    let month = s.page(&format!("/calendars/{calendar}?date=2030-06-15")).await;
    let post = month.split("data-post=\"").nth(1).map(|r| r[..36].to_owned()).unwrap_or_default();
    assert!(!post.is_empty(), "the benchmark month has posts");
    let september = s.page(&format!("/calendars/{calendar}?view=list&date=2030-09-15")).await;
    let in_september = september.matches("data-post=\"").count();
    assert_eq!(in_september, images.len().saturating_sub(1500).min(500), "September's posts");
    eprintln!("calendar: {} posts in September", in_september);
    (calendar, post)
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

/// `seed signin BASE CONNECTIONS SECONDS`: signs in over and over (each time
/// a fresh visitor: the sign-in page, then the form) from CONNECTIONS tasks,
/// and prints sign-ins per second and the latency percentiles of the POST.
async fn sign_ins(base: &str, connections: usize, seconds: u64) {
    let until = Instant::now() + std::time::Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let base = base.to_owned();
            tokio::spawn(async move {
                let mut took = Vec::new();
                let mut failed = 0usize;
                while Instant::now() < until {
                    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
                    let http = Client::builder()
                        .cookie_provider(jar)
                        .redirect(reqwest::redirect::Policy::none())
                        .build()
                        .expect("client");
                    let s = Session { http, base: base.clone() };
                    let (token, _) = s.guards("/login").await;
                    let started = Instant::now();
                    let answer = s
                        .http
                        .post(format!("{base}/login"))
                        .form(&[("csrf_token", token.as_str()), ("email", EMAIL), ("password", PASSWORD)])
                        .send()
                        .await;
                    match answer {
                        Ok(r) if r.status().as_u16() == 303 => took.push(started.elapsed()),
                        _ => failed += 1,
                    }
                }
                (took, failed)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut failed = 0;
    for task in tasks {
        let (took, f) = task.await.expect("worker");
        all.extend(took);
        failed += f;
    }
    all.sort();
    let at = |p: f64| {
        let rank = ((all.len() as f64 * p / 100.0).ceil() as usize).saturating_sub(1);
        all.get(rank).copied().unwrap_or_default()
    };
    let ms = |d: std::time::Duration| format!("{:.1}ms", d.as_secs_f64() * 1000.0);
    println!(
        "signin rps={:.1} p50={} p99={} p999={} failed={failed}",
        all.len() as f64 / seconds as f64,
        ms(at(50.0)),
        ms(at(99.0)),
        ms(at(99.9))
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("signin") {
        let base = args.get(2).cloned().unwrap_or_else(|| "http://127.0.0.1:3000".into());
        let connections = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(32);
        let seconds = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(10);
        sign_ins(&base, connections, seconds).await;
        return;
    }
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
    let mut first_ids = Vec::new();
    for batch in (0..images).collect::<Vec<_>>().chunks(BATCH) {
        let html = s.upload(batch.iter().map(|i| (format!("piece {i:05}.png"), small_png(*i))).collect()).await;
        if first_ids.len() < POSTS {
            first_ids.extend(added_ids(&html));
        }
    }
    let (calendar, post) = plan_month(&s, &first_ids[..POSTS.min(first_ids.len())]).await;
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
    println!("calendar_id={calendar}");
    println!("post_id={post}");
    println!("ingest_24mp_median_s={:.2}", ingest[1]);
}
