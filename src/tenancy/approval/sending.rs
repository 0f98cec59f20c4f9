//! Only approved posts are sent while approval is on: the check where a
//! send is queued (one post, the bulk send, a date range) and again in the
//! background sender just before the post is handed to Publer.

use uuid::Uuid;

use super::{Mode, Review, review_of};
use crate::db::WorkspaceTx;

/// Why a post in `review` is not sent under `mode`, if it is not.
pub fn why_not_sent(mode: Mode, review: Review) -> Option<&'static str> {
    match review {
        _ if mode.may_send(review) => None,
        Review::ChangesRequested => Some("Not sent: changes requested."),
        _ => Some("Not sent: waiting for approval."),
    }
}

/// [`why_not_sent`] for a stored post (a missing post is not refused
/// here: the caller's own lookup says 404).
pub async fn refusal(tx: &mut WorkspaceTx, mode: Mode, post: Uuid) -> sqlx::Result<Option<&'static str>> {
    if !mode.is_on() {
        return Ok(None);
    }
    Ok(review_of(tx, post).await?.and_then(|review| why_not_sent(mode, review)))
}
