//! One archive format, at two scopes (DESIGN §9): a workspace and the whole
//! instance. Export, import, backup, restore, `easel copy` and "download my
//! data" are all this format plus a reader or a writer.
//!
//! An archive is a zip: `manifest.json`, `tables/<table>.jsonl` (canonical
//! rows, byte-identical from either backend), `files/<storage key>`,
//! `people.jsonl` and human-readable `artwork.csv` / `posts.csv`.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

pub mod canonical;
pub mod catalogue;
pub mod commands;
mod export;
mod import;
mod instance;
pub mod manifest;
mod readable;
mod reader;
pub mod relocate;
mod sink;
mod source;
pub mod terminal;
mod workspace;
mod writer;

use uuid::Uuid;

use crate::{
    db::{Databases, Db},
    storage::Storage,
};

/// The archive format this Easel writes and the newest it reads.
pub const FORMAT: u32 = 1;

/// Why an archive could not be written, read or applied. The text of every
/// variant is a sentence a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The archive itself is refused (damaged, forged, too large, too new…).
    #[error("{0}")]
    Invalid(String),
    /// The target is not in a state to take it (the workspace exists, the
    /// database has rows…).
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Io(String),
    #[error("the database: {0}")]
    Db(String),
}

impl From<std::io::Error> for ArchiveError {
    fn from(err: std::io::Error) -> Self {
        Self::Io(err.to_string())
    }
}

impl From<sqlx::Error> for ArchiveError {
    fn from(err: sqlx::Error) -> Self {
        Self::Db(err.to_string())
    }
}

/// How far a long job has got, shared with whoever shows it (a progress bar
/// on the command line, a percentage on a page). Units are bytes or rows, as
/// the job chooses; only the ratio is shown.
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
}

impl Progress {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }

    pub fn add(&self, done: u64) {
        self.done.fetch_add(done, Ordering::Relaxed);
    }

    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Whole percent, 0–100 (0 until the total is known).
    pub fn percent(&self) -> u8 {
        let (done, total) = (self.done(), self.total());
        (done.min(total) * 100).checked_div(total).unwrap_or(0) as u8
    }
}

/// What an archive holds, once written or read.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// The archive's size on disk.
    pub bytes: u64,
    pub rows: u64,
    pub files: u64,
}

/// Choices for importing a workspace archive.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Give the workspace and everything in it fresh ids.
    pub as_new: bool,
    /// Mail the pending invitations made for people without an account here.
    pub invite: bool,
}

/// A workspace that an import created.
#[derive(Clone, Debug)]
pub struct Imported {
    pub workspace_id: Uuid,
    pub name: String,
    pub summary: Summary,
    /// API keys (by field name, e.g. "openai_api_key") to be entered again.
    pub keys_to_reenter: Vec<String>,
    /// Members matched to accounts here, by email.
    pub members: Vec<String>,
    /// People who became pending invitations.
    pub invited: Vec<String>,
}

/// Writes a workspace archive to `out` (written as `out.part`, then renamed).
pub async fn export_workspace(
    databases: &Databases,
    storage: &Storage,
    workspace: Uuid,
    out: &Path,
    progress: &Progress,
) -> Result<Summary, ArchiveError> {
    let placement = databases.placement_of(workspace).await?;
    let data = databases.by_name(&placement).map_err(|e| ArchiveError::Conflict(e.to_string()))?;
    let snapshot = match placement.as_str() {
        crate::config::MAIN => source::Snapshot::begin(databases.main()).await?,
        _ => source::Snapshot::begin_placed(databases.main(), data).await?,
    };
    export::write(snapshot, storage, export::Scope::Workspace(workspace), out, progress).await
}

/// Imports a workspace archive: checked whole before anything is written.
pub async fn import_workspace(
    db: &Db,
    storage: &Storage,
    archive: &Path,
    options: &ImportOptions,
    progress: &Progress,
) -> Result<Imported, ArchiveError> {
    workspace::import(db, storage, archive, options, progress).await
}

/// Writes an instance archive (every table, every file) while Easel serves.
/// Every database's workspaces go into it (global tables from `main`); a
/// restore puts them all into `main`.
pub async fn backup(
    databases: &Databases,
    storage: &Storage,
    out: &Path,
    progress: &Progress,
) -> Result<Summary, ArchiveError> {
    let snapshot = source::Snapshot::begin_all(databases).await?;
    export::write(snapshot, storage, export::Scope::Instance, out, progress).await
}

/// Restores an instance archive into an empty database and uploads folder.
pub async fn restore(db: &Db, storage: &Storage, archive: &Path, progress: &Progress) -> Result<Summary, ArchiveError> {
    instance::restore(db, storage, archive, progress).await
}

pub use instance::Copied;

/// Copies this database into another, empty and migrated one (either
/// backend), then checks every table's rows and SHA-256 on both sides.
pub async fn copy(from: &Db, to: &Db, progress: &Progress) -> Result<Copied, ArchiveError> {
    instance::copy(from, to, progress).await
}

/// A person's own data: profile, memberships and their audit entries.
pub async fn export_person(databases: &Databases, user: Uuid, out: &Path) -> Result<Summary, ArchiveError> {
    let storage = Storage::new(std::env::temp_dir());
    let snapshot = source::Snapshot::begin_all(databases).await?;
    export::write(snapshot, &storage, export::Scope::Person(user), out, &Progress::default()).await
}

/// The temporary name an archive is written under before it is renamed.
pub fn part_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

/// The archive jobs run in spawned tasks (the in-app export, scheduled
/// backups), so their futures must be `Send`; this fails to compile if not.
#[allow(dead_code)]
fn jobs_can_be_spawned(db: Db, storage: Storage) {
    fn spawnable<T: Send + 'static>(_: impl FnOnce() -> T) {}
    spawnable(move || async move {
        let progress = Progress::default();
        let out = PathBuf::new();
        let _ = export_workspace(&Databases::single(db.clone()), &storage, Uuid::nil(), &out, &progress).await;
        let _ = backup(&Databases::single(db.clone()), &storage, &out, &progress).await;
        let _ = import_workspace(&db, &storage, &out, &ImportOptions::default(), &progress).await;
        let _ = restore(&db, &storage, &out, &progress).await;
        let _ = export_person(&Databases::single(db.clone()), Uuid::nil(), &out).await;
    });
}
