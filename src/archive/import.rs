//! Applying a checked archive: files first (as uploads are: a file without
//! a row is swept later), then every row in one transaction. A failure at
//! any point removes the files placed and writes no row.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use serde_json::Value;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::{
    ArchiveError, Progress, Summary,
    canonical::{Cell, parse_line},
    catalogue::{Column, Kind, Table},
    manifest::{self, Manifest},
    reader::{self, Checked},
    sink::Inserter,
    source,
};
use crate::{db::Db, db::Tx, storage::Storage};

/// How ids and people are carried over.
pub struct Mapping {
    /// Fresh ids for every UUID (`--as-new`), made on first sight.
    fresh: Option<HashMap<Uuid, Uuid>>,
    /// Workspace archives name people by email; this finds them here.
    people: Option<HashMap<String, Uuid>>,
}

impl Mapping {
    pub fn identity() -> Self {
        Self { fresh: None, people: None }
    }

    pub fn id(&mut self, id: Uuid) -> Uuid {
        match &mut self.fresh {
            Some(map) => *map.entry(id).or_insert_with(Uuid::now_v7),
            None => id,
        }
    }
}

/// The schema version of a database (its last migration).
pub async fn schema_version(db: &Db) -> Result<i64, ArchiveError> {
    let mut tx = db.begin().await?;
    let version = source::schema_version(&mut tx).await?;
    tx.commit().await?;
    Ok(version)
}

/// Checks the whole archive on a blocking thread.
pub async fn check(path: &Path, scope: &'static str, db: &Db) -> Result<Checked, ArchiveError> {
    let version = schema_version(db).await?;
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || reader::check(&path, scope, version))
        .await
        .map_err(|e| ArchiveError::Io(format!("checking the archive stopped: {e}")))?
}

/// Puts every file of the archive in place under its (mapped) key, and
/// makes the resized copies of artwork. Returns the keys written, for
/// removal if the rows then fail.
///
/// Two workers share the files, each opening the archive once (opening one
/// reads its whole directory); two, as the server's uploads, because a
/// decode can take hundreds of MB.
pub async fn place_files(
    checked: &Checked,
    storage: &Storage,
    mapping: &mut Mapping,
    progress: &Progress,
) -> Result<Vec<String>, ArchiveError> {
    let jobs: Vec<(String, String)> = checked
        .manifest
        .files
        .iter()
        .filter_map(|file| reader::storage_key(&file.path).map(|key| (file.path.clone(), key.key(|id| mapping.id(id)))))
        .collect();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 2);
    let (done, mut results) = mpsc::unbounded_channel();
    let stop = Arc::new(AtomicBool::new(false));
    for worker in 0..workers {
        let share: Vec<(String, String)> = jobs.iter().skip(worker).step_by(workers).cloned().collect();
        let (archive, storage, done, stop) = (checked.path.clone(), storage.clone(), done.clone(), stop.clone());
        let runtime = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || place_share(&runtime, &archive, &storage, &share, &done, &stop));
    }
    drop(done);
    let (mut placed, mut files) = (Vec::new(), 0);
    let mut failed = None;
    while let Some(result) = results.recv().await {
        match result {
            Ok(paths) => {
                progress.add(1);
                files += 1;
                placed.extend(paths);
            }
            Err(err) => {
                stop.store(true, Ordering::Relaxed);
                failed.get_or_insert(err);
            }
        }
    }
    match failed {
        // A worker that panicked sends nothing more: count, don't assume.
        None if files == jobs.len() => Ok(placed),
        None => {
            remove(storage, placed).await;
            Err(ArchiveError::Io("placing the files stopped before the end".into()))
        }
        Some(err) => {
            remove(storage, placed).await;
            Err(err)
        }
    }
}

type Placed = Result<Vec<String>, ArchiveError>;

/// One worker's files, the archive opened once; it stops at its first
/// failure, or when another worker failed.
fn place_share(
    runtime: &tokio::runtime::Handle,
    archive: &Path,
    storage: &Storage,
    share: &[(String, String)],
    done: &mpsc::UnboundedSender<Placed>,
    stop: &AtomicBool,
) {
    let mut zip = match reader::open(archive) {
        Ok(zip) => zip,
        Err(err) => {
            let _ = done.send(Err(err));
            return;
        }
    };
    for (source, target) in share {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let result = place_one(runtime, &mut zip, storage, source, target);
        let failed = result.is_err();
        if done.send(result).is_err() || failed {
            return;
        }
    }
}

/// One file: extracted to a local temporary file, then put under its key;
/// an original also gets its large and thumbnail copies (put first).
fn place_one(
    runtime: &tokio::runtime::Handle,
    zip: &mut reader::Zip,
    storage: &Storage,
    source: &str,
    target: &str,
) -> Result<Vec<String>, ArchiveError> {
    let Some(key) = reader::storage_key(target) else {
        return Err(ArchiveError::Invalid(format!("The archive names a file Easel did not write: {source}.")));
    };
    let workspace = key.workspace();
    let mut temp = storage.temp_file(workspace)?;
    reader::extract(zip, source, temp.file_mut()?)?;
    let mut placed = Vec::new();
    if let reader::StorageKey::Original { image, .. } = &key {
        for (folder, bytes) in derive(*image, temp.path()) {
            let derived = crate::storage::image_key(workspace, folder, &crate::storage::derived_name(*image));
            runtime.block_on(storage.put_bytes(&derived, bytes))?;
            placed.push(derived);
        }
    }
    runtime.block_on(storage.put_temp(temp, target))?;
    placed.push(target.to_owned());
    Ok(placed)
}

/// The large and thumbnail JPEGs of an original, made as an upload makes
/// them. An original that cannot be decoded keeps its row and file; its
/// copies are simply missing (the page shows the original's placeholder).
fn derive(image: Uuid, original: &Path) -> Vec<(crate::storage::Folder, Vec<u8>)> {
    use crate::storage::Folder;
    let max_pixels = crate::config::Bounds::default().max_pixels;
    let Ok(processed) = crate::images::processing::process(original, max_pixels) else {
        tracing::warn!(%image, "an imported original could not be decoded; its resized copies are missing");
        return Vec::new();
    };
    vec![(Folder::Large, processed.large), (Folder::Thumbs, processed.thumb)]
}

pub async fn remove(storage: &Storage, keys: Vec<String>) {
    storage.delete(&keys).await;
}

/// Streams every table's rows from the archive into `tx`, in catalogue
/// order, through `adjust` (which maps ids and people, and may refuse).
pub async fn insert_tables(
    tx: &mut Tx,
    checked: &Checked,
    tables: &[&'static Table],
    mapping: &mut Mapping,
    mut adjust: impl FnMut(&'static Table, &mut serde_json::Map<String, Value>) -> Result<(), ArchiveError>,
    progress: &Progress,
) -> Result<u64, ArchiveError> {
    let mut rows = 0;
    for table in tables {
        if !checked.manifest.tables.iter().any(|t| t.name == table.name) {
            continue;
        }
        let mut lines = read_lines(checked.path.clone(), table.name);
        let mut inserter: Option<Inserter> = None;
        while let Some(line) = lines.rx.recv().await {
            let mut object = parse_line(table, &line)?;
            safe(table, &object)?;
            adjust(table, &mut object)?;
            let inserter = inserter.get_or_insert_with(|| Inserter::new(table, present(table, &object)));
            let cells = cells(table, inserter.columns(), &object, mapping)?;
            inserter.push(tx, cells).await?;
            progress.add(1);
        }
        lines.finish().await?;
        if let Some(mut inserter) = inserter {
            inserter.flush(tx).await?;
            rows += inserter.inserted;
        }
    }
    Ok(rows)
}

/// Values that become file paths are only ever ones Easel writes itself:
/// an image's extension, a logo's name.
fn safe(table: &Table, row: &serde_json::Map<String, Value>) -> Result<(), ArchiveError> {
    let text = |column: &str| row.get(column).and_then(Value::as_str).unwrap_or_default();
    let fine = match table.name {
        "images" => ["jpg", "png", "webp", "gif", "tiff"].contains(&text("extension")),
        "workspaces" => {
            let logo = text("logo");
            logo.is_empty()
                || logo
                    .strip_prefix("logo-")
                    .and_then(|rest| rest.strip_suffix(".png"))
                    .is_some_and(|id| Uuid::parse_str(id).is_ok())
        }
        _ => true,
    };
    if fine {
        Ok(())
    } else {
        Err(ArchiveError::Invalid(format!(
            "The archive's table {} names a file Easel would never write; nothing was imported.",
            table.name
        )))
    }
}

/// The columns a row carries (an older archive may lack newer columns,
/// which then take their defaults), in catalogue order.
fn present(table: &'static Table, object: &serde_json::Map<String, Value>) -> Vec<&'static Column> {
    table.columns.iter().filter(|c| object.contains_key(c.name)).collect()
}

fn cells(
    table: &'static Table,
    columns: &[&'static Column],
    object: &serde_json::Map<String, Value>,
    mapping: &mut Mapping,
) -> Result<Vec<Cell>, ArchiveError> {
    if object.len() != columns.len() {
        return Err(ArchiveError::Invalid(format!(
            "The archive's table {} has rows with different columns.",
            table.name
        )));
    }
    let mut out = Vec::with_capacity(columns.len());
    for column in columns {
        let value = object.get(column.name).unwrap_or(&Value::Null);
        let cell = match (column.kind, &mapping.people) {
            (Kind::Person, Some(people)) => person(value, column, table, people)?,
            (Kind::Uuid, _) => match Cell::from_json(value, column, table.name)? {
                Cell::Uuid(id) => Cell::Uuid(mapping.id(id)),
                other => other,
            },
            _ => Cell::from_json(value, column, table.name)?,
        };
        out.push(cell);
    }
    Ok(out)
}

/// A person named by email: their account here, or no one.
fn person(value: &Value, column: &Column, table: &Table, people: &HashMap<String, Uuid>) -> Result<Cell, ArchiveError> {
    match value {
        Value::Null => Ok(Cell::Null),
        Value::String(email) => match people.get(&email.to_lowercase()) {
            Some(id) => Ok(Cell::Uuid(*id)),
            None if column.nullable => Ok(Cell::Null),
            None => Err(ArchiveError::Invalid(format!(
                "The archive's table {} names {email}, who has no account here.",
                table.name
            ))),
        },
        _ => {
            Err(ArchiveError::Invalid(format!("The archive's table {} has a person that is not an email.", table.name)))
        }
    }
}

/// Lines of one table, read on a blocking thread; the channel keeps memory flat.
pub struct Lines {
    pub rx: mpsc::Receiver<String>,
    thread: tokio::task::JoinHandle<Result<(), ArchiveError>>,
}

impl Lines {
    pub async fn finish(self) -> Result<(), ArchiveError> {
        drop(self.rx);
        self.thread.await.map_err(|e| ArchiveError::Io(format!("reading the archive stopped: {e}")))?
    }
}

pub fn read_lines(path: PathBuf, table: &'static str) -> Lines {
    let (tx, rx) = mpsc::channel(512);
    let thread = tokio::task::spawn_blocking(move || {
        reader::each_line(&path, table, |line| {
            tx.blocking_send(line).map_err(|_| ArchiveError::Io("the import stopped reading".into()))
        })
    });
    Lines { rx, thread }
}

pub fn people_by_email(rows: Vec<(String, Uuid)>) -> HashMap<String, Uuid> {
    rows.into_iter().map(|(email, id)| (email.to_lowercase(), id)).collect()
}

pub fn with_people(mut mapping: Mapping, people: HashMap<String, Uuid>) -> Mapping {
    mapping.people = Some(people);
    mapping
}

pub fn fresh(mut mapping: Mapping) -> Mapping {
    mapping.fresh = Some(HashMap::new());
    mapping
}

/// The total a progress bar counts to: rows, then files.
pub fn work(manifest: &Manifest) -> u64 {
    manifest.tables.iter().map(|t| t.rows).sum::<u64>() + manifest.files.len() as u64
}

pub fn summary(checked: &Checked, rows: u64) -> Summary {
    let bytes = std::fs::metadata(&checked.path).map(|m| m.len()).unwrap_or(0);
    Summary { bytes, rows, files: checked.manifest.files.len() as u64 }
}

pub const PEOPLE: &str = super::readable::PEOPLE;
pub const WORKSPACE: &str = manifest::WORKSPACE;
