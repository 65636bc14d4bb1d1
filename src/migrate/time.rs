//! Danish local time: a letter's date and time carry no zone and mean the time in Denmark;
//! FHIR timestamps carry one. Denmark keeps CET (`+01:00`) and, since 1980, summer time
//! (`+02:00`): 1980 from 6 April to 28 September; 1981–1995 from the last Sunday of March to
//! the last Sunday of September; since 1996 to the last Sunday of October; the change at 01:00
//! UTC. In the hour a clock repeats in autumn, a local time is read as the earlier (summer)
//! one.

use crate::calendar::{civil_time, days_from_civil, days_in_month};

/// The last Sunday of `month` in `year`, as days since 1970-01-01.
fn last_sunday(year: i64, month: u32) -> i64 {
    let last = days_from_civil(year, month, days_in_month(year, month));
    // 1970-01-01 was a Thursday: weekday 0 = Sunday is (days + 4) mod 7.
    last - (last + 4).rem_euclid(7)
}

/// Summer time in UTC seconds, `[start, end)`, for `year`; `None` before 1980.
fn summer(year: i64) -> Option<(i64, i64)> {
    let at_one = |days: i64| days * 86_400 + 3_600;
    match year {
        ..=1979 => None,
        1980 => Some((
            at_one(days_from_civil(1980, 4, 6)),
            at_one(days_from_civil(1980, 9, 28)),
        )),
        1981..=1995 => Some((at_one(last_sunday(year, 3)), at_one(last_sunday(year, 9)))),
        _ => Some((at_one(last_sunday(year, 3)), at_one(last_sunday(year, 10)))),
    }
}

/// The offset of Danish time from UTC at `utc` (Unix seconds), in seconds.
pub(crate) fn offset_at(utc: i64) -> i64 {
    let (year, ..) = civil_time(utc);
    match summer(year) {
        Some((start, end)) if (start..end).contains(&utc) => 7_200,
        _ => 3_600,
    }
}

/// Parses `YYYY-MM-DD` and `hh:mm` (or `hh:mm:ss`) into local seconds (Unix seconds as if the
/// local time were UTC).
pub(crate) fn local_seconds(date: &str, time: &str) -> Option<i64> {
    let num = |s: &str| s.parse::<i64>().ok();
    let d = date.as_bytes();
    if d.len() != 10 || d[4] != b'-' || d[7] != b'-' {
        return None;
    }
    let (y, m, day) = (num(&date[..4])?, num(&date[5..7])?, num(&date[8..10])?);
    let m = u32::try_from(m).ok().filter(|m| (1..=12).contains(m))?;
    let day = u32::try_from(day)
        .ok()
        .filter(|&x| x >= 1 && x <= days_in_month(y, m))?;
    let mut parts = time.split(':');
    let h = num(parts.next()?)?;
    let min = num(parts.next()?)?;
    let s = parts.next().map_or(Some(0), num)?;
    if parts.next().is_some()
        || !(0..24).contains(&h)
        || !(0..60).contains(&min)
        || !(0..60).contains(&s)
    {
        return None;
    }
    Some(days_from_civil(y, m, day) * 86_400 + h * 3_600 + min * 60 + s)
}

fn offset_text(offset: i64) -> String {
    format!("+{:02}:{:02}", offset / 3_600, offset % 3_600 / 60)
}

/// A letter's date and time (Danish local time) as a FHIR dateTime with the Danish offset,
/// e.g. `2014-01-15T12:10:00+01:00`.
///
/// # Examples
///
/// ```
/// use medcom::migrate::danish_date_time;
/// assert_eq!(danish_date_time("2014-01-15", "12:10").as_deref(), Some("2014-01-15T12:10:00+01:00"));
/// assert_eq!(danish_date_time("2024-07-01", "08:00").as_deref(), Some("2024-07-01T08:00:00+02:00"));
/// assert_eq!(danish_date_time("1975-07-01", "08:00").as_deref(), Some("1975-07-01T08:00:00+01:00"));
/// assert!(danish_date_time("2024-02-30", "08:00").is_none());
/// ```
#[must_use]
pub fn danish_date_time(date: &str, time: &str) -> Option<String> {
    let local = local_seconds(date, time)?;
    // The offset of the earlier reading: try summer time first. A time the spring change skips
    // (02:00–02:59 that Sunday) has no reading; it is read as standard time, an hour later on
    // the clock (as the clocks were moved).
    let offset = if offset_at(local - 7_200) == 7_200 {
        7_200
    } else {
        3_600
    };
    let (y, mo, d, h, mi, s) = civil_time(local);
    Some(format!(
        "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{}",
        offset_text(offset)
    ))
}

/// A FHIR dateTime with a zone as Danish local date (`YYYY-MM-DD`) and time (`hh:mm`, seconds
/// dropped), as a letter writes them. A date alone gives `00:00`.
///
/// # Examples
///
/// ```
/// use medcom::migrate::danish_local;
/// assert_eq!(danish_local("2024-05-01T10:00:00Z"), Some(("2024-05-01".into(), "12:00".into())));
/// assert_eq!(danish_local("2024-12-31T23:30:00+00:00"), Some(("2025-01-01".into(), "00:30".into())));
/// assert_eq!(danish_local("2024-05-01"), Some(("2024-05-01".into(), "00:00".into())));
/// assert!(danish_local("2024-05-01T10:00:00").is_none());
/// ```
#[must_use]
pub fn danish_local(value: &str) -> Option<(String, String)> {
    if value.len() == 10 {
        local_seconds(value, "00:00")?;
        return Some((value.to_owned(), "00:00".to_owned()));
    }
    let (date, rest) = value.split_once('T')?;
    let (clock, zone) = if let Some(c) = rest.strip_suffix('Z') {
        (c, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (c, z) = rest.split_at(at);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let (h, m) = z[1..].split_once(':')?;
        (
            c,
            sign * (h.parse::<i64>().ok()? * 3_600 + m.parse::<i64>().ok()? * 60),
        )
    };
    let clock = clock.split('.').next()?;
    let utc = local_seconds(date, clock)? - zone;
    let (y, mo, d, h, mi, _) = civil_time(utc + offset_at(utc));
    Some((format!("{y:04}-{mo:02}-{d:02}"), format!("{h:02}:{mi:02}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_at_one_utc_on_the_last_sundays() {
        // 2024: 31 March and 27 October. 1990 ended on the last Sunday of September (30
        // September).
        for (date, time, fhir) in [
            ("2024-03-31", "01:59", "2024-03-31T01:59:00+01:00"),
            ("2024-03-31", "03:00", "2024-03-31T03:00:00+02:00"),
            // Skipped in spring: standard time, 03:30 on the clock.
            ("2024-03-31", "02:30", "2024-03-31T02:30:00+01:00"),
            ("2024-10-27", "02:30", "2024-10-27T02:30:00+02:00"),
            ("2024-10-27", "03:00", "2024-10-27T03:00:00+01:00"),
            ("1990-10-15", "12:00", "1990-10-15T12:00:00+01:00"),
            ("1998-10-15", "12:00", "1998-10-15T12:00:00+02:00"),
        ] {
            assert_eq!(danish_date_time(date, time).unwrap(), fhir, "{date} {time}");
        }
        assert_eq!(
            danish_local("2024-03-31T02:30:00+01:00").unwrap(),
            ("2024-03-31".to_owned(), "03:30".to_owned())
        );
    }

    #[test]
    fn local_and_back() {
        for (date, time) in [
            ("2024-03-31", "04:00"),
            ("2000-01-24", "21:30"),
            ("2069-12-31", "23:59"),
        ] {
            let fhir = danish_date_time(date, time).unwrap();
            assert_eq!(
                danish_local(&fhir).unwrap(),
                (date.to_owned(), time.to_owned())
            );
        }
    }
}
