//! Where a mailbox keeps what it received and sent.
//!
//! A [`Store`] does every state change in one transaction, so a crash at any point leaves either
//! the whole change or none of it: a received message is recorded together with the response it
//! got (and the findings kept with it), and a message first seen is recorded exactly once even
//! when several nodes share one store (`postgres::PostgresStore`, feature `postgres`).
//! `sqlite::SqliteStore` (feature `sqlite`, on by default) is the embedded default;
//! [`MemoryStore`] serves tests and benchmarks.
//!
//! # Hand-over
//!
//! A message is recorded *pending* and stays so until [`Store::confirm`] says the caller has it.
//! A reception of a pending message whose hand-over claim has run out (the receiver that
//! claimed it crashed) claims it again and hands it over again, with the response recorded the
//! first time; while a claim runs, another receiver treats the message as seen.

#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;

use std::collections::{HashMap, HashSet};

use super::ExchangeError;

/// What the duplicate table keys on: the generation (`fhir` or `legacy`), the payload's own
/// envelope identifier and its message identifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key<'a> {
    /// `fhir` or `legacy` (each generation has its own identifier space).
    pub generation: &'a str,
    /// `Bundle.id`, or the legacy envelope identifier.
    pub envelope_id: &'a str,
    /// `MessageHeader.id`, or the letter identifiers.
    pub message_ids: &'a [String],
}

/// Whether the envelope and the message were seen before.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    /// The envelope identifier was received before.
    pub envelope: bool,
    /// A message identifier was received before.
    pub message: bool,
}

/// The response recorded with a message when it was first received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stored {
    /// The response's identity (FHIR: the acknowledgement's `MessageHeader.id`; legacy: the
    /// receipt's letter identifier); `None` when there is no response.
    pub response_id: Option<String>,
    /// The response bytes (acknowledgement or receipt), unenveloped.
    pub response: Option<Vec<u8>>,
    /// The findings kept with the message (JSON lines, masked), when there were any.
    pub findings: Option<String>,
}

/// The result of [`Store::receive`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reception {
    /// What was seen before this reception.
    pub seen: Seen,
    /// The message's original response: the one just recorded for a new message, the first
    /// one for a message seen before; `None` for an error.
    pub original: Option<Stored>,
    /// This reception claimed the message for hand-over: it is new, or it was recorded but
    /// never confirmed and its previous claim has run out.
    pub handover: bool,
}

/// A received message as the store holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Received {
    /// The envelope identifier it first came in.
    pub envelope_id: String,
    /// Its response and kept findings.
    pub stored: Stored,
    /// Whether the caller confirmed the hand-over.
    pub handed_over: bool,
}

/// State of an outgoing message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutState {
    /// Sent (or resent), waiting for the acknowledgement.
    Sent,
    /// Positively acknowledged.
    Acknowledged,
    /// Negatively acknowledged.
    Rejected,
    /// No acknowledgement after the last allowed resend.
    Failed,
}

impl OutState {
    /// Lowercase name, as stored and printed.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Acknowledged => "acknowledged",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
        }
    }

    /// The state of a stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "sent" => Self::Sent,
            "acknowledged" => Self::Acknowledged,
            "rejected" => Self::Rejected,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// An outgoing message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// `MessageHeader.id` or the (first) letter identifier: stable across resends.
    pub message_id: String,
    /// `fhir` or `legacy`.
    pub generation: String,
    /// The current envelope identifier (`Bundle.id`; new for every resend).
    pub envelope_id: String,
    /// The payload as last sent.
    pub payload: Vec<u8>,
    /// State.
    pub state: OutState,
    /// Resends so far.
    pub resends: u32,
    /// When the next resend falls due (Unix seconds).
    pub due: i64,
    /// When it was first sent.
    pub created: i64,
    /// When the state last changed.
    pub updated: i64,
    /// The acknowledgement's response code, once settled.
    pub response_code: Option<String>,
    /// The identifier of the network envelope it last went out in (VANS `EnvelopeIdentifier`,
    /// SBDH `InstanceIdentifier`); `None` when sent bare.
    pub transport_id: Option<String>,
}

/// Counts for tests and monitoring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Distinct messages received (processed once each).
    pub messages: u64,
    /// Receptions, duplicates included.
    pub receptions: u64,
    /// Outgoing messages.
    pub outgoing: u64,
}

/// A mailbox's persistent state. Every method is one transaction.
pub trait Store: Send {
    /// Classifies a reception and records it, atomically. When neither the envelope nor any
    /// message was seen, `first` builds the response and the message is recorded with it;
    /// when the message was seen, its original response is returned; the (envelope, message)
    /// pairs are recorded in either case. An envelope seen with new messages is an error and
    /// records nothing but the reception.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the store or from `first` (then nothing is recorded).
    ///
    /// A message recorded but not yet confirmed ([`Store::confirm`]) is claimed for hand-over
    /// until `claim`: a reception after that claims it again ([`Reception::handover`]).
    fn receive(
        &mut self,
        key: &Key<'_>,
        now: i64,
        claim: i64,
        first: &mut dyn FnMut() -> Result<Stored, ExchangeError>,
    ) -> Result<Reception, ExchangeError>;

    /// Records that the caller has the message (its hand-over is complete): later receptions
    /// are duplicates. Confirming twice is harmless.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the store.
    fn confirm(&mut self, generation: &str, message_ids: &[String]) -> Result<(), ExchangeError>;

    /// Gives up the hand-over claim of a message not yet confirmed (its hand-over failed, e.g.
    /// the answer could not be written), so that its next reception hands it over at once.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the store.
    fn release(&mut self, generation: &str, message_ids: &[String]) -> Result<(), ExchangeError>;

    /// A received message, by generation and message identifier.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the store.
    fn received(
        &mut self,
        generation: &str,
        message_id: &str,
    ) -> Result<Option<Received>, ExchangeError>;

    /// Records an outgoing message; `false` when its message identifier is already recorded.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the store.
    fn record_sent(&mut self, message: &Outgoing) -> Result<bool, ExchangeError>;

    /// Outgoing messages in state `sent` whose resend is due at `now`, oldest first.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the store.
    fn due(&mut self, now: i64, limit: usize) -> Result<Vec<Outgoing>, ExchangeError>;

    /// Records a resend if the message is still `sent` with `resends` resends (so two nodes
    /// never both resend): new envelope identifier, payload and due time. `false` when another
    /// node got there first or the message was settled.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the store.
    #[allow(clippy::too_many_arguments)]
    fn resent(
        &mut self,
        message_id: &str,
        resends: u32,
        envelope_id: &str,
        transport_id: Option<&str>,
        payload: &[u8],
        due: i64,
        now: i64,
    ) -> Result<bool, ExchangeError>;

    /// The outgoing message whose current envelope identifier (`Bundle.id`) is
    /// `envelope_id`, if any.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the store.
    fn sent_in(
        &mut self,
        generation: &str,
        envelope_id: &str,
    ) -> Result<Option<String>, ExchangeError>;

    /// Marks a message `failed` if it is still `sent` with `resends` resends.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the store.
    fn fail(&mut self, message_id: &str, resends: u32, now: i64) -> Result<bool, ExchangeError>;

    /// Settles an outgoing message by its acknowledgement (a late one settles a failed message
    /// too). Returns the state before, or `None` for an unknown message; a settled message stays
    /// as it is.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the store.
    fn settle(
        &mut self,
        message_id: &str,
        state: OutState,
        code: &str,
        now: i64,
    ) -> Result<Option<OutState>, ExchangeError>;

    /// Every outgoing message, oldest first.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the store.
    fn outbox(&mut self) -> Result<Vec<Outgoing>, ExchangeError>;

    /// Counts.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the store.
    fn counts(&mut self) -> Result<Counts, ExchangeError>;
}

/// Opens a store from a URL: `postgres://…` or `postgresql://…` for PostgreSQL, `:memory:` for
/// an in-memory store, anything else is a SQLite file path.
///
/// # Errors
///
/// [`ExchangeError`] when the store cannot be opened or its tables not created.
pub fn open(url: &str) -> Result<Box<dyn Store>, ExchangeError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return Ok(Box::new(postgres::PostgresStore::connect(url)?));
        #[cfg(not(feature = "postgres"))]
        return Err(ExchangeError::store(
            "this build has no PostgreSQL store (build with the `postgres` feature)",
        ));
    }
    if url == ":memory:" {
        return Ok(Box::new(MemoryStore::default()));
    }
    #[cfg(feature = "sqlite")]
    return Ok(Box::new(sqlite::SqliteStore::open(url)?));
    #[cfg(not(feature = "sqlite"))]
    Err(ExchangeError::store(
        "this build has no SQLite store (build with the `sqlite` feature)",
    ))
}

/// A store in memory: the reference behaviour, for tests and the benchmark's baseline.
#[derive(Debug, Default)]
pub struct MemoryStore {
    messages: HashMap<(String, String), Memo>,
    envelopes: HashSet<(String, String)>,
    receptions: u64,
    outgoing: Vec<Outgoing>,
}

/// One received message in memory.
#[derive(Clone, Debug)]
struct Memo {
    envelope_id: String,
    stored: Stored,
    handed_over: bool,
    claimed_until: i64,
}

impl Store for MemoryStore {
    fn receive(
        &mut self,
        key: &Key<'_>,
        now: i64,
        claim: i64,
        first: &mut dyn FnMut() -> Result<Stored, ExchangeError>,
    ) -> Result<Reception, ExchangeError> {
        let g = key.generation.to_owned();
        let seen = Seen {
            envelope: self
                .envelopes
                .contains(&(g.clone(), key.envelope_id.to_owned())),
            message: key
                .message_ids
                .iter()
                .any(|m| self.messages.contains_key(&(g.clone(), m.clone()))),
        };
        let mut handover = false;
        let original = if seen.message {
            let memo = key
                .message_ids
                .iter()
                .find_map(|m| self.messages.get(&(g.clone(), m.clone())))
                .cloned();
            if memo
                .as_ref()
                .is_some_and(|m| !m.handed_over && m.claimed_until <= now)
            {
                handover = true;
                for m in key.message_ids {
                    if let Some(x) = self.messages.get_mut(&(g.clone(), m.clone())) {
                        x.claimed_until = claim;
                    }
                }
            }
            memo.map(|m| m.stored)
        } else if seen.envelope {
            None
        } else {
            let stored = first()?;
            for m in key.message_ids {
                self.messages.insert(
                    (g.clone(), m.clone()),
                    Memo {
                        envelope_id: key.envelope_id.to_owned(),
                        stored: stored.clone(),
                        handed_over: false,
                        claimed_until: claim,
                    },
                );
            }
            handover = true;
            Some(stored)
        };
        self.envelopes.insert((g, key.envelope_id.to_owned()));
        self.receptions += 1;
        Ok(Reception {
            seen,
            original,
            handover,
        })
    }

    fn confirm(&mut self, generation: &str, message_ids: &[String]) -> Result<(), ExchangeError> {
        for m in message_ids {
            if let Some(x) = self.messages.get_mut(&(generation.to_owned(), m.clone())) {
                x.handed_over = true;
            }
        }
        Ok(())
    }

    fn release(&mut self, generation: &str, message_ids: &[String]) -> Result<(), ExchangeError> {
        for m in message_ids {
            if let Some(x) = self
                .messages
                .get_mut(&(generation.to_owned(), m.clone()))
                .filter(|x| !x.handed_over)
            {
                x.claimed_until = 0;
            }
        }
        Ok(())
    }

    fn received(
        &mut self,
        generation: &str,
        message_id: &str,
    ) -> Result<Option<Received>, ExchangeError> {
        Ok(self
            .messages
            .get(&(generation.to_owned(), message_id.to_owned()))
            .map(|m| Received {
                envelope_id: m.envelope_id.clone(),
                stored: m.stored.clone(),
                handed_over: m.handed_over,
            }))
    }

    fn record_sent(&mut self, message: &Outgoing) -> Result<bool, ExchangeError> {
        if self
            .outgoing
            .iter()
            .any(|o| o.message_id == message.message_id)
        {
            return Ok(false);
        }
        self.outgoing.push(message.clone());
        Ok(true)
    }

    fn due(&mut self, now: i64, limit: usize) -> Result<Vec<Outgoing>, ExchangeError> {
        let mut due: Vec<Outgoing> = self
            .outgoing
            .iter()
            .filter(|o| o.state == OutState::Sent && o.due <= now)
            .cloned()
            .collect();
        due.sort_by_key(|o| o.due);
        due.truncate(limit);
        Ok(due)
    }

    fn resent(
        &mut self,
        message_id: &str,
        resends: u32,
        envelope_id: &str,
        transport_id: Option<&str>,
        payload: &[u8],
        due: i64,
        now: i64,
    ) -> Result<bool, ExchangeError> {
        let Some(o) = self.outgoing.iter_mut().find(|o| {
            o.message_id == message_id && o.resends == resends && o.state == OutState::Sent
        }) else {
            return Ok(false);
        };
        o.envelope_id = envelope_id.to_owned();
        o.transport_id = transport_id.map(str::to_owned);
        o.payload = payload.to_vec();
        o.resends += 1;
        o.due = due;
        o.updated = now;
        Ok(true)
    }

    fn sent_in(
        &mut self,
        generation: &str,
        envelope_id: &str,
    ) -> Result<Option<String>, ExchangeError> {
        Ok(self
            .outgoing
            .iter()
            .find(|o| o.generation == generation && o.envelope_id == envelope_id)
            .map(|o| o.message_id.clone()))
    }

    fn fail(&mut self, message_id: &str, resends: u32, now: i64) -> Result<bool, ExchangeError> {
        let Some(o) = self.outgoing.iter_mut().find(|o| {
            o.message_id == message_id && o.resends == resends && o.state == OutState::Sent
        }) else {
            return Ok(false);
        };
        o.state = OutState::Failed;
        o.updated = now;
        Ok(true)
    }

    fn settle(
        &mut self,
        message_id: &str,
        state: OutState,
        code: &str,
        now: i64,
    ) -> Result<Option<OutState>, ExchangeError> {
        let Some(o) = self
            .outgoing
            .iter_mut()
            .find(|o| o.message_id == message_id)
        else {
            return Ok(None);
        };
        let before = o.state;
        if matches!(before, OutState::Sent | OutState::Failed) {
            o.state = state;
            o.response_code = Some(code.to_owned());
            o.updated = now;
        }
        Ok(Some(before))
    }

    fn outbox(&mut self) -> Result<Vec<Outgoing>, ExchangeError> {
        Ok(self.outgoing.clone())
    }

    fn counts(&mut self) -> Result<Counts, ExchangeError> {
        Ok(Counts {
            messages: self.messages.len() as u64,
            receptions: self.receptions,
            outgoing: self.outgoing.len() as u64,
        })
    }
}
