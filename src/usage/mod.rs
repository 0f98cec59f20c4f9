//! What a workspace uses, kept current as it changes, for plan limits.

use crate::db::{
    WorkspaceTx,
    query::{execute, fetch_optional},
};

#[derive(Clone, Copy, Debug, Default, sqlx::FromRow)]
pub struct Storage {
    pub image_count: i64,
    pub storage_bytes: i64,
}

/// Adds (or, with negative numbers, subtracts) images and bytes.
pub async fn record_storage(tx: &mut WorkspaceTx, images: i64, bytes: i64) -> sqlx::Result<()> {
    let id = tx.workspace_id();
    execute!(
        tx,
        "INSERT INTO workspace_usage (workspace_id, image_count, storage_bytes) VALUES ($1, $2, $3) \
         ON CONFLICT (workspace_id) DO UPDATE SET \
           image_count = workspace_usage.image_count + excluded.image_count, \
           storage_bytes = workspace_usage.storage_bytes + excluded.storage_bytes",
        id,
        images,
        bytes,
    )
    .map(drop)
}

pub async fn storage(tx: &mut WorkspaceTx) -> sqlx::Result<Storage> {
    let id = tx.workspace_id();
    let found = fetch_optional!(
        tx,
        Storage,
        "SELECT image_count, storage_bytes FROM workspace_usage WHERE workspace_id = $1",
        id
    )?;
    Ok(found.unwrap_or_default())
}

/// What a workspace used in one calendar month.
#[derive(Clone, Copy, Debug, Default, sqlx::FromRow)]
pub struct Monthly {
    pub ai_generations: i64,
    pub ai_tokens: i64,
    pub publer_posts: i64,
}

/// The current month as stored: `YYYY-MM`, in UTC.
pub fn this_month() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!("{:04}-{:02}", now.year(), u8::from(now.month()))
}

/// Counts one caption request if the month's allowance (`None`: no limit)
/// has room; false when it has none. One conditional statement checks and
/// counts, so requests made at the same moment cannot overspend it.
pub async fn count_generation(tx: &mut WorkspaceTx, allowance: Option<i64>) -> sqlx::Result<bool> {
    let id = tx.workspace_id();
    let allowance = match allowance {
        None => i64::MAX,
        Some(max) if max < 1 => return Ok(false),
        Some(max) => max,
    };
    let counted: Option<(i64,)> = fetch_optional!(
        tx,
        (i64,),
        "INSERT INTO monthly_usage (workspace_id, month, ai_generations, ai_tokens, publer_posts) \
         VALUES ($1, $2, 1, 0, 0) ON CONFLICT (workspace_id, month) DO UPDATE SET \
           ai_generations = monthly_usage.ai_generations + 1 \
         WHERE monthly_usage.ai_generations < $3 RETURNING ai_generations",
        id,
        this_month(),
        allowance,
    )?;
    Ok(counted.is_some())
}

/// Adds the tokens a counted caption request took.
pub async fn record_tokens(tx: &mut WorkspaceTx, tokens: i64) -> sqlx::Result<()> {
    record_monthly(tx, Monthly { ai_generations: 0, ai_tokens: tokens, publer_posts: 0 }).await
}

/// Counts one post Publer accepted.
pub async fn record_publer_post(tx: &mut WorkspaceTx) -> sqlx::Result<()> {
    record_monthly(tx, Monthly { ai_generations: 0, ai_tokens: 0, publer_posts: 1 }).await
}

async fn record_monthly(tx: &mut WorkspaceTx, add: Monthly) -> sqlx::Result<()> {
    let id = tx.workspace_id();
    execute!(
        tx,
        "INSERT INTO monthly_usage (workspace_id, month, ai_generations, ai_tokens, publer_posts) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workspace_id, month) DO UPDATE SET \
           ai_generations = monthly_usage.ai_generations + excluded.ai_generations, \
           ai_tokens = monthly_usage.ai_tokens + excluded.ai_tokens, \
           publer_posts = monthly_usage.publer_posts + excluded.publer_posts",
        id,
        this_month(),
        add.ai_generations,
        add.ai_tokens,
        add.publer_posts,
    )
    .map(drop)
}

pub async fn monthly(tx: &mut WorkspaceTx) -> sqlx::Result<Monthly> {
    let id = tx.workspace_id();
    let found = fetch_optional!(
        tx,
        Monthly,
        "SELECT ai_generations, ai_tokens, publer_posts FROM monthly_usage WHERE workspace_id = $1 AND month = $2",
        id,
        this_month()
    )?;
    Ok(found.unwrap_or_default())
}
