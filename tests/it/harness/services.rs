//! Stand-ins for OpenAI's chat completions and Publer's API on 127.0.0.1,
//! recording every request (with the key and Publer workspace it carried)
//! and answering as told.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::{Value, json};

#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub authorization: String,
    pub publer_workspace: String,
    pub body: String,
}

/// How Publer's jobs end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobEnd {
    Completes,
    Fails(String),
    /// Never finishes (until told otherwise).
    KeepsWorking,
}

pub struct Script {
    /// Statuses answered, in turn, before chat completions answer normally.
    pub chat_statuses: VecDeque<u16>,
    pub chat_reply: String,
    pub chat_garbage: bool,
    pub chat_delay: Duration,
    /// Publer keys that work, and the Publer workspace each belongs to.
    pub publer_keys: HashMap<String, String>,
    /// Statuses answered, in turn, before `POST /posts/schedule` succeeds.
    pub schedule_statuses: VecDeque<u16>,
    pub job_end: JobEnd,
}

impl Default for Script {
    fn default() -> Self {
        Self {
            chat_statuses: VecDeque::new(),
            chat_reply: "Morning light on the river.\n\n#heron #oilpainting".into(),
            chat_garbage: false,
            chat_delay: Duration::ZERO,
            publer_keys: HashMap::new(),
            schedule_statuses: VecDeque::new(),
            job_end: JobEnd::Completes,
        }
    }
}

#[derive(Default)]
struct Inner {
    seen: Vec<Seen>,
    script: Script,
    counter: u32,
}

#[derive(Clone)]
pub struct Services {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
}

impl Services {
    pub async fn start() -> Self {
        let inner: Arc<Mutex<Inner>> = Arc::default();
        let app = Router::new()
            .route("/v1/chat/completions", post(chat))
            .route("/publer/accounts", get(accounts))
            .route("/publer/media", post(media))
            .route("/publer/posts/schedule", post(schedule))
            .route("/publer/job_status/{id}", get(job_status))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { base, inner }
    }

    pub fn openai_url(&self) -> String {
        format!("{}/v1", self.base)
    }

    pub fn publer_url(&self) -> String {
        format!("{}/publer", self.base)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().expect("stand-in state")
    }

    pub fn set(&self, change: impl FnOnce(&mut Script)) {
        change(&mut self.lock().script);
    }

    /// Every request to a path containing `path`.
    pub fn seen(&self, path: &str) -> Vec<Seen> {
        self.lock().seen.iter().filter(|s| s.path.contains(path)).cloned().collect()
    }

    pub fn all_seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }
}

impl Inner {
    fn record(&mut self, path: String, headers: &HeaderMap, body: String) -> u32 {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        self.seen.push(Seen {
            path,
            authorization: header("authorization"),
            publer_workspace: header("publer-workspace-id"),
            body,
        });
        self.counter += 1;
        self.counter
    }

    /// The Publer workspace the request's key and header name, if they match.
    fn publer_caller(&self, headers: &HeaderMap) -> Option<String> {
        let auth = headers.get("authorization")?.to_str().ok()?;
        let key = auth.strip_prefix("Bearer-API ")?;
        let workspace = headers.get("publer-workspace-id")?.to_str().ok()?;
        (self.script.publer_keys.get(key)? == workspace).then(|| workspace.to_owned())
    }
}

fn status(code: u16) -> Response {
    let code = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (code, Json(json!({ "errors": [format!("stand-in says {}", code.as_u16())] }))).into_response()
}

async fn chat(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap, body: Bytes) -> Response {
    let (delay, scripted, garbage, reply) = {
        let mut inner = inner.lock().expect("state");
        inner.record("/v1/chat/completions".into(), &headers, String::from_utf8_lossy(&body).into_owned());
        let s = &mut inner.script;
        (s.chat_delay, s.chat_statuses.pop_front(), s.chat_garbage, s.chat_reply.clone())
    };
    tokio::time::sleep(delay).await;
    if let Some(code) = scripted {
        return status(code);
    }
    if garbage {
        return (StatusCode::OK, "<html>not json</html>").into_response();
    }
    Json(json!({
        "choices": [{ "index": 0, "message": { "role": "assistant", "content": reply } }],
        "usage": { "prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42 },
    }))
    .into_response()
}

async fn accounts(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap) -> Response {
    let mut inner = inner.lock().expect("state");
    inner.record("/publer/accounts".into(), &headers, String::new());
    let Some(workspace) = inner.publer_caller(&headers) else { return status(401) };
    Json(json!([
        { "id": format!("ig-{workspace}"), "provider": "instagram", "name": format!("Instagram of {workspace}"), "type": "business" },
        { "id": format!("pin-{workspace}"), "provider": "pinterest", "name": format!("Pinterest of {workspace}"), "type": "business" },
    ]))
    .into_response()
}

async fn media(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap, body: Bytes) -> Response {
    let mut inner = inner.lock().expect("state");
    let has_jpeg = body.windows(3).any(|w| w == [0xFF, 0xD8, 0xFF]);
    let size = uploaded_size(&body).map_or("unreadable".to_owned(), |(w, h)| format!("{w}x{h}"));
    let described = format!("{} bytes, jpeg: {has_jpeg}, size: {size}", body.len());
    let n = inner.record("/publer/media".into(), &headers, described);
    if inner.publer_caller(&headers).is_none() {
        return status(401);
    }
    Json(json!({ "id": format!("media-{n}"), "path": "https://cdn.example/x.jpg", "type": "photo" })).into_response()
}

/// The pixel size of the JPEG inside a multipart upload: from its first
/// start-of-image marker to its last end-of-image marker.
fn uploaded_size(body: &[u8]) -> Option<(u32, u32)> {
    let start = body.windows(3).position(|w| w == [0xFF, 0xD8, 0xFF])?;
    let end = body.windows(2).rposition(|w| w == [0xFF, 0xD9])? + 2;
    let image = image::load_from_memory(body.get(start..end)?).ok()?;
    Some((image.width(), image.height()))
}

async fn schedule(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap, body: Bytes) -> Response {
    let mut inner = inner.lock().expect("state");
    let n = inner.record("/publer/posts/schedule".into(), &headers, String::from_utf8_lossy(&body).into_owned());
    if inner.publer_caller(&headers).is_none() {
        return status(401);
    }
    if let Some(code) = inner.script.schedule_statuses.pop_front() {
        return status(code);
    }
    if serde_json::from_slice::<Value>(&body).is_err() {
        return status(400);
    }
    Json(json!({ "job_id": format!("job{n}") })).into_response()
}

async fn job_status(State(inner): State<Arc<Mutex<Inner>>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let mut inner = inner.lock().expect("state");
    inner.record(format!("/publer/job_status/{id}"), &headers, String::new());
    if inner.publer_caller(&headers).is_none() {
        return status(401);
    }
    match inner.script.job_end.clone() {
        JobEnd::Completes => Json(json!({
            "status": "completed",
            "payload": { "failures": {}, "posts": [{ "id": format!("post-of-{id}") }] },
        })),
        JobEnd::Fails(why) => Json(json!({ "status": "completed", "payload": { "failures": { "account": [why] } } })),
        JobEnd::KeepsWorking => Json(json!({ "status": "working" })),
    }
    .into_response()
}
