//! Where uploaded files live: `<uploads>/<workspace_id>/<folder>/<name>`.
//!
//! Every file is written to `<workspace>/tmp/` first, synced, and renamed
//! into its folder, so a crash never leaves a half-written file where a
//! reader could find it; the sweeper clears `tmp/` and any file without a
//! database row at start-up. The key layout (workspace, folder, name) is what
//! an S3-compatible store would use in place of this local disk.

pub mod private;
pub mod sweeper;

use std::{
    io::{self, Write},
    path::{Path, PathBuf},
};

use uuid::Uuid;

/// The folders of a workspace's files.
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

const TMP: &str = "tmp";

/// The name of an image's large and thumbnail JPEGs in their folders.
pub fn derived_name(image: Uuid) -> String {
    format!("{image}.jpg")
}

#[derive(Clone, Debug)]
pub struct Storage {
    root: PathBuf,
}

impl Storage {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn workspace_dir(&self, workspace: Uuid) -> PathBuf {
        self.root.join(workspace.to_string())
    }

    pub fn path(&self, workspace: Uuid, folder: Folder, name: &str) -> PathBuf {
        self.workspace_dir(workspace).join(folder.dir_name()).join(name)
    }

    /// A new, empty temporary file in the workspace's `tmp/`, removed again
    /// unless it is persisted.
    pub fn temp_file(&self, workspace: Uuid) -> io::Result<TempFile> {
        let dir = self.workspace_dir(workspace).join(TMP);
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{}.part", Uuid::new_v4()));
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
        Ok(TempFile { path, file: Some(file) })
    }

    /// Syncs `temp` and renames it to its final place (blocking; call from a
    /// blocking task).
    pub fn persist(&self, mut temp: TempFile, workspace: Uuid, folder: Folder, name: &str) -> io::Result<PathBuf> {
        let target = self.path(workspace, folder, name);
        let dir = target.parent().ok_or_else(|| io::Error::other("a stored file needs a folder"))?;
        std::fs::create_dir_all(dir)?;
        if let Some(file) = temp.file.take() {
            file.sync_all()?;
        }
        std::fs::rename(&temp.path, &target)?;
        temp.path = PathBuf::new();
        sync_dir(dir);
        Ok(target)
    }

    /// Removes stored files, ignoring ones already gone.
    pub fn remove(&self, workspace: Uuid, files: &[(Folder, String)]) {
        for (folder, name) in files {
            let path = self.path(workspace, *folder, name);
            if let Err(err) = std::fs::remove_file(&path)
                && err.kind() != io::ErrorKind::NotFound
            {
                tracing::warn!(path = %path.display(), error = %err, "could not remove a stored file");
            }
        }
    }

    /// Removes everything a workspace stored.
    pub fn remove_workspace(&self, workspace: Uuid) -> io::Result<()> {
        match std::fs::remove_dir_all(self.workspace_dir(workspace)) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
            _ => Ok(()),
        }
    }
}

/// Makes a rename durable; not every filesystem supports it, hence no error.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// A file under `tmp/` that disappears when dropped, unless persisted.
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
    file: Option<std::fs::File>,
}

impl TempFile {
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file_mut()?.write_all(bytes)
    }

    pub fn file_mut(&mut self) -> io::Result<&mut std::fs::File> {
        self.file.as_mut().ok_or_else(|| io::Error::other("the temporary file is closed"))
    }

    /// Syncs the file and renames it to `target` (same file system: the
    /// uploads folder), for keys outside the three image folders.
    pub fn persist_at(mut self, target: &Path) -> io::Result<()> {
        if let Some(file) = self.file.take() {
            file.sync_all()?;
        }
        std::fs::rename(&self.path, target)?;
        self.path = PathBuf::new();
        if let Some(dir) = target.parent() {
            sync_dir(dir);
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_temp_file_leaves_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let storage = Storage::new(dir.path());
        let ws = Uuid::now_v7();
        let mut temp = storage.temp_file(ws).expect("temp");
        temp.write_all(b"half an image").expect("write");
        let path = temp.path().to_owned();
        assert!(path.exists());
        drop(temp);
        assert!(!path.exists());
    }

    #[test]
    fn a_persisted_file_lands_in_its_folder() {
        let dir = tempfile::tempdir().expect("dir");
        let storage = Storage::new(dir.path());
        let ws = Uuid::now_v7();
        let mut temp = storage.temp_file(ws).expect("temp");
        temp.write_all(b"pixels").expect("write");
        let target = storage.persist(temp, ws, Folder::Thumbs, "a.jpg").expect("persist");
        assert_eq!(std::fs::read(&target).expect("read"), b"pixels");
        assert_eq!(target, dir.path().join(ws.to_string()).join("thumbs/a.jpg"));
        assert_eq!(std::fs::read_dir(dir.path().join(ws.to_string()).join("tmp")).expect("tmp").count(), 0);
        storage.remove(ws, &[(Folder::Thumbs, "a.jpg".into())]);
        assert!(!target.exists());
    }
}
