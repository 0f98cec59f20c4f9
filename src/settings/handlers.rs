//! Viewing and saving a workspace's settings.

use axum::{
    Form,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{
    canonical_time_zone, queries, time_zone_names,
    views::{SettingsErrors, SettingsView},
};
use crate::{
    error::AppResult,
    state::AppState,
    tenancy::{Permission, Workspace, clean_workspace_name},
    web::{Layout, flash, invalid_form, page},
};

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    time_zone: String,
}

pub async fn view_settings(State(state): State<AppState>, ws: Workspace, layout: Layout) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let mut tx = ws.read(&state.db).await?;
    let current = queries::get(&mut tx).await?;
    tx.commit().await?;
    page(SettingsView {
        layout,
        display_name: current.display_name,
        time_zone: current.time_zone,
        time_zones: time_zone_names(),
        can_edit: ws.role().can(Permission::ManageSettings),
        errors: SettingsErrors::default(),
    })
}

pub async fn save_settings(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    layout: Layout,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    let display_name = clean_workspace_name(&form.display_name);
    let time_zone = canonical_time_zone(&form.time_zone);
    let (Ok(display_name), Some(time_zone)) = (&display_name, &time_zone) else {
        let errors = SettingsErrors {
            display_name: display_name.err(),
            time_zone: time_zone.is_none().then_some("Choose a time zone from the list, such as Europe/Paris."),
        };
        return invalid_form(SettingsView {
            layout,
            display_name: form.display_name,
            time_zone: form.time_zone,
            time_zones: time_zone_names(),
            can_edit: true,
            errors,
        });
    };
    let mut tx = ws.write(&state.db).await?;
    queries::update(&mut tx, display_name, time_zone).await?;
    tx.commit().await?;
    flash::success(&session, "Settings saved.").await?;
    Ok(Redirect::to("/settings").into_response())
}
