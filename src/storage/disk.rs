//! The local-disk backend: `<root>/<key>` files, read through
//! object_store's `LocalFileSystem` and written by renaming a synced
//! temporary file into place.

use std::{
    io,
    path::{Path, PathBuf},
    sync::Arc,
};

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
