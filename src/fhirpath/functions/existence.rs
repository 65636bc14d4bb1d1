//! Existence: `empty`, `exists`, `all`, `allTrue`, `anyTrue`, `allFalse`, `anyFalse`,
//! `subsetOf`, `supersetOf`, `count`, `distinct`, `isDistinct`.

use super::{boolean, one, Call, Out};
use crate::fhirpath::compile::Func;
use crate::fhirpath::eval::{bad_operand, to_bool, union_into};
use crate::fhirpath::value::{equal, Collection, Item, Value};

pub(super) fn call<'d, 'a>(
    c: &mut Call<'_, '_, '_, 'd, 'a>,
    f: &Func,
    input: Collection<'d, 'a>,
) -> Out<'d, 'a> {
    Ok(match f {
        Func::Empty => boolean(input.is_empty()),
        Func::Exists => {
            if c.args.is_empty() {
                boolean(!input.is_empty())
            } else {
                let mut any = false;
                for (i, item) in input.iter().enumerate() {
                    let r = c.lambda(0, item, i, None)?;
                    if to_bool(&r, "exists", c.pos)? == Some(true) {
                        any = true;
                        break;
                    }
                }
                boolean(any)
            }
        }
        Func::All => {
            let mut all = true;
            for (i, item) in input.iter().enumerate() {
                let r = c.lambda(0, item, i, None)?;
                if to_bool(&r, "all", c.pos)? != Some(true) {
                    all = false;
                    break;
                }
            }
            boolean(all)
        }
        Func::AllTrue | Func::AnyTrue | Func::AllFalse | Func::AnyFalse => {
            let mut bools = Vec::with_capacity(input.len());
            for i in &input {
                match i.value() {
                    Some(Value::Boolean(b)) => bools.push(b),
                    _ => return Err(bad_operand("allTrue", "Booleans", c.pos)),
                }
            }
            boolean(match f {
                Func::AllTrue => bools.iter().all(|b| *b),
                Func::AnyTrue => bools.iter().any(|b| *b),
                Func::AllFalse => bools.iter().all(|b| !*b),
                _ => bools.iter().any(|b| !*b),
            })
        }
        Func::SubsetOf | Func::SupersetOf => {
            let other = c.arg(0)?;
            let (small, big) = if matches!(f, Func::SubsetOf) {
                (&input, &other)
            } else {
                (&other, &input)
            };
            c.charge(big.len().saturating_mul(small.len()))?;
            boolean(contains_all(big, small))
        }
        Func::Count => one(Value::Integer(
            i64::try_from(input.len()).unwrap_or(i64::MAX),
        )),
        Func::Distinct => {
            c.charge(input.len().saturating_mul(input.len()))?;
            let mut out = Collection::with_capacity(input.len());
            union_into(&mut out, input);
            out
        }
        _ => {
            let n = input.len();
            c.charge(n.saturating_mul(n))?;
            let mut out = Collection::with_capacity(n);
            union_into(&mut out, input);
            boolean(out.len() == n)
        }
    })
}

pub(super) fn contains_all(big: &[Item<'_, '_>], small: &[Item<'_, '_>]) -> bool {
    small
        .iter()
        .all(|s| big.iter().any(|b| equal(s, b) == Some(true)))
}
