//! Publer's HTTP API, as one workspace's key and Publer workspace see it.
//! Calls go only to the configured base URL; 429s, 5xx answers and refused
//! connections are retried with a doubling backoff. The key travels only in
//! the Authorization header and never reaches an error or a log line.

use std::time::Duration;

use reqwest::{RequestBuilder, StatusCode, multipart};
use serde_json::Value;

use crate::config::PublerPolicy;

pub struct Publer<'a> {
    pub http: &'a reqwest::Client,
    pub policy: &'a PublerPolicy,
    pub key: &'a str,
    pub workspace: &'a str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
    pub provider: String,
    pub kind: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Job {
    Working,
    Done { post_ids: Vec<String> },
    Failed(String),
}

/// Why a call failed, in words for the person who asked for it.
#[derive(Debug, PartialEq, Eq)]
pub enum PublerError {
    BadKey,
    MissingScope,
    Refused(String),
    /// Still 429 or 5xx after every retry.
    Unavailable(u16),
    /// No answer in time: Publer may or may not have acted on it.
    TimedOut,
    Unreachable,
    Garbage,
}

impl PublerError {
    pub fn message(&self) -> String {
        match self {
            Self::BadKey => "Publer refused this workspace's key. Check it in Settings → Integrations.".into(),
            Self::MissingScope => {
                "Publer says the key lacks a scope this needs (accounts, media, posts, job_status).".into()
            }
            Self::Refused(why) => format!("Publer refused it: {why}"),
            Self::Unavailable(429) => "Publer kept saying too many requests. Try again later.".into(),
            Self::Unavailable(status) => format!("Publer kept failing (HTTP {status}). Try again later."),
            Self::TimedOut => "Publer did not answer in time.".into(),
            Self::Unreachable => "Publer could not be reached.".into(),
            Self::Garbage => "Publer's answer could not be read.".into(),
        }
    }
}

impl Publer<'_> {
    fn request(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.policy.base_url))
            .header("Authorization", format!("Bearer-API {}", self.key))
            .header("Publer-Workspace-Id", self.workspace)
            .header("Accept", "application/json")
            .timeout(self.policy.timeout)
    }

    /// Sends the request `build` makes, retrying what is safe to retry.
    async fn call(&self, build: impl Fn() -> RequestBuilder) -> Result<Value, PublerError> {
        let mut wait = self.policy.backoff;
        let mut attempt = 1;
        loop {
            let outcome = build().send().await;
            let retry_after = match outcome {
                Ok(response) => match response.status() {
                    s if s.is_success() => return response.json().await.map_err(|_| PublerError::Garbage),
                    s if s == StatusCode::TOO_MANY_REQUESTS || s.is_server_error() => {
                        if attempt >= self.policy.attempts {
                            return Err(PublerError::Unavailable(s.as_u16()));
                        }
                        retry_after(&response)
                    }
                    StatusCode::UNAUTHORIZED => return Err(PublerError::BadKey),
                    StatusCode::FORBIDDEN => return Err(PublerError::MissingScope),
                    s => return Err(PublerError::Refused(reasons(response.json().await.ok(), s))),
                },
                Err(e) if e.is_connect() && attempt < self.policy.attempts => None,
                Err(e) if e.is_timeout() => return Err(PublerError::TimedOut),
                Err(_) => return Err(PublerError::Unreachable),
            };
            tokio::time::sleep(retry_after.unwrap_or(wait)).await;
            wait = wait.saturating_mul(2);
            attempt += 1;
        }
    }

    /// The social accounts of the Publer workspace (checks the key, too).
    pub async fn accounts(&self) -> Result<Vec<Account>, PublerError> {
        let body = self.call(|| self.request(reqwest::Method::GET, "/accounts")).await?;
        let list = body.as_array().or_else(|| body.get("accounts").and_then(Value::as_array));
        let list = list.ok_or(PublerError::Garbage)?;
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").trim().to_owned();
        Ok(list
            .iter()
            .filter_map(|a| {
                let id = text(a, "id");
                (!id.is_empty()).then(|| Account {
                    name: text(a, "name"),
                    provider: text(a, "provider"),
                    kind: text(a, "type"),
                    id,
                })
            })
            .collect())
    }

    /// Uploads one JPEG; returns Publer's media id.
    pub async fn upload(&self, name: &str, jpeg: &[u8]) -> Result<String, PublerError> {
        let body = self
            .call(|| {
                let part = multipart::Part::bytes(jpeg.to_vec())
                    .file_name(name.to_owned())
                    .mime_str("image/jpeg")
                    .unwrap_or_else(|_| multipart::Part::bytes(jpeg.to_vec()));
                self.request(reqwest::Method::POST, "/media").multipart(multipart::Form::new().part("file", part))
            })
            .await?;
        id_of(&body, "id")
    }

    /// Hands posts to Publer; returns the job that creates them.
    pub async fn schedule(&self, posts: &Value) -> Result<String, PublerError> {
        let body = self.call(|| self.request(reqwest::Method::POST, "/posts/schedule").json(posts)).await?;
        id_of(&body, "job_id")
    }

    pub async fn job(&self, job_id: &str) -> Result<Job, PublerError> {
        let path = format!("/job_status/{}", url_segment(job_id));
        let body = self.call(|| self.request(reqwest::Method::GET, &path)).await?;
        Ok(job_of(&body))
    }
}

fn id_of(body: &Value, key: &str) -> Result<String, PublerError> {
    match body.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(PublerError::Garbage),
    }
}

/// An id Publer gave us, safe to put in a path.
fn url_segment(id: &str) -> String {
    id.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect()
}

fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    let secs: u64 = response.headers().get("retry-after")?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(secs.min(60)))
}

/// Publer's `{"errors": [...]}`, or the status when there is none.
fn reasons(body: Option<Value>, status: StatusCode) -> String {
    body.as_ref().map(describe).filter(|s| !s.is_empty()).unwrap_or_else(|| format!("HTTP {}", status.as_u16()))
}

/// Any error shape as one short line.
fn describe(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(describe).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("; "),
        Value::Object(map) => match ["errors", "error", "message", "failures"].iter().find_map(|k| map.get(*k)) {
            Some(inner) => describe(inner),
            None => map.values().map(describe).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("; "),
        },
        _ => String::new(),
    };
    text.chars().take(300).collect()
}

fn job_of(body: &Value) -> Job {
    let status = body.get("status").and_then(Value::as_str).unwrap_or("").to_ascii_lowercase();
    let payload = body.get("payload").cloned().unwrap_or(Value::Null);
    match status.as_str() {
        "completed" | "complete" | "done" | "success" => {
            let failures = payload.get("failures").filter(|f| match f {
                Value::Object(m) => !m.is_empty(),
                Value::Array(a) => !a.is_empty(),
                Value::Null => false,
                _ => true,
            });
            match failures {
                Some(f) => Job::Failed(non_empty(describe(f))),
                None => Job::Done { post_ids: post_ids(&payload) },
            }
        }
        "failed" | "error" => Job::Failed(non_empty(describe(&payload))),
        _ => Job::Working,
    }
}

fn non_empty(why: String) -> String {
    if why.is_empty() { "Publer could not create the post.".into() } else { why }
}

fn post_ids(payload: &Value) -> Vec<String> {
    let posts = payload.get("posts").and_then(Value::as_array).cloned().unwrap_or_default();
    posts.iter().filter_map(|p| id_of(p, "id").ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn jobs_are_read_whatever_their_outcome() {
        assert_eq!(job_of(&json!({"status": "working"})), Job::Working);
        assert_eq!(
            job_of(&json!({"status": "completed", "payload": {"failures": {}, "posts": [{"id": "p1"}]}})),
            Job::Done { post_ids: vec!["p1".into()] }
        );
        assert_eq!(
            job_of(&json!({"status": "completed", "payload": {"failures": {"acc": ["Image too small"]}}})),
            Job::Failed("Image too small".into())
        );
        assert_eq!(
            job_of(&json!({"status": "failed", "payload": {"error": "Account disconnected"}})),
            Job::Failed("Account disconnected".into())
        );
    }

    #[test]
    fn ids_are_made_safe_for_a_path() {
        assert_eq!(url_segment("6810dec6/../x?y"), "6810dec6xy");
    }
}
