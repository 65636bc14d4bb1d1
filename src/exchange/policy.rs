//! The receive policy: which acknowledgement code a received FHIR message gets, from what is
//! wrong with it. `medcom ack` (without `--code`), `medcom receive` and [`super::Engine`] all
//! decide through [`ReceivePolicy`].
//!
//! # Rules
//!
//! [`ReceivePolicy::Standard`] (the default) answers `fatal-error` only for what prevents
//! processing the message, each a named [`Rule`]:
//!
//! | rule | when |
//! |---|---|
//! | `unreadable` | the bytes do not read as FHIR XML or JSON |
//! | `not-a-message` | no message Bundle, or no MessageHeader in it |
//! | `unknown-event` | `MessageHeader.eventCoding.code` missing or no MedCom message event |
//! | `envelope-id` | `Bundle.id` missing |
//! | `header-id` | `MessageHeader.id` missing |
//! | `sender` | `MessageHeader.sender` missing, unresolved in the Bundle, or an Organization with neither GLN nor SOR identifier |
//! | `receiver` | no `MessageHeader.destination` with an endpoint and a receiver Organization with a GLN or SOR identifier |
//! | `patient-identity` | a CareCommunication, HospitalNotification or HomeCareObservation without a Patient identifier |
//! | `care-communication-category` | a CareCommunication without `Communication.category` (what the receiver files it under) |
//! | `envelope-id-reused` | the `Bundle.id` came before with another message (decided by the exchange engine) |
//!
//! Every other error (a profile or message rule that does not hold, such as a copied Provenance
//! naming an Organization that is not in the Bundle) is a conformance error: the message is
//! answered `ok` and the findings are kept with it in the store. [`ReceivePolicy::Strict`] adds
//! the rule `conformance`: any error finding makes the answer `fatal-error`.
//!
//! # Examples
//!
//! ```
//! use medcom::exchange::policy::{ReceivePolicy, Rule};
//! use medcom::messages::ResponseCode;
//! let doc = medcom::parse(r#"{"resourceType":"Bundle","id":"b","type":"message","entry":[
//!   {"resource":{"resourceType":"MessageHeader","id":"m"}}]}"#).unwrap();
//! let verdict = ReceivePolicy::Standard.judge(&doc, &[]);
//! assert_eq!(verdict.code, ResponseCode::FatalError);
//! assert!(verdict.violations.iter().any(|v| v.rule == Rule::UnknownEvent));
//! ```

use std::fmt;

use crate::finding::{Finding, Severity};
use crate::messages::{reply, AckIssue, ResponseCode};
use crate::model::{Document, MessageView, Node};
use crate::validate::Validator;
use crate::{Mode, ReadOptions};

/// The MedCom message events a receiver processes.
const EVENTS: [&str; 5] = [
    "care-communication-message",
    "hospital-notification-message",
    "homecareobservation-message",
    "empty-message",
    "acknowledgement-message",
];

/// Events whose messages are about one patient.
const PATIENT_EVENTS: [&str; 3] = [
    "care-communication-message",
    "hospital-notification-message",
    "homecareobservation-message",
];

/// A rule of the receive policy (see the [module documentation](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// The bytes do not read as FHIR XML or JSON.
    Unreadable,
    /// No message Bundle, or no MessageHeader in it.
    NotAMessage,
    /// The event is missing or no MedCom message event.
    UnknownEvent,
    /// `Bundle.id` is missing.
    EnvelopeId,
    /// `MessageHeader.id` is missing.
    HeaderId,
    /// The sender cannot be told.
    Sender,
    /// The receiver or its endpoint cannot be told.
    Receiver,
    /// A patient message names no patient identifier.
    PatientIdentity,
    /// A CareCommunication has no category.
    CareCommunicationCategory,
    /// The `Bundle.id` was used before for another message.
    EnvelopeIdReused,
    /// Strict policy: an error finding.
    Conformance,
}

impl Rule {
    /// The rule's stable name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Unreadable => "unreadable",
            Self::NotAMessage => "not-a-message",
            Self::UnknownEvent => "unknown-event",
            Self::EnvelopeId => "envelope-id",
            Self::HeaderId => "header-id",
            Self::Sender => "sender",
            Self::Receiver => "receiver",
            Self::PatientIdentity => "patient-identity",
            Self::CareCommunicationCategory => "care-communication-category",
            Self::EnvelopeIdReused => "envelope-id-reused",
            Self::Conformance => "conformance",
        }
    }

    /// The acknowledgement issue for a violation of the rule.
    #[must_use]
    pub fn issue(self, detail: &str) -> AckIssue {
        let (issue_type, code) = match self {
            Self::Unreadable => ("structure", "MSG_BAD_SYNTAX"),
            Self::NotAMessage => ("structure", "MSG_BAD_FORMAT"),
            Self::UnknownEvent => ("not-supported", "MSG_UNKNOWN_TYPE"),
            Self::EnvelopeId | Self::HeaderId => ("required", "MSG_RESOURCE_ID_MISSING"),
            Self::Sender => ("required", "MSG_RESOURCE_REQUIRED"),
            Self::Receiver => ("not-found", "MSG_Receiver_Identifier_MISSING"),
            Self::PatientIdentity | Self::CareCommunicationCategory => {
                ("required", "MSG_RESOURCE_REQUIRED")
            }
            Self::EnvelopeIdReused => ("duplicate", "MSG_DUPLICATE_ID"),
            Self::Conformance => ("invalid", "MSG_BAD_FORMAT"),
        };
        AckIssue::new("error", issue_type, code)
            .with_diagnostics(&format!("{}: {detail}", self.name()))
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A rule that does not hold, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The rule.
    pub rule: Rule,
    /// What is wrong (no patient data).
    pub detail: String,
}

/// How strictly a receiver answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceivePolicy {
    /// `fatal-error` for what prevents processing; `ok` (findings kept) for conformance errors.
    #[default]
    Standard,
    /// As standard, and `fatal-error` for any error finding.
    Strict,
}

/// What the policy decided for one message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verdict {
    /// The acknowledgement code.
    pub code: ResponseCode,
    /// The rules that do not hold (empty for `ok`).
    pub violations: Vec<Violation>,
    /// The validation findings (errors and warnings), kept with the message.
    pub findings: Vec<Finding>,
}

impl Verdict {
    /// The acknowledgement's issues: one per violated rule, then one per error finding for a
    /// `fatal-error`; none for `ok`.
    #[must_use]
    pub fn issues(&self) -> Vec<AckIssue> {
        if self.code == ResponseCode::Ok {
            return Vec::new();
        }
        let mut out: Vec<AckIssue> = self
            .violations
            .iter()
            .filter(|v| v.rule != Rule::Conformance)
            .map(|v| v.rule.issue(&v.detail))
            .collect();
        out.extend(reply::issues(&self.findings));
        out
    }

    /// The names of the violated rules.
    #[must_use]
    pub fn rules(&self) -> Vec<&'static str> {
        self.violations.iter().map(|v| v.rule.name()).collect()
    }

    /// The kept findings as JSON lines (masked), or `None` without findings.
    #[must_use]
    pub fn findings_json(&self) -> Option<String> {
        if self.findings.is_empty() {
            return None;
        }
        let mut out = String::new();
        for f in &self.findings {
            let v = serde_json::json!({
                "code": f.code(),
                "severity": f.severity().code(),
                "location": f.location(),
                "message": f.message(),
            });
            out.push_str(&v.to_string());
            out.push('\n');
        }
        Some(out)
    }
}

impl ReceivePolicy {
    /// Judges a read message with its validation findings.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::exchange::ReceivePolicy;
    /// use medcom::messages::ResponseCode;
    /// // A message without a header cannot be processed, whatever the findings.
    /// let doc = medcom::parse(r#"{"resourceType":"Bundle","type":"message"}"#).unwrap();
    /// let verdict = ReceivePolicy::Standard.judge(&doc, &[]);
    /// assert_eq!(verdict.code, ResponseCode::FatalError);
    /// assert!(verdict.rules().contains(&"not-a-message"));
    /// ```
    #[must_use]
    pub fn judge(self, doc: &Document<'_>, findings: &[Finding]) -> Verdict {
        let mut violations = check(doc);
        let kept: Vec<Finding> = findings
            .iter()
            .filter(|f| matches!(f.severity(), Severity::Error | Severity::Warning))
            .cloned()
            .collect();
        let errors = kept
            .iter()
            .filter(|f| f.severity() == Severity::Error)
            .count();
        if self == Self::Strict && errors > 0 {
            violations.push(Violation {
                rule: Rule::Conformance,
                detail: format!("{errors} error(s) in validation"),
            });
        }
        Verdict {
            code: if violations.is_empty() {
                ResponseCode::Ok
            } else {
                ResponseCode::FatalError
            },
            violations,
            findings: kept,
        }
    }

    /// Reads and judges bytes, validating them with `validator` when given.
    #[must_use]
    pub fn judge_bytes(self, bytes: &[u8], validator: Option<&Validator>) -> Verdict {
        let options = ReadOptions::default().with_mode(Mode::Lenient);
        match crate::parse_bytes(bytes, &options) {
            Ok(doc) => {
                let findings = validator
                    .map(|v| v.report(&doc).findings().to_vec())
                    .unwrap_or_default();
                self.judge(&doc, &findings)
            }
            Err(e) => Verdict {
                code: ResponseCode::FatalError,
                violations: vec![Violation {
                    rule: Rule::Unreadable,
                    detail: e.to_string(),
                }],
                findings: Vec::new(),
            },
        }
    }
}

fn violation(rule: Rule, detail: &str) -> Violation {
    Violation {
        rule,
        detail: detail.to_owned(),
    }
}

fn text<'d>(node: Node<'d, '_>, path: &[&str]) -> Option<&'d str> {
    let (last, steps) = path.split_last()?;
    let mut n = node;
    for s in steps {
        n = n.child(s)?;
    }
    n.child_value(last).filter(|v| !v.trim().is_empty())
}

fn resources<'d, 'a>(bundle: Node<'d, 'a>, ty: &'static str) -> impl Iterator<Item = Node<'d, 'a>>
where
    'a: 'd,
{
    bundle
        .children_named("entry")
        .filter_map(|e| e.child("resource"))
        .filter(move |r| r.ty().name() == ty)
}

/// The Organization a reference names inside the Bundle
/// ([`crate::model::MessageView::resolve`]).
fn organization<'d, 'a>(view: &MessageView<'d, 'a>, reference: &str) -> Option<Node<'d, 'a>> {
    let found = view.resolve(None, reference)?;
    (found.ty().name() == "Organization").then_some(found)
}

/// An Organization a reply can be addressed to: it has a GLN or SOR identifier.
fn addressable(org: Node<'_, '_>) -> bool {
    org.children_named("identifier").any(|i| {
        matches!(
            i.child_value("system"),
            Some("https://www.gs1.org/gln" | "urn:oid:1.2.208.176.1.1")
        ) && i.child_value("value").is_some_and(|v| !v.trim().is_empty())
    })
}

/// The rules of the standard policy.
fn check(doc: &Document<'_>) -> Vec<Violation> {
    let bundle = doc.root();
    if bundle.ty().name() != "Bundle" || bundle.child_value("type") != Some("message") {
        return vec![violation(Rule::NotAMessage, "not a message Bundle")];
    }
    let view = MessageView::new(bundle);
    let Some(header) = view.header() else {
        return vec![violation(Rule::NotAMessage, "no MessageHeader")];
    };
    let mut out = Vec::new();
    let event = text(header, &["event", "code"]);
    match event {
        None => out.push(violation(
            Rule::UnknownEvent,
            "MessageHeader.eventCoding.code is missing",
        )),
        Some(e) if !EVENTS.contains(&e) => out.push(violation(
            Rule::UnknownEvent,
            &format!("'{e}' is no MedCom message event"),
        )),
        Some(_) => {}
    }
    if text(bundle, &["id"]).is_none() {
        out.push(violation(Rule::EnvelopeId, "Bundle.id is missing"));
    }
    if text(header, &["id"]).is_none() {
        out.push(violation(Rule::HeaderId, "MessageHeader.id is missing"));
    }
    match text(header, &["sender", "reference"]) {
        None => out.push(violation(Rule::Sender, "MessageHeader.sender is missing")),
        Some(r) => match organization(&view, r) {
            None => out.push(violation(
                Rule::Sender,
                "MessageHeader.sender names no Organization in the Bundle",
            )),
            Some(o) if !addressable(o) => out.push(violation(
                Rule::Sender,
                "the sender Organization has no GLN or SOR identifier",
            )),
            Some(_) => {}
        },
    }
    let destination = header.children_named("destination").next();
    match destination {
        None => out.push(violation(
            Rule::Receiver,
            "MessageHeader.destination is missing",
        )),
        Some(d) => {
            if text(d, &["endpoint"]).is_none() {
                out.push(violation(
                    Rule::Receiver,
                    "MessageHeader.destination.endpoint is missing",
                ));
            }
            match text(d, &["receiver", "reference"]) {
                None => out.push(violation(
                    Rule::Receiver,
                    "MessageHeader.destination.receiver is missing",
                )),
                Some(r) => match organization(&view, r) {
                    None => out.push(violation(
                        Rule::Receiver,
                        "MessageHeader.destination.receiver names no Organization in the Bundle",
                    )),
                    Some(o) if !addressable(o) => out.push(violation(
                        Rule::Receiver,
                        "the receiver Organization has no GLN or SOR identifier",
                    )),
                    Some(_) => {}
                },
            }
        }
    }
    if event.is_some_and(|e| PATIENT_EVENTS.contains(&e)) {
        let identified = resources(bundle, "Patient")
            .flat_map(|p| p.children_named("identifier"))
            .any(|i| i.child_value("value").is_some_and(|v| !v.trim().is_empty()));
        if !identified {
            out.push(violation(
                Rule::PatientIdentity,
                "no Patient with an identifier",
            ));
        }
    }
    if event == Some("care-communication-message") {
        let categorized = resources(bundle, "Communication").any(|c| {
            c.children_named("category")
                .flat_map(|k| k.children_named("coding"))
                .any(|k| k.child_value("code").is_some_and(|v| !v.trim().is_empty()))
        });
        if !categorized {
            out.push(violation(
                Rule::CareCommunicationCategory,
                "Communication.category is missing",
            ));
        }
    }
    out
}
