//! Lexical forms of the R4 primitive types.
//!
//! Each check follows the regular expression R4 publishes for the type (and its documented
//! ranges), written by hand so the hot path needs no regex engine. Two deliberate readings:
//! dates and dateTimes must also be real calendar dates (R4's prose says so; the regex does not),
//! and `base64Binary` accepts `/`, which R4's regex omits by mistake while its prose requires
//! RFC 4648 base64.

use super::PrimitiveKind;

/// Checks `value` against the lexical form of `kind`. The error says why, without quoting the
/// value (it may be patient data).
///
/// # Errors
///
/// A [`LexicalError`] with a short reason when the value is not of the form.
///
/// # Examples
///
/// ```
/// use medcom::model::{primitive::check, PrimitiveKind};
/// assert!(check(PrimitiveKind::Instant, "2024-02-29T10:00:00+01:00").is_ok());
/// assert!(check(PrimitiveKind::Instant, "2024-02-29T10:00:00").is_err());
/// assert!(check(PrimitiveKind::Decimal, "1.50").is_ok());
/// assert!(check(PrimitiveKind::Integer, "2147483648").is_err());
/// ```
pub fn check(kind: PrimitiveKind, value: &str) -> Result<(), LexicalError> {
    // R4: strings SHALL NOT contain characters below U+0020 other than tab, CR and LF. XML
    // cannot carry them at all, so accepting them from JSON would make a message that cannot be
    // written as XML.
    let control = |b: u8| (b < 0x20) & (b != b'\t') & (b != b'\r') & (b != b'\n');
    if value.bytes().fold(false, |acc, b| acc | control(b)) {
        return Err(LexicalError("control characters are not allowed"));
    }
    check_lexical(kind, value).map_err(LexicalError)
}

/// Why a value is not of its primitive type's lexical form (never the value itself: it may be
/// patient data).
///
/// # Examples
///
/// ```
/// use medcom::model::{primitive::check, PrimitiveKind};
/// let e = check(PrimitiveKind::Boolean, "yes").unwrap_err();
/// assert!(!e.reason().is_empty());
/// assert_eq!(e.to_string(), e.reason());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LexicalError(&'static str);

impl LexicalError {
    /// The reason, a short fixed text.
    #[must_use]
    pub fn reason(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for LexicalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for LexicalError {}

/// The index of the first byte at or below the space (whitespace or a control), or the
/// length. URLs and codes are mostly clean: rule them out a word at a time.
fn first_space_or_control(bytes: &[u8]) -> usize {
    let i = crate::words::skip_clean(bytes, 0, |x| crate::words::below(x, 0x21));
    bytes[i..]
        .iter()
        .position(|&b| b <= b' ')
        .map_or(bytes.len(), |p| i + p)
}

/// Whether `bytes` holds ASCII whitespace (space, tab, line feed, form feed, carriage return).
fn has_ascii_whitespace(bytes: &[u8]) -> bool {
    let from = first_space_or_control(bytes);
    bytes[from..].iter().any(u8::is_ascii_whitespace)
}

/// [`check`] without the control-character test, for values read from XML, where the reader
/// has already rejected every such character.
pub(crate) fn check_lexical(kind: PrimitiveKind, value: &str) -> Result<(), &'static str> {
    if value.is_empty() {
        return Err("empty value");
    }
    match kind {
        PrimitiveKind::Boolean => {
            if value == "true" || value == "false" {
                Ok(())
            } else {
                Err("expected 'true' or 'false'")
            }
        }
        PrimitiveKind::Integer => integer(value, true).map(|_| ()),
        PrimitiveKind::UnsignedInt => integer(value, false).map(|_| ()),
        PrimitiveKind::PositiveInt => {
            let v = value.strip_prefix('+').unwrap_or(value);
            match integer(v, false)? {
                0 => Err("must be at least 1"),
                _ => Ok(()),
            }
        }
        PrimitiveKind::Decimal => decimal(value),
        PrimitiveKind::Date => date_time(value, DateForm::Date),
        PrimitiveKind::DateTime => date_time(value, DateForm::DateTime),
        PrimitiveKind::Instant => date_time(value, DateForm::Instant),
        PrimitiveKind::Time => time(value.as_bytes()).and_then(|rest| {
            if rest.is_empty() {
                Ok(())
            } else {
                Err("unexpected characters after the time")
            }
        }),
        PrimitiveKind::Id => {
            if value.len() > 64 {
                Err("longer than 64 characters")
            } else if value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            {
                Ok(())
            } else {
                Err("only letters, digits, '-' and '.' are allowed")
            }
        }
        PrimitiveKind::Uri | PrimitiveKind::Url | PrimitiveKind::Canonical => {
            if has_ascii_whitespace(value.as_bytes()) {
                Err("must not contain whitespace")
            } else {
                Ok(())
            }
        }
        PrimitiveKind::Oid => oid(value),
        PrimitiveKind::Uuid => uuid(value),
        PrimitiveKind::Code if first_space_or_control(value.as_bytes()) == value.len() => Ok(()),
        PrimitiveKind::Code => {
            // `\s` in the R4 regexes is XML Schema's: space, tab, CR and LF only (so a
            // no-break space is not whitespace here).
            let space = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
            let ok = !value.bytes().next().is_some_and(space)
                && !value.bytes().last().is_some_and(space)
                && !value
                    .as_bytes()
                    .windows(2)
                    .any(|w| w[0].is_ascii_whitespace() && w[1].is_ascii_whitespace())
                && !value.contains(['\t', '\n', '\r']);
            if ok {
                Ok(())
            } else {
                Err("no leading, trailing or repeated whitespace allowed")
            }
        }
        PrimitiveKind::Base64Binary => base64(value),
        // R4: `[ \r\n\t\S]+` and `\s*(\S|\s)*`; emptiness is checked above.
        PrimitiveKind::String | PrimitiveKind::Markdown | PrimitiveKind::Xhtml => Ok(()),
    }
}

fn integer(value: &str, signed: bool) -> Result<u64, &'static str> {
    let (negative, digits) = match value.strip_prefix('-') {
        Some(d) if signed => (true, d),
        _ => (false, value),
    };
    let b = digits.as_bytes();
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return Err("expected digits");
    }
    if b.len() > 1 && b[0] == b'0' {
        return Err("leading zeros are not allowed");
    }
    if negative && digits == "0" {
        return Err("'-0' is not allowed");
    }
    let n: u64 = digits.parse().map_err(|_| "out of range")?;
    let limit = if negative { 1 << 31 } else { (1 << 31) - 1 };
    if n > limit {
        return Err("out of the 32-bit range");
    }
    Ok(n)
}

fn decimal(value: &str) -> Result<(), &'static str> {
    let b = value.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == start {
        return Err("expected digits");
    }
    if i - start > 1 && b[start] == b'0' {
        return Err("leading zeros are not allowed");
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let frac = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == frac {
            return Err("expected digits after '.'");
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp {
            return Err("expected exponent digits");
        }
    }
    if i == b.len() {
        Ok(())
    } else {
        Err("not a decimal number")
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DateForm {
    Date,
    DateTime,
    Instant,
}

fn digits<const N: usize>(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + N)?;
    s.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn days_in_month(year: u32, month: u32) -> u32 {
    crate::calendar::days_in_month(i64::from(year), month)
}

fn date_time(value: &str, form: DateForm) -> Result<(), &'static str> {
    let b = value.as_bytes();
    let year = digits::<4>(b, 0).ok_or("expected a four-digit year")?;
    if year == 0 {
        return Err("year 0000 is not allowed");
    }
    if b.len() == 4 {
        return if form == DateForm::Instant {
            Err("an instant needs date, time and timezone")
        } else {
            Ok(())
        };
    }
    if b[4] != b'-' {
        return Err("expected '-' after the year");
    }
    let month = digits::<2>(b, 5).ok_or("expected a two-digit month")?;
    if !(1..=12).contains(&month) {
        return Err("month out of range");
    }
    if b.len() == 7 {
        return if form == DateForm::Instant {
            Err("an instant needs date, time and timezone")
        } else {
            Ok(())
        };
    }
    if b[7] != b'-' {
        return Err("expected '-' after the month");
    }
    let day = digits::<2>(b, 8).ok_or("expected a two-digit day")?;
    if day == 0 || day > days_in_month(year, month) {
        return Err("day out of range for the month");
    }
    if b.len() == 10 {
        return if form == DateForm::Instant {
            Err("an instant needs a time and timezone")
        } else {
            Ok(())
        };
    }
    if form == DateForm::Date {
        return Err("unexpected characters after the date");
    }
    if b[10] != b'T' {
        return Err("expected 'T' after the date");
    }
    let rest = time(&b[11..])?;
    timezone(rest)
}

/// Parses `hh:mm:ss(.f+)?` and returns what follows.
fn time(b: &[u8]) -> Result<&[u8], &'static str> {
    let h = digits::<2>(b, 0).ok_or("expected a two-digit hour")?;
    let m = (b.get(2) == Some(&b':'))
        .then(|| digits::<2>(b, 3))
        .flatten()
        .ok_or("expected ':' and two-digit minutes")?;
    let s = (b.get(5) == Some(&b':'))
        .then(|| digits::<2>(b, 6))
        .flatten()
        .ok_or("expected ':' and two-digit seconds")?;
    if h > 23 || m > 59 || s > 60 {
        return Err("time out of range");
    }
    let mut i = 8;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err("expected digits after '.'");
        }
    }
    Ok(&b[i..])
}

fn timezone(b: &[u8]) -> Result<(), &'static str> {
    match b {
        [] => Err("a time needs a timezone ('Z' or '+hh:mm')"),
        [b'Z'] => Ok(()),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let _ = sign;
            let d = |c: &u8| c.is_ascii_digit().then(|| u32::from(c - b'0'));
            let (Some(h1), Some(h2), Some(m1), Some(m2)) = (d(h1), d(h2), d(m1), d(m2)) else {
                return Err("timezone digits expected");
            };
            let (h, m) = (h1 * 10 + h2, m1 * 10 + m2);
            if m > 59 || h > 14 || (h == 14 && m != 0) {
                Err("timezone out of range")
            } else {
                Ok(())
            }
        }
        _ => Err("timezone must be 'Z' or '+hh:mm' / '-hh:mm'"),
    }
}

fn oid(value: &str) -> Result<(), &'static str> {
    let rest = value
        .strip_prefix("urn:oid:")
        .ok_or("must start with 'urn:oid:'")?;
    let mut arcs = rest.split('.');
    match arcs.next() {
        Some("0" | "1" | "2") => {}
        _ => return Err("first arc must be 0, 1 or 2"),
    }
    let mut count = 0;
    for arc in arcs {
        count += 1;
        let b = arc.as_bytes();
        if b.is_empty() || !b.iter().all(u8::is_ascii_digit) || (b.len() > 1 && b[0] == b'0') {
            return Err("arcs must be numbers without leading zeros");
        }
    }
    if count == 0 {
        return Err("needs at least two arcs");
    }
    Ok(())
}

fn uuid(value: &str) -> Result<(), &'static str> {
    let rest = value
        .strip_prefix("urn:uuid:")
        .ok_or("must start with 'urn:uuid:'")?;
    if is_uuid(rest) {
        Ok(())
    } else {
        Err("expected 8-4-4-4-12 lower-case hex digits")
    }
}

/// Whether `s` is a UUID in 8-4-4-4-12 lower-case hex form.
#[must_use]
pub fn is_uuid(s: &str) -> bool {
    uuid_form(s, |c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// Whether `s` is a UUID in 8-4-4-4-12 hex form of either case (an id, not a URN).
pub(crate) fn is_uuid_any_case(s: &str) -> bool {
    uuid_form(s, |c| c.is_ascii_hexdigit())
}

fn uuid_form(s: &str, hex: impl Fn(u8) -> bool) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => hex(c),
        })
}

fn base64(value: &str) -> Result<(), &'static str> {
    let mut n = 0usize;
    let mut padding = 0usize;
    for c in value.bytes() {
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {}
            b'=' => padding += 1,
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' => {
                if padding > 0 {
                    return Err("data after padding");
                }
                n += 1;
            }
            _ => return Err("not a base64 character"),
        }
    }
    if padding > 2 || !(n + padding).is_multiple_of(4) {
        return Err("length is not a multiple of 4");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use PrimitiveKind as K;

    /// One line per case: kind, value, valid?
    const CASES: &[(K, &str, bool)] = &[
        (K::Boolean, "true", true),
        (K::Boolean, "True", false),
        (K::Integer, "0", true),
        (K::Integer, "-0", false),
        (K::Integer, "-2147483648", true),
        (K::Integer, "2147483647", true),
        (K::Integer, "2147483648", false),
        (K::Integer, "01", false),
        (K::Integer, "+1", false),
        (K::UnsignedInt, "-1", false),
        (K::PositiveInt, "0", false),
        (K::PositiveInt, "+5", true),
        (K::Decimal, "1.50", true),
        (K::Decimal, "-0.0", true),
        (K::Decimal, "1e-3", true),
        (K::Decimal, "1.", false),
        (K::Decimal, ".5", false),
        (K::Decimal, "00.5", false),
        (K::Date, "2024", true),
        (K::Date, "2024-02", true),
        (K::Date, "2024-02-29", true),
        (K::Date, "2023-02-29", false),
        (K::Date, "2024-13-01", false),
        (K::Date, "0000", false),
        (K::Date, "2024-02-29T10:00:00Z", false),
        (K::DateTime, "2024-02-29T10:00:00Z", true),
        (K::DateTime, "2024-02-29T10:00:00.123+14:00", true),
        (K::DateTime, "2024-02-29T10:00:00+14:30", false),
        (K::DateTime, "2024-02-29T10:00:00", false),
        (K::DateTime, "2024-02-29T10:00Z", false),
        (K::DateTime, "2024-02-29T24:00:00Z", false),
        (K::Instant, "2024-02-29", false),
        (K::Instant, "2024-02-29T10:00:00.5-05:00", true),
        (K::Time, "10:00:00", true),
        (K::Time, "10:00:00.001", true),
        (K::Time, "10:00", false),
        (K::Time, "10:00:00Z", false),
        (K::Id, "a-B.9", true),
        (K::Id, "a_b", false),
        (K::Uri, "http://x y", false),
        (K::Uri, "http://ex.org/fhir/ValueSet/x", true),
        (K::Uri, "http://ex.org/fhir/ValueSet/x\u{c}", false),
        (K::Url, "http://ex.org/fhir/\tValueSet/x", false),
        (K::Canonical, "http://ex.org/fhir/ValueSet/x|1.0 ", false),
        (K::Canonical, "http://ex.org/fhir/ValueSet/x|1.0", true),
        (K::Oid, "urn:oid:1.2.208.176.1.2", true),
        (K::Oid, "urn:oid:1", false),
        (K::Oid, "urn:oid:3.1", false),
        (K::Oid, "urn:oid:1.02", false),
        (
            K::Uuid,
            "urn:uuid:0c5a6d2e-7f3b-4b5e-9a1e-2f3a4b5c6d7e",
            true,
        ),
        (
            K::Uuid,
            "urn:uuid:0C5A6D2E-7f3b-4b5e-9a1e-2f3a4b5c6d7e",
            false,
        ),
        (K::Code, "a b", true),
        (K::Code, "urn:oid:1.2.208.176.1.2", true),
        (K::Code, "0123456789abcdef ", false),
        (K::Code, "0123456789abcdef\tx", false),
        (K::Code, "0123456789abcdef x", true),
        (K::Code, "a  b", false),
        (K::Code, " a", false),
        (K::Code, "CHEST\u{a0}", true),
        (K::Base64Binary, "aGVsbG8=", true),
        (K::Base64Binary, "ab/+", true),
        (K::Base64Binary, "aGVsbG8", false),
        (K::Base64Binary, "aGVs\nbG8=", true),
        (K::String, " ", true),
        (K::String, "x", true),
        (K::String, "a\u{1}b", false),
        (K::String, "a\tb\r\n", true),
        (K::Markdown, "", false),
    ];

    #[test]
    fn lexical_forms() {
        for &(kind, value, valid) in CASES {
            assert_eq!(check(kind, value).is_ok(), valid, "{kind:?} {value:?}");
        }
    }
}
