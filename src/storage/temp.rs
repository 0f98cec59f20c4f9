//! Local temporary files: an upload or an extracted archive entry lands in
//! one before it is put into the store, and it disappears when dropped.

use std::{
    io::{self, Write},
    path::{Path, PathBuf},
};

use uuid::Uuid;

#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
    file: Option<std::fs::File>,
}

impl TempFile {
    /// A new, empty `<dir>/<random>.part` (0600), `dir` made when missing.
    pub fn create_in(dir: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{}.part", Uuid::new_v4()));
        let file = super::private::create_new(&path)?;
        Ok(Self { path, file: Some(file) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file_mut()?.write_all(bytes)
    }

    pub fn file_mut(&mut self) -> io::Result<&mut std::fs::File> {
        self.file.as_mut().ok_or_else(|| io::Error::other("the temporary file is closed"))
    }

    /// Flushes the bytes to disk and closes the file, before it is moved.
    pub(super) fn sync(&mut self) -> io::Result<()> {
        if let Some(file) = self.file.take() {
            file.sync_all()?;
        }
        Ok(())
    }

    /// The file now lives elsewhere (or is gone): nothing to remove on drop.
    pub(super) fn forget(mut self) {
        self.path = PathBuf::new();
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            self.file.take();
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
