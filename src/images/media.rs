//! Image bytes, served only to members of the image's workspace.

use axum::{
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::queries;
use crate::{
    error::{AppError, AppResult},
    state::AppState,
    storage::{Folder, derived_name, image_key},
    tenancy::{Permission, Workspace},
    web::ids::parse_id,
};

pub async fn serve_media(
    State(state): State<AppState>,
    ws: Workspace,
    Path((id, size)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let id = parse_id(&id)?;
    let asked = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
    let folder = match size.as_str() {
        "original" => return serve_original(&state, &ws, id, asked).await,
        "large" => Folder::Large,
        "thumb" => Folder::Thumbs,
        _ => return Err(AppError::NotFound),
    };
    // The resized copies live under the workspace's own folder, named by the
    // image, from its upload until its deletion: the key itself is the
    // check, so another workspace's image id finds nothing. They never change
    // under an id, so the id and size make the tag.
    let key = image_key(ws.id(), folder, &derived_name(id));
    if state.config.storage.redirect {
        // A presigned URL is made for any key without looking: the row checks.
        image_row(&ws, id).await?;
        return presigned(&state, &key).await;
    }
    let etag = format!("\"{RESIZED_VERSION}-{id}-{size}\"");
    if asked == Some(etag.as_str()) {
        let stored = state.storage.head(&key).await.map_err(|e| AppError::Internal(e.into()))?;
        stored.ok_or(AppError::NotFound)?;
        return Ok(with_cache_headers(StatusCode::NOT_MODIFIED.into_response(), &etag));
    }
    let response = stream(&state, &key, "image/jpeg").await?;
    Ok(with_cache_headers(response, &etag))
}

/// Bumped when the resized copies are made differently, so browsers fetch them again.
const RESIZED_VERSION: &str = "r1";

/// The uploaded file itself, whose name and type only its row knows.
async fn serve_original(state: &AppState, ws: &Workspace, id: uuid::Uuid, asked: Option<&str>) -> AppResult<Response> {
    let image = image_row(ws, id).await?;
    let name = format!("{id}.{}", image.extension);
    let key = image_key(ws.id(), Folder::Originals, &name);
    if state.config.storage.redirect {
        return presigned(state, &key).await;
    }
    // Files never change under an id, so the content hash makes the tag.
    let etag = format!("\"{}-original\"", image.sha256.get(..16).unwrap_or(&image.sha256));
    if asked == Some(etag.as_str()) {
        return Ok(with_cache_headers(StatusCode::NOT_MODIFIED.into_response(), &etag));
    }
    let mut response = stream(state, &key, image.content_type.as_str()).await?;
    let disposition = format!("inline; filename=\"{name}\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(with_cache_headers(response, &etag))
}

/// The image's row in this workspace; 404 when there is none.
async fn image_row(ws: &Workspace, id: uuid::Uuid) -> AppResult<queries::Image> {
    let mut tx = ws.glance().await?;
    let image = queries::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(image)
}

/// A stored object as the response body, with its length and type.
pub async fn stream(state: &AppState, key: &str, content_type: &str) -> AppResult<Response> {
    let object = state
        .storage
        .get(key)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("reading {key}: {e}")))?
        .ok_or(AppError::NotFound)?;
    let mut response = Body::from_stream(object.bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(object.size));
    let content_type =
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, content_type);
    Ok(response)
}

/// `EASEL_STORAGE_REDIRECT=1`: after the workspace check, a short-lived
/// presigned URL, never cached (it expires; the check must run again).
pub async fn presigned(state: &AppState, key: &str) -> AppResult<Response> {
    let url = state
        .storage
        .presign(key, PRESIGNED_FOR)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("presigning {key}: {e}")))?
        .ok_or(AppError::NotFound)?;
    let location = HeaderValue::from_str(url.as_str()).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let mut response = StatusCode::TEMPORARY_REDIRECT.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, location);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// How long a presigned media URL works.
const PRESIGNED_FOR: std::time::Duration = std::time::Duration::from_secs(300);

fn with_cache_headers(mut response: Response, etag: &str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
