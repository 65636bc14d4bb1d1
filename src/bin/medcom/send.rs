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

/// The command's description in `medcom send --help`.
pub(crate) const ABOUT: &str = "Validates and records an outgoing message and prints it in its \
envelope. A message with errors, or with a Bundle.id already sent with another message, is \
refused (exit 1, findings on stderr) and nothing is recorded. URL is a SQLite path or a \
postgres:// URL.";

/// Which envelope `--envelope` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Envelope {
    /// VANSEnvelope.
    Vans,
    /// EHMI SBDH.
    Sbdh,
    /// The bare message.
    None,
}

/// `medcom send` options.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
    /// The exchange store: a SQLite path or a postgres:// URL.
    #[arg(long, value_name = "URL")]
    store: String,
    /// The envelope to send in.
    #[arg(long, value_enum, default_value_t = Envelope::Vans)]
    envelope: Envelope,
    /// The message file, or - for stdin.
    #[arg(value_name = "FILE")]
    file: String,
}

pub(crate) fn run(options: Options) -> Outcome {
    let kind = match options.envelope {
        Envelope::Vans => EnvelopeKind::Vans,
        Envelope::Sbdh => EnvelopeKind::Sbdh,
        Envelope::None => EnvelopeKind::Bare,
    };
    let url = options.store.as_str();
    let path = options.file.as_str();
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
