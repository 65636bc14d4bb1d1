//! Where a mailbox keeps what it received and sent.
//!
//! A [`Store`] does every state change in one transaction, so a crash at any point leaves either
//! the whole change or none of it: a received message is recorded together with the response it
//! got, and a message first seen is recorded exactly once even when several nodes share one
//! store (`postgres::PostgresStore`, feature `postgres`). `sqlite::SqliteStore` (feature
//! `sqlite`, on by default) is the embedded default; [`MemoryStore`] serves tests and benchmarks.

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
}

/// The result of [`Store::receive`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reception {
    /// What was seen before this reception.
    pub seen: Seen,
    /// The message's original response: the one just recorded for a new message, the first
    /// one for a message seen before; `None` for an error.
    pub original: Option<Stored>,
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
    fn receive(
        &mut self,
        key: &Key<'_>,
        now: i64,
        first: &mut dyn FnMut() -> Result<Stored, ExchangeError>,
    ) -> Result<Reception, ExchangeError>;

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
    fn resent(
        &mut self,
        message_id: &str,
        resends: u32,
        envelope_id: &str,
        payload: &[u8],
        due: i64,
        now: i64,
    ) -> Result<bool, ExchangeError>;

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
    messages: HashMap<(String, String), Stored>,
    envelopes: HashSet<(String, String)>,
    receptions: u64,
    outgoing: Vec<Outgoing>,
}

impl Store for MemoryStore {
    fn receive(
        &mut self,
        key: &Key<'_>,
        _now: i64,
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
        let original = if seen.message {
            key.message_ids
                .iter()
                .find_map(|m| self.messages.get(&(g.clone(), m.clone())))
                .cloned()
        } else if seen.envelope {
            None
        } else {
            let stored = first()?;
            for m in key.message_ids {
                self.messages.insert((g.clone(), m.clone()), stored.clone());
            }
            Some(stored)
        };
        self.envelopes.insert((g, key.envelope_id.to_owned()));
        self.receptions += 1;
        Ok(Reception { seen, original })
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
        o.payload = payload.to_vec();
        o.resends += 1;
        o.due = due;
        o.updated = now;
        Ok(true)
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
