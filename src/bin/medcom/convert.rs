//! `medcom convert [--to json|xml|oioxml|edifact] [--pretty] FILE|-`
//!
//! FHIR converts between XML and JSON; legacy messages (recognised by content) between OIOXML
//! and EDIFACT.

use medcom::convert::{ConvertError, ConvertOptions, Target};

use clap::builder::TypedValueParser as _;

use crate::{read_input, write_stdout, Failure, Outcome};

/// The command's description in `medcom convert --help`.
pub(crate) const ABOUT: &str = "Reads a FHIR message (XML or JSON, detected by content) and \
writes it in the other format, or the one --to names, to stdout. A legacy letter (recognised by \
content) converts between OIOXML and EDIFACT; an OIOXML letter with schema errors is refused, \
since the conversion would drop what its tables do not know.

Exit 0 on success, 1 when the input is not a readable message (the error, with \
FILE:line:column, on stderr), 2 on usage or I/O errors.";

/// `medcom convert` options.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
    /// The format to write (default: the other one).
    #[arg(long, value_name = "FORMAT", value_parser = clap::builder::PossibleValuesParser::new(["json", "xml", "oioxml", "edifact"]).try_map(|s| s.parse::<Target>()))]
    to: Option<Target>,
    /// Indent the output.
    #[arg(long)]
    pretty: bool,
    /// The message file, or - for stdin.
    #[arg(value_name = "FILE")]
    file: String,
}

pub(crate) fn run(options: Options) -> Outcome {
    let Options { to, pretty, file } = options;
    let path = file.as_str();
    let bytes = read_input(path)?;
    let converted = medcom::convert(&bytes, to, &ConvertOptions::new().pretty(pretty))
        .map_err(|e| failure(path, &e))?;
    write_stdout(converted.bytes())
}

/// A usage error (exit 2) for settings that do not apply, else an input error naming the
/// file and, when known, the line and column (exit 1).
pub(crate) fn failure(path: &str, e: &ConvertError) -> Failure {
    if e.is_usage() {
        Failure::Usage(e.to_string())
    } else if e.position().is_some() {
        Failure::Input(format!("{path}:{e}"))
    } else {
        Failure::Input(format!("{path}: {e}"))
    }
}
