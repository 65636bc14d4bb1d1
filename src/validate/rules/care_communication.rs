//! CareCommunication rules that differ between the releases in production, each release's
//! rules in one row of [`RELEASES`] (the release is the one `MessageHeader.definition` names;
//! a message that names none gets none of these rules).
//!
//! - `medcom-cc-category`: `Communication.category` is a code of the release's category code
//!   system.
//! - `medcom-cc-reply-attachment`: a reply carries the earlier attachments by identifier, date,
//!   title and author only, without their data, where the release asks for it.
//!
//! The other differences are the compiled stacks' (`schemas/fhir/carecommunication-*.json`),
//! and those the builders need are in [`Release`] too. Not in the table, because the stacks
//! alone enforce them: 4.0.3 allows several `Communication.recipient` and category codings,
//! 5.0.2 one of each; 4.0.3's medcom-careCommunication-1 asks that `entry[0]` conform to the
//! header profile, 5.0.2's that it declare it in `meta.profile`; 4.0.3's medcom-careCommunication-3
//! asks that some Provenance declare the CareCommunication Provenance profile, 5.0.2's that all
//! do; 4.0.3's -11 and -12 compare reference strings, 5.0.2's the resolved organizations.

use crate::finding::Severity;
use crate::model::Node;
use crate::validate::message::{coding_code, finding, Kind, Message};
use crate::validate::Sink;

const RULE: &str = "MedComCareCommunication";
const E: Severity = Severity::Error;
const IDENTIFIER_EXT: &str =
    "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-identifier-extension";

/// The categories both releases have (terminology 1.7.0 and 2.0.1 alike).
const CATEGORIES_4_0: &[&str] = &[
    "alcohol-and-drug-treatment",
    "assistive-devices",
    "carecoordination",
    "decease",
    "discharge",
    "examination-results",
    "healthcare",
    "home-care-assessment",
    "medicine",
    "nursing",
    "outpatient",
    "psychiatry-social-disability",
    "regarding-referral",
    "telemedicine",
    "training",
    "other",
];

/// The categories code system 1.9.0 (terminology 2.0.1, under 5.0) added.
const CATEGORIES_ADDED_IN_5_0: &[&str] = &["acute-ambulant", "extended-care-responsibility"];

/// What sets one CareCommunication release apart. Rows of [`RELEASES`]; the comments say where
/// each value comes from.
#[derive(Debug)]
pub(crate) struct Release {
    /// `major.minor`, e.g. `4.0`.
    pub(crate) line: &'static str,
    /// The version of the compiled stack (`schemas/fhir/carecommunication-<version>.json`).
    pub(crate) stack: &'static str,
    /// Prefix of `MessageHeader.definition` that names the release.
    pub(crate) definition_prefix: &'static str,
    /// `MessageHeader.definition` as a builder writes it.
    pub(crate) definition: &'static str,
    /// Category codes besides [`CATEGORIES_4_0`].
    pub(crate) added_categories: &'static [&'static str],
    /// Whether a segment author's PractitionerRole may give its role as text instead of a code
    /// (the signature line under a segment): medcom-careCommunication-7.
    pub(crate) role_as_text: bool,
    /// Whether a reply must leave out the data of the attachments it carries along.
    pub(crate) reply_without_attachment_data: bool,
}

/// The CareCommunication releases in production, current first.
pub(crate) const RELEASES: [Release; 2] = [
    Release {
        line: "5.0",
        stack: "5.0.2",
        // medcom-carecommunication-definition-url: the MessageDefinition, major version 5 and
        // the sender's minor version.
        definition_prefix: "http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComCareCommunicationMessageDefinition|5.",
        definition: "http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComCareCommunicationMessageDefinition|5.0",
        // Category code system 1.9.0 (terminology 2.0.1).
        added_categories: CATEGORIES_ADDED_IN_5_0,
        // 5.0.2's medcom-careCommunication-7: `code.coding.code.exists() xor code.text.exists()`.
        role_as_text: true,
        // Governance for CareCommunication 5.0: a reply must not send attachment base64 again,
        // only identifier, timestamp, title and author.
        reply_without_attachment_data: true,
    },
    Release {
        line: "4.0",
        stack: "4.0.3",
        // 4.0.3's MessageHeader.definition is a patternCanonical ending `|4.0.0` whatever the
        // patch release.
        definition_prefix: "http://medcomfhir.dk/ig/carecommunication/medcom-careCommunication-message-definition|4.",
        definition: "http://medcomfhir.dk/ig/carecommunication/medcom-careCommunication-message-definition|4.0.0",
        // Category code system 1.7.0 (terminology 1.7.0): without acute-ambulant and
        // extended-care-responsibility.
        added_categories: &[],
        // 4.0.3's medcom-careCommunication-7: `….resolve().code.coding.code.exists()`, a coded
        // role only.
        role_as_text: false,
        // No such rule in 4.0: the 4.0.0 IG's own reply example carries the attachment data.
        reply_without_attachment_data: false,
    },
];

impl Release {
    /// The release a `MessageHeader.definition` names.
    pub(crate) fn of_definition(definition: &str) -> Option<&'static Self> {
        RELEASES
            .iter()
            .find(|r| definition.starts_with(r.definition_prefix))
    }

    /// The release whose `major.minor` line is `line` (`4.0`, `5.0`).
    pub(crate) fn of_line(line: &str) -> Option<&'static Self> {
        RELEASES.iter().find(|r| r.line == line)
    }

    /// Whether `code` is a category of this release.
    pub(crate) fn has_category(&self, code: &str) -> bool {
        CATEGORIES_4_0.contains(&code) || self.added_categories.contains(&code)
    }
}

pub(super) fn check(msg: &Message<'_, '_>, sink: &mut Sink<'_>) {
    if msg.kind != Some(Kind::CareCommunication) {
        return;
    }
    let Some(release) = msg
        .header
        .and_then(|h| h.child_value("definition"))
        .and_then(Release::of_definition)
    else {
        return; // detection reports a definition of no release in production
    };
    for (_, comm) in msg.resources_of("Communication") {
        category(release, comm, sink);
    }
    if release.reply_without_attachment_data {
        reply_attachments(msg, release, sink);
    }
}

fn category(release: &Release, comm: Node<'_, '_>, sink: &mut Sink<'_>) {
    let Some(code) = coding_code(comm, "category") else {
        return; // the profiles require it
    };
    let value = code.value().unwrap_or("");
    if release.has_category(value) {
        return;
    }
    let since = RELEASES
        .iter()
        .filter(|r| r.has_category(value))
        .map(|r| r.line)
        .collect::<Vec<_>>();
    sink.push(E, || {
        let known = if since.is_empty() {
            String::new()
        } else {
            format!(" (a category of CareCommunication {})", since.join(", "))
        };
        finding(
            "medcom-cc-category",
            E,
            code,
            RULE,
            format!(
                "'{value}' is no category of CareCommunication {}{known}",
                release.line
            ),
        )
    });
}

/// The payload identifiers earlier messages of the thread added: `entity[payload]` of the
/// Provenances that do not target this message's MessageHeader.
fn earlier_payloads<'d>(msg: &Message<'d, '_>) -> Vec<&'d str> {
    let current: Vec<_> = msg.current_provenances().map(|p| p.id()).collect();
    msg.resources_of("Provenance")
        .filter(|(_, p)| !current.contains(&p.id()))
        .flat_map(|(_, p)| p.children_named("entity").collect::<Vec<_>>())
        .filter(|e| e.child_value("role") == Some("source"))
        .filter_map(|e| e.child("what")?.child("identifier")?.child_value("value"))
        .collect()
}

fn reply_attachments(msg: &Message<'_, '_>, release: &Release, sink: &mut Sink<'_>) {
    let is_reply = msg
        .current_provenances()
        .filter_map(|p| coding_code(p, "activity"))
        .any(|c| c.value() == Some("reply-message"));
    if !is_reply {
        return;
    }
    let earlier = earlier_payloads(msg);
    for (_, comm) in msg.resources_of("Communication") {
        for payload in comm.children_named("payload") {
            let Some(content) = payload.child("content") else {
                continue;
            };
            let Some(data) = content.child("data") else {
                continue;
            };
            let carried = payload
                .children_named("extension")
                .filter(|e| e.child_value("url") == Some(IDENTIFIER_EXT))
                .filter_map(|e| e.child("value")?.child_value("value"))
                .any(|id| earlier.contains(&id));
            if carried {
                sink.push(E, || {
                    finding(
                        "medcom-cc-reply-attachment",
                        E,
                        data,
                        RULE,
                        format!(
                            "a CareCommunication {} reply carries an earlier attachment without its data (identifier, date, title and author only)",
                            release.line
                        ),
                    )
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Release, RELEASES};
    use crate::validate::rules::testing::run;
    use crate::validate::RuleGroup;

    const V5: &str = "http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComCareCommunicationMessageDefinition|5.0";
    const V4: &str = "http://medcomfhir.dk/ig/carecommunication/medcom-careCommunication-message-definition|4.0.0";

    /// A reply (or new message) of `definition`, category `category`, whose one attachment
    /// `urn:uuid:…01` an earlier message added, with data when `data`.
    fn message(definition: &str, category: &str, activity: &str, data: bool) -> String {
        let data = if data {
            r#","data":"JVBERi0xLjQ=""#
        } else {
            ""
        };
        format!(
            r#"{{"resourceType":"Bundle","type":"message","entry":[
{{"fullUrl":"https://x/MessageHeader/h2","resource":{{"resourceType":"MessageHeader","id":"h2","eventCoding":{{"code":"care-communication-message"}},"definition":"{definition}"}}}},
{{"fullUrl":"https://x/Communication/c","resource":{{"resourceType":"Communication","id":"c","status":"unknown","category":[{{"coding":[{{"code":"{category}"}}]}}],
 "payload":[{{"extension":[{{"url":"http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-identifier-extension","valueIdentifier":{{"value":"urn:uuid:00000000-0000-4000-8000-000000000001"}}}}],
  "contentAttachment":{{"contentType":"application/pdf","title":"t"{data}}}}}]}}}},
{{"fullUrl":"https://x/Provenance/p1","resource":{{"resourceType":"Provenance","id":"p1","target":[{{"reference":"MessageHeader/h1"}}],"activity":{{"coding":[{{"code":"new-message"}}]}},
 "entity":[{{"role":"source","what":{{"identifier":{{"value":"urn:uuid:00000000-0000-4000-8000-000000000001"}}}}}}]}}}},
{{"fullUrl":"https://x/Provenance/p2","resource":{{"resourceType":"Provenance","id":"p2","target":[{{"reference":"MessageHeader/h2"}}],"activity":{{"coding":[{{"code":"{activity}"}}]}}}}}}
]}}"#
        )
    }

    #[test]
    fn cases() {
        let cases: &[(&str, &str, &str, bool, &[&str])] = &[
            (V5, "nursing", "reply-message", false, &[]),
            (V5, "acute-ambulant", "reply-message", false, &[]),
            (V4, "acute-ambulant", "reply-message", false, &["medcom-cc-category Bundle.entry[1].resource.category[0].coding[0].code"]),
            (V4, "extended-care-responsibility", "new-message", false, &["medcom-cc-category Bundle.entry[1].resource.category[0].coding[0].code"]),
            (V5, "no-such-category", "new-message", false, &["medcom-cc-category Bundle.entry[1].resource.category[0].coding[0].code"]),
            (V5, "nursing", "reply-message", true, &["medcom-cc-reply-attachment Bundle.entry[1].resource.payload[0].content.ofType(Attachment).data"]),
            // 4.0 has no such rule; a forward carries the data for its new receiver.
            (V4, "nursing", "reply-message", true, &[]),
            (V5, "nursing", "forward-message", true, &[]),
            // No release named: none of these rules.
            ("http://example.org/MessageDefinition/x", "acute-ambulant", "reply-message", true, &[]),
        ];
        for &(definition, category, activity, data, want) in cases {
            let got = run(
                RuleGroup::CareCommunication,
                &message(definition, category, activity, data),
            );
            assert_eq!(got, want, "{definition} {category} {activity} data={data}");
        }
    }

    #[test]
    fn releases_are_found_by_definition_and_line() {
        assert_eq!(Release::of_definition(V4).map(|r| r.stack), Some("4.0.3"));
        assert_eq!(Release::of_definition(V5).map(|r| r.stack), Some("5.0.2"));
        assert_eq!(Release::of_line("4.0").map(|r| r.definition), Some(V4));
        for r in &RELEASES {
            assert_eq!(
                Release::of_definition(r.definition).map(|x| x.line),
                Some(r.line)
            );
            assert!(r.stack.starts_with(r.line));
        }
    }
}
