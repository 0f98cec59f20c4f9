//! "Import a workspace" (platform admins): an archive is uploaded, streamed
//! to a private scratch file (never into memory), checked whole and
//! imported by `crate::archive`, and the result shown.

use std::path::PathBuf;

use askama::Template;
use axum::extract::{Multipart, State, multipart::Field};
use axum::response::Response;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use super::{PlatformAdmin, queries};
use crate::{
    archive::{self, ArchiveError, ImportOptions, Imported, Progress},
    db::AdminTx,
    error::{AppError, AppResult},
    state::AppState,
    storage::private,
    web::{Layout, invalid_form, page},
};

#[derive(Template)]
#[template(path = "admin/import.html")]
struct ImportView {
    layout: Layout,
    error: Option<String>,
    max_size: String,
    as_new: bool,
    invite: bool,
}

#[derive(Template)]
#[template(path = "admin/imported.html")]
struct ImportedView {
    layout: Layout,
    imported: Imported,
    as_new: bool,
}

pub async fn view_import(State(state): State<AppState>, _admin: PlatformAdmin, layout: Layout) -> AppResult<Response> {
    page(form(&state, layout, None, &ImportOptions::default()))
}

fn form(state: &AppState, layout: Layout, error: Option<String>, options: &ImportOptions) -> ImportView {
    let gb = state.config.bounds.max_import_bytes as f64 / (1024.0 * 1024.0 * 1024.0);
    let max_size = if gb >= 1.0 { format!("{gb:.0} GB") } else { format!("{:.0} MB", gb * 1024.0) };
    ImportView { layout, error, max_size, as_new: options.as_new, invite: options.invite }
}

pub async fn import(
    State(state): State<AppState>,
    admin: PlatformAdmin,
    layout: Layout,
    multipart: Multipart,
) -> AppResult<Response> {
    let upload = receive(&state, multipart).await?;
    let Some(archive) = upload.archive.as_ref().filter(|_| upload.bytes > 0) else {
        let why = "Choose a workspace archive (a .zip file made by Easel's export) to import.";
        return invalid_form(form(&state, layout, Some(why.into()), &upload.options));
    };
    let progress = Progress::new();
    let imported =
        match archive::import_workspace(&state.db, &state.storage, &archive.0, &upload.options, &progress).await {
            Ok(imported) => imported,
            Err(ArchiveError::Invalid(why) | ArchiveError::Conflict(why)) => {
                let why = format!("{why} Nothing was imported.");
                return invalid_form(form(&state, layout, Some(why), &upload.options));
            }
            Err(other) => return Err(AppError::Internal(anyhow::anyhow!("importing a workspace: {other}"))),
        };
    record(&state, &admin, &imported, &upload.options).await?;
    page(ImportedView { layout, imported, as_new: upload.options.as_new })
}

async fn record(
    state: &AppState,
    admin: &PlatformAdmin,
    imported: &Imported,
    options: &ImportOptions,
) -> AppResult<()> {
    let detail = format!(
        "{}{} members matched, {} invited{}",
        if options.as_new { "as new; " } else { "" },
        imported.members.len(),
        imported.invited.len(),
        if options.invite { " (mailed)" } else { "" },
    );
    let workspace = Some((imported.workspace_id, imported.name.as_str()));
    let mut tx = AdminTx::begin(&state.db).await?;
    queries::record(&mut tx, Some(admin.user.id), &admin.user.email, "workspace.imported", workspace, &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// The uploaded archive, removed when this is dropped (after the import,
/// or when the upload fails half-way).
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.0)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %self.0.display(), error = %e, "could not remove an uploaded archive");
        }
    }
}

struct Upload {
    archive: Option<Scratch>,
    bytes: u64,
    options: ImportOptions,
}

/// Reads the form: the two checkboxes, and the archive streamed to disk.
async fn receive(state: &AppState, mut multipart: Multipart) -> AppResult<Upload> {
    let mut upload = Upload { archive: None, bytes: 0, options: ImportOptions::default() };
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("as_new") => upload.options.as_new = true,
            Some("invite") => upload.options.invite = true,
            Some("archive") if upload.archive.is_none() => {
                let scratch = scratch(state)?;
                upload.bytes = stream_to(field, &scratch, state.config.bounds.max_import_bytes).await?;
                upload.archive = Some(scratch);
            }
            _ => {}
        }
    }
    Ok(upload)
}

fn scratch(state: &AppState) -> AppResult<Scratch> {
    let dir = state.config.data_dir.join("imports");
    private::folder(&dir).map_err(|e| AppError::Internal(e.into()))?;
    Ok(Scratch(dir.join(format!("{}.zip", Uuid::new_v4()))))
}

async fn stream_to(mut field: Field<'_>, scratch: &Scratch, limit: u64) -> AppResult<u64> {
    let file = private::create_new(&scratch.0).map_err(|e| AppError::Internal(e.into()))?;
    let mut file = tokio::fs::File::from_std(file);
    let mut bytes = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        bytes += chunk.len() as u64;
        if bytes > limit {
            return Err(AppError::PayloadTooLarge(format!(
                "The archive is larger than {} MB, the most this Easel accepts (EASEL_MAX_IMPORT_BYTES). Nothing was imported.",
                limit / (1024 * 1024)
            )));
        }
        file.write_all(&chunk).await.map_err(disk)?;
    }
    file.sync_all().await.map_err(disk)?;
    Ok(bytes)
}

fn unreadable(e: axum::extract::multipart::MultipartError) -> AppError {
    AppError::bad_request(format!("The upload could not be read ({e}). Nothing was imported."))
}

fn disk(err: std::io::Error) -> AppError {
    use std::io::ErrorKind::{FileTooLarge, QuotaExceeded, StorageFull};
    if matches!(err.kind(), StorageFull | QuotaExceeded | FileTooLarge) {
        AppError::StorageFull(err.to_string())
    } else {
        AppError::Internal(anyhow::anyhow!("receiving an archive: {err}"))
    }
}
