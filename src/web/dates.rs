//! One way to write a date across Easel: "Tue 1 Dec 2026" (with "09:30"
//! after it when the time matters).

use jiff::civil::{Date, Time};
use time::OffsetDateTime;

/// "Tue 1 Dec 2026".
pub fn day(date: Date) -> String {
    date.strftime("%a %-d %b %Y").to_string()
}

/// "Tue 1 Dec 2026 09:30".
pub fn day_and_time(date: Date, time: Time) -> String {
    format!("{} {}", day(date), time.strftime("%H:%M"))
}

/// A moment in UTC, for pages about several workspaces (or none):
/// "Tue 1 Dec 2026 09:30 UTC".
pub fn moment_utc(at: OffsetDateTime) -> String {
    let (y, m, d) = (at.year(), at.month() as i8, at.day() as i8);
    let Ok(date) = Date::new(y as i16, m, d) else {
        return at.date().to_string();
    };
    let time = Time::new(at.hour() as i8, at.minute() as i8, 0, 0).unwrap_or_default();
    format!("{} UTC", day_and_time(date, time))
}

/// The day of a moment in UTC: "Tue 1 Dec 2026".
pub fn day_utc(at: OffsetDateTime) -> String {
    match Date::new(at.year() as i16, at.month() as i8, at.day() as i8) {
        Ok(date) => day(date),
        Err(_) => at.date().to_string(),
    }
}

/// [`day_utc`] of a borrowed moment, as templates hold them.
pub fn day_of(at: &OffsetDateTime) -> String {
    day_utc(*at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_the_same_everywhere() {
        let date = Date::new(2026, 12, 1).unwrap();
        assert_eq!(day(date), "Tue 1 Dec 2026");
        assert_eq!(day_and_time(date, Time::new(9, 5, 0, 0).unwrap()), "Tue 1 Dec 2026 09:05");
        let at = time::macros::datetime!(2026-12-01 18:30 UTC);
        assert_eq!(moment_utc(at), "Tue 1 Dec 2026 18:30 UTC");
        assert_eq!(day_utc(at), "Tue 1 Dec 2026");
    }
}
