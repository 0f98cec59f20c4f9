//! One-time messages carried across a redirect in the session.

use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::error::AppResult;

const KEY: &str = "flash";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Flash {
    pub kind: FlashKind,
    pub text: String,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FlashKind {
    Success,
    Error,
}

impl Flash {
    /// The link a message ends with ("…send them this link: https://…"), to
    /// offer in a field with a Copy button.
    pub fn link(&self) -> Option<&str> {
        let last = self.text.rsplit(' ').next()?;
        (last.starts_with("https://") || last.starts_with("http://")).then_some(last)
    }
}

impl FlashKind {
    pub fn css(&self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Error => "error",
        }
    }
}

pub async fn success(session: &Session, text: impl Into<String>) -> AppResult<()> {
    push(session, FlashKind::Success, text.into()).await
}

pub async fn error(session: &Session, text: impl Into<String>) -> AppResult<()> {
    push(session, FlashKind::Error, text.into()).await
}

async fn push(session: &Session, kind: FlashKind, text: String) -> AppResult<()> {
    let mut all: Vec<Flash> = session.get(KEY).await?.unwrap_or_default();
    all.push(Flash { kind, text });
    session.insert(KEY, all).await?;
    Ok(())
}

/// Removes and returns the waiting messages.
pub async fn take(session: &Session) -> AppResult<Vec<Flash>> {
    // `remove` always marks the session for saving; only pay that write when
    // there is something to take.
    let waiting: Vec<Flash> = session.get(KEY).await?.unwrap_or_default();
    if !waiting.is_empty() {
        session.remove_value(KEY).await?;
    }
    Ok(waiting)
}
