//! Forms with repeated fields (checkbox lists), which serde's flat form
//! decoding cannot express.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
};
use url::form_urlencoded;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// The most ids one form may name (a bulk action on selected items). More
/// is refused before any work, so no request can hold the write lock for
/// tens of thousands of rows.
pub const MAX_IDS: usize = 500;

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

    /// Every id of `name`, as [`FormFields::ids`], or a 422 when the form
    /// names more than [`MAX_IDS`] of them.
    pub fn bounded_ids(&self, name: &str) -> AppResult<Vec<Uuid>> {
        let sent = self.0.iter().filter(|(k, _)| k == name).count();
        if sent > MAX_IDS {
            return Err(AppError::Unprocessable(format!(
                "Select at most {MAX_IDS} items at a time; this form named {sent}. Nothing was changed."
            )));
        }
        Ok(self.ids(name))
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

    #[test]
    fn more_than_the_most_ids_is_refused() {
        let body: Vec<String> = (0..=MAX_IDS).map(|_| format!("ids={}", Uuid::now_v7())).collect();
        let form = FormFields::parse(body.join("&").as_bytes());
        assert!(matches!(form.bounded_ids("ids"), Err(AppError::Unprocessable(_))));
        let form = FormFields::parse(body[..MAX_IDS].join("&").as_bytes());
        assert_eq!(form.bounded_ids("ids").map(|ids| ids.len()).ok(), Some(MAX_IDS));
    }
}
