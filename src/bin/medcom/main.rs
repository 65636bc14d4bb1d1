//! `medcom`: convert, validate and acknowledge MedCom messages from the command line.
//!
//! Exit codes: 0 success, 1 unreadable or invalid input (the error, with its location, on
//! stderr), 2 usage or I/O errors.

use std::io::{Read, Write};
use std::process::ExitCode;

mod ack;
mod convert;
mod import;
mod outbox;
mod receive;
mod send;
mod validate;

/// How a command ended.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The input could not be read as a message (exit 1).
    Input(String),
    /// Some input is invalid; the findings are already on stdout (exit 1).
    Invalid,
    /// Bad arguments (exit 2).
    Usage(String),
    /// Reading or writing a file or stream failed (exit 2).
    Io(String),
}

pub(crate) type Outcome = Result<(), Failure>;

const USAGE: &str = "usage:
  medcom convert [--to json|xml|oioxml|edifact] [--pretty] FILE|-
      Reads a FHIR message (XML or JSON, detected by content) and writes it in the other format,
      or the one given by --to, to stdout.
  medcom validate [--format text|json|outcome|outcome-xml] [--jobs N] [--unmask] [--no-profiles] [--max-findings N] [--stack NAME@VERSION] PATH...
      Validates FHIR messages (XML or JSON) against the MedCom profiles and message rules
      (--no-profiles: the message rules alone), and legacy OIOXML and EDIFACT by content. PATH is a file, a folder (searched for .xml, .json and .edi
      files) or - for stdin. Exit 0 when no file has an error, 1 when one has, 2 on usage or
      I/O errors. Values (patient data) are masked unless --unmask is given. Each file reports
      at most N findings (default 1000), then one findings-truncated finding with the count of
      the rest.
      --stack NAME@VERSION (e.g. carecommunication@4.0) checks every FHIR message on that
      version stack instead of the one the message declares.
  medcom receive --store URL [--ack-out PATH] [--strict] [--max-ack-issues N]
                 [--handover-timeout SECONDS] [--batch] FILE|-
      Receives a message (bare, or in a VANSEnvelope or SBDH), validates it, decides process,
      duplicate, reject or error by the duplicate table and the acknowledgement code by the
      receive policy (--strict: fatal-error for any error), prints one JSON line
      {decision, message_id, ack_id, ack_envelope_id, code, rules} and writes the
      acknowledgement or receipt to PATH. A message is handed over (process) again until its
      line is printed and its answer written. With --batch, reads file paths from stdin, one
      per line, answers each (responses to PATH/<message id>.ack), and reports a file that
      fails with an error line and goes on. URL is a SQLite path or a postgres:// URL.
  medcom send --store URL [--envelope vans|sbdh|none] FILE|-
      Validates and records an outgoing message and prints its envelope; refuses (exit 1,
      findings on stderr) a message with errors or a Bundle.id already sent with another one.
  medcom outbox --store URL [--due] [--resend]
      Lists outgoing messages and their state (--due: only those due for a resend), times in
      RFC 3339, or with --resend resends the due ones (new Bundle.id and timestamp; failed
      after two resends).
  medcom ack [--code ok|transient-error|fatal-error] [--strict] [--max-ack-issues N]
             [--to xml|json] FILE|-
      Writes the acknowledgement (MedCom Acknowledgement 2.0.3) of the FHIR message in FILE to
      stdout, in the message's format unless --to is given. Without --code, validates the
      message and the receive policy picks the code: fatal-error naming the broken rules when
      something prevents processing (or, with --strict, any error), else ok. At most N issues
      (default 100) and one saying how many more. Legacy OIOXML or EDIFACT input gets its
      receipt (positive, or negative for an error).
  medcom --help | --version";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ack") => ack::run(&args[1..]),
        Some("convert") => convert::run(&args[1..]),
        Some("import") => import::run(&args[1..]),
        Some("validate") => validate::run(&args[1..]),
        Some("receive") => receive::run(&args[1..]),
        Some("send") => send::run(&args[1..]),
        Some("outbox") => outbox::run(&args[1..]),
        Some("--help" | "-h" | "help") => {
            return match write_stdout(format!("{USAGE}\n").as_bytes()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(f) => report(&f),
            };
        }
        Some("--version" | "-V") => {
            return match write_stdout(format!("medcom {}\n", env!("CARGO_PKG_VERSION")).as_bytes())
            {
                Ok(()) => ExitCode::SUCCESS,
                Err(f) => report(&f),
            };
        }
        Some(other) => Err(Failure::Usage(format!("unknown command '{other}'"))),
        None => Err(Failure::Usage("no command given".into())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => report(&f),
    }
}

fn report(failure: &Failure) -> ExitCode {
    match failure {
        Failure::Input(msg) => {
            eprintln!("medcom: {msg}");
            ExitCode::from(1)
        }
        Failure::Invalid => ExitCode::from(1),
        Failure::Usage(msg) => {
            eprintln!("medcom: {msg}\n{USAGE}");
            ExitCode::from(2)
        }
        Failure::Io(msg) => {
            eprintln!("medcom: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Reads a file, or stdin for `-`.
/// An option's numeric value, at least `least`; `usage` is the error when it is missing, not a
/// number or too small.
pub(crate) fn number<T: std::str::FromStr + PartialOrd>(
    value: Option<&String>,
    least: T,
    usage: &str,
) -> Result<T, Failure> {
    value
        .and_then(|v| v.parse::<T>().ok())
        .filter(|n| *n >= least)
        .ok_or_else(|| Failure::Usage(usage.to_owned()))
}

pub(crate) fn read_input(path: &str) -> Result<Vec<u8>, Failure> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Failure::Io(format!("stdin: {e}")))?;
        Ok(buf)
    } else {
        std::fs::read(path).map_err(|e| Failure::Io(format!("{path}: {e}")))
    }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub(crate) fn write_stdout(bytes: &[u8]) -> Outcome {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Io(format!("stdout: {e}"))),
    }
}
