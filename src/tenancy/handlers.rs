//! Listing, creating and switching workspaces.

use axum::{
    Form,
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    address::HostWorkspace,
    clean_workspace_name, deletion,
    extractor::make_active,
    overview::{self, Sort},
    queries, templates,
    views::WorkspacesView,
};
use crate::{
    auth::CurrentUser,
    error::{AppError, AppResult},
    state::AppState,
    web::{Layout, flash, ids::parse_id, invalid_form, page, redirect::local_path},
};

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
    /// A workspace of the person's to copy brand settings and calendars from.
    #[serde(default)]
    template: String,
}

#[derive(Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    workspace_id: String,
    #[serde(default)]
    back: String,
}

#[derive(Deserialize, Default)]
pub struct OverviewQuery {
    #[serde(default)]
    sort: String,
}

/// The workspaces page, with what the person typed and why it was refused.
pub async fn workspaces_page(
    state: &AppState,
    user: &CurrentUser,
    layout: Layout,
    name: String,
    error: Option<String>,
) -> AppResult<WorkspacesView> {
    overview_page(state, user, layout, Sort::Name, name, error).await
}

async fn overview_page(
    state: &AppState,
    user: &CurrentUser,
    layout: Layout,
    sort: Sort,
    name: String,
    error: Option<String>,
) -> AppResult<WorkspacesView> {
    let mine = queries::workspaces_of(&state.db, user.id).await?;
    let workspaces = overview::rows(&state.databases, mine, sort).await?;
    let scheduled = deletion::scheduled_of(&state.db, user.id).await?;
    Ok(WorkspacesView {
        layout,
        workspaces,
        sort,
        name,
        error,
        scheduled,
        restore_error: None,
        time_zone: "UTC".into(),
        time_zones: crate::settings::time_zone_names(),
        tz_error: None,
        tz_chosen: false,
    })
}

pub async fn view_workspaces(
    State(state): State<AppState>,
    user: CurrentUser,
    layout: Layout,
    Query(q): Query<OverviewQuery>,
) -> AppResult<Response> {
    page(overview_page(&state, &user, layout, Sort::parse(&q.sort), String::new(), None).await?)
}

pub async fn create_workspace(
    State(state): State<AppState>,
    user: CurrentUser,
    session: Session,
    layout: Layout,
    Form(form): Form<CreateForm>,
) -> AppResult<Response> {
    let (name, time_zone) = match (clean_workspace_name(&form.name), crate::auth::chosen_time_zone(&form.time_zone)) {
        (Ok(name), Ok(zone)) => (name, zone),
        (name, zone) => {
            let mut view = workspaces_page(&state, &user, layout, form.name, name.err().map(Into::into)).await?;
            view.tz_error = zone.as_ref().err().map(|why| why.to_string());
            if let Ok(zone) = zone {
                (view.tz_chosen, view.time_zone) = (zone != "UTC", zone);
            }
            return invalid_form(view);
        }
    };
    if let Err(owned) = super::may_own_another(&state, user.id).await? {
        let error = format!(
            "You own {owned} workspaces, the most one person may own here. Delete one or transfer its ownership first."
        );
        return invalid_form(workspaces_page(&state, &user, layout, form.name, Some(error)).await?);
    }
    let template = match form.template.trim() {
        "" => None,
        raw => {
            let source = queries::membership(&state.db, user.id, parse_id(raw)?).await?.ok_or(AppError::NotFound)?;
            Some(templates::read(&state.databases, &state.storage, source.workspace_id).await?)
        }
    };
    let (mut tx, placement) = state.databases.new_workspace_tx(state.db.begin_write().await?).await?;
    queries::create(&mut tx, &name, user.id, &state.config.default_plan, &placement).await?;
    let has_template = template.is_some();
    if let Some(template) = template {
        templates::apply(&mut tx, &state.storage, template, &name).await?;
    }
    // The zone asked for wins over a template's; a form that sent none keeps it.
    if !(has_template && form.time_zone.trim().is_empty()) {
        super::set_time_zone(&mut tx, &time_zone).await?;
    }
    let id = tx.workspace_id();
    tx.commit().await?;
    make_active(&session, id).await?;
    flash::success(&session, format!("Created {name}. It is now your active workspace.")).await?;
    Ok(Redirect::to("/").into_response())
}

/// Makes another of the person's workspaces active and goes back to the page
/// they were on, or home when that page showed something of the old workspace.
pub async fn switch_workspace(
    State(state): State<AppState>,
    host: Option<axum::Extension<HostWorkspace>>,
    user: CurrentUser,
    session: Session,
    Form(form): Form<SwitchForm>,
) -> AppResult<Redirect> {
    let id = parse_id(&form.workspace_id)?;
    let membership = queries::membership(&state.db, user.id, id).await?.ok_or(AppError::NotFound)?;
    // On a workspace's own address the pages are that workspace's: another
    // one is at its own address (or the instance's), signed in there.
    if let Some(HostWorkspace(host)) = host.map(|h| h.0)
        && host != membership.workspace_id
    {
        return Ok(Redirect::to(&format!("{}/", super::address::base_url_of(&state, membership.workspace_id).await?)));
    }
    make_active(&session, membership.workspace_id).await?;
    queries::touch(&state.db, user.id, membership.workspace_id).await?;
    flash::success(&session, format!("Switched to {}.", membership.name)).await?;
    Ok(Redirect::to(&landing_after_switch(&form.back)))
}

/// A workspace's logo for its avatar in the switcher, to its members only
/// (any of their workspaces, not just the active one).
pub async fn serve_logo(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> AppResult<Response> {
    use axum::http::{HeaderValue, header};
    let membership = queries::membership(&state.db, user.id, parse_id(&raw)?).await?.ok_or(AppError::NotFound)?;
    let logo = crate::branding::logo::read(&state.storage, membership.workspace_id, &membership.logo).await;
    let mut response = logo.ok_or(AppError::NotFound)?.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    // The URL carries the logo's file name, which changes with the logo.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
    Ok(response)
}

/// Every object id is unique across workspaces, so a page whose path names
/// one cannot exist in the workspace just switched to; anything else can.
fn landing_after_switch(back: &str) -> String {
    match local_path(back) {
        Some(path) if !names_an_object(path) => path.to_owned(),
        _ => "/".to_owned(),
    }
}

fn names_an_object(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.split('/').any(|segment| Uuid::parse_str(segment).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switching_keeps_list_pages_and_leaves_object_pages() {
        assert_eq!(landing_after_switch("/workspaces"), "/workspaces");
        assert_eq!(landing_after_switch("/images?page=2"), "/images?page=2");
        assert_eq!(landing_after_switch("/images/0190a1b2-0000-7000-8000-000000000000"), "/");
        assert_eq!(landing_after_switch("//evil.example"), "/");
        assert_eq!(landing_after_switch(""), "/");
    }
}
