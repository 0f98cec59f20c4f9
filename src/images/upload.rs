//! Receiving artwork: stream each file to a temporary file, recognise it,
//! make its sizes, move everything into place, and only then record it.

use axum::extract::{Multipart, multipart::Field};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{
    processing::{self, Processed, Refusal},
    queries::{self, NewImage},
};
use crate::{
    error::{AppError, AppResult},
    state::AppState,
    storage::{Folder, TempFile, derived_name, image_key},
    tenancy::Workspace,
    usage,
};

/// A file fully received into `tmp/`, not yet looked at.
pub struct Received {
    pub original_name: String,
    pub temp: TempFile,
    pub sha256: String,
    pub bytes: u64,
}

/// What became of one file.
pub enum Outcome {
    Added { id: Uuid, title: String },
    AlreadyThere { id: Uuid },
    Refused { reason: String },
}

pub struct FileResult {
    pub name: String,
    pub outcome: Outcome,
}

/// Receives every `files` part. One file over the size limit refuses the
/// whole request with a 413, and everything received so far is removed.
/// The plan's limits are checked first: a workspace with no room left gets
/// its 422 before a byte of any file is read or written.
pub async fn receive(state: &AppState, ws: &Workspace, mut multipart: Multipart) -> AppResult<Vec<Received>> {
    let room = Room::of(ws).await?;
    room.check(0).map_err(AppError::Unprocessable)?;
    let mut received = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() != Some("files") {
            continue;
        }
        let original_name = clean_file_name(field.file_name().unwrap_or_default());
        let file = receive_one(state, ws, &room, field, &original_name).await?;
        if file.bytes > 0 || !original_name.is_empty() {
            received.push(file);
        }
        if received.len() > MAX_FILES_PER_REQUEST {
            return Err(AppError::bad_request(format!("Upload at most {MAX_FILES_PER_REQUEST} files at a time.")));
        }
    }
    Ok(received)
}

const MAX_FILES_PER_REQUEST: usize = 100;

/// What the workspace's plan leaves room for, read once before streaming.
struct Room {
    limits: crate::plans::Limits,
    used: usage::Storage,
}

impl Room {
    async fn of(ws: &Workspace) -> AppResult<Self> {
        let mut tx = ws.read().await?;
        let limits = crate::plans::queries::limits(&mut tx).await?;
        let used = usage::storage(&mut tx).await?;
        tx.commit().await?;
        Ok(Self { limits, used })
    }

    /// Whether one more image of `bytes` fits; the message names the limit.
    fn check(&self, bytes: u64) -> Result<(), String> {
        self.limits.allows_upload(&self.used, 1, i64::try_from(bytes).unwrap_or(i64::MAX))
    }
}

async fn receive_one(
    state: &AppState,
    ws: &Workspace,
    room: &Room,
    mut field: Field<'_>,
    name: &str,
) -> AppResult<Received> {
    let limit = state.config.max_upload_bytes;
    let mut temp = state.storage.temp_file(ws.id()).map_err(storage_error)?;
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        bytes += chunk.len() as u64;
        if bytes > limit {
            return Err(AppError::PayloadTooLarge(format!(
                "“{name}” is larger than {} MB, the most Easel accepts for one file. Nothing was stored.",
                limit / (1024 * 1024)
            )));
        }
        // Stop streaming as soon as the file alone passes the storage left.
        if let Err(reason) = room.check(bytes) {
            return Err(AppError::Unprocessable(format!("“{name}” was refused: {reason} Nothing was stored.")));
        }
        hasher.update(&chunk);
        temp.write_all(&chunk).map_err(storage_error)?;
    }
    Ok(Received { original_name: name.to_owned(), temp, sha256: hex::encode(hasher.finalize()), bytes })
}

/// Adds one received file to the library, or says why not.
pub async fn ingest(state: &AppState, ws: &Workspace, file: Received) -> AppResult<FileResult> {
    let name = if file.original_name.is_empty() { "(unnamed file)".to_owned() } else { file.original_name.clone() };
    let mut tx = ws.read().await?;
    let existing = queries::id_by_sha256(&mut tx, &file.sha256).await?;
    let room = within_limits(&mut tx, file.bytes as i64).await?;
    tx.commit().await?;
    if let Some(id) = existing {
        return Ok(FileResult { name, outcome: Outcome::AlreadyThere { id } });
    }
    if let Err(reason) = room {
        return Ok(FileResult { name, outcome: Outcome::Refused { reason } });
    }
    let path = file.temp.path().to_owned();
    let max_pixels = state.config.bounds.max_pixels;
    let processed =
        state.decode(move || processing::process(&path, max_pixels)).await.unwrap_or(Err(Refusal::Unreadable));
    let processed = match processed {
        Ok(processed) => processed,
        Err(refusal) => return Ok(FileResult { name, outcome: Outcome::Refused { reason: refusal.to_string() } }),
    };
    store(state, ws, file, processed).await.map(|outcome| FileResult { name, outcome })
}

/// Moves the files into place, then records the row; if recording fails,
/// the files go again, so no file outlives a missing row for long (and the
/// sweeper catches a crash in between).
async fn store(state: &AppState, ws: &Workspace, file: Received, processed: Processed) -> AppResult<Outcome> {
    let id = Uuid::now_v7();
    let original = format!("{id}.{}", processed.kind.extension());
    let derived = derived_name(id);
    let files = vec![
        image_key(ws.id(), Folder::Originals, &original),
        image_key(ws.id(), Folder::Large, &derived),
        image_key(ws.id(), Folder::Thumbs, &derived),
    ];
    let stored_bytes = file.bytes + processed.large.len() as u64 + processed.thumb.len() as u64;
    // Every object is put before the row is written: a crash in between
    // leaves objects without a row (swept later), never a row without them.
    if let Err(e) = put_all(state, file.temp, [processed.large, processed.thumb], &files).await {
        state.storage.delete(&files).await;
        return Err(storage_error(e));
    }

    let title = title_from_file_name(&file.original_name);
    let new = NewImage {
        id,
        sha256: &file.sha256,
        original_name: &file.original_name,
        content_type: processed.kind.content_type(),
        extension: processed.kind.extension(),
        byte_size: file.bytes as i64,
        stored_bytes: stored_bytes as i64,
        width: i64::from(processed.width),
        height: i64::from(processed.height),
        title: &title,
        palette: &processed.palette,
    };
    match record(ws, &new).await {
        Ok(Recorded::Added) => Ok(Outcome::Added { id, title }),
        Ok(Recorded::OverLimit(reason)) => {
            state.storage.delete(&files).await;
            Ok(Outcome::Refused { reason })
        }
        Ok(Recorded::Duplicate) => {
            // The same file arrived twice at once; the other one won.
            state.storage.delete(&files).await;
            let mut tx = ws.read().await?;
            let winner = queries::id_by_sha256(&mut tx, &file.sha256).await?;
            tx.commit().await?;
            Ok(Outcome::AlreadyThere { id: winner.ok_or(AppError::NotFound)? })
        }
        Err(err) => {
            state.storage.delete(&files).await;
            Err(err)
        }
    }
}

/// Puts the original (already in a temporary file) and the two resized
/// JPEGs under `keys` (original, large, thumbnail).
async fn put_all(
    state: &AppState,
    original: TempFile,
    [large, thumb]: [Vec<u8>; 2],
    keys: &[String],
) -> std::io::Result<()> {
    let [original_key, large_key, thumb_key] = keys else { return Err(std::io::Error::other("three keys expected")) };
    state.storage.put_temp(original, original_key).await?;
    state.storage.put_bytes(large_key, large).await?;
    state.storage.put_bytes(thumb_key, thumb).await
}

enum Recorded {
    Added,
    /// The workspace already had the same file.
    Duplicate,
    /// The plan's image or storage limit would be passed.
    OverLimit(String),
}

/// Whether one more image of `bytes` fits the workspace's plan.
async fn within_limits(tx: &mut crate::db::WorkspaceTx, bytes: i64) -> AppResult<Result<(), String>> {
    let limits = crate::plans::queries::limits(tx).await?;
    let used = usage::storage(tx).await?;
    Ok(limits.allows_upload(&used, 1, bytes))
}

/// Inserts the row and counts its storage, checking the limits again under
/// the write lock (another upload may have filled the last place meanwhile).
async fn record(ws: &Workspace, new: &NewImage<'_>) -> AppResult<Recorded> {
    let mut tx = ws.write().await?;
    if let Err(reason) = within_limits(&mut tx, new.stored_bytes).await? {
        return Ok(Recorded::OverLimit(reason));
    }
    match queries::insert(&mut tx, new).await {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(Recorded::Duplicate),
        other => other?,
    }
    usage::record_storage(&mut tx, 1, new.stored_bytes).await?;
    tx.commit().await?;
    Ok(Recorded::Added)
}

fn unreadable(err: axum::extract::multipart::MultipartError) -> AppError {
    AppError::bad_request(format!("The upload could not be read ({}). Nothing was stored.", err.body_text()))
}

/// A full disk, an exhausted quota or a file the filesystem cannot hold
/// is "no room", said plainly; anything else is unexpected.
fn storage_error(err: std::io::Error) -> AppError {
    use std::io::ErrorKind::{FileTooLarge, QuotaExceeded, StorageFull};
    if matches!(err.kind(), StorageFull | QuotaExceeded | FileTooLarge) {
        AppError::StorageFull(err.to_string())
    } else {
        AppError::Internal(anyhow::anyhow!("writing an upload: {err}"))
    }
}

/// The name the browser sent, without any folder, for display only: files
/// are always stored under names Easel makes.
fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    base.chars().filter(|c| !c.is_control()).take(200).collect::<String>().trim().to_owned()
}

/// "study_in-cobalt.PNG" becomes "Study In Cobalt": no extension, spaces
/// for underscores and dashes, each word capitalised. Acronyms and mixed
/// case ("NYC", "McKay") are kept, unless the whole name shouts.
pub fn title_from_file_name(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let words: Vec<&str> = stem.split(['_', '-', ' ']).filter(|w| !w.is_empty()).collect();
    // One all-caps word is an acronym ("IMG_2041"); a whole name in capitals is shouting.
    let lettered = words.iter().filter(|w| w.chars().any(char::is_alphabetic)).count();
    let shouting = lettered > 1 && words.iter().all(|w| !w.chars().any(char::is_lowercase));
    let title: Vec<String> = words.iter().map(|w| title_case(w, shouting)).collect();
    let title = title.join(" ");
    if title.is_empty() { "Untitled".to_owned() } else { title.chars().take(200).collect() }
}

fn title_case(word: &str, shouting: bool) -> String {
    let has_upper = word.chars().any(char::is_uppercase);
    if has_upper && !shouting {
        return word.to_owned();
    }
    let lower = word.to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_file_names() {
        assert_eq!(title_from_file_name("study_in-cobalt.PNG"), "Study In Cobalt");
        assert_eq!(title_from_file_name("blue_heron-study.final.jpg"), "Blue Heron Study.final");
        assert_eq!(title_from_file_name("NYC_skyline_at-dusk.jpg"), "NYC Skyline At Dusk");
        assert_eq!(title_from_file_name("IMG_2041.JPG"), "IMG 2041");
        assert_eq!(title_from_file_name("GREY_HERON.jpg"), "Grey Heron");
        assert_eq!(title_from_file_name("McKay__portrait 2.webp"), "McKay Portrait 2");
        assert_eq!(title_from_file_name("élan-vital.png"), "Élan Vital");
        assert_eq!(title_from_file_name(".png"), "Untitled");
        assert_eq!(title_from_file_name("__-.png"), "Untitled");
        assert_eq!(title_from_file_name("noext"), "Noext");
    }

    #[test]
    fn file_names_lose_their_folders() {
        assert_eq!(clean_file_name("C:\\Users\\ada\\heron.jpg"), "heron.jpg");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
    }
}
