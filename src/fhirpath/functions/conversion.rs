//! Conversion: `toBoolean`, `toInteger`, `toDecimal`, `toString`, `toDate`, `toDateTime`,
//! `toTime`, `toQuantity` and their `convertsTo…` tests.

use super::{boolean, input_value, one, Call, Out};
use crate::fhirpath::compile::Func;
use crate::fhirpath::datetime::{Precision, Temporal};
use crate::fhirpath::decimal::Decimal;
use crate::fhirpath::quantity::{Quantity, CALENDAR_WORDS};
use crate::fhirpath::value::{Collection, Value};

pub(super) fn call<'d, 'a>(
    c: &mut Call<'_, '_, '_, 'd, 'a>,
    f: &Func,
    input: Collection<'d, 'a>,
) -> Out<'d, 'a> {
    let Some(v) = input_value(&input, "conversion", c.pos)? else {
        return Ok(Collection::new());
    };
    let unit = if matches!(f, Func::ToQuantity | Func::ConvertsToQuantity) {
        c.arg_string(0, "toQuantity")?
    } else {
        None
    };
    let converted = match f {
        Func::ToBoolean | Func::ConvertsToBoolean => to_boolean(&v).map(Value::Boolean),
        Func::ToInteger | Func::ConvertsToInteger => to_integer(&v).map(Value::Integer),
        Func::ToDecimal | Func::ConvertsToDecimal => to_decimal(&v).map(Value::Decimal),
        Func::ToString | Func::ConvertsToString => Some(Value::string(v.to_string())),
        Func::ToDate | Func::ConvertsToDate => to_date(&v).map(Value::Date),
        Func::ToDateTime | Func::ConvertsToDateTime => to_date_time(&v).map(Value::DateTime),
        Func::ToTime | Func::ConvertsToTime => to_time(&v).map(Value::Time),
        _ => to_quantity(&v, unit.as_deref()).map(Value::Quantity),
    };
    let test = matches!(
        f,
        Func::ConvertsToBoolean
            | Func::ConvertsToInteger
            | Func::ConvertsToDecimal
            | Func::ConvertsToString
            | Func::ConvertsToDate
            | Func::ConvertsToDateTime
            | Func::ConvertsToTime
            | Func::ConvertsToQuantity
    );
    Ok(if test {
        boolean(converted.is_some())
    } else {
        converted.map(one).unwrap_or_default()
    })
}

pub(crate) fn to_boolean(v: &Value<'_>) -> Option<bool> {
    match v {
        Value::Boolean(b) => Some(*b),
        Value::Integer(1) => Some(true),
        Value::Integer(0) => Some(false),
        Value::Decimal(d) if *d == Decimal::from_int(1) => Some(true),
        Value::Decimal(d) if d.is_zero() => Some(false),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "t" | "yes" | "y" | "1" | "1.0" => Some(true),
            "false" | "f" | "no" | "n" | "0" | "0.0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn to_integer(v: &Value<'_>) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(*i),
        Value::Boolean(b) => Some(i64::from(*b)),
        Value::String(s) => {
            let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        }
        _ => None,
    }
}

pub(crate) fn to_decimal(v: &Value<'_>) -> Option<Decimal> {
    match v {
        Value::Integer(i) => Some(Decimal::from_int(*i)),
        Value::Decimal(d) => Some(*d),
        Value::Boolean(b) => Some(Decimal::new(if *b { 10 } else { 0 }, 1)),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn to_date(v: &Value<'_>) -> Option<Temporal> {
    match v {
        Value::Date(t) => Some(*t),
        Value::DateTime(t) => {
            let mut t = *t;
            t.precision = t.precision.min(Precision::Day);
            t.hour = 0;
            t.minute = 0;
            t.second = 0;
            t.millis = 0;
            t.offset = None;
            Some(t)
        }
        Value::String(s) => Temporal::parse_date(s)
            .or_else(|| Temporal::parse_date_time(s).and_then(|t| to_date(&Value::DateTime(t)))),
        _ => None,
    }
}

fn to_date_time(v: &Value<'_>) -> Option<Temporal> {
    match v {
        Value::Date(t) | Value::DateTime(t) => Some(*t),
        Value::String(s) => Temporal::parse_date_time(s),
        _ => None,
    }
}

fn to_time(v: &Value<'_>) -> Option<Temporal> {
    match v {
        Value::Time(t) => Some(*t),
        Value::String(s) => Temporal::parse_time(s),
        _ => None,
    }
}

pub(crate) fn to_quantity(v: &Value<'_>, unit: Option<&str>) -> Option<Quantity> {
    let q = match v {
        Value::Integer(i) => Quantity::new(Decimal::from_int(*i), "1"),
        Value::Decimal(d) => Quantity::new(*d, "1"),
        Value::Boolean(b) => Quantity::new(Decimal::new(if *b { 10 } else { 0 }, 1), "1"),
        Value::Quantity(q) => q.clone(),
        Value::String(s) => parse_quantity(s)?,
        _ => return None,
    };
    match unit {
        None => Some(q),
        Some(u) => {
            let target = Quantity::new(Decimal::from_int(1), u);
            q.in_unit_of(&target).map(|v| Quantity::new(v, u))
        }
    }
}

/// `4.5 'mg'`, `3 days`, `12`: a number and an optional quoted UCUM unit or calendar word.
fn parse_quantity(s: &str) -> Option<Quantity> {
    let s = s.trim();
    let split = s
        .find(|c: char| c.is_whitespace() || c == '\'')
        .unwrap_or(s.len());
    let value: Decimal = s[..split].parse().ok()?;
    let rest = s[split..].trim();
    if rest.is_empty() {
        return Some(Quantity::new(value, "1"));
    }
    if let Some(unit) = rest.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        if unit.is_empty() || unit.contains('\'') {
            return None;
        }
        return Some(Quantity::new(value, unit));
    }
    CALENDAR_WORDS
        .contains(&rest)
        .then(|| Quantity::new(value, rest))
}
