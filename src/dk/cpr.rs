//! CPR numbers (personnumre): `DDMMYYSSSS`.
//!
//! The birth date must exist once the century is known from the seventh digit; the tenth digit
//! gives the sex. The modulus-11 check held for every number issued before 1 October 2007 and is
//! not required since, so failing it is a warning only (MedCom's own test patients fail it).
//! `0000000000` is the OIO placeholder for an unknown number.

use std::fmt;

use super::{days_in_month, digits, pair, Date};
use crate::finding::{Finding, Severity};

/// Weights of the modulus-11 check, digit by digit.
const WEIGHTS: [u8; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];

/// Sex as encoded in the last digit of a CPR or eCPR number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    /// Even last digit.
    Female,
    /// Odd last digit.
    Male,
}

impl Sex {
    /// The sex that a last digit encodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::dk::cpr::Sex;
    /// assert_eq!(Sex::from_digit(7), Sex::Male);
    /// ```
    #[must_use]
    pub fn from_digit(digit: u8) -> Self {
        if digit % 2 == 1 {
            Self::Male
        } else {
            Self::Female
        }
    }
}

/// Why a value is not a CPR number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CprError {
    /// Not exactly ten ASCII digits.
    Format,
    /// Ten digits, but `DDMMYY` is no date in the century that the seventh digit selects.
    Date,
}

impl fmt::Display for CprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Format => "CPR number is not ten digits",
            Self::Date => "CPR number has no valid birth date",
        })
    }
}

impl std::error::Error for CprError {}

/// A CPR number that has ten digits and a real birth date (or is the `0000000000` placeholder).
///
/// # Examples
///
/// ```
/// use medcom::dk::{cpr::{Cpr, Sex}, Date};
/// let cpr = Cpr::parse("0707614285").unwrap();
/// assert_eq!(cpr.birth_date(), Some(Date { year: 1961, month: 7, day: 7 }));
/// assert_eq!(cpr.sex(), Some(Sex::Male));
/// assert!(cpr.has_valid_modulus11());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cpr {
    digits: [u8; 10],
    birth_date: Option<Date>,
}

impl Cpr {
    /// Parses a CPR number.
    ///
    /// # Errors
    ///
    /// [`CprError::Format`] unless ten ASCII digits, [`CprError::Date`] when the date does not
    /// exist.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::dk::cpr::{Cpr, CprError};
    /// assert_eq!(Cpr::parse("3102451234"), Err(CprError::Date));
    /// assert!(Cpr::parse("0000000000").unwrap().is_unknown());
    /// ```
    pub fn parse(value: &str) -> Result<Self, CprError> {
        let d = digits::<10>(value).ok_or(CprError::Format)?;
        if d == [0; 10] {
            return Ok(Self {
                digits: d,
                birth_date: None,
            });
        }
        let day = pair(d[0], d[1]);
        let month = pair(d[2], d[3]);
        let yy = u16::from(pair(d[4], d[5]));
        let year = century(d[6], yy) + yy;
        if day == 0 || day > days_in_month(year, month) {
            return Err(CprError::Date);
        }
        Ok(Self {
            digits: d,
            birth_date: Some(Date { year, month, day }),
        })
    }

    /// Whether this is the `0000000000` placeholder for an unknown number.
    #[must_use]
    pub fn is_unknown(&self) -> bool {
        self.birth_date.is_none()
    }

    /// The birth date; `None` for the placeholder.
    #[must_use]
    pub fn birth_date(&self) -> Option<Date> {
        self.birth_date
    }

    /// The sex from the last digit; `None` for the placeholder.
    #[must_use]
    pub fn sex(&self) -> Option<Sex> {
        self.birth_date.map(|_| Sex::from_digit(self.digits[9]))
    }

    /// Whether the weighted digit sum is divisible by 11 (true of all numbers issued before
    /// October 2007, not required since).
    #[must_use]
    pub fn has_valid_modulus11(&self) -> bool {
        modulus11(&self.digits)
    }
}

/// The century of a birth year, from the seventh digit and the two-digit year (cpr.dk table).
fn century(seventh: u8, yy: u16) -> u16 {
    match (seventh, yy) {
        (5..=8, 58..) => 1800,
        (0..=3, _) | (4 | 9, 37..) => 1900,
        _ => 2000,
    }
}

/// The modulus-11 check over ten digits.
fn modulus11(d: &[u8; 10]) -> bool {
    let sum: u32 = d
        .iter()
        .zip(WEIGHTS)
        .map(|(&x, w)| u32::from(x) * u32::from(w))
        .sum();
    sum.is_multiple_of(11)
}

/// Checks `value` as a CPR number and reports at `location`: `dk-cpr-format` and `dk-cpr-date`
/// (errors), `dk-cpr-modulus11` (warning) and `dk-cpr-unknown` (information, the placeholder).
/// Nothing when the number is fine.
///
/// # Examples
///
/// ```
/// use medcom::{dk::cpr, finding::Severity};
/// let f = cpr::findings("3113450000", "Patient.identifier[0].value");
/// assert_eq!((f[0].code(), f[0].severity()), ("dk-cpr-date", Severity::Error));
/// assert_eq!(f[0].value(), Some("3113450000"));
/// assert!(cpr::findings("0707614285", "x").is_empty());
/// ```
#[must_use]
pub fn findings(value: &str, location: &str) -> Vec<Finding> {
    let finding = |code, severity, message: &str| {
        Finding::new(code, severity, location, message)
            .with_rule("CPR")
            .with_value(value)
    };
    match Cpr::parse(value) {
        Err(CprError::Format) => vec![finding(
            "dk-cpr-format",
            Severity::Error,
            "CPR number is not ten digits",
        )],
        Err(CprError::Date) => vec![finding(
            "dk-cpr-date",
            Severity::Error,
            "CPR number has no valid birth date",
        )],
        Ok(c) if c.is_unknown() => vec![finding(
            "dk-cpr-unknown",
            Severity::Information,
            "CPR number is the placeholder for an unknown person",
        )],
        Ok(c) if !c.has_valid_modulus11() => vec![finding(
            "dk-cpr-modulus11",
            Severity::Warning,
            "CPR number fails the modulus-11 check (allowed for numbers issued since October 2007)",
        )],
        Ok(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Case = (
        &'static str,
        Result<(u16, u8, u8), CprError>,
        Option<Sex>,
        bool,
    );

    /// value, expected birth date (or error), sex, modulus 11.
    #[rustfmt::skip]
    const CASES: &[Case] = &[
        ("0707614285", Ok((1961, 7, 7)), Some(Sex::Male), true),
        ("2509479989", Ok((1947, 9, 25)), Some(Sex::Male), false), // MedCom test patient
        ("2512489996", Ok((1948, 12, 25)), Some(Sex::Female), false), // MedCom test patient
        ("0101010227", Ok((1901, 1, 1)), Some(Sex::Male), false), // SBDH PATIENTID example
        ("0101364000", Ok((2036, 1, 1)), Some(Sex::Female), false), // digit 7 = 4, YY 00-36
        ("0101374000", Ok((1937, 1, 1)), Some(Sex::Female), false), // digit 7 = 4, YY 37-99
        ("0101579000", Ok((1957, 1, 1)), Some(Sex::Female), false), // digit 7 = 9, YY 37-57
        ("0101575000", Ok((2057, 1, 1)), Some(Sex::Female), false), // digit 7 = 5, YY 37-57
        ("0101585000", Ok((1858, 1, 1)), Some(Sex::Female), false), // digit 7 = 5, YY 58-99
        ("0101008000", Ok((2000, 1, 1)), Some(Sex::Female), false), // digit 7 = 8, YY 00-36
        ("2902004000", Ok((2000, 2, 29)), Some(Sex::Female), false), // 2000 is a leap year
        ("2902000000", Err(CprError::Date), None, false), // 1900 is not
        ("3102451234", Err(CprError::Date), None, false),
        ("0013451234", Err(CprError::Date), None, false),
        ("0001451234", Err(CprError::Date), None, false),
        ("123456789", Err(CprError::Format), None, false),
        ("12345678901", Err(CprError::Format), None, false),
        ("010101-0227", Err(CprError::Format), None, false),
        ("01010102２7", Err(CprError::Format), None, false),
        ("", Err(CprError::Format), None, false),
    ];

    #[test]
    fn cases() {
        for &(value, date, sex, m11) in CASES {
            let got = Cpr::parse(value);
            match date {
                Ok((year, month, day)) => {
                    let c = got.unwrap_or_else(|e| panic!("{value}: {e}"));
                    assert_eq!(c.birth_date(), Some(Date { year, month, day }), "{value}");
                    assert_eq!(c.sex(), sex, "{value}");
                    assert_eq!(c.has_valid_modulus11(), m11, "{value}");
                }
                Err(e) => assert_eq!(got, Err(e), "{value}"),
            }
        }
    }

    /// value, expected finding codes.
    #[rustfmt::skip]
    const FINDINGS: &[(&str, &[&str])] = &[
        ("0707614285", &[]),
        ("2509479989", &["dk-cpr-modulus11"]),
        ("0000000000", &["dk-cpr-unknown"]),
        ("3102451234", &["dk-cpr-date"]),
        ("12345", &["dk-cpr-format"]),
    ];

    #[test]
    fn findings_cases() {
        for &(value, codes) in FINDINGS {
            let got: Vec<_> = findings(value, "loc").iter().map(Finding::code).collect();
            assert_eq!(got, codes, "{value}");
        }
        let f = findings("2509479989", "loc");
        assert_eq!(f[0].severity(), Severity::Warning);
        assert!(!f[0].message().contains("2509479989"));
    }
}
