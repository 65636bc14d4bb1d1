//! Quantities and the part of UCUM the engine understands: metric prefixes, the base units,
//! time, common customary units, products, quotients and exponents. Calendar keywords (`days`)
//! compare with their fixed-length UCUM counterparts except `year` and `month`, which compare
//! only with themselves.

use std::sync::Arc;

use super::decimal::Decimal;

/// A value with a unit: a UCUM code (`mg`, `[lb_av]`) or a calendar keyword (`days`).
///
/// # Examples
///
/// ```
/// use medcom::fhirpath::Quantity;
/// let a = Quantity::new("4.0".parse().unwrap(), "g");
/// assert!(a.comparable(&Quantity::new("1".parse().unwrap(), "[lb_av]")));
/// assert!(!a.comparable(&Quantity::new("1".parse().unwrap(), "s")));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    /// The number.
    pub value: Decimal,
    /// The unit code or keyword; `1` for a plain number.
    pub unit: Arc<str>,
}

/// Calendar keywords that are written without quotes.
pub(crate) const CALENDAR_WORDS: [&str; 16] = [
    "year",
    "years",
    "month",
    "months",
    "week",
    "weeks",
    "day",
    "days",
    "hour",
    "hours",
    "minute",
    "minutes",
    "second",
    "seconds",
    "millisecond",
    "milliseconds",
];

/// Exponents of the base dimensions: length, mass, time, amount, temperature, current,
/// luminosity, and three pseudo-dimensions (calendar year, calendar month, arbitrary unit).
type Dims = [i8; 10];

/// A unit reduced to a factor and dimensions.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Canonical {
    factor: Decimal,
    dims: Dims,
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|()| Decimal::from_int(1))
}

fn dim(i: usize, p: i8) -> Dims {
    let mut d = [0; 10];
    d[i] = p;
    d
}

/// Base atoms: (code, factor to the base unit, dimensions).
fn atom(code: &str) -> Option<(Decimal, Dims)> {
    let (f, d) = match code {
        "1" => ("1", [0; 10]),
        "m" => ("1", dim(0, 1)),
        "g" => ("1", dim(1, 1)),
        "s" => ("1", dim(2, 1)),
        "mol" => ("1", dim(3, 1)),
        "K" => ("1", dim(4, 1)),
        "A" => ("1", dim(5, 1)),
        "cd" => ("1", dim(6, 1)),
        "min" => ("60", dim(2, 1)),
        "h" => ("3600", dim(2, 1)),
        "d" => ("86400", dim(2, 1)),
        "wk" => ("604800", dim(2, 1)),
        "mo" => ("2629800", dim(2, 1)),
        "a" => ("31557600", dim(2, 1)),
        "L" | "l" => ("0.001", dim(0, 3)),
        "%" => ("0.01", [0; 10]),
        "[lb_av]" => ("453.59237", dim(1, 1)),
        "[oz_av]" => ("28.349523125", dim(1, 1)),
        "[in_i]" => ("0.0254", dim(0, 1)),
        "[ft_i]" => ("0.3048", dim(0, 1)),
        "[mi_i]" => ("1609.344", dim(0, 1)),
        "mm[Hg]" => ("133322.387415", [-1, 1, -2, 0, 0, 0, 0, 0, 0, 0]),
        "Pa" => ("1000", [-1, 1, -2, 0, 0, 0, 0, 0, 0, 0]),
        "N" => ("1000", [1, 1, -2, 0, 0, 0, 0, 0, 0, 0]),
        "J" => ("1000", [2, 1, -2, 0, 0, 0, 0, 0, 0, 0]),
        "cal" => ("4184", [2, 1, -2, 0, 0, 0, 0, 0, 0, 0]),
        "Hz" => ("1", dim(2, -1)),
        "[iU]" | "[IU]" | "U" => ("1", dim(9, 1)),
        _ => return None,
    };
    Some((dec(f), d))
}

fn calendar(word: &str) -> Option<(Decimal, Dims)> {
    let code = match word {
        "year" | "years" => return Some((dec("1"), dim(7, 1))),
        "month" | "months" => return Some((dec("1"), dim(8, 1))),
        "week" | "weeks" => "wk",
        "day" | "days" => "d",
        "hour" | "hours" => "h",
        "minute" | "minutes" => "min",
        "second" | "seconds" => "s",
        "millisecond" | "milliseconds" => return Some((dec("0.001"), dim(2, 1))),
        _ => return None,
    };
    atom(code)
}

const PREFIXES: [(&str, &str); 14] = [
    ("da", "10"),
    ("k", "1000"),
    ("M", "1000000"),
    ("G", "1000000000"),
    ("T", "1000000000000"),
    ("h", "100"),
    ("d", "0.1"),
    ("c", "0.01"),
    ("m", "0.001"),
    ("u", "0.000001"),
    ("n", "0.000000001"),
    ("p", "0.000000000001"),
    ("f", "0.000000000000001"),
    ("µ", "0.000001"),
];

fn prefixed_atom(code: &str) -> Option<(Decimal, Dims)> {
    if let Some(a) = atom(code) {
        return Some(a);
    }
    PREFIXES.iter().find_map(|(p, f)| {
        let rest = code.strip_prefix(p)?;
        // Only metric units take prefixes.
        if !matches!(
            rest,
            "m" | "g"
                | "s"
                | "mol"
                | "L"
                | "l"
                | "K"
                | "A"
                | "Pa"
                | "N"
                | "J"
                | "cal"
                | "Hz"
                | "U"
                | "[iU]"
                | "[IU]"
        ) {
            return None;
        }
        let (af, ad) = atom(rest)?;
        Some((af.checked_mul(dec(f))?, ad))
    })
}

impl Canonical {
    /// Reduces a unit; `None` when the unit is not understood.
    pub(crate) fn of(unit: &str) -> Option<Self> {
        if let Some((factor, dims)) = calendar(unit) {
            return Some(Self { factor, dims });
        }
        let mut p = UnitParser {
            s: unit.as_bytes(),
            at: 0,
            depth: 0,
        };
        let c = p.term()?;
        (p.at == p.s.len()).then_some(c)
    }

    fn mul(&self, other: &Self, sign: i8) -> Option<Self> {
        let factor = if sign > 0 {
            self.factor.checked_mul(other.factor)?
        } else {
            self.factor.checked_div(other.factor)?
        };
        let mut dims = self.dims;
        for (d, o) in dims.iter_mut().zip(other.dims) {
            *d = d.checked_add(o.checked_mul(sign)?)?;
        }
        Some(Self { factor, dims })
    }

    fn pow(&self, e: i8) -> Option<Self> {
        let mut out = Self {
            factor: Decimal::from_int(1),
            dims: [0; 10],
        };
        for _ in 0..e.unsigned_abs() {
            out = out.mul(self, e.signum())?;
        }
        Some(out)
    }
}

struct UnitParser<'s> {
    s: &'s [u8],
    at: usize,
    depth: usize,
}

impl UnitParser<'_> {
    fn term(&mut self) -> Option<Canonical> {
        self.depth += 1;
        if self.depth > 16 {
            return None;
        }
        let mut acc = if self.s.get(self.at) == Some(&b'/') {
            Canonical {
                factor: Decimal::from_int(1),
                dims: [0; 10],
            }
        } else {
            self.component()?
        };
        while let Some(&c) = self.s.get(self.at) {
            let sign = match c {
                b'.' => 1,
                b'/' => -1,
                _ => break,
            };
            self.at += 1;
            let next = self.component()?;
            acc = acc.mul(&next, sign)?;
        }
        self.depth -= 1;
        Some(acc)
    }

    fn component(&mut self) -> Option<Canonical> {
        let base = if self.s.get(self.at) == Some(&b'(') {
            self.at += 1;
            let t = self.term()?;
            if self.s.get(self.at) != Some(&b')') {
                return None;
            }
            self.at += 1;
            t
        } else {
            let start = self.at;
            let mut bracket = false;
            while let Some(&c) = self.s.get(self.at) {
                match c {
                    b'[' => bracket = true,
                    b']' => bracket = false,
                    b'.' | b'/' | b'(' | b')' if !bracket => break,
                    b'0'..=b'9' | b'-' | b'+' if !bracket && self.at > start => break,
                    _ => {}
                }
                self.at += 1;
            }
            let code = std::str::from_utf8(&self.s[start..self.at]).ok()?;
            // Annotations `{...}` stand for 1.
            let code = match code.find('{') {
                Some(0) => "1",
                Some(i) => &code[..i],
                None => code,
            };
            if code.bytes().all(|b| b.is_ascii_digit()) && !code.is_empty() {
                let factor: Decimal = code.parse().ok()?;
                return Some(Canonical {
                    factor,
                    dims: [0; 10],
                });
            }
            let (factor, dims) = prefixed_atom(code)?;
            Canonical { factor, dims }
        };
        let start = self.at;
        while let Some(&c) = self.s.get(self.at) {
            if c.is_ascii_digit() || ((c == b'-' || c == b'+') && self.at == start) {
                self.at += 1;
            } else {
                break;
            }
        }
        if self.at == start {
            return Some(base);
        }
        let e: i8 = std::str::from_utf8(&self.s[start..self.at])
            .ok()?
            .parse()
            .ok()?;
        base.pow(e)
    }
}

impl Quantity {
    /// A quantity; `unit` is a UCUM code or a calendar keyword.
    #[must_use]
    pub fn new(value: Decimal, unit: &str) -> Self {
        Self {
            value,
            unit: Arc::from(unit),
        }
    }

    /// The value in base units and the unit's dimensions, when the unit is understood.
    fn canonical(&self) -> Option<(Decimal, Dims)> {
        let c = Canonical::of(&self.unit)?;
        Some((self.value.checked_mul(c.factor)?, c.dims))
    }

    /// Whether the units measure the same thing (`cm` and `[in_i]`).
    #[must_use]
    pub fn comparable(&self, other: &Self) -> bool {
        match (Canonical::of(&self.unit), Canonical::of(&other.unit)) {
            (Some(a), Some(b)) => a.dims == b.dims,
            _ => self.unit == other.unit,
        }
    }

    /// Both values in one unit, when comparable: identical units as they are, otherwise both
    /// in base units.
    pub(crate) fn aligned(&self, other: &Self) -> Option<(Decimal, Decimal)> {
        if self.unit == other.unit {
            return Some((self.value, other.value));
        }
        let (a, da) = self.canonical()?;
        let (b, db) = other.canonical()?;
        (da == db).then_some((a, b))
    }

    /// `self` converted to `other`'s unit, when comparable.
    pub(crate) fn in_unit_of(&self, other: &Self) -> Option<Decimal> {
        if self.unit == other.unit {
            return Some(self.value);
        }
        let (a, da) = self.canonical()?;
        let c = Canonical::of(&other.unit)?;
        (da == c.dims).then(|| a.checked_div(c.factor)).flatten()
    }

    /// Product, with the unit written as a UCUM product.
    pub(crate) fn mul(&self, other: &Self) -> Option<Self> {
        let value = self.value.checked_mul(other.value)?;
        Some(Self::new(value, &combine(&self.unit, &other.unit, '.')))
    }

    /// Quotient, with the unit written as a UCUM quotient.
    pub(crate) fn div(&self, other: &Self) -> Option<Self> {
        let value = self.value.checked_div(other.value)?;
        let unit = if self.unit == other.unit {
            "1".to_owned()
        } else {
            combine(&self.unit, &other.unit, '/')
        };
        Some(Self::new(value, &unit))
    }
}

fn ucum_of(unit: &str) -> &str {
    match unit {
        "week" | "weeks" => "wk",
        "day" | "days" => "d",
        "hour" | "hours" => "h",
        "minute" | "minutes" => "min",
        "second" | "seconds" => "s",
        "millisecond" | "milliseconds" => "ms",
        u => u,
    }
}

fn combine(a: &str, b: &str, op: char) -> String {
    let (a, b) = (ucum_of(a), ucum_of(b));
    match (a, b, op) {
        ("1", b, '.') => b.to_owned(),
        (a, "1", _) => a.to_owned(),
        _ => format!("({a}){op}({b})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(v: &str, u: &str) -> Quantity {
        Quantity::new(v.parse().unwrap(), u)
    }

    #[test]
    fn conversions() {
        let (a, b) = q("4.0000", "g").aligned(&q("4000.0", "mg")).unwrap();
        assert_eq!(a, b);
        let (a, b) = q("7", "days").aligned(&q("1", "wk")).unwrap();
        assert_eq!(a, b);
        assert!(q("1", "a").aligned(&q("1", "year")).is_none());
        let m2 = q("2.0", "cm").mul(&q("2.0", "m")).unwrap();
        let (a, b) = m2.aligned(&q("0.040", "m2")).unwrap();
        assert_eq!(a, b);
        let r = q("4.0", "g").div(&q("2.0", "m")).unwrap();
        let (a, b) = r.aligned(&q("2", "g/m")).unwrap();
        assert_eq!(a, b);
        assert!(q("1", "cm").comparable(&q("1", "[in_i]")));
        assert!(!q("1", "cm").comparable(&q("1", "s")));
        assert!(Canonical::of("mg/dL").is_some());
        assert!(Canonical::of("kg.m-2").is_some());
    }
}
