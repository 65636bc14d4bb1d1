//! Bindings: codes, Codings, CodeableConcepts and Quantities against the expanded value set.
//! Required: an error when not in it; extensible: a warning. Codes from code systems the
//! packages do not define (LOINC, UCUM, ISO 11073, MIME types, ...) and value sets with an
//! unknown canonical are "not available": an information finding of their own.

use super::check::Checker;
use super::rules::ValueSet;
use crate::finding::{Finding, Severity};
use crate::model::Node;

/// Whether a code of a node is in a value set.
enum Verdict {
    In,
    Out,
    Unavailable(String),
}

impl<'d, 'a> Checker<'_, 'd, 'a> {
    pub(crate) fn binding(
        &self,
        node: Node<'d, 'a>,
        required: bool,
        vs: usize,
        rule: &str,
        out: &mut Vec<Finding>,
    ) {
        let Some(vs) = self.rules.value_sets.get(vs) else {
            out.push(self.finding(
                "fhir-binding-unavailable",
                Severity::Information,
                node,
                node.path(),
                "the bound value set is not available, so the code was not checked".to_owned(),
                rule,
            ));
            return;
        };
        let verdict = match node.ty().name() {
            "CodeableConcept" => {
                let codings: Vec<Node<'d, 'a>> = node.children_named("coding").collect();
                let mut verdict = Verdict::Out;
                for c in &codings {
                    match coding(*c, vs) {
                        Some(Verdict::In) => {
                            verdict = Verdict::In;
                            break;
                        }
                        Some(Verdict::Unavailable(s)) => verdict = Verdict::Unavailable(s),
                        _ => {}
                    }
                }
                if codings.is_empty() && node.child("text").is_some() && !required {
                    // Extensible bindings allow text alone.
                    Verdict::In
                } else {
                    verdict
                }
            }
            "Coding" | "Quantity" | "SimpleQuantity" | "Duration" | "Age" | "Distance"
            | "Count" => match coding(node, vs) {
                Some(v) => v,
                None => return,
            },
            _ => match node.value() {
                Some(code) => match vs.contains(None, code) {
                    Some(true) => Verdict::In,
                    Some(false) => Verdict::Out,
                    None => Verdict::Unavailable(vs.unavailable.join(", ")),
                },
                None => return,
            },
        };
        if matches!(verdict, Verdict::In) {
            return;
        }
        let value = code_text(node);
        match verdict {
            Verdict::In => {}
            Verdict::Unavailable(what) => out.push(
                self.finding(
                    "fhir-binding-unavailable",
                    Severity::Information,
                    node,
                    node.path(),
                    format!(
                        "code system or value set {what} is not available, so the code was not checked against {}",
                        vs.url
                    ),
                    rule,
                )
                .with_value(value),
            ),
            Verdict::Out => out.push(
                self.finding(
                    "fhir-binding",
                    if required {
                        Severity::Error
                    } else {
                        Severity::Warning
                    },
                    node,
                    node.path(),
                    format!(
                        "code is not in the {} value set {}",
                        if required { "required" } else { "extensible" },
                        vs.url
                    ),
                    rule,
                )
                .with_value(value),
            ),
        }
    }
}

/// A Coding (or Quantity) against a value set; `None` when it has no code.
fn coding(node: Node<'_, '_>, vs: &ValueSet) -> Option<Verdict> {
    let code = node.child_value("code")?;
    let system = node.child_value("system");
    Some(match vs.contains(system, code) {
        Some(true) => Verdict::In,
        Some(false) => Verdict::Out,
        None => Verdict::Unavailable(system.unwrap_or("").to_owned()),
    })
}

fn code_text(node: Node<'_, '_>) -> String {
    if let Some(v) = node.value() {
        return v.to_owned();
    }
    let mut parts = Vec::new();
    let codings: Vec<Node<'_, '_>> = if node.ty().name() == "CodeableConcept" {
        node.children_named("coding").collect()
    } else {
        vec![node]
    };
    for c in codings {
        parts.push(format!(
            "{}|{}",
            c.child_value("system").unwrap_or(""),
            c.child_value("code").unwrap_or("")
        ));
    }
    parts.join(", ")
}
