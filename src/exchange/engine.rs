//! The exchange engine of one party (a mailbox): decides what to do with a received message by
//! MedCom's duplicate tables, answers with the acknowledgement or receipt, records outgoing
//! messages, resends them when no acknowledgement arrives, and settles them when one does.
//!
//! # The duplicate tables
//!
//! | generation | envelope | message | decision | response |
//! |---|---|---|---|---|
//! | FHIR (`Bundle.id` × `MessageHeader.id`) | new | new | process | new acknowledgement |
//! | | seen | seen | duplicate | the original acknowledgement, new `Bundle.id` and timestamp |
//! | | new | seen | reject (resubmission, not reprocessed) | the original acknowledgement, new `Bundle.id` and timestamp |
//! | | seen | new | error (`Bundle.id` reused) | a fatal-error acknowledgement (rule `envelope-id-reused`), the message not recorded |
//! | legacy (envelope × letter identifier) | new | new | process | receipt when asked or refused |
//! | | seen | seen | reject (identical envelope, not reprocessed) | the original receipt |
//! | | new | seen | duplicate (the receipt was lost) | the original receipt |
//! | | seen | new | error (envelope identifier reused) | none |
//!
//! A message handed over ([`Decision::Process`]) stays pending until [`Engine::confirm`]; a
//! reception of a pending message whose hand-over timeout has run out hands it over again,
//! with the response recorded the first time (see the [delivery guarantee](super)). The
//! acknowledgement code comes from the receive policy ([`super::policy`]).
//!
//! A response is never acknowledged: an incoming acknowledgement or receipt is recorded (and
//! deduplicated) like any message, settles the outgoing message it answers, and gets no
//! response. Responses go back in a new envelope of the kind the message came in.
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use medcom::exchange::{clock::TestClock, store::MemoryStore, Decision, Engine};
//! let bundle = br#"{"resourceType":"Bundle","id":"b1","type":"message","entry":[{"fullUrl":
//!   "https://x.dk/MessageHeader/m1","resource":{"resourceType":"MessageHeader","id":"m1",
//!   "eventCoding":{"code":"empty-message"},"destination":[{"endpoint":"https://y.dk",
//!   "receiver":{"reference":"Organization/r"}}],"sender":{"reference":"Organization/s"},
//!   "source":{"endpoint":"https://x.dk"}}},
//!   {"fullUrl":"https://x.dk/Organization/s","resource":{"resourceType":"Organization","id":"s",
//!   "identifier":[{"system":"https://www.gs1.org/gln","value":"5790000209354"},
//!   {"system":"urn:oid:1.2.208.176.1.1","value":"265161000016000"}]}},
//!   {"fullUrl":"https://x.dk/Organization/r","resource":{"resourceType":"Organization","id":"r",
//!   "identifier":[{"system":"https://www.gs1.org/gln","value":"5790001348120"},
//!   {"system":"urn:oid:1.2.208.176.1.1","value":"953741000016009"}]}}]}"#;
//! let mut engine = Engine::new(Box::new(MemoryStore::default()), Arc::new(TestClock::new(0, 1)));
//! let first = engine.receive(bundle).unwrap();
//! assert_eq!(first.decision, Decision::Process);
//! assert_eq!(first.response_code.as_deref(), Some("ok"));
//! // ... process the message, send the acknowledgement, then:
//! engine.confirm(&first).unwrap();
//! let again = engine.receive(bundle).unwrap();
//! assert_eq!(again.decision, Decision::Duplicate);
//! assert_eq!(again.ack_id, first.ack_id);
//! ```

use std::fmt;
use std::sync::Arc;

use super::ack::{AckIds, Acknowledgement, Responder, ResponseCode};
use super::clock::{date_and_minute, date_time, Clock};
use super::envelope::sbdh::Sbdh;
use super::envelope::vans::{self, EndPoint, VansEnvelope};
use super::envelope::{self, Envelope};
use super::payload::{Payload, PayloadFormat};
use super::policy::{ReceivePolicy, Rule, Verdict, Violation};
use super::store::{Key, OutState, Outgoing, Seen, Store, Stored};
use super::ExchangeError;
use crate::finding::Severity;
use crate::legacy::{edifact, oioxml, receipt, LegacyFormat};
use crate::validate::Validator;

/// What the engine decided for a received message.
///
/// # Examples
///
/// ```
/// use medcom::exchange::Decision;
/// use medcom::exchange::store::Seen;
/// // MedCom's duplicate table: a known message in a new envelope is a resubmission.
/// let seen = Seen { envelope: false, message: true };
/// assert_eq!(Decision::from_table(true, seen), Decision::Reject);
/// assert_eq!(Decision::Reject.as_str(), "reject");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// New: processed and answered.
    Process,
    /// Seen before: not processed again; the original response is sent again.
    Duplicate,
    /// Resubmitted (FHIR) or an identical envelope (legacy): not processed again; the original
    /// response is sent again.
    Reject,
    /// Unreadable, or an envelope identifier reused for a new message: not processed.
    Error,
}

impl Decision {
    /// Lowercase name, as the CLI prints it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Process => "process",
            Self::Duplicate => "duplicate",
            Self::Reject => "reject",
            Self::Error => "error",
        }
    }

    /// The duplicate-table row for a generation.
    #[must_use]
    pub fn from_table(fhir: bool, seen: Seen) -> Self {
        match (seen.envelope, seen.message, fhir) {
            (false, false, _) => Self::Process,
            (true, false, _) => Self::Error,
            (true, true, true) | (false, true, false) => Self::Duplicate,
            (false, true, true) | (true, true, false) => Self::Reject,
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which envelope outgoing messages travel in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvelopeKind {
    /// VANSEnvelope 1.0.4 (today's network).
    #[default]
    Vans,
    /// EHMI SBDH.
    Sbdh,
    /// No envelope.
    Bare,
}

/// Engine options.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EngineOptions {
    /// Seconds without acknowledgement before a resend. Default: 1800 (30 minutes, MR7.R).
    pub resend_after: i64,
    /// Resends allowed before a message is marked failed. Default: 2.
    pub max_resends: u32,
    /// The envelope of outgoing messages. Default: VANSEnvelope.
    pub envelope: EnvelopeKind,
    /// Seconds a receiver has to confirm a hand-over ([`Engine::confirm`]) before another
    /// reception of the message hands it over again. Default: 60.
    pub handover_timeout: i64,
    /// Which acknowledgement code a received FHIR message gets. Default: the standard policy.
    pub policy: ReceivePolicy,
    /// The most issues an acknowledgement lists (one more says how many were left out).
    /// Default: 100.
    pub max_ack_issues: usize,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            resend_after: 30 * 60,
            max_resends: 2,
            envelope: EnvelopeKind::Vans,
            handover_timeout: 60,
            policy: ReceivePolicy::Standard,
            max_ack_issues: crate::messages::DEFAULT_MAX_ACK_ISSUES,
        }
    }
}

impl EngineOptions {
    /// Sets the envelope of outgoing messages.
    #[must_use]
    pub fn with_envelope(mut self, kind: EnvelopeKind) -> Self {
        self.envelope = kind;
        self
    }

    /// Sets the hand-over timeout in seconds (0: a reception hands an unconfirmed message over
    /// again at once, for a single receiver restarted after a crash).
    #[must_use]
    pub fn with_handover_timeout(mut self, seconds: i64) -> Self {
        self.handover_timeout = seconds.max(0);
        self
    }

    /// Sets the receive policy.
    #[must_use]
    pub fn with_policy(mut self, policy: ReceivePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the most issues an acknowledgement lists.
    #[must_use]
    pub fn with_max_ack_issues(mut self, n: usize) -> Self {
        self.max_ack_issues = n;
        self
    }
}

/// The result of [`Engine::receive`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outcome {
    /// What was decided. [`Decision::Process`] hands the message over: confirm it with
    /// [`Engine::confirm`] once the caller has it and the response is on its way.
    pub decision: Decision,
    /// The response code the message got (FHIR: `ok`, `transient-error`, `fatal-error`;
    /// legacy receipts: `positive` or `negative`).
    pub response_code: Option<String>,
    /// The receive-policy rules the message broke (a `fatal-error` answer names them).
    pub rules: Vec<&'static str>,
    /// Every message identifier of the payload and its generation, for [`Engine::confirm`].
    handover: Option<(&'static str, Vec<String>)>,
    /// The (first) message identifier, when the payload read.
    pub message_id: Option<String>,
    /// The payload's envelope identifier, when it read.
    pub envelope_id: Option<String>,
    /// The response's identity, equal for the first answer and every repeat (FHIR: the
    /// acknowledgement's `MessageHeader.id`; legacy: the receipt's letter identifier).
    pub ack_id: Option<String>,
    /// The response's envelope identifier (FHIR: its `Bundle.id`, new for every repeat).
    pub ack_envelope_id: Option<String>,
    /// The response to send back: unenveloped, or in a new envelope of the message's kind.
    pub response: Option<Vec<u8>>,
    /// The transport receipt for the envelope (VANS `PositiveMessage`, SBDH receipt signal),
    /// when the message came in one that asks for it.
    pub transport_receipt: Option<String>,
    /// The outgoing message this acknowledgement or receipt settled.
    pub settled: Option<String>,
    /// Why, for an error.
    pub error: Option<String>,
}

impl Outcome {
    fn error(message: impl Into<String>) -> Self {
        Self {
            decision: Decision::Error,
            response_code: None,
            rules: Vec::new(),
            handover: None,
            message_id: None,
            envelope_id: None,
            ack_id: None,
            ack_envelope_id: None,
            response: None,
            transport_receipt: None,
            settled: None,
            error: Some(message.into()),
        }
    }
}

/// What happened to a due message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resend {
    /// Resent with a new envelope identifier; the envelope to transmit.
    Resent {
        /// The message.
        message_id: String,
        /// Its new envelope identifier.
        envelope_id: String,
        /// What to transmit.
        envelope: Vec<u8>,
    },
    /// No acknowledgement after the last resend: marked failed.
    Failed {
        /// The message.
        message_id: String,
    },
}

/// The engine of one mailbox.
pub struct Engine {
    store: Box<dyn Store>,
    clock: Arc<dyn Clock>,
    responder: Box<dyn Responder>,
    validator: Option<Arc<Validator>>,
    options: EngineOptions,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn generation(p: &Payload) -> &'static str {
    if p.format.is_fhir() {
        "fhir"
    } else {
        "legacy"
    }
}

/// Legacy identifiers are 1–14 characters: the first 14 hex digits of a UUID.
fn short_id(uuid: &str) -> String {
    uuid.chars()
        .filter(char::is_ascii_hexdigit)
        .take(14)
        .collect()
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

impl Engine {
    /// An engine on a store with the built-in acknowledgement and default options.
    #[must_use]
    pub fn new(store: Box<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            responder: Box::new(Acknowledgement),
            validator: None,
            options: EngineOptions::default(),
        }
    }

    /// Replaces the options.
    #[must_use]
    pub fn with_options(mut self, options: EngineOptions) -> Self {
        self.options = options;
        self
    }

    /// Replaces the acknowledgement builder.
    #[must_use]
    pub fn with_responder(mut self, responder: Box<dyn Responder>) -> Self {
        self.responder = responder;
        self
    }

    /// Validates every new FHIR payload before it is answered; the receive policy
    /// ([`EngineOptions::policy`]) turns the findings into the acknowledgement code. Without a
    /// validator only the policy's own rules apply.
    #[must_use]
    pub fn with_validator(mut self, validator: Arc<Validator>) -> Self {
        self.validator = Some(validator);
        self
    }

    /// Confirms the hand-over of a processed message: the caller has it and its response is
    /// on its way. Until then (a crash before this call) another reception of the message
    /// hands it over again with the same response content. Harmless for any other outcome.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the store.
    pub fn confirm(&mut self, outcome: &Outcome) -> Result<(), ExchangeError> {
        match (&outcome.handover, outcome.decision) {
            (Some((generation, ids)), Decision::Process) => self.store.confirm(generation, ids),
            _ => Ok(()),
        }
    }

    /// Gives up the hand-over of a processed message that the caller could not take (the
    /// answer could not be written, say): its next reception hands it over again at once,
    /// without waiting for the hand-over timeout. Harmless for any other outcome.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the store.
    pub fn release(&mut self, outcome: &Outcome) -> Result<(), ExchangeError> {
        match (&outcome.handover, outcome.decision) {
            (Some((generation, ids)), Decision::Process) => self.store.release(generation, ids),
            _ => Ok(()),
        }
    }

    /// The store.
    pub fn store(&mut self) -> &mut dyn Store {
        self.store.as_mut()
    }

    /// Receives bytes: a bare message, or one in a VANSEnvelope or SBDH.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use medcom::exchange::{clock::TestClock, store::MemoryStore, Decision, Engine};
    /// let mut engine = Engine::new(Box::new(MemoryStore::default()), Arc::new(TestClock::new(0, 1)));
    /// // A legacy letter gets its receipt.
    /// let out = engine.receive(include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cli/xdis91.xml")))?;
    /// assert_eq!(out.decision, Decision::Process);
    /// assert_eq!(out.message_id.as_deref(), Some("B000000001"));
    /// assert!(out.response.is_some());
    /// // Bytes that are no message are an error outcome, not an `Err`.
    /// assert_eq!(engine.receive(b"not a message")?.decision, Decision::Error);
    /// # Ok::<(), medcom::exchange::ExchangeError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] only when the store fails (then nothing was recorded and the message
    /// may be received again); an unreadable message is an [`Outcome`] with
    /// [`Decision::Error`].
    pub fn receive(&mut self, bytes: &[u8]) -> Result<Outcome, ExchangeError> {
        let envelope = if envelope::is_envelope(bytes) {
            match envelope::read(bytes) {
                Ok(e) => Some(e),
                Err(e) => return Ok(Outcome::error(e.to_string())),
            }
        } else {
            None
        };
        let payload_bytes = match &envelope {
            Some(e) => match e.payload() {
                // Transport receipts carry no message to process.
                Some(p) if !matches!(e, Envelope::Sbdh(s) if s.is_receipt()) => p,
                _ => {
                    return Ok(Outcome {
                        decision: Decision::Process,
                        envelope_id: Some(e.identifier().to_owned()),
                        ..Outcome::error("")
                    }
                    .without_error())
                }
            },
            None => bytes,
        };
        let payload = match Payload::read(payload_bytes) {
            Ok(p) => p,
            Err(e) => return Ok(Outcome::error(e.to_string())),
        };
        let now = self.clock.now();
        let key = Key {
            generation: generation(&payload),
            envelope_id: &payload.envelope_id,
            message_ids: &payload.message_ids,
        };
        let clock = Arc::clone(&self.clock);
        let responder = &*self.responder;
        let validator = self.validator.as_deref();
        let options = &self.options;
        let mut rules = Vec::new();
        let mut first = || {
            first_response(
                &payload,
                payload_bytes,
                clock.as_ref(),
                responder,
                validator,
                options,
                &mut rules,
            )
        };
        let claim = now + self.options.handover_timeout;
        let reception = match self.store.receive(&key, now, claim, &mut first) {
            Ok(r) => r,
            // A message that cannot be answered (no sender to address): nothing was recorded.
            Err(e) if matches!(e.kind(), super::ExchangeErrorKind::Payload(_)) => {
                return Ok(Outcome::error(e.to_string()))
            }
            Err(e) => return Err(e),
        };
        let decision = if reception.handover {
            Decision::Process
        } else {
            Decision::from_table(payload.format.is_fhir(), reception.seen)
        };
        let mut outcome = Outcome {
            decision,
            message_id: payload.message_ids.first().cloned(),
            envelope_id: Some(payload.envelope_id.clone()),
            rules,
            handover: Some((generation(&payload), payload.message_ids.clone())),
            ..Outcome::error("")
        }
        .without_error();
        if decision == Decision::Error {
            outcome.error = Some("envelope identifier reused for a new message".to_owned());
            outcome.rules = vec![Rule::EnvelopeIdReused.name()];
            // Not recorded (the message was not processed): the answer is built each time.
            if payload.format.is_fhir() && !payload.is_response() {
                let verdict = Verdict {
                    code: ResponseCode::FatalError,
                    violations: vec![Violation {
                        rule: Rule::EnvelopeIdReused,
                        detail: "Bundle.id was received before with another message".to_owned(),
                    }],
                    findings: Vec::new(),
                };
                let ids = ack_ids(self.clock.as_ref(), now, self.options.max_ack_issues);
                if let Ok(ack) =
                    self.responder
                        .acknowledge(payload_bytes, verdict.code, &verdict.issues(), &ids)
                {
                    outcome.ack_id = Some(ids.header);
                    outcome.ack_envelope_id = Some(ids.bundle);
                    outcome.response_code = Some(verdict.code.code().to_owned());
                    outcome.response =
                        Some(self.envelope_response(envelope.as_ref(), &ack, now)?);
                }
            }
        }
        // An acknowledgement settles what it answers, on every copy (settling is idempotent).
        if payload.is_response() && decision != Decision::Error {
            let positive = matches!(payload.response_code.as_deref(), Some("ok" | "positive"));
            let state = if positive {
                OutState::Acknowledged
            } else {
                OutState::Rejected
            };
            let code = payload.response_code.as_deref().unwrap_or("");
            for id in &payload.answers {
                if self.store.settle(id, state, code, now)?.is_some() {
                    outcome.settled = Some(id.clone());
                }
            }
        }
        if let Some(stored) = reception.original.filter(|_| decision != Decision::Error) {
            if let Some(response) = stored.response {
                let response = match decision {
                    // First hand-over: the response as recorded.
                    Decision::Process if !reception.seen.message => response,
                    // The original content in a new envelope.
                    _ if payload.format.is_fhir() => {
                        self.responder
                            .reissue(&response, &self.clock.uuid(), &date_time(now))?
                    }
                    _ => response,
                };
                outcome.ack_id = stored.response_id;
                let facts = Payload::read(&response).ok();
                outcome.response_code = facts.as_ref().and_then(|p| p.response_code.clone());
                outcome.ack_envelope_id = facts.map(|p| p.envelope_id);
                if outcome.rules.is_empty() && outcome.response_code.as_deref() != Some("ok") {
                    outcome.rules = rules_of(&response);
                }
                outcome.response =
                    Some(self.envelope_response(envelope.as_ref(), &response, now)?);
            }
        }
        outcome.transport_receipt = self.transport_receipt(envelope.as_ref(), decision, now);
        Ok(outcome)
    }

    /// Wraps a response in a new envelope of the kind the message came in.
    fn envelope_response(
        &self,
        came_in: Option<&Envelope>,
        response: &[u8],
        now: i64,
    ) -> Result<Vec<u8>, ExchangeError> {
        Ok(match came_in {
            None => response.to_vec(),
            Some(Envelope::Vans(v)) => {
                let facts = Payload::read(response)?;
                let meta_id = facts
                    .message_ids
                    .first()
                    .filter(|m| is_uuid(m))
                    .cloned()
                    .unwrap_or_else(|| self.clock.uuid());
                VansEnvelope::wrap_with(
                    v.receiver.clone(),
                    v.sender.clone(),
                    &self.clock.uuid(),
                    &date_time(now),
                    vans::MetaInformation::derive(&meta_id, &facts, response.len()),
                    response,
                )
                .to_xml()
                .into_bytes()
            }
            Some(Envelope::Sbdh(s)) => Sbdh::wrap(
                Sbdh::gln(&s.receiver),
                Sbdh::gln(&s.sender),
                &self.clock.uuid(),
                now,
                true,
                response,
            )?
            .to_xml()
            .into_bytes(),
        })
    }

    fn transport_receipt(
        &self,
        came_in: Option<&Envelope>,
        decision: Decision,
        now: i64,
    ) -> Option<String> {
        match came_in? {
            Envelope::Vans(v) => {
                let reliable = v
                    .meta()?
                    .transport
                    .as_ref()
                    .and_then(|t| t.reliable)
                    .unwrap_or(true);
                if !reliable {
                    return None;
                }
                let (kind, error) = if decision == Decision::Error {
                    (
                        vans::ReceiptKind::NegativeMessage,
                        Some((None, "envelope identifier reused".to_owned())),
                    )
                } else {
                    (vans::ReceiptKind::PositiveMessage, None)
                };
                v.receipt(kind, error, &self.clock.uuid(), &date_time(now))
                    .map(|r| r.to_xml())
            }
            Envelope::Sbdh(s) if s.requests_receipt() => Some(
                s.receipt(&self.clock.uuid(), &self.clock.uuid(), now)
                    .to_xml(),
            ),
            Envelope::Sbdh(_) => None,
        }
    }

    /// Records an outgoing message (bare or enveloped) and returns its envelope (of the kind
    /// the options name). Acknowledgements and receipts are not tracked: they are never
    /// acknowledged. Sending the same message twice records it once.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] for a payload that does not read, for an envelope identifier
    /// (`Bundle.id`) already sent with another message, or from the store.
    pub fn send(&mut self, bytes: &[u8]) -> Result<(String, Vec<u8>), ExchangeError> {
        let unwrapped;
        let payload_bytes = if envelope::is_envelope(bytes) {
            unwrapped = envelope::read(bytes)?;
            unwrapped
                .payload()
                .ok_or_else(|| ExchangeError::payload("the envelope carries no message"))?
        } else {
            bytes
        };
        let payload = Payload::read(payload_bytes)?;
        let message_id = payload
            .message_ids
            .first()
            .cloned()
            .ok_or_else(|| ExchangeError::payload("no message identifier"))?;
        let now = self.clock.now();
        let g = generation(&payload);
        if let Some(other) = self.store.sent_in(g, &payload.envelope_id)? {
            if other != message_id {
                return Err(ExchangeError::payload(format!(
                    "envelope identifier {} was already sent with message {other}: every \
                     message needs a new one",
                    payload.envelope_id
                )));
            }
        }
        let (transport_id, envelope) = self.envelope_outgoing(&payload, payload_bytes, now)?;
        if !payload.is_response() {
            self.store.record_sent(&Outgoing {
                message_id: message_id.clone(),
                generation: generation(&payload).to_owned(),
                envelope_id: payload.envelope_id.clone(),
                payload: payload_bytes.to_vec(),
                state: OutState::Sent,
                resends: 0,
                due: now + self.options.resend_after,
                created: now,
                updated: now,
                response_code: None,
                transport_id,
            })?;
        }
        Ok((message_id, envelope))
    }

    /// The network envelope of an outgoing message: its identifier (`None` when bare) and
    /// bytes.
    fn envelope_outgoing(
        &self,
        payload: &Payload,
        bytes: &[u8],
        now: i64,
    ) -> Result<(Option<String>, Vec<u8>), ExchangeError> {
        let gln = |p: &super::payload::Party| p.gln.clone().unwrap_or_else(|| "unknown".to_owned());
        let (sender, receiver) = (gln(&payload.sender), gln(&payload.receiver));
        let id = self.clock.uuid();
        Ok(match self.options.envelope {
            EnvelopeKind::Bare => (None, bytes.to_vec()),
            EnvelopeKind::Vans => {
                let meta_id = payload
                    .message_ids
                    .first()
                    .filter(|m| is_uuid(m))
                    .cloned()
                    .unwrap_or_else(|| self.clock.uuid());
                let xml = VansEnvelope::wrap_with(
                    EndPoint::ean(&sender),
                    EndPoint::ean(&receiver),
                    &id,
                    &date_time(now),
                    vans::MetaInformation::derive(&meta_id, payload, bytes.len()),
                    bytes,
                )
                .to_xml()
                .into_bytes();
                (Some(id), xml)
            }
            EnvelopeKind::Sbdh => {
                let xml = Sbdh::wrap(&sender, &receiver, &id, now, true, bytes)?
                    .to_xml()
                    .into_bytes();
                (Some(id), xml)
            }
        })
    }

    /// Works the due list: each message unacknowledged for the resend interval is resent with
    /// a new `Bundle.id` and timestamp (legacy: unchanged, in a new envelope), up to the allowed
    /// number of resends; after that it is marked failed.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the store or for a stored payload that no longer reads.
    pub fn resend_due(&mut self) -> Result<Vec<Resend>, ExchangeError> {
        let now = self.clock.now();
        let mut done = Vec::new();
        for o in self.store.due(now, 1000)? {
            if o.resends >= self.options.max_resends {
                if self.store.fail(&o.message_id, o.resends, now)? {
                    done.push(Resend::Failed {
                        message_id: o.message_id,
                    });
                }
                continue;
            }
            let (envelope_id, bytes) = if o.generation == "fhir" {
                let id = self.clock.uuid();
                let bytes = self.responder.reissue(&o.payload, &id, &date_time(now))?;
                (id, bytes)
            } else {
                (o.envelope_id.clone(), o.payload.clone())
            };
            let due = now + self.options.resend_after;
            let payload = Payload::read(&bytes)?;
            let (transport_id, envelope) = self.envelope_outgoing(&payload, &bytes, now)?;
            if self.store.resent(
                &o.message_id,
                o.resends,
                &envelope_id,
                transport_id.as_deref(),
                &bytes,
                due,
                now,
            )? {
                done.push(Resend::Resent {
                    message_id: o.message_id,
                    envelope_id,
                    envelope,
                });
            }
        }
        Ok(done)
    }
}

impl Outcome {
    fn without_error(mut self) -> Self {
        self.error = None;
        self
    }
}

/// The response a message gets when first received: an acknowledgement for a FHIR message, a
/// receipt for a legacy one when asked, nothing for an acknowledgement or receipt.
fn first_response(
    payload: &Payload,
    bytes: &[u8],
    clock: &dyn Clock,
    responder: &dyn Responder,
    validator: Option<&Validator>,
    options: &EngineOptions,
    rules: &mut Vec<&'static str>,
) -> Result<Stored, ExchangeError> {
    if payload.is_response() {
        return Ok(Stored::default());
    }
    let now = clock.now();
    match payload.format {
        PayloadFormat::Fhir(_) => {
            let verdict = options.policy.judge_bytes(bytes, validator);
            rules.clone_from(&verdict.rules());
            let ids = ack_ids(clock, now, options.max_ack_issues);
            let ack = responder.acknowledge(bytes, verdict.code, &verdict.issues(), &ids)?;
            Ok(Stored {
                response_id: Some(ids.header),
                response: Some(ack),
                findings: verdict.findings_json(),
            })
        }
        PayloadFormat::Legacy(format) => legacy_response(format, bytes, clock, now),
    }
}

/// Fresh identifiers for an acknowledgement.
fn ack_ids(clock: &dyn Clock, now: i64, max_issues: usize) -> AckIds {
    AckIds {
        bundle: clock.uuid(),
        header: clock.uuid(),
        provenance: clock.uuid(),
        outcome: clock.uuid(),
        timestamp: date_time(now),
        max_issues,
    }
}

/// The policy rules a negative acknowledgement names (its issues' diagnostics start with
/// the rule's name).
fn rules_of(response: &[u8]) -> Vec<&'static str> {
    const ALL: [Rule; 10] = [
        Rule::Unreadable,
        Rule::NotAMessage,
        Rule::UnknownEvent,
        Rule::EnvelopeId,
        Rule::HeaderId,
        Rule::Sender,
        Rule::Receiver,
        Rule::PatientIdentity,
        Rule::CareCommunicationCategory,
        Rule::EnvelopeIdReused,
    ];
    let text = String::from_utf8_lossy(response);
    ALL.iter()
        .map(|r| r.name())
        .filter(|n| text.contains(&format!("{n}: ")))
        .collect()
}

/// What a legacy message is refused for: the EDIFACT content rules
/// ([`crate::legacy::content`]) or the OIOXML schema rules. This is where the content checks of
/// EDIFACT and OIOXML letters feed the receipt.
///
/// # Errors
///
/// [`ExchangeError`] when the schema check cannot run.
pub fn legacy_refusals(
    format: LegacyFormat,
    bytes: &[u8],
) -> Result<Vec<receipt::Refusal>, ExchangeError> {
    if format == LegacyFormat::Edifact {
        return Ok(crate::legacy::content::validate(bytes).refusals());
    }
    let errors: Vec<String> = crate::legacy::schema::validate_bytes(bytes)
        .map_err(|e| ExchangeError::payload(e.to_string()))?
        .into_iter()
        .filter(|f| f.severity() == Severity::Error)
        .map(|f| format!("{}: {}", f.code(), f.message()))
        .collect();
    Ok(if errors.is_empty() {
        Vec::new()
    } else {
        vec![receipt::Refusal {
            letter: None,
            code: receipt::RefuseCode::Syntax,
            text: errors.join("\n"),
        }]
    })
}

/// The receipt a legacy message gets when first received (when it asks for one, or is
/// refused): every legacy message is answered through here.
fn legacy_response(
    format: LegacyFormat,
    bytes: &[u8],
    clock: &dyn Clock,
    now: i64,
) -> Result<Stored, ExchangeError> {
    let (date, time) = date_and_minute(now);
    let letter = short_id(&clock.uuid());
    let options = receipt::ReceiptOptions::new(&short_id(&clock.uuid()), &letter, &date, &time);
    let refusals = legacy_refusals(format, bytes)?;
    let receipt = match format {
        LegacyFormat::Edifact => {
            let interchange =
                edifact::read(bytes).map_err(|e| ExchangeError::payload(e.to_string()))?;
            receipt::for_interchange(&interchange, &refusals, &options)
                .map_err(|e| ExchangeError::response(e.to_string()))?
                .map(|r| edifact::write(&r))
                .transpose()
                .map_err(|e| ExchangeError::response(e.to_string()))?
        }
        _ => {
            let root = oioxml::read(bytes).map_err(|e| ExchangeError::payload(e.to_string()))?;
            let message =
                oioxml::Emessage::new(&root).map_err(|e| ExchangeError::payload(e.to_string()))?;
            receipt::for_emessage(&message, &refusals, &options)
                .map(|r| oioxml::to_string(&r).into_bytes())
        }
    };
    Ok(match receipt {
        Some(r) => Stored {
            response_id: Some(letter),
            response: Some(r),
            findings: None,
        },
        None => Stored::default(),
    })
}
