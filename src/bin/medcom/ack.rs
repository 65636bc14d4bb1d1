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

use crate::{number, read_input, write_stdout, Failure, Outcome};

pub(crate) fn run(args: &[String]) -> Outcome {
    let mut code: Option<ResponseCode> = None;
    let mut to: Option<Format> = None;
    let mut file: Option<&str> = None;
    let mut policy = ReceivePolicy::Standard;
    let mut max_issues = DEFAULT_MAX_ACK_ISSUES;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--code" => {
                code = Some(match it.next().map(String::as_str) {
                    Some(c) => ResponseCode::from_code(c).ok_or_else(|| {
                        Failure::Usage(format!(
                            "--code takes ok, transient-error or fatal-error, not '{c}'"
                        ))
                    })?,
                    None => return Err(Failure::Usage("--code needs a value".into())),
                });
            }
            "--to" => {
                to = Some(match it.next().map(String::as_str) {
                    Some("json") => Format::Json,
                    Some("xml") => Format::Xml,
                    Some(other) => {
                        return Err(Failure::Usage(format!(
                            "--to takes json or xml, not '{other}'"
                        )))
                    }
                    None => return Err(Failure::Usage("--to needs a value".into())),
                });
            }
            "--strict" => policy = ReceivePolicy::Strict,
            "--max-ack-issues" => {
                max_issues = number(it.next(), 1, "--max-ack-issues needs a positive number")?;
            }
            "-" => file = Some("-"),
            flag if flag.starts_with('-') => {
                return Err(Failure::Usage(format!("unknown option '{flag}'")))
            }
            path if file.is_none() => file = Some(path),
            _ => return Err(Failure::Usage("ack takes one FILE".into())),
        }
    }
    let path = file.ok_or_else(|| Failure::Usage("ack needs a FILE (or - for stdin)".into()))?;
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
