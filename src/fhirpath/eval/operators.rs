//! Operators: logic (three-valued), equality, comparison, membership, arithmetic.

use std::cmp::Ordering;

use super::{bad_operand, boolean, err, singleton, to_bool, Env, EvalError, Evaluator};
use crate::fhirpath::ast::BinaryOp;
use crate::fhirpath::compile::Plan;
use crate::fhirpath::datetime::CalendarUnit;
use crate::fhirpath::decimal::Decimal;
use crate::fhirpath::error::EvalErrorKind;
use crate::fhirpath::quantity::Quantity;
use crate::fhirpath::value::{compare, equal, equivalent_items, Collection, Item, Value};

impl<'d, 'a> Evaluator<'_, '_, 'd, 'a> {
    pub(super) fn binary(
        &mut self,
        op: BinaryOp,
        a: &Plan,
        b: &Plan,
        focus: &[Item<'d, 'a>],
        env: Env<'_, 'd, 'a>,
        pos: usize,
    ) -> Result<Collection<'d, 'a>, EvalError> {
        use BinaryOp as B;
        let sym = op.symbol();
        let left = self.eval(a, focus, env)?;
        // Short-circuit where the left side decides.
        match op {
            B::And | B::Or | B::Implies => {
                let l = to_bool(&left, sym, pos)?;
                let decided = match (op, l) {
                    (B::And, Some(false)) => Some(false),
                    (B::Or, Some(true)) => Some(true),
                    (B::Implies, Some(false)) => Some(true),
                    _ => None,
                };
                if decided.is_some() {
                    return Ok(boolean(decided));
                }
                let right = self.eval(b, focus, env)?;
                let r = to_bool(&right, sym, pos)?;
                return Ok(boolean(logic(op, l, r)));
            }
            _ => {}
        }
        let right = self.eval(b, focus, env)?;
        Ok(match op {
            B::Xor => {
                let l = to_bool(&left, sym, pos)?;
                let r = to_bool(&right, sym, pos)?;
                boolean(logic(op, l, r))
            }
            B::Union => {
                let n = left.len() + right.len();
                self.charge(n.saturating_mul(n), pos)?;
                let mut out = Collection::with_capacity(left.len() + right.len());
                union_into(&mut out, left);
                union_into(&mut out, right);
                out
            }
            B::Equal => boolean(collection_equal(&left, &right)),
            B::NotEqual => boolean(collection_equal(&left, &right).map(|b| !b)),
            B::Equivalent => boolean(Some(collection_equivalent(&left, &right))),
            B::NotEquivalent => boolean(Some(!collection_equivalent(&left, &right))),
            B::Less | B::Greater | B::LessOrEqual | B::GreaterOrEqual => {
                let (Some(x), Some(y)) = (
                    singleton(&left, sym, pos)?.and_then(Item::value),
                    singleton(&right, sym, pos)?.and_then(Item::value),
                ) else {
                    return Ok(Collection::new());
                };
                let o = compare(&x, &y).map_err(|()| bad_operand(sym, "comparable values", pos))?;
                boolean(o.map(|o| match op {
                    B::Less => o == Ordering::Less,
                    B::Greater => o == Ordering::Greater,
                    B::LessOrEqual => o != Ordering::Greater,
                    _ => o != Ordering::Less,
                }))
            }
            B::In | B::Contains => {
                let (needle, hay) = if op == B::In {
                    (&left, &right)
                } else {
                    (&right, &left)
                };
                self.charge(hay.len(), pos)?;
                match singleton(needle, sym, pos)? {
                    None => Collection::new(),
                    Some(n) => boolean(Some(hay.iter().any(|h| equal(n, h) == Some(true)))),
                }
            }
            B::Concat => {
                let text = |c: &Collection<'d, 'a>| -> Result<String, EvalError> {
                    Ok(match singleton(c, sym, pos)?.and_then(Item::value) {
                        Some(Value::String(s)) => s.to_string(),
                        None => String::new(),
                        Some(_) => return Err(bad_operand(sym, "strings", pos)),
                    })
                };
                let s = text(&left)? + &text(&right)?;
                self.check_string(s.len(), pos)?;
                smallvec::smallvec![Item::Value(Value::string(s))]
            }
            B::Add | B::Subtract | B::Multiply | B::Divide | B::Div | B::Mod => {
                let (Some(x), Some(y)) = (
                    singleton(&left, sym, pos)?.and_then(Item::value),
                    singleton(&right, sym, pos)?.and_then(Item::value),
                ) else {
                    return Ok(Collection::new());
                };
                let v = arithmetic(op, &x, &y, pos)?;
                if let Some(Value::String(s)) = &v {
                    self.check_string(s.len(), pos)?;
                }
                v.map(Item::Value).into_iter().collect()
            }
            B::And | B::Or | B::Implies => Collection::new(),
        })
    }
}

fn logic(op: BinaryOp, l: Option<bool>, r: Option<bool>) -> Option<bool> {
    match op {
        BinaryOp::And => match (l, r) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        BinaryOp::Or => match (l, r) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        BinaryOp::Xor => Some(l? != r?),
        _ => match (l, r) {
            (Some(false), _) | (_, Some(true)) => Some(true),
            (Some(true), Some(false)) => Some(false),
            _ => None,
        },
    }
}

/// Appends items not already present (by `=`).
pub(crate) fn union_into<'d, 'a>(out: &mut Collection<'d, 'a>, items: Collection<'d, 'a>) {
    for i in items {
        if !out.iter().any(|o| equal(o, &i) == Some(true)) {
            out.push(i);
        }
    }
}

pub(crate) fn collection_equal(a: &[Item<'_, '_>], b: &[Item<'_, '_>]) -> Option<bool> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    if a.len() != b.len() {
        return Some(false);
    }
    let mut unknown = false;
    for (x, y) in a.iter().zip(b) {
        match equal(x, y) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    (!unknown).then_some(true)
}

pub(crate) fn collection_equivalent(a: &[Item<'_, '_>], b: &[Item<'_, '_>]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut used = vec![false; b.len()];
    a.iter().all(|x| {
        let found = b
            .iter()
            .enumerate()
            .find(|(i, y)| !used[*i] && equivalent_items(x, y));
        if let Some((i, _)) = found {
            used[i] = true;
            true
        } else {
            false
        }
    })
}

pub(super) fn negate<'d, 'a>(
    items: &[Item<'d, 'a>],
    pos: usize,
) -> Result<Collection<'d, 'a>, EvalError> {
    let Some(v) = singleton(items, "-", pos)?.and_then(Item::value) else {
        return Ok(Collection::new());
    };
    let v = match v {
        Value::Integer(i) => Value::Integer(i.checked_neg().ok_or_else(|| overflow(pos))?),
        Value::Decimal(d) => Value::Decimal(d.negated()),
        Value::Quantity(q) => Value::Quantity(Quantity {
            value: q.value.negated(),
            unit: q.unit,
        }),
        _ => return Err(bad_operand("-", "a number or quantity", pos)),
    };
    Ok(smallvec::smallvec![Item::Value(v)])
}

fn overflow(pos: usize) -> EvalError {
    err(
        EvalErrorKind::BadArgument {
            function: "arithmetic",
            reason: "overflow",
        },
        pos,
    )
}

/// Arithmetic on two values; `Ok(None)` for an empty result (division by zero).
pub(crate) fn arithmetic<'d>(
    op: BinaryOp,
    x: &Value<'d>,
    y: &Value<'d>,
    pos: usize,
) -> Result<Option<Value<'d>>, EvalError> {
    use BinaryOp as B;
    use Value as V;
    let sym = op.symbol();
    let dec = |d: Option<Decimal>| -> Result<Option<Value<'d>>, EvalError> {
        d.map(V::Decimal).map(Some).ok_or_else(|| overflow(pos))
    };
    Ok(match (x, y) {
        (V::Integer(a), V::Integer(b)) => match op {
            B::Add => Some(V::Integer(a.checked_add(*b).ok_or_else(|| overflow(pos))?)),
            B::Subtract => Some(V::Integer(a.checked_sub(*b).ok_or_else(|| overflow(pos))?)),
            B::Multiply => Some(V::Integer(a.checked_mul(*b).ok_or_else(|| overflow(pos))?)),
            B::Divide => Decimal::from_int(*a)
                .checked_div(Decimal::from_int(*b))
                .map(V::Decimal),
            B::Div => a.checked_div(*b).map(V::Integer),
            _ => a.checked_rem(*b).map(V::Integer),
        },
        (V::Integer(_) | V::Decimal(_), V::Integer(_) | V::Decimal(_)) => {
            let (Some(a), Some(b)) = (x.as_decimal(), y.as_decimal()) else {
                return Ok(None);
            };
            match op {
                B::Add => return dec(a.checked_add(b)),
                B::Subtract => return dec(a.checked_sub(b)),
                B::Multiply => return dec(a.checked_mul(b)),
                B::Divide => a.checked_div(b).map(V::Decimal),
                B::Div => {
                    if b.is_zero() {
                        None
                    } else {
                        let q = a.checked_div(b).ok_or_else(|| overflow(pos))?;
                        Some(V::Integer(
                            i64::try_from(q.trunc()).map_err(|_| overflow(pos))?,
                        ))
                    }
                }
                _ => {
                    if b.is_zero() {
                        None
                    } else {
                        let q = a.checked_div(b).ok_or_else(|| overflow(pos))?;
                        let whole = Decimal::new(q.trunc(), 0);
                        let r = whole.checked_mul(b).and_then(|p| a.checked_sub(p));
                        return dec(r);
                    }
                }
            }
        }
        (V::String(a), V::String(b)) if op == B::Add => {
            Some(V::string(format!("{}{}", &**a, &**b)))
        }
        (V::Date(t) | V::DateTime(t) | V::Time(t), V::Quantity(q))
            if matches!(op, B::Add | B::Subtract) =>
        {
            let unit = CalendarUnit::from_unit(&q.unit)
                .ok_or_else(|| bad_operand(sym, "a time-valued quantity", pos))?;
            let mut amount = i64::try_from(q.value.trunc()).map_err(|_| overflow(pos))?;
            if op == B::Subtract {
                amount = -amount;
            }
            let is_date = matches!(x, V::Date(_));
            // A date takes only whole days or more.
            let (amount, unit) = match unit {
                CalendarUnit::Hour if is_date => (amount / 24, CalendarUnit::Day),
                CalendarUnit::Minute if is_date => (amount / 1440, CalendarUnit::Day),
                CalendarUnit::Second if is_date => (amount / 86_400, CalendarUnit::Day),
                CalendarUnit::Millisecond if is_date => (amount / 86_400_000, CalendarUnit::Day),
                u => (amount, u),
            };
            let r = t.add(amount, unit).ok_or_else(|| overflow(pos))?;
            Some(match x {
                V::Date(_) => V::Date(r),
                V::DateTime(_) => V::DateTime(r),
                _ => {
                    let mut r = r;
                    r.year = 0;
                    r.month = 1;
                    r.day = 1;
                    V::Time(r)
                }
            })
        }
        (V::Quantity(a), V::Quantity(b)) => match op {
            B::Add | B::Subtract => {
                let Some(bv) = b.in_unit_of(a) else {
                    return Err(bad_operand(sym, "quantities of comparable units", pos));
                };
                let v = if op == B::Add {
                    a.value.checked_add(bv)
                } else {
                    a.value.checked_sub(bv)
                };
                Some(V::Quantity(Quantity {
                    value: v.ok_or_else(|| overflow(pos))?,
                    unit: a.unit.clone(),
                }))
            }
            B::Multiply => Some(V::Quantity(a.mul(b).ok_or_else(|| overflow(pos))?)),
            B::Divide => a.div(b).map(V::Quantity),
            _ => return Err(bad_operand(sym, "numbers", pos)),
        },
        (V::Quantity(a), V::Integer(_) | V::Decimal(_))
            if matches!(op, B::Multiply | B::Divide) =>
        {
            let n = y.as_decimal().ok_or_else(|| overflow(pos))?;
            let v = if op == B::Multiply {
                a.value.checked_mul(n)
            } else {
                a.value.checked_div(n)
            };
            v.map(|value| {
                V::Quantity(Quantity {
                    value,
                    unit: a.unit.clone(),
                })
            })
        }
        _ => return Err(bad_operand(sym, "operands of matching types", pos)),
    })
}
