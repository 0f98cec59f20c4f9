//! What members are told when a post's review moves, a comment is written
//! or a review link is made: rows in `notifications` (the bell) that the
//! mail summaries then carry. The hooks run in the caller's transaction,
//! so a notice exists exactly when what it tells of happened.

use uuid::Uuid;

use super::approval::{Review, Reviewer};
use crate::db::WorkspaceTx;

/// A post's review moved from `from` to `to` by `who`.
pub async fn review_changed(
    _tx: &mut WorkspaceTx,
    _post: Uuid,
    _from: Review,
    _to: Review,
    _who: &Reviewer,
) -> sqlx::Result<()> {
    Ok(())
}

/// A comment was written on a post (by a member, or by a client on a
/// review link); mentions in `body` are the notices' to find.
pub async fn comment_added(
    _tx: &mut WorkspaceTx,
    _post: Uuid,
    _comment: Uuid,
    _who: &Reviewer,
    _body: &str,
) -> sqlx::Result<()> {
    Ok(())
}

/// Every post of review link `link` is approved, the last by `reviewer`.
pub async fn link_all_approved(_tx: &mut WorkspaceTx, _link: Uuid, _reviewer: &str) -> sqlx::Result<()> {
    Ok(())
}
