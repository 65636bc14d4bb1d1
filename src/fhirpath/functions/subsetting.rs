//! Subsetting: `single`, `first`, `last`, `tail`, `skip`, `take`, `intersect`, `exclude`.

use super::{Call, Out};
use crate::fhirpath::compile::Func;
use crate::fhirpath::eval::singleton;
use crate::fhirpath::value::{equal, Collection};

pub(super) fn call<'d, 'a>(
    c: &mut Call<'_, '_, '_, 'd, 'a>,
    f: &Func,
    mut input: Collection<'d, 'a>,
) -> Out<'d, 'a> {
    Ok(match f {
        Func::Single => singleton(&input, "single", c.pos)?
            .cloned()
            .into_iter()
            .collect(),
        Func::First => {
            input.truncate(1);
            input
        }
        Func::Last => input.pop().into_iter().collect(),
        Func::Tail => input.into_iter().skip(1).collect(),
        Func::Skip | Func::Take => {
            let n = c.arg_int(0, "skip")?;
            let Some(n) = n else {
                return Ok(Collection::new());
            };
            let n = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
            if matches!(f, Func::Skip) {
                input.into_iter().skip(n).collect()
            } else {
                input.truncate(n);
                input
            }
        }
        Func::Intersect => {
            let other = c.arg(0)?;
            c.charge(input.len().saturating_mul(other.len() + input.len()))?;
            let mut out: Collection<'d, 'a> = Collection::new();
            for i in input {
                if other.iter().any(|o| equal(o, &i) == Some(true))
                    && !out.iter().any(|o| equal(o, &i) == Some(true))
                {
                    out.push(i);
                }
            }
            out
        }
        _ => {
            let other = c.arg(0)?;
            c.charge(input.len().saturating_mul(other.len()))?;
            input
                .into_iter()
                .filter(|i| !other.iter().any(|o| equal(o, i) == Some(true)))
                .collect()
        }
    })
}
