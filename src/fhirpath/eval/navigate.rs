//! Path navigation: members, choice elements and the type name at the start of a path.

use super::{err, EvalError, Evaluator};
use crate::fhirpath::compile::Name;
use crate::fhirpath::error::EvalErrorKind;
use crate::fhirpath::value::{Collection, Item, Value};
use crate::model::{Node, Type};

impl<'d, 'a> Evaluator<'_, '_, 'd, 'a> {
    /// An identifier at the start of a path: a type name that the focus is (`Patient.name` on a
    /// Patient), else a member.
    pub(super) fn root(
        &self,
        focus: &[Item<'d, 'a>],
        name: &Name,
        ty: Option<Type>,
        pos: usize,
    ) -> Result<Collection<'d, 'a>, EvalError> {
        if let Some(t) = ty {
            let is_member = focus
                .iter()
                .any(|i| matches!(i, Item::Node(n) if name.element_of(n.ty()).is_some()));
            if !is_member {
                let matching: Collection<'d, 'a> = focus
                    .iter()
                    .filter(|i| matches!(i, Item::Node(n) if n.ty().is_a(t)))
                    .cloned()
                    .collect();
                if matching.is_empty() && self.ctx.options.strict && !focus.is_empty() {
                    return Err(err(
                        EvalErrorKind::UnknownName {
                            name: name.text.clone(),
                            on: focus_type(focus),
                        },
                        pos,
                    ));
                }
                return Ok(matching);
            }
        }
        self.members(focus, name, pos)
    }

    /// `name` of every item.
    pub(super) fn members(
        &self,
        items: &[Item<'d, 'a>],
        name: &Name,
        pos: usize,
    ) -> Result<Collection<'d, 'a>, EvalError> {
        let mut out = Collection::new();
        // Most steps give one child per item (`entry.resource`): one allocation, not a doubling.
        if items.len() > 1 {
            out.reserve(items.len());
        }
        for item in items {
            match item {
                Item::Node(n) => self.children_named(*n, name, &mut out, pos)?,
                Item::Type {
                    namespace,
                    name: type_name,
                } => match name.text.as_str() {
                    "namespace" => out.push(Item::Value(Value::string(*namespace))),
                    "name" => out.push(Item::Value(Value::string(*type_name))),
                    _ => {}
                },
                Item::Value(_) => {}
            }
            self.check_size(out.len(), pos)?;
        }
        Ok(out)
    }

    fn children_named(
        &self,
        n: Node<'d, 'a>,
        name: &Name,
        out: &mut Collection<'d, 'a>,
        pos: usize,
    ) -> Result<(), EvalError> {
        let ty = n.ty();
        if let Some(element) = name.element_of(ty) {
            // Compare definitions, not names: children are matched by an integer. Counting
            // first makes one allocation of a repeated element's items instead of a doubling;
            // a single-valued element is not worth the second walk over the children.
            let matching = n.children().filter(|c| c.element() == Some(element));
            if element.is_array() {
                let count = matching.clone().count();
                if count > 1 {
                    out.reserve(count);
                }
            }
            out.extend(matching.map(Item::Node));
            return Ok(());
        }
        if !self.ctx.options.strict {
            if let Some((element, Some(chosen))) = ty.element_for_wire_name(&name.text) {
                out.extend(
                    n.children()
                        .filter(|c| c.element() == Some(element) && c.ty() == chosen)
                        .map(Item::Node),
                );
                return Ok(());
            }
            return Ok(());
        }
        Err(err(
            EvalErrorKind::UnknownName {
                name: name.text.clone(),
                on: ty.name(),
            },
            pos,
        ))
    }
}

fn focus_type(focus: &[Item<'_, '_>]) -> &'static str {
    match focus.first() {
        Some(Item::Node(n)) => n.ty().name(),
        Some(Item::Value(v)) => v.type_name(),
        _ => "(nothing)",
    }
}
