//! Danish identifiers: CPR numbers, replacement numbers (eCPR), GLN location numbers, SOR codes
//! and municipality codes.
//!
//! Each module parses a value into a typed result and can turn what it found into
//! [`Finding`](crate::finding::Finding)s at a location the caller names, so the same checks serve
//! legacy OIOXML letters and FHIR resources. Messages never quote the value; it travels in
//! [`Finding::value`](crate::finding::Finding::value).
//!
//! # Examples
//!
//! ```
//! use medcom::dk::cpr;
//! let cpr = cpr::Cpr::parse("2509479989").unwrap();
//! assert!(!cpr.has_valid_modulus11()); // a MedCom test patient: valid, with a warning
//! let findings = cpr::findings("2509479989", "/Emessage/Patient/CivilRegistrationNumber");
//! assert_eq!(findings[0].code(), "dk-cpr-modulus11");
//! ```

pub mod cpr;
pub mod ecpr;
pub mod gln;
pub mod municipality;
pub mod sor;

/// A calendar date (proleptic Gregorian), as carried in a CPR or eCPR number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Year, e.g. 1947.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of month, from 1.
    pub day: u8,
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Days in a month; 0 for a month outside 1..=12.
pub(crate) fn days_in_month(year: u16, month: u8) -> u8 {
    u8::try_from(crate::calendar::days_in_month(
        i64::from(year),
        u32::from(month),
    ))
    .unwrap_or(0)
}

/// The ASCII digits of `value` when it is exactly `N` of them.
pub(crate) fn digits<const N: usize>(value: &str) -> Option<[u8; N]> {
    let bytes: [u8; N] = value.as_bytes().try_into().ok()?;
    bytes
        .iter()
        .all(u8::is_ascii_digit)
        .then(|| bytes.map(|b| b - b'0'))
}

/// Two digits as a number.
pub(crate) fn pair(a: u8, b: u8) -> u8 {
    a * 10 + b
}
