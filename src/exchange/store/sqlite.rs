//! The embedded default store: one SQLite file in WAL mode. Every state change is one
//! transaction taken with `BEGIN IMMEDIATE`, so several processes on one file serialize on the
//! write lock instead of failing to upgrade a read lock. Opening waits for the write lock too,
//! so receivers creating a new store at the same moment set it up one after the other.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{Counts, Key, OutState, Outgoing, Received, Reception, Seen, Store, Stored};
use crate::exchange::ExchangeError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS inbox (
    generation TEXT NOT NULL, message_id TEXT NOT NULL, envelope_id TEXT NOT NULL,
    response_id TEXT, response BLOB, received INTEGER NOT NULL,
    handed_over INTEGER NOT NULL DEFAULT 1, claimed_until INTEGER NOT NULL DEFAULT 0,
    findings TEXT,
    PRIMARY KEY (generation, message_id));
CREATE TABLE IF NOT EXISTS envelopes (
    generation TEXT NOT NULL, envelope_id TEXT NOT NULL, PRIMARY KEY (generation, envelope_id));
CREATE TABLE IF NOT EXISTS receptions (
    id INTEGER PRIMARY KEY, generation TEXT NOT NULL, envelope_id TEXT NOT NULL,
    message_id TEXT NOT NULL, received INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    message_id TEXT PRIMARY KEY, generation TEXT NOT NULL, envelope_id TEXT NOT NULL,
    payload BLOB NOT NULL, state TEXT NOT NULL, resends INTEGER NOT NULL, due INTEGER NOT NULL,
    created INTEGER NOT NULL, updated INTEGER NOT NULL, response_code TEXT, transport_id TEXT);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, due);
";

/// A SQLite store.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
}

fn err(e: impl std::fmt::Display) -> ExchangeError {
    ExchangeError::store(e)
}

impl SqliteStore {
    /// Opens (creating) the store at `path`, in WAL mode with a 10-second busy timeout.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] when the file cannot be opened or the tables not created.
    pub fn open(path: &str) -> Result<Self, ExchangeError> {
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(BUSY).map_err(err)?;
        // Switching a new file to WAL takes an exclusive lock without calling the busy handler:
        // receivers opening a new store at once retry instead of failing.
        let start = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(2);
        loop {
            match setup(&conn) {
                Ok(()) => break,
                Err(e) if is_busy(&e) && start.elapsed() < BUSY => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(std::time::Duration::from_millis(100));
                }
                Err(e) => return Err(err(e)),
            }
        }
        Ok(Self { conn })
    }
}

/// How long a store waits for another process's lock.
const BUSY: std::time::Duration = std::time::Duration::from_secs(10);

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// WAL mode and the tables (created, or given the columns a store made by an earlier version
/// lacks), in one write transaction.
fn setup(conn: &Connection) -> rusqlite::Result<()> {
    // WAL with synchronous=NORMAL survives a killed process (not a power cut mid-commit).
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some(format!("journal mode is {mode}")),
        ));
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let done = (|| {
        conn.execute_batch(SCHEMA)?;
        let mut columns: Vec<(&str, String)> = Vec::new();
        for table in ["inbox", "outbox"] {
            let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(1))?;
            for c in rows {
                columns.push((table, c?));
            }
        }
        for (table, name, ddl) in [
            (
                "inbox",
                "handed_over",
                "handed_over INTEGER NOT NULL DEFAULT 1",
            ),
            (
                "inbox",
                "claimed_until",
                "claimed_until INTEGER NOT NULL DEFAULT 0",
            ),
            ("inbox", "findings", "findings TEXT"),
            ("outbox", "transport_id", "transport_id TEXT"),
        ] {
            if !columns.iter().any(|(t, c)| *t == table && c == name) {
                conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {ddl}"))?;
            }
        }
        conn.execute_batch(
            "CREATE INDEX IF NOT EXISTS outbox_envelope ON outbox (generation, envelope_id)",
        )?;
        Ok(())
    })();
    match done {
        Ok(()) => conn.execute_batch("COMMIT"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

fn outgoing(row: &rusqlite::Row<'_>) -> rusqlite::Result<Outgoing> {
    let state: String = row.get(4)?;
    Ok(Outgoing {
        message_id: row.get(0)?,
        generation: row.get(1)?,
        envelope_id: row.get(2)?,
        payload: row.get(3)?,
        state: OutState::parse(&state).unwrap_or(OutState::Failed),
        resends: row.get(5)?,
        due: row.get(6)?,
        created: row.get(7)?,
        updated: row.get(8)?,
        response_code: row.get(9)?,
        transport_id: row.get(10)?,
    })
}

const OUT_COLUMNS: &str = "message_id, generation, envelope_id, payload, state, resends, due, created, updated, response_code, transport_id";

impl Store for SqliteStore {
    fn receive(
        &mut self,
        key: &Key<'_>,
        now: i64,
        claim: i64,
        first: &mut dyn FnMut() -> Result<Stored, ExchangeError>,
    ) -> Result<Reception, ExchangeError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let envelope = tx
            .query_row(
                "SELECT 1 FROM envelopes WHERE generation = ?1 AND envelope_id = ?2",
                params![key.generation, key.envelope_id],
                |_| Ok(()),
            )
            .optional()
            .map_err(err)?
            .is_some();
        let mut original = None;
        let mut pending = false;
        for m in key.message_ids {
            let row = tx
                .query_row(
                    "SELECT response_id, response, findings, handed_over = 0 AND claimed_until <= ?3
                     FROM inbox WHERE generation = ?1 AND message_id = ?2",
                    params![key.generation, m, now],
                    |r| {
                        Ok((
                            Stored {
                                response_id: r.get(0)?,
                                response: r.get(1)?,
                                findings: r.get(2)?,
                            },
                            r.get::<_, bool>(3)?,
                        ))
                    },
                )
                .optional()
                .map_err(err)?;
            if let Some((stored, claimable)) = row {
                original = Some(stored);
                pending = claimable;
                break;
            }
        }
        let seen = Seen {
            envelope,
            message: original.is_some(),
        };
        let mut handover = false;
        if !seen.envelope && !seen.message {
            let stored = first()?;
            for m in key.message_ids {
                tx.execute(
                    "INSERT INTO inbox (generation, message_id, envelope_id, response_id, response,
                                        received, handed_over, claimed_until, findings)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7, ?8)",
                    params![
                        key.generation,
                        m,
                        key.envelope_id,
                        stored.response_id,
                        stored.response,
                        now,
                        claim,
                        stored.findings
                    ],
                )
                .map_err(err)?;
            }
            original = Some(stored);
            handover = true;
        } else if pending {
            for m in key.message_ids {
                tx.execute(
                    "UPDATE inbox SET claimed_until = ?3 WHERE generation = ?1 AND message_id = ?2",
                    params![key.generation, m, claim],
                )
                .map_err(err)?;
            }
            handover = true;
        }
        tx.execute(
            "INSERT OR IGNORE INTO envelopes (generation, envelope_id) VALUES (?1, ?2)",
            params![key.generation, key.envelope_id],
        )
        .map_err(err)?;
        tx.execute(
            "INSERT INTO receptions (generation, envelope_id, message_id, received) VALUES (?1, ?2, ?3, ?4)",
            params![
                key.generation,
                key.envelope_id,
                key.message_ids.first().map_or("", String::as_str),
                now
            ],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(Reception {
            seen,
            original,
            handover,
        })
    }

    fn confirm(&mut self, generation: &str, message_ids: &[String]) -> Result<(), ExchangeError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        for m in message_ids {
            tx.execute(
                "UPDATE inbox SET handed_over = 1 WHERE generation = ?1 AND message_id = ?2",
                params![generation, m],
            )
            .map_err(err)?;
        }
        tx.commit().map_err(err)
    }

    fn release(&mut self, generation: &str, message_ids: &[String]) -> Result<(), ExchangeError> {
        for m in message_ids {
            self.conn
                .execute(
                    "UPDATE inbox SET claimed_until = 0
                     WHERE generation = ?1 AND message_id = ?2 AND handed_over = 0",
                    params![generation, m],
                )
                .map_err(err)?;
        }
        Ok(())
    }

    fn received(
        &mut self,
        generation: &str,
        message_id: &str,
    ) -> Result<Option<Received>, ExchangeError> {
        self.conn
            .query_row(
                "SELECT envelope_id, response_id, response, findings, handed_over FROM inbox
                 WHERE generation = ?1 AND message_id = ?2",
                params![generation, message_id],
                |r| {
                    Ok(Received {
                        envelope_id: r.get(0)?,
                        stored: Stored {
                            response_id: r.get(1)?,
                            response: r.get(2)?,
                            findings: r.get(3)?,
                        },
                        handed_over: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(err)
    }

    fn record_sent(&mut self, m: &Outgoing) -> Result<bool, ExchangeError> {
        let n = self
            .conn
            .execute(
                &format!(
                    "INSERT OR IGNORE INTO outbox ({OUT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                ),
                params![
                    m.message_id,
                    m.generation,
                    m.envelope_id,
                    m.payload,
                    m.state.as_str(),
                    m.resends,
                    m.due,
                    m.created,
                    m.updated,
                    m.response_code,
                    m.transport_id
                ],
            )
            .map_err(err)?;
        Ok(n == 1)
    }

    fn due(&mut self, now: i64, limit: usize) -> Result<Vec<Outgoing>, ExchangeError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {OUT_COLUMNS} FROM outbox WHERE state = 'sent' AND due <= ?1 ORDER BY due LIMIT ?2"
            ))
            .map_err(err)?;
        let rows = stmt
            .query_map(
                params![now, i64::try_from(limit).unwrap_or(i64::MAX)],
                outgoing,
            )
            .map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
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
            .conn
            .execute(
                "UPDATE outbox SET envelope_id = ?3, payload = ?4, resends = resends + 1, due = ?5, updated = ?6,
                                   transport_id = ?7
                 WHERE message_id = ?1 AND resends = ?2 AND state = 'sent'",
                params![message_id, resends, envelope_id, payload, due, now, transport_id],
            )
            .map_err(err)?;
        Ok(n == 1)
    }

    fn sent_in(
        &mut self,
        generation: &str,
        envelope_id: &str,
    ) -> Result<Option<String>, ExchangeError> {
        self.conn
            .query_row(
                "SELECT message_id FROM outbox WHERE generation = ?1 AND envelope_id = ?2",
                params![generation, envelope_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)
    }

    fn fail(&mut self, message_id: &str, resends: u32, now: i64) -> Result<bool, ExchangeError> {
        let n = self
            .conn
            .execute(
                "UPDATE outbox SET state = 'failed', updated = ?3
                 WHERE message_id = ?1 AND resends = ?2 AND state = 'sent'",
                params![message_id, resends, now],
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
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let before: Option<String> = tx
            .query_row(
                "SELECT state FROM outbox WHERE message_id = ?1",
                params![message_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        tx.execute(
            "UPDATE outbox SET state = ?2, response_code = ?3, updated = ?4
             WHERE message_id = ?1 AND state IN ('sent', 'failed')",
            params![message_id, state.as_str(), code, now],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(before.and_then(|s| OutState::parse(&s)))
    }

    fn outbox(&mut self) -> Result<Vec<Outgoing>, ExchangeError> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {OUT_COLUMNS} FROM outbox ORDER BY created, message_id"
            ))
            .map_err(err)?;
        let rows = stmt.query_map([], outgoing).map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }

    fn counts(&mut self) -> Result<Counts, ExchangeError> {
        let count = |sql: &str| -> Result<u64, ExchangeError> {
            let n: i64 = self.conn.query_row(sql, [], |r| r.get(0)).map_err(err)?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        Ok(Counts {
            messages: count("SELECT COUNT(*) FROM inbox")?,
            receptions: count("SELECT COUNT(*) FROM receptions")?,
            outgoing: count("SELECT COUNT(*) FROM outbox")?,
        })
    }
}
