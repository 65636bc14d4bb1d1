//! `medcom-header-first`: a MedCom message is a Bundle whose `entry[0]` is its one
//! MessageHeader (MedCom messaging; the other entries are unordered).
//! `medcom-message-type`: `MessageHeader.eventCoding.code` names a MedCom message standard
//! (`medcom-messaging-eventCodes`).

use crate::finding::Severity;
use crate::validate::message::{finding, Message};
use crate::validate::Sink;

const RULE: &str = "MedCom messaging: MessageHeader is entry[0]";
const TYPE_RULE: &str = "MedCom messaging: MessageHeader.eventCoding";

pub(super) fn check(msg: &Message<'_, '_>, sink: &mut Sink<'_>) {
    let error = Severity::Error;
    if msg.root.ty().name() != "Bundle" {
        sink.push(error, || {
            finding(
                "medcom-header-first",
                error,
                msg.root,
                RULE,
                "a MedCom message is a Bundle whose first entry is a MessageHeader",
            )
        });
        return;
    }
    let first = msg.root.child("entry");
    match (first, msg.header_entry) {
        (None, _) => sink.push(error, || {
            finding(
                "medcom-header-first",
                error,
                msg.root,
                RULE,
                "the Bundle has no entries; entry[0] must be the MessageHeader",
            )
        }),
        (Some(entry), at) if at != Some(0) => sink.push(error, || {
            let node = entry.child("resource").unwrap_or(entry);
            let message = match at {
                Some(i) => format!("entry[0] is not the MessageHeader (it is entry[{i}])"),
                None => "entry[0] is not a MessageHeader and the Bundle has none".to_owned(),
            };
            finding("medcom-header-first", error, node, RULE, message)
        }),
        _ => {}
    }
    for (_, extra) in msg.resources_of("MessageHeader").skip(1) {
        sink.push(error, || {
            finding(
                "medcom-header-first",
                error,
                extra,
                RULE,
                "a message has exactly one MessageHeader",
            )
        });
    }
    if let (Some(header), None) = (msg.header, msg.kind) {
        sink.push(error, || {
            let event = header.child("event");
            let node = event
                .and_then(|e| e.child("code"))
                .or(event)
                .unwrap_or(header);
            finding(
                "medcom-message-type",
                error,
                node,
                TYPE_RULE,
                "MessageHeader.eventCoding names no MedCom message standard",
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::validate::rules::{testing::run, RuleGroup};

    const MH: &str = r#"{"resource":{"resourceType":"MessageHeader","eventCoding":{"code":"empty-message"},"source":{"endpoint":"x"}}}"#;
    const PAT: &str = r#"{"resource":{"resourceType":"Patient"}}"#;

    fn bundle(entries: &[&str]) -> String {
        format!(
            r#"{{"resourceType":"Bundle","type":"message","entry":[{}]}}"#,
            entries.join(",")
        )
    }

    #[test]
    fn cases() {
        let no_event = r#"{"resource":{"resourceType":"MessageHeader","source":{"endpoint":"x"}}}"#;
        let bad_event = r#"{"resource":{"resourceType":"MessageHeader","eventCoding":{"code":"x"},"source":{"endpoint":"x"}}}"#;
        // input, expected `code location`s.
        let cases: Vec<(String, &[&str])> = vec![
            (bundle(&[MH, PAT]), &[]),
            (
                bundle(&[PAT, MH]),
                &["medcom-header-first Bundle.entry[0].resource"],
            ),
            (
                bundle(&[PAT]),
                &["medcom-header-first Bundle.entry[0].resource"],
            ),
            (
                bundle(&[MH, MH]),
                &["medcom-header-first Bundle.entry[1].resource"],
            ),
            (
                r#"{"resourceType":"Bundle","type":"message"}"#.into(),
                &["medcom-header-first Bundle"],
            ),
            (
                r#"{"resourceType":"Patient"}"#.into(),
                &["medcom-header-first Patient"],
            ),
            (
                bundle(&[no_event]),
                &["medcom-message-type Bundle.entry[0].resource"],
            ),
            (
                bundle(&[bad_event]),
                &["medcom-message-type Bundle.entry[0].resource.event.ofType(Coding).code"],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(run(RuleGroup::Header, &input), want, "{input}");
        }
    }
}
