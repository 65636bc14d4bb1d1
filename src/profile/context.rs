//! Extension context: a known extension is used only where its definition allows
//! (`StructureDefinition.context`): on an element of a named type (or a type derived from it),
//! at a named element path, or inside a named extension. FHIRPath contexts are not checked.
//!
//! A warning, not an error: the R4 core content itself uses its own extensions outside their
//! declared contexts (`structuredefinition-normative-version` on CodeSystems and ValueSets in
//! 130 of the official examples), and the verdicts follow what those examples are held to.

use super::check::Checker;
use crate::finding::{Finding, Severity};
use crate::model::{Node, Type, TypeKind};

impl<'d, 'a> Checker<'_, 'd, 'a> {
    pub(crate) fn extension_context(&self, ext: Node<'d, 'a>, pi: usize, out: &mut Vec<Finding>) {
        let profile = &self.rules.profiles[pi];
        if profile.contexts.is_empty() {
            return;
        }
        let Some(parent) = ext.parent() else {
            return;
        };
        let path = element_path(parent);
        let allowed = profile
            .contexts
            .iter()
            .any(|(kind, expr)| match kind.as_str() {
                "element" => fits_element(parent, &path, expr),
                "extension" => {
                    parent.ty().is_extension() && parent.child_value("url") == Some(expr.as_str())
                }
                // FHIRPath contexts: not evaluated, so not held against the extension.
                _ => true,
            });
        if !allowed {
            let places: Vec<&str> = profile.contexts.iter().map(|(_, e)| e.as_str()).collect();
            out.push(
                self.finding(
                    "fhir-extension-context",
                    Severity::Warning,
                    ext,
                    ext.path(),
                    format!(
                        "extension is not allowed on {path}; its definition allows: {}",
                        places.join(", ")
                    ),
                    &profile.url,
                )
                .with_value(ext.child_value("url").unwrap_or("")),
            );
        }
    }
}

/// The element path of a node without indices or choice types: `Patient.contact.name`.
fn element_path(node: Node<'_, '_>) -> String {
    let mut names = Vec::new();
    let mut n = node;
    while let Some(p) = n.parent() {
        if n.is_resource() {
            break;
        }
        names.push(n.name());
        n = p;
    }
    let mut out = n.resource().ty().name().to_owned();
    if node.is_resource() {
        return node.ty().name().to_owned();
    }
    for name in names.iter().rev() {
        out.push('.');
        out.push_str(name);
    }
    out
}

fn fits_element(parent: Node<'_, '_>, path: &str, expr: &str) -> bool {
    let ty = parent.ty();
    match expr {
        "Element" | "Base" => return true,
        "Resource" | "DomainResource" => return parent.is_resource(),
        "BackboneElement" => return ty.kind() == TypeKind::Backbone,
        _ => {}
    }
    if let Some(t) = Type::by_name(expr) {
        if ty.is_a(t) {
            return true;
        }
    }
    // A backbone type is named by its path (`Patient.contact`).
    if ty.name() == expr || path == expr {
        return true;
    }
    // A path from a datatype (`HumanName.family`).
    if let Some((root, rest)) = expr.split_once('.') {
        let mut names: Vec<&str> = Vec::new();
        let mut n = parent;
        while let Some(p) = n.parent() {
            names.push(n.name());
            let t = p.ty();
            if t.kind() == TypeKind::Complex
                && (t.name() == root || Type::by_name(root).is_some_and(|r| t.is_a(r)))
            {
                names.reverse();
                if names.join(".") == rest.trim_end_matches("[x]") {
                    return true;
                }
                names.reverse();
            }
            if p.is_resource() {
                break;
            }
            n = p;
        }
    }
    // `Observation.value[x]` names the choice element.
    expr.strip_suffix("[x]").is_some_and(|e| e == path)
}
