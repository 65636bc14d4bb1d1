//! SOR codes (Sundhedsvæsenets Organisationsregister): at least 11 digits.
//!
//! Every public SOR id seen ends in a Verhoeff check digit (they follow the SNOMED CT extension
//! id layout, namespace 1000016), but no normative text says so, so a failed Verhoeff check is a
//! warning only.

use std::fmt;

use crate::finding::{Finding, Severity};

/// Verhoeff multiplication table (dihedral group D5).
const D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

/// Verhoeff permutation table, by position modulo 8.
const P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// Why a value is not a SOR code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SorError {
    /// Not at least 11 ASCII digits.
    Format,
}

impl fmt::Display for SorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SOR code is not at least 11 digits")
    }
}

impl std::error::Error for SorError {}

/// A SOR code of at least 11 digits.
///
/// # Examples
///
/// ```
/// use medcom::dk::sor::Sor;
/// let sor = Sor::parse("8851000016006").unwrap();
/// assert!(sor.has_valid_verhoeff());
/// assert_eq!(sor.as_str(), "8851000016006");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Sor(String);

impl Sor {
    /// Parses a SOR code.
    ///
    /// # Errors
    ///
    /// [`SorError::Format`] unless at least 11 ASCII digits.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(medcom::dk::sor::Sor::parse("1234567890").is_err());
    /// ```
    pub fn parse(value: &str) -> Result<Self, SorError> {
        if value.len() >= 11 && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value.to_owned()))
        } else {
            Err(SorError::Format)
        }
    }

    /// The digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the last digit is a Verhoeff check digit over the others.
    #[must_use]
    pub fn has_valid_verhoeff(&self) -> bool {
        verhoeff(&self.0)
    }
}

/// Whether a string of ASCII digits passes the Verhoeff check (false for anything else).
///
/// # Examples
///
/// ```
/// assert!(medcom::dk::sor::verhoeff("2363"));
/// assert!(!medcom::dk::sor::verhoeff("2364"));
/// ```
#[must_use]
pub fn verhoeff(digits: &str) -> bool {
    let mut c = 0u8;
    for (i, b) in digits.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        c = D[usize::from(c)][usize::from(P[i % 8][usize::from(b - b'0')])];
    }
    !digits.is_empty() && c == 0
}

/// Checks `value` as a SOR code and reports at `location`: `dk-sor-format` (error) and
/// `dk-sor-check-digit` (warning).
///
/// # Examples
///
/// ```
/// let f = medcom::dk::sor::findings("8851000016007", "x");
/// assert_eq!(f[0].code(), "dk-sor-check-digit");
/// ```
#[must_use]
pub fn findings(value: &str, location: &str) -> Vec<Finding> {
    let (code, severity, message) = match Sor::parse(value) {
        Ok(s) if s.has_valid_verhoeff() => return Vec::new(),
        Ok(_) => (
            "dk-sor-check-digit",
            Severity::Warning,
            "SOR code fails the Verhoeff check digit",
        ),
        Err(_) => (
            "dk-sor-format",
            Severity::Error,
            "SOR code is not at least 11 digits",
        ),
    };
    vec![Finding::new(code, severity, location, message)
        .with_rule("SOR")
        .with_value(value)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// value, expected finding codes.
    #[rustfmt::skip]
    const CASES: &[(&str, &[&str])] = &[
        ("8851000016006", &[]),
        ("8851000016007", &["dk-sor-check-digit"]),
        ("12345678901", &["dk-sor-check-digit"]),
        ("1234567890", &["dk-sor-format"]),
        ("885100001600X", &["dk-sor-format"]),
        ("", &["dk-sor-format"]),
    ];

    #[test]
    fn cases() {
        for &(value, codes) in CASES {
            let got: Vec<_> = findings(value, "x").iter().map(Finding::code).collect();
            assert_eq!(got, codes, "{value}");
        }
    }
}
