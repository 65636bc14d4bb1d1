//! Tree navigation: `children` and `descendants`.

use super::{Call, Out};
use crate::fhirpath::compile::Func;
use crate::fhirpath::value::{Collection, Item};

pub(super) fn call<'d, 'a>(
    c: &mut Call<'_, '_, '_, 'd, 'a>,
    f: &Func,
    input: Collection<'d, 'a>,
) -> Out<'d, 'a> {
    let children = |items: &[Item<'d, 'a>]| -> Collection<'d, 'a> {
        items
            .iter()
            .filter_map(Item::node)
            .flat_map(|n| n.children().map(Item::Node))
            .collect()
    };
    let mut frontier = children(&input);
    c.check_size(frontier.len())?;
    if !matches!(f, Func::Descendants) {
        return Ok(frontier);
    }
    let mut out = Collection::new();
    while !frontier.is_empty() {
        let next = children(&frontier);
        out.extend(frontier);
        c.check_size(out.len() + next.len())?;
        frontier = next;
    }
    Ok(out)
}
