//! MedComMessagingProvenance rules the profiles cannot express.
//!
//! - `medcom-provenance-target`: some Provenance targets this message's MessageHeader, and every
//!   `Provenance.target` is a literal reference to a MessageHeader (of this or an earlier
//!   message).
//! - `medcom-provenance-entity`: an entity with role `revision` or `removal` points to a
//!   *previous* MessageHeader (`what.reference`) or a legacy letter (`what.identifier`); an
//!   entity pointing to a MessageHeader has one of those roles; and the current Provenance of a
//!   reply, forward, acknowledgement, revision or HospitalNotification follow-up points to the
//!   previous message (role `removal` for cancellations).

use crate::finding::Severity;
use crate::model::Node;
use crate::validate::message::{coding_code, finding, reference_parts, Message};
use crate::validate::Sink;

const RULE: &str = "MedComMessagingProvenance";
const E: Severity = Severity::Error;

pub(super) fn check(msg: &Message<'_, '_>, sink: &mut Sink<'_>) {
    let Some(header) = msg.header else {
        return; // the header group reports a missing MessageHeader
    };
    for (_, provenance) in msg.resources_of("Provenance") {
        targets(msg, provenance, sink);
        entities(msg, provenance, sink);
    }
    let mut current = msg.current_provenances().peekable();
    if current.peek().is_none() {
        sink.push(E, || {
            finding(
                "medcom-provenance-target",
                E,
                header,
                RULE,
                "no Provenance targets this message's MessageHeader",
            )
        });
    }
    for provenance in current {
        predecessor(provenance, sink);
    }
}

fn targets(msg: &Message<'_, '_>, provenance: Node<'_, '_>, sink: &mut Sink<'_>) {
    for target in provenance.children_named("target") {
        match target
            .child("reference")
            .and_then(|r| r.value().map(|v| (r, v)))
        {
            Some((node, value)) => {
                let to_header = reference_parts(value).is_some_and(|(t, _)| t == "MessageHeader");
                if !to_header && !msg.is_current_header(value) {
                    sink.push(E, || {
                        finding(
                            "medcom-provenance-target",
                            E,
                            node,
                            RULE,
                            "Provenance.target must reference a MessageHeader",
                        )
                    });
                }
            }
            None => sink.push(E, || {
                finding(
                    "medcom-provenance-target",
                    E,
                    target,
                    RULE,
                    "Provenance.target has no literal reference to a MessageHeader",
                )
            }),
        }
    }
}

fn entities(msg: &Message<'_, '_>, provenance: Node<'_, '_>, sink: &mut Sink<'_>) {
    for entity in provenance.children_named("entity") {
        let role = entity.child("role");
        let what = entity.child("what");
        let reference = what
            .and_then(|w| w.child("reference"))
            .and_then(|r| r.value().map(|v| (r, v)));
        let to_header = reference
            .and_then(|(_, v)| reference_parts(v))
            .is_some_and(|(t, _)| t == "MessageHeader");
        match role.and_then(|r| r.value()) {
            Some(role @ ("revision" | "removal")) => match reference {
                Some((node, _)) if !to_header => sink.push(E, || {
                    finding(
                        "medcom-provenance-entity",
                        E,
                        node,
                        RULE,
                        format!("an entity with role '{role}' must point to a previous MessageHeader"),
                    )
                }),
                Some((node, value)) if msg.is_current_header(value) => sink.push(E, || {
                    finding(
                        "medcom-provenance-entity",
                        E,
                        node,
                        RULE,
                        format!("an entity with role '{role}' points to this message's own MessageHeader, not a previous one"),
                    )
                }),
                Some(_) => {}
                None if what.and_then(|w| w.child("identifier")).is_some() => {}
                None => sink.push(E, || {
                    finding(
                        "medcom-provenance-entity",
                        E,
                        what.unwrap_or(entity),
                        RULE,
                        format!("an entity with role '{role}' names no previous message (what.reference or what.identifier)"),
                    )
                }),
            },
            _ if to_header => sink.push(E, || {
                finding(
                    "medcom-provenance-entity",
                    E,
                    role.unwrap_or(entity),
                    RULE,
                    "an entity pointing to a MessageHeader must have role 'revision' or 'removal'",
                )
            }),
            _ => {}
        }
    }
}

/// The role with which the current Provenance of an activity points to the previous message.
fn predecessor_role(activity: &str) -> Option<&'static str> {
    match activity {
        a if a.starts_with("cancel-") => Some("removal"),
        a if a.starts_with("revise-") => Some("revision"),
        "reply-message"
        | "forward-message"
        | "acknowledgement"
        | "start-leave-inpatient"
        | "end-leave-inpatient"
        | "discharge-inpatient-home"
        | "discharge-emergency-home" => Some("revision"),
        _ => None,
    }
}

fn predecessor(provenance: Node<'_, '_>, sink: &mut Sink<'_>) {
    let Some(code) = coding_code(provenance, "activity") else {
        return;
    };
    let Some(activity) = code.value() else {
        return;
    };
    let Some(role) = predecessor_role(activity) else {
        return;
    };
    let found = provenance.children_named("entity").any(|e| {
        e.child_value("role") == Some(role)
            && e.child("what")
                .is_some_and(|w| w.child("reference").is_some() || w.child("identifier").is_some())
    });
    if !found {
        sink.push(E, || {
            finding(
                "medcom-provenance-entity",
                E,
                code,
                RULE,
                format!("activity '{activity}' must point to the previous message with an entity of role '{role}'"),
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::rules::{testing::run, RuleGroup};

    fn bundle(provenances: &[&str]) -> String {
        let mut entries = vec![r#"{"fullUrl":"https://x.dk/MessageHeader/m1","resource":{"resourceType":"MessageHeader","id":"m1","eventCoding":{"code":"empty-message"},"source":{"endpoint":"x"}}}"#.to_owned()];
        entries.extend(
            provenances
                .iter()
                .map(|p| format!(r#"{{"resource":{{"resourceType":"Provenance",{p}}}}}"#)),
        );
        format!(
            r#"{{"resourceType":"Bundle","type":"message","entry":[{}]}}"#,
            entries.join(",")
        )
    }

    const P: &str = "Bundle.entry[1].resource";

    #[test]
    fn cases() {
        let new = r#""target":[{"reference":"MessageHeader/m1"}],"activity":{"coding":[{"code":"new-message"}]}"#;
        let full_url = r#""target":[{"reference":"https://x.dk/MessageHeader/m1"}]"#;
        let other = r#""target":[{"reference":"MessageHeader/m0"}]"#;
        let reply = r#""target":[{"reference":"MessageHeader/m1"}],"activity":{"coding":[{"code":"reply-message"}]},"entity":[{"role":"revision","what":{"reference":"MessageHeader/m0"}}]"#;
        let reply_bare = r#""target":[{"reference":"MessageHeader/m1"}],"activity":{"coding":[{"code":"reply-message"}]}"#;
        let cancel_revision = r#""target":[{"reference":"MessageHeader/m1"}],"activity":{"coding":[{"code":"cancel-admit-inpatient"}]},"entity":[{"role":"revision","what":{"reference":"MessageHeader/m0"}}]"#;
        let legacy = r#""target":[{"reference":"MessageHeader/m1"}],"activity":{"coding":[{"code":"reply-message"}]},"entity":[{"role":"revision","what":{"identifier":{"value":"5790000121526#123"}}}]"#;
        let to_patient = r#""target":[{"reference":"Patient/p"}]"#;
        let self_revision = r#""target":[{"reference":"MessageHeader/m1"}],"entity":[{"role":"revision","what":{"reference":"MessageHeader/m1"}}]"#;
        let revision_to_patient = r#""target":[{"reference":"MessageHeader/m1"}],"entity":[{"role":"revision","what":{"reference":"Patient/p"}}]"#;
        let source_to_header = r#""target":[{"reference":"MessageHeader/m1"}],"entity":[{"role":"source","what":{"reference":"MessageHeader/m0"}}]"#;
        let removal_empty =
            r#""target":[{"reference":"MessageHeader/m1"}],"entity":[{"role":"removal"}]"#;
        // input, expected `code location`s.
        let cases: Vec<(String, Vec<String>)> = vec![
            (bundle(&[new]), vec![]),
            (bundle(&[full_url]), vec![]),
            (bundle(&[other, new]), vec![]),
            (bundle(&[reply]), vec![]),
            (bundle(&[legacy]), vec![]),
            (
                bundle(&[other]),
                vec!["medcom-provenance-target Bundle.entry[0].resource".into()],
            ),
            (
                bundle(&[]),
                vec!["medcom-provenance-target Bundle.entry[0].resource".into()],
            ),
            (
                bundle(&[to_patient, new]),
                vec![format!("medcom-provenance-target {P}.target[0].reference")],
            ),
            (
                bundle(&[reply_bare]),
                vec![format!(
                    "medcom-provenance-entity {P}.activity.coding[0].code"
                )],
            ),
            (
                bundle(&[cancel_revision]),
                vec![format!(
                    "medcom-provenance-entity {P}.activity.coding[0].code"
                )],
            ),
            (
                bundle(&[self_revision]),
                vec![format!(
                    "medcom-provenance-entity {P}.entity[0].what.reference"
                )],
            ),
            (
                bundle(&[revision_to_patient]),
                vec![format!(
                    "medcom-provenance-entity {P}.entity[0].what.reference"
                )],
            ),
            (
                bundle(&[source_to_header]),
                vec![format!("medcom-provenance-entity {P}.entity[0].role")],
            ),
            (
                bundle(&[removal_empty]),
                vec![format!("medcom-provenance-entity {P}.entity[0]")],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(run(RuleGroup::Provenance, &input), want, "{input}");
        }
    }
}
