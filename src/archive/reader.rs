//! Reading an archive, and checking all of it before anything is written:
//! entry names, links, sizes, the manifest's format and hashes.

use std::{
    collections::HashSet,
    fs::File,
    io::{BufRead, BufReader, Read},
    path::{Path, PathBuf},
};

use sha2::{Digest, Sha256};
use uuid::Uuid;
use zip::ZipArchive;

use super::{
    ArchiveError, FORMAT, catalogue,
    manifest::{self, Manifest},
    readable,
};

/// No entry may unpack to more than this many times its packed size
/// (Deflate's own best is about 1,000; a zip bomb claims far more).
const MAX_RATIO: u64 = 1_200;
/// Entries smaller than this are never a bomb, whatever their ratio.
const RATIO_FLOOR: u64 = 1 << 20;
const MAX_MANIFEST: u64 = 64 << 20;

/// An archive whose every byte was checked against its manifest.
#[derive(Debug)]
pub struct Checked {
    pub manifest: Manifest,
    pub path: PathBuf,
}

fn invalid(text: impl Into<String>) -> ArchiveError {
    ArchiveError::Invalid(text.into())
}

/// An open archive.
pub type Zip = ZipArchive<BufReader<File>>;

pub fn open(path: &Path) -> Result<Zip, ArchiveError> {
    let file = File::open(path).map_err(|e| ArchiveError::Io(format!("cannot open {}: {e}", path.display())))?;
    ZipArchive::new(BufReader::new(file))
        .map_err(|e| invalid(format!("This is not a complete zip archive ({e}); it may be truncated or damaged.")))
}

/// Checks everything (blocking: call from a blocking task). `scope` is the
/// kind of archive expected (`workspace` or `instance`).
pub fn check(path: &Path, scope: &str, schema_version: i64) -> Result<Checked, ArchiveError> {
    let mut zip = open(path)?;
    let names = check_entries(&mut zip)?;
    let manifest = read_manifest(&mut zip)?;
    check_manifest(&manifest, scope, schema_version)?;
    check_contents(&mut zip, &manifest, &names)?;
    Ok(Checked { manifest, path: path.to_owned() })
}

/// Names, links, duplicates and sizes of every entry.
fn check_entries(zip: &mut ZipArchive<BufReader<File>>) -> Result<HashSet<String>, ArchiveError> {
    let mut names = HashSet::new();
    for index in 0..zip.len() {
        let entry = zip.by_index_raw(index).map_err(|e| invalid(format!("The archive is damaged ({e}).")))?;
        let name = entry.name().to_owned();
        if name.starts_with('/')
            || name.starts_with('\\')
            || name.contains('\\')
            || name.split('/').any(|p| p == "..")
            || entry.enclosed_name().is_none()
        {
            return Err(invalid(format!(
                "The archive has an entry that points outside it: {name}. Nothing was imported."
            )));
        }
        if entry.is_symlink() {
            return Err(invalid(format!(
                "The archive has a symbolic link ({name}); Easel archives never contain links."
            )));
        }
        if entry.is_dir() {
            continue;
        }
        let (size, packed) = (entry.size(), entry.compressed_size().max(1));
        if size > RATIO_FLOOR && size / packed > MAX_RATIO {
            return Err(invalid(format!(
                "The archive's entry {name} claims {size} bytes packed into {packed}: that is a zip bomb, not an Easel archive."
            )));
        }
        if !names.insert(name.clone()) {
            return Err(invalid(format!("The archive has two entries named {name}.")));
        }
        check_name(&name)?;
    }
    Ok(names)
}

/// Only the entries an Easel archive has.
fn check_name(name: &str) -> Result<(), ArchiveError> {
    if [manifest::MANIFEST, readable::PEOPLE, readable::ARTWORK, readable::POSTS].contains(&name) {
        return Ok(());
    }
    if let Some(table) = name.strip_prefix("tables/").and_then(|n| n.strip_suffix(".jsonl")) {
        return match catalogue::table(table) {
            Some(_) => Ok(()),
            None => Err(invalid(format!("The archive has a table Easel does not know: {table}."))),
        };
    }
    match name.strip_prefix("files/") {
        Some(key) if storage_key(key).is_some() => Ok(()),
        _ => Err(invalid(format!("The archive has an entry Easel did not write: {name}."))),
    }
}

/// A stored file's key, split: `<workspace>/originals/<image>.<ext>` or
/// `<workspace>/brand/logo-<id>.png`. Anything else is refused.
pub fn storage_key(key: &str) -> Option<StorageKey> {
    let mut parts = key.split('/');
    let workspace = Uuid::parse_str(parts.next()?).ok()?;
    let folder = parts.next()?;
    let name = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    match folder {
        "originals" => {
            let (id, ext) = name.split_once('.')?;
            let image = Uuid::parse_str(id).ok()?;
            ["jpg", "png", "webp", "gif", "tiff"].contains(&ext).then(|| StorageKey::Original {
                workspace,
                image,
                ext: ext.to_owned(),
            })
        }
        "brand" => {
            let id = name.strip_prefix("logo-")?.strip_suffix(".png")?;
            Uuid::parse_str(id).ok().map(|_| StorageKey::Logo { workspace, name: name.to_owned() })
        }
        _ => None,
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageKey {
    Original { workspace: Uuid, image: Uuid, ext: String },
    Logo { workspace: Uuid, name: String },
}

impl StorageKey {
    pub fn workspace(&self) -> Uuid {
        match self {
            Self::Original { workspace, .. } | Self::Logo { workspace, .. } => *workspace,
        }
    }

    /// The key again, with the workspace and image ids passed through `map`.
    pub fn key(&self, mut map: impl FnMut(Uuid) -> Uuid) -> String {
        match self {
            Self::Original { workspace, image, ext } => format!("{}/originals/{}.{ext}", map(*workspace), map(*image)),
            Self::Logo { workspace, name } => format!("{}/brand/{name}", map(*workspace)),
        }
    }
}

fn read_manifest(zip: &mut ZipArchive<BufReader<File>>) -> Result<Manifest, ArchiveError> {
    let entry = zip
        .by_name(manifest::MANIFEST)
        .map_err(|_| invalid("The archive has no manifest.json, so it is not an Easel archive."))?;
    if entry.size() > MAX_MANIFEST {
        return Err(invalid("The archive's manifest.json is too large to be an Easel manifest."));
    }
    let mut text = Vec::new();
    entry
        .take(MAX_MANIFEST + 1)
        .read_to_end(&mut text)
        .map_err(|e| invalid(format!("The archive is damaged ({e}).")))?;
    let value: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| invalid(format!("The archive's manifest.json cannot be read ({e}).")))?;
    if let Some(format) = value.get("format").and_then(|f| f.as_u64())
        && format > u64::from(FORMAT)
    {
        return Err(invalid(format!(
            "This archive is format version {format}; this Easel reads version {FORMAT}. Upgrade Easel to import it."
        )));
    }
    serde_json::from_value(value).map_err(|e| invalid(format!("The archive's manifest.json cannot be read ({e}).")))
}

fn check_manifest(manifest: &Manifest, scope: &str, schema_version: i64) -> Result<(), ArchiveError> {
    if manifest.format == 0 || manifest.format > FORMAT {
        return Err(invalid(format!(
            "This archive is format version {}; this Easel reads version {FORMAT}.",
            manifest.format
        )));
    }
    if manifest.scope != scope {
        return Err(invalid(format!("This is an archive of {}, not of {scope}.", describe(&manifest.scope))));
    }
    if manifest.schema_version > schema_version {
        return Err(invalid(format!(
            "This archive comes from a newer Easel (schema {}; this one has {schema_version}). Upgrade Easel first.",
            manifest.schema_version
        )));
    }
    if scope == manifest::WORKSPACE && manifest.workspace.is_none() {
        return Err(invalid("The archive's manifest does not say which workspace it holds."));
    }
    let mut seen = HashSet::new();
    for table in &manifest.tables {
        if catalogue::table(&table.name).is_none() {
            return Err(invalid(format!("The archive has a table Easel does not know: {}.", table.name)));
        }
        if !seen.insert(table.name.as_str()) {
            return Err(invalid(format!("The archive's manifest lists the table {} twice.", table.name)));
        }
    }
    Ok(())
}

fn describe(scope: &str) -> String {
    match scope {
        manifest::WORKSPACE => "one workspace".into(),
        manifest::INSTANCE => "a whole instance (a backup)".into(),
        manifest::PERSON => "one person's own data".into(),
        other => format!("an unknown kind ({other})"),
    }
}

/// Every table and file against its row count, size and SHA-256.
fn check_contents(
    zip: &mut ZipArchive<BufReader<File>>,
    manifest: &Manifest,
    names: &HashSet<String>,
) -> Result<(), ArchiveError> {
    let mut listed: HashSet<String> =
        [manifest::MANIFEST, readable::PEOPLE, readable::ARTWORK, readable::POSTS].map(String::from).into();
    for table in &manifest.tables {
        let name = manifest::table_entry(&table.name);
        let (rows, sha) = hash_entry(zip, &name, true)?;
        if rows != table.rows || sha != table.sha256 {
            return Err(invalid(format!(
                "The archive's table {} does not match its manifest ({}): it was changed or damaged. Nothing was imported.",
                table.name,
                if rows != table.rows {
                    format!("{rows} rows, not {}", table.rows)
                } else {
                    "the SHA-256 differs".into()
                }
            )));
        }
        listed.insert(name);
    }
    let own = manifest.workspace.as_ref().map(|w| w.id);
    for file in &manifest.files {
        let name = manifest::file_entry(&file.path);
        let Some(key) = storage_key(&file.path) else {
            return Err(invalid(format!("The archive's manifest names a file Easel did not write: {}.", file.path)));
        };
        if own.is_some_and(|own| key.workspace() != own) {
            return Err(invalid(format!("The archive has a file of another workspace: {}.", file.path)));
        }
        let declared = zip.by_name(&name).map(|e| e.size()).unwrap_or(u64::MAX);
        if declared != file.size {
            return Err(invalid(format!(
                "The archive's file {} is not the size its manifest gives; it was changed or damaged.",
                file.path
            )));
        }
        let (size, sha) = hash_entry(zip, &name, false)?;
        if size != file.size || sha != file.sha256 {
            return Err(invalid(format!(
                "The archive's file {} does not match its manifest: it was changed or damaged.",
                file.path
            )));
        }
        listed.insert(name);
    }
    match names.iter().find(|n| !listed.contains(*n)) {
        Some(extra) => Err(invalid(format!("The archive has an entry its manifest does not list: {extra}."))),
        None => Ok(()),
    }
}

/// SHA-256 of an entry, and its line count (`lines`) or size. Never reads
/// past the size the entry declares.
fn hash_entry(zip: &mut ZipArchive<BufReader<File>>, name: &str, lines: bool) -> Result<(u64, String), ArchiveError> {
    let entry =
        zip.by_name(name).map_err(|_| invalid(format!("The archive is missing {name}, which its manifest lists.")))?;
    let declared = entry.size();
    let mut reader = BufReader::with_capacity(64 * 1024, entry.take(declared + 1));
    let mut hasher = Sha256::new();
    let (mut size, mut count) = (0u64, 0u64);
    let damaged = |e: std::io::Error| invalid(format!("The archive's entry {name} is damaged ({e})."));
    loop {
        let chunk = reader.fill_buf().map_err(damaged)?;
        if chunk.is_empty() {
            break;
        }
        let read = chunk.len();
        hasher.update(chunk);
        count += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        size += read as u64;
        reader.consume(read);
    }
    if size != declared {
        return Err(invalid(format!("The archive's entry {name} is not the size it declares; it is damaged.")));
    }
    Ok((if lines { count } else { size }, hex::encode(hasher.finalize())))
}

/// Calls `each` with every line of a table's entry (blocking).
pub fn each_line(
    path: &Path,
    table: &str,
    each: impl FnMut(String) -> Result<(), ArchiveError>,
) -> Result<(), ArchiveError> {
    each_entry_line(path, &manifest::table_entry(table), each)
}

/// Every line of an entry such as `people.jsonl`; an absent entry has none
/// (blocking).
pub fn each_entry_line(
    path: &Path,
    name: &str,
    mut each: impl FnMut(String) -> Result<(), ArchiveError>,
) -> Result<(), ArchiveError> {
    let mut zip = open(path)?;
    let Ok(entry) = zip.by_name(name) else { return Ok(()) };
    let declared = entry.size();
    for line in BufReader::new(entry.take(declared)).lines() {
        each(line.map_err(|e| invalid(format!("The archive's {name} is damaged ({e}).")))?)?;
    }
    Ok(())
}

/// Copies one stored file out of the archive into `target` (blocking).
pub fn extract(zip: &mut Zip, key: &str, target: &mut File) -> Result<u64, ArchiveError> {
    let entry =
        zip.by_name(&manifest::file_entry(key)).map_err(|_| invalid(format!("The archive is missing {key}.")))?;
    let declared = entry.size();
    Ok(std::io::copy(&mut entry.take(declared), target)?)
}
