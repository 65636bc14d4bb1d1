//! `medcom convert [--to json|xml|oioxml|edifact] [--pretty] FILE|-`
//!
//! FHIR converts between XML and JSON; legacy messages (recognised by content) between OIOXML
//! and EDIFACT.

use medcom::legacy::{self, LegacyFormat};
use medcom::{Format, ReadOptions};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Fhir(Format),
    Edifact,
    Oioxml,
}

use crate::{read_input, write_stdout, Failure, Outcome};

pub(crate) fn run(args: &[String]) -> Outcome {
    let mut to: Option<Target> = None;
    let mut pretty = false;
    let mut file: Option<&str> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--to" => {
                to = Some(match it.next().map(String::as_str) {
                    Some("json") => Target::Fhir(Format::Json),
                    Some("xml") => Target::Fhir(Format::Xml),
                    Some("oioxml") => Target::Oioxml,
                    Some("edifact") => Target::Edifact,
                    Some(other) => {
                        return Err(Failure::Usage(format!(
                            "--to takes json, xml, oioxml or edifact, not '{other}'"
                        )))
                    }
                    None => return Err(Failure::Usage("--to needs a value".into())),
                });
            }
            "--pretty" => pretty = true,
            "-" => file = Some("-"),
            flag if flag.starts_with('-') => {
                return Err(Failure::Usage(format!("unknown option '{flag}'")))
            }
            path if file.is_none() => file = Some(path),
            _ => return Err(Failure::Usage("convert takes one FILE".into())),
        }
    }
    let path =
        file.ok_or_else(|| Failure::Usage("convert needs a FILE (or - for stdin)".into()))?;
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
            write_stdout(&legacy::convert::oioxml_to_edifact(bytes).map_err(fail)?)
        }
        (LegacyFormat::Edifact, Some(Target::Edifact))
        | (LegacyFormat::Oioxml, Some(Target::Oioxml)) => write_stdout(bytes),
        _ => Err(Failure::Usage(
            "a legacy message converts only to oioxml or edifact".into(),
        )),
    }
}
