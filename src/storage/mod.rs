//! Where uploaded files live: one interface, two backends (the local disk
//! and any S3-compatible store), one key layout
//! `<workspace_id>/<folder>/<name>` (folders `originals`, `large`,
//! `thumbs`, `renditions`, `brand`, `exports`).
//!
//! Files are written to a local temporary file first and only then put under
//! their key, so no reader ever finds half an object; rows are written after
//! their objects exist, and the sweeper removes objects without a row once
//! they are older than a grace period (another instance may be mid-upload).

pub mod copy;
mod disk;
pub mod private;
mod s3;
pub mod setting;
pub mod sweeper;
mod temp;

use std::{
    io,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt, stream::BoxStream};
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, path::Path as ObjectPath};
use time::OffsetDateTime;
use uuid::Uuid;

pub use setting::{S3Setting, StorageSetting};
pub use temp::TempFile;

/// The folders of a workspace's image files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Folder {
    Originals,
    Large,
    Thumbs,
}

impl Folder {
    pub const ALL: [Folder; 3] = [Folder::Originals, Folder::Large, Folder::Thumbs];

    pub fn dir_name(self) -> &'static str {
        match self {
            Self::Originals => "originals",
            Self::Large => "large",
            Self::Thumbs => "thumbs",
        }
    }
}

/// The folder of a workspace's logos.
pub const BRAND: &str = "brand";
/// The folder of a workspace's finished export archives.
pub const EXPORTS: &str = "exports";
const TMP: &str = "tmp";

/// The name of an image's large and thumbnail JPEGs in their folders.
pub fn derived_name(image: Uuid) -> String {
    format!("{image}.jpg")
}

/// `<workspace>/<folder>/<name>`, the key of a stored file on either backend.
pub fn key(workspace: Uuid, folder: &str, name: &str) -> String {
    format!("{workspace}/{folder}/{name}")
}

/// The key of an image file.
pub fn image_key(workspace: Uuid, folder: Folder, name: &str) -> String {
    key(workspace, folder.dir_name(), name)
}

/// Objects up to this size (thumbnails, most logos) are read whole rather
/// than streamed; bounded so that many at once stay small in memory.
const READ_WHOLE_UP_TO: u64 = 256 * 1024;

/// An object being read: its size and its bytes as a stream.
pub struct Object {
    pub size: u64,
    pub bytes: BoxStream<'static, io::Result<Bytes>>,
}

impl Object {
    /// An object read whole, as a stream of one piece.
    fn whole(bytes: Bytes) -> Self {
        let size = bytes.len() as u64;
        Self { size, bytes: futures_util::stream::once(std::future::ready(Ok(bytes))).boxed() }
    }
}

/// One listed object.
#[derive(Clone, Debug)]
pub struct Listed {
    pub key: String,
    pub size: u64,
    pub modified: OffsetDateTime,
}

#[derive(Clone, Debug)]
pub struct Storage {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    backend: Backend,
    store: Arc<dyn ObjectStore>,
    /// Where temporary files go before they are put (`<root>` on disk,
    /// a folder of the data directory with S3).
    temp_root: PathBuf,
}

#[derive(Debug)]
enum Backend {
    Disk { root: PathBuf },
    S3(s3::Bucket),
}

impl Storage {
    /// Local disk storage under `root` (created when missing).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        let store = disk::store(&root);
        Self { inner: Arc::new(Inner { temp_root: root.clone(), backend: Backend::Disk { root }, store }) }
    }

    /// The store `setting` names; S3's temporary files go under `data_dir`.
    pub fn open(setting: &StorageSetting, data_dir: &Path) -> io::Result<Self> {
        match setting {
            StorageSetting::Disk(root) => {
                std::fs::create_dir_all(root)?;
                Ok(Self::new(root))
            }
            StorageSetting::S3(s3) => {
                let bucket = s3::Bucket::open(s3)?;
                let temp_root = data_dir.join("storage-tmp");
                private::folder(&temp_root)?;
                let store = bucket.store();
                Ok(Self { inner: Arc::new(Inner { backend: Backend::S3(bucket), store, temp_root }) })
            }
        }
    }

    /// Where the files are, for messages: a folder or `s3://bucket/prefix`.
    pub fn describe(&self) -> String {
        match &self.inner.backend {
            Backend::Disk { root } => root.display().to_string(),
            Backend::S3(bucket) => bucket.url(),
        }
    }

    pub fn is_s3(&self) -> bool {
        matches!(self.inner.backend, Backend::S3(_))
    }

    /// The folder of temporary files, swept like the store.
    pub(crate) fn temp_root(&self) -> &Path {
        &self.inner.temp_root
    }

    /// A new, empty local temporary file for `workspace`, removed again
    /// unless it is put into the store.
    pub fn temp_file(&self, workspace: Uuid) -> io::Result<TempFile> {
        let dir = match &self.inner.backend {
            Backend::Disk { root } => root.join(workspace.to_string()).join(TMP),
            Backend::S3(_) => self.inner.temp_root.join(workspace.to_string()),
        };
        TempFile::create_in(&dir)
    }

    /// Puts a finished temporary file under `key` (synced and renamed on
    /// disk, uploaded to S3); the temporary file is gone afterwards.
    pub async fn put_temp(&self, mut temp: TempFile, key: &str) -> io::Result<()> {
        temp.sync()?;
        let path = temp.path().to_owned();
        self.put_file(&path, key).await?;
        temp.forget();
        Ok(())
    }

    /// Moves a local file under `key` (renamed when it can be, else copied
    /// and removed).
    pub async fn put_file(&self, local: &Path, key: &str) -> io::Result<()> {
        match &self.inner.backend {
            Backend::Disk { root } => disk::move_into(local, &root.join(key)).await,
            Backend::S3(_) => {
                s3::upload(self.inner.store.as_ref(), local, &path(key)?).await?;
                tokio::fs::remove_file(local).await.or_else(ignore_missing)
            }
        }
    }

    /// Puts a few bytes (a logo) under `key`.
    pub async fn put_bytes(&self, key: &str, bytes: Vec<u8>) -> io::Result<()> {
        let workspace = key.split('/').next().and_then(|w| Uuid::parse_str(w).ok()).unwrap_or_default();
        let temp = self.temp_file(workspace)?;
        tokio::fs::write(temp.path(), &bytes).await?;
        self.put_temp(temp, key).await
    }

    /// The object under `key`, or `None` when there is none.
    pub async fn get(&self, key: &str) -> io::Result<Option<Object>> {
        if let Backend::Disk { root } = &self.inner.backend
            && let Some(relative) = disk::plain_path(key)
            && let Some(bytes) = disk::read_small(root.join(relative), READ_WHOLE_UP_TO).await?
        {
            return Ok(Some(Object::whole(bytes)));
        }
        match self.inner.store.get(&path(key)?).await {
            // A file on disk streams in 8 KiB reads, each a trip to a
            // blocking thread: a thumbnail cost more than a whole page.
            // Small objects are read in one go instead.
            Ok(found) if found.meta.size <= READ_WHOLE_UP_TO => Ok(Some(Object::whole(found.bytes().await?))),
            Ok(found) => {
                let size = found.meta.size;
                Ok(Some(Object { size, bytes: found.into_stream().map_err(io::Error::from).boxed() }))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The whole object under `key` (for small ones: logos, resized JPEGs).
    pub async fn read(&self, key: &str) -> io::Result<Option<Vec<u8>>> {
        match self.inner.store.get(&path(key)?).await {
            Ok(found) => Ok(Some(found.bytes().await?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The size and time of the object under `key`, if there is one.
    pub async fn head(&self, key: &str) -> io::Result<Option<Listed>> {
        match self.inner.store.head(&path(key)?).await {
            Ok(meta) => Ok(Some(listed(meta))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes objects, ignoring ones already gone; failures are logged
    /// (the sweeper takes what is left).
    pub async fn delete(&self, keys: &[String]) {
        for key in keys {
            let removed = match path(key) {
                Ok(p) => self.inner.store.delete(&p).await.map_err(io::Error::from).or_else(ignore_missing),
                Err(e) => Err(e),
            };
            if let Err(e) = removed {
                tracing::warn!(key, error = %e, "could not remove a stored file");
            }
        }
    }

    /// Removes everything a workspace stored.
    pub async fn delete_workspace(&self, workspace: Uuid) -> io::Result<()> {
        if let Backend::Disk { root } = &self.inner.backend {
            let dir = root.join(workspace.to_string());
            return tokio::fs::remove_dir_all(dir).await.or_else(ignore_missing);
        }
        let _ = tokio::fs::remove_dir_all(self.inner.temp_root.join(workspace.to_string())).await;
        let prefix = path(&workspace.to_string())?;
        let locations = self.inner.store.list(Some(&prefix)).map_ok(|meta| meta.location).boxed();
        let mut deleted = self.inner.store.delete_stream(locations);
        while let Some(result) = deleted.next().await {
            result.map_err(io::Error::from).map(drop).or_else(ignore_missing)?;
        }
        Ok(())
    }

    /// Every object under `prefix` (the whole store for `None`), keys
    /// relative to the store's root.
    pub fn list(&self, prefix: Option<&str>) -> BoxStream<'static, io::Result<Listed>> {
        let prefix = match prefix.map(path).transpose() {
            Ok(prefix) => prefix,
            Err(e) => return futures_util::stream::once(async move { Err(e) }).boxed(),
        };
        self.inner.store.list(prefix.as_ref()).map_ok(listed).map_err(io::Error::from).boxed()
    }

    /// A short-lived URL that reads `key` without Easel; `None` on disk.
    pub async fn presign(&self, key: &str, lifetime: Duration) -> io::Result<Option<url::Url>> {
        match &self.inner.backend {
            Backend::Disk { .. } => Ok(None),
            Backend::S3(bucket) => bucket.presign(&path(key)?, lifetime).await.map(Some),
        }
    }

    /// Whether the store answers: a listing of one page of the root.
    pub async fn check(&self) -> Result<(), String> {
        match &self.inner.backend {
            Backend::Disk { root } => match tokio::fs::metadata(root).await {
                Ok(meta) if meta.is_dir() => Ok(()),
                _ => Err(format!("the uploads folder {} is missing", root.display())),
            },
            Backend::S3(_) => match self.inner.store.list_with_delimiter(None).await {
                Ok(_) => Ok(()),
                Err(e) => Err(format!("the object store {} does not answer: {e}", self.describe())),
            },
        }
    }
}

fn path(key: &str) -> io::Result<ObjectPath> {
    ObjectPath::parse(key).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

fn listed(meta: object_store::ObjectMeta) -> Listed {
    let modified =
        OffsetDateTime::from_unix_timestamp(meta.last_modified.timestamp()).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    Listed { key: meta.location.to_string(), size: meta.size, modified }
}

fn ignore_missing(e: io::Error) -> io::Result<()> {
    if e.kind() == io::ErrorKind::NotFound { Ok(()) } else { Err(e) }
}

/// Reads a whole local file as a payload (S3 puts of small files).
async fn payload(local: &Path) -> io::Result<PutPayload> {
    Ok(PutPayload::from(Bytes::from(tokio::fs::read(local).await?)))
}

#[cfg(test)]
mod tests;
