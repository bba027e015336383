//! Dates and durations as the console shows them. Times from the API are Unix seconds (or
//! milliseconds in the audit log); the console shows them in UTC, the same for every viewer and
//! every log line, and computes "in 12 days" against a `now` that is passed in (the browser's
//! clock in the app, a fixed value in tests).

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) → days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2026-11-25`.
pub fn date(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

/// `2026-11-25 14:03 UTC`.
pub fn date_time(secs: i64) -> String {
    let minutes = secs.rem_euclid(DAY) / 60;
    format!("{} {:02}:{:02} UTC", date(secs), minutes / 60, minutes % 60)
}

/// `2026-11-25 14:03:07.123 UTC`, for the audit log.
pub fn date_time_ms(ms: i64) -> String {
    format!("{}.{:03} UTC", date_time_seconds(ms), ms.rem_euclid(1000))
}

/// `2026-11-25 14:03:07` from Unix milliseconds, for tables whose header says "UTC".
pub fn date_time_seconds(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let within = secs.rem_euclid(DAY);
    format!(
        "{} {:02}:{:02}:{:02}",
        date(secs),
        within / 3600,
        within / 60 % 60,
        within % 60
    )
}

/// Reads an `<input type="date">` value (`YYYY-MM-DD`) as the Unix second the day starts (UTC).
pub fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1970..=9999).contains(&y) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    // Reject 2026-02-31 and friends: the round trip must give the same date back.
    (civil_from_days(days) == (y, m, d)).then_some(days * DAY)
}

/// Whole days from `now` to `then`, rounded towards zero (negative: in the past).
pub fn days_between(now: i64, then: i64) -> i64 {
    (then - now) / DAY
}

/// A duration in microseconds as people read it: `850 µs`, `12.4 ms`, `1.20 s`.
pub fn duration_us(us: i64) -> String {
    // Integer arithmetic, rounded half up: float formatting would add its tables to the wasm.
    if us < 1000 {
        format!("{us} µs")
    } else if us < 1_000_000 {
        let tenths = (us + 50) / 100;
        format!("{}.{} ms", tenths / 10, tenths % 10)
    } else {
        let hundredths = (us + 5000) / 10_000;
        format!("{}.{:02} s", hundredths / 100, hundredths % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(date_time(0), "1970-01-01 00:00 UTC");
        // 2026-11-25 14:03:07 UTC
        assert_eq!(date_time(1_795_615_387), "2026-11-25 14:03 UTC");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(
            date_time_ms(1_795_615_387_123),
            "2026-11-25 14:03:07.123 UTC"
        );
        assert_eq!(date_time(-1), "1969-12-31 23:59 UTC");
        assert_eq!(date_time_seconds(1_795_615_387_999), "2026-11-25 14:03:07");
    }

    #[test]
    fn date_inputs_round_trip_and_nonsense_is_refused() {
        assert_eq!(parse_date("2026-11-25"), Some(1_795_564_800));
        assert_eq!(date(parse_date("2024-02-29").unwrap()), "2024-02-29");
        for bad in [
            "",
            "2026-02-30",
            "2026-13-01",
            "25/11/2026",
            "2026-11",
            "x-y-z",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_and_durations() {
        assert_eq!(days_between(0, 3 * DAY + 5), 3);
        assert_eq!(days_between(3 * DAY, 0), -3);
        assert_eq!(days_between(0, DAY - 1), 0);
        assert_eq!(duration_us(850), "850 µs");
        assert_eq!(duration_us(12_400), "12.4 ms");
        assert_eq!(duration_us(1_200_000), "1.20 s");
        assert_eq!(duration_us(22_849), "22.8 ms");
        assert_eq!(duration_us(999_960), "1000.0 ms");
        assert_eq!(duration_us(61_234_567), "61.23 s");
    }
}
