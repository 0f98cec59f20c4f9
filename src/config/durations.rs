//! Spans of time as operators write them: `30s`, `15m`, `24h`, `14d`, `2w`
//! (a bare number is seconds).

use std::time::Duration;

use super::ConfigError;

/// Parses one span; the error says what was expected.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let expected = || format!("expected a span such as 30s, 15m, 24h, 14d or 2w, not {text:?}");
    let number: u64 = number.parse().map_err(|_| expected())?;
    let seconds = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(expected()),
    };
    number.checked_mul(seconds).map(Duration::from_secs).ok_or_else(expected)
}

/// The longest grace period: ten years, far beyond any need, and safely
/// inside what a timestamp can hold.
const MAX_DELETE_GRACE: Duration = Duration::from_secs(3650 * 86_400);

/// `EASEL_WORK_LEASE`: 60 s unless set; from 1 s to 1 h.
pub fn work_lease(raw: Option<String>) -> Result<Duration, ConfigError> {
    let Some(raw) = raw else { return Ok(Duration::from_secs(60)) };
    let why = |why: String| ConfigError { var: "EASEL_WORK_LEASE", why };
    let lease = parse_duration(&raw).map_err(why)?;
    if !(Duration::from_secs(1)..=Duration::from_secs(3600)).contains(&lease) {
        return Err(why(format!("'{raw}' must be from 1s to 1h")));
    }
    Ok(lease)
}

/// `EASEL_DELETE_GRACE`: 14 days unless set; `0s` purges at the next sweep.
pub fn delete_grace(raw: Option<String>) -> Result<Duration, ConfigError> {
    let Some(raw) = raw else { return Ok(Duration::from_secs(14 * 86_400)) };
    let why = |why: String| ConfigError { var: "EASEL_DELETE_GRACE", why };
    let grace = parse_duration(&raw).map_err(why)?;
    if grace > MAX_DELETE_GRACE {
        return Err(why(format!("'{raw}' is longer than the most allowed, 3650d")));
    }
    Ok(grace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_in_every_unit() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration(" 24h "), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("14d"), Ok(Duration::from_secs(14 * 86_400)));
        assert_eq!(parse_duration("2w"), Ok(Duration::from_secs(14 * 86_400)));
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in ["", "h", "1.5h", "-3d", "3 days", "99999999999999999999w"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
