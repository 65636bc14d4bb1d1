//! The FHIR Acknowledgement (MedCom Acknowledgement 2.0.3) a receiver answers a message with,
//! behind the [`Responder`] trait; built by [`crate::messages::Acknowledgement`], the one
//! implementation.
//!
//! The acknowledgement is a message Bundle whose MessageHeader has the event
//! `acknowledgement-message`, quotes the acknowledged `MessageHeader.id` in
//! `response.identifier` with the code `ok`, `transient-error` or `fatal-error`, and swaps
//! sender and receiver of the original. It carries exactly two Provenances: the acknowledged
//! message's latest one, and its own with `entity.role` `revision` and `entity.what.reference`
//! `MessageHeader/<acked id>`. Errors add an OperationOutcome referenced from
//! `response.details`. The two Organizations are copied from the original.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crate::messages::{self, Context, IdSource, RandomIds};
use crate::model::Document;
use crate::{Format, Mode, ReadOptions};

use super::ExchangeError;

pub use crate::messages::{ResponseCode, ACTIVITY_SYSTEM, ERROR_SYSTEM, EVENT_SYSTEM};

pub use crate::messages::AckIssue;

/// Identifiers, time and size limit of a new acknowledgement.
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
    /// The most issues the OperationOutcome lists; one more issue says how many were left
    /// out (see [`crate::messages::Acknowledgement::with_max_issues`]).
    pub max_issues: usize,
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
        issues: &[AckIssue],
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
        issues: &[AckIssue],
        ids: &AckIds,
    ) -> Result<Vec<u8>, ExchangeError> {
        build(received, code, issues, ids)
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

/// Identifiers chosen by the engine, handed out in the order the acknowledgement builder asks
/// for them (Bundle, MessageHeader, its own Provenance, OperationOutcome), then random ones.
struct Given {
    queue: Mutex<VecDeque<String>>,
    rest: RandomIds,
}

impl Given {
    fn new(ids: impl IntoIterator<Item = String>) -> Self {
        Self {
            queue: Mutex::new(ids.into_iter().collect()),
            rest: RandomIds::default(),
        }
    }
}

impl IdSource for Given {
    fn next_id(&self) -> String {
        let next = self
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop_front();
        next.unwrap_or_else(|| self.rest.next_id())
    }
}

fn read(bytes: &[u8]) -> Result<Document<'_>, ExchangeError> {
    let options = ReadOptions::default().with_mode(Mode::Lenient);
    crate::parse_bytes(bytes, &options).map_err(|e| ExchangeError::payload(e.to_string()))
}

/// Replaces `Bundle.id` and `Bundle.timestamp` of a FHIR message and writes it in its format
/// (see [`messages::reissue`]).
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
    let doc = read(message)?;
    let ctx = Context::new()
        .with_ids(Arc::new(Given::new([bundle_id.to_owned()])))
        .with_time(timestamp);
    let out = messages::reissue(&doc, &ctx).map_err(|e| ExchangeError::response(e.to_string()))?;
    Ok(write(&out, Format::detect(message)))
}

fn write(doc: &Document<'_>, format: Option<Format>) -> Vec<u8> {
    match format {
        Some(Format::Json) => crate::json::to_string(doc).into_bytes(),
        _ => crate::xml::to_string(doc).into_bytes(),
    }
}

/// Builds the acknowledgement of a received FHIR message with
/// [`messages::Acknowledgement`], in the received message's format.
///
/// # Errors
///
/// [`ExchangeError`] (a payload error) when the message is no readable message Bundle, is
/// itself an acknowledgement, or names a sender or receiver that cannot be answered.
pub fn build(
    received: &[u8],
    code: ResponseCode,
    issues: &[AckIssue],
    ids: &AckIds,
) -> Result<Vec<u8>, ExchangeError> {
    let original = read(received)?;
    let mut ack = messages::Acknowledgement::for_message(&original)
        .map_err(|e| ExchangeError::payload(e.to_string()))?
        .with_code(code)
        .with_max_issues(ids.max_issues);
    for i in issues {
        ack = ack.with_issue(i.clone());
    }
    let given = [
        ids.bundle.clone(),
        ids.header.clone(),
        ids.provenance.clone(),
        ids.outcome.clone(),
    ];
    let ctx = Context::new()
        .with_ids(Arc::new(Given::new(given)))
        .with_time(&ids.timestamp);
    // What the builder refuses comes from the received message (e.g. an organization without
    // a GLN to answer): a payload problem.
    let doc = ack
        .build(&ctx)
        .map_err(|e| ExchangeError::payload(e.to_string()))?;
    Ok(write(&doc, Format::detect(received)))
}
