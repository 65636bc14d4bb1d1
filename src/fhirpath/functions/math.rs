//! Math: `abs`, `ceiling`, `exp`, `floor`, `ln`, `log`, `power`, `round`, `sqrt`, `truncate`.

use super::{input_value, one, Call, Out};
use crate::fhirpath::compile::Func;
use crate::fhirpath::decimal::Decimal;
use crate::fhirpath::eval::bad_operand;
use crate::fhirpath::quantity::Quantity;
use crate::fhirpath::value::{Collection, Value};

pub(super) fn call<'d, 'a>(
    c: &mut Call<'_, '_, '_, 'd, 'a>,
    f: &Func,
    input: Collection<'d, 'a>,
) -> Out<'d, 'a> {
    let Some(v) = input_value(&input, "math", c.pos)? else {
        return Ok(Collection::new());
    };
    if let (Func::Abs, Value::Quantity(q)) = (f, &v) {
        return Ok(one(Value::Quantity(Quantity {
            value: q.value.abs(),
            unit: q.unit.clone(),
        })));
    }
    let Some(d) = v.as_decimal() else {
        return Err(bad_operand("math function", "a number", c.pos));
    };
    let is_int = matches!(v, Value::Integer(_));
    let int = |i: i128| i64::try_from(i).ok().map(Value::Integer);
    let float = |x: f64| Decimal::from_f64(x).map(Value::Decimal);
    let out = match f {
        Func::Abs if is_int => int(d.abs().trunc()),
        Func::Abs => Some(Value::Decimal(d.abs())),
        Func::Ceiling => int(d.ceil_to(0).trunc()),
        Func::Floor => int(d.floor_to(0).trunc()),
        Func::Truncate => int(d.trunc()),
        Func::Round => {
            let digits = c.arg_int(0, "round")?.unwrap_or(0);
            let digits =
                u32::try_from(digits).map_err(|_| c.error("round", "negative precision"))?;
            Some(Value::Decimal(d.round(digits.min(28))))
        }
        Func::Exp => float(d.to_f64().exp()),
        Func::Ln => float(d.to_f64().ln()),
        Func::Sqrt => float(d.to_f64().sqrt()),
        Func::Log => {
            let Some(base) = c.arg_value(0, "log")?.and_then(|b| b.as_decimal()) else {
                return Ok(Collection::new());
            };
            float(d.to_f64().ln() / base.to_f64().ln())
        }
        _ => {
            let Some(e) = c.arg_value(0, "power")? else {
                return Ok(Collection::new());
            };
            match (&v, &e) {
                (Value::Integer(b), Value::Integer(x)) if *x >= 0 => u32::try_from(*x)
                    .ok()
                    .and_then(|x| b.checked_pow(x))
                    .map(Value::Integer),
                _ => {
                    let x = e
                        .as_decimal()
                        .ok_or_else(|| bad_operand("power", "a number", c.pos))?;
                    float(d.to_f64().powf(x.to_f64()))
                }
            }
        }
    };
    Ok(out.map(one).unwrap_or_default())
}
