//! SQL of plans and of a workspace's limits (its plan's, or custom ones).

use uuid::Uuid;

use crate::db::{
    AdminTx, Db, WorkspaceTx,
    query::{execute, fetch_all, fetch_optional},
};

/// A plan as the operator edits it; `None` is "no limit".
#[derive(Clone, Debug, Default, sqlx::FromRow)]
pub struct Plan {
    pub key: String,
    pub name: String,
    pub max_images: Option<i64>,
    pub max_storage_bytes: Option<i64>,
    pub max_members: Option<i64>,
    pub max_ai_generations: Option<i64>,
    pub max_publer_posts: Option<i64>,
    pub can_hide_branding: bool,
    /// Stripe's price ids; empty: not sold that way.
    #[sqlx(default)]
    pub stripe_price_monthly: String,
    #[sqlx(default)]
    pub stripe_price_yearly: String,
    /// What the plan page shows (Stripe charges what the price says).
    #[sqlx(default)]
    pub price_monthly_cents: i64,
    #[sqlx(default)]
    pub price_yearly_cents: i64,
    /// `None`: `EASEL_TRIAL_DAYS`.
    #[sqlx(default)]
    pub trial_days: Option<i64>,
}

/// The limits in force for one workspace: its plan's, with any custom
/// limits of its own put in their place.
pub type Limits = Plan;

/// A custom limit wins over the plan's; a negative custom limit is "no limit".
const LIMITS: &str = "SELECT w.plan AS key, p.name, \
       CASE WHEN w.custom_max_images IS NULL THEN p.max_images WHEN w.custom_max_images < 0 THEN NULL \
            ELSE w.custom_max_images END AS max_images, \
       CASE WHEN w.custom_max_storage_bytes IS NULL THEN p.max_storage_bytes \
            WHEN w.custom_max_storage_bytes < 0 THEN NULL ELSE w.custom_max_storage_bytes END AS max_storage_bytes, \
       CASE WHEN w.custom_max_members IS NULL THEN p.max_members WHEN w.custom_max_members < 0 THEN NULL \
            ELSE w.custom_max_members END AS max_members, \
       CASE WHEN w.custom_max_ai_generations IS NULL THEN p.max_ai_generations \
            WHEN w.custom_max_ai_generations < 0 THEN NULL ELSE w.custom_max_ai_generations END AS max_ai_generations, \
       CASE WHEN w.custom_max_publer_posts IS NULL THEN p.max_publer_posts \
            WHEN w.custom_max_publer_posts < 0 THEN NULL ELSE w.custom_max_publer_posts END AS max_publer_posts, \
       COALESCE(w.custom_can_hide_branding, p.can_hide_branding) AS can_hide_branding \
     FROM workspaces w JOIN plans p ON p.key = w.plan WHERE w.id = $1";

/// The active workspace's limits.
pub async fn limits(tx: &mut WorkspaceTx) -> sqlx::Result<Limits> {
    let id = tx.workspace_id();
    Ok(fetch_optional!(tx.global().await?, Limits, LIMITS, id)?.unwrap_or_default())
}

/// Any workspace's limits, for the admin pages.
pub async fn limits_of(tx: &mut AdminTx, workspace: Uuid) -> sqlx::Result<Limits> {
    Ok(fetch_optional!(tx, Limits, LIMITS, workspace)?.unwrap_or_default())
}

const PLAN_COLUMNS: &str = "key, name, max_images, max_storage_bytes, max_members, max_ai_generations, \
                            max_publer_posts, can_hide_branding, stripe_price_monthly, stripe_price_yearly, \
                            price_monthly_cents, price_yearly_cents, trial_days";

pub async fn plans(db: &Db) -> sqlx::Result<Vec<Plan>> {
    fetch_all!(db, Plan, &format!("SELECT {PLAN_COLUMNS} FROM plans ORDER BY position"))
}

pub async fn update_plan(tx: &mut AdminTx, p: &Plan) -> sqlx::Result<u64> {
    execute!(
        tx,
        "UPDATE plans SET max_images = $2, max_storage_bytes = $3, max_members = $4, max_ai_generations = $5, \
           max_publer_posts = $6, can_hide_branding = $7, stripe_price_monthly = $8, stripe_price_yearly = $9, \
           price_monthly_cents = $10, price_yearly_cents = $11, trial_days = $12 WHERE key = $1",
        &p.key,
        p.max_images,
        p.max_storage_bytes,
        p.max_members,
        p.max_ai_generations,
        p.max_publer_posts,
        p.can_hide_branding,
        &p.stripe_price_monthly,
        &p.stripe_price_yearly,
        p.price_monthly_cents,
        p.price_yearly_cents,
        p.trial_days
    )
}

/// Members plus invitations still waiting: the seats a workspace has promised.
pub async fn members_and_invited(tx: &mut WorkspaceTx) -> sqlx::Result<i64> {
    let id = tx.workspace_id();
    crate::db::query::fetch_scalar!(
        tx.global().await?,
        i64,
        "SELECT (SELECT COUNT(*) FROM memberships WHERE workspace_id = $1) + \
                (SELECT COUNT(*) FROM invitations WHERE workspace_id = $1 AND accepted_at IS NULL \
                   AND revoked_at IS NULL AND expires_at > $2)",
        id,
        time::OffsetDateTime::now_utc()
    )
}
