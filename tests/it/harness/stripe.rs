//! A stand-in for Stripe on 127.0.0.1: the API calls Easel makes, checked
//! as Stripe checks them and recorded; a script-free Checkout page whose
//! "Pay" starts the subscription and sends Easel the signed webhooks Stripe
//! would, in Stripe's order; and controls for tests to change a
//! subscription, send any event, and make calls fail. Self-contained (no
//! `easel` items) so the browser suite can include it with `#[path]`.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicU32, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{
    Json,
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
};
use hmac::{Hmac, Mac};

#[path = "stripe_api.rs"]
mod api;
use api::{error, invoice_json, sub_json};
use serde_json::{Value, json};
use sha2::Sha256;

pub const SECRET_KEY: &str = "sk_test_x";
pub const WEBHOOK_SECRET: &str = "whsec_x";
pub const API_VERSION: &str = "2024-06-20";

/// One API call as the stand-in received it.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub form: Vec<(String, String)>,
    /// Lower-case names.
    pub headers: HashMap<String, String>,
}

impl Call {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

/// A subscription as the stand-in keeps it; tests change it with `edit`.
#[derive(Clone, Debug)]
pub struct Sub {
    pub id: String,
    pub customer: String,
    pub status: String,
    pub price: String,
    pub period_start: i64,
    pub period_end: i64,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<i64>,
    pub trial_end: Option<i64>,
    /// `metadata[workspace_id]`, from the Checkout Session.
    pub workspace: String,
}

/// A webhook sent to Easel and its answer (status 0: not delivered).
#[derive(Clone, Debug)]
pub struct Delivery {
    pub kind: String,
    pub status: u16,
    pub body: String,
}

#[derive(Clone, Debug)]
struct Session {
    customer: String,
    price: String,
    trial_days: Option<i64>,
    workspace: String,
    success_url: String,
    subscription: Option<String>,
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    /// Price id → (unit amount in cents, interval).
    prices: HashMap<String, (i64, String)>,
    customers: Vec<String>,
    sessions: HashMap<String, Session>,
    subs: HashMap<String, Sub>,
    /// Path and `Idempotency-Key` → the parameters and the answer given.
    replies: HashMap<String, (Vec<(String, String)>, Value)>,
    /// Path prefix → how many more calls to it answer 500.
    failing: HashMap<String, u32>,
    deliveries: Vec<Delivery>,
    webhook_url: String,
    counter: u64,
}

impl Inner {
    fn next(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}_test{:06}", self.counter)
    }
}

#[derive(Clone)]
pub struct Stripe {
    pub base: String,
    pub secret_key: String,
    pub webhook_secret: String,
    inner: Arc<Mutex<Inner>>,
    /// How many more connections are accepted and dropped at once.
    refuse: Arc<AtomicU32>,
    http: reqwest::Client,
}

pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// The `Stripe-Signature` header for `body` signed at `t` under `secret`.
pub fn signature(secret: &str, body: &str, t: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Accepts connections, except that it closes the next `refuse` at once:
/// with `Connection: close` on every answer, each call is its own
/// connection, so this fails whole calls.
struct Gate {
    listener: tokio::net::TcpListener,
    refuse: Arc<AtomicU32>,
}

impl axum::serve::Listener for Gate {
    type Io = tokio::net::TcpStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // Bounded: every turn but the last uses up one refusal.
        loop {
            let (io, addr) = axum::serve::Listener::accept(&mut self.listener).await;
            if self.refuse.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_err() {
                return (io, addr);
            }
            drop(io);
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}

impl Stripe {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let stripe = Self {
            base: format!("http://{}", listener.local_addr().expect("addr")),
            secret_key: SECRET_KEY.into(),
            webhook_secret: WEBHOOK_SECRET.into(),
            inner: Arc::default(),
            refuse: Arc::default(),
            http: reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("http client"),
        };
        let app = api::router(stripe.clone());
        let gate = Gate { listener, refuse: stripe.refuse.clone() };
        tokio::spawn(async move {
            let _ = axum::serve(gate, app).await;
        });
        stripe
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Where the webhooks go: Easel's `/stripe/webhook`.
    pub fn set_webhook_url(&self, url: &str) {
        self.lock().webhook_url = url.to_owned();
    }

    pub fn add_price(&self, id: &str, unit_amount: i64, interval: &str) {
        self.lock().prices.insert(id.to_owned(), (unit_amount, interval.to_owned()));
    }

    /// The next `n` API calls to paths starting with `path` answer 500.
    pub fn answer_500(&self, path: &str, n: u32) {
        self.lock().failing.insert(path.to_owned(), n);
    }

    /// The next `n` connections are reset as soon as they are accepted.
    pub fn refuse_connections(&self, n: u32) {
        self.refuse.store(n, Ordering::SeqCst);
    }

    /// Every API call to a path containing `path`, oldest first.
    pub fn calls(&self, path: &str) -> Vec<Call> {
        self.lock().calls.iter().filter(|c| c.path.contains(path)).cloned().collect()
    }

    /// The ids of the customers made, oldest first.
    pub fn customers(&self) -> Vec<String> {
        self.lock().customers.clone()
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.lock().deliveries.clone()
    }

    pub fn subscriptions(&self) -> Vec<Sub> {
        let mut subs: Vec<Sub> = self.lock().subs.values().cloned().collect();
        subs.sort_by(|a, b| a.id.cmp(&b.id));
        subs
    }

    /// Changes a subscription (no event is sent: see `send_subscription`).
    pub fn edit(&self, id: &str, change: impl FnOnce(&mut Sub)) {
        change(self.lock().subs.get_mut(id).expect("a subscription of the stand-in"));
    }

    /// The subscription as Stripe's API shows it.
    pub fn subscription_json(&self, id: &str) -> Value {
        let inner = self.lock();
        sub_json(&inner, inner.subs.get(id).expect("a subscription of the stand-in"))
    }

    /// An event as Stripe sends it, with a fresh id.
    pub fn event(&self, kind: &str, object: Value, created: i64) -> Value {
        let id = self.lock().next("evt");
        json!({ "id": id, "object": "event", "type": kind, "created": created, "livemode": false,
                "api_version": API_VERSION, "data": { "object": object } })
    }

    /// Sends `customer.subscription.<what>` (created, updated, deleted) with
    /// the subscription as it is now, made at `created`; Easel's status.
    pub async fn send_subscription(&self, what: &str, id: &str, created: i64) -> u16 {
        let object = self.subscription_json(id);
        self.send_event(&self.event(&format!("customer.subscription.{what}"), object, created)).await
    }

    /// Sends `invoice.<what>` (paid, payment_failed) for a subscription, whose
    /// status follows as at Stripe (active, past_due); Easel's status.
    pub async fn send_invoice(&self, what: &str, id: &str, created: i64) -> u16 {
        let invoice = {
            let mut inner = self.lock();
            let sub = inner.subs.get_mut(id).expect("a subscription of the stand-in");
            sub.status = if what == "paid" { "active" } else { "past_due" }.into();
            let sub = sub.clone();
            invoice_json(&mut inner, &sub, what == "paid")
        };
        self.send_event(&self.event(&format!("invoice.{what}"), invoice, created)).await
    }

    /// Sends an event, correctly signed now; Easel's status.
    pub async fn send_event(&self, event: &Value) -> u16 {
        let body = event.to_string();
        self.send_raw(&body, Some(&signature(&self.webhook_secret, &body, now()))).await.0
    }

    /// Sends `body` with this `Stripe-Signature` (none: no header); Easel's
    /// status and answer.
    pub async fn send_raw(&self, body: &str, signature: Option<&str>) -> (u16, String) {
        let url = self.lock().webhook_url.clone();
        let kind = serde_json::from_str::<Value>(body).ok().and_then(|v| v["type"].as_str().map(str::to_owned));
        let mut request =
            self.http.post(&url).header(header::CONTENT_TYPE, "application/json; charset=utf-8").body(body.to_owned());
        if let Some(signature) = signature {
            request = request.header("Stripe-Signature", signature);
        }
        let (status, answer) = match request.send().await {
            Ok(r) => (r.status().as_u16(), r.text().await.unwrap_or_default()),
            Err(_) => (0, String::new()),
        };
        let delivery = Delivery { kind: kind.unwrap_or_default(), status, body: body.to_owned() };
        self.lock().deliveries.push(delivery);
        (status, answer)
    }

    /// Records an API call and checks what Stripe checks of every call: the
    /// key, the version header, and form-encoded bodies.
    fn admit(&self, method: &str, path: &str, headers: &HeaderMap, body: &[u8]) -> Result<Call, Box<Response>> {
        let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
        let headers: HashMap<String, String> =
            headers.iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned())).collect();
        let call = Call { method: method.into(), path: path.into(), form, headers };
        let mut inner = self.lock();
        inner.calls.push(call.clone());
        if let Some(left) = inner.failing.iter_mut().find(|(p, n)| path.starts_with(p.as_str()) && **n > 0) {
            *left.1 -= 1;
            return Err(Box::new(error(500, "stand-in: a scripted failure")));
        }
        if call.header("authorization") != format!("Bearer {}", self.secret_key) {
            return Err(Box::new(error(401, "Invalid API Key provided")));
        }
        if call.header("stripe-version").is_empty() {
            return Err(Box::new(error(400, "stand-in: no Stripe-Version header")));
        }
        if method == "POST" && !call.header("content-type").starts_with("application/x-www-form-urlencoded") {
            return Err(Box::new(error(400, "stand-in: bodies must be form-encoded")));
        }
        Ok(call)
    }

    /// Answers with `make`'s object, or, for an `Idempotency-Key` seen
    /// before on this path, with the same object as then (a 400 when the
    /// parameters differ, as at Stripe).
    fn idempotent(&self, call: &Call, make: impl FnOnce(&mut Inner) -> Result<Value, Box<Response>>) -> Response {
        let key = format!("{} {}", call.path, call.header("idempotency-key"));
        let mut inner = self.lock();
        match inner.replies.get(&key).filter(|_| !call.header("idempotency-key").is_empty()) {
            Some((form, reply)) if *form == call.form => return Json(reply.clone()).into_response(),
            Some(_) => return error(400, "Keys for idempotent requests can only be used with the same parameters"),
            None => {}
        }
        match make(&mut inner) {
            Ok(reply) => {
                if !call.header("idempotency-key").is_empty() {
                    inner.replies.insert(key, (call.form.clone(), reply.clone()));
                }
                Json(reply).into_response()
            }
            Err(refused) => *refused,
        }
    }
}
