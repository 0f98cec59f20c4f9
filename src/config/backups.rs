//! Scheduled backups: where they go (`EASEL_BACKUP_DIR`), how often
//! (`EASEL_BACKUP_EVERY`) and how many are kept (`EASEL_BACKUP_KEEP`).

use std::{path::PathBuf, time::Duration};

use super::{ConfigError, durations::parse_duration};

/// The server's backup schedule; without a folder there is none.
#[derive(Clone, Debug)]
pub struct BackupSchedule {
    /// The folder backups are written to; `None`: no scheduled backups.
    pub dir: Option<PathBuf>,
    /// The time between two successful backups.
    pub every: Duration,
    /// How many of the newest backups stay in the folder (1 or more).
    pub keep: usize,
}

impl Default for BackupSchedule {
    fn default() -> Self {
        Self { dir: None, every: Duration::from_secs(24 * 3600), keep: 7 }
    }
}

impl BackupSchedule {
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut schedule = Self { dir: get("EASEL_BACKUP_DIR").map(|d| PathBuf::from(d.trim())), ..Self::default() };
        if let Some(v) = get("EASEL_BACKUP_EVERY") {
            let every = parse_duration(&v).map_err(|why| ConfigError { var: "EASEL_BACKUP_EVERY", why })?;
            if every.is_zero() {
                return Err(ConfigError { var: "EASEL_BACKUP_EVERY", why: "must be longer than 0 seconds".into() });
            }
            schedule.every = every;
        }
        if let Some(v) = get("EASEL_BACKUP_KEEP") {
            schedule.keep = v.trim().parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| ConfigError {
                var: "EASEL_BACKUP_KEEP",
                why: format!("'{v}' must be a whole number of backups to keep, 1 or more"),
            })?;
        }
        Ok(schedule)
    }

    /// After a failed backup the next try comes sooner than a full
    /// interval, but not in a tight loop: after `min(every, 1h)`.
    pub fn retry_after(&self) -> Duration {
        self.every.min(Duration::from_secs(3600))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<BackupSchedule, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        BackupSchedule::from_lookup(&|k: &str| map.get(k).cloned())
    }

    #[test]
    fn unset_means_no_scheduled_backups_daily_keeping_seven() {
        let s = read(&[]).expect("defaults");
        assert!(s.dir.is_none());
        assert_eq!(s.every, Duration::from_secs(86_400));
        assert_eq!(s.keep, 7);
        assert_eq!(s.retry_after(), Duration::from_secs(3600));
    }

    #[test]
    fn a_folder_a_span_and_a_count_are_read() {
        let s = read(&[
            ("EASEL_BACKUP_DIR", "/var/backups/easel"),
            ("EASEL_BACKUP_EVERY", "6h"),
            ("EASEL_BACKUP_KEEP", "3"),
        ])
        .expect("config");
        assert_eq!(s.dir, Some(PathBuf::from("/var/backups/easel")));
        assert_eq!(s.every, Duration::from_secs(6 * 3600));
        assert_eq!(s.keep, 3);
        assert_eq!(read(&[("EASEL_BACKUP_EVERY", "30s")]).expect("short").retry_after(), Duration::from_secs(30));
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("EASEL_BACKUP_EVERY", "daily"),
            ("EASEL_BACKUP_EVERY", "0h"),
            ("EASEL_BACKUP_EVERY", "-1d"),
            ("EASEL_BACKUP_KEEP", "0"),
            ("EASEL_BACKUP_KEEP", "seven"),
            ("EASEL_BACKUP_KEEP", "-2"),
        ] {
            let err = read(&[(var, value)]).expect_err(value);
            assert_eq!(err.var, var);
            assert!(err.to_string().starts_with(&format!("{var}: ")), "{err}");
        }
    }
}
