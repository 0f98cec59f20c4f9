//! Workspaces: the `Workspace` extractor, roles and permissions, the list of
//! a person's workspaces, creating one, and switching between them.

pub mod address;
pub mod approval;
pub mod deletion;
mod extractor;
mod handlers;
pub mod host;
pub mod notices;
pub mod overview;
pub mod permissions;
pub mod queries;
mod slug;
mod switcher;
pub mod templates;
mod views;

use axum::{Router, routing::get};

pub use address::HostWorkspace;
pub use extractor::{BILLING_LOCKED, BillingStanding, Brand, Workspace, make_active, resolve};
pub use handlers::workspaces_page;
pub use host::Site;
pub use permissions::{Access, Permission, ROUTES, Role};
pub use slug::AddressSection;
pub use views::WorkspacesView;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/workspaces", get(handlers::view_workspaces).post(handlers::create_workspace))
        .route("/workspaces/switch", axum::routing::post(handlers::switch_workspace))
        .route("/workspaces/menu", get(switcher::view_menu))
        .route("/workspaces/{id}/logo", get(handlers::serve_logo))
        .route("/settings/address", axum::routing::post(slug::save_address))
        .route("/address/logo", get(host::serve_site_logo))
}

/// Whether `user` may own one more workspace; at the cap
/// (`EASEL_MAX_OWNED_WORKSPACES`) how many they own. Platform admins have no
/// cap. Without one, anyone could sidestep the plans' limits by making
/// workspaces without end.
pub async fn may_own_another(
    state: &crate::state::AppState,
    user: uuid::Uuid,
) -> crate::error::AppResult<Result<(), i64>> {
    let (owned, platform_admin) = queries::ownership_of(&state.db, user).await?;
    Ok(if platform_admin || owned < state.config.max_owned_workspaces { Ok(()) } else { Err(owned) })
}

/// A workspace name, or why it cannot be one.
pub fn clean_workspace_name(raw: &str) -> Result<String, &'static str> {
    crate::web::clean_name(raw, "Give the workspace a name.")
}

/// Sets a new workspace's time zone (already checked to be a known zone).
pub async fn set_time_zone(tx: &mut crate::db::WorkspaceTx, time_zone: &str) -> sqlx::Result<()> {
    let settings = crate::settings::queries::get(tx).await?;
    crate::settings::queries::update(
        tx,
        &crate::settings::queries::Settings { time_zone: time_zone.to_owned(), ..settings },
    )
    .await
}
