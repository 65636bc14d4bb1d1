//! `medcom convert [--to json|xml] [--pretty] FILE|-`

use medcom::{Format, ReadOptions};

use crate::{read_input, write_stdout, Failure, Outcome};

pub(crate) fn run(args: &[String]) -> Outcome {
    let mut to: Option<Format> = None;
    let mut pretty = false;
    let mut file: Option<&str> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
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
