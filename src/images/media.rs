//! Image bytes, served only to members of the image's workspace.

use axum::{
    body::Body,
    extract::{Path, Request, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use super::queries;
use crate::{
    error::{AppError, AppResult},
    state::AppState,
    storage::{Folder, derived_name},
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
    let mut tx = ws.read().await?;
    let image = queries::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let (folder, name, content_type) = match size.as_str() {
        "original" => (Folder::Originals, format!("{id}.{}", image.extension), image.content_type.as_str()),
        "large" => (Folder::Large, derived_name(id), "image/jpeg"),
        "thumb" => (Folder::Thumbs, derived_name(id), "image/jpeg"),
        _ => return Err(AppError::NotFound),
    };
    // Files never change under an id, so the content hash and size make the tag.
    let etag = format!("\"{}-{size}\"", &image.sha256[..16]);
    if request.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok(with_cache_headers(StatusCode::NOT_MODIFIED.into_response(), &etag));
    }
    let path = state.storage.path(ws.id(), folder, &name);
    if folder != Folder::Originals {
        // Generated sizes are small: one read beats streaming them in pieces.
        let bytes = tokio::fs::read(&path).await.map_err(|_| AppError::NotFound)?;
        let mut response = bytes.into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
        return Ok(with_cache_headers(response, &etag));
    }
    let mime = content_type.parse().map_err(|_| AppError::NotFound)?;
    let response = ServeFile::new_with_mime(path, &mime)
        .oneshot(request)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("serving a file: {e}")))?;
    if response.status() == StatusCode::NOT_FOUND {
        return Err(AppError::NotFound);
    }
    let mut response = response.map(Body::new);
    if size == "original" {
        let disposition = format!("inline; filename=\"{id}.{}\"", image.extension);
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
        }
    }
    Ok(with_cache_headers(response, &etag))
}

fn with_cache_headers(mut response: Response, etag: &str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
