//! FHIR functions: `extension`, `hasValue`, `getValue`, `resolve`, `conformsTo`, `memberOf`,
//! `htmlChecks`.

use super::{boolean, one, Call, Out};
use crate::fhirpath::compile::Func;
use crate::fhirpath::error::EvalErrorKind;
use crate::fhirpath::eval::{err, singleton};
use crate::fhirpath::value::{node_value, Collection, Item, Value};
use crate::model::Node;

pub(super) fn call<'d, 'a>(
    c: &mut Call<'_, '_, '_, 'd, 'a>,
    f: &Func,
    input: Collection<'d, 'a>,
) -> Out<'d, 'a> {
    Ok(match f {
        Func::Extension => {
            let Some(url) = c.arg_string(0, "extension")? else {
                return Ok(Collection::new());
            };
            input
                .iter()
                .filter_map(Item::node)
                .flat_map(|n| n.children_named("extension"))
                .filter(|e| e.child_value("url") == Some(url.as_str()))
                .map(Item::Node)
                .collect()
        }
        Func::HasValue => boolean(match singleton(&input, "hasValue", c.pos)? {
            Some(Item::Node(n)) => n.ty().primitive().is_some() && n.value().is_some(),
            _ => false,
        }),
        Func::GetValue => match singleton(&input, "getValue", c.pos)? {
            Some(Item::Node(n)) if n.ty().primitive().is_some() => {
                node_value(*n).map(one).unwrap_or_default()
            }
            _ => Collection::new(),
        },
        Func::Resolve => input
            .iter()
            .filter_map(|i| resolve(i, c.ev.ctx.resource))
            .map(Item::Node)
            .collect(),
        Func::ConformsTo => {
            let Some(url) = c.arg_string(0, "conformsTo")? else {
                return Ok(Collection::new());
            };
            let mut out = Collection::new();
            for i in &input {
                let Item::Node(n) = i else {
                    out.push(Item::Value(Value::Boolean(false)));
                    continue;
                };
                let r = c.ev.ctx.hooks.conforms_to(*n, &url).map_err(|message| {
                    err(
                        EvalErrorKind::Hook {
                            function: "conformsTo",
                            message: message.to_string(),
                        },
                        c.pos,
                    )
                })?;
                out.push(Item::Value(Value::Boolean(r)));
            }
            // One answer for the whole input: all of it conforms.
            match out.len() {
                0 | 1 => out,
                _ => boolean(
                    out.iter()
                        .all(|i| matches!(i.value(), Some(Value::Boolean(true)))),
                ),
            }
        }
        Func::MemberOf => {
            let Some(vs) = c.arg_string(0, "memberOf")? else {
                return Ok(Collection::new());
            };
            let Some(item) = singleton(&input, "memberOf", c.pos)? else {
                return Ok(Collection::new());
            };
            let r = c.ev.ctx.hooks.member_of(item, &vs).map_err(|message| {
                err(
                    EvalErrorKind::Hook {
                        function: "memberOf",
                        message: message.to_string(),
                    },
                    c.pos,
                )
            })?;
            boolean(r)
        }
        // R4 writes both narrative invariants, `txt-1` (only basic formatting elements and
        // attributes) and `txt-2` (some non-whitespace content), as `htmlChecks()`: it holds
        // when a narrative keeps to both. The reader found the facts while checking the XHTML;
        // anything that is not a narrative has nothing to check.
        Func::HtmlChecks => boolean(input.iter().all(|i| {
            match i {
                Item::Node(n) => n
                    .narrative_facts()
                    .is_none_or(|f| f.only_allowed && f.has_content),
                _ => true,
            }
        })),
        _ => boolean(true),
    })
}

/// The reference text of an item: a Reference's `reference`, or a string/uri value.
fn reference_text<'x>(item: &'x Item<'_, '_>) -> Option<&'x str> {
    match item {
        Item::Node(n) if n.ty().primitive().is_some() => n.value(),
        Item::Node(n) => n.child_value("reference"),
        Item::Value(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// Resolves a reference within the document: `#id` to a contained resource, otherwise to a
/// Bundle entry whose `fullUrl` equals the reference, or whose resource has the type and id
/// the reference ends with (`Patient/123`, `https://host/fhir/Patient/123`).
fn resolve<'d, 'a>(item: &Item<'d, 'a>, resource: Node<'d, 'a>) -> Option<Node<'d, 'a>> {
    let start = match item {
        Item::Node(n) => *n,
        _ => resource,
    };
    let reference = reference_text(item)?;
    if let Some(id) = reference.strip_prefix('#') {
        let container = container_of(start)?;
        return container
            .children_named("contained")
            .find(|c| c.child_value("id") == Some(id));
    }
    // The nearest enclosing Bundle, then any Bundle further up.
    let mut n = Some(start);
    while let Some(node) = n {
        if node.ty().name() == "Bundle" {
            if let Some(found) = in_bundle(node, reference) {
                return Some(found);
            }
        }
        n = node.parent();
    }
    None
}

/// The resource whose `contained` a `#id` points into: the nearest resource that is not
/// itself contained.
fn container_of<'d, 'a>(n: Node<'d, 'a>) -> Option<Node<'d, 'a>> {
    let mut r = n.resource();
    while r.name() == "contained" {
        r = r.parent()?.resource();
    }
    Some(r)
}

fn type_and_id(reference: &str) -> Option<(&str, &str)> {
    let reference = reference.split("/_history/").next()?;
    let mut parts = reference.rsplitn(3, '/');
    let id = parts.next()?;
    let ty = parts.next()?;
    Some((ty, id))
}

fn in_bundle<'d, 'a>(bundle: Node<'d, 'a>, reference: &str) -> Option<Node<'d, 'a>> {
    let wanted = type_and_id(reference);
    for entry in bundle.children_named("entry") {
        let Some(res) = entry.child("resource") else {
            continue;
        };
        if entry.child_value("fullUrl") == Some(reference) {
            return Some(res);
        }
        if let Some((ty, id)) = wanted {
            if res.ty().name() == ty && res.child_value("id") == Some(id) {
                return Some(res);
            }
        }
    }
    None
}
