//! A client for OpenAI-compatible chat completions (OpenAI, Azure OpenAI,
//! Ollama, vLLM, LM Studio…). The key goes only in the Authorization header
//! and never into an error or a log line.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

/// One request for a caption.
pub struct Chat<'a> {
    pub base_url: &'a str,
    pub key: &'a str,
    pub model: &'a str,
    pub system: String,
    pub user: String,
    /// A JPEG shown to vision models.
    pub image: Option<Vec<u8>>,
}

pub struct Reply {
    pub text: String,
    pub tokens: i64,
}

/// Why no caption came back, in words for the person at the editor.
#[derive(Debug, PartialEq, Eq)]
pub enum ProviderError {
    BadKey,
    RateLimited,
    Refused(u16),
    ServerError(u16),
    TimedOut(u64),
    Unreachable,
    Garbage,
}

impl ProviderError {
    pub fn message(&self) -> String {
        match self {
            Self::BadKey => "The AI provider refused this workspace's key. Check it in Settings → Integrations.".into(),
            Self::RateLimited => {
                "The AI provider says this key is over its rate limit or quota. Try again later.".into()
            }
            Self::Refused(status) => {
                format!(
                    "The AI provider refused the request (HTTP {status}). Check the model in Settings → Integrations."
                )
            }
            Self::ServerError(status) => {
                format!("The AI provider had a problem (HTTP {status}). Try again in a minute.")
            }
            Self::TimedOut(secs) => format!("The AI provider did not answer within {secs} seconds. Try again."),
            Self::Unreachable => "The AI provider could not be reached. Check the base URL, or try again.".into(),
            Self::Garbage => "The AI provider's answer could not be read. Try again, or check the base URL.".into(),
        }
    }
}

impl Chat<'_> {
    fn body(&self) -> Value {
        let user = match &self.image {
            None => json!(self.user),
            Some(jpeg) => json!([
                { "type": "text", "text": self.user },
                { "type": "image_url", "image_url": { "url": format!("data:image/jpeg;base64,{}", STANDARD.encode(jpeg)) } },
            ]),
        };
        json!({
            "model": self.model,
            "messages": [
                { "role": "system", "content": self.system },
                { "role": "user", "content": user },
            ],
        })
    }

    pub async fn send(&self, http: &reqwest::Client, timeout: Duration) -> Result<Reply, ProviderError> {
        let url = format!("{}/chat/completions", self.base_url.trim_end_matches('/'));
        let response = http
            .post(url)
            .bearer_auth(self.key)
            .timeout(timeout)
            .json(&self.body())
            .send()
            .await
            .map_err(|e| transport_error(&e, timeout))?;
        let status = response.status().as_u16();
        match status {
            200..=299 => {}
            401 | 403 => return Err(ProviderError::BadKey),
            429 => return Err(ProviderError::RateLimited),
            500..=599 => return Err(ProviderError::ServerError(status)),
            _ => return Err(ProviderError::Refused(status)),
        }
        let body: Value = response.json().await.map_err(|e| match transport_error(&e, timeout) {
            ProviderError::TimedOut(s) => ProviderError::TimedOut(s),
            _ => ProviderError::Garbage,
        })?;
        let text = body
            .pointer("/choices/0/message/content")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ProviderError::Garbage)?;
        let tokens = body.pointer("/usage/total_tokens").and_then(Value::as_i64).unwrap_or(0);
        Ok(Reply { text: text.to_owned(), tokens })
    }
}

fn transport_error(e: &reqwest::Error, timeout: Duration) -> ProviderError {
    if e.is_timeout() { ProviderError::TimedOut(timeout.as_secs().max(1)) } else { ProviderError::Unreachable }
}
