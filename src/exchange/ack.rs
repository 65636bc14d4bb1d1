//! The FHIR Acknowledgement (MedCom Acknowledgement 2.0.3) a receiver answers a message with,
//! behind the [`Responder`] trait so the typed builders can replace it.
//!
//! The acknowledgement is a message Bundle whose MessageHeader has the event
//! `acknowledgement-message`, quotes the acknowledged `MessageHeader.id` in
//! `response.identifier` with the code `ok`, `transient-error` or `fatal-error`, and swaps
//! sender and receiver of the original. It carries exactly two Provenances: the acknowledged
//! message's latest one, and its own with `entity.role` `revision` and `entity.what.reference`
//! `MessageHeader/<acked id>`. Errors add an OperationOutcome referenced from
//! `response.details`. The two Organizations are copied from the original.

use std::borrow::Cow;

use crate::model::{Document, NodeId, Type};
use crate::{Format, Mode, Node, ReadOptions};

use super::ExchangeError;

/// MedCom's event code system.
pub const EVENT_SYSTEM: &str =
    "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-eventCodes";
/// MedCom's activity code system.
pub const ACTIVITY_SYSTEM: &str =
    "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-activityCodes";
/// MedCom's acknowledgement error codes.
pub const ERROR_SYSTEM: &str =
    "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-acknowledgement-error-codes";
const ACK_PROFILE: &str =
    "http://medcomfhir.dk/ig/acknowledgement/StructureDefinition/medcom-messaging-acknowledgement";
const HEADER_PROFILE: &str = "http://medcomfhir.dk/ig/acknowledgement/StructureDefinition/medcom-messaging-acknowledgementHeader";
const PROVENANCE_PROFILE: &str =
    "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-provenance";
const OUTCOME_PROFILE: &str = "http://medcomfhir.dk/ig/acknowledgement/StructureDefinition/medcom-acknowledgement-operationoutcome";
const DESTINATION_USE: &str =
    "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-destinationUseExtension";
const DESTINATION_USE_SYSTEM: &str =
    "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-destinationUse";

/// `MessageHeader.response.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseCode {
    /// `ok`.
    Ok,
    /// `transient-error`: try again later.
    TransientError,
    /// `fatal-error`: the message will not be processed.
    FatalError,
}

impl ResponseCode {
    /// The FHIR code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::TransientError => "transient-error",
            Self::FatalError => "fatal-error",
        }
    }
}

/// One issue for the OperationOutcome of a negative acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// `issue.severity`: `error`, `warning`, `information` or `fatal`.
    pub severity: &'static str,
    /// `issue.code` (FHIR issue type), e.g. `structure`, `value`.
    pub issue_type: &'static str,
    /// A MedCom acknowledgement error code, e.g. `MSG_VALUESET_VALUE_UNKNOWN`.
    pub code: &'static str,
}

/// Identifiers and time of a new acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AckIds {
    /// `Bundle.id`.
    pub bundle: String,
    /// `MessageHeader.id`.
    pub header: String,
    /// The acknowledgement's own Provenance id.
    pub provenance: String,
    /// The OperationOutcome id (used only with problems).
    pub outcome: String,
    /// `Bundle.timestamp` and the Provenance times.
    pub timestamp: String,
}

/// Builds FHIR acknowledgements. Replaceable: the engine only needs these two operations.
pub trait Responder: Send + Sync {
    /// The acknowledgement of a received message (bytes as received), in the message's format.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] when the message cannot be read or the acknowledgement not built.
    fn acknowledge(
        &self,
        received: &[u8],
        code: ResponseCode,
        problems: &[Problem],
        ids: &AckIds,
    ) -> Result<Vec<u8>, ExchangeError>;

    /// The same message in a new envelope: a new `Bundle.id` and `Bundle.timestamp`, all else
    /// unchanged (resends, and the answer to a duplicate).
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] when the message does not read.
    fn reissue(
        &self,
        message: &[u8],
        bundle_id: &str,
        timestamp: &str,
    ) -> Result<Vec<u8>, ExchangeError>;
}

/// The built-in [`Responder`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Acknowledgement;

impl Responder for Acknowledgement {
    fn acknowledge(
        &self,
        received: &[u8],
        code: ResponseCode,
        problems: &[Problem],
        ids: &AckIds,
    ) -> Result<Vec<u8>, ExchangeError> {
        build(received, code, problems, ids)
    }

    fn reissue(
        &self,
        message: &[u8],
        bundle_id: &str,
        timestamp: &str,
    ) -> Result<Vec<u8>, ExchangeError> {
        reissue(message, bundle_id, timestamp)
    }
}

/// Replaces `Bundle.id` and `Bundle.timestamp` of a FHIR message and writes it in its format.
///
/// # Errors
///
/// [`ExchangeError`] when the message does not read.
///
/// # Examples
///
/// ```
/// let b = br#"{"resourceType":"Bundle","id":"a","type":"message","timestamp":"2020-01-01T00:00:00Z"}"#;
/// let out = medcom::exchange::ack::reissue(b, "b", "2024-01-01T00:00:00Z").unwrap();
/// assert_eq!(out, br#"{"resourceType":"Bundle","id":"b","type":"message","timestamp":"2024-01-01T00:00:00Z"}"#);
/// ```
pub fn reissue(message: &[u8], bundle_id: &str, timestamp: &str) -> Result<Vec<u8>, ExchangeError> {
    let options = ReadOptions::default().with_mode(Mode::Lenient);
    let mut doc =
        crate::parse_bytes(message, &options).map_err(|e| ExchangeError::payload(e.to_string()))?;
    let root = doc.root().id();
    set_or_append(&mut doc, root, "id", bundle_id)?;
    set_or_append(&mut doc, root, "timestamp", timestamp)?;
    Ok(write(&doc, Format::detect(message)))
}

fn set_or_append<'a>(
    doc: &mut Document<'a>,
    parent: NodeId,
    name: &str,
    value: &str,
) -> Result<(), ExchangeError> {
    let existing = doc.node(parent).child(name).map(|n| n.id());
    match existing {
        Some(id) => doc.set_value(id, Some(Cow::Owned(value.to_owned()))),
        None => {
            doc.append_value(parent, name, value.to_owned())
                .map_err(|e| ExchangeError::response(e.to_string()))?;
        }
    }
    Ok(())
}

fn write(doc: &Document<'_>, format: Option<Format>) -> Vec<u8> {
    match format {
        Some(Format::Json) => crate::json::to_string(doc).into_bytes(),
        _ => crate::xml::to_string(doc).into_bytes(),
    }
}

/// A small builder over [`Document`] for owned values.
struct B {
    doc: Document<'static>,
}

impl B {
    fn el(&mut self, parent: NodeId, name: &str, ty: &str) -> Result<NodeId, ExchangeError> {
        let ty =
            Type::by_name(ty).ok_or_else(|| ExchangeError::response(format!("no type {ty}")))?;
        self.doc
            .append(parent, name, Some(ty), None)
            .map_err(|e| ExchangeError::response(e.to_string()))
    }

    fn group(&mut self, parent: NodeId, name: &str) -> Result<NodeId, ExchangeError> {
        self.doc
            .append(parent, name, None, None)
            .map_err(|e| ExchangeError::response(e.to_string()))
    }

    fn val(&mut self, parent: NodeId, name: &str, value: &str) -> Result<NodeId, ExchangeError> {
        self.doc
            .append_value(parent, name, value.to_owned())
            .map_err(|e| ExchangeError::response(e.to_string()))
    }

    fn typed_val(
        &mut self,
        parent: NodeId,
        name: &str,
        ty: &str,
        value: &str,
    ) -> Result<NodeId, ExchangeError> {
        let t =
            Type::by_name(ty).ok_or_else(|| ExchangeError::response(format!("no type {ty}")))?;
        self.doc
            .append(parent, name, Some(t), Some(Cow::Owned(value.to_owned())))
            .map_err(|e| ExchangeError::response(e.to_string()))
    }

    fn reference(&mut self, parent: NodeId, name: &str, to: &str) -> Result<(), ExchangeError> {
        let r = self.el(parent, name, "Reference")?;
        self.val(r, "reference", to)?;
        Ok(())
    }

    fn coding(
        &mut self,
        parent: NodeId,
        name: &str,
        system: &str,
        code: &str,
    ) -> Result<(), ExchangeError> {
        let c = self.el(parent, name, "Coding")?;
        self.val(c, "system", system)?;
        self.val(c, "code", code)?;
        Ok(())
    }

    fn profile(&mut self, resource: NodeId, profile: &str) -> Result<(), ExchangeError> {
        let meta = self.group(resource, "meta")?;
        self.val(meta, "profile", profile)?;
        Ok(())
    }

    /// A new entry with a resource of `ty`; returns the resource node.
    fn entry(&mut self, full_url: &str, ty: &str) -> Result<NodeId, ExchangeError> {
        let root = self.doc.root().id();
        let entry = self.group(root, "entry")?;
        self.val(entry, "fullUrl", full_url)?;
        let t = Type::resource(ty).ok_or_else(|| ExchangeError::response(format!("no {ty}")))?;
        self.doc
            .append(entry, "resource", Some(t), None)
            .map_err(|e| ExchangeError::response(e.to_string()))
    }

    /// Copies `src` (an element and its subtree) under `parent` as `name`.
    fn copy(
        &mut self,
        parent: NodeId,
        src: Node<'_, '_>,
        depth: usize,
    ) -> Result<(), ExchangeError> {
        if depth > 64 {
            return Err(ExchangeError::response("resource nested too deeply"));
        }
        let id = self
            .doc
            .append(
                parent,
                src.name(),
                Some(src.ty()),
                src.value().map(|v| Cow::Owned(v.to_owned())),
            )
            .map_err(|e| ExchangeError::response(e.to_string()))?;
        for c in src.children() {
            self.copy(id, c, depth + 1)?;
        }
        Ok(())
    }

    /// Copies an entry (fullUrl and resource) of the original.
    fn copy_entry(&mut self, entry: Node<'_, '_>) -> Result<(), ExchangeError> {
        let root = self.doc.root().id();
        let e = self.group(root, "entry")?;
        for c in entry.children() {
            if matches!(c.name(), "fullUrl" | "resource") {
                self.copy(e, c, 0)?;
            }
        }
        Ok(())
    }
}

fn resource_in<'d, 'a>(entry: &Node<'d, 'a>) -> Option<Node<'d, 'a>> {
    entry.child("resource")
}

fn recorded<'d>(entry: &Node<'d, '_>) -> Option<&'d str> {
    resource_in(entry).and_then(|r| r.child_value("recorded"))
}

fn reference_in<'d>(node: Option<Node<'d, '_>>) -> Option<&'d str> {
    node.and_then(|n| n.child_value("reference"))
}

/// Builds the acknowledgement of a received FHIR message.
///
/// # Errors
///
/// [`ExchangeError`] when the message is no message Bundle with a MessageHeader.
pub fn build(
    received: &[u8],
    code: ResponseCode,
    problems: &[Problem],
    ids: &AckIds,
) -> Result<Vec<u8>, ExchangeError> {
    let options = ReadOptions::default().with_mode(Mode::Lenient);
    let original = crate::parse_bytes(received, &options)
        .map_err(|e| ExchangeError::payload(e.to_string()))?;
    let entries: Vec<Node<'_, '_>> = original.root().children_named("entry").collect();
    let header_entry = entries
        .first()
        .filter(|e| resource_in(e).is_some_and(|r| r.ty().name() == "MessageHeader"))
        .ok_or_else(|| ExchangeError::payload("the first entry is no MessageHeader"))?;
    let header = resource_in(header_entry).ok_or_else(|| ExchangeError::payload("no header"))?;
    let acked = header.child_value("id").unwrap_or("");
    // Entries are addressed like the original's: the base of its MessageHeader's fullUrl.
    let header_url = header_entry.child_value("fullUrl").unwrap_or("");
    let base = header_url
        .strip_suffix(&format!("MessageHeader/{acked}"))
        .filter(|_| !acked.is_empty());
    let url = |ty: &str, id: &str| match base {
        Some(b) => format!("{b}{ty}/{id}"),
        None => format!("urn:uuid:{id}"),
    };
    let find = |reference: Option<&str>| {
        let reference = reference?;
        entries.iter().copied().find(|e| {
            resource_in(e).is_some_and(|r| {
                let id = r.child_value("id").unwrap_or("");
                !id.is_empty() && reference.ends_with(&format!("{}/{id}", r.ty().name()))
            })
        })
    };
    let destination = header.children_named("destination").next();
    let original_sender = reference_in(header.child("sender"));
    let original_receiver = reference_in(destination.and_then(|d| d.child("receiver")));
    let latest_provenance = entries
        .iter()
        .copied()
        .filter(|e| resource_in(e).is_some_and(|r| r.ty().name() == "Provenance"))
        .max_by(|a, b| recorded(a).cmp(&recorded(b)));

    let bundle_type = Type::resource("Bundle").ok_or_else(|| ExchangeError::response("Bundle"))?;
    let mut b = B {
        doc: Document::new(bundle_type),
    };
    let root = b.doc.root().id();
    b.val(root, "id", &ids.bundle)?;
    b.profile(root, ACK_PROFILE)?;
    b.val(root, "type", "message")?;
    b.val(root, "timestamp", &ids.timestamp)?;

    // MessageHeader: the original's receiver answers its sender.
    let mh = b.entry(&url("MessageHeader", &ids.header), "MessageHeader")?;
    b.val(mh, "id", &ids.header)?;
    b.profile(mh, HEADER_PROFILE)?;
    b.coding(mh, "event", EVENT_SYSTEM, "acknowledgement-message")?;
    let dest = b.group(mh, "destination")?;
    let ext = b.group(dest, "extension")?;
    b.val(ext, "url", DESTINATION_USE)?;
    let coding = b.el(ext, "value", "Coding")?;
    b.val(coding, "system", DESTINATION_USE_SYSTEM)?;
    b.val(coding, "code", "primary")?;
    let source_endpoint = header
        .child("source")
        .and_then(|s| s.child_value("endpoint"))
        .unwrap_or("");
    b.val(dest, "endpoint", source_endpoint)?;
    if let Some(s) = original_sender {
        b.reference(dest, "receiver", s)?;
    }
    if let Some(r) = original_receiver {
        b.reference(mh, "sender", r)?;
    }
    let source = b.group(mh, "source")?;
    let destination_endpoint = destination
        .and_then(|d| d.child_value("endpoint"))
        .unwrap_or("");
    b.val(source, "endpoint", destination_endpoint)?;
    let response = b.group(mh, "response")?;
    b.val(response, "identifier", acked)?;
    b.val(response, "code", code.code())?;
    if !problems.is_empty() {
        b.reference(
            response,
            "details",
            &format!("OperationOutcome/{}", ids.outcome),
        )?;
    }

    // The acknowledged message's latest Provenance, then the acknowledgement's own.
    if let Some(p) = latest_provenance {
        b.copy_entry(p)?;
    }
    let prov = b.entry(&url("Provenance", &ids.provenance), "Provenance")?;
    b.val(prov, "id", &ids.provenance)?;
    b.profile(prov, PROVENANCE_PROFILE)?;
    b.reference(prov, "target", &format!("MessageHeader/{}", ids.header))?;
    b.typed_val(prov, "occurred", "dateTime", &ids.timestamp)?;
    b.val(prov, "recorded", &ids.timestamp)?;
    let activity = b.el(prov, "activity", "CodeableConcept")?;
    b.coding(activity, "coding", ACTIVITY_SYSTEM, "acknowledgement")?;
    if let Some(r) = original_receiver {
        let agent = b.group(prov, "agent")?;
        b.reference(agent, "who", r)?;
    }
    let entity = b.group(prov, "entity")?;
    b.val(entity, "role", "revision")?;
    b.reference(entity, "what", &format!("MessageHeader/{acked}"))?;

    // The two Organizations, as the original has them.
    for r in [original_sender, original_receiver] {
        if let Some(e) = find(r) {
            b.copy_entry(e)?;
        }
    }
    if !problems.is_empty() {
        let oo = b.entry(&url("OperationOutcome", &ids.outcome), "OperationOutcome")?;
        b.val(oo, "id", &ids.outcome)?;
        b.profile(oo, OUTCOME_PROFILE)?;
        for p in problems {
            let issue = b.group(oo, "issue")?;
            b.val(issue, "severity", p.severity)?;
            b.val(issue, "code", p.issue_type)?;
            let details = b.el(issue, "details", "CodeableConcept")?;
            b.coding(details, "coding", ERROR_SYSTEM, p.code)?;
        }
    }
    Ok(write(&b.doc, Format::detect(received)))
}
