//! The "Address" section of the settings page: the workspace's slug, which
//! gives it its own address `{slug}.EASEL_BASE_DOMAIN` (owners and admins).

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

use super::{
    Permission, Workspace,
    address::{MAX_LEN, address_of, clean_slug, slug_of},
};
use crate::{
    audit,
    db::query::execute,
    error::AppResult,
    state::AppState,
    web::{Layout, flash, form::FormFields},
};

const TAKEN: &str = "Another workspace already uses that address; choose another.";

/// What the settings page shows about the address.
#[derive(Clone, Debug, Default)]
pub struct AddressSection {
    /// The slug saved, or as typed when the form comes back with an error.
    pub slug: String,
    /// The full address, when `EASEL_BASE_DOMAIN` is set and a slug is saved.
    pub address: Option<String>,
    /// `EASEL_BASE_DOMAIN`, when set.
    pub domain: Option<String>,
    pub error: Option<String>,
    pub can_edit: bool,
    pub max_len: usize,
}

impl AddressSection {
    /// The section as saved.
    pub async fn load(state: &AppState, ws: &Workspace) -> AppResult<Self> {
        let slug = slug_of(state, ws.id()).await?.unwrap_or_default();
        Ok(Self {
            address: (!slug.is_empty()).then(|| address_of(&state.config, &slug)).flatten(),
            slug,
            domain: state.config.base_domain.clone(),
            error: None,
            can_edit: ws.role().can(Permission::ManageSettings),
            max_len: MAX_LEN,
        })
    }

    /// The section with the slug as typed and why it was refused.
    async fn refused(state: &AppState, ws: &Workspace, typed: &str, why: &str) -> AppResult<Self> {
        let mut section = Self::load(state, ws).await?;
        section.slug = typed.trim().chars().take(MAX_LEN + 20).collect();
        section.error = Some(why.to_owned());
        Ok(section)
    }
}

/// Saves (or clears) the slug. A bad or taken one comes back on the
/// settings page with its reason, nothing changed.
pub async fn save_address(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    layout: Layout,
    form: FormFields,
) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    let typed = form.get("slug");
    let slug = match clean_slug(typed) {
        Ok(slug) => slug,
        Err(why) => return refuse(&state, &ws, layout, typed, why).await,
    };
    let mut tx = ws.write().await?;
    let id = tx.workspace_id();
    let saved = execute!(tx.global().await?, "UPDATE workspaces SET slug = $2 WHERE id = $1", id, &slug);
    match saved {
        Ok(_) => {}
        // The unique index is the final word when two workspaces race for one.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            drop(tx);
            return refuse(&state, &ws, layout, typed, TAKEN).await;
        }
        Err(other) => return Err(other.into()),
    }
    let detail = slug.clone().unwrap_or_else(|| "cleared".into());
    audit::record(&mut tx, &ws, "workspace.address_changed", "Address", &detail).await?;
    tx.commit().await?;
    let message = match slug.as_deref().and_then(|s| address_of(&state.config, s)) {
        Some(address) => format!("Address saved: {address}"),
        None if slug.is_some() => "Address saved.".to_owned(),
        None => "Address cleared.".to_owned(),
    };
    flash::success(&session, message).await?;
    Ok(Redirect::to("/settings#address").into_response())
}

async fn refuse(state: &AppState, ws: &Workspace, layout: Layout, typed: &str, why: &str) -> AppResult<Response> {
    let section = AddressSection::refused(state, ws, typed, why).await?;
    crate::settings::page_with_address(ws, layout, section, true).await
}
