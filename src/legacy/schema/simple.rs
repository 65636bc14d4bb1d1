//! Simple values: whitespace normalisation, the lexical forms of the built-in types, and the
//! facets of each restriction step.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::rules::{Builtin, Facets, Rules, SimpleType, TypeRef, WhiteSpace};

/// Longest derivation chain followed (guards against cycles in hand-made rules).
const MAX_CHAIN: usize = 64;

/// Why a simple value is not valid: a stable code and a message free of the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: &'static str,
    pub(crate) message: String,
    /// The type whose facet or lexical space refused the value.
    pub(crate) rule: String,
}

fn fail(code: &'static str, message: impl Into<String>, rule: &str) -> Failure {
    Failure {
        code,
        message: message.into(),
        rule: rule.to_owned(),
    }
}

/// The built-in at the bottom of a simple type and the chain of restriction steps above it,
/// base first.
pub(crate) fn chain(rules: &Rules, ty: TypeRef) -> (Builtin, Vec<&SimpleType>) {
    let mut steps = Vec::new();
    let mut t = ty;
    loop {
        match t {
            TypeRef::Builtin(b) => {
                steps.reverse();
                return (b, steps);
            }
            TypeRef::Simple(i) => match rules.simple.get(i as usize) {
                Some(s) if steps.len() < MAX_CHAIN => {
                    steps.push(s);
                    t = s.base;
                }
                _ => break,
            },
            TypeRef::Complex(_) => break,
        }
    }
    steps.reverse();
    (Builtin::AnySimpleType, steps)
}

/// Checks a raw value (as it stands in the document) against a simple type.
pub(crate) fn check(rules: &Rules, ty: TypeRef, raw: &str) -> Result<(), Failure> {
    let (builtin, steps) = chain(rules, ty);
    let ws = steps
        .iter()
        .rev()
        .find_map(|s| s.facets.white_space)
        .unwrap_or_else(|| default_white_space(builtin));
    let value = normalize(raw, ws);
    lexical(builtin, &value).map_err(|m| {
        let code = if is_temporal(builtin) {
            "xsd-date"
        } else {
            "xsd-datatype"
        };
        fail(code, m, &format!("xs:{}", builtin.name()))
    })?;
    for step in steps {
        facets(builtin, &step.facets, &value, &step.name)?;
    }
    Ok(())
}

/// The whitespace rule a built-in starts from.
fn default_white_space(b: Builtin) -> WhiteSpace {
    match b {
        Builtin::String | Builtin::AnySimpleType | Builtin::AnyType => WhiteSpace::Preserve,
        Builtin::NormalizedString => WhiteSpace::Replace,
        _ => WhiteSpace::Collapse,
    }
}

/// Applies a whitespace rule.
pub(crate) fn normalize(raw: &str, ws: WhiteSpace) -> Cow<'_, str> {
    let is_ws = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
    match ws {
        WhiteSpace::Preserve => Cow::Borrowed(raw),
        WhiteSpace::Replace if !raw.contains(['\t', '\n', '\r']) => Cow::Borrowed(raw),
        WhiteSpace::Replace => Cow::Owned(raw.replace(['\t', '\n', '\r'], " ")),
        WhiteSpace::Collapse => {
            let trimmed = raw.trim_matches(is_ws);
            if !trimmed.contains(['\t', '\n', '\r']) && !trimmed.contains("  ") {
                return Cow::Borrowed(trimmed);
            }
            let mut out = String::with_capacity(trimmed.len());
            for word in trimmed.split(is_ws).filter(|w| !w.is_empty()) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
            Cow::Owned(out)
        }
    }
}

fn is_temporal(b: Builtin) -> bool {
    matches!(
        b,
        Builtin::Date
            | Builtin::DateTime
            | Builtin::Time
            | Builtin::GYear
            | Builtin::GYearMonth
            | Builtin::GMonth
            | Builtin::GDay
            | Builtin::GMonthDay
            | Builtin::Duration
    )
}

fn is_integer(b: Builtin) -> bool {
    matches!(
        b,
        Builtin::Integer
            | Builtin::Long
            | Builtin::Int
            | Builtin::Short
            | Builtin::Byte
            | Builtin::NonNegativeInteger
            | Builtin::PositiveInteger
            | Builtin::NonPositiveInteger
            | Builtin::NegativeInteger
            | Builtin::UnsignedLong
            | Builtin::UnsignedInt
            | Builtin::UnsignedShort
            | Builtin::UnsignedByte
    )
}

/// Checks the lexical space of a built-in; `Err` holds the message.
fn lexical(b: Builtin, v: &str) -> Result<(), String> {
    let ok = match b {
        Builtin::AnySimpleType
        | Builtin::AnyType
        | Builtin::AnyUri
        | Builtin::String
        | Builtin::NormalizedString
        | Builtin::Token => true,
        Builtin::Boolean => matches!(v, "true" | "false" | "1" | "0"),
        Builtin::Decimal => Decimal::parse(v).is_some(),
        Builtin::Float | Builtin::Double => is_float(v),
        Builtin::Language => is_language(v),
        Builtin::Name | Builtin::NmToken => {
            !v.is_empty() && !v.contains(|c: char| c.is_whitespace())
        }
        Builtin::NcName | Builtin::Id | Builtin::IdRef => {
            !v.is_empty() && !v.contains(|c: char| c.is_whitespace() || c == ':')
        }
        Builtin::Base64Binary => base64_len(v).is_some(),
        Builtin::HexBinary => v.len().is_multiple_of(2) && v.bytes().all(|c| c.is_ascii_hexdigit()),
        Builtin::Date => date_time(v, Temporal::Date),
        Builtin::DateTime => date_time(v, Temporal::DateTime),
        Builtin::Time => date_time(v, Temporal::Time),
        Builtin::GYear => date_time(v, Temporal::GYear),
        Builtin::GYearMonth => date_time(v, Temporal::GYearMonth),
        Builtin::GMonth => date_time(v, Temporal::GMonth),
        Builtin::GDay => date_time(v, Temporal::GDay),
        Builtin::GMonthDay => date_time(v, Temporal::GMonthDay),
        Builtin::Duration => is_duration(v),
        _ if is_integer(b) => return integer(b, v),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("value is not a valid xs:{}", b.name()))
    }
}

fn integer(b: Builtin, v: &str) -> Result<(), String> {
    let bad = || format!("value is not a valid xs:{}", b.name());
    let d = Decimal::parse(v).filter(|d| d.frac.is_empty() && !v.contains('.'));
    let d = d.ok_or_else(bad)?;
    let (lo, hi): (Option<i128>, Option<i128>) = match b {
        Builtin::Long => (Some(i64::MIN.into()), Some(i64::MAX.into())),
        Builtin::Int => (Some(i32::MIN.into()), Some(i32::MAX.into())),
        Builtin::Short => (Some(i16::MIN.into()), Some(i16::MAX.into())),
        Builtin::Byte => (Some(i8::MIN.into()), Some(i8::MAX.into())),
        Builtin::UnsignedLong => (Some(0), Some(u64::MAX.into())),
        Builtin::UnsignedInt => (Some(0), Some(u32::MAX.into())),
        Builtin::UnsignedShort => (Some(0), Some(u16::MAX.into())),
        Builtin::UnsignedByte => (Some(0), Some(u8::MAX.into())),
        Builtin::NonNegativeInteger => (Some(0), None),
        Builtin::PositiveInteger => (Some(1), None),
        Builtin::NonPositiveInteger => (None, Some(0)),
        Builtin::NegativeInteger => (None, Some(-1)),
        _ => (None, None),
    };
    // 39 digits exceed every bounded range; an unbounded side needs no number.
    let n: Option<i128> = if d.int.len() > 38 {
        None
    } else {
        let magnitude: i128 = d.int.parse().unwrap_or(0);
        Some(if d.negative { -magnitude } else { magnitude })
    };
    let within = |bound: Option<i128>, below: bool| match (bound, n) {
        (None, _) => true,
        (Some(_), None) => d.negative != below,
        (Some(b), Some(n)) => {
            if below {
                n >= b
            } else {
                n <= b
            }
        }
    };
    if within(lo, true) && within(hi, false) {
        Ok(())
    } else {
        Err(format!("value is out of the range of xs:{}", b.name()))
    }
}

fn is_float(v: &str) -> bool {
    if matches!(v, "INF" | "-INF" | "NaN") {
        return true;
    }
    let (mantissa, exp) = match v.find(['e', 'E']) {
        Some(i) => (&v[..i], Some(&v[i + 1..])),
        None => (v, None),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit())
    });
    exp_ok && Decimal::parse(mantissa).is_some()
}

fn is_language(v: &str) -> bool {
    let mut parts = v.split('-');
    let first = parts.next().unwrap_or("");
    let ok = |p: &str, alpha_only: bool| {
        (1..=8).contains(&p.len())
            && p.bytes().all(|c| {
                if alpha_only {
                    c.is_ascii_alphabetic()
                } else {
                    c.is_ascii_alphanumeric()
                }
            })
    };
    ok(first, true) && parts.all(|p| ok(p, false))
}

/// The decoded length of base64 text in octets; `None` when it is not base64.
fn base64_len(v: &str) -> Option<u64> {
    let mut n = 0u64;
    let mut pad = 0u64;
    for c in v.bytes() {
        match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' if pad == 0 => n += 1,
            b'=' if pad < 2 => pad += 1,
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => return None,
        }
    }
    let total = n + pad;
    total.is_multiple_of(4).then(|| total / 4 * 3 - pad)
}

fn is_duration(v: &str) -> bool {
    let v = v.strip_prefix('-').unwrap_or(v);
    let Some(rest) = v.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut any = false;
    let mut parts = |s: &str, units: &[u8], last_fraction: bool| -> bool {
        let mut s = s.as_bytes();
        let mut allowed = units;
        while !s.is_empty() {
            let digits = s
                .iter()
                .take_while(|c| c.is_ascii_digit() || (last_fraction && **c == b'.'))
                .count();
            let Some(&unit) = s.get(digits) else {
                return false;
            };
            let Some(pos) = allowed.iter().position(|&u| u == unit) else {
                return false;
            };
            let number = &s[..digits];
            if digits == 0 || (number.contains(&b'.') && unit != b'S') {
                return false;
            }
            allowed = &allowed[pos + 1..];
            s = &s[digits + 1..];
            any = true;
        }
        true
    };
    let date_ok = parts(date, b"YMD", false);
    let time_ok = match time {
        Some(t) => !t.is_empty() && parts(t, b"HMS", true),
        None => true,
    };
    date_ok && time_ok && any
}

#[derive(Clone, Copy)]
enum Temporal {
    Date,
    DateTime,
    GDay,
    GMonth,
    GMonthDay,
    GYear,
    GYearMonth,
    Time,
}

/// A small cursor over ASCII text.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let d = self.0.get(..n)?;
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.0 = &self.0[n..];
        Some(d.iter().fold(0, |a, &c| a * 10 + u32::from(c - b'0')))
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.0.first() == Some(&c) {
            self.0 = &self.0[1..];
            true
        } else {
            false
        }
    }

    /// A year: optional `-`, four or more digits (no leading zero beyond four).
    fn year(&mut self) -> Option<u32> {
        self.eat(b'-');
        let n = self.0.iter().take_while(|c| c.is_ascii_digit()).count();
        if n < 4 || (n > 4 && self.0.first() == Some(&b'0')) || n > 9 {
            return None;
        }
        self.digits(n)
    }

    /// An optional time zone, then the end.
    fn zone_end(&mut self) -> bool {
        if self.eat(b'Z') {
            return self.0.is_empty();
        }
        if self.eat(b'+') || self.eat(b'-') {
            let ok = matches!(self.digits(2), Some(h) if h <= 14)
                && self.eat(b':')
                && matches!(self.digits(2), Some(m) if m <= 59);
            return ok && self.0.is_empty();
        }
        self.0.is_empty()
    }

    fn time(&mut self) -> bool {
        let (Some(h), true, Some(m), true, Some(s)) = (
            self.digits(2),
            self.eat(b':'),
            self.digits(2),
            self.eat(b':'),
            self.digits(2),
        ) else {
            return false;
        };
        let mut fraction_zero = true;
        if self.eat(b'.') {
            let n = self.0.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return false;
            }
            fraction_zero = self.0[..n].iter().all(|&c| c == b'0');
            self.0 = &self.0[n..];
        }
        (h < 24 && m < 60 && s < 60) || (h == 24 && m == 0 && s == 0 && fraction_zero)
    }
}

fn day_ok(year: Option<u32>, month: u32, day: u32) -> bool {
    // Without a year (gMonthDay), 29 February is allowed: 2000 is a leap year.
    let max = crate::calendar::days_in_month(year.map_or(2000, i64::from), month);
    (1..=max).contains(&day)
}

fn date_time(v: &str, kind: Temporal) -> bool {
    let mut c = Cursor(v.as_bytes());
    let date = |c: &mut Cursor<'_>| -> bool {
        let (Some(y), true, Some(m), true, Some(d)) =
            (c.year(), c.eat(b'-'), c.digits(2), c.eat(b'-'), c.digits(2))
        else {
            return false;
        };
        day_ok(Some(y), m, d)
    };
    let ok = match kind {
        Temporal::Date => date(&mut c),
        Temporal::DateTime => date(&mut c) && c.eat(b'T') && c.time(),
        Temporal::Time => c.time(),
        Temporal::GYear => c.year().is_some(),
        Temporal::GYearMonth => {
            c.year().is_some() && c.eat(b'-') && matches!(c.digits(2), Some(1..=12))
        }
        Temporal::GMonth => c.eat(b'-') && c.eat(b'-') && matches!(c.digits(2), Some(1..=12)),
        Temporal::GDay => {
            c.eat(b'-') && c.eat(b'-') && c.eat(b'-') && matches!(c.digits(2), Some(1..=31))
        }
        Temporal::GMonthDay => {
            let (true, true, Some(m), true, Some(d)) = (
                c.eat(b'-'),
                c.eat(b'-'),
                c.digits(2),
                c.eat(b'-'),
                c.digits(2),
            ) else {
                return false;
            };
            day_ok(None, m, d)
        }
    };
    ok && c.zone_end()
}

/// A decimal number split into sign, integer digits (no leading zeros) and fraction digits (no
/// trailing zeros).
#[derive(Debug, PartialEq, Eq)]
struct Decimal<'a> {
    negative: bool,
    int: &'a str,
    frac: &'a str,
}

impl<'a> Decimal<'a> {
    fn parse(v: &'a str) -> Option<Self> {
        let (negative, body) = match v.as_bytes().first() {
            Some(b'-') => (true, &v[1..]),
            Some(b'+') => (false, &v[1..]),
            _ => (false, v),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        if !int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        let zero = int.is_empty() && frac.is_empty();
        Some(Self {
            negative: negative && !zero,
            int,
            frac,
        })
    }

    fn cmp(&self, other: &Self) -> Ordering {
        let magnitude = self
            .int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(other.int))
            .then_with(|| self.frac.cmp(other.frac));
        match (self.negative, other.negative) {
            (false, false) => magnitude,
            (true, true) => magnitude.reverse(),
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
        }
    }
}

/// Compares two values of a built-in in its value space; `None` when they are not comparable
/// (or the type has no order the rules need).
fn compare(b: Builtin, a: &str, other: &str) -> Option<Ordering> {
    if b == Builtin::Decimal || is_integer(b) {
        return Some(Decimal::parse(a)?.cmp(&Decimal::parse(other)?));
    }
    if matches!(b, Builtin::Float | Builtin::Double) {
        return a
            .parse::<f64>()
            .ok()?
            .partial_cmp(&other.parse::<f64>().ok()?);
    }
    // Dates and times in the same form without zones compare as text.
    if is_temporal(b) && a.len() == other.len() {
        return Some(a.cmp(other));
    }
    None
}

/// The length a length facet measures: characters, or octets for binary types.
fn measure(b: Builtin, v: &str) -> u64 {
    match b {
        Builtin::Base64Binary => base64_len(v).unwrap_or(0),
        Builtin::HexBinary => (v.len() / 2) as u64,
        _ => v.chars().count() as u64,
    }
}

fn facets(b: Builtin, f: &Facets, v: &str, rule: &str) -> Result<(), Failure> {
    if let Some(p) = &f.pattern {
        if !p.is_match(v) {
            return Err(fail(
                "xsd-pattern",
                "value does not match the pattern",
                rule,
            ));
        }
    }
    if !f.enumeration.is_empty() {
        let numeric = b == Builtin::Decimal || is_integer(b);
        let found = f.enumeration.iter().any(|e| {
            if numeric {
                compare(b, v, e) == Some(Ordering::Equal)
            } else {
                **e == *v
            }
        });
        if !found {
            return Err(fail(
                "xsd-enumeration",
                "value is not one of the enumerated values",
                rule,
            ));
        }
    }
    let len = measure(b, v);
    if let Some(n) = f.length {
        if len != n {
            return Err(fail("xsd-length", format!("length must be {n}"), rule));
        }
    }
    if let Some(n) = f.min_length {
        if len < n {
            return Err(fail(
                "xsd-length",
                format!("length must be at least {n}"),
                rule,
            ));
        }
    }
    if let Some(n) = f.max_length {
        if len > n {
            return Err(fail(
                "xsd-length",
                format!("length must be at most {n}"),
                rule,
            ));
        }
    }
    if f.total_digits.is_some() || f.fraction_digits.is_some() {
        if let Some(d) = Decimal::parse(v) {
            let frac = d.frac.len() as u64;
            let total = d.int.len() as u64 + frac;
            if let Some(n) = f.total_digits {
                if total > n {
                    return Err(fail("xsd-digits", format!("more than {n} digits"), rule));
                }
            }
            if let Some(n) = f.fraction_digits {
                if frac > n {
                    return Err(fail(
                        "xsd-digits",
                        format!("more than {n} fraction digits"),
                        rule,
                    ));
                }
            }
        }
    }
    let bounds = [
        (
            &f.min_inclusive,
            "at least",
            [Ordering::Greater, Ordering::Equal],
        ),
        (
            &f.max_inclusive,
            "at most",
            [Ordering::Less, Ordering::Equal],
        ),
        (
            &f.min_exclusive,
            "greater than",
            [Ordering::Greater, Ordering::Greater],
        ),
        (
            &f.max_exclusive,
            "less than",
            [Ordering::Less, Ordering::Less],
        ),
    ];
    for (bound, words, allowed) in bounds {
        if let Some(bound) = bound {
            if let Some(o) = compare(b, v, bound) {
                if !allowed.contains(&o) {
                    return Err(fail(
                        "xsd-range",
                        format!("value must be {words} {bound}"),
                        rule,
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Built-in, value, valid.
    #[rustfmt::skip]
    const LEXICAL: &[(Builtin, &str, bool)] = &[
        (Builtin::Date, "2005-08-07", true),
        (Builtin::Date, "2004-02-29", true),
        (Builtin::Date, "2005-02-29", false),
        (Builtin::Date, "2005-13-01", false),
        (Builtin::Date, "2005-8-07", false),
        (Builtin::Date, "2005-08-07Z", true),
        (Builtin::Date, "2005-08-07+01:00", true),
        (Builtin::Date, "2005-08-07+15:00", false),
        (Builtin::Date, "-0044-03-15", true),
        (Builtin::Date, "02005-08-07", false),
        (Builtin::DateTime, "2025-04-01T16:19:00+01:00", true),
        (Builtin::DateTime, "2025-04-01T16:19:00.123Z", true),
        (Builtin::DateTime, "2025-04-01T24:00:00", true),
        (Builtin::DateTime, "2025-04-01T24:00:01", false),
        (Builtin::DateTime, "2025-04-01 16:19:00", false),
        (Builtin::DateTime, "2025-04-01T16:19", false),
        (Builtin::Time, "12:30:00", true),
        (Builtin::Time, "12:60:00", false),
        (Builtin::GYear, "2005", true),
        (Builtin::GYear, "05", false),
        (Builtin::GYearMonth, "2005-12", true),
        (Builtin::GMonthDay, "--02-29", true),
        (Builtin::GMonthDay, "--02-30", false),
        (Builtin::GDay, "---31", true),
        (Builtin::GMonth, "--13", false),
        (Builtin::Duration, "P1Y2M3DT4H5M6.5S", true),
        (Builtin::Duration, "PT", false),
        (Builtin::Duration, "P", false),
        (Builtin::Duration, "P1S", false),
        (Builtin::Boolean, "true", true),
        (Builtin::Boolean, "1", true),
        (Builtin::Boolean, "yes", false),
        (Builtin::Decimal, "-1.50", true),
        (Builtin::Decimal, ".5", true),
        (Builtin::Decimal, "5.", true),
        (Builtin::Decimal, ".", false),
        (Builtin::Decimal, "1e3", false),
        (Builtin::Float, "1e3", true),
        (Builtin::Float, "-INF", true),
        (Builtin::Float, "1e", false),
        (Builtin::Integer, "-0012", true),
        (Builtin::Integer, "1.0", false),
        (Builtin::Int, "2147483647", true),
        (Builtin::Int, "2147483648", false),
        (Builtin::Int, "-2147483648", true),
        (Builtin::UnsignedLong, "18446744073709551615", true),
        (Builtin::UnsignedLong, "18446744073709551616", false),
        (Builtin::UnsignedLong, "-1", false),
        (Builtin::PositiveInteger, "0", false),
        (Builtin::PositiveInteger, "123456789012345678901234567890123456789012", true),
        (Builtin::NegativeInteger, "-123456789012345678901234567890123456789012", true),
        (Builtin::NonNegativeInteger, "-0", true),
        (Builtin::Long, "99999999999999999999999999999999999999999", false),
        (Builtin::Base64Binary, "SGVsbG8=", true),
        (Builtin::Base64Binary, "SGVs bG8=", true),
        (Builtin::Base64Binary, "SGVsbG8", false),
        (Builtin::Base64Binary, "SGV=bG8=", false),
        (Builtin::HexBinary, "0aFF", true),
        (Builtin::HexBinary, "0aF", false),
        (Builtin::Language, "da-DK", true),
        (Builtin::Language, "toolonglanguage", false),
        (Builtin::NcName, "a:b", false),
    ];

    #[test]
    fn lexical_cases() {
        for &(b, v, want) in LEXICAL {
            assert_eq!(lexical(b, v).is_ok(), want, "xs:{} {v:?}", b.name());
        }
    }

    /// Raw value, rule, normalised.
    #[rustfmt::skip]
    const WHITESPACE: &[(&str, WhiteSpace, &str)] = &[
        ("  a \n b  ", WhiteSpace::Collapse, "a b"),
        ("  a \n b  ", WhiteSpace::Replace, "  a   b  "),
        ("  a \n b  ", WhiteSpace::Preserve, "  a \n b  "),
        ("a  b", WhiteSpace::Collapse, "a b"),
    ];

    #[test]
    fn whitespace_cases() {
        for &(raw, ws, want) in WHITESPACE {
            assert_eq!(normalize(raw, ws), want, "{raw:?}");
        }
    }

    fn facet_set(build: impl FnOnce(&mut Facets)) -> Facets {
        let mut f = Facets::default();
        build(&mut f);
        f
    }

    #[test]
    fn facet_cases() {
        let cases: Vec<(Builtin, Facets, &str, Option<&str>)> = vec![
            (
                Builtin::String,
                facet_set(|f| f.max_length = Some(3)),
                "æøå",
                None,
            ),
            (
                Builtin::String,
                facet_set(|f| f.max_length = Some(2)),
                "æøå",
                Some("xsd-length"),
            ),
            (
                Builtin::String,
                facet_set(|f| f.min_length = Some(1)),
                "",
                Some("xsd-length"),
            ),
            (
                Builtin::String,
                facet_set(|f| f.length = Some(2)),
                "ab",
                None,
            ),
            (
                Builtin::Decimal,
                facet_set(|f| f.total_digits = Some(3)),
                "12.30",
                None,
            ),
            (
                Builtin::Decimal,
                facet_set(|f| f.total_digits = Some(3)),
                "12.34",
                Some("xsd-digits"),
            ),
            (
                Builtin::Decimal,
                facet_set(|f| f.fraction_digits = Some(1)),
                "1.25",
                Some("xsd-digits"),
            ),
            (
                Builtin::Int,
                facet_set(|f| f.max_inclusive = Some("99".into())),
                "99",
                None,
            ),
            (
                Builtin::Int,
                facet_set(|f| f.max_inclusive = Some("99".into())),
                "100",
                Some("xsd-range"),
            ),
            (
                Builtin::Int,
                facet_set(|f| f.min_exclusive = Some("0".into())),
                "0",
                Some("xsd-range"),
            ),
            (
                Builtin::Decimal,
                facet_set(|f| f.min_inclusive = Some("-1.5".into())),
                "-1.6",
                Some("xsd-range"),
            ),
            (
                Builtin::Int,
                facet_set(|f| f.enumeration = vec!["1".into()]),
                "01",
                None,
            ),
            (
                Builtin::String,
                facet_set(|f| f.enumeration = vec!["a".into()]),
                "b",
                Some("xsd-enumeration"),
            ),
            (
                Builtin::Base64Binary,
                facet_set(|f| f.max_length = Some(4)),
                "SGVsbG8=",
                Some("xsd-length"),
            ),
        ];
        for (b, f, v, want) in cases {
            let got = facets(b, &f, v, "T").err().map(|e| e.code);
            assert_eq!(got, want, "xs:{} {v:?}", b.name());
        }
    }
}
