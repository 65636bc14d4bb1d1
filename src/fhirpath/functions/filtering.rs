//! Filtering and projection: `where`, `select`, `repeat`, `ofType`, `as`, `is`, plus `sort`
//! and `aggregate`.

use std::cmp::Ordering;

use super::{boolean, Call, Out};
use crate::fhirpath::compile::{Func, TypedFunc};
use crate::fhirpath::eval::{is_type, singleton, to_bool};
use crate::fhirpath::value::{compare, equal, Collection, Item};

/// Most rounds `repeat()` runs before giving up on reaching a fixed point.
const MAX_REPEAT_ROUNDS: usize = 1000;

pub(super) fn call<'d, 'a>(
    c: &mut Call<'_, '_, '_, 'd, 'a>,
    f: &Func,
    input: Collection<'d, 'a>,
) -> Out<'d, 'a> {
    Ok(match f {
        Func::Where => {
            // Filtered in place: no second collection, no item copied.
            let mut keep: smallvec::SmallVec<[bool; 16]> = smallvec::SmallVec::new();
            for (i, item) in input.iter().enumerate() {
                let r = c.lambda(0, item, i, None)?;
                keep.push(to_bool(&r, "where", c.pos)? == Some(true));
            }
            let mut input = input;
            let mut k = keep.into_iter();
            input.retain(|_| k.next().unwrap_or(false));
            input
        }
        Func::Select => {
            let mut out = Collection::new();
            for (i, item) in input.iter().enumerate() {
                out.extend(c.lambda(0, item, i, None)?);
                c.check_size(out.len())?;
            }
            out
        }
        Func::Repeat => {
            let mut out: Collection<'d, 'a> = Collection::new();
            let mut frontier = input;
            for _ in 0..MAX_REPEAT_ROUNDS {
                let mut next = Collection::new();
                for (i, item) in frontier.iter().enumerate() {
                    let found = c.lambda(0, item, i, None)?;
                    c.charge(found.len().saturating_mul(out.len()))?;
                    for r in found {
                        if !out.iter().any(|o| equal(o, &r) == Some(true)) {
                            out.push(r.clone());
                            next.push(r);
                        }
                    }
                    c.check_size(out.len())?;
                }
                if next.is_empty() {
                    return Ok(out);
                }
                frontier = next;
            }
            return Err(c.error("repeat", "no fixed point reached"));
        }
        Func::Typed(tf, t) => match tf {
            TypedFunc::OfType => {
                let mut input = input;
                input.retain(|i| is_type(i, *t, true));
                input
            }
            TypedFunc::As if c.ev.ctx.options.as_filters => {
                let mut input = input;
                input.retain(|i| is_type(i, *t, true));
                input
            }
            TypedFunc::As => singleton(&input, "as", c.pos)?
                .filter(|i| is_type(i, *t, true))
                .cloned()
                .into_iter()
                .collect(),
            TypedFunc::Is => match singleton(&input, "is", c.pos)? {
                Some(i) => boolean(is_type(i, *t, false)),
                None => Collection::new(),
            },
        },
        Func::Sort => sort(c, input)?,
        _ => {
            let mut total = c.arg(1)?;
            for (i, item) in input.iter().enumerate() {
                total = c.lambda(0, item, i, Some(&total))?;
            }
            total
        }
    })
}

/// `sort()` by the items themselves, or `sort(key, ...)`; a key written `-expr` sorts
/// descending (the negation of a string key is read as "descending").
fn sort<'d, 'a>(c: &mut Call<'_, '_, '_, 'd, 'a>, input: Collection<'d, 'a>) -> Out<'d, 'a> {
    use crate::fhirpath::compile::Op;
    let mut keyed = Vec::with_capacity(input.len());
    for (i, item) in input.into_iter().enumerate() {
        let mut keys = Vec::new();
        if c.args.is_empty() {
            keys.push((item.value(), false));
        }
        for k in 0..c.args.len() {
            let (plan, desc) = match &c.args[k].op {
                Op::Negate(inner) => (&**inner, true),
                _ => (&c.args[k], false),
            };
            let env = crate::fhirpath::eval::Env {
                this: &item,
                index: i,
                total: None,
            };
            let r = c.ev.eval(plan, std::slice::from_ref(&item), env)?;
            keys.push((singleton(&r, "sort", c.pos)?.and_then(Item::value), desc));
        }
        keyed.push((keys, item));
    }
    let mut failed = false;
    keyed.sort_by(|(a, _), (b, _)| {
        for ((x, desc), (y, _)) in a.iter().zip(b) {
            // Empty keys come first in either direction.
            let o = match (x, y) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) => match compare(x, y) {
                    Ok(o) => {
                        let o = o.unwrap_or(Ordering::Equal);
                        if *desc {
                            o.reverse()
                        } else {
                            o
                        }
                    }
                    Err(()) => {
                        failed = true;
                        Ordering::Equal
                    }
                },
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
    if failed {
        return Err(c.error("sort", "items cannot be ordered"));
    }
    Ok(keyed.into_iter().map(|(_, i)| i).collect())
}
