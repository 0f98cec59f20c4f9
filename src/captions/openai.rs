//! A client for OpenAI-compatible chat completions (OpenAI, Azure OpenAI,
//! Ollama, vLLM, LM Studio…). The key goes only in the Authorization header
//! and never into an error or a log line. Every call goes through
//! `outbound`, the guarded client for workspace-chosen URLs.

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};

use crate::outbound::{Failure, Guard, MAX_REPLY_BYTES, Refusal};

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

/// Why no caption came back, one class per message; a reply body never
/// reaches the person or the logs.
#[derive(Debug, PartialEq, Eq)]
pub enum ProviderError {
    /// The base URL points somewhere Easel does not call.
    Address(Refusal),
    BadKey,
    RateLimited,
    /// Another 4xx (or a redirect, which is not followed).
    Refused,
    ServerError,
    TimedOut(u64),
    Unreachable,
    Garbage,
    TooLarge,
}

impl ProviderError {
    pub fn message(&self) -> String {
        match self {
            Self::Address(refusal) => {
                format!("The base URL in Settings → Integrations {}.", refusal.describe())
            }
            Self::BadKey => "The AI provider refused this workspace's key. Check it in Settings → Integrations.".into(),
            Self::RateLimited => {
                "The AI provider says this key is over its rate limit or quota. Try again later.".into()
            }
            Self::Refused => {
                "The AI provider refused the request. Check the model and base URL in Settings → Integrations.".into()
            }
            Self::ServerError => "The AI provider had a problem. Try again in a minute.".into(),
            Self::TimedOut(secs) => format!("The AI provider did not answer within {secs} seconds. Try again."),
            Self::Unreachable => "The AI provider could not be reached. Check the base URL, or try again.".into(),
            Self::Garbage => "The AI provider's answer could not be read. Try again, or check the base URL.".into(),
            Self::TooLarge => format!(
                "The AI provider's answer was larger than {} MiB, so it was not read. Check the base URL.",
                MAX_REPLY_BYTES / (1024 * 1024)
            ),
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

    /// Sends the request through the guarded client.
    pub async fn send(&self, guard: &Guard<'_>) -> Result<Reply, ProviderError> {
        let url = url::Url::parse(&format!("{}/chat/completions", self.base_url.trim_end_matches('/')))
            .map_err(|_| ProviderError::Address(Refusal::NotHttp))?;
        let answer = guard.post_json(&url, self.key, &self.body()).await.map_err(|failure| match failure {
            Failure::Refused(refusal) => ProviderError::Address(refusal),
            Failure::Unreachable => ProviderError::Unreachable,
            Failure::TimedOut => ProviderError::TimedOut(guard.timeout.as_secs().max(1)),
            Failure::TooLarge => ProviderError::TooLarge,
        })?;
        match answer.status {
            200..=299 => {}
            401 | 403 => return Err(ProviderError::BadKey),
            429 => return Err(ProviderError::RateLimited),
            500..=599 => return Err(ProviderError::ServerError),
            _ => return Err(ProviderError::Refused),
        }
        let body: Value = serde_json::from_slice(&answer.body).map_err(|_| ProviderError::Garbage)?;
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
