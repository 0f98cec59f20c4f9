//! Image bytes, served only to members of the image's workspace.

use axum::{
    body::Body,
    extract::{Path, Request, State},
    http::{HeaderValue, StatusCode, header},
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
    request: Request,
) -> AppResult<Response> {
    ws.require(Permission::ViewContent)?;
    let id = parse_id(&id)?;
    let mut tx = ws.glance().await?;
    let image = queries::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let (folder, name, content_type) = match size.as_str() {
        "original" => (Folder::Originals, format!("{id}.{}", image.extension), image.content_type.as_str()),
        "large" => (Folder::Large, derived_name(id), "image/jpeg"),
        "thumb" => (Folder::Thumbs, derived_name(id), "image/jpeg"),
        _ => return Err(AppError::NotFound),
    };
    let key = image_key(ws.id(), folder, &name);
    if state.config.storage.redirect {
        return presigned(&state, &key).await;
    }
    // Files never change under an id, so the content hash and size make the tag.
    let etag = format!("\"{}-{size}\"", &image.sha256[..16]);
    if request.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok(with_cache_headers(StatusCode::NOT_MODIFIED.into_response(), &etag));
    }
    let mut response = stream(&state, &key, content_type).await?;
    let headers = response.headers_mut();
    if size == "original" {
        let disposition = format!("inline; filename=\"{id}.{}\"", image.extension);
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
    }
    Ok(with_cache_headers(response, &etag))
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
