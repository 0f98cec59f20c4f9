//! `manifest.json`: what an archive holds and the hashes that prove it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The scopes an archive is written at.
pub const WORKSPACE: &str = "workspace";
pub const INSTANCE: &str = "instance";
pub const PERSON: &str = "person";

/// The manifest's own entry.
pub const MANIFEST: &str = "manifest.json";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub easel_version: String,
    /// The last migration applied where the archive was written.
    pub schema_version: i64,
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace: Option<WorkspaceEntry>,
    pub created_at: String,
    pub tables: Vec<TableEntry>,
    pub files: Vec<FileEntry>,
    /// Why the resized copies of artwork are missing (they are remade).
    #[serde(default)]
    pub derived_files: String,
    /// API keys that stay behind (sealed to this instance) and must be
    /// entered again after an import.
    #[serde(default)]
    pub keys_to_reenter: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WorkspaceEntry {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TableEntry {
    pub name: String,
    pub rows: u64,
    pub sha256: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileEntry {
    /// The storage key (`<workspace>/originals/<id>.<ext>`); the zip entry is
    /// `files/<path>`.
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

pub const DERIVED_NOTE: &str =
    "Resized copies of artwork (large and thumbnail) are not included; Easel makes them again on import.";

/// The zip entry of a table.
pub fn table_entry(name: &str) -> String {
    format!("tables/{name}.jsonl")
}

/// The zip entry of a stored file.
pub fn file_entry(key: &str) -> String {
    format!("files/{key}")
}
