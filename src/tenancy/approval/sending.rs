//! Only approved posts are sent while approval is on: the check where a
//! send is queued (one post, the bulk send, a date range) and again in the
//! background sender just before the post is handed to Publer.

use uuid::Uuid;

use super::{Mode, Review, mode_of, review_of};
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

/// What the background sender says of a queued post it may not hand over
/// (approval on, and the post not approved, maybe changed since it was
/// queued); it reads the mode itself, having no request.
pub async fn refusal_in_sender(tx: &mut WorkspaceTx, post: Uuid) -> sqlx::Result<Option<String>> {
    let mode = mode_of(tx).await?;
    Ok(refusal(tx, mode, post).await?.map(|why| format!("{why} Approve it, then send it again.")))
}
