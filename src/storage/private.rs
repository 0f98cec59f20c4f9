//! Files at rest that only Easel's own user may read: the data folder and
//! the outbox (0700), mails, the SQLite database and the key file (0600).
//! Modes exist on Unix only; elsewhere these do nothing.

use std::{io, path::Path};

pub const FOLDER: u32 = 0o700;
pub const FILE: u32 = 0o600;

/// Creates `dir` (and its parents) if needed, and makes it 0700.
pub fn folder(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    set_mode(dir, FOLDER)
}

/// Gives an existing file or folder `mode`; one that is not there is fine,
/// and one that cannot be changed (not ours, or a file system without
/// modes) is logged rather than stopping Easel.
pub fn tighten(path: &Path, mode: u32) {
    match set_mode(path, mode) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            tracing::warn!(path = %path.display(), error = %e, "could not make this private to Easel's user");
        }
        _ => {}
    }
}

/// Writes a new file that is 0600 from its first byte (no moment where
/// another user could open it).
pub fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = create_new(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Creates a new, empty file that is 0600 from its first byte, to write into.
pub fn create_new(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE);
    }
    options.open(path)
}

/// Creates (or truncates) a file that is 0600 from its first byte, for
/// writing in pieces (archives).
pub fn create(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE);
    }
    options.open(path)
}

/// True when the file exists and its group or others may read it.
pub fn readable_by_others(file: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(file).is_ok_and(|m| m.permissions().mode() & 0o044 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        false
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(path: &Path, _mode: u32) -> io::Result<()> {
    std::fs::metadata(path).map(drop)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn folders_and_files_are_private() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data/outbox");
        folder(&data).expect("folder");
        assert_eq!(mode(&data), 0o700);
        let mail = data.join("a.eml");
        write_new(&mail, b"hello").expect("write");
        assert_eq!(mode(&mail), 0o600);
        assert!(!readable_by_others(&mail));
        std::fs::set_permissions(&mail, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(readable_by_others(&mail));
        tighten(&mail, FILE);
        assert_eq!(mode(&mail), 0o600);
        tighten(&data.join("missing"), FILE);
    }
}
