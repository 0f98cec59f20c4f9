//! Where archives wait to be downloaded, and how they leave: private
//! folders under the data directory, streamed responses, names that are
//! safe in a `Content-Disposition` header.

use std::{
    io,
    path::{Path, PathBuf},
};

use axum::{
    body::Body,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use tokio_util::io::ReaderStream;
use uuid::Uuid;

use crate::storage::private;

/// `<data>/exports/<workspace id>/`, made private (0700) on the way.
pub fn workspace_folder(data_dir: &Path, workspace: Uuid) -> io::Result<PathBuf> {
    let exports = data_dir.join("exports");
    private::folder(&exports)?;
    let dir = exports.join(workspace.to_string());
    private::folder(&dir)?;
    Ok(dir)
}

/// Where one export's archive is (or will be).
pub fn archive_path(data_dir: &Path, workspace: Uuid, export: Uuid) -> PathBuf {
    data_dir.join("exports").join(workspace.to_string()).join(format!("{export}.zip"))
}

/// Where a finished archive lives, in the store, so any instance can serve
/// it: `<workspace>/exports/<export>.zip` (the sweeper leaves it alone).
pub fn archive_key(workspace: Uuid, export: Uuid) -> String {
    crate::storage::key(workspace, crate::storage::EXPORTS, &format!("{export}.zip"))
}

/// Removes an archive from the store and from this machine's data folder
/// (where it is written, and where older versions kept it).
pub async fn remove_everywhere(storage: &crate::storage::Storage, data_dir: &Path, workspace: Uuid, export: Uuid) {
    storage.delete(&[archive_key(workspace, export)]).await;
    remove_archive(&archive_path(data_dir, workspace, export));
}

/// A private scratch folder for archives that pass through (uploads to
/// import, "download my data").
pub fn scratch_folder(data_dir: &Path, name: &str) -> io::Result<PathBuf> {
    let dir = data_dir.join(name);
    private::folder(&dir)?;
    Ok(dir)
}

/// Removes a file and its `.part`, ignoring ones already gone.
pub fn remove_archive(path: &Path) {
    for file in [path.to_path_buf(), crate::archive::part_path(path)] {
        if let Err(e) = std::fs::remove_file(&file)
            && e.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(path = %file.display(), error = %e, "could not remove an export archive");
        }
    }
}

/// A file that is removed when this is dropped: the upload of an import,
/// whatever becomes of the request.
pub struct Scratch(pub PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        remove_archive(&self.0);
    }
}

/// "Heron Studio" on 2026-11-27 becomes `heron-studio-2026-11-27.zip`:
/// only letters, digits and dashes, so no header or file system trips on it.
pub fn download_name(name: &str, date: time::Date) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "workspace" } else { slug };
    format!("{slug}-{date}.zip")
}

/// Streams an archive as an attachment, never reading it whole.
pub fn attachment(file: tokio::fs::File, bytes: u64, filename: &str) -> Response {
    stream_attachment(Body::from_stream(ReaderStream::new(file)), bytes, filename)
}

pub fn stream_attachment(body: Body, bytes: u64, filename: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"easel-archive.zip\""));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/zip")),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_LENGTH, HeaderValue::from(bytes)),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_are_safe() {
        let day = time::macros::date!(2026 - 11 - 27);
        assert_eq!(download_name("Heron Studio", day), "heron-studio-2026-11-27.zip");
        assert_eq!(download_name("  ../\"évil\"\r\n name ", day), "vil-name-2026-11-27.zip");
        assert_eq!(download_name("日本", day), "workspace-2026-11-27.zip");
        assert!(download_name(&"a".repeat(500), day).len() < 80);
    }
}
