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

use medcom::convert::AckOptions;
use medcom::exchange::ReceivePolicy;
use medcom::messages::{ResponseCode, DEFAULT_MAX_ACK_ISSUES};
use medcom::Format;

use clap::builder::TypedValueParser as _;

use crate::convert::failure;
use crate::{at_least, read_input, write_stdout, Outcome};

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
        max_ack_issues,
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
    let options = AckOptions::new()
        .code(code)
        .policy(policy)
        .max_issues(max_ack_issues)
        .to(to);
    let answer = medcom::acknowledge(&bytes, &options).map_err(|e| failure(path, &e))?;
    write_stdout(answer.bytes())
}
