//! Danish identifiers on the elements that hold them, checked by [`crate::dk`]:
//!
//! | where | system | check |
//! | --- | --- | --- |
//! | any Identifier | `urn:oid:1.2.208.176.1.2` (CPR) | [`crate::dk::cpr`] |
//! | any Identifier | `urn:oid:1.2.208.176.1.6.1.…` (X-eCPR `.1.1`, D-eCPR `.1.3…`) | [`crate::dk::ecpr`] |
//! | any Identifier | `https://www.gs1.org/gln`, `http://www.gs1.org/gln`, `urn:oid:1.3.88` | [`crate::dk::gln`] |
//! | any Identifier | `urn:oid:1.2.208.176.1.1` (SOR) | [`crate::dk::sor`] |
//! | any Identifier or Coding | `http://hl7.dk/fhir/core/CodeSystem/dk-core-municipality-codes` | [`crate::dk::municipality`] |
//! | `MessageHeader` endpoints | `https://sor2.sum.dsdn.dk/#id=<SOR>` | [`crate::dk::sor`] |
//!
//! Findings sit on the `value` (or `code`, or endpoint) element.

use crate::dk;
use crate::finding::{Finding, Severity};
use crate::model::Node;
use crate::validate::message::Message;
use crate::validate::Sink;

const CPR: &str = "urn:oid:1.2.208.176.1.2";
const ECPR_PREFIX: &str = "urn:oid:1.2.208.176.1.6.1.";
const SOR: &str = "urn:oid:1.2.208.176.1.1";
const GLN: &[&str] = &[
    "https://www.gs1.org/gln",
    "http://www.gs1.org/gln",
    "urn:oid:1.3.88",
];
const MUNICIPALITY: &str = "http://hl7.dk/fhir/core/CodeSystem/dk-core-municipality-codes";
const SOR_ENDPOINT: &str = "https://sor2.sum.dsdn.dk/#id=";

/// Which check a system calls for.
fn checker(system: &str) -> Option<fn(&str, &str) -> Vec<Finding>> {
    Some(match system {
        CPR => dk::cpr::findings,
        SOR => dk::sor::findings,
        MUNICIPALITY => dk::municipality::findings,
        s if GLN.contains(&s) => |v, l| dk::gln::findings(v, l, Severity::Error),
        s if s.starts_with(ECPR_PREFIX) => dk::ecpr::findings,
        _ => return None,
    })
}

/// Runs a check; the location (a path, built only when something is found) and the position
/// come from `node`.
fn run(
    sink: &mut Sink<'_>,
    check: fn(&str, &str) -> Vec<Finding>,
    node: Node<'_, '_>,
    value: &str,
) {
    if check(value, "").is_empty() {
        return;
    }
    let position = node.position();
    let found = check(value, &node.path());
    sink.extend(
        found
            .into_iter()
            .map(|f| f.with_position(position))
            .collect(),
    );
}

pub(super) fn check(msg: &Message<'_, '_>, sink: &mut Sink<'_>) {
    for &node in msg.nodes() {
        if sink.is_done() {
            return;
        }
        let (system, value) = match node.ty().name() {
            "Identifier" => (node.child_value("system"), node.child("value")),
            "Coding" => match node.child_value("system") {
                Some(MUNICIPALITY) => (Some(MUNICIPALITY), node.child("code")),
                _ => continue,
            },
            _ if node.name() == "endpoint" && node.ty().primitive().is_some() => {
                if let Some(sor) = node.value().and_then(|v| v.strip_prefix(SOR_ENDPOINT)) {
                    run(sink, dk::sor::findings, node, sor);
                }
                continue;
            }
            _ => continue,
        };
        let (Some(check), Some(value_node)) = (system.and_then(checker), value) else {
            continue;
        };
        if let Some(v) = value_node.value() {
            run(sink, check, value_node, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::rules::{testing::run, RuleGroup};

    fn patient(system: &str, value: &str) -> String {
        format!(
            r#"{{"resourceType":"Patient","identifier":[{{"system":"{system}","value":"{value}"}}]}}"#
        )
    }

    const V: &str = "Patient.identifier[0].value";

    #[test]
    fn cases() {
        // input, expected `code location`s.
        let cases: Vec<(String, Vec<String>)> = vec![
            (patient("urn:oid:1.2.208.176.1.2", "0707614285"), vec![]),
            (patient("urn:oid:1.2.208.176.1.2", "2509479989"), vec![format!("dk-cpr-modulus11 {V}")]),
            (patient("urn:oid:1.2.208.176.1.2", "3113450000"), vec![format!("dk-cpr-date {V}")]),
            (patient("urn:oid:1.2.208.176.1.2", "12345"), vec![format!("dk-cpr-format {V}")]),
            (patient("urn:oid:1.2.208.176.1.6.1.1", "0101901AB3"), vec![]),
            (patient("urn:oid:1.2.208.176.1.6.1.3.177", "3104801AB3"), vec![format!("dk-ecpr-date {V}")]),
            (patient("urn:oid:1.2.208.176.1.6.1.1", "0707614285"), vec![format!("dk-ecpr-format {V}")]),
            (patient("urn:oid:1.2.208.176.1.4", "12345"), vec![]),
            (patient("https://www.gs1.org/gln", "5790000121526"), vec![]),
            (patient("http://www.gs1.org/gln", "579000012152"), vec![format!("dk-gln-format {V}")]),
            (patient("urn:oid:1.3.88", "5790000123456"), vec![format!("dk-gln-check-digit {V}")]),
            (patient("urn:oid:1.2.208.176.1.1", "8851000016006"), vec![]),
            (patient("urn:oid:1.2.208.176.1.1", "1234567890"), vec![format!("dk-sor-format {V}")]),
            (patient("http://hl7.dk/fhir/core/CodeSystem/dk-core-municipality-codes", "0751"), vec![]),
            (patient("http://hl7.dk/fhir/core/CodeSystem/dk-core-municipality-codes", "0752"), vec![format!("dk-municipality-unknown {V}")]),
            (r#"{"resourceType":"Organization","type":[{"coding":[{"system":"http://hl7.dk/fhir/core/CodeSystem/dk-core-municipality-codes","code":"0752"}]}]}"#.into(),
                vec!["dk-municipality-unknown Organization.type[0].coding[0].code".into()]),
            (r#"{"resourceType":"MessageHeader","source":{"endpoint":"https://sor2.sum.dsdn.dk/#id=12"}}"#.into(),
                vec!["dk-sor-format MessageHeader.source.endpoint".into()]),
            (r#"{"resourceType":"MessageHeader","source":{"endpoint":"https://sor2.sum.dsdn.dk/#id=8851000016006"}}"#.into(), vec![]),
        ];
        for (input, want) in cases {
            assert_eq!(run(RuleGroup::Identifiers, &input), want, "{input}");
        }
    }
}
