//! The integrations page.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{KEYS, OPENAI_KEY, queries};
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
pub(super) struct IntegrationsView {
    layout: Layout,
    keys: Vec<KeyRow>,
    pub(super) form: queries::Integrations,
    /// The origin the OpenAI key will be bound to, as this page shows it.
    openai_origin: String,
    pub(super) error: Option<String>,
}

struct KeyRow {
    field: &'static str,
    label: &'static str,
    /// `•••• 1234`, the server it is for, and who set it when, if a key is stored.
    stored: Option<String>,
    /// True when the stored value no longer opens.
    broken: bool,
}

#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    value: String,
    /// The OpenAI origin the page showed when the key was typed.
    #[serde(default)]
    origin: Option<String>,
}

pub(super) async fn view_of(state: &AppState, ws: &Workspace, layout: Layout) -> AppResult<IntegrationsView> {
    let mut tx = ws.read().await?;
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
                let bound = if k.origin.is_empty() { String::new() } else { format!(" · for {}", k.origin) };
                format!("•••• {}{bound} · set by {} on {date} at {}", k.last4, k.set_by, hhmm(time))
            });
            KeyRow { field, label, stored, broken }
        })
        .collect();
    let openai_origin = form.openai_origin();
    Ok(IntegrationsView { layout, keys, form, openai_origin, error: None })
}

pub async fn view(State(state): State<AppState>, ws: Workspace, layout: Layout) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    page(view_of(&state, &ws, layout).await?)
}

fn known_field(field: &str) -> AppResult<(&'static str, &'static str)> {
    KEYS.iter().find(|(f, _)| *f == field).copied().ok_or(AppError::NotFound)
}

/// Why a pasted key cannot be right, if it cannot.
pub(super) fn key_problem(value: &str) -> Option<&'static str> {
    let bad = value.len() < 8 || value.len() > 500 || value.chars().any(|c| c.is_whitespace() || c.is_control());
    bad.then_some("Paste the whole key: 8 to 500 characters, no spaces.")
}

/// Seals and stores a key bound to `origin`, and records it.
pub(super) async fn store_key(
    state: &AppState,
    ws: &Workspace,
    tx: &mut crate::db::WorkspaceTx,
    (field, label): (&'static str, &'static str),
    value: &str,
    origin: &str,
) -> AppResult<()> {
    let last4: String = value.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    let sealed = state.secrets.seal(ws.id(), field, value);
    let set_by = &ws.user().name;
    queries::set_key(tx, queries::NewKey { field, sealed: &sealed, last4: &last4, set_by, origin }).await?;
    audit::record(tx, ws, "key.changed", label, &format!("ends in {last4}")).await?;
    Ok(())
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
    if let Some(problem) = key_problem(value) {
        let mut view = view_of(&state, &ws, layout).await?;
        view.error = Some(problem.into());
        return invalid_form(view);
    }
    let mut tx = ws.write().await?;
    // The OpenAI key is for the server the page showed; the Publer key goes
    // only to the operator's Publer, so it is bound to nothing.
    let origin = match field {
        OPENAI_KEY => queries::settings(&mut tx).await?.openai_origin(),
        _ => String::new(),
    };
    if field == OPENAI_KEY && form.origin.as_deref().is_some_and(|shown| shown != origin) {
        drop(tx);
        let mut view = view_of(&state, &ws, layout).await?;
        view.error = Some(
            "The base URL changed since this page was opened, so the key was not saved. Check the base URL, \
             then enter the key again."
                .into(),
        );
        return invalid_form(view);
    }
    store_key(&state, &ws, &mut tx, (field, label), value, &origin).await?;
    tx.commit().await?;
    flash::success(&session, format!("{label} saved.")).await?;
    Ok(Redirect::to("/settings/integrations").into_response())
}

pub async fn remove_key(ws: Workspace, session: Session, Path(field): Path<String>) -> AppResult<Redirect> {
    ws.require(Permission::ManageSettings)?;
    let (field, label) = known_field(&field)?;
    let mut tx = ws.write().await?;
    if queries::remove_key(&mut tx, field).await? == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(&mut tx, &ws, "key.removed", label, "").await?;
    tx.commit().await?;
    flash::success(&session, format!("{label} removed.")).await?;
    Ok(Redirect::to("/settings/integrations"))
}
