//! The proleptic Gregorian calendar: leap years, month lengths and the day count from
//! 1970-01-01 both ways (Howard Hinnant's days-from-civil algorithms), for every date rule of
//! the crate (FHIR, FHIRPath, CPR numbers, OIOXML and EDIFACT dates, clock output).

/// Whether `year` has 29 February.
pub(crate) fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in `month` (1–12) of `year`; 0 for a month outside 1..=12.
pub(crate) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a civil date (negative before it).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = year - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(month) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month, day) `days` after 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    // 1 ≤ m ≤ 12 and 1 ≤ d ≤ 31 by construction.
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// Unix seconds as UTC (year, month, day, hour, minute, second).
pub(crate) fn civil_time(seconds: i64) -> (i64, u32, u32, u32, u32, u32) {
    let (y, m, d) = civil_from_days(seconds.div_euclid(86_400));
    let rem = u32::try_from(seconds.rem_euclid(86_400)).unwrap_or(0);
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leap_years() {
        for (year, leap) in [
            (2000, true),
            (1900, false),
            (2024, true),
            (2023, false),
            (-4, true),
        ] {
            assert_eq!(is_leap(year), leap, "{year}");
        }
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2023, 4), 30);
        assert_eq!(days_in_month(2023, 13), 0);
    }

    #[test]
    fn days_both_ways() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert!(d >= 1 && d <= days_in_month(y, m), "{days}");
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_time(951_782_400 + 3_661), (2000, 2, 29, 1, 1, 1));
    }
}
