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

pub(crate) fn run(args: &[String]) -> Outcome {
    let mut store_url: Option<&str> = None;
    let mut due = false;
    let mut resend = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--store" => {
                store_url = Some(
                    it.next()
                        .ok_or_else(|| Failure::Usage("--store needs a URL".into()))?,
                );
            }
            "--due" => due = true,
            "--resend" => resend = true,
            other => return Err(Failure::Usage(format!("unknown option '{other}'"))),
        }
    }
    let url = store_url.ok_or_else(|| Failure::Usage("outbox needs --store URL".into()))?;
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
