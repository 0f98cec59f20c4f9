//! `EASEL_STORAGE` and its companions, read into a [`StorageSetting`]; a
//! bad value stops start-up with a message naming the variable.

use std::{path::PathBuf, time::Duration};

use crate::config::{ConfigError, durations::parse_duration};

/// Where uploads live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageSetting {
    /// A local folder (the default: `EASEL_UPLOADS_DIR`, or `uploads`).
    Disk(PathBuf),
    S3(S3Setting),
}

#[derive(Clone, PartialEq, Eq)]
pub struct S3Setting {
    pub bucket: String,
    /// Keys go under `<prefix>/` (empty: the bucket's root).
    pub prefix: String,
    /// `None`: AWS itself.
    pub endpoint: Option<url::Url>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// `https://host/bucket/key` rather than `https://bucket.host/key`.
    pub path_style: bool,
}

impl std::fmt::Debug for S3Setting {
    // Never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Setting")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint.as_ref().map(url::Url::as_str))
            .field("region", &self.region)
            .field("path_style", &self.path_style)
            .finish_non_exhaustive()
    }
}

/// Storage-related settings.
#[derive(Clone, Debug)]
pub struct StorageConfig {
    pub setting: StorageSetting,
    /// `EASEL_STORAGE_REDIRECT=1`: media answers with a presigned URL.
    pub redirect: bool,
    /// `EASEL_SWEEP_GRACE`: how old an object without a row must be before
    /// the sweeper removes it.
    pub sweep_grace: Duration,
}

impl StorageConfig {
    pub fn from_lookup(
        get: &impl Fn(&str) -> Option<String>,
        uploads_dir: &std::path::Path,
    ) -> Result<Self, ConfigError> {
        let setting = match get("EASEL_STORAGE") {
            None => StorageSetting::Disk(uploads_dir.to_owned()),
            Some(value) => StorageSetting::parse(&value, get)?,
        };
        let redirect = flag(get, "EASEL_STORAGE_REDIRECT")?;
        if redirect && !matches!(setting, StorageSetting::S3(_)) {
            return Err(ConfigError {
                var: "EASEL_STORAGE_REDIRECT",
                why: "redirects need S3 storage (EASEL_STORAGE=s3://bucket/prefix)".into(),
            });
        }
        let sweep_grace = match get("EASEL_SWEEP_GRACE") {
            None => Duration::from_secs(3600),
            Some(raw) => parse_duration(&raw).map_err(|why| ConfigError { var: "EASEL_SWEEP_GRACE", why })?,
        };
        Ok(Self { setting, redirect, sweep_grace })
    }
}

impl StorageSetting {
    /// A folder, or `s3://bucket[/prefix]` with the S3 variables from `get`.
    pub fn parse(value: &str, get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let value = value.trim();
        let Some(rest) = value.strip_prefix("s3://") else {
            if value.contains("://") {
                return Err(ConfigError {
                    var: "EASEL_STORAGE",
                    why: format!("'{value}' is neither a folder nor an s3://bucket/prefix URL"),
                });
            }
            return Ok(Self::Disk(PathBuf::from(value)));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let prefix = prefix.trim_matches('/');
        if !valid_bucket(bucket) || prefix.split('/').any(|part| part == "." || part == "..") {
            return Err(ConfigError {
                var: "EASEL_STORAGE",
                why: format!(
                    "'{value}' is not s3://bucket/prefix (a bucket is 3-63 lower-case letters, digits, dots and dashes)"
                ),
            });
        }
        let endpoint = match get("EASEL_S3_ENDPOINT") {
            None => None,
            Some(raw) => Some(
                url::Url::parse(raw.trim())
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
                    .ok_or_else(|| ConfigError {
                        var: "EASEL_S3_ENDPOINT",
                        why: format!("'{raw}' is not an http(s) URL such as https://s3.example.com"),
                    })?,
            ),
        };
        let required = |var: &'static str| {
            get(var).ok_or_else(|| ConfigError { var, why: "must be set when EASEL_STORAGE is an s3:// URL".into() })
        };
        Ok(Self::S3(S3Setting {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
            endpoint,
            region: get("EASEL_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
            access_key_id: required("AWS_ACCESS_KEY_ID")?,
            secret_access_key: required("AWS_SECRET_ACCESS_KEY")?,
            path_style: flag(get, "EASEL_S3_PATH_STYLE")?,
        }))
    }
}

fn valid_bucket(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
}

fn flag(get: &impl Fn(&str) -> Option<String>, var: &'static str) -> Result<bool, ConfigError> {
    match get(var).as_deref().map(str::trim) {
        None | Some("0") | Some("false") => Ok(false),
        Some("1") | Some("true") => Ok(true),
        Some(other) => Err(ConfigError { var, why: format!("'{other}' must be 1 or 0") }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn parse(vars: &[(&str, &str)]) -> Result<StorageConfig, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        StorageConfig::from_lookup(&|k: &str| map.get(k).cloned(), std::path::Path::new("uploads"))
    }

    #[test]
    fn the_default_is_the_uploads_folder() {
        let config = parse(&[]).expect("default");
        assert_eq!(config.setting, StorageSetting::Disk("uploads".into()));
        assert_eq!(config.sweep_grace, Duration::from_secs(3600));
    }

    #[test]
    fn an_s3_url_reads_its_companions() {
        let config = parse(&[
            ("EASEL_STORAGE", "s3://art-bucket/easel/prod/"),
            ("EASEL_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("AWS_ACCESS_KEY_ID", "key"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("EASEL_S3_PATH_STYLE", "1"),
            ("EASEL_STORAGE_REDIRECT", "1"),
        ])
        .expect("s3");
        let StorageSetting::S3(s3) = config.setting else { panic!("not s3") };
        assert_eq!(
            (s3.bucket.as_str(), s3.prefix.as_str(), s3.region.as_str()),
            ("art-bucket", "easel/prod", "us-east-1")
        );
        assert!(s3.path_style && config.redirect);
        assert!(!format!("{s3:?}").contains("secret"));
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases: [(&[(&str, &str)], &str); 6] = [
            (&[("EASEL_STORAGE", "ftp://x/y")], "EASEL_STORAGE"),
            (&[("EASEL_STORAGE", "s3://UPPER")], "EASEL_STORAGE"),
            (&[("EASEL_STORAGE", "s3://bucket")], "AWS_ACCESS_KEY_ID"),
            (
                &[
                    ("EASEL_STORAGE", "s3://bucket"),
                    ("AWS_ACCESS_KEY_ID", "k"),
                    ("AWS_SECRET_ACCESS_KEY", "s"),
                    ("EASEL_S3_ENDPOINT", "nope"),
                ],
                "EASEL_S3_ENDPOINT",
            ),
            (&[("EASEL_STORAGE_REDIRECT", "1")], "EASEL_STORAGE_REDIRECT"),
            (&[("EASEL_SWEEP_GRACE", "soon")], "EASEL_SWEEP_GRACE"),
        ];
        for (vars, var) in cases {
            assert_eq!(parse(vars).err().map(|e| e.var), Some(var), "{vars:?}");
        }
    }
}
