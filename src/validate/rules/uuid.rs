//! UUID forms where MedCom's governance requires them (`medcom-uuid`, a warning):
//!
//! - `Bundle.id` (the envelope id, a new UUID for every sending) and `MessageHeader.id` (the
//!   letter id);
//! - `Communication.identifier.value` (the CareCommunication thread id, invariant
//!   `medcom-uuidv4`), the value of every `medcom-core-identifier-extension` (payload segment
//!   ids) and `Provenance.entity[payload].what.identifier.value` (role `source`), all as
//!   `urn:uuid:` with lower-case hex digits.
//!
//! Every other resource id SHALL be a UUID too (`medcom-uuid-id`, a warning).
//!
//! Why warnings: these rules come from MedCom's governance documents, not from the published
//! profiles, so the official HL7 validator does not report them, and many official examples
//! break them (`gfd00bc2-…`, `R-Tek-A-…`). Where a profile does require the form (the
//! `medcom-uuidv4` invariant on `Communication.identifier`), the profile engine reports the
//! error.

use smallvec::SmallVec;

use crate::finding::Severity;
use crate::model::primitive::{is_uuid, is_uuid_any_case};
use crate::model::Node;
use crate::validate::message::{finding, Message};
use crate::validate::Sink;

const RULE: &str = "MedCom messaging: identifiers";
const IDENTIFIER_EXTENSION: &str =
    "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-identifier-extension";

/// `urn:uuid:` and a lower-case UUID.
fn is_urn_uuid(value: &str) -> bool {
    value.strip_prefix("urn:uuid:").is_some_and(is_uuid)
}

fn require(
    sink: &mut Sink<'_>,
    node: Option<Node<'_, '_>>,
    ok: fn(&str) -> bool,
    severity: Severity,
    code: &'static str,
    message: &'static str,
) {
    let Some((node, value)) = node.and_then(|n| n.value().map(|v| (n, v))) else {
        return;
    };
    if !ok(value) {
        sink.push(severity, || {
            finding(code, severity, node, RULE, message).with_value(value)
        });
    }
}

pub(super) fn check(msg: &Message<'_, '_>, sink: &mut Sink<'_>) {
    let e = Severity::Warning;
    if msg.root.ty().name() != "Bundle" {
        return;
    }
    require(
        sink,
        msg.root.child("id"),
        is_uuid_any_case,
        e,
        "medcom-uuid",
        "Bundle.id must be a UUID",
    );
    // The extensions anywhere in the message, found in one pass; each resource reports its own.
    let identifier_extensions: SmallVec<[Node<'_, '_>; 4]> = msg
        .nodes()
        .iter()
        .filter(|n| n.name() == "extension" && n.child_value("url") == Some(IDENTIFIER_EXTENSION))
        .copied()
        .collect();
    for (_, resource) in msg.resources() {
        let id = resource.child("id");
        match resource.ty().name() {
            "MessageHeader" if Some(resource) == msg.header => {
                require(
                    sink,
                    id,
                    is_uuid_any_case,
                    e,
                    "medcom-uuid",
                    "MessageHeader.id must be a UUID",
                );
            }
            _ => require(
                sink,
                id,
                is_uuid_any_case,
                Severity::Warning,
                "medcom-uuid-id",
                "resource ids should be UUIDs",
            ),
        }
        match resource.ty().name() {
            "Communication" => {
                for identifier in resource.children_named("identifier") {
                    require(
                        sink,
                        identifier.child("value"),
                        is_urn_uuid,
                        e,
                        "medcom-uuid",
                        "Communication.identifier must be urn:uuid: with a lower-case UUID",
                    );
                }
            }
            "Provenance" => {
                for entity in resource.children_named("entity") {
                    if entity.child_value("role") == Some("source") {
                        let value = entity
                            .child("what")
                            .and_then(|w| w.child("identifier"))
                            .and_then(|i| i.child("value"));
                        require(sink, value, is_urn_uuid, e, "medcom-uuid", "a payload entity's identifier must be urn:uuid: with a lower-case UUID");
                    }
                }
            }
            _ => {}
        }
        for &extension in identifier_extensions
            .iter()
            .filter(|x| std::iter::successors(x.parent(), Node::parent).any(|a| a == resource))
        {
            let value = extension.child("value").and_then(|v| v.child("value"));
            require(
                sink,
                value,
                is_urn_uuid,
                e,
                "medcom-uuid",
                "a MedCom identifier extension must hold urn:uuid: with a lower-case UUID",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::rules::{testing::run, RuleGroup};

    #[test]
    fn ids_are_uuids_in_either_case() {
        for (id, ok) in [
            ("b2eb3d0e-5de5-4de9-b2a3-0ff321ad1c3a", true),
            ("B2EB3D0E-5DE5-4DE9-B2A3-0FF321AD1C3A", true),
            ("b2eb3d0e-5DE5-4de9-b2a3-0ff321ad1c3a", true),
            ("g2eb3d0e-5de5-4de9-b2a3-0ff321ad1c3a", false),
            ("b2eb3d0e-5de5-4de9-b2a3-0ff321ad1c3", false),
            ("b2eb3d0e05de5-4de9-b2a3-0ff321ad1c3a", false),
            ("b2eb3d0e-5de5-4de9-b2a3-0ff321ad1c3\u{e9}", false),
            ("", false),
        ] {
            assert_eq!(super::is_uuid_any_case(id), ok, "{id}");
            assert_eq!(super::is_uuid(&id.to_ascii_lowercase()), ok, "{id}");
        }
    }

    const U: &str = "b2eb3d0e-5de5-4de9-b2a3-0ff321ad1c3a";

    fn bundle(id: &str, header_id: &str, more: &str) -> String {
        format!(
            r#"{{"resourceType":"Bundle","id":"{id}","type":"message","entry":[{{"resource":{{"resourceType":"MessageHeader","id":"{header_id}","eventCoding":{{"code":"empty-message"}},"source":{{"endpoint":"x"}}}}}}{more}]}}"#
        )
    }

    #[test]
    fn cases() {
        let comm = |v: &str| {
            format!(
                r#",{{"resource":{{"resourceType":"Communication","id":"{U}","identifier":[{{"value":"{v}"}}],"status":"unknown"}}}}"#
            )
        };
        let ext = |v: &str| {
            format!(
                r#",{{"resource":{{"resourceType":"Communication","id":"{U}","status":"unknown","payload":[{{"extension":[{{"url":"http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-identifier-extension","valueIdentifier":{{"value":"{v}"}}}}],"contentString":"x"}}]}}}}"#
            )
        };
        let source = |v: &str| {
            format!(
                r#",{{"resource":{{"resourceType":"Provenance","id":"{U}","entity":[{{"role":"source","what":{{"identifier":{{"value":"{v}"}}}}}}]}}}}"#
            )
        };
        let upper = U.to_ascii_uppercase();
        let urn = format!("urn:uuid:{U}");
        // input, expected `code location`s.
        let cases: Vec<(String, &[&str])> = vec![
            (bundle(U, U, ""), &[]),
            (bundle(&upper, U, ""), &[]),
            (bundle("gfd00bc2-9c26-4174-934e-f6e4360845de", U, ""), &["medcom-uuid Bundle.id"]),
            (bundle(U, "m1", ""), &["medcom-uuid Bundle.entry[0].resource.id"]),
            (bundle(U, U, &comm(&urn)), &[]),
            (bundle(U, U, &comm(U)), &["medcom-uuid Bundle.entry[1].resource.identifier[0].value"]),
            (bundle(U, U, &comm(&urn.to_ascii_uppercase().replace("URN:UUID", "urn:uuid"))), &["medcom-uuid Bundle.entry[1].resource.identifier[0].value"]),
            (bundle(U, U, &ext(&urn)), &[]),
            (bundle(U, U, &ext("123")), &["medcom-uuid Bundle.entry[1].resource.payload[0].extension[0].value.ofType(Identifier).value"]),
            (bundle(U, U, &source(&urn)), &[]),
            (bundle(U, U, &source("5790000121526#1")), &["medcom-uuid Bundle.entry[1].resource.entity[0].what.identifier.value"]),
            (bundle(U, U, r#",{"resource":{"resourceType":"Patient","id":"p1"}}"#), &["medcom-uuid-id Bundle.entry[1].resource.id"]),
        ];
        for (input, want) in cases {
            assert_eq!(run(RuleGroup::Uuid, &input), want, "{input}");
        }
    }
}
