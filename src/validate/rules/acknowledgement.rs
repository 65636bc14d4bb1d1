//! `medcom-ack-pairing`: an Acknowledgement and the message it acknowledges agree (digest §2.3
//! and §4):
//!
//! - `MessageHeader.response.identifier` names the acknowledged MessageHeader;
//! - the Bundle holds exactly two Provenances: the Acknowledgement's own (activity
//!   `acknowledgement`, targeting this MessageHeader, with an entity of role `revision` whose
//!   `what.reference` is `MessageHeader/<acknowledged id>`) and a copy of the acknowledged
//!   message's latest Provenance, which targets the acknowledged MessageHeader;
//! - an acknowledgement is never acknowledged (the copied Provenance is not an acknowledgement);
//! - a response code other than `ok` refers in `response.details` to an OperationOutcome in the
//!   Bundle.

use crate::finding::Severity;
use crate::model::Node;
use crate::validate::message::{coding_code, finding, reference_parts, Kind, Message};
use crate::validate::Sink;

const RULE: &str = "MedCom Acknowledgement: pairing with the acknowledged message";
const CODE: &str = "medcom-ack-pairing";
const E: Severity = Severity::Error;

fn points_to(reference: Option<&str>, acked: &str) -> bool {
    reference.and_then(reference_parts) == Some(("MessageHeader", acked))
}

fn what_reference<'d, 'a>(entity: &Node<'d, 'a>) -> Option<Node<'d, 'a>> {
    entity.child("what").and_then(|w| w.child("reference"))
}

fn activity<'d>(provenance: Node<'d, '_>) -> Option<&'d str> {
    coding_code(provenance, "activity").and_then(|c| c.value())
}

pub(super) fn check(msg: &Message<'_, '_>, sink: &mut Sink<'_>) {
    let (Some(Kind::Acknowledgement), Some(header)) = (msg.kind, msg.header) else {
        return;
    };
    let Some(response) = header.child("response") else {
        sink.push(E, || {
            finding(
                CODE,
                E,
                header,
                RULE,
                "an Acknowledgement needs MessageHeader.response",
            )
        });
        return;
    };
    let provenances: Vec<Node<'_, '_>> = msg.resources_of("Provenance").map(|(_, p)| p).collect();
    match provenances.get(2) {
        Some(&third) => sink.push(E, || {
            finding(CODE, E, third, RULE, "an Acknowledgement holds exactly two Provenances")
        }),
        None if provenances.len() < 2 => sink.push(E, || {
            finding(CODE, E, header, RULE, "an Acknowledgement holds exactly two Provenances: its own and the acknowledged message's latest")
        }),
        None => {}
    }
    if let Some(code) = response.child("code").filter(|c| c.value() != Some("ok")) {
        let details = response.child("details");
        let resolved = details
            .and_then(|d| d.child_value("reference"))
            .and_then(|r| msg.resolve(r))
            .is_some_and(|r| r.ty().name() == "OperationOutcome");
        if !resolved {
            sink.push(E, || {
                finding(CODE, E, details.unwrap_or(code), RULE, "a response code other than 'ok' refers in response.details to an OperationOutcome in the Bundle")
            });
        }
    }
    let Some((id_node, acked)) = response
        .child("identifier")
        .and_then(|i| i.value().map(|v| (i, v)))
    else {
        sink.push(E, || {
            finding(
                CODE,
                E,
                response,
                RULE,
                "MessageHeader.response.identifier must name the acknowledged MessageHeader",
            )
        });
        return;
    };
    let own: Vec<Node<'_, '_>> = msg.current_provenances().collect();
    for &provenance in &own {
        match coding_code(provenance, "activity") {
            Some(code) if code.value() != Some("acknowledgement") => sink.push(E, || {
                finding(
                    CODE,
                    E,
                    code,
                    RULE,
                    "the Acknowledgement's own Provenance has activity 'acknowledgement'",
                )
            }),
            _ => {}
        }
        let entities: Vec<Node<'_, '_>> = provenance
            .children_named("entity")
            .filter(|e| e.child_value("role") == Some("revision"))
            .collect();
        if !entities
            .iter()
            .any(|e| points_to(what_reference(e).and_then(|r| r.value()), acked))
        {
            sink.push(E, || {
                let node = entities.iter().find_map(what_reference).unwrap_or(provenance);
                finding(CODE, E, node, RULE, "the Acknowledgement's Provenance must point (role 'revision') to the MessageHeader named in response.identifier")
            });
        }
    }
    let copies: Vec<Node<'_, '_>> = provenances
        .iter()
        .copied()
        .filter(|p| !own.contains(p))
        .collect();
    let targets = |p: &Node<'_, '_>| {
        p.children_named("target")
            .any(|t| points_to(t.child_value("reference"), acked))
    };
    if !copies.is_empty() && !copies.iter().any(targets) {
        sink.push(E, || {
            let node = copies
                .first()
                .and_then(|p| p.child("target"))
                .and_then(|t| t.child("reference"))
                .unwrap_or(id_node);
            finding(
                CODE,
                E,
                node,
                RULE,
                "no Provenance targets the acknowledged MessageHeader named in response.identifier",
            )
        });
    }
    for copy in copies {
        if activity(copy) == Some("acknowledgement") {
            if let Some(code) = coding_code(copy, "activity") {
                sink.push(E, || {
                    finding(
                        CODE,
                        E,
                        code,
                        RULE,
                        "an acknowledgement is never acknowledged",
                    )
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::rules::{testing::run, RuleGroup};

    fn ack(response: &str, provenances: &[&str], oo: bool) -> String {
        let mut entries = vec![format!(
            r#"{{"resource":{{"resourceType":"MessageHeader","id":"a1","eventCoding":{{"code":"acknowledgement-message"}},"source":{{"endpoint":"x"}}{response}}}}}"#
        )];
        entries.extend(
            provenances
                .iter()
                .map(|p| format!(r#"{{"resource":{{"resourceType":"Provenance",{p}}}}}"#)),
        );
        if oo {
            entries.push(r#"{"resource":{"resourceType":"OperationOutcome","id":"o1","issue":[{"severity":"error","code":"value"}]}}"#.into());
        }
        format!(
            r#"{{"resourceType":"Bundle","type":"message","entry":[{}]}}"#,
            entries.join(",")
        )
    }

    const OK: &str = r#","response":{"identifier":"m1","code":"ok"}"#;
    const FATAL: &str = r#","response":{"identifier":"m1","code":"fatal-error","details":{"reference":"OperationOutcome/o1"}}"#;
    const COPY: &str = r#""target":[{"reference":"MessageHeader/m1"}],"activity":{"coding":[{"code":"new-message"}]}"#;
    const OWN: &str = r#""target":[{"reference":"MessageHeader/a1"}],"activity":{"coding":[{"code":"acknowledgement"}]},"entity":[{"role":"revision","what":{"reference":"MessageHeader/m1"}}]"#;

    #[test]
    fn cases() {
        let own_other = OWN.replace("MessageHeader/m1", "MessageHeader/m2");
        let copy_other = COPY.replace("MessageHeader/m1", "MessageHeader/m2");
        let own_new = OWN.replace(r#""code":"acknowledgement""#, r#""code":"new-message""#);
        let copy_ack = COPY.replace("new-message", "acknowledgement");
        // input, expected `code location`s.
        let cases: Vec<(String, Vec<&str>)> = vec![
            (ack(OK, &[COPY, OWN], false), vec![]),
            (ack(FATAL, &[COPY, OWN], true), vec![]),
            (
                ack(FATAL, &[COPY, OWN], false),
                vec!["medcom-ack-pairing Bundle.entry[0].resource.response.details"],
            ),
            (
                ack("", &[COPY, OWN], false),
                vec!["medcom-ack-pairing Bundle.entry[0].resource"],
            ),
            (
                ack(OK, &[OWN], false),
                vec!["medcom-ack-pairing Bundle.entry[0].resource"],
            ),
            (
                ack(OK, &[COPY, OWN, COPY], false),
                vec!["medcom-ack-pairing Bundle.entry[3].resource"],
            ),
            (
                ack(OK, &[COPY, &own_other], false),
                vec!["medcom-ack-pairing Bundle.entry[2].resource.entity[0].what.reference"],
            ),
            (
                ack(OK, &[&copy_other, OWN], false),
                vec!["medcom-ack-pairing Bundle.entry[1].resource.target[0].reference"],
            ),
            (
                ack(OK, &[COPY, &own_new], false),
                vec!["medcom-ack-pairing Bundle.entry[2].resource.activity.coding[0].code"],
            ),
            (
                ack(OK, &[&copy_ack, OWN], false),
                vec!["medcom-ack-pairing Bundle.entry[1].resource.activity.coding[0].code"],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(run(RuleGroup::Acknowledgement, &input), want, "{input}");
        }
    }
}
