//! Wall-clock time in the workspace's time zone, and back to UTC.
//!
//! Posts are stored as UTC instants (whole seconds). They are planned and
//! shown as a local date and time: 09:00 stays 09:00 across a change to or
//! from daylight-saving time, because every instant is computed from its own
//! local date.

use jiff::{
    Timestamp,
    civil::{Date, Time},
    tz::TimeZone,
};
use time::OffsetDateTime;

#[derive(Clone, Debug)]
pub struct Clock {
    zone: TimeZone,
}

impl Clock {
    /// The clock of an IANA zone; an unknown name (never stored) means UTC.
    pub fn new(zone_name: &str) -> Self {
        Self { zone: jiff::tz::db().get(zone_name).unwrap_or(TimeZone::UTC) }
    }

    pub fn today(&self) -> Date {
        Timestamp::now().to_zoned(self.zone.clone()).date()
    }

    /// The local date and time of an instant.
    /// (No `Zoned` in between: a month asks this for every post.)
    pub fn local(&self, at: OffsetDateTime) -> (Date, Time) {
        let instant = Timestamp::from_second(at.unix_timestamp()).unwrap_or(Timestamp::UNIX_EPOCH);
        let local = self.zone.to_datetime(instant);
        (local.date(), local.time())
    }

    /// The instant of a local date and time. A time skipped by a clock
    /// change (02:30 on the spring-forward night) moves forward past the gap;
    /// a time that happens twice takes the first.
    pub fn instant(&self, date: Date, time: Time) -> OffsetDateTime {
        let seconds = date
            .at(time.hour(), time.minute(), 0, 0)
            .to_zoned(self.zone.clone())
            .map(|z| z.timestamp().as_second())
            .unwrap_or_default();
        OffsetDateTime::from_unix_timestamp(seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// The instant local midnight begins `date`.
    pub fn start_of(&self, date: Date) -> OffsetDateTime {
        let seconds = self.zone.to_zoned(date.to_datetime(Time::midnight())).map(|z| z.timestamp().as_second());
        OffsetDateTime::from_unix_timestamp(seconds.unwrap_or_default()).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// `HH:MM` from a form, or `None`.
pub fn parse_time(raw: &str) -> Option<Time> {
    let (h, m) = raw.trim().split_once(':')?;
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    Time::new(h, m, 0, 0).ok()
}

/// `YYYY-MM-DD` from a form, or `None` (also for impossible dates).
pub fn parse_date(raw: &str) -> Option<Date> {
    let raw = raw.trim();
    if raw.len() != 10 {
        return None;
    }
    raw.parse().ok()
}

pub fn hhmm(time: Time) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_stay_local_across_daylight_saving() {
        let paris = Clock::new("Europe/Paris");
        let nine = parse_time("09:00").expect("time");
        let before = paris.instant(parse_date("2026-03-28").expect("date"), nine);
        let after = paris.instant(parse_date("2026-03-30").expect("date"), nine);
        assert_eq!(before.hour(), 8, "09:00 in Paris is 08:00 UTC in winter");
        assert_eq!(after.hour(), 7, "and 07:00 UTC in summer");
        assert_eq!(hhmm(paris.local(after).1), "09:00");
    }

    #[test]
    fn forms_are_parsed_strictly() {
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("2026-2-3").is_none());
        assert!(parse_time("25:00").is_none());
        assert!(parse_time("9:5").is_some());
        assert!(parse_time("nine").is_none());
    }

    #[test]
    fn a_skipped_time_moves_forward() {
        let paris = Clock::new("Europe/Paris");
        let at = paris.instant(parse_date("2026-03-29").expect("date"), parse_time("02:30").expect("time"));
        assert_eq!(hhmm(paris.local(at).1), "03:30");
    }
}
