//! `medcom convert [--to json|xml|oioxml|edifact] [--pretty] FILE|-`
//!
//! FHIR converts between XML and JSON; legacy messages (recognised by content) between OIOXML
//! and EDIFACT.

use medcom::legacy::{self, LegacyFormat};
use medcom::{Format, ReadOptions};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Fhir(Format),
    Edifact,
    Oioxml,
}

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
    #[arg(long, value_name = "FORMAT", value_parser = clap::builder::PossibleValuesParser::new(["json", "xml", "oioxml", "edifact"]).map(|s| target(&s)))]
    to: Option<Target>,
    /// Indent the output.
    #[arg(long)]
    pretty: bool,
    /// The message file, or - for stdin.
    #[arg(value_name = "FILE")]
    file: String,
}

fn target(name: &str) -> Target {
    match name {
        "json" => Target::Fhir(Format::Json),
        "xml" => Target::Fhir(Format::Xml),
        "oioxml" => Target::Oioxml,
        _ => Target::Edifact,
    }
}

pub(crate) fn run(options: Options) -> Outcome {
    let Options { to, pretty, file } = options;
    let path = file.as_str();
    let bytes = read_input(path)?;
    if let Some(format) = LegacyFormat::detect(&bytes) {
        return convert_legacy(path, &bytes, format, to);
    }
    let to = match to {
        Some(Target::Fhir(f)) => Some(f),
        None => None,
        Some(_) => {
            return Err(Failure::Usage(
                "--to oioxml and --to edifact take a legacy message".into(),
            ))
        }
    };
    let doc = medcom::parse_bytes(&bytes, &ReadOptions::default())
        .map_err(|e| Failure::Input(format!("{path}:{e}")))?;
    let source = Format::detect(&bytes);
    let target = to.unwrap_or(match source {
        Some(Format::Json) => Format::Xml,
        _ => Format::Json,
    });
    let text = match (target, pretty) {
        (Format::Json, false) => medcom::json::to_string(&doc),
        (Format::Json, true) => medcom::json::to_string_pretty(&doc),
        (_, false) => medcom::xml::to_string(&doc),
        (_, true) => medcom::xml::to_string_pretty(&doc),
    };
    write_stdout(text.as_bytes())
}

/// OIOXML ⇄ EDIFACT; the target defaults to the other format.
fn convert_legacy(path: &str, bytes: &[u8], format: LegacyFormat, to: Option<Target>) -> Outcome {
    let fail = |e: legacy::LegacyError| Failure::Input(format!("{path}: {e}"));
    match (format, to) {
        (LegacyFormat::Edifact, None | Some(Target::Oioxml)) => {
            let xml = legacy::convert::edifact_to_oioxml_text(bytes).map_err(fail)?;
            write_stdout(xml.as_bytes())
        }
        (LegacyFormat::Oioxml, None | Some(Target::Edifact)) => {
            // The conversion tables map what the schema allows: whatever else a letter holds
            // would be dropped without a word, so a letter with schema errors is refused.
            let errors: Vec<medcom::finding::Finding> = legacy::schema::validate_bytes(bytes)
                .map_err(fail)?
                .into_iter()
                .filter(|f| f.severity() == medcom::finding::Severity::Error)
                .collect();
            if let Some(first) = errors.first() {
                let at = first
                    .position()
                    .map_or_else(String::new, |p| format!("{}:{}:", p.line, p.column));
                let n = errors.len();
                return Err(Failure::Input(format!(
                    "{path}:{at} {first} (the letter has {n} schema error{}; converting it would \
                     drop what the conversion tables do not know)",
                    if n == 1 { "" } else { "s" }
                )));
            }
            write_stdout(&legacy::convert::oioxml_to_edifact(bytes).map_err(fail)?)
        }
        (LegacyFormat::Edifact, Some(Target::Edifact))
        | (LegacyFormat::Oioxml, Some(Target::Oioxml)) => write_stdout(bytes),
        _ => Err(Failure::Usage(
            "a legacy message converts only to oioxml or edifact".into(),
        )),
    }
}
