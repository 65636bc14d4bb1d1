//! An exact decimal: an `i128` mantissa and a count of digits after the point, which keeps the
//! precision a value was written with (`1.50` has scale 2).

use std::cmp::Ordering;
use std::fmt;

/// Most digits after the point that division and conversions produce.
pub(crate) const DIVISION_SCALE: u32 = 8;
/// Largest scale kept; beyond it values are rounded.
const MAX_SCALE: u32 = 28;

/// An exact decimal number.
///
/// # Examples
///
/// ```
/// use medcom::fhirpath::Decimal;
/// let d: Decimal = "1.50".parse().unwrap();
/// assert_eq!(d.to_string(), "1.50");
/// assert_eq!(d, "1.5".parse().unwrap());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

impl Decimal {
    /// A decimal from a mantissa and scale: `new(150, 2)` is 1.50.
    #[must_use]
    pub fn new(mantissa: i128, scale: u32) -> Self {
        Self { mantissa, scale }
    }

    /// An integer value with scale 0.
    #[must_use]
    pub fn from_int(v: i64) -> Self {
        Self::new(i128::from(v), 0)
    }

    /// Parses a decimal as FHIR JSON may write it: also with an exponent (`1.5e2`).
    pub(crate) fn from_json_number(s: &str) -> Option<Self> {
        let Some(at) = s.find(['e', 'E']) else {
            return s.parse().ok();
        };
        let base: Self = s[..at].parse().ok()?;
        let exp: i32 = s[at + 1..].parse().ok()?;
        if exp.unsigned_abs() > MAX_SCALE {
            return None;
        }
        let shift = i64::from(base.scale) - i64::from(exp);
        Some(if shift >= 0 {
            Self::new(base.mantissa, u32::try_from(shift).ok()?).limit_scale()
        } else {
            let f = pow10(u32::try_from(-shift).ok()?)?;
            Self::new(base.mantissa.checked_mul(f)?, 0)
        })
    }

    /// Digits after the point as written.
    #[must_use]
    pub fn scale(self) -> u32 {
        self.scale
    }

    /// The unscaled value.
    #[must_use]
    pub fn mantissa(self) -> i128 {
        self.mantissa
    }

    /// Rescales to `scale` digits (must not be less than the current scale).
    fn widen(self, scale: u32) -> Option<i128> {
        self.mantissa.checked_mul(pow10(scale - self.scale)?)
    }

    fn aligned(self, other: Self) -> Option<(i128, i128, u32)> {
        let s = self.scale.max(other.scale);
        Some((self.widen(s)?, other.widen(s)?, s))
    }

    /// Sum; `None` on overflow.
    #[must_use]
    pub fn checked_add(self, other: Self) -> Option<Self> {
        let (a, b, s) = self.aligned(other)?;
        Some(Self::new(a.checked_add(b)?, s))
    }

    /// Difference; `None` on overflow.
    #[must_use]
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.checked_add(other.negated())
    }

    /// Product; `None` on overflow.
    #[must_use]
    pub fn checked_mul(self, other: Self) -> Option<Self> {
        let m = self.mantissa.checked_mul(other.mantissa)?;
        Some(Self::new(m, self.scale + other.scale).limit_scale())
    }

    /// Quotient to 8 decimal places (trailing zeros dropped); `None` for division by
    /// zero or overflow.
    #[must_use]
    pub fn checked_div(self, other: Self) -> Option<Self> {
        if other.mantissa == 0 {
            return None;
        }
        // a/10^sa / (b/10^sb) = a*10^(sb+D+1) / b / 10^(sa+D+1), then round to D.
        let extra = DIVISION_SCALE + 1;
        let num = self
            .mantissa
            .checked_mul(pow10(other.scale.checked_add(extra)?)?)?;
        let q = num / other.mantissa;
        Some(
            Self::new(q, self.scale + extra)
                .round(DIVISION_SCALE)
                .normalized(),
        )
    }

    /// Negation.
    #[must_use]
    pub fn negated(self) -> Self {
        Self::new(-self.mantissa, self.scale)
    }

    /// Absolute value.
    #[must_use]
    pub fn abs(self) -> Self {
        Self::new(self.mantissa.abs(), self.scale)
    }

    /// Drops trailing zeros after the point.
    #[must_use]
    pub fn normalized(mut self) -> Self {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        self
    }

    fn limit_scale(self) -> Self {
        if self.scale > MAX_SCALE {
            self.round(MAX_SCALE)
        } else {
            self
        }
    }

    /// Rounds half away from zero to `digits` after the point (or widens to it).
    #[must_use]
    pub fn round(self, digits: u32) -> Self {
        if digits >= self.scale {
            return self.widen(digits).map_or(self, |m| Self::new(m, digits));
        }
        let Some(f) = pow10(self.scale - digits) else {
            return Self::new(0, digits);
        };
        let q = self.mantissa / f;
        let r = self.mantissa % f;
        let q = if r.abs() * 2 >= f {
            q + self.mantissa.signum()
        } else {
            q
        };
        Self::new(q, digits)
    }

    /// Rounds toward negative infinity to `digits` after the point.
    #[must_use]
    pub fn floor_to(self, digits: u32) -> Self {
        if digits >= self.scale {
            return self.round(digits);
        }
        let Some(f) = pow10(self.scale - digits) else {
            return Self::new(if self.mantissa < 0 { -1 } else { 0 }, digits);
        };
        Self::new(self.mantissa.div_euclid(f), digits)
    }

    /// Rounds toward positive infinity to `digits` after the point.
    #[must_use]
    pub fn ceil_to(self, digits: u32) -> Self {
        self.negated().floor_to(digits).negated()
    }

    /// Truncates toward zero to an integer.
    #[must_use]
    pub fn trunc(self) -> i128 {
        pow10(self.scale).map_or(0, |f| self.mantissa / f)
    }

    /// Whether the value is zero.
    #[must_use]
    pub fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    /// The value as a float (for `sqrt`, `ln`, `exp`, `power`).
    #[must_use]
    pub fn to_f64(self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let m = self.mantissa as f64;
        m / 10f64.powi(i32::try_from(self.scale).unwrap_or(i32::MAX))
    }

    /// A float rounded to 8 decimal places; `None` when not finite or out of range.
    #[must_use]
    pub fn from_f64(v: f64) -> Option<Self> {
        if !v.is_finite() || v.abs() > 1e20 {
            return None;
        }
        let text = format!("{v:.8}");
        text.parse::<Self>().ok().map(Self::normalized)
    }

    /// Total order by value (`1.0` equals `1`).
    #[must_use]
    pub fn cmp_value(self, other: Self) -> Ordering {
        match self.aligned(other) {
            Some((a, b, _)) => a.cmp(&b),
            // Only reachable near i128 limits: compare the integral parts first.
            None => self
                .trunc()
                .cmp(&other.trunc())
                .then(self.mantissa.signum().cmp(&other.mantissa.signum())),
        }
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp_value(*other) == Ordering::Equal
    }
}

impl std::str::FromStr for Decimal {
    type Err = ();

    /// Parses `-?digits(.digits)?` (a leading `+` is accepted).
    fn from_str(s: &str) -> Result<Self, ()> {
        let (neg, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (body.contains('.') && frac.is_empty())
        {
            return Err(());
        }
        let mut m: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            m = m
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(b - b'0')))
                .ok_or(())?;
        }
        let scale = u32::try_from(frac.len()).map_err(|_| ())?;
        Ok(Self::new(if neg { -m } else { m }, scale).limit_scale())
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if self.mantissa < 0 {
            f.write_str("-")?;
        }
        if scale == 0 {
            return f.write_str(&digits);
        }
        if digits.len() > scale {
            let (i, d) = digits.split_at(digits.len() - scale);
            write!(f, "{i}.{d}")
        } else {
            write!(f, "0.{}{digits}", "0".repeat(scale - digits.len()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn arithmetic_keeps_precision() {
        assert_eq!(d("1.2").checked_add(d("1.8")).unwrap().to_string(), "3.0");
        assert_eq!(d("1.2").checked_mul(d("1.8")).unwrap().to_string(), "2.16");
        assert_eq!(d("1").checked_div(d("2")).unwrap().to_string(), "0.5");
        assert_eq!(
            d("1.2").checked_div(d("1.8")).unwrap().to_string(),
            "0.66666667"
        );
        assert_eq!(d("3.14159").round(3).to_string(), "3.142");
        assert_eq!(d("-1.5").round(0).to_string(), "-2");
        assert_eq!(d("-1.587").floor_to(2).to_string(), "-1.59");
        assert_eq!(d("1.587").ceil_to(2).to_string(), "1.59");
        assert_eq!(d("0.0").to_string(), "0.0");
        assert_eq!(d("-0.05").to_string(), "-0.05");
        assert!("1.".parse::<Decimal>().is_err());
        let j = |s| Decimal::from_json_number(s).map(|d| d.to_string());
        assert_eq!(j("1.5e2").as_deref(), Some("150"));
        assert_eq!(j("15E-3").as_deref(), Some("0.015"));
        assert!(j("1e99").is_none() && "1e2".parse::<Decimal>().is_err());
    }
}
