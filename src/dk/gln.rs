//! GLN/EAN location numbers (lokationsnumre): 13 digits, the last a GS1 modulus-10 check digit
//! (weights 1 and 3 from the left).
//!
//! Real MedCom test material carries numbers that fail the check digit, so a failed check is a
//! warning, never a rejection.

use std::fmt;

use super::digits;
use crate::finding::{Finding, Severity};

/// Why a value is not a GLN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GlnError {
    /// Not exactly 13 ASCII digits.
    Format,
}

impl fmt::Display for GlnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("location number is not 13 digits")
    }
}

impl std::error::Error for GlnError {}

/// A 13-digit location number.
///
/// # Examples
///
/// ```
/// use medcom::dk::gln::Gln;
/// assert!(Gln::parse("5790000121526").unwrap().has_valid_check_digit());
/// assert!(!Gln::parse("5790000123456").unwrap().has_valid_check_digit());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Gln {
    digits: [u8; 13],
}

impl Gln {
    /// Parses a location number.
    ///
    /// # Errors
    ///
    /// [`GlnError::Format`] unless 13 ASCII digits.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(medcom::dk::gln::Gln::parse("DKKMDKMDNET").is_err());
    /// ```
    pub fn parse(value: &str) -> Result<Self, GlnError> {
        digits::<13>(value)
            .map(|digits| Self { digits })
            .ok_or(GlnError::Format)
    }

    /// Whether the last digit is the modulus-10 check digit of the first twelve.
    #[must_use]
    pub fn has_valid_check_digit(&self) -> bool {
        let mut first = [0; 12];
        first.copy_from_slice(&self.digits[..12]);
        check_digit(&first) == self.digits[12]
    }
}

/// The GS1 check digit of twelve digits: weights 1, 3, 1, 3, … from the left, then
/// `(10 - sum mod 10) mod 10`.
///
/// # Examples
///
/// ```
/// assert_eq!(medcom::dk::gln::check_digit(&[5, 7, 9, 0, 0, 0, 0, 1, 2, 1, 5, 2]), 6);
/// ```
#[must_use]
pub fn check_digit(first: &[u8; 12]) -> u8 {
    let sum: u32 = first
        .iter()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    // The result is below 10, so the narrowing cannot lose anything.
    ((10 - sum % 10) % 10) as u8
}

/// Checks `value` as a location number and reports at `location`: `dk-gln-format` with
/// `format_severity` (callers pick: an error where a GLN is required, a warning where the field may
/// hold other identifiers) and `dk-gln-check-digit` (warning).
///
/// # Examples
///
/// ```
/// use medcom::{dk::gln, finding::Severity};
/// let f = gln::findings("5790000123456", "x", Severity::Error);
/// assert_eq!((f[0].code(), f[0].severity()), ("dk-gln-check-digit", Severity::Warning));
/// ```
#[must_use]
pub fn findings(value: &str, location: &str, format_severity: Severity) -> Vec<Finding> {
    let (code, severity, message) = match Gln::parse(value) {
        Ok(g) if g.has_valid_check_digit() => return Vec::new(),
        Ok(_) => (
            "dk-gln-check-digit",
            Severity::Warning,
            "location number has a wrong modulus-10 check digit",
        ),
        Err(_) => (
            "dk-gln-format",
            format_severity,
            "location number is not 13 digits",
        ),
    };
    vec![Finding::new(code, severity, location, message)
        .with_rule("GLN")
        .with_value(value)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// value, parses, check digit valid.
    #[rustfmt::skip]
    const CASES: &[(&str, bool, bool)] = &[
        ("5790000121526", true, true),
        ("5790000201389", true, true),
        ("5790001382445", true, true),
        ("5790000123456", true, false), // placeholder in MedCom material
        ("5790000120400", true, false), // converter test file
        ("5790000128700", true, false),
        ("5790000143055", true, false),
        ("570000120314", false, false), // 12 digits
        ("57900001215260", false, false),
        ("579000012152X", false, false),
        ("DKKMDKMDNET", false, false), // VANS id in a receipt
        ("", false, false),
    ];

    #[test]
    fn cases() {
        for &(value, ok, valid) in CASES {
            let got = Gln::parse(value);
            assert_eq!(got.is_ok(), ok, "{value}");
            if let Ok(g) = got {
                assert_eq!(g.has_valid_check_digit(), valid, "{value}");
            }
        }
    }
}
