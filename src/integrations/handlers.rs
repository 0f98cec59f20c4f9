//! The integrations page.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{KEYS, queries};
use crate::{
    audit,
    calendars::clock::{Clock, hhmm},
    error::{AppError, AppResult},
    settings,
    state::AppState,
    tenancy::{Permission, Workspace},
    web::{Layout, flash, invalid_form, page},
};

#[derive(Template)]
#[template(path = "integrations/index.html")]
struct IntegrationsView {
    layout: Layout,
    keys: Vec<KeyRow>,
    form: queries::Integrations,
    error: Option<&'static str>,
}

struct KeyRow {
    field: &'static str,
    label: &'static str,
    /// `•••• 1234` and who set it when, if a key is stored.
    stored: Option<String>,
    /// True when the stored value no longer opens.
    broken: bool,
}

#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    value: String,
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    openai_base_url: String,
    #[serde(default)]
    openai_model: String,
    #[serde(default)]
    publer_workspace_id: String,
    #[serde(default)]
    openai_vision: Option<String>,
}

async fn view_of(state: &AppState, ws: &Workspace, layout: Layout) -> AppResult<IntegrationsView> {
    let mut tx = ws.read(&state.db).await?;
    let stored = queries::keys(&mut tx).await?;
    let form = queries::settings(&mut tx).await?;
    let clock = Clock::new(&settings::queries::get(&mut tx).await?.time_zone);
    tx.commit().await?;
    let keys = KEYS
        .iter()
        .map(|(field, label)| {
            let found = stored.iter().find(|k| k.field == *field);
            let broken = found.is_some_and(|k| state.secrets.open(ws.id(), field, &k.sealed).is_err());
            let stored = found.map(|k| {
                let (date, time) = clock.local(k.set_at);
                format!("•••• {} · set by {} on {date} at {}", k.last4, k.set_by, hhmm(time))
            });
            KeyRow { field, label, stored, broken }
        })
        .collect();
    Ok(IntegrationsView { layout, keys, form, error: None })
}

pub async fn view(State(state): State<AppState>, ws: Workspace, layout: Layout) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    page(view_of(&state, &ws, layout).await?)
}

fn known_field(field: &str) -> AppResult<(&'static str, &'static str)> {
    KEYS.iter().find(|(f, _)| *f == field).copied().ok_or(AppError::NotFound)
}

pub async fn set_key(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    layout: Layout,
    Path(field): Path<String>,
    Form(form): Form<KeyForm>,
) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    let (field, label) = known_field(&field)?;
    let value = form.value.trim();
    if value.len() < 8 || value.len() > 500 || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        let mut view = view_of(&state, &ws, layout).await?;
        view.error = Some("Paste the whole key: 8 to 500 characters, no spaces.");
        return invalid_form(view);
    }
    let last4: String = value.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    let sealed = state.secrets.seal(ws.id(), field, value);
    let mut tx = ws.write(&state.db).await?;
    queries::set_key(&mut tx, field, &sealed, &last4, &ws.user().name).await?;
    audit::record(&mut tx, &ws, "key.changed", label, &format!("ends in {last4}")).await?;
    tx.commit().await?;
    flash::success(&session, format!("{label} saved.")).await?;
    Ok(Redirect::to("/settings/integrations").into_response())
}

pub async fn remove_key(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    Path(field): Path<String>,
) -> AppResult<Redirect> {
    ws.require(Permission::ManageSettings)?;
    let (field, label) = known_field(&field)?;
    let mut tx = ws.write(&state.db).await?;
    if queries::remove_key(&mut tx, field).await? == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, &ws, "key.removed", label, "").await?;
    tx.commit().await?;
    flash::success(&session, format!("{label} removed.")).await?;
    Ok(Redirect::to("/settings/integrations"))
}

pub async fn save_settings(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    layout: Layout,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    let base = form.openai_base_url.trim().trim_end_matches('/').to_owned();
    let base_ok = base.is_empty()
        || url::Url::parse(&base).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
    let model = form.openai_model.trim().to_owned();
    let publer = form.publer_workspace_id.trim().to_owned();
    if !base_ok || base.len() > 300 || model.len() > 100 || publer.len() > 100 {
        let mut view = view_of(&state, &ws, layout).await?;
        view.error =
            Some("Use an http(s) address for the base URL, and short values for the model and Publer workspace.");
        return invalid_form(view);
    }
    let settings = queries::Integrations {
        openai_base_url: base,
        openai_model: model,
        publer_workspace_id: publer,
        openai_vision: form.openai_vision.is_some(),
    };
    let mut tx = ws.write(&state.db).await?;
    queries::save_settings(&mut tx, &settings).await?;
    audit::record(&mut tx, &ws, "integrations.changed", "Integration settings", "").await?;
    tx.commit().await?;
    flash::success(&session, "Integration settings saved.").await?;
    Ok(Redirect::to("/settings/integrations").into_response())
}
