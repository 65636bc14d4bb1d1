//! `medcom convert [--to json|xml|oioxml|edifact] [--address-book FILE] [--pretty] FILE|-`
//!
//! FHIR converts between XML and JSON; legacy messages (recognised by content) between OIOXML
//! and EDIFACT; with an address book, legacy letters to FHIR messages and back.

use std::sync::Arc;

use medcom::convert::{ConvertError, ConvertOptions, Target};
use medcom::migrate::CsvAddressBook;

use clap::builder::TypedValueParser as _;

use crate::{read_input, write_stdout, Failure, Outcome};

/// The command's description in `medcom convert --help`.
pub(crate) const ABOUT: &str = "Reads a FHIR message (XML or JSON, detected by content) and \
writes it in the other format, or the one --to names, to stdout. A legacy letter (recognised by \
content) converts between OIOXML and EDIFACT; an OIOXML letter with schema errors is refused, \
since the conversion would drop what its tables do not know.

With --address-book, a legacy letter converts to a FHIR message (--to json|xml) and a FHIR \
message to a legacy letter (--to oioxml|edifact), along MedCom's field correspondences: \
XDIS91/DIS91 and CareCommunication, XDIS20/XDIS17 and HospitalNotification, receipts \
(XCTL/CONTRL) and Acknowledgement. The address book is a CSV file with a header row naming its \
columns: gln and sor, optionally name, phone and ean. Each field without a place on the other \
side is reported on stderr as an information finding.

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
    /// A CSV file of the parties (header `gln,sor`, optional `name`, `phone`, `ean`): converts
    /// between legacy letters and FHIR messages.
    #[arg(long, value_name = "FILE")]
    address_book: Option<String>,
    /// The message file, or - for stdin.
    #[arg(value_name = "FILE")]
    file: String,
}

pub(crate) fn run(options: Options) -> Outcome {
    let Options {
        to,
        pretty,
        address_book,
        file,
    } = options;
    let path = file.as_str();
    let mut settings = ConvertOptions::new().pretty(pretty);
    if let Some(book) = address_book {
        let text =
            std::fs::read_to_string(&book).map_err(|e| Failure::Io(format!("{book}: {e}")))?;
        let read =
            CsvAddressBook::from_csv(&text).map_err(|e| Failure::Usage(format!("{book}: {e}")))?;
        settings = settings.address_book(Arc::new(read));
    }
    let bytes = read_input(path)?;
    let converted = medcom::convert(&bytes, to, &settings).map_err(|e| failure(path, &e))?;
    for f in converted.findings() {
        eprintln!("{path}: {f}");
    }
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
