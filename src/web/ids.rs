//! Object ids in paths and forms.

use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// An id from a URL or form. Anything that is not one names nothing: 404,
/// the same answer as another workspace's id.
pub fn parse_id(raw: &str) -> AppResult<Uuid> {
    Uuid::parse_str(raw.trim()).map_err(|_| AppError::NotFound)
}
