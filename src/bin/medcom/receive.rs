//! `medcom receive --store URL [--ack-out PATH] [--strict] [--max-ack-issues N]
//! [--handover-timeout SECONDS] [--batch] FILE|-`
//!
//! Validates and records a received message, prints the decision as one JSON line and writes
//! the answer. The message is handed over (decision `process`) until the line is printed and
//! the answer written: a crash before that leaves it to be handed over again by a later run.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use medcom::exchange::clock::SystemClock;
use medcom::exchange::engine::EngineOptions;
use medcom::exchange::{store, Decision, Engine, Outcome as Received, ReceivePolicy};
use medcom::validate::Validator;

use crate::{at_least, read_input, write_stdout, Failure, Outcome};

/// One JSON line for a reception.
fn line(o: &Received, file: Option<&str>, answer: Option<&Path>) -> String {
    let mut v = serde_json::json!({
        "decision": o.decision.as_str(),
        "message_id": o.message_id,
        "ack_id": o.ack_id,
        "ack_envelope_id": o.ack_envelope_id,
        "code": o.response_code,
    });
    if !o.rules.is_empty() {
        v["rules"] = serde_json::json!(o.rules);
    }
    if let Some(f) = file {
        v["file"] = serde_json::Value::String(f.to_owned());
    }
    if let Some(a) = answer {
        v["ack_file"] = serde_json::Value::String(a.display().to_string());
    }
    if let Some(e) = &o.error {
        v["error"] = serde_json::Value::String(e.clone());
    }
    format!("{v}\n")
}

/// The line for a file that could not be received at all.
fn error_line(file: &str, error: &str) -> String {
    let v = serde_json::json!({
        "decision": "error",
        "message_id": null,
        "file": file,
        "error": error,
    });
    format!("{v}\n")
}

/// The command's description in `medcom receive --help`.
pub(crate) const ABOUT: &str = "Receives a message (bare, or in a VANSEnvelope or SBDH), \
validates it, decides process, duplicate, reject or error by the duplicate table and the \
acknowledgement code by the receive policy, prints one JSON line {decision, message_id, ack_id, \
ack_envelope_id, code, rules} and writes the acknowledgement or receipt to --ack-out.

A message is handed over (process) again until its line is printed and its answer written. With \
--batch, reads file paths from stdin, one per line, answers each (responses to \
PATH/<message id>.ack), and reports a file that fails with an error line and goes on. URL is a \
SQLite path or a postgres:// URL.";

/// `medcom receive` options.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
    /// The exchange store: a SQLite path or a postgres:// URL.
    #[arg(long, value_name = "URL")]
    store: String,
    /// Where to write the answer (with --batch: a folder).
    #[arg(long, value_name = "PATH")]
    ack_out: Option<String>,
    /// Answer fatal-error for any error, not only for what prevents processing.
    #[arg(long)]
    strict: bool,
    /// Issues listed in an acknowledgement; one more says how many were left out.
    #[arg(long, value_name = "N", value_parser = at_least(1usize))]
    max_ack_issues: Option<usize>,
    /// Seconds a hand-over claim holds after a crash [default: 60].
    #[arg(long, value_name = "SECONDS", value_parser = at_least(0i64))]
    handover_timeout: Option<i64>,
    /// Read file paths from stdin, one per line, and answer each.
    #[arg(long, conflicts_with = "file")]
    batch: bool,
    /// The message file, or - for stdin.
    #[arg(value_name = "FILE", required_unless_present = "batch")]
    file: Option<String>,
}

pub(crate) fn run(options: Options) -> Outcome {
    let Options {
        store: url,
        ack_out,
        strict,
        max_ack_issues,
        handover_timeout,
        batch,
        file,
    } = options;
    let url = url.as_str();
    let ack_out = ack_out.as_deref();
    let file = file.as_deref();
    let mut options = EngineOptions::default();
    if strict {
        options = options.with_policy(ReceivePolicy::Strict);
    }
    if let Some(n) = max_ack_issues {
        options = options.with_max_ack_issues(n);
    }
    if let Some(n) = handover_timeout {
        options = options.with_handover_timeout(n);
    }
    let store = store::open(url).map_err(|e| Failure::Io(e.to_string()))?;
    let mut engine = Engine::new(store, Arc::new(SystemClock::default()))
        .with_options(options)
        .with_validator(Arc::new(Validator::new()));
    if batch {
        return run_batch(&mut engine, ack_out);
    }
    let path = file.unwrap_or("-");
    let bytes = read_input(path)?;
    let out = engine
        .receive(&bytes)
        .map_err(|e| Failure::Io(e.to_string()))?;
    let written = match (ack_out, &out.response) {
        (Some(target), Some(response)) => {
            let target = Path::new(target);
            if let Err(e) = write_answer(target, response) {
                // Not handed over: the next reception hands the message over again.
                let _ = engine.release(&out);
                return Err(Failure::Io(format!("{}: {e}", target.display())));
            }
            Some(target)
        }
        _ => None,
    };
    write_stdout(line(&out, None, written).as_bytes())?;
    // The caller has the message and its answer: only now is the hand-over complete.
    engine
        .confirm(&out)
        .map_err(|e| Failure::Io(e.to_string()))?;
    match out.decision {
        Decision::Error => Err(Failure::Input(
            out.error.unwrap_or_else(|| "not received".to_owned()),
        )),
        _ => Ok(()),
    }
}

/// Daemon mode: reads file paths from stdin, one per line, and answers each with its JSON line
/// (flushed at once); with `--ack-out DIR`, writes each response to
/// `DIR/<message id>.ack` (see [`answer_name`]). A file that cannot be read or received gets
/// an error line and the batch goes on.
fn run_batch(engine: &mut Engine, ack_dir: Option<&str>) -> Outcome {
    let stdin = std::io::stdin();
    for path in stdin.lock().lines() {
        let path = path.map_err(|e| Failure::Io(format!("stdin: {e}")))?;
        let path = path.trim();
        if path.is_empty() {
            continue;
        }
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                write_stdout(error_line(path, &e.to_string()).as_bytes())?;
                continue;
            }
        };
        let out = match engine.receive(&bytes) {
            Ok(o) => o,
            Err(e) => {
                write_stdout(error_line(path, &e.to_string()).as_bytes())?;
                continue;
            }
        };
        let mut written = None;
        if let (Some(dir), Some(response)) = (ack_dir, &out.response) {
            let target = Path::new(dir).join(answer_name(&out));
            if let Err(e) = write_answer(&target, response) {
                // Not handed over: the next reception hands the message over again.
                let _ = engine.release(&out);
                let text = format!("{}: {e}", target.display());
                write_stdout(error_line(path, &text).as_bytes())?;
                continue;
            }
            written = Some(target);
        }
        write_stdout(line(&out, Some(path), written.as_deref()).as_bytes())?;
        if let Err(e) = engine.confirm(&out) {
            write_stdout(error_line(path, &e.to_string()).as_bytes())?;
        }
    }
    Ok(())
}

/// The answer's file name: the message identifier (characters outside `[A-Za-z0-9._-]`
/// replaced, with a hash of the identifier then added so two identifiers never share a
/// name), `.ack`. Every answer to one message has the same content, so a later one replaces
/// an earlier one.
fn answer_name(out: &Received) -> String {
    let id = out
        .message_id
        .as_deref()
        .or(out.envelope_id.as_deref())
        .unwrap_or("unknown");
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    if safe == id && !id.starts_with('.') {
        format!("{safe}.ack")
    } else {
        // FNV-1a: stable across runs and platforms.
        let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("m{safe}-{hash:016x}.ack")
    }
}

/// Writes an answer file crash-safely and without following links: the bytes go to a new
/// file created beside the target (`create_new`, which never follows a symlink), are synced,
/// and the file is renamed over the target (a symlink at the target is replaced, never
/// followed).
fn write_answer(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map_or_else(|| "answer".into(), |n| n.to_string_lossy().into_owned());
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.{}.{attempt}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    };
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, target));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
