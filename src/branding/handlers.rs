//! The branding page, and the stylesheet and logo pages use.

use askama::Template;
use axum::{
    extract::{FromRequest, Multipart, Query, Request, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use tower_sessions::Session;

use super::{logo, parse_colour, queries, stylesheet};
use crate::{
    audit,
    error::{AppError, AppResult},
    plans,
    state::AppState,
    tenancy::{Permission, Workspace},
    web::{Layout, flash, form::FormFields, invalid_form, page},
};

#[derive(Template)]
#[template(path = "branding/index.html")]
struct BrandingView {
    layout: Layout,
    colour: String,
    has_logo: bool,
    hide_powered_by: bool,
    plan_allows_hiding: bool,
    plan_name: String,
    error: Option<String>,
}

async fn branding_view(ws: &Workspace, layout: Layout) -> AppResult<BrandingView> {
    let mut tx = ws.read().await?;
    let current = queries::get(&mut tx).await?;
    let limits = plans::queries::limits(&mut tx).await?;
    tx.commit().await?;
    Ok(BrandingView {
        layout,
        colour: current.brand_colour,
        has_logo: !current.logo.is_empty(),
        hide_powered_by: current.hide_powered_by,
        plan_allows_hiding: limits.can_hide_branding,
        plan_name: limits.name,
        error: None,
    })
}

pub async fn view_branding(ws: Workspace, layout: Layout) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    page(branding_view(&ws, layout).await?)
}

async fn refuse(ws: &Workspace, layout: Layout, why: String) -> AppResult<Response> {
    let mut view = branding_view(ws, layout).await?;
    view.error = Some(why);
    invalid_form(view)
}

pub async fn save_branding(
    State(_state): State<AppState>,
    ws: Workspace,
    session: Session,
    layout: Layout,
    form: FormFields,
) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    let raw = form.get("brand_colour").trim();
    let colour = match (raw.is_empty(), parse_colour(raw)) {
        (true, _) => String::new(),
        (false, Some(colour)) => colour,
        (false, None) => {
            return refuse(&ws, layout, "Enter the colour as #rrggbb, such as #be123c.".into()).await;
        }
    };
    let hide = !form.get("hide_powered_by").is_empty();
    let mut tx = ws.write().await?;
    let limits = plans::queries::limits(&mut tx).await?;
    if hide && !limits.can_hide_branding {
        drop(tx);
        let why = format!("The {} plan shows \"Powered by Easel\"; a bigger plan can hide it.", limits.name);
        return refuse(&ws, layout, why).await;
    }
    queries::save(&mut tx, &colour, hide).await?;
    audit::record(&mut tx, &ws, "branding.changed", "Branding", &colour).await?;
    tx.commit().await?;
    flash::success(&session, "Branding saved.").await?;
    Ok(Redirect::to("/settings/branding").into_response())
}

/// The logo arrives as the `logo` part of a multipart form.
pub async fn upload_logo(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    layout: Layout,
    request: Request,
) -> AppResult<Response> {
    ws.require(Permission::ManageSettings)?;
    let Ok(mut multipart) = Multipart::from_request(request, &state).await else {
        return refuse(&ws, layout, "Choose an image file for the logo.".into()).await;
    };
    let mut bytes = Vec::new();
    while let Ok(Some(mut field)) = multipart.next_field().await {
        if field.name() != Some("logo") {
            continue;
        }
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) if bytes.len() + chunk.len() <= logo::MAX_BYTES => bytes.extend_from_slice(&chunk),
                Ok(Some(_)) => return refuse(&ws, layout, "The logo must be under 2 MB.".into()).await,
                Ok(None) => break,
                Err(_) => return refuse(&ws, layout, "The upload was cut off; try again.".into()).await,
            }
        }
    }
    let max_pixels = state.config.bounds.max_pixels;
    let png = match state.decode(move || logo::prepare(&bytes, max_pixels)).await? {
        Ok(png) => png,
        Err(why) => return refuse(&ws, layout, why).await,
    };
    let name = logo::store(&state.storage, ws.id(), png)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("storing a logo: {e}")))?;
    let mut tx = ws.write().await?;
    let old = queries::get(&mut tx).await?.logo;
    queries::set_logo(&mut tx, &name).await?;
    audit::record(&mut tx, &ws, "branding.changed", "Logo", "new logo").await?;
    tx.commit().await?;
    logo::remove(&state.storage, ws.id(), &old).await;
    flash::success(&session, "Logo saved.").await?;
    Ok(Redirect::to("/settings/branding").into_response())
}

pub async fn remove_logo(State(state): State<AppState>, ws: Workspace, session: Session) -> AppResult<Redirect> {
    ws.require(Permission::ManageSettings)?;
    let mut tx = ws.write().await?;
    let old = queries::get(&mut tx).await?.logo;
    if old.is_empty() {
        return Err(AppError::NotFound);
    }
    queries::set_logo(&mut tx, "").await?;
    audit::record(&mut tx, &ws, "branding.changed", "Logo", "removed").await?;
    tx.commit().await?;
    logo::remove(&state.storage, ws.id(), &old).await;
    flash::success(&session, "Logo removed.").await?;
    Ok(Redirect::to("/settings/branding"))
}

#[derive(Deserialize)]
pub struct ColourQuery {
    #[serde(default)]
    c: String,
}

/// The accent colour as a stylesheet (CSP allows no inline styles). It only
/// echoes a checked colour, so it needs no session: the invitation page of a
/// workspace uses it too.
pub async fn brand_css(Query(q): Query<ColourQuery>) -> AppResult<Response> {
    let colour = parse_colour(&q.c).ok_or(AppError::NotFound)?;
    let mut response = stylesheet(&colour).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    Ok(response)
}

/// The active workspace's logo.
pub async fn serve_logo(State(state): State<AppState>, ws: Workspace) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let name = &ws.brand().logo;
    if !logo::is_logo_name(name) {
        return Err(AppError::NotFound);
    }
    let bytes = logo::read(&state.storage, ws.id(), name).await.ok_or(AppError::NotFound)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
    Ok(response)
}
