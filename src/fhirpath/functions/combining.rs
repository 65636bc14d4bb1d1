//! Combining: `union` (without duplicates) and `combine` (with).

use super::{Call, Out};
use crate::fhirpath::compile::Func;
use crate::fhirpath::eval::union_into;
use crate::fhirpath::value::Collection;

pub(super) fn call<'d, 'a>(
    c: &mut Call<'_, '_, '_, 'd, 'a>,
    f: &Func,
    input: Collection<'d, 'a>,
) -> Out<'d, 'a> {
    let other = c.arg(0)?;
    c.check_size(input.len() + other.len())?;
    Ok(if matches!(f, Func::Union) {
        let n = input.len() + other.len();
        c.charge(n.saturating_mul(n))?;
        let mut out = Collection::with_capacity(input.len() + other.len());
        union_into(&mut out, input);
        union_into(&mut out, other);
        out
    } else {
        let mut out = input;
        out.extend(other);
        out
    })
}
