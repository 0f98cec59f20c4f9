//! The crop routes: the renditions themselves, and saving or resetting a
//! preset's frame from the crop editor.

use axum::{
    Form,
    extract::{Path, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    Framing, Spec, geometry, parse_colour, queries,
    rendition::{self, Artwork},
    spec_for,
    views::{CropEditor, CropForm},
};
use crate::{
    db::WorkspaceTx,
    error::{AppError, AppResult},
    images::{handlers::image_page, presets::Preset, queries as images},
    state::AppState,
    tenancy::{Permission, Workspace},
    web::{Layout, flash, ids::parse_id, invalid_form},
};

/// The artwork and the framing in force for `preset`; `None` when the image
/// is not this workspace's.
pub async fn load(tx: &mut WorkspaceTx, id: Uuid, preset: Preset) -> sqlx::Result<Option<(Artwork, Spec)>> {
    let Some(image) = images::get(tx, id).await? else { return Ok(None) };
    let saved = queries::of_image(tx, id).await?;
    let size = super::size_of(image.width, image.height);
    let spec = spec_for(preset, size, saved.iter().find(|c| c.preset == preset.slug()));
    let art = Artwork { id, size, original: format!("{id}.{}", image.extension) };
    Ok(Some((art, spec)))
}

pub async fn serve_rendition(
    State(state): State<AppState>,
    ws: Workspace,
    Path((id, preset)): Path<(String, String)>,
    request: Request,
) -> AppResult<Response> {
    serve(state, ws, &id, &preset, false, request).await
}

pub async fn serve_rendition_thumb(
    State(state): State<AppState>,
    ws: Workspace,
    Path((id, preset)): Path<(String, String)>,
    request: Request,
) -> AppResult<Response> {
    serve(state, ws, &id, &preset, true, request).await
}

async fn serve(
    state: AppState,
    ws: Workspace,
    id: &str,
    preset: &str,
    thumb: bool,
    request: Request,
) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let id = parse_id(id)?;
    let preset = Preset::from_slug(preset).ok_or(AppError::NotFound)?;
    let mut tx = ws.glance().await?;
    let (art, spec) = load(&mut tx, id, preset).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    // The URL stays while the frame changes, so the tag is the frame's hash
    // and browsers ask again each time (a 304 costs no pixels).
    let etag = format!("\"{}{}\"", spec.hash(), if thumb { "-t" } else { "" });
    if request.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok(cache_headers(StatusCode::NOT_MODIFIED.into_response(), &etag));
    }
    let key = rendition::ensure(&state, ws.id(), &art, spec, thumb).await.map_err(AppError::Internal)?;
    if state.config.storage.redirect {
        return super::super::media::presigned(&state, &key).await;
    }
    let response = super::super::media::stream(&state, &key, "image/jpeg").await?;
    Ok(cache_headers(response, &etag))
}

fn cache_headers(mut response: Response, etag: &str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

pub async fn save_crop(
    ws: Workspace,
    session: Session,
    layout: Layout,
    Path((id, preset)): Path<(String, String)>,
    Form(form): Form<CropForm>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let id = parse_id(&id)?;
    let mut tx = ws.write().await?;
    let image = images::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let preset = known_preset(&preset)?;
    let size = super::size_of(image.width, image.height);
    let checked = form.check(preset, size);
    let (rect, framing) = match checked {
        Ok(valid) => valid,
        Err(message) => {
            let saved = queries::of_image(&mut tx, id).await?;
            let brand = crate::branding::queries::get(&mut tx).await?.brand_colour;
            let editor = CropEditor::new(&image, &saved, &brand, true, preset).with_error(preset, &form, message);
            let view = image_page(&mut tx, layout, image, true, editor).await?;
            return invalid_form(view);
        }
    };
    queries::save(&mut tx, id, preset, rect, framing).await?;
    reopen_posts_showing(&mut tx, &ws, id).await?;
    tx.commit().await?;
    flash::success(&session, &format!("Saved the {} crop.", preset.label())).await?;
    Ok(Redirect::to(&format!("/images/{id}?crop={}#crops", preset.slug())).into_response())
}

pub async fn reset_crop(
    ws: Workspace,
    session: Session,
    Path((id, preset)): Path<(String, String)>,
) -> AppResult<Response> {
    ws.require(Permission::EditContent)?;
    let id = parse_id(&id)?;
    let mut tx = ws.write().await?;
    images::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let preset = known_preset(&preset)?;
    queries::reset(&mut tx, id, preset).await?;
    reopen_posts_showing(&mut tx, &ws, id).await?;
    tx.commit().await?;
    flash::success(&session, &format!("The {} crop is centred again.", preset.label())).await?;
    Ok(Redirect::to(&format!("/images/{id}?crop={}#crops", preset.slug())).into_response())
}

/// A new frame changes every post in review that shows the artwork on a
/// platform of this preset: those go back to review.
async fn reopen_posts_showing(tx: &mut WorkspaceTx, ws: &Workspace, image: Uuid) -> AppResult<()> {
    let posts = crate::tenancy::approval::version::posts_showing(tx, image).await?;
    crate::approvals::after_edit(tx, ws, &posts).await
}

fn known_preset(slug: &str) -> AppResult<Preset> {
    Preset::from_slug(slug).ok_or_else(|| {
        AppError::bad_request("There is no such crop format. Choose one of the formats on the artwork page.")
    })
}

impl CropForm {
    /// The frame and framing asked for, or what is wrong with them.
    fn check(&self, preset: Preset, size: (u32, u32)) -> Result<(geometry::Rect, Framing), &'static str> {
        let number = |raw: &str| raw.trim().parse::<u32>().ok();
        let (Some(x), Some(y), Some(width)) = (number(&self.x), number(&self.y), number(&self.width)) else {
            return Err("Enter the frame's position and width as whole numbers of pixels.");
        };
        let height = match self.height.trim() {
            "" => None,
            raw => Some(raw.parse::<u32>().map_err(|_| "Enter the frame's height as a whole number of pixels.")?),
        };
        let rect = geometry::check(preset, size, x, y, width, height).map_err(geometry::Refused::message)?;
        let framing = match self.mode.as_str() {
            "" | "crop" => Framing::Crop(rect),
            "mat" => Framing::Mat(
                parse_colour(&self.mat_colour).ok_or("Choose the mat colour as #rrggbb, such as #f5f0e8.")?,
            ),
            _ => return Err("Choose either a crop or a mat."),
        };
        Ok((rect, framing))
    }
}
