//! Exchange: network envelopes, acknowledgements and receipts, duplicate detection and resends
//! on a crash-safe store — MedCom's reliable-messaging rules for one party (a mailbox).
//!
//! - [`envelope`]: VANSEnvelope 1.0.4 and the EHMI SBDH, wrapped and unwrapped.
//! - [`payload`]: the facts of a FHIR or legacy message the exchange keys on.
//! - [`ack`]: the FHIR Acknowledgement a receiver answers with (behind [`ack::Responder`]).
//! - [`engine`]: `receive` (process / duplicate / reject / error per the duplicate table),
//!   `send`, resends from the due list, and correlation of incoming acknowledgements.
//! - [`store`]: where the mailbox lives: SQLite (embedded default) or PostgreSQL (several
//!   nodes on one mailbox), plus an in-memory store for tests.
//! - [`policy`]: the receive policy, which acknowledgement code a message gets.
//! - [`clock`]: the injectable clock and UUID source.
//!
//! # The delivery guarantee
//!
//! Every received message is handed to the caller for processing **at least once**, under its
//! message identifier (`MessageHeader.id`, or the legacy letter identifier) as the idempotency
//! key, and every reception of it is answered with **the same response content** (a repeat
//! FHIR acknowledgement differs only in its `Bundle.id` and `Bundle.timestamp`, as MedCom
//! requires).
//!
//! The protocol: [`Engine::receive`] records the message, its decision and its response in one
//! store transaction, in state *pending*, and returns [`Decision::Process`]; the caller
//! processes the message, sends or writes the response, and then calls [`Engine::confirm`].
//! A crash anywhere before the confirmation (before, during or after the store write, while
//! writing the answer) leaves the message pending: the next reception of it, once the
//! hand-over timeout ([`EngineOptions::handover_timeout`], default 60 s) has run out, hands it
//! over again as `Process` with the response recorded the first time. After the confirmation,
//! receptions are duplicates ([`Decision::Duplicate`] or [`Decision::Reject`] by MedCom's
//! duplicate table) and get the original response again. A caller must therefore process
//! idempotently by message identifier: after a crash it may see a message twice, never zero
//! times. Both stores keep this guarantee (SQLite in WAL mode; PostgreSQL with several
//! receivers on one mailbox, where a running hand-over claim keeps a second receiver from
//! processing the message at the same time).
//!
//! # Examples
//!
//! Receiving a message twice on one mailbox: handed over once, then answered again as a
//! duplicate with the same acknowledgement.
//!
//! ```
//! use std::sync::Arc;
//! use medcom::exchange::clock::TestClock;
//! use medcom::exchange::store::MemoryStore;
//! use medcom::exchange::{Decision, Engine};
//!
//! let message = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cli/carecommunication.json"));
//! let mut engine = Engine::new(Box::new(MemoryStore::default()), Arc::new(TestClock::new(1_700_000_000, 1)));
//! let first = engine.receive(message)?;
//! assert_eq!(first.decision, Decision::Process);
//! // ... process the message and send `first.response`, then:
//! engine.confirm(&first)?;
//! let again = engine.receive(message)?;
//! assert_eq!(again.decision, Decision::Duplicate);
//! assert_eq!(again.ack_id, first.ack_id);
//! # Ok::<(), medcom::exchange::ExchangeError>(())
//! ```

pub mod ack;
pub(crate) use crate::base64;
/// The injectable clock and UUID source (also [`crate::clock`]).
pub use crate::clock;
pub mod engine;
pub mod envelope;
pub mod payload;
pub mod policy;
pub mod store;

use std::fmt;

pub use engine::{Decision, Engine, EngineOptions, Outcome};
pub use envelope::Envelope;
pub use payload::{Payload, PayloadFormat};
pub use policy::{ReceivePolicy, Rule, Verdict};

/// What went wrong in the exchange layer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExchangeErrorKind {
    /// The envelope does not read.
    Envelope(String),
    /// The payload is no message the exchange can key on.
    Payload(String),
    /// The store failed.
    Store(String),
    /// A response could not be built.
    Response(String),
}

/// An exchange error (boxed kind).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeError(Box<ExchangeErrorKind>);

impl ExchangeError {
    /// The kind.
    #[must_use]
    pub fn kind(&self) -> &ExchangeErrorKind {
        &self.0
    }

    pub(crate) fn envelope(m: impl Into<String>) -> Self {
        Self(Box::new(ExchangeErrorKind::Envelope(m.into())))
    }

    pub(crate) fn payload(m: impl Into<String>) -> Self {
        Self(Box::new(ExchangeErrorKind::Payload(m.into())))
    }

    pub(crate) fn store(m: impl fmt::Display) -> Self {
        Self(Box::new(ExchangeErrorKind::Store(m.to_string())))
    }

    pub(crate) fn response(m: impl Into<String>) -> Self {
        Self(Box::new(ExchangeErrorKind::Response(m.into())))
    }
}

impl fmt::Display for ExchangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            ExchangeErrorKind::Envelope(m) => write!(f, "envelope: {m}"),
            ExchangeErrorKind::Payload(m) => write!(f, "payload: {m}"),
            ExchangeErrorKind::Store(m) => write!(f, "store: {m}"),
            ExchangeErrorKind::Response(m) => write!(f, "response: {m}"),
        }
    }
}

impl std::error::Error for ExchangeError {}
