//! A PostgreSQL store, for several nodes sharing one mailbox. A reception takes transaction
//! advisory locks on its envelope and message keys (in a fixed order, so no deadlock), so a
//! second node receiving the same message waits for the first to commit and then sees it as a
//! duplicate; the primary keys guard the same invariant. Resends and failures are
//! compare-and-set updates, so two nodes never both resend one message.

use postgres::{Client, NoTls};

use super::{Counts, Key, OutState, Outgoing, Received, Reception, Seen, Store, Stored};
use crate::exchange::ExchangeError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS medcom_inbox (
    generation TEXT NOT NULL, message_id TEXT NOT NULL, envelope_id TEXT NOT NULL,
    response_id TEXT, response BYTEA, received BIGINT NOT NULL,
    handed_over BOOLEAN NOT NULL DEFAULT true, claimed_until BIGINT NOT NULL DEFAULT 0,
    findings TEXT,
    PRIMARY KEY (generation, message_id));
ALTER TABLE medcom_inbox ADD COLUMN IF NOT EXISTS handed_over BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE medcom_inbox ADD COLUMN IF NOT EXISTS claimed_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE medcom_inbox ADD COLUMN IF NOT EXISTS findings TEXT;
CREATE TABLE IF NOT EXISTS medcom_envelopes (
    generation TEXT NOT NULL, envelope_id TEXT NOT NULL, PRIMARY KEY (generation, envelope_id));
CREATE TABLE IF NOT EXISTS medcom_receptions (
    id BIGSERIAL PRIMARY KEY, generation TEXT NOT NULL, envelope_id TEXT NOT NULL,
    message_id TEXT NOT NULL, received BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS medcom_outbox (
    message_id TEXT PRIMARY KEY, generation TEXT NOT NULL, envelope_id TEXT NOT NULL,
    payload BYTEA NOT NULL, state TEXT NOT NULL, resends INTEGER NOT NULL, due BIGINT NOT NULL,
    created BIGINT NOT NULL, updated BIGINT NOT NULL, response_code TEXT, transport_id TEXT);
CREATE INDEX IF NOT EXISTS medcom_outbox_due ON medcom_outbox (state, due);
ALTER TABLE medcom_outbox ADD COLUMN IF NOT EXISTS transport_id TEXT;
CREATE INDEX IF NOT EXISTS medcom_outbox_envelope ON medcom_outbox (generation, envelope_id);
";

/// Serializes schema creation between nodes starting at once.
const SCHEMA_LOCK: i64 = 0x6d65_6463_6f6d;

/// A PostgreSQL store.
pub struct PostgresStore {
    client: Client,
    statements: Statements,
}

/// The reception's statements, prepared once per connection: a reception is five round trips
/// (begin, lock, look up, insert, commit).
struct Statements {
    lock: postgres::Statement,
    seen: postgres::Statement,
    claim: postgres::Statement,
    insert_new: postgres::Statement,
    insert_seen: postgres::Statement,
}

impl Statements {
    fn prepare(client: &mut Client) -> Result<Self, ExchangeError> {
        Ok(Self {
            // Locks in sorted order, so two receptions never deadlock.
            lock: client
                .prepare(
                    "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0)))
                     FROM (SELECT unnest($1::text[]) AS k ORDER BY 1) AS keys",
                )
                .map_err(err)?,
            seen: client
                .prepare(
                    "SELECT EXISTS (SELECT 1 FROM medcom_envelopes WHERE generation = $1 AND envelope_id = $2),
                            i.message_id IS NOT NULL, i.response_id, i.response, i.findings,
                            coalesce(NOT i.handed_over AND i.claimed_until <= $4, false)
                     FROM (SELECT 1) AS one
                     LEFT JOIN LATERAL (SELECT message_id, response_id, response, findings, handed_over,
                                               claimed_until FROM medcom_inbox
                                        WHERE generation = $1 AND message_id = ANY($3) LIMIT 1) AS i ON true",
                )
                .map_err(err)?,
            claim: client
                .prepare(
                    "UPDATE medcom_inbox SET claimed_until = $3
                     WHERE generation = $1 AND message_id = ANY($2)",
                )
                .map_err(err)?,
            insert_new: client
                .prepare(
                    "WITH m AS (
                        INSERT INTO medcom_inbox (generation, message_id, envelope_id, response_id, response,
                                                  received, handed_over, claimed_until, findings)
                        SELECT $1, unnest($2::text[]), $3, $4, $5, $6, false, $8, $9),
                     e AS (
                        INSERT INTO medcom_envelopes (generation, envelope_id) VALUES ($1, $3) ON CONFLICT DO NOTHING)
                     INSERT INTO medcom_receptions (generation, envelope_id, message_id, received) VALUES ($1, $3, $7, $6)",
                )
                .map_err(err)?,
            insert_seen: client
                .prepare(
                    "WITH e AS (
                        INSERT INTO medcom_envelopes (generation, envelope_id) VALUES ($1, $2) ON CONFLICT DO NOTHING)
                     INSERT INTO medcom_receptions (generation, envelope_id, message_id, received) VALUES ($1, $2, $4, $3)",
                )
                .map_err(err)?,
        })
    }
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

fn err(e: impl std::fmt::Display) -> ExchangeError {
    ExchangeError::store(e)
}

impl PostgresStore {
    /// Connects (without TLS: meant for a local or private network) and creates the tables.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] when the server cannot be reached or the tables not created.
    pub fn connect(url: &str) -> Result<Self, ExchangeError> {
        let mut client = Client::connect(url, NoTls).map_err(err)?;
        client
            .execute("SELECT pg_advisory_lock($1)", &[&SCHEMA_LOCK])
            .map_err(err)?;
        let created = client.batch_execute(SCHEMA).map_err(err);
        client
            .execute("SELECT pg_advisory_unlock($1)", &[&SCHEMA_LOCK])
            .map_err(err)?;
        created?;
        let statements = Statements::prepare(&mut client)?;
        Ok(Self { client, statements })
    }

    /// Removes every row (tests).
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] from the server.
    pub fn clear(&mut self) -> Result<(), ExchangeError> {
        self.client
            .batch_execute(
                "TRUNCATE medcom_inbox, medcom_envelopes, medcom_receptions, medcom_outbox",
            )
            .map_err(err)
    }
}

fn outgoing(row: &postgres::Row) -> Outgoing {
    let state: String = row.get(4);
    let resends: i32 = row.get(5);
    Outgoing {
        message_id: row.get(0),
        generation: row.get(1),
        envelope_id: row.get(2),
        payload: row.get(3),
        state: OutState::parse(&state).unwrap_or(OutState::Failed),
        resends: u32::try_from(resends).unwrap_or(0),
        due: row.get(6),
        created: row.get(7),
        updated: row.get(8),
        response_code: row.get(9),
        transport_id: row.get(10),
    }
}

const OUT_COLUMNS: &str = "message_id, generation, envelope_id, payload, state, resends, due, created, updated, response_code, transport_id";

fn resends_i32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl Store for PostgresStore {
    fn receive(
        &mut self,
        key: &Key<'_>,
        now: i64,
        claim: i64,
        first: &mut dyn FnMut() -> Result<Stored, ExchangeError>,
    ) -> Result<Reception, ExchangeError> {
        let st = &self.statements;
        let mut tx = self.client.transaction().map_err(err)?;
        let mut locks: Vec<String> = key
            .message_ids
            .iter()
            .map(|m| format!("m\u{1}{}\u{1}{m}", key.generation))
            .collect();
        locks.push(format!("e\u{1}{}\u{1}{}", key.generation, key.envelope_id));
        locks.sort();
        locks.dedup();
        tx.execute(&st.lock, &[&locks]).map_err(err)?;
        let row = tx
            .query_one(
                &st.seen,
                &[&key.generation, &key.envelope_id, &key.message_ids, &now],
            )
            .map_err(err)?;
        let envelope: bool = row.get(0);
        let found: bool = row.get(1);
        let pending: bool = row.get(5);
        let mut original = found.then(|| Stored {
            response_id: row.get(2),
            response: row.get(3),
            findings: row.get(4),
        });
        let mut handover = false;
        let seen = Seen {
            envelope,
            message: original.is_some(),
        };
        let first_id = key.message_ids.first().map_or("", String::as_str);
        if !seen.envelope && !seen.message {
            let stored = first()?;
            tx.execute(
                &st.insert_new,
                &[
                    &key.generation,
                    &key.message_ids,
                    &key.envelope_id,
                    &stored.response_id,
                    &stored.response,
                    &now,
                    &first_id,
                    &claim,
                    &stored.findings,
                ],
            )
            .map_err(err)?;
            original = Some(stored);
            handover = true;
        } else {
            if pending {
                tx.execute(&st.claim, &[&key.generation, &key.message_ids, &claim])
                    .map_err(err)?;
                handover = true;
            }
            tx.execute(
                &st.insert_seen,
                &[&key.generation, &key.envelope_id, &now, &first_id],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(Reception {
            seen,
            original,
            handover,
        })
    }

    fn confirm(&mut self, generation: &str, message_ids: &[String]) -> Result<(), ExchangeError> {
        self.client
            .execute(
                "UPDATE medcom_inbox SET handed_over = true
                 WHERE generation = $1 AND message_id = ANY($2) AND NOT handed_over",
                &[&generation, &message_ids],
            )
            .map_err(err)?;
        Ok(())
    }

    fn release(&mut self, generation: &str, message_ids: &[String]) -> Result<(), ExchangeError> {
        self.client
            .execute(
                "UPDATE medcom_inbox SET claimed_until = 0
                 WHERE generation = $1 AND message_id = ANY($2) AND NOT handed_over",
                &[&generation, &message_ids],
            )
            .map_err(err)?;
        Ok(())
    }

    fn received(
        &mut self,
        generation: &str,
        message_id: &str,
    ) -> Result<Option<Received>, ExchangeError> {
        let row = self
            .client
            .query_opt(
                "SELECT envelope_id, response_id, response, findings, handed_over FROM medcom_inbox
                 WHERE generation = $1 AND message_id = $2",
                &[&generation, &message_id],
            )
            .map_err(err)?;
        Ok(row.map(|r| Received {
            envelope_id: r.get(0),
            stored: Stored {
                response_id: r.get(1),
                response: r.get(2),
                findings: r.get(3),
            },
            handed_over: r.get(4),
        }))
    }

    fn record_sent(&mut self, m: &Outgoing) -> Result<bool, ExchangeError> {
        let n = self
            .client
            .execute(
                &format!(
                    "INSERT INTO medcom_outbox ({OUT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT DO NOTHING"
                ),
                &[
                    &m.message_id,
                    &m.generation,
                    &m.envelope_id,
                    &m.payload,
                    &m.state.as_str(),
                    &resends_i32(m.resends),
                    &m.due,
                    &m.created,
                    &m.updated,
                    &m.response_code,
                    &m.transport_id,
                ],
            )
            .map_err(err)?;
        Ok(n == 1)
    }

    fn due(&mut self, now: i64, limit: usize) -> Result<Vec<Outgoing>, ExchangeError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .client
            .query(
                &format!(
                    "SELECT {OUT_COLUMNS} FROM medcom_outbox WHERE state = 'sent' AND due <= $1 ORDER BY due LIMIT $2"
                ),
                &[&now, &limit],
            )
            .map_err(err)?;
        Ok(rows.iter().map(outgoing).collect())
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
        let n = self
            .client
            .execute(
                "UPDATE medcom_outbox SET envelope_id = $3, payload = $4, resends = resends + 1, due = $5, updated = $6,
                                          transport_id = $7
                 WHERE message_id = $1 AND resends = $2 AND state = 'sent'",
                &[&message_id, &resends_i32(resends), &envelope_id, &payload, &due, &now, &transport_id],
            )
            .map_err(err)?;
        Ok(n == 1)
    }

    fn sent_in(
        &mut self,
        generation: &str,
        envelope_id: &str,
    ) -> Result<Option<String>, ExchangeError> {
        Ok(self
            .client
            .query_opt(
                "SELECT message_id FROM medcom_outbox WHERE generation = $1 AND envelope_id = $2 LIMIT 1",
                &[&generation, &envelope_id],
            )
            .map_err(err)?
            .map(|r| r.get(0)))
    }

    fn fail(&mut self, message_id: &str, resends: u32, now: i64) -> Result<bool, ExchangeError> {
        let n = self
            .client
            .execute(
                "UPDATE medcom_outbox SET state = 'failed', updated = $3
                 WHERE message_id = $1 AND resends = $2 AND state = 'sent'",
                &[&message_id, &resends_i32(resends), &now],
            )
            .map_err(err)?;
        Ok(n == 1)
    }

    fn settle(
        &mut self,
        message_id: &str,
        state: OutState,
        code: &str,
        now: i64,
    ) -> Result<Option<OutState>, ExchangeError> {
        let mut tx = self.client.transaction().map_err(err)?;
        let before = tx
            .query_opt(
                "SELECT state FROM medcom_outbox WHERE message_id = $1 FOR UPDATE",
                &[&message_id],
            )
            .map_err(err)?
            .map(|r| r.get::<_, String>(0));
        tx.execute(
            "UPDATE medcom_outbox SET state = $2, response_code = $3, updated = $4
             WHERE message_id = $1 AND state IN ('sent', 'failed')",
            &[&message_id, &state.as_str(), &code, &now],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(before.and_then(|s| OutState::parse(&s)))
    }

    fn outbox(&mut self) -> Result<Vec<Outgoing>, ExchangeError> {
        let rows = self
            .client
            .query(
                &format!("SELECT {OUT_COLUMNS} FROM medcom_outbox ORDER BY created, message_id"),
                &[],
            )
            .map_err(err)?;
        Ok(rows.iter().map(outgoing).collect())
    }

    fn counts(&mut self) -> Result<Counts, ExchangeError> {
        let mut count = |sql: &str| -> Result<u64, ExchangeError> {
            let n: i64 = self.client.query_one(sql, &[]).map_err(err)?.get(0);
            Ok(u64::try_from(n).unwrap_or(0))
        };
        Ok(Counts {
            messages: count("SELECT COUNT(*) FROM medcom_inbox")?,
            receptions: count("SELECT COUNT(*) FROM medcom_receptions")?,
            outgoing: count("SELECT COUNT(*) FROM medcom_outbox")?,
        })
    }
}
