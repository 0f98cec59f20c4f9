//! Writing the zip. The zip crate is blocking, so one blocking thread owns
//! the file and the async side sends it bounded chunks: memory stays flat
//! whatever the archive's size.

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::Path,
};

use futures_util::TryStreamExt;

use sha2::{Digest, Sha256};
use tokio::{sync::mpsc, task::JoinHandle};
use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

use super::{
    ArchiveError,
    manifest::{FileEntry, Manifest, file_entry},
    part_path,
};
use crate::storage::Storage;

/// Bytes gathered before a chunk goes to the writing thread.
const CHUNK: usize = 64 * 1024;

struct Written {
    bytes: u64,
    files: u64,
}

enum Op {
    Start(String),
    Data(Vec<u8>),
    /// A stored file starts (its bytes follow as `Data`, hashed).
    FileStart(String),
    FileEnd,
    Finish(Box<Manifest>),
}

pub struct Writer {
    ops: mpsc::Sender<Op>,
    thread: Option<JoinHandle<Result<Written, ArchiveError>>>,
    pending: Vec<u8>,
}

impl Writer {
    /// Starts writing `out.part`; [`Writer::finish`] renames it to `out`.
    pub fn create(out: &Path) -> Result<Self, ArchiveError> {
        let part = part_path(out);
        let file = crate::storage::private::create(&part)?;
        let (ops, rx) = mpsc::channel(8);
        let out = out.to_owned();
        let thread = tokio::task::spawn_blocking(move || {
            let result = write_all(file, rx).and_then(|written| {
                std::fs::rename(&part, &out)?;
                Ok(written)
            });
            if result.is_err() {
                let _ = std::fs::remove_file(&part);
            }
            result
        });
        Ok(Self { ops, thread: Some(thread), pending: Vec::with_capacity(CHUNK) })
    }

    pub async fn start(&mut self, name: &str) -> Result<(), ArchiveError> {
        self.flush().await?;
        self.send(Op::Start(name.to_owned())).await
    }

    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), ArchiveError> {
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= CHUNK { self.flush().await } else { Ok(()) }
    }

    /// Streams a stored object in under its key; one gone meanwhile is
    /// skipped (a backup of a live instance must not fail because someone
    /// deleted a picture).
    pub async fn stored_file(&mut self, storage: &Storage, key: String) -> Result<(), ArchiveError> {
        self.flush().await?;
        let Some(object) = storage.get(&key).await? else { return Ok(()) };
        self.send(Op::FileStart(key)).await?;
        let mut bytes = object.bytes;
        while let Some(chunk) = bytes.try_next().await? {
            self.write(&chunk).await?;
        }
        self.flush().await?;
        self.send(Op::FileEnd).await
    }

    /// Writes the manifest (the file list is filled in from what was
    /// copied), closes the zip, syncs it and renames it into place.
    pub async fn finish(mut self, manifest: Manifest) -> Result<(u64, u64), ArchiveError> {
        self.flush().await?;
        self.send(Op::Finish(Box::new(manifest))).await?;
        let thread = self.thread.take();
        drop(self);
        joined(thread).await.map(|w| (w.bytes, w.files))
    }

    async fn flush(&mut self) -> Result<(), ArchiveError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(CHUNK));
        self.send(Op::Data(chunk)).await
    }

    async fn send(&mut self, op: Op) -> Result<(), ArchiveError> {
        if self.ops.send(op).await.is_ok() {
            return Ok(());
        }
        // The thread stopped early: its error says why.
        match self.outcome().await {
            Err(err) => Err(err),
            Ok(_) => Err(ArchiveError::Io("the archive writer stopped".into())),
        }
    }

    async fn outcome(&mut self) -> Result<Written, ArchiveError> {
        joined(self.thread.take()).await
    }
}

async fn joined(thread: Option<JoinHandle<Result<Written, ArchiveError>>>) -> Result<Written, ArchiveError> {
    match thread {
        Some(thread) => thread.await.map_err(|e| ArchiveError::Io(format!("the archive writer stopped: {e}")))?,
        None => Err(ArchiveError::Io("the archive writer stopped".into())),
    }
}

fn options() -> SimpleFileOptions {
    let now = time::OffsetDateTime::now_utc();
    let stamp = zip::DateTime::try_from(time::PrimitiveDateTime::new(now.date(), now.time())).unwrap_or_default();
    SimpleFileOptions::default()
        .last_modified_time(stamp)
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(true)
        .unix_permissions(0o644)
}

fn write_all(file: File, mut ops: mpsc::Receiver<Op>) -> Result<Written, ArchiveError> {
    let zip_error = |e: zip::result::ZipError| ArchiveError::Io(format!("writing the archive: {e}"));
    let mut zip = ZipWriter::new(BufWriter::new(file));
    let mut files = Vec::new();
    let mut current: Option<(String, Sha256, u64)> = None;
    while let Some(op) = ops.blocking_recv() {
        match op {
            Op::Start(name) => zip.start_file(name, options()).map_err(zip_error)?,
            Op::Data(bytes) => {
                if let Some((_, hasher, size)) = current.as_mut() {
                    hasher.update(&bytes);
                    *size += bytes.len() as u64;
                }
                zip.write_all(&bytes)?;
            }
            Op::FileStart(key) => {
                zip.start_file(file_entry(&key), options()).map_err(zip_error)?;
                current = Some((key, Sha256::new(), 0));
            }
            Op::FileEnd => {
                if let Some((path, hasher, size)) = current.take() {
                    files.push(FileEntry { path, size, sha256: hex::encode(hasher.finalize()) });
                }
            }
            Op::Finish(mut manifest) => {
                let count = files.len() as u64;
                manifest.files = std::mem::take(&mut files);
                let json = serde_json::to_vec_pretty(&manifest).map_err(|e| ArchiveError::Io(e.to_string()))?;
                zip.start_file(super::manifest::MANIFEST, options()).map_err(zip_error)?;
                zip.write_all(&json)?;
                let mut out = zip.finish().map_err(zip_error)?;
                out.flush()?;
                let file = out.into_inner().map_err(|e| ArchiveError::Io(e.to_string()))?;
                file.sync_all()?;
                return Ok(Written { bytes: file.metadata()?.len(), files: count });
            }
        }
    }
    Err(ArchiveError::Io("the archive was abandoned before it was finished".into()))
}
