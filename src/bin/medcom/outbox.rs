//! `medcom outbox --store URL [--due] [--resend]`
//!
//! One JSON line per outgoing message: `message_id`, `bundle_id` (the payload's envelope
//! identifier), `envelope_id` (the network envelope it last went out in, `null` when sent
//! bare), `state`, `resends`, and the times `sent`, `updated` and `due` in RFC 3339 (UTC).

use std::sync::Arc;

use medcom::exchange::clock::{date_time, Clock, SystemClock};
use medcom::exchange::engine::Resend;
use medcom::exchange::{store, Engine};

use crate::{write_stdout, Failure, Outcome};

/// The command's description in `medcom outbox --help`.
pub(crate) const ABOUT: &str = "Lists outgoing messages and their state, one JSON line each \
(times in RFC 3339, UTC), or with --resend resends the due ones (new Bundle.id and timestamp; \
failed after two resends). URL is a SQLite path or a postgres:// URL.";

/// `medcom outbox` options.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
    /// The exchange store: a SQLite path or a postgres:// URL.
    #[arg(long, value_name = "URL")]
    store: String,
    /// Only the messages due for a resend.
    #[arg(long)]
    due: bool,
    /// Resend the due messages.
    #[arg(long)]
    resend: bool,
}

pub(crate) fn run(options: Options) -> Outcome {
    let Options { store, due, resend } = options;
    let url = store.as_str();
    let clock = Arc::new(SystemClock::default());
    let now = clock.now();
    let mut store = store::open(url).map_err(|e| Failure::Io(e.to_string()))?;
    let mut out = String::new();
    if resend {
        let mut engine = Engine::new(store, clock);
        for r in engine
            .resend_due()
            .map_err(|e| Failure::Io(e.to_string()))?
        {
            let v = match r {
                Resend::Resent {
                    message_id,
                    envelope_id,
                    ..
                } => {
                    serde_json::json!({"message_id": message_id, "action": "resent", "bundle_id": envelope_id})
                }
                Resend::Failed { message_id } => {
                    serde_json::json!({"message_id": message_id, "action": "failed"})
                }
                _ => continue,
            };
            out.push_str(&format!("{v}\n"));
        }
        return write_stdout(out.as_bytes());
    }
    let list = if due {
        store.due(now, usize::MAX)
    } else {
        store.outbox()
    }
    .map_err(|e| Failure::Io(e.to_string()))?;
    for o in list {
        let v = serde_json::json!({
            "message_id": o.message_id,
            "bundle_id": o.envelope_id,
            "envelope_id": o.transport_id,
            "state": o.state.as_str(),
            "resends": o.resends,
            "sent": date_time(o.created),
            "updated": date_time(o.updated),
            "due": date_time(o.due),
            "response_code": o.response_code,
        });
        out.push_str(&format!("{v}\n"));
    }
    write_stdout(out.as_bytes())
}
