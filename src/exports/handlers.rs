//! The exports page (owners only): start an export, watch it, download it.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    files, job, queries,
    views::{ExportLine, ExportsView, LineView},
};
use crate::{
    audit,
    error::{AppError, AppResult},
    state::AppState,
    tenancy::{Permission, Workspace},
    web::{Layout, flash, ids::parse_id, page},
};

/// How many past exports the page lists.
const SHOWN: i64 = 20;

const BUSY: &str = "An export of this workspace is already being made. Wait for it to finish, then start another.";

pub async fn view_exports(State(state): State<AppState>, ws: Workspace, layout: Layout) -> AppResult<Response> {
    ws.require(Permission::OwnWorkspace)?;
    page(exports_view(&state, &ws, layout, None).await?)
}

async fn exports_view(
    state: &AppState,
    ws: &Workspace,
    layout: Layout,
    error: Option<String>,
) -> AppResult<ExportsView> {
    job::tidy(state, ws.id()).await?;
    let mut tx = ws.read().await?;
    let exports = queries::recent(&mut tx, SHOWN).await?;
    tx.commit().await?;
    let now = OffsetDateTime::now_utc();
    let busy = exports.iter().any(queries::Export::in_progress);
    let exports = exports
        .into_iter()
        .map(|e| {
            let percent = job::percent_of(&e);
            ExportLine::new(e, percent, now)
        })
        .collect();
    Ok(ExportsView { layout, exports, busy, error })
}

pub async fn start_export(
    State(state): State<AppState>,
    ws: Workspace,
    session: Session,
    layout: Layout,
) -> AppResult<Response> {
    ws.require(Permission::OwnWorkspace)?;
    // An export whose worker died must not block a new one.
    job::tidy(&state, ws.id()).await?;
    let id = Uuid::now_v7();
    let mut tx = ws.write().await?;
    if !queries::queue(&mut tx, id, ws.user().id, OffsetDateTime::now_utc()).await? {
        drop(tx);
        let view = exports_view(&state, &ws, layout, Some(BUSY.to_owned())).await?;
        return Ok(
            (axum::http::StatusCode::CONFLICT, axum::response::Html(askama::Template::render(&view)?)).into_response()
        );
    }
    audit::record(&mut tx, &ws, "export.requested", "", "").await?;
    tx.commit().await?;
    job::start(&state, ws.id(), id);
    flash::success(&session, "The export has started. Its download link appears here when it is ready.").await?;
    Ok(Redirect::to("/settings/exports").into_response())
}

/// One export's line: HTMX polls it while the export runs.
pub async fn view_progress(
    State(state): State<AppState>,
    ws: Workspace,
    Path(id): Path<String>,
) -> AppResult<Response> {
    owner_only(&ws)?;
    let mut export = find(&ws, &id).await?;
    let mut percent = job::percent(export.id);
    // Not being written here: another instance has it, or its worker died
    // (then its lease has run out and tidying marks it failed).
    if export.in_progress() && percent.is_none() {
        job::tidy(&state, ws.id()).await?;
        export = find(&ws, &id).await?;
        percent = job::percent_of(&export);
    }
    page(LineView { line: ExportLine::new(export, percent, OffsetDateTime::now_utc()) })
}

/// The archive itself, streamed; only while its link is valid.
pub async fn download(State(state): State<AppState>, ws: Workspace, Path(id): Path<String>) -> AppResult<Response> {
    owner_only(&ws)?;
    let export = find(&ws, &id).await?;
    let now = OffsetDateTime::now_utc();
    if !export.downloadable(now) {
        return Err(AppError::NotFound);
    }
    let key = files::archive_key(ws.id(), export.id);
    let (body, bytes) = match state.storage.get(&key).await.map_err(|e| AppError::Internal(e.into()))? {
        Some(object) => (axum::body::Body::from_stream(object.bytes), object.size),
        // Archives made before exports moved into the store wait in the data folder.
        None => {
            let legacy = files::archive_path(&state.config.data_dir, ws.id(), export.id);
            let file = tokio::fs::File::open(&legacy).await.map_err(|_| AppError::NotFound)?;
            let bytes = file.metadata().await.map_err(|e| AppError::Internal(e.into()))?.len();
            (axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file)), bytes)
        }
    };
    // Recording a download is not a change to the workspace, so it is
    // written in a read transaction: a suspended workspace's owner may
    // still take their data away.
    let mut tx = ws.read().await?;
    audit::record(&mut tx, &ws, "export.downloaded", "", &export.id.to_string()).await?;
    tx.commit().await?;
    let date = export.finished_at.unwrap_or(now).date();
    Ok(files::stream_attachment(body, bytes, &files::download_name(ws.name(), date)))
}

/// An export's own links answer 404 to anyone but an owner, as for an id
/// that does not exist: they say nothing about what exists.
fn owner_only(ws: &Workspace) -> AppResult<()> {
    if ws.role().can(Permission::OwnWorkspace) { Ok(()) } else { Err(AppError::NotFound) }
}

/// This workspace's export with this id; anything else is a 404.
async fn find(ws: &Workspace, raw: &str) -> AppResult<queries::Export> {
    let id = parse_id(raw)?;
    let mut tx = ws.read().await?;
    let export = queries::get(&mut tx, id).await?;
    tx.commit().await?;
    export.ok_or(AppError::NotFound)
}
