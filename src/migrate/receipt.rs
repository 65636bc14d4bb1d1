//! Receipts XCTL01–03 (EDIFACT CONTRL) ⇄ Acknowledgement 2.0.3.
//!
//! | receipt | Acknowledgement |
//! | --- | --- |
//! | `PositiveReceipt` (XCTL03) | `ok` |
//! | `NegativeReceipt` (XCTL02), `NegativeVansReceipt` (XCTL01) | `fatal-error`, one issue per `RefuseCode` |
//! | `Sender`, `Receiver` | sender and receiver Organizations (the book's `ean` column names a VANS mailbox such as `DKKMDKMDNET`) |
//! | each `OriginalLetter` | an entity of the own Provenance: `what.identifier` = `<OriginalLetterIdentifier>#<OriginalSender>`, its `type.text` the `OriginalVersionCode`, `what.display` = `envelope <OriginalEnvelopeIdentifier> to <OriginalReceiver>` |
//! | the first `OriginalLetter` | `response.identifier`: the letter's `MessageHeader.id` as the bridge gives it ([`super::letter_header_id`]) |
//! | `RefuseText` | the issue's `diagnostics`; a letter's refusal starts with `<OriginalLetterIdentifier>: ` |
//!
//! | `RefuseCode` | issue code |
//! | --- | --- |
//! | `ukendt_lokationsnummer` | `MSG_Receiver_Identifier_UNKNOWN` |
//! | `problem_med_modtagerID` | `MSG_Receiver_Identifier_MISSING` |
//! | `problem_med_version` | `MSG_RECEIVER_UNABLE_TO_RECEIVE_MSG_TYPE` |
//! | `syntaksfejl` | `MSG_BAD_SYNTAX` |
//! | `ikke_specificeret` and any other code | `MSG_BAD_FORMAT` |
//!
//! Back, a negative acknowledgement from an organization whose location number is not a GLN
//! (a VANS mailbox) is an XCTL01, otherwise an XCTL02. An acknowledgement of a FHIR message
//! (no legacy letters named) names the letter the bridge gives that message: identifier from
//! `response.identifier`, version from the acknowledged message's activity.

use std::sync::Arc;

use crate::finding::{Finding, Severity};
use crate::legacy::letters::text_lines;
use crate::legacy::oioxml::{Element, Emessage};
use crate::legacy::receipt::{receipt_element, ReceiptKind, ReceiptOptions, ReceiptParties};
use crate::messages::{
    AckIssue, Acknowledgement, Activity, Context, LegacyLetter, MessageInfo, ProvenanceRecord,
    ResponseCode,
};
use crate::model::Document;

use super::ids::{legacy_identifier, LetterIds};
use super::{
    envelope_sent, letter_header_id, local_date_time, organization, required, AddressBook,
    MigrateError,
};

/// The most characters of a refusal text carried (far beyond what a receipt holds).
const MAX_REFUSE_TEXT: usize = 100_000;

const CODES: [(&str, &str); 5] = [
    ("ukendt_lokationsnummer", "MSG_Receiver_Identifier_UNKNOWN"),
    ("problem_med_modtagerID", "MSG_Receiver_Identifier_MISSING"),
    (
        "problem_med_version",
        "MSG_RECEIVER_UNABLE_TO_RECEIVE_MSG_TYPE",
    ),
    ("syntaksfejl", "MSG_BAD_SYNTAX"),
    ("ikke_specificeret", "MSG_BAD_FORMAT"),
];

fn issue_code(refuse: &str) -> &'static str {
    CODES
        .iter()
        .find(|(r, _)| *r == refuse)
        .map_or("MSG_BAD_FORMAT", |(_, c)| c)
}

fn refuse_code(issue: &str) -> &'static str {
    CODES
        .iter()
        .find(|(_, c)| *c == issue)
        .map_or("ikke_specificeret", |(r, _)| r)
}

/// A refusal's issue: `prefix` names the letter of a letter's refusal.
fn refusal(target: &Element, prefix: Option<&str>) -> Option<AckIssue> {
    let code = target.child("RefuseCode")?;
    // An empty text says nothing (and FHIR has no empty strings).
    let text = target
        .child("RefuseText")
        .map(|t| text_lines(t).join("\n"))
        .filter(|t| !t.trim().is_empty());
    let diagnostics = match (prefix, text) {
        (Some(p), Some(t)) => Some(format!("{p}: {t}")),
        (Some(p), None) => Some(format!("{p}:")),
        (None, t) => t,
    };
    let mut issue = AckIssue::error(issue_code(code.text()));
    if let Some(d) = diagnostics {
        issue = issue.with_diagnostics(&d);
    }
    Some(issue)
}

/// XCTL01–03 → Acknowledgement.
pub(crate) fn to_fhir(
    message: &Emessage<'_>,
    letter: &Element,
    book: &dyn AddressBook,
    findings: &mut Vec<Finding>,
) -> Result<Document<'static>, MigrateError> {
    let path = format!("/Emessage/{}", letter.name());
    let l = required(letter, "Letter")?;
    let sender_el = required(letter, "Sender")?;
    let sender = organization(sender_el, &format!("{path}/Sender"), book, findings)?;
    let receiver = organization(
        required(letter, "Receiver")?,
        &format!("{path}/Receiver"),
        book,
        findings,
    )?;
    let original = required(letter, "OriginalEmessage")?;
    let ean = |name: &str| {
        original
            .child(name)
            .map_or("", |p| p.child_text("EANIdentifier"))
    };
    let (original_sender, original_receiver) = (ean("OriginalSender"), ean("OriginalReceiver"));
    let envelope = original.child_text("OriginalEnvelopeIdentifier");
    let display = format!("envelope {envelope} to {original_receiver}");
    let letters: Vec<&Element> = original.children_named("OriginalLetter").collect();
    let acknowledged = match letters.first() {
        Some(first) => letter_header_id(
            first.child_text("OriginalLetterIdentifier"),
            original_sender,
        ),
        None => super::legacy_uuid(&format!("envelope:{envelope}#{original_sender}")),
    };
    let timestamp = envelope_sent(message)?;
    // The acknowledged letter's Provenance as the bridge gives a converted letter (the letter's
    // own time is not in the receipt: the receipt's is written).
    let original_org = if original_sender == receiver_ean(letter) {
        receiver.clone()
    } else {
        organization(
            original.child("OriginalSender").unwrap_or(original),
            &format!("{path}/OriginalEmessage/OriginalSender"),
            book,
            findings,
        )?
    };
    let version = letters
        .first()
        .map_or("", |o| o.child_text("OriginalVersionCode"));
    let acknowledged_provenance = ProvenanceRecord::new(
        &acknowledged,
        &timestamp,
        activity_of(version),
        original_org,
    );
    let positive = letter.name() == "PositiveReceipt";
    let mut ack = Acknowledgement::new(sender, receiver, &acknowledged).with_code(if positive {
        ResponseCode::Ok
    } else {
        ResponseCode::FatalError
    });
    ack.acknowledged_provenance = Some(acknowledged_provenance);
    // A refusal's text is the receipt's content: kept whole.
    ack = ack.with_max_diagnostics(MAX_REFUSE_TEXT);
    if !positive {
        if let Some(i) = refusal(original, None) {
            ack = ack.with_issue(i);
        }
    }
    for o in &letters {
        let id = o.child_text("OriginalLetterIdentifier");
        ack.legacy.push(
            LegacyLetter::new(&format!("{id}#{original_sender}"))
                .with_version(o.child_text("OriginalVersionCode"))
                .with_display(&display),
        );
        if !positive {
            if let Some(i) = refusal(o, Some(id)) {
                ack = ack.with_issue(i);
            }
        }
    }
    if !positive && ack.issues.is_empty() {
        ack = ack.with_issue(AckIssue::error("MSG_BAD_FORMAT"));
    }
    let ids = Arc::new(LetterIds::new(
        message.identifier(),
        l.child_text("Identifier"),
        sender_el.child_text("EANIdentifier"),
    ));
    Ok(ack.build(&Context::new().with_ids(ids).with_time(&timestamp))?)
}

fn receiver_ean(letter: &Element) -> &str {
    letter
        .child("Receiver")
        .map_or("", |r| r.child_text("EANIdentifier"))
}

/// The activity of the message the bridge makes of a letter of `version` (EDIFACT versions
/// without the leading `X`).
fn activity_of(version: &str) -> Activity {
    match version.trim_start_matches('X') {
        "D2030C" => Activity::AdmitInpatient,
        "D1730C" => Activity::DischargeInpatientHome,
        _ => Activity::NewMessage,
    }
}

/// The version code of the letter the bridge gives a FHIR message of `activity`.
fn version_of(activity: Activity) -> Option<&'static str> {
    match activity {
        Activity::NewMessage | Activity::ReplyMessage | Activity::ForwardMessage => Some("XD9134L"),
        Activity::AdmitInpatient | Activity::AdmitEmergency => Some("XD2030C"),
        Activity::DischargeInpatientHome | Activity::DischargeEmergencyHome => Some("XD1730C"),
        _ => None,
    }
}

/// Acknowledgement → XCTL01–03.
pub(crate) fn to_letter(
    doc: &Document<'_>,
    book: &dyn AddressBook,
    findings: &mut Vec<Finding>,
) -> Result<Element, MigrateError> {
    let info = MessageInfo::read(doc)?;
    let ack = Acknowledgement::read(doc)?;
    let ean_of = |org: &crate::messages::Organization| {
        book.by_sor(&org.sor)
            .map(|e| e.ean().to_owned())
            .or_else(|| org.gln.clone())
            .ok_or_else(|| {
                MigrateError::value(
                    "EANIdentifier",
                    format!("no location number for SOR code {}", org.sor),
                )
            })
    };
    let sender = ean_of(&ack.sender)?;
    let receiver = ean_of(&ack.receiver)?;
    let kind = match ack.code {
        ResponseCode::Ok => ReceiptKind::Positive,
        _ if !(sender.len() == 13 && sender.bytes().all(|b| b.is_ascii_digit())) => {
            ReceiptKind::NegativeVans
        }
        _ => ReceiptKind::Negative,
    };
    // (letter identifier, version), original sender, envelope, original receiver.
    let mut letters = Vec::new();
    let mut original_sender = receiver.clone();
    let mut envelope = None;
    let mut original_receiver = sender.clone();
    for l in &ack.legacy {
        let (id, location) = l.identifier.rsplit_once('#').unwrap_or((&l.identifier, ""));
        if !location.is_empty() {
            original_sender = location.to_owned();
        }
        if let Some((env, to)) = l
            .display
            .as_deref()
            .and_then(|d| d.strip_prefix("envelope "))
            .and_then(|d| d.rsplit_once(" to "))
        {
            envelope = Some(env.to_owned());
            original_receiver = to.to_owned();
        }
        letters.push((id.to_owned(), l.version.clone().unwrap_or_default()));
    }
    if letters.is_empty() {
        let version = ack
            .acknowledged_provenance
            .as_ref()
            .and_then(|p| version_of(p.activity))
            .ok_or_else(|| {
                MigrateError::unsupported(
                    "an Acknowledgement that names neither a legacy letter nor the kind of message it answers",
                )
            })?;
        letters.push((legacy_identifier(&ack.acknowledged), version.to_owned()));
    }
    let envelope = envelope.unwrap_or_else(|| {
        findings.push(Finding::new(
            "fhir-unmapped",
            Severity::Information,
            "Bundle.entry.resource.ofType(MessageHeader).response",
            "the acknowledgement does not name the acknowledged envelope: \
             OriginalEnvelopeIdentifier repeats the letter's identifier",
        ));
        letters[0].0.clone()
    });
    let (date, time) = local_date_time(&info.timestamp, "Bundle.timestamp")?;

    // Issues: a letter's refusal starts with its identifier and ': '.
    let mut envelope_issue = None;
    let mut letter_issues: Vec<(String, &AckIssue)> = Vec::new();
    if kind != ReceiptKind::Positive {
        for i in &ack.issues {
            let owner = i.diagnostics.as_deref().and_then(|d| {
                letters
                    .iter()
                    .find(|(id, _)| d == format!("{id}:") || d.starts_with(&format!("{id}: ")))
                    .map(|(id, _)| id.clone())
            });
            match owner {
                Some(id) => letter_issues.push((id, i)),
                None if envelope_issue.is_none() => envelope_issue = Some(i),
                None => findings.push(Finding::new(
                    "fhir-unmapped",
                    Severity::Information,
                    "Bundle.entry.resource.ofType(OperationOutcome).issue",
                    "a further issue of the envelope (a receipt refuses an envelope once)",
                )),
            }
        }
    }
    let options = ReceiptOptions::new(
        &legacy_identifier(&info.bundle_id),
        &legacy_identifier(&info.header_id),
        &date,
        &time,
    );
    let parties = ReceiptParties {
        sender: &sender,
        receiver: &receiver,
        envelope: &envelope,
        original_sender: &original_sender,
        original_receiver: &original_receiver,
    };
    Ok(receipt_element(kind, &options, &parties, |o| {
        if let Some(i) = envelope_issue {
            push_refusal(o, i, None);
        }
        for (id, version) in &letters {
            let issue = letter_issues.iter().find(|(l, _)| l == id).map(|(_, i)| *i);
            let listed =
                kind != ReceiptKind::Negative || issue.is_some() || envelope_issue.is_some();
            if !listed {
                continue;
            }
            let mut l = o.child_element("OriginalLetter");
            l.push_text_child("OriginalLetterIdentifier", id);
            l.push_text_child("OriginalVersionCode", version);
            if let Some(i) = issue {
                push_refusal(&mut l, i, Some(id));
            }
            o.push(l);
        }
    }))
}

fn push_refusal(target: &mut Element, issue: &AckIssue, letter: Option<&str>) {
    target.push_text_child("RefuseCode", refuse_code(&issue.code));
    let text = issue.diagnostics.as_deref().map(|d| match letter {
        Some(id) => d
            .strip_prefix(&format!("{id}: "))
            .or_else(|| d.strip_prefix(&format!("{id}:")))
            .unwrap_or(d),
        None => d,
    });
    if let Some(text) = text.filter(|t| !t.is_empty()) {
        let mut t = target.child_element("RefuseText");
        for line in text.split('\n') {
            t.push_text(line);
            t.push(t.child_element("Break"));
        }
        target.push(t);
    }
}
