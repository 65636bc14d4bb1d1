//! eCPR replacement numbers: `DDMMYY` + form digit + two capital letters + sex digit.
//!
//! The national X-eCPR (form digit 1 or 7) is issued by the Danish Health Data Authority; the
//! decentral D-eCPR (form digit 0, 5 or 6) is issued by the regions. The day and month must be a
//! possible date (29 February is always accepted: the century is not encoded).

use std::fmt;

use super::cpr::Sex;
use super::{days_in_month, pair};
use crate::finding::{Finding, Severity};

/// Which kind of replacement number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EcprKind {
    /// D-eCPR, issued decentrally by a region (form digit 0, 5 or 6).
    Decentral,
    /// X-eCPR, issued by the national eCPR service (form digit 1 or 7; FHIR system
    /// `urn:oid:1.2.208.176.1.6.1.1`).
    National,
}

/// Why a value is not an eCPR number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EcprError {
    /// Not `DDMMYY` + digit + two capital letters A-Z + digit.
    Format,
    /// The form digit (seventh character) is none of 0, 1, 5, 6, 7.
    Form,
    /// `DDMM` is no possible date.
    Date,
}

impl fmt::Display for EcprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Format => "eCPR number is not six digits, a digit, two letters A-Z and a digit",
            Self::Form => "eCPR number has an unknown form digit",
            Self::Date => "eCPR number has no valid day and month",
        })
    }
}

impl std::error::Error for EcprError {}

/// A well-formed eCPR number.
///
/// # Examples
///
/// ```
/// use medcom::dk::{cpr::Sex, ecpr::{Ecpr, EcprKind}};
/// let e = Ecpr::parse("0101901AB3").unwrap();
/// assert_eq!((e.kind(), e.sex(), e.day_month()), (EcprKind::National, Sex::Male, (1, 1)));
/// assert_eq!(Ecpr::parse("0101906AB4").unwrap().kind(), EcprKind::Decentral);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ecpr {
    kind: EcprKind,
    day: u8,
    month: u8,
    sex: Sex,
}

impl Ecpr {
    /// Parses an eCPR number.
    ///
    /// # Errors
    ///
    /// [`EcprError::Format`], [`EcprError::Form`] or [`EcprError::Date`].
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::dk::ecpr::{Ecpr, EcprError};
    /// assert_eq!(Ecpr::parse("0101903AB4"), Err(EcprError::Form));
    /// ```
    pub fn parse(value: &str) -> Result<Self, EcprError> {
        let b: [u8; 10] = value.as_bytes().try_into().map_err(|_| EcprError::Format)?;
        let digit_at = |i: usize| b[i].is_ascii_digit();
        if !(b[..7].iter().all(u8::is_ascii_digit)
            && b[7].is_ascii_uppercase()
            && b[8].is_ascii_uppercase()
            && digit_at(9))
        {
            return Err(EcprError::Format);
        }
        let d = b.map(|x| x.wrapping_sub(b'0'));
        let kind = match d[6] {
            1 | 7 => EcprKind::National,
            0 | 5 | 6 => EcprKind::Decentral,
            _ => return Err(EcprError::Form),
        };
        let (day, month) = (pair(d[0], d[1]), pair(d[2], d[3]));
        // A leap year, so that 29 February passes: the century is unknown.
        if day == 0 || day > days_in_month(2000, month) {
            return Err(EcprError::Date);
        }
        Ok(Self {
            kind,
            day,
            month,
            sex: Sex::from_digit(d[9]),
        })
    }

    /// National (X-eCPR) or decentral (D-eCPR).
    #[must_use]
    pub fn kind(&self) -> EcprKind {
        self.kind
    }

    /// Day and month of the date part.
    #[must_use]
    pub fn day_month(&self) -> (u8, u8) {
        (self.day, self.month)
    }

    /// Sex from the last digit.
    #[must_use]
    pub fn sex(&self) -> Sex {
        self.sex
    }
}

/// Checks `value` as an eCPR number and reports `dk-ecpr-format` or `dk-ecpr-date` (errors) at
/// `location`; nothing when well-formed.
///
/// # Examples
///
/// ```
/// let f = medcom::dk::ecpr::findings("3102901AB3", "x");
/// assert_eq!(f[0].code(), "dk-ecpr-date");
/// ```
#[must_use]
pub fn findings(value: &str, location: &str) -> Vec<Finding> {
    let (code, message) = match Ecpr::parse(value) {
        Ok(_) => return Vec::new(),
        Err(EcprError::Date) => ("dk-ecpr-date", EcprError::Date.to_string()),
        Err(e) => ("dk-ecpr-format", e.to_string()),
    };
    vec![Finding::new(code, Severity::Error, location, message)
        .with_rule("eCPR")
        .with_value(value)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// value, expected kind or error, sex.
    #[rustfmt::skip]
    const CASES: &[(&str, Result<EcprKind, EcprError>, Sex)] = &[
        ("0101901AB3", Ok(EcprKind::National), Sex::Male),
        ("2902857ZZ2", Ok(EcprKind::National), Sex::Female),
        ("1512800QX4", Ok(EcprKind::Decentral), Sex::Female),
        ("1512805QX5", Ok(EcprKind::Decentral), Sex::Male),
        ("1512806QX5", Ok(EcprKind::Decentral), Sex::Male),
        ("1512802QX5", Err(EcprError::Form), Sex::Male),
        ("1512809QX5", Err(EcprError::Form), Sex::Male),
        ("3104801AB3", Err(EcprError::Date), Sex::Male),
        ("0013801AB3", Err(EcprError::Date), Sex::Male),
        ("3002801AB3", Err(EcprError::Date), Sex::Male),
        ("0101901ab3", Err(EcprError::Format), Sex::Male),
        ("0101901A13", Err(EcprError::Format), Sex::Male),
        ("0101901AB", Err(EcprError::Format), Sex::Male),
        ("0101901ÆB3", Err(EcprError::Format), Sex::Male),
        ("0707614285", Err(EcprError::Format), Sex::Male),
    ];

    #[test]
    fn cases() {
        for &(value, kind, sex) in CASES {
            match (Ecpr::parse(value), kind) {
                (Ok(e), Ok(k)) => assert_eq!((e.kind(), e.sex()), (k, sex), "{value}"),
                (got, want) => assert_eq!(got.map(|e| e.kind()), want, "{value}"),
            }
        }
    }
}
