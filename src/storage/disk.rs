//! The local-disk backend: `<root>/<key>` files, read through
//! object_store's `LocalFileSystem` and written by renaming a synced
//! temporary file into place.

use std::{
    io::{self, Read},
    path::{Path, PathBuf},
    sync::Arc,
};

use bytes::Bytes;

use object_store::{ObjectStore, local::LocalFileSystem};

/// The store over `root`; a root that cannot be opened still gives a store
/// whose every call fails (and /readyz says so) rather than stopping here.
pub fn store(root: &Path) -> Arc<dyn ObjectStore> {
    let _ = std::fs::create_dir_all(root);
    match LocalFileSystem::new_with_prefix(root) {
        Ok(store) => Arc::new(store),
        Err(e) => {
            tracing::warn!(root = %root.display(), error = %e, "the uploads folder cannot be opened");
            Arc::new(object_store::memory::InMemory::new())
        }
    }
}

/// Moves `local` to `target` (a rename; across file systems a copy),
/// synced so a crash never shows a half-written file.
pub async fn move_into(local: &Path, target: &Path) -> io::Result<()> {
    let (local, target) = (local.to_owned(), target.to_owned());
    tokio::task::spawn_blocking(move || move_blocking(&local, &target)).await.map_err(io::Error::other)?
}

fn move_blocking(local: &Path, target: &Path) -> io::Result<()> {
    let dir = target.parent().ok_or_else(|| io::Error::other("a stored file needs a folder"))?;
    std::fs::create_dir_all(dir)?;
    if std::fs::rename(local, target).is_err() {
        let part = PathBuf::from(format!("{}.copying", target.display()));
        std::fs::copy(local, &part)?;
        std::fs::File::open(&part)?.sync_all()?;
        std::fs::rename(&part, target)?;
        std::fs::remove_file(local)?;
    }
    sync_dir(dir);
    Ok(())
}

/// Makes a rename durable; not every filesystem supports it, hence no error.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// The whole file at `path` if it is a file of at most `limit` bytes, read
/// in one trip to a blocking thread (open, size and read together); `None`
/// otherwise, for the caller's general path to answer.
pub async fn read_small(path: PathBuf, limit: u64) -> io::Result<Option<Bytes>> {
    tokio::task::spawn_blocking(move || {
        let mut file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        if !meta.is_file() || meta.len() > limit {
            return Ok(None);
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        file.by_ref().take(limit).read_to_end(&mut bytes)?;
        Ok(Some(Bytes::from(bytes)))
    })
    .await
    .map_err(io::Error::other)?
}

/// `key` as a relative path when it is made only of plain names (letters,
/// digits, `.`, `_`, `-`), which the store maps to the same path on disk.
pub fn plain_path(key: &str) -> Option<&Path> {
    let plain = |part: &str| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    };
    key.split('/').all(plain).then(|| Path::new(key))
}
