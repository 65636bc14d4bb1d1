//! Dates, date-times and times with partial precision: parsing, printing, comparison
//! (uncertain when precisions differ) and calendar arithmetic.

use std::cmp::Ordering;
use std::fmt;

/// How much of a date, date-time or time is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Precision {
    /// `2015`
    Year,
    /// `2015-02`
    Month,
    /// `2015-02-04`
    Day,
    /// `T14`
    Hour,
    /// `T14:34`
    Minute,
    /// `T14:34:28`
    Second,
    /// `T14:34:28.123`
    Millisecond,
}

/// A date, date-time or time value; which one is told by the [`super::Value`] variant that
/// holds it. Fields beyond the precision are zero (month and day one).
///
/// # Examples
///
/// ```
/// use medcom::fhirpath::{Precision, Temporal};
/// let t = Temporal::parse_date_time("2024-02-29T10:30+01:00").unwrap();
/// assert_eq!((t.day, t.precision, t.offset), (29, Precision::Minute, Some(60)));
/// let d = Temporal::parse_date("2024-02").unwrap();
/// assert_eq!(d.compare(&Temporal::parse_date("2024-02-01").unwrap()), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Temporal {
    /// Year (0 for a time).
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of month, from 1.
    pub day: u8,
    /// Hour, 0 to 23.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
    /// Millisecond.
    pub millis: u16,
    /// What is known.
    pub precision: Precision,
    /// Offset from UTC in minutes, when given.
    pub offset: Option<i16>,
}

const fn blank(precision: Precision) -> Temporal {
    Temporal {
        year: 0,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
        millis: 0,
        precision,
        offset: None,
    }
}

fn num(s: &str, len: usize) -> Option<u32> {
    (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Days in a month (out of range: 31, so that a day check stays the caller's).
pub(crate) fn days_in_month(year: i32, month: u8) -> u8 {
    match crate::calendar::days_in_month(i64::from(year), u32::from(month)) {
        0 => 31,
        n => u8::try_from(n).unwrap_or(31),
    }
}

/// Days since 1970-01-01 of a civil date.
fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    crate::calendar::days_from_civil(i64::from(y), u32::from(m), u32::from(d))
}

fn civil_from_days(z: i64) -> (i32, u8, u8) {
    let (y, m, d) = crate::calendar::civil_from_days(z);
    (
        i32::try_from(y).unwrap_or(i32::MAX),
        u8::try_from(m).unwrap_or(1),
        u8::try_from(d).unwrap_or(1),
    )
}

impl Temporal {
    /// Parses a date `YYYY(-MM(-DD)?)?`.
    #[must_use]
    pub fn parse_date(s: &str) -> Option<Self> {
        let mut t = blank(Precision::Year);
        let mut parts = s.splitn(3, '-');
        t.year = i32::try_from(num(parts.next()?, 4)?).ok()?;
        if let Some(m) = parts.next() {
            t.month = u8::try_from(num(m, 2)?).ok()?;
            if !(1..=12).contains(&t.month) {
                return None;
            }
            t.precision = Precision::Month;
        }
        if let Some(d) = parts.next() {
            t.day = u8::try_from(num(d, 2)?).ok()?;
            if t.day == 0 || t.day > days_in_month(t.year, t.month) {
                return None;
            }
            t.precision = Precision::Day;
        }
        Some(t)
    }

    /// Parses a time `hh(:mm(:ss(.f+)?)?)?` (no timezone).
    #[must_use]
    pub fn parse_time(s: &str) -> Option<Self> {
        let mut t = blank(Precision::Hour);
        t.fill_time(s)?;
        Some(t)
    }

    fn fill_time(&mut self, s: &str) -> Option<()> {
        let mut parts = s.splitn(3, ':');
        self.hour = u8::try_from(num(parts.next()?, 2)?).ok()?;
        self.precision = Precision::Hour;
        if let Some(m) = parts.next() {
            self.minute = u8::try_from(num(m, 2)?).ok()?;
            self.precision = Precision::Minute;
        }
        if let Some(sec) = parts.next() {
            let (whole, frac) = match sec.split_once('.') {
                Some((w, f)) => (w, Some(f)),
                None => (sec, None),
            };
            self.second = u8::try_from(num(whole, 2)?).ok()?;
            self.precision = Precision::Second;
            if let Some(f) = frac {
                if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let ms: String = f.chars().chain("00".chars()).take(3).collect();
                self.millis = ms.parse().ok()?;
                self.precision = Precision::Millisecond;
            }
        }
        (self.hour < 24 && self.minute < 60 && self.second < 60).then_some(())
    }

    /// Parses a date-time: a date, optionally `T`, a time and a timezone (`Z` or `±hh:mm`).
    /// `@2015T` (a date-time of year precision) is accepted.
    #[must_use]
    pub fn parse_date_time(s: &str) -> Option<Self> {
        let (date, rest) = match s.split_once('T') {
            Some((d, r)) => (d, Some(r)),
            None => (s, None),
        };
        let mut t = Self::parse_date(date)?;
        let Some(rest) = rest else {
            return Some(t);
        };
        if rest.is_empty() {
            return Some(t);
        }
        let (time, tz) = if let Some(r) = rest.strip_suffix('Z') {
            (r, Some(0))
        } else if let Some(i) = rest.rfind(['+', '-']) {
            let (time, tz) = rest.split_at(i);
            let sign: i16 = if tz.starts_with('-') { -1 } else { 1 };
            let (h, m) = tz[1..].split_once(':')?;
            let h = i16::try_from(num(h, 2)?).ok()?;
            let m = i16::try_from(num(m, 2)?).ok()?;
            if h > 14 || m > 59 {
                return None;
            }
            (time, Some(sign * (h * 60 + m)))
        } else {
            (rest, None)
        };
        if t.precision != Precision::Day {
            return None;
        }
        t.fill_time(time)?;
        t.offset = tz;
        Some(t)
    }

    /// Digits of precision as FHIRPath `precision()` counts them (`2015-02` has 6); `is_time`
    /// for a time (`T10:30` has 4).
    #[must_use]
    pub fn digits(&self, is_time: bool) -> u32 {
        let full = match self.precision {
            Precision::Year => 4,
            Precision::Month => 6,
            Precision::Day => 8,
            Precision::Hour => 10,
            Precision::Minute => 12,
            Precision::Second => 14,
            Precision::Millisecond => 17,
        };
        if is_time {
            full - 8
        } else {
            full
        }
    }

    /// Milliseconds since 1970-01-01T00:00 in the value's own clock (offset not applied).
    fn local_millis(&self) -> i64 {
        let days = days_from_civil(self.year, self.month, self.day);
        ((days * 24 + i64::from(self.hour)) * 60 + i64::from(self.minute)) * 60_000
            + i64::from(self.second) * 1000
            + i64::from(self.millis)
    }

    fn set_local_millis(&mut self, ms: i64) {
        let days = ms.div_euclid(86_400_000);
        let rem = ms.rem_euclid(86_400_000);
        let (y, m, d) = civil_from_days(days);
        self.year = y;
        self.month = m;
        self.day = d;
        self.hour = u8::try_from(rem / 3_600_000).unwrap_or(0);
        self.minute = u8::try_from(rem / 60_000 % 60).unwrap_or(0);
        self.second = u8::try_from(rem / 1000 % 60).unwrap_or(0);
        self.millis = u16::try_from(rem % 1000).unwrap_or(0);
    }

    /// The same instant in UTC (when an offset is known and a time is present).
    fn to_utc(self) -> Self {
        match self.offset {
            Some(off) if self.precision >= Precision::Hour && off != 0 => {
                let mut t = self;
                t.set_local_millis(self.local_millis() - i64::from(off) * 60_000);
                t.offset = Some(0);
                t
            }
            _ => self,
        }
    }

    /// Compares two values of the same kind: `None` when the answer depends on digits that
    /// one of them does not have. Seconds and milliseconds count as one precision.
    #[must_use]
    pub fn compare(&self, other: &Self) -> Option<Ordering> {
        let timed = |t: &Self| t.precision >= Precision::Hour;
        if timed(self) && timed(other) && self.offset.is_some() != other.offset.is_some() {
            // One clock is local, the other is not: the instants cannot be lined up.
            return None;
        }
        let (a, b) = (self.to_utc(), other.to_utc());
        let class = |p: Precision| p.min(Precision::Second);
        let (pa, pb) = (class(a.precision), class(b.precision));
        let common = pa.min(pb);
        let fields = |t: &Self| {
            [
                (Precision::Year, i64::from(t.year)),
                (Precision::Month, i64::from(t.month)),
                (Precision::Day, i64::from(t.day)),
                (Precision::Hour, i64::from(t.hour)),
                (Precision::Minute, i64::from(t.minute)),
                (
                    Precision::Second,
                    i64::from(t.second) * 1000 + i64::from(t.millis),
                ),
            ]
        };
        for ((p, x), (_, y)) in fields(&a).into_iter().zip(fields(&b)) {
            if p > common {
                break;
            }
            // A time has no date fields; both are zero there.
            match x.cmp(&y) {
                Ordering::Equal => {}
                o => return Some(o),
            }
        }
        (pa == pb).then_some(Ordering::Equal)
    }

    /// Adds a whole number of calendar units; `None` on overflow.
    #[must_use]
    pub(crate) fn add(&self, amount: i64, unit: CalendarUnit) -> Option<Self> {
        let mut t = *self;
        match unit {
            CalendarUnit::Year | CalendarUnit::Month => {
                let months = if unit == CalendarUnit::Year {
                    amount.checked_mul(12)?
                } else {
                    amount
                };
                let total = i64::from(t.year) * 12 + i64::from(t.month) - 1 + months;
                t.year = i32::try_from(total.div_euclid(12)).ok()?;
                t.month = u8::try_from(total.rem_euclid(12) + 1).ok()?;
                t.day = t.day.min(days_in_month(t.year, t.month));
            }
            _ => {
                let ms = match unit {
                    CalendarUnit::Week => 7 * 86_400_000,
                    CalendarUnit::Day => 86_400_000,
                    CalendarUnit::Hour => 3_600_000,
                    CalendarUnit::Minute => 60_000,
                    CalendarUnit::Second => 1000,
                    _ => 1,
                };
                let delta = amount.checked_mul(ms)?;
                t.set_local_millis(t.local_millis().checked_add(delta)?);
            }
        }
        (-9999..=9999).contains(&t.year).then_some(t)
    }

    /// The earliest (`high` false) or latest value this one may stand for, to `digits` of
    /// precision (as [`Self::digits`] counts); `None` for a precision that does not exist.
    #[must_use]
    pub(crate) fn boundary(
        &self,
        digits: u32,
        is_time: bool,
        is_date: bool,
        high: bool,
    ) -> Option<Self> {
        let digits = if is_time { digits + 8 } else { digits };
        let precision = match digits {
            4 => Precision::Year,
            6 => Precision::Month,
            8 => Precision::Day,
            10 => Precision::Hour,
            12 => Precision::Minute,
            14 => Precision::Second,
            17 => Precision::Millisecond,
            _ => return None,
        };
        if is_date && precision > Precision::Day {
            return None;
        }
        let mut t = *self;
        let p = self.precision;
        if high {
            if p < Precision::Month {
                t.month = 12;
            }
            if p < Precision::Day {
                t.day = days_in_month(t.year, t.month);
            }
            if p < Precision::Hour {
                t.hour = 23;
            }
            if p < Precision::Minute {
                t.minute = 59;
            }
            if p < Precision::Second {
                t.second = 59;
            }
            if p < Precision::Millisecond {
                t.millis = 999;
            }
        }
        if !is_date && !is_time && precision >= Precision::Hour && t.offset.is_none() {
            t.offset = Some(if high { -12 * 60 } else { 14 * 60 });
        }
        t.precision = precision;
        Some(t)
    }

    /// Writes the value as FHIRPath prints it, without `@`; `kind` says which fields exist.
    pub(crate) fn write(&self, f: &mut fmt::Formatter<'_>, kind: TemporalKind) -> fmt::Result {
        let p = self.precision;
        if kind != TemporalKind::Time {
            write!(f, "{:04}", self.year)?;
            if p >= Precision::Month {
                write!(f, "-{:02}", self.month)?;
            }
            if p >= Precision::Day {
                write!(f, "-{:02}", self.day)?;
            }
            if kind == TemporalKind::Date || p < Precision::Hour {
                return Ok(());
            }
            f.write_str("T")?;
        }
        write!(f, "{:02}", self.hour)?;
        if p >= Precision::Minute {
            write!(f, ":{:02}", self.minute)?;
        }
        if p >= Precision::Second {
            write!(f, ":{:02}", self.second)?;
        }
        if p >= Precision::Millisecond {
            write!(f, ".{:03}", self.millis)?;
        }
        if kind == TemporalKind::DateTime {
            match self.offset {
                Some(0) => f.write_str("Z")?,
                Some(o) => write!(
                    f,
                    "{}{:02}:{:02}",
                    if o < 0 { '-' } else { '+' },
                    o.abs() / 60,
                    o.abs() % 60
                )?,
                None => {}
            }
        }
        Ok(())
    }
}

/// Which of the three temporal types a [`Temporal`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TemporalKind {
    Date,
    DateTime,
    Time,
}

/// A calendar unit for date arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CalendarUnit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
}

impl CalendarUnit {
    /// The unit of a quantity usable in date arithmetic: the calendar keywords and the UCUM
    /// codes of fixed length (`a` and `mo` are not: their length varies).
    pub(crate) fn from_unit(unit: &str) -> Option<Self> {
        Some(match unit {
            "year" | "years" => Self::Year,
            "month" | "months" => Self::Month,
            "week" | "weeks" | "wk" => Self::Week,
            "day" | "days" | "d" => Self::Day,
            "hour" | "hours" | "h" => Self::Hour,
            "minute" | "minutes" | "min" => Self::Minute,
            "second" | "seconds" | "s" => Self::Second,
            "millisecond" | "milliseconds" | "ms" => Self::Millisecond,
            _ => return None,
        })
    }
}

/// The current date-time in UTC, to the millisecond.
pub(crate) fn now() -> Temporal {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0));
    let mut t = blank(Precision::Millisecond);
    t.set_local_millis(ms);
    t.offset = Some(0);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Show(Temporal, TemporalKind);
    impl fmt::Display for Show {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.write(f, self.1)
        }
    }

    #[test]
    fn parse_print_and_compare() {
        let dt = |s| Temporal::parse_date_time(s).unwrap();
        let show = |t| Show(t, TemporalKind::DateTime).to_string();
        assert_eq!(
            show(dt("2015-02-04T14:34:28.1+10:00")),
            "2015-02-04T14:34:28.100+10:00"
        );
        assert_eq!(show(dt("2015T")), "2015");
        assert!(Temporal::parse_date_time("2015-02-30").is_none());
        assert_eq!(
            dt("2017-11-05T01:30:00.0-04:00").compare(&dt("2017-11-05T00:30:00.0-05:00")),
            Some(Ordering::Equal)
        );
        assert_eq!(dt("2018-03").compare(&dt("2018-03-01")), None);
        assert_eq!(
            dt("2012-04-15T15:30:31").compare(&dt("2012-04-15T15:30:31.0")),
            Some(Ordering::Equal)
        );
        let d = Temporal::parse_date("1973-12-25").unwrap();
        let d = d.add(1, CalendarUnit::Month).unwrap();
        assert_eq!(Show(d, TemporalKind::Date).to_string(), "1974-01-25");
        let d = Temporal::parse_date("2024-01-31").unwrap();
        let d = d.add(1, CalendarUnit::Month).unwrap();
        assert_eq!(Show(d, TemporalKind::Date).to_string(), "2024-02-29");
    }
}
