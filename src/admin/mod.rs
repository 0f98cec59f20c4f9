//! The operator's side: platform admins, the dashboard over every workspace,
//! plans and custom limits, suspension, deletion (scheduled, restored or
//! purged now), and the platform audit log.
//!
//! The only module with cross-workspace queries (DESIGN §3): every handler
//! takes `PlatformAdmin`, which answers 404 to everyone else, and its
//! transactions (`AdminTx`) are the only ones row-level security lets
//! across workspaces.

mod backups;
mod billing;
mod charts;
mod dashboard;
mod deletion;
mod extractor;
mod figures;
mod handlers;
mod imports;
pub mod moving;
mod plans;
pub mod queries;
pub mod snapshots;
mod workspace;

use axum::{
    Router,
    routing::{get, post},
};
pub use extractor::PlatformAdmin;

use crate::{
    db::{AdminTx, Db},
    state::AppState,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(dashboard::dashboard))
        .route("/admin/workspaces/{id}", get(workspace::view_workspace))
        .route("/admin/workspaces/{id}/plan", post(workspace::change_plan))
        .route("/admin/workspaces/{id}/limits", post(handlers::set_limits))
        .route("/admin/workspaces/{id}/suspend", post(handlers::suspend))
        .route("/admin/workspaces/{id}/unsuspend", post(handlers::unsuspend))
        .route("/admin/workspaces/{id}/delete", post(deletion::delete_workspace))
        .route("/admin/workspaces/{id}/restore", post(deletion::restore_workspace))
        .route("/admin/workspaces/{id}/purge", post(deletion::purge_workspace))
        .route("/admin/plans", get(plans::view_plans))
        .route("/admin/plans/{key}", post(plans::save_plan))
        .route("/admin/audit", get(handlers::view_audit))
        .route(
            "/admin/import",
            get(imports::view_import).post(imports::import).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/admin/backups", post(backups::back_up_now))
}

/// Everything the platform audit log records, with the words its page shows.
pub const ACTIONS: [(&str, &str); 20] = [
    ("admin.granted", "Made a platform admin"),
    ("admin.revoked", "Removed a platform admin"),
    ("workspace.plan_changed", "Changed a plan"),
    ("workspace.limits_changed", "Set custom limits"),
    ("workspace.suspended", "Suspended a workspace"),
    ("workspace.unsuspended", "Lifted a suspension"),
    ("workspace.deleted", "Deleted a workspace"),
    ("workspace.deletion_scheduled", "Scheduled a workspace for deletion"),
    ("workspace.restored", "Restored a workspace"),
    ("workspace.purged", "Purged a workspace now"),
    ("plan.changed", "Edited a plan"),
    ("account.claimed", "An address's proven owner took over an unconfirmed account"),
    ("backup.started", "Started a backup"),
    ("workspace.imported", "Imported a workspace"),
    ("billing.plan_changed", "Billing changed a plan"),
    ("billing.payment_failed", "A payment failed (grace period started)"),
    ("billing.payment_recovered", "A failed payment went through"),
    ("billing.canceled", "A subscription ended"),
    ("billing.unknown_customer", "A Stripe event for no known workspace"),
    ("billing.unknown_price", "A Stripe price no plan sells"),
];

/// Makes the person with `email` a platform admin (or not); false if there
/// is no such person. `by` names who asked (a person, or the command line).
pub async fn set_platform_admin(db: &Db, email: &str, admin: bool, by: &str) -> anyhow::Result<bool> {
    let mut tx = AdminTx::begin(db).await?;
    let changed = queries::set_platform_admin(&mut tx, email, admin).await?;
    if changed {
        let action = if admin { "admin.granted" } else { "admin.revoked" };
        queries::record(&mut tx, None, by, action, None, email).await?;
    }
    tx.commit().await?;
    Ok(changed)
}

/// Grants `EASEL_ADMIN_EMAILS` at start-up, and again when one of those
/// addresses is confirmed: only to an account that proved it holds the
/// address, never to whoever signed up with it first.
pub async fn grant_configured(db: &Db, emails: &[String]) -> anyhow::Result<()> {
    for email in emails {
        let mut tx = AdminTx::begin(db).await?;
        let standing = queries::admin_standing(&mut tx, email).await?;
        tx.commit().await?;
        match standing {
            Some((true, _)) => {}
            Some((false, true)) => {
                set_platform_admin(db, email, true, "EASEL_ADMIN_EMAILS").await?;
                tracing::info!(email, "made a platform admin from EASEL_ADMIN_EMAILS");
            }
            Some((false, false)) => tracing::warn!(
                email,
                "EASEL_ADMIN_EMAILS names an account whose address is not confirmed yet; it becomes an admin once confirmed"
            ),
            None => tracing::warn!(email, "EASEL_ADMIN_EMAILS names someone without an account yet"),
        }
    }
    Ok(())
}
