//! The backup folder: file names sortable by time, the folder made private,
//! leftovers of interrupted backups removed, and only the newest kept.
//!
//! Only names of Easel's own scheme are ever touched
//! (`easel-backup-20261127T132500.123Z.zip` and its `.part`), so other files
//! an operator keeps in the folder are safe.

use std::{io, path::Path};

use time::OffsetDateTime;

const PREFIX: &str = "easel-backup-";
const SUFFIX: &str = "Z.zip";
const PART: &str = ".part";

/// The name of a backup started at `at` (UTC, to the millisecond, so two
/// backups never share a name and names sort as times do).
pub fn name_for(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{PREFIX}{:04}{:02}{:02}T{:02}{:02}{:02}.{:03}{SUFFIX}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// True for a finished backup's name of Easel's scheme.
pub fn is_backup_name(name: &str) -> bool {
    let Some(stamp) = name.strip_prefix(PREFIX).and_then(|rest| rest.strip_suffix(SUFFIX)) else {
        return false;
    };
    // 20261127T132500.123
    let b = stamp.as_bytes();
    b.len() == 19
        && b[8] == b'T'
        && b[15] == b'.'
        && b.iter().enumerate().all(|(i, c)| i == 8 || i == 15 || c.is_ascii_digit())
}

/// Creates the folder (0700) if it is missing; an existing one keeps its mode.
pub fn ensure_folder(dir: &Path) -> Result<(), String> {
    let fail = |e: io::Error| format!("The backup folder {} could not be used: {e}.", dir.display());
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(format!("The backup folder {} is a file, not a folder.", dir.display())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => crate::storage::private::folder(dir).map_err(fail),
        Err(e) => Err(fail(e)),
    }
}

/// Names in the folder, of Easel's scheme, that `keep` selects.
fn names(dir: &Path, keep: impl Fn(&str) -> bool) -> io::Result<Vec<String>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if keep(&name) && entry.file_type()?.is_file() {
            found.push(name);
        }
    }
    found.sort();
    Ok(found)
}

/// Removes `.part` files of Easel's scheme: called only while holding the
/// backup lease, when no other instance can be writing one.
pub fn remove_leftovers(dir: &Path) -> io::Result<usize> {
    let leftovers = names(dir, |n| n.strip_suffix(PART).is_some_and(is_backup_name))?;
    for name in &leftovers {
        std::fs::remove_file(dir.join(name))?;
    }
    Ok(leftovers.len())
}

/// Deletes all but the newest `keep` backups; returns the names deleted.
pub fn prune(dir: &Path, keep: usize) -> io::Result<Vec<String>> {
    let backups = names(dir, is_backup_name)?;
    let excess = backups.len().saturating_sub(keep);
    let old: Vec<String> = backups.into_iter().take(excess).collect();
    for name in &old {
        std::fs::remove_file(dir.join(name))?;
    }
    Ok(old)
}

/// The finished backups in the folder, oldest first.
pub fn list(dir: &Path) -> io::Result<Vec<String>> {
    names(dir, is_backup_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_as_times_and_are_recognised() {
        let at = time::macros::datetime!(2026-11-27 13:25:00.042 UTC);
        let name = name_for(at);
        assert_eq!(name, "easel-backup-20261127T132500.042Z.zip");
        assert!(is_backup_name(&name));
        assert!(name < name_for(at + time::Duration::milliseconds(1)));
        for other in [
            "notes.txt",
            "easel-backup-.zip",
            "easel-backup-20261127T132500Z.zip",
            "easel-backup-2026112xT132500.042Z.zip",
            "easel-backup-20261127T132500x042Z.zip",
            "easel-backup-20261127-132500.042Z.zip",
            "easel-backup-20261127T132500.042Z.zip.part",
            "my-easel-backup-20261127T132500.042Z.zip",
        ] {
            assert!(!is_backup_name(other), "{other}");
        }
    }

    #[test]
    fn pruning_and_cleaning_touch_only_easels_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let start = time::macros::datetime!(2026-11-27 00:00 UTC);
        for hour in 0..4 {
            std::fs::write(dir.path().join(name_for(start + time::Duration::hours(hour))), b"zip").expect("write");
        }
        let part = format!("{}.part", name_for(start + time::Duration::hours(5)));
        for other in ["notes.txt", "other.zip.part", part.as_str()] {
            std::fs::write(dir.path().join(other), b"x").expect("write");
        }
        assert_eq!(remove_leftovers(dir.path()).expect("clean"), 1);
        let gone = prune(dir.path(), 2).expect("prune");
        assert_eq!(gone, vec![name_for(start), name_for(start + time::Duration::hours(1))]);
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("read")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        let mut expected = vec![
            name_for(start + time::Duration::hours(2)),
            name_for(start + time::Duration::hours(3)),
            "notes.txt".to_owned(),
            "other.zip.part".to_owned(),
        ];
        expected.sort();
        assert_eq!(left, expected);
    }

    #[test]
    fn a_file_in_place_of_the_folder_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("backups");
        std::fs::write(&file, b"").expect("write");
        let why = ensure_folder(&file).expect_err("a file is no folder");
        assert!(why.contains("is a file, not a folder"), "{why}");
        let made = dir.path().join("new/backups");
        ensure_folder(&made).expect("made");
        assert!(made.is_dir());
    }
}
