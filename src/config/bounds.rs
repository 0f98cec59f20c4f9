//! Bounds on the work a stranger can cause: connection timeouts and cap,
//! the largest image decoded, and the size of the rate limiter's memory.

use std::time::Duration;

use super::ConfigError;

/// Limits that keep one client (or a crowd of them) from holding sockets,
/// memory or CPU without end.
#[derive(Clone, Debug)]
pub struct Bounds {
    /// A client must send a request's whole head within this time
    /// (`EASEL_HEADER_TIMEOUT_SECS`); an idle kept-alive connection closes after it too.
    pub header_timeout: Duration,
    /// The longest pause between two pieces of a request body
    /// (`EASEL_BODY_IDLE_SECS`); a slow but steady upload is never cut off.
    pub body_idle: Duration,
    /// Connections served at once (`EASEL_MAX_CONNECTIONS`); more wait to be accepted.
    pub max_connections: usize,
    /// The most pixels an image (artwork or logo) may have (`EASEL_MAX_PIXELS`).
    pub max_pixels: u64,
    /// The most keys the sign-in rate limiter remembers.
    pub limiter_keys: usize,
    /// The largest workspace archive an admin may upload to import
    /// (`EASEL_MAX_IMPORT_BYTES`); archives can be gigabytes.
    pub max_import_bytes: u64,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_idle: Duration::from_secs(60),
            max_connections: 1024,
            max_pixels: 50_000_000,
            limiter_keys: crate::web::rate_limit::DEFAULT_MAX_KEYS,
            max_import_bytes: 20 * 1024 * 1024 * 1024,
        }
    }
}

impl Bounds {
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut bounds = Self::default();
        // Read where the pools are made (`Db::connect`); checked here too so
        // a bad value stops start-up with the other variables' message.
        db_connections(get)?;
        if let Some(secs) = number(get, "EASEL_HEADER_TIMEOUT_SECS", 1, 600, "seconds")? {
            bounds.header_timeout = Duration::from_secs(secs);
        }
        if let Some(secs) = number(get, "EASEL_BODY_IDLE_SECS", 1, 3600, "seconds")? {
            bounds.body_idle = Duration::from_secs(secs);
        }
        if let Some(n) = number(get, "EASEL_MAX_CONNECTIONS", 1, 1_000_000, "connections")? {
            bounds.max_connections = n as usize;
        }
        if let Some(n) = number(get, "EASEL_MAX_PIXELS", 1_000_000, 1_000_000_000, "pixels")? {
            bounds.max_pixels = n;
        }
        if let Some(n) = number(get, "EASEL_MAX_IMPORT_BYTES", 1024 * 1024, 1 << 50, "bytes")? {
            bounds.max_import_bytes = n;
        }
        Ok(bounds)
    }
}

/// A whole number from `min` to `max`, if the variable is set.
/// `EASEL_DB_CONNECTIONS`: the connections of each database pool, when set.
pub fn db_connections(get: &impl Fn(&str) -> Option<String>) -> Result<Option<u32>, ConfigError> {
    Ok(number(get, "EASEL_DB_CONNECTIONS", 1, 1_000, "connections")?.map(|n| n as u32))
}

fn number(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    min: u64,
    max: u64,
    unit: &str,
) -> Result<Option<u64>, ConfigError> {
    let Some(value) = get(var) else { return Ok(None) };
    match value.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(ConfigError { var, why: format!("'{value}' must be a whole number of {unit} from {min} to {max}") }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let none = Bounds::from_lookup(&|_: &str| None).expect("defaults");
        assert_eq!(none.header_timeout, Duration::from_secs(10));
        assert_eq!(none.max_pixels, 50_000_000);
        let set = Bounds::from_lookup(&|k: &str| (k == "EASEL_MAX_CONNECTIONS").then(|| "8".to_owned())).expect("set");
        assert_eq!(set.max_connections, 8);
        let pool = Bounds::from_lookup(&|k: &str| (k == "EASEL_DB_CONNECTIONS").then(|| "eight".to_owned()));
        assert_eq!(pool.expect_err("not a number").var, "EASEL_DB_CONNECTIONS");
        let bad = Bounds::from_lookup(&|k: &str| (k == "EASEL_BODY_IDLE_SECS").then(|| "0".to_owned()));
        assert_eq!(bad.expect_err("zero is refused").var, "EASEL_BODY_IDLE_SECS");
        assert_eq!(none.max_import_bytes, 20 * 1024 * 1024 * 1024);
        let import = Bounds::from_lookup(&|k: &str| (k == "EASEL_MAX_IMPORT_BYTES").then(|| "5000000".to_owned()));
        assert_eq!(import.expect("set").max_import_bytes, 5_000_000);
        let tiny = Bounds::from_lookup(&|k: &str| (k == "EASEL_MAX_IMPORT_BYTES").then(|| "10".to_owned()));
        assert_eq!(tiny.expect_err("too small").var, "EASEL_MAX_IMPORT_BYTES");
    }
}
