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

/// The whole file at `path` if it is a file of at most `limit` bytes; `None`
/// otherwise, for the caller's general path to answer. A file the kernel
/// already holds in memory is read on the calling thread (`in_memory`); any
/// other goes in one trip to a blocking thread (open, size and read together).
pub async fn read_small(path: PathBuf, limit: u64) -> io::Result<Option<Bytes>> {
    if let Some(read) = in_memory::read(&path, limit) {
        return read;
    }
    tokio::task::spawn_blocking(move || read_small_blocking(&path, limit)).await.map_err(io::Error::other)?
}

fn read_small_blocking(path: &Path, limit: u64) -> io::Result<Option<Bytes>> {
    let Some((mut file, size)) = open_small(path, limit)? else { return Ok(None) };
    let mut bytes = Vec::with_capacity(size as usize);
    file.by_ref().take(limit).read_to_end(&mut bytes)?;
    Ok(Some(Bytes::from(bytes)))
}

/// `path` opened, with its size, when it is a file of at most `limit` bytes.
fn open_small(path: &Path, limit: u64) -> io::Result<Option<(std::fs::File, u64)>> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    Ok((meta.is_file() && meta.len() <= limit).then_some((file, meta.len())))
}

/// Reads that never wait for the disk. The trip to a blocking thread and
/// back cost a thumbnail more than the read itself (half of its profile was
/// thread switches, docs/PERFORMANCE.md), so a file whose pages are all in
/// the kernel's cache is read where the request runs: `preadv2` with
/// `RWF_NOWAIT` says "would block" instead of waiting for the disk.
#[cfg(target_os = "linux")]
mod in_memory {
    use std::{io, os::fd::AsRawFd, path::Path};

    use bytes::Bytes;

    /// The file's answer as `read_small` gives it, or `None` when reading
    /// would wait (or the kernel cannot tell): then a blocking thread reads
    /// it from the start, and reports any error.
    pub fn read(path: &Path, limit: u64) -> Option<io::Result<Option<Bytes>>> {
        let (file, size) = match super::open_small(path, limit) {
            Ok(Some(found)) => found,
            Ok(None) => return Some(Ok(None)),
            Err(_) => return None,
        };
        let mut bytes = vec![0u8; usize::try_from(size).ok()?];
        let mut done = 0;
        while done < bytes.len() {
            let rest = &mut bytes[done..];
            let part = libc::iovec { iov_base: rest.as_mut_ptr().cast(), iov_len: rest.len() };
            let offset = libc::off_t::try_from(done).ok()?;
            // SAFETY: `part` points into `bytes`, which outlives the call and
            // has `iov_len` bytes from there; the descriptor is `file`'s, open.
            let read = unsafe { libc::preadv2(file.as_raw_fd(), &part, 1, offset, libc::RWF_NOWAIT) };
            // Below 1: would block, unsupported here, or the file ended early.
            done += usize::try_from(read).ok().filter(|&n| n > 0)?;
        }
        Some(Ok(Some(Bytes::from(bytes))))
    }
}

#[cfg(not(target_os = "linux"))]
mod in_memory {
    pub fn read(_: &std::path::Path, _: u64) -> Option<std::io::Result<Option<bytes::Bytes>>> {
        None
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Both ways of reading a small file give the same answers: the bytes,
    /// or `None` for a missing file, a folder or a file over the limit.
    #[tokio::test]
    async fn a_small_file_reads_the_same_in_memory_and_on_a_blocking_thread() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("thumb.jpg");
        let bytes: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&file, &bytes).expect("write");
        let cases = [
            (file.clone(), 100_000, Some(bytes.clone())),
            (file.clone(), 69_999, None),
            (dir.path().join("missing.jpg"), 100_000, None),
            (dir.path().to_path_buf(), 100_000, None),
        ];
        for (path, limit, expected) in cases {
            let blocking = read_small_blocking(&path, limit).expect("blocking read");
            assert_eq!(blocking.as_deref(), expected.as_deref(), "{path:?} at {limit}");
            assert_eq!(read_small(path.clone(), limit).await.expect("read").as_deref(), expected.as_deref());
            if let Some(in_memory) = in_memory::read(&path, limit) {
                assert_eq!(in_memory.expect("in-memory read").as_deref(), expected.as_deref(), "{path:?}");
            }
        }
        // Just written, the file is in the kernel's cache: read where asked.
        #[cfg(target_os = "linux")]
        assert!(in_memory::read(&file, 100_000).is_some(), "a cached file is read without a blocking thread");
    }
}
