//! Time: stored in UTC, shown and bucketed in Europe/Stockholm.

use chrono::{DateTime, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Europe::Stockholm;

/// Answer times are kept only to the hour, so they cannot single out a respondent.
pub fn truncate_to_hour(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

/// The Stockholm calendar day an instant falls on (for per-day buckets).
pub fn stockholm_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Stockholm).date_naive()
}

/// A UTC instant shown as Stockholm local time, e.g. `2026-03-29 03:00`.
pub fn format_stockholm(t: DateTime<Utc>) -> String {
    Stockholm
        .from_utc_datetime(&t.naive_utc())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A `datetime-local` form value (`2026-03-29T14:00`) read as Stockholm time, in UTC.
/// In the autumn's repeated hour the earlier instant is taken; a time skipped in spring is
/// refused.
pub fn parse_stockholm(s: &str) -> Option<DateTime<Utc>> {
    let naive = chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").ok()?;
    Stockholm
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// An instant as a `datetime-local` value in Stockholm time.
pub fn stockholm_input(t: DateTime<Utc>) -> String {
    Stockholm
        .from_utc_datetime(&t.naive_utc())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn datetime_local_round_trips_in_stockholm() {
        let t = parse_stockholm("2026-07-01T14:00").expect("valid");
        assert_eq!(
            t,
            Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0)
                .single()
                .expect("valid")
        );
        assert_eq!(stockholm_input(t), "2026-07-01T14:00");
        assert!(
            parse_stockholm("2026-03-29T02:30").is_none(),
            "skipped in spring"
        );
        assert!(parse_stockholm("i morgon").is_none());
    }

    use super::*;

    #[test]
    fn truncates() {
        let t = Utc
            .with_ymd_and_hms(2026, 5, 1, 13, 47, 12)
            .single()
            .expect("valid");
        assert_eq!(
            truncate_to_hour(t),
            Utc.with_ymd_and_hms(2026, 5, 1, 13, 0, 0)
                .single()
                .expect("valid")
        );
    }

    #[test]
    fn stockholm_across_daylight_saving() {
        // 2026-03-29 01:30 UTC is 03:30 CEST (after the spring jump).
        let t = Utc
            .with_ymd_and_hms(2026, 3, 29, 1, 30, 0)
            .single()
            .expect("valid");
        assert_eq!(format_stockholm(t), "2026-03-29 03:30");
        // 23:30 UTC on 28 March is already 29 March in Stockholm (CET, +1).
        let t = Utc
            .with_ymd_and_hms(2026, 3, 28, 23, 30, 0)
            .single()
            .expect("valid");
        assert_eq!(
            stockholm_day(t),
            NaiveDate::from_ymd_opt(2026, 3, 29).expect("valid")
        );
        // In summer the offset is +2: 22:30 UTC on 30 June is 1 July.
        let t = Utc
            .with_ymd_and_hms(2026, 6, 30, 22, 30, 0)
            .single()
            .expect("valid");
        assert_eq!(
            stockholm_day(t),
            NaiveDate::from_ymd_opt(2026, 7, 1).expect("valid")
        );
    }
}
