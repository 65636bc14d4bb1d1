//! `medcom send --store URL [--envelope vans|sbdh|none] FILE|-`
//!
//! Validates the message first: one with errors (or with a `Bundle.id` already sent with
//! another message) is refused, with the findings on stderr and exit code 1, and nothing is
//! recorded.

use std::sync::Arc;

use medcom::exchange::clock::SystemClock;
use medcom::exchange::engine::{EngineOptions, EnvelopeKind};
use medcom::exchange::{envelope, store, Engine};
use medcom::finding::Severity;
use medcom::legacy::LegacyFormat;
use medcom::validate::Validator;
use medcom::{Mode, ReadOptions};

use crate::{read_input, write_stdout, Failure, Outcome};

pub(crate) fn run(args: &[String]) -> Outcome {
    let mut store_url: Option<&str> = None;
    let mut kind = EnvelopeKind::Vans;
    let mut file: Option<&str> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--store" => {
                store_url = Some(
                    it.next()
                        .ok_or_else(|| Failure::Usage("--store needs a URL".into()))?,
                );
            }
            "--envelope" => {
                kind = match it.next().map(String::as_str) {
                    Some("vans") => EnvelopeKind::Vans,
                    Some("sbdh") => EnvelopeKind::Sbdh,
                    Some("none") => EnvelopeKind::Bare,
                    _ => return Err(Failure::Usage("--envelope takes vans, sbdh or none".into())),
                };
            }
            "-" => file = Some("-"),
            flag if flag.starts_with('-') => {
                return Err(Failure::Usage(format!("unknown option '{flag}'")))
            }
            path if file.is_none() => file = Some(path),
            _ => return Err(Failure::Usage("send takes one FILE".into())),
        }
    }
    let url = store_url.ok_or_else(|| Failure::Usage("send needs --store URL".into()))?;
    let path = file.ok_or_else(|| Failure::Usage("send needs a FILE (or - for stdin)".into()))?;
    let bytes = read_input(path)?;
    refuse_invalid(path, &bytes)?;
    let store = store::open(url).map_err(|e| Failure::Io(e.to_string()))?;
    let mut engine = Engine::new(store, Arc::new(SystemClock::default()))
        .with_options(EngineOptions::default().with_envelope(kind));
    let (_, envelope) = engine.send(&bytes).map_err(|e| match e.kind() {
        medcom::exchange::ExchangeErrorKind::Store(_) => Failure::Io(e.to_string()),
        _ => Failure::Input(format!("{path}: {e}")),
    })?;
    write_stdout(&envelope)
}

/// Refuses a message with errors: FHIR by the validator, OIOXML by its schema; the findings go
/// to stderr.
fn refuse_invalid(path: &str, bytes: &[u8]) -> Outcome {
    let unwrapped;
    let payload = if envelope::is_envelope(bytes) {
        unwrapped = envelope::read(bytes).map_err(|e| Failure::Input(format!("{path}: {e}")))?;
        unwrapped
            .payload()
            .ok_or_else(|| Failure::Input(format!("{path}: the envelope carries no message")))?
    } else {
        bytes
    };
    if medcom::exchange::PayloadFormat::detect(payload).is_none() {
        // Neither FHIR nor legacy: the exchange says so.
        return Ok(());
    }
    if let Some(format) = LegacyFormat::detect(payload) {
        let refusals = medcom::exchange::engine::legacy_refusals(format, payload)
            .map_err(|e| Failure::Input(format!("{path}: {e}")))?;
        if refusals.is_empty() {
            return Ok(());
        }
        for r in refusals {
            eprintln!("{path}: {}", r.text);
        }
        return Err(Failure::Invalid);
    }
    let options = ReadOptions::default().with_mode(Mode::Lenient);
    let doc = medcom::parse_bytes(payload, &options)
        .map_err(|e| Failure::Input(format!("{path}:{e}")))?;
    let report = Validator::new().report(&doc);
    if report.count(Severity::Error) == 0 {
        return Ok(());
    }
    eprint!("{}", report.to_text(path));
    eprintln!("medcom: {path}: not sent: the message has errors");
    Err(Failure::Invalid)
}
