//! Saving the integration settings: the base URL must be one Easel may
//! call, and the OpenAI key never follows it to another server.

use axum::{
    Form,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{
    OPENAI_KEY,
    handlers::{key_problem, store_key, view_of},
    queries::{self, Integrations},
};
use crate::{
    audit,
    error::AppResult,
    outbound::Guard,
    state::AppState,
    tenancy::{Permission, Workspace},
    web::{Layout, flash, invalid_form},
};

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
    /// The OpenAI key again, for a base URL on another server.
    #[serde(default)]
    openai_api_key: String,
}

pub async fn save_settings(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    layout: Layout,
    Form(form): Form<SettingsForm>,
) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    let settings = Integrations {
        openai_base_url: form.openai_base_url.trim().trim_end_matches('/').to_owned(),
        openai_model: form.openai_model.trim().to_owned(),
        publer_workspace_id: form.publer_workspace_id.trim().to_owned(),
        openai_vision: form.openai_vision.is_some(),
    };
    let new_key = form.openai_api_key.trim();
    if let Some(problem) = problem(&state, &settings, new_key).await {
        let mut view = view_of(&state, &ws, layout).await?;
        view.error = Some(problem);
        view.form = settings;
        return invalid_form(view);
    }

    let mut tx = ws.write().await?;
    let before = queries::settings(&mut tx).await?;
    let stored_key = queries::bound_key(&mut tx, OPENAI_KEY).await?;
    queries::save_settings(&mut tx, &settings).await?;
    let moved = before.openai_base() != settings.openai_base();
    let detail = if moved {
        format!("OpenAI base URL: {} → {}", before.openai_base(), settings.openai_base())
    } else {
        "".into()
    };
    audit::record(&mut tx, &ws, "integrations.changed", "Integration settings", &detail).await?;
    let origin = settings.openai_origin();
    let mut removed = None;
    if !new_key.is_empty() {
        store_key(&state, &ws, &mut tx, (OPENAI_KEY, "OpenAI API key"), new_key, &origin).await?;
    } else if let Some((_, bound)) = stored_key {
        // A key entered before keys were bound is for the URL saved then.
        let bound = if bound.is_empty() { before.openai_origin() } else { bound };
        if bound != origin {
            queries::remove_key(&mut tx, OPENAI_KEY).await?;
            let why = format!("entered for {bound}; the base URL now points to {origin}");
            audit::record(&mut tx, &ws, "key.removed", "OpenAI API key", &why).await?;
            removed = Some(origin);
        }
    }
    tx.commit().await?;
    flash::success(&session, "Integration settings saved.").await?;
    if let Some(origin) = removed {
        let text = format!(
            "The OpenAI key was removed: it was entered for another server, and the base URL now points to \
             {origin}. Enter the key again to use it there."
        );
        flash::error(&session, text).await?;
    }
    Ok(Redirect::to("/settings/integrations").into_response())
}

/// What is wrong with the form, if anything: its values, then whether the
/// base URL is one Easel may call.
async fn problem(state: &AppState, settings: &Integrations, new_key: &str) -> Option<String> {
    let base = &settings.openai_base_url;
    let parsed = url::Url::parse(base).ok().filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if (!base.is_empty() && parsed.is_none())
        || base.len() > 300
        || settings.openai_model.len() > 100
        || settings.publer_workspace_id.len() > 100
    {
        return Some(
            "Use an http(s) address for the base URL, and short values for the model and Publer workspace.".into(),
        );
    }
    if !new_key.is_empty()
        && let Some(problem) = key_problem(new_key)
    {
        return Some(problem.into());
    }
    let guard = Guard { allow: &state.config.outbound_allow, timeout: state.config.ai_timeout };
    match parsed {
        Some(url) => guard
            .check(&url)
            .await
            .err()
            .map(|refusal| format!("The base URL {}. Nothing was saved.", refusal.describe())),
        None => None,
    }
}
