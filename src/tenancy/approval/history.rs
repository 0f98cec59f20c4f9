//! Lines of a post's history (`post_history`) besides the review steps:
//! status changes a person makes and sends to Publer, so the post's
//! timeline tells the whole story.

use time::OffsetDateTime;
use uuid::Uuid;

use super::Reviewer;
use crate::db::{WorkspaceTx, query::execute};

/// One history line of `post`: what happened (`kind`), from which state to
/// which, by whom and from where.
pub(super) async fn insert(
    tx: &mut WorkspaceTx,
    post: Uuid,
    kind: &str,
    (from, to): (&str, &str),
    who: &Reviewer,
    detail: &str,
) -> sqlx::Result<()> {
    let ws = tx.workspace_id();
    execute!(
        tx,
        "INSERT INTO post_history (workspace_id, id, event_id, kind, from_state, to_state, actor_id, actor_name, via, \
           review_link_id, ip, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        ws,
        Uuid::now_v7(),
        post,
        kind,
        from,
        to,
        who.user_id,
        who.name.as_str(),
        who.via.as_str(),
        who.via.link(),
        who.ip.as_str(),
        detail,
        OffsetDateTime::now_utc()
    )
    .map(drop)
}

/// The post's status went from `from` to `to` (draft, ready…); nothing is
/// written when it did not change.
pub async fn record_status(tx: &mut WorkspaceTx, post: Uuid, from: &str, to: &str, who: &Reviewer) -> sqlx::Result<()> {
    if from == to {
        return Ok(());
    }
    insert(tx, post, "status_changed", (from, to), who, "").await
}

/// The post was queued for Publer by `who`.
pub async fn record_sent(tx: &mut WorkspaceTx, post: Uuid, who: &Reviewer) -> sqlx::Result<()> {
    insert(tx, post, "sent_to_publer", ("", "sending"), who, "").await
}
