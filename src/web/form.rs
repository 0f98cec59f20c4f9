//! Forms with repeated fields (checkbox lists), which serde's flat form
//! decoding cannot express.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
};
use url::form_urlencoded;
use uuid::Uuid;

use crate::error::AppError;

/// Every `name=value` pair of an urlencoded body, in order.
pub struct FormFields(Vec<(String, String)>);

impl FormFields {
    pub fn parse(body: &[u8]) -> Self {
        Self(form_urlencoded::parse(body).into_owned().collect())
    }

    /// Every pair, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    /// Every value of `name` that is an id; others are ignored.
    pub fn ids(&self, name: &str) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> =
            self.0.iter().filter(|(k, _)| k == name).filter_map(|(_, v)| Uuid::parse_str(v.trim()).ok()).collect();
        let mut seen = std::collections::HashSet::new();
        ids.retain(|id| seen.insert(*id));
        ids
    }
}

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|_| AppError::bad_request("The form could not be read. Reload the page and try again."))?;
        Ok(Self::parse(&body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_ids_are_collected_once_and_junk_is_dropped() {
        let a = Uuid::now_v7();
        let body = format!("ids={a}&ids=nope&ids={a}&action=delete");
        let form = FormFields::parse(body.as_bytes());
        assert_eq!(form.ids("ids"), vec![a]);
        assert_eq!(form.get("action"), "delete");
        assert_eq!(form.get("missing"), "");
    }
}
