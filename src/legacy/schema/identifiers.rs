//! The Danish identifier pass over a legacy document: the checks the schemas cannot express.
//!
//! - `CivilRegistrationNumber`: CPR date and century, modulus 11 as a warning.
//! - `AlternativeIdentifier`: checked as an eCPR number when it has the eCPR form (warnings,
//!   since the field may carry other replacement numbers).
//! - `EANIdentifier` (also inside `OriginalSender`/`OriginalReceiver`): GLN check digit as a
//!   warning; a non-numeric value (a VANS id such as `DKKMDKMDNET`) is left alone, a numeric
//!   one that is not 13 digits is a warning.
//! - `Identifier` followed by `IdentifierCode`: `lokationsnummer` as a GLN, `sorkode` as a SOR
//!   code, `kommunenummer` as a municipality code.
//! - VANSEnvelope `SenderID`/`ReceiverID` with `EndPointType="EAN"`: as a GLN.

use roxmltree::{Document, Node};

use super::validate::{path_of, position, Capped};
use crate::dk::{cpr, ecpr, gln, municipality, sor};
use crate::finding::{Finding, Severity};

/// Runs the identifier checks over every element of the document.
pub(crate) fn check(doc: &Document<'_>, max: usize) -> Capped {
    super::validate::with_memo(doc, || check_all(doc, max))
}

fn check_all(doc: &Document<'_>, max: usize) -> Capped {
    let mut out = Capped::new(max);
    for node in doc.descendants().filter(Node::is_element) {
        let value = || node.text().unwrap_or("").trim();
        let found = match node.tag_name().name() {
            "CivilRegistrationNumber" => cpr::findings(value(), &path_of(node)),
            "AlternativeIdentifier" => alternative(value(), node),
            "EANIdentifier" => ean(value(), node, Severity::Warning),
            "Identifier" => match code_after(node) {
                Some("lokationsnummer") => ean(value(), node, Severity::Error),
                Some("sorkode") => sor::findings(value(), &path_of(node)),
                Some("kommunenummer") => municipality::findings(value(), &path_of(node)),
                _ => Vec::new(),
            },
            "SenderID" | "ReceiverID" if node.attribute("EndPointType") == Some("EAN") => {
                ean(value(), node, Severity::Error)
            }
            _ => Vec::new(),
        };
        for f in found {
            out.push(f.with_position(position(node)));
        }
    }
    out
}

/// The `IdentifierCode` sibling that qualifies an `Identifier`.
fn code_after<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    node.next_siblings()
        .filter(Node::is_element)
        .find(|n| n.tag_name().name() == "IdentifierCode")
        .and_then(|n| n.text())
        .map(str::trim)
}

fn ean(value: &str, node: Node<'_, '_>, format: Severity) -> Vec<Finding> {
    if format == Severity::Warning && !value.bytes().all(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    gln::findings(value, &path_of(node), format)
}

fn alternative(value: &str, node: Node<'_, '_>) -> Vec<Finding> {
    let b = value.as_bytes();
    let looks_like_ecpr = b.len() == 10
        && b.get(7..9)
            .is_some_and(|l| l.iter().all(u8::is_ascii_uppercase));
    if !looks_like_ecpr {
        return Vec::new();
    }
    ecpr::findings(value, &path_of(node))
        .into_iter()
        .map(|f| {
            Finding::new(f.code(), Severity::Warning, f.location(), f.message())
                .with_rule("eCPR")
                .with_value(value)
        })
        .collect()
}
