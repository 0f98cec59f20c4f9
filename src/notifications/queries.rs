//! The signed-in person's notices in the active workspace.

use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::{
    WorkspaceTx,
    query::{execute, fetch_all, fetch_optional},
};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Notice {
    pub id: Uuid,
    pub kind: String,
    pub text: String,
    pub link: String,
    pub created_at: OffsetDateTime,
    pub read_at: Option<OffsetDateTime>,
}

/// A page of `user`'s notices for the bell, newest first (one more than
/// `size`, so the page knows whether another follows).
pub async fn page(tx: &mut WorkspaceTx, user: Uuid, size: i64, offset: i64) -> sqlx::Result<Vec<Notice>> {
    let ws = tx.workspace_id();
    fetch_all!(
        tx,
        Notice,
        "SELECT id, kind, text, link, created_at, read_at FROM notifications \
         WHERE workspace_id = $1 AND user_id = $2 AND in_app ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4",
        ws,
        user,
        size + 1,
        offset
    )
}

/// Marks one of `user`'s notices read; its link, or `None` when it is not theirs.
pub async fn open(tx: &mut WorkspaceTx, user: Uuid, id: Uuid) -> sqlx::Result<Option<String>> {
    let ws = tx.workspace_id();
    let found: Option<(String,)> = fetch_optional!(
        tx,
        (String,),
        "SELECT link FROM notifications WHERE workspace_id = $1 AND user_id = $2 AND id = $3",
        ws,
        user,
        id
    )?;
    if found.is_some() {
        execute!(
            tx,
            "UPDATE notifications SET read_at = $4 WHERE workspace_id = $1 AND user_id = $2 AND id = $3 \
               AND read_at IS NULL",
            ws,
            user,
            id,
            OffsetDateTime::now_utc()
        )?;
    }
    Ok(found.map(|(link,)| link))
}
