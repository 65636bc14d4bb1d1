//! `medcom ack [--code ok|transient-error|fatal-error] [--strict] [--max-ack-issues N]
//! [--to xml|json] FILE|-`
//!
//! Writes the acknowledgement of the FHIR message in FILE to stdout, in the message's format
//! unless `--to` says otherwise. Without `--code` the message is validated (profiles and
//! message rules) and the receive policy decides the code (`medcom::exchange::ReceivePolicy`):
//! `fatal-error` naming the broken rules and the errors found when something prevents
//! processing it (or, with `--strict`, for any error), else `ok`. The OperationOutcome lists at
//! most `--max-ack-issues` issues (default 100) and says how many more there were. Legacy input
//! (OIOXML or EDIFACT, recognised by content) gets its receipt instead: positive (XCTL03/CTL03),
//! or negative (XCTL02/CTL02, action 4) for an error code or when the letter fails validation
//! (OIOXML schema rules, EDIFACT content rules).

use medcom::exchange::clock::{date_and_minute, Clock, SystemClock};
use medcom::exchange::ReceivePolicy;
use medcom::finding::Severity;
use medcom::legacy::receipt::{self, Original, ReceiptKind, ReceiptOptions, Refusal, RefuseCode};
use medcom::legacy::{self, edifact, oioxml, LegacyFormat};
use medcom::messages::{reply, Acknowledgement, Context, ResponseCode, DEFAULT_MAX_ACK_ISSUES};
use medcom::validate::Validator;
use medcom::{Format, Mode, ReadOptions};

use clap::builder::TypedValueParser as _;

use crate::{at_least, read_input, write_stdout, Failure, Outcome};

/// The command's description in `medcom ack --help`.
pub(crate) const ABOUT: &str = "Writes the acknowledgement (MedCom Acknowledgement 2.0.3) of \
the FHIR message in FILE to stdout, in the message's format unless --to is given.

Without --code, validates the message and the receive policy picks the code: fatal-error naming \
the broken rules when something prevents processing (or, with --strict, any error), else ok. \
Legacy OIOXML or EDIFACT input gets its receipt (positive, or negative for an error code or a \
letter that fails validation).";

/// `medcom ack` options.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
    /// The response code (default: the receive policy decides).
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(["ok", "transient-error", "fatal-error"]).try_map(|s| ResponseCode::from_code(&s).ok_or("not a response code")))]
    code: Option<ResponseCode>,
    /// Answer fatal-error for any error, not only for what prevents processing.
    #[arg(long)]
    strict: bool,
    /// Issues listed in the acknowledgement; one more says how many were left out.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_ACK_ISSUES, value_parser = at_least(1usize))]
    max_ack_issues: usize,
    /// The acknowledgement's format (default: the message's).
    #[arg(long, value_name = "FORMAT", value_parser = clap::builder::PossibleValuesParser::new(["xml", "json"]).map(|s| if s == "json" { Format::Json } else { Format::Xml }))]
    to: Option<Format>,
    /// The message file, or - for stdin.
    #[arg(value_name = "FILE")]
    file: String,
}

pub(crate) fn run(options: Options) -> Outcome {
    let Options {
        code,
        strict,
        max_ack_issues: max_issues,
        to,
        file,
    } = options;
    let policy = if strict {
        ReceivePolicy::Strict
    } else {
        ReceivePolicy::Standard
    };
    let path = file.as_str();
    let bytes = read_input(path)?;
    if let Some(format) = LegacyFormat::detect(&bytes) {
        if to.is_some() {
            return Err(Failure::Usage(
                "--to applies to FHIR messages; a legacy message gets a legacy receipt".into(),
            ));
        }
        return legacy_receipt(path, &bytes, format, code);
    }
    let options = ReadOptions::default().with_mode(Mode::Lenient);
    let doc =
        medcom::parse_bytes(&bytes, &options).map_err(|e| Failure::Input(format!("{path}:{e}")))?;
    let ctx = Context::new();
    let ack = match code {
        Some(c) => reply::acknowledge(&doc, c, &ctx),
        None => {
            let findings = Validator::new().report(&doc).findings().to_vec();
            let verdict = policy.judge(&doc, &findings);
            Acknowledgement::for_message(&doc).and_then(|a| {
                verdict
                    .issues()
                    .into_iter()
                    .fold(
                        a.with_code(verdict.code).with_max_issues(max_issues),
                        Acknowledgement::with_issue,
                    )
                    .build(&ctx)
            })
        }
    }
    .map_err(|e| Failure::Input(format!("{path}: {e}")))?;
    let text = match to.or_else(|| Format::detect(&bytes)) {
        Some(Format::Json) => medcom::json::to_string(&ack),
        _ => medcom::xml::to_string(&ack),
    };
    write_stdout(text.as_bytes())
}

/// Legacy identifiers are 1–14 characters: the first 14 hex digits of a UUID.
fn short_id(clock: &SystemClock) -> String {
    clock
        .uuid()
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(14)
        .collect()
}

/// The refusal an error code or failed validation gives, or none.
fn refusal(code: Option<ResponseCode>, errors: &[String]) -> Option<Refusal> {
    let (refuse, text) = match code {
        Some(ResponseCode::Ok) => return None,
        Some(ResponseCode::TransientError) => (
            RefuseCode::Unspecified,
            "Midlertidig fejl: send venligst igen senere".to_owned(),
        ),
        Some(_) => (RefuseCode::Unspecified, "Meddelelsen afvises".to_owned()),
        None if errors.is_empty() => return None,
        None => (RefuseCode::Syntax, errors.join("\n")),
    };
    Some(Refusal {
        letter: None,
        code: refuse,
        text,
    })
}

fn legacy_receipt(
    path: &str,
    bytes: &[u8],
    format: LegacyFormat,
    code: Option<ResponseCode>,
) -> Outcome {
    let fail = |e: legacy::LegacyError| Failure::Input(format!("{path}: {e}"));
    let clock = SystemClock::default();
    let (date, time) = date_and_minute(clock.now());
    let options = ReceiptOptions::new(&short_id(&clock), &short_id(&clock), &date, &time);
    match format {
        LegacyFormat::Edifact => {
            let validation = legacy::content::validate(bytes);
            let original = validation.original().ok_or_else(|| {
                let why = validation
                    .findings()
                    .first()
                    .map_or_else(|| "no UNB".to_owned(), ToString::to_string);
                Failure::Input(format!("{path}: no receipt without a readable UNB: {why}"))
            })?;
            let refusals: Vec<Refusal> = match code {
                None => validation.refusals(),
                Some(_) => refusal(code, &[]).into_iter().collect(),
            };
            let kind = kind_of(&refusals);
            let xml = receipt::build(&original, kind, &refusals, &options);
            let answer = legacy::convert::to_edifact(&xml).map_err(fail)?;
            write_stdout(&edifact::write(&answer).map_err(fail)?)
        }
        _ => {
            // Only the envelope and letter ids are kept: the tree is gone before the schema
            // check builds its own.
            let original = {
                let root = oioxml::read(bytes).map_err(fail)?;
                let message = oioxml::Emessage::new(&root).map_err(fail)?;
                Original::from_emessage(&message)
            };
            let errors: Vec<String> = if code.is_none() {
                legacy::schema::validate_bytes(bytes)
                    .map_err(|e| Failure::Input(format!("{path}: {e}")))?
                    .into_iter()
                    .filter(|f| f.severity() == Severity::Error)
                    .map(|f| format!("{}: {}", f.code(), f.message()))
                    .collect()
            } else {
                Vec::new()
            };
            let refusals: Vec<Refusal> = refusal(code, &errors).into_iter().collect();
            let kind = kind_of(&refusals);
            let xml = receipt::build(&original, kind, &refusals, &options);
            write_stdout(oioxml::to_string(&xml).as_bytes())
        }
    }
}

/// Positive without refusals, negative otherwise.
fn kind_of(refusals: &[Refusal]) -> ReceiptKind {
    if refusals.is_empty() {
        ReceiptKind::Positive
    } else {
        ReceiptKind::Negative
    }
}
