//! Precision: `lowBoundary`, `highBoundary`, `precision`, `comparable`.

use super::{boolean, input_value, one, Call, Out};
use crate::fhirpath::compile::Func;
use crate::fhirpath::datetime::{Precision, Temporal};
use crate::fhirpath::decimal::Decimal;
use crate::fhirpath::eval::bad_operand;
use crate::fhirpath::quantity::Quantity;
use crate::fhirpath::value::{Collection, Value};

/// Most digits a decimal boundary may ask for.
const MAX_DIGITS: i64 = 28;

pub(super) fn call<'d, 'a>(
    c: &mut Call<'_, '_, '_, 'd, 'a>,
    f: &Func,
    input: Collection<'d, 'a>,
) -> Out<'d, 'a> {
    let Some(v) = input_value(&input, "boundary", c.pos)? else {
        return Ok(Collection::new());
    };
    match f {
        Func::Precision => {
            let n = match &v {
                Value::Decimal(d) => d.scale(),
                Value::Integer(_) => 0,
                Value::Date(t) | Value::DateTime(t) => t.digits(false),
                Value::Time(t) => t.digits(true),
                _ => return Err(bad_operand("precision", "a number or date", c.pos)),
            };
            return Ok(one(Value::Integer(i64::from(n))));
        }
        Func::Comparable => {
            let other = c.arg_value(0, "comparable")?;
            return Ok(match (&v, other) {
                (Value::Quantity(a), Some(Value::Quantity(b))) => boolean(a.comparable(&b)),
                (_, None) => Collection::new(),
                _ => return Err(bad_operand("comparable", "quantities", c.pos)),
            });
        }
        _ => {}
    }
    let high = matches!(f, Func::HighBoundary);
    let digits = c.arg_int(0, "lowBoundary")?;
    let out = match &v {
        Value::Integer(_) | Value::Decimal(_) => {
            let d = v.as_decimal().unwrap_or_else(|| Decimal::from_int(0));
            decimal_boundary(d, digits, high).map(Value::Decimal)
        }
        Value::Quantity(q) => decimal_boundary(q.value, digits, high).map(|value| {
            Value::Quantity(Quantity {
                value,
                unit: q.unit.clone(),
            })
        }),
        Value::Date(t) => temporal(t, digits.unwrap_or(8), false, true, high).map(Value::Date),
        Value::DateTime(t) => {
            temporal(t, digits.unwrap_or(17), false, false, high).map(Value::DateTime)
        }
        Value::Time(t) => temporal(t, digits.unwrap_or(9), true, false, high).map(Value::Time),
        _ => {
            return Err(bad_operand(
                "lowBoundary",
                "a number, quantity or date",
                c.pos,
            ))
        }
    };
    Ok(out.map(one).unwrap_or_default())
}

fn decimal_boundary(d: Decimal, digits: Option<i64>, high: bool) -> Option<Decimal> {
    let digits = digits.unwrap_or(8);
    if !(0..=MAX_DIGITS).contains(&digits) {
        return None;
    }
    let digits = u32::try_from(digits).ok()?;
    // Half a unit in the last written digit either way.
    let half = Decimal::new(5, d.scale() + 1);
    if high {
        Some(d.checked_add(half)?.ceil_to(digits))
    } else {
        Some(d.checked_sub(half)?.floor_to(digits))
    }
}

fn temporal(
    t: &Temporal,
    digits: i64,
    is_time: bool,
    is_date: bool,
    high: bool,
) -> Option<Temporal> {
    let mut t = *t;
    // An hour alone is not a valid FHIR time: read it as hour and minute.
    if t.precision == Precision::Hour {
        t.precision = Precision::Minute;
    }
    t.boundary(u32::try_from(digits).ok()?, is_time, is_date, high)
}
