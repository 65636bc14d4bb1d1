//! `medcom validate [--format text|json|outcome|outcome-xml] [--jobs N] [--unmask] [--no-profiles] [--max-findings N] [--stack NAME@VERSION] [--package FILE.tgz]... PATH...`
//!
//! Validates FHIR messages (XML or JSON) against the MedCom profiles (the embedded profile
//! engine; `--no-profiles` skips it) and the MedCom message rules, and legacy OIOXML letters and
//! EDIFACT interchanges (recognised by content) with the legacy schema validator and the
//! EDIFACT content validator (the same rules and codes; wrapped files are unwrapped). Each FHIR
//! message is checked on the version stack it declares; `--stack carecommunication@4.0` checks
//! every one on that stack instead. Folders are searched recursively for `.xml`, `.json` and `.edi` files, in
//! name order; `-` reads stdin. Output keeps the input order whatever `--jobs` is. Each file
//! reports at most `--max-findings` findings (default 1,000), then one `findings-truncated`
//! finding that says how many were left out.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use medcom::finding::{Finding, Severity};
use medcom::legacy::{self, LegacyFormat};
use medcom::validate::{Report, Validator};
use medcom::{Mode, Position, ReadOptions};
use serde_json::{json, Value};

use crate::{number, read_input, write_stdout, Failure, Outcome};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Output {
    Json,
    Outcome,
    OutcomeXml,
    Text,
}

/// One input: a file, or stdin already read.
enum Input {
    File(PathBuf),
    Stdin(Vec<u8>),
}

impl Input {
    fn name(&self) -> String {
        match self {
            Self::File(p) => p.display().to_string(),
            Self::Stdin(_) => "-".to_owned(),
        }
    }
}

/// One validated input, already formatted by the worker that validated it: the main thread
/// only concatenates, so the output does not serialize `--jobs`.
struct Done {
    valid: bool,
    errors: usize,
    warnings: usize,
    /// The input's part of the output: text lines, an OperationOutcome, or (for `--format
    /// json`) the compact JSON object of the file.
    piece: String,
}

/// The result for one input, or the I/O error that kept it from being read.
type FileResult = Result<Done, String>;

/// Formats one input's report as its part of the output.
fn finish(report: &Report, name: &str, output: Output) -> Done {
    let piece = match output {
        Output::Text => report.to_text(name),
        Output::Json => file_json(name, report),
        Output::Outcome => {
            let mut s = medcom::json::to_string(&report.to_operation_outcome());
            s.push('\n');
            s
        }
        Output::OutcomeXml => {
            let mut s = medcom::xml::to_string(&report.to_operation_outcome());
            s.push('\n');
            s
        }
    };
    Done {
        valid: report.is_valid(),
        errors: report.count(Severity::Error),
        warnings: report.count(Severity::Warning),
        piece,
    }
}

pub(crate) fn run(args: &[String]) -> Outcome {
    let mut output = Output::Text;
    let mut jobs = 1usize;
    let mut unmask = false;
    let mut profiles = true;
    let mut stack: Option<String> = None;
    let mut packages: Vec<PathBuf> = Vec::new();
    let mut max_findings = medcom::finding::DEFAULT_MAX_FINDINGS;
    let mut paths: Vec<&str> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--format" => {
                output = match it.next().map(String::as_str) {
                    Some("text") => Output::Text,
                    Some("json") => Output::Json,
                    Some("outcome") => Output::Outcome,
                    Some("outcome-xml") => Output::OutcomeXml,
                    Some(other) => {
                        return Err(Failure::Usage(format!(
                            "--format takes text, json, outcome or outcome-xml, not '{other}'"
                        )))
                    }
                    None => return Err(Failure::Usage("--format needs a value".into())),
                }
            }
            "--jobs" | "-j" => {
                jobs = number(it.next(), 1, "--jobs takes a number of at least 1")?;
            }
            "--max-findings" => {
                max_findings = number(it.next(), 0, "--max-findings takes a number")?;
            }
            "--unmask" => unmask = true,
            "--no-profiles" => profiles = false,
            "--stack" => {
                stack = Some(it.next().cloned().ok_or_else(|| {
                    Failure::Usage("--stack takes a stack such as carecommunication@4.0".into())
                })?);
            }
            "--package" => packages.push(PathBuf::from(it.next().ok_or_else(|| {
                Failure::Usage("--package takes a FHIR package (.tgz or folder)".into())
            })?)),
            "-" => paths.push("-"),
            flag if flag.starts_with('-') => {
                return Err(Failure::Usage(format!("unknown option '{flag}'")))
            }
            path => paths.push(path),
        }
    }
    if paths.is_empty() {
        return Err(Failure::Usage(
            "validate needs at least one PATH (or - for stdin)".into(),
        ));
    }
    let mut io_errors = Vec::new();
    let mut inputs = Vec::new();
    for path in paths {
        if path == "-" {
            inputs.push(Input::Stdin(read_input("-").map_err(|f| match f {
                Failure::Io(m) | Failure::Input(m) | Failure::Usage(m) => Failure::Io(m),
                Failure::Invalid => Failure::Io("stdin".into()),
            })?));
        } else if Path::new(path).is_dir() {
            let mut files = Vec::new();
            collect(Path::new(path), &mut files, &mut io_errors, 0);
            inputs.extend(files.into_iter().map(Input::File));
        } else {
            inputs.push(Input::File(PathBuf::from(path)));
        }
    }
    let mut options = Validator::options()
        .should_unmask(unmask)
        .with_max_findings(max_findings);
    if !profiles {
        options = options.with_profiles(std::sync::Arc::new(medcom::validate::NoProfiles));
    } else if stack.is_some() || !packages.is_empty() {
        let mut engine = medcom::profile::Engine::embedded()
            .and_then(|e| stack.map_or(Ok(e.clone()), |s| e.forcing(&s)))
            .map_err(|e| Failure::Usage(format!("--stack: {e}")))?;
        for p in &packages {
            engine = engine
                .with_package(p)
                .map_err(|e| Failure::Usage(format!("--package: {e}")))?;
        }
        options = options.with_profiles(std::sync::Arc::new(engine));
    }
    let validator = options.build();
    if jobs > 1 && inputs.len() > 2 * jobs {
        // Load every standard's rules up front, in parallel, so workers never queue behind
        // one another's first message of a standard.
        validator.warm_up(jobs);
    }
    let results = validate_all(&validator, &inputs, jobs, (unmask, max_findings), output);
    let mut out = String::new();
    let mut any_error = false;
    let mut json_files: Vec<&str> = Vec::new();
    let (mut valid, mut invalid, mut errors, mut warnings) = (0usize, 0usize, 0usize, 0usize);
    for result in &results {
        let done = match result {
            Ok(d) => d,
            Err(e) => {
                io_errors.push(e.clone());
                continue;
            }
        };
        if done.valid {
            valid += 1;
        } else {
            invalid += 1;
            any_error = true;
        }
        errors += done.errors;
        warnings += done.warnings;
        match output {
            Output::Json => json_files.push(&done.piece),
            _ => out.push_str(&done.piece),
        }
    }
    match output {
        Output::Text => out.push_str(&format!(
            "{} files: {valid} valid, {invalid} invalid ({errors} errors, {warnings} warnings)\n",
            valid + invalid
        )),
        Output::Json => {
            // The files are serialized on the workers; keys in the order serde_json writes
            // them ("files" before "summary").
            let summary = json!({
                "files": valid + invalid,
                "valid": valid,
                "invalid": invalid,
                "errors": errors,
                "warnings": warnings,
            });
            out.push_str("{\"files\":[");
            out.push_str(&json_files.join(","));
            out.push_str("],\"summary\":");
            out.push_str(&summary.to_string());
            out.push_str("}\n");
        }
        Output::Outcome | Output::OutcomeXml => {}
    }
    write_stdout(out.as_bytes())?;
    if !io_errors.is_empty() {
        return Err(Failure::Io(io_errors.join("\n")));
    }
    if any_error {
        return Err(Failure::Invalid);
    }
    Ok(())
}

/// Files under `dir` with a message extension, sorted by name; deep trees stop at 32 levels.
fn collect(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<String>, depth: usize) {
    if depth > 32 {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(format!("{}: {e}", dir.display()));
            return;
        }
    };
    // The entry's own type comes with the listing; only links cost a `stat` to follow.
    let mut paths: Vec<(PathBuf, bool)> = entries
        .filter_map(Result::ok)
        .map(|e| {
            let path = e.path();
            let is_dir = match e.file_type() {
                Ok(t) if !t.is_symlink() => t.is_dir(),
                _ => path.is_dir(),
            };
            (path, is_dir)
        })
        .collect();
    paths.sort();
    for (path, is_dir) in paths {
        if is_dir {
            collect(&path, files, errors, depth + 1);
        } else {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            if matches!(ext.as_deref(), Some("xml" | "json" | "edi")) {
                files.push(path);
            }
        }
    }
}

/// Validates and formats every input on `jobs` threads sharing one validator; results in
/// input order.
fn validate_all(
    validator: &Validator,
    inputs: &[Input],
    jobs: usize,
    (unmask, max_findings): (bool, usize),
    output: Output,
) -> Vec<FileResult> {
    let one = |input: &Input| -> FileResult {
        let report = match input {
            Input::Stdin(bytes) => check_bytes(validator, bytes, unmask, max_findings),
            Input::File(path) => std::fs::read(path)
                .map(|bytes| check_bytes(validator, &bytes, unmask, max_findings))
                .map_err(|e| format!("{}: {e}", path.display()))?,
        }
        .with_max_findings(max_findings);
        Ok(finish(&report, &input.name(), output))
    };
    if jobs <= 1 || inputs.len() <= 1 {
        return inputs.iter().map(one).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<FileResult>> = (0..inputs.len()).map(|_| None).collect();
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(input) = inputs.get(i) else {
                return done;
            };
            done.push((i, one(input)));
        }
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..jobs.min(inputs.len()))
            .map(|_| scope.spawn(work))
            .collect();
        for handle in handles {
            // A worker that panicked leaves its inputs unfilled; they are reported below.
            if let Ok(done) = handle.join() {
                for (i, r) in done {
                    if let Some(slot) = results.get_mut(i) {
                        *slot = Some(r);
                    }
                }
            }
        }
    });
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("internal error: input not validated".into())))
        .collect()
}

fn read_failure(
    code: &'static str,
    location: &str,
    message: String,
    position: Option<Position>,
) -> Finding {
    let f = Finding::new(code, Severity::Error, location.to_owned(), message);
    match position {
        Some(p) => f.with_position(p),
        None => f,
    }
}

/// Validates one input by content: OIOXML, EDIFACT or FHIR (XML or JSON).
fn check_bytes(validator: &Validator, bytes: &[u8], unmask: bool, max_findings: usize) -> Report {
    match LegacyFormat::detect(bytes) {
        Some(LegacyFormat::Oioxml) => {
            let findings = match legacy::schema::decode(bytes) {
                Err(e) => vec![read_failure("legacy-read", "", e.to_string(), None)],
                Ok(text) => match legacy::schema::parse_checked(&text) {
                    Err(e) => vec![read_failure(
                        "legacy-read",
                        "",
                        e.kind().to_string(),
                        e.position(),
                    )],
                    Ok(doc) => legacy::schema::validate_at_most(&doc, max_findings),
                },
            };
            Report::new(findings, unmask).with_message_type(Some("OIOXML".into()))
        }
        Some(LegacyFormat::Edifact) => {
            let validation = legacy::content::validate(bytes);
            let versions: Vec<String> = validation
                .original()
                .map(|o| o.letters.into_iter().map(|(_, v)| v).collect())
                .unwrap_or_default();
            let message_type = if versions.is_empty() {
                "EDIFACT".to_owned()
            } else {
                format!("EDIFACT {}", versions.join(","))
            };
            Report::new(validation.into_findings(), unmask).with_message_type(Some(message_type))
        }
        // FHIR, or anything else (which then fails to read as FHIR).
        _ => {
            let options = ReadOptions::default()
                .with_mode(Mode::Lenient)
                .with_max_issues(max_findings);
            match medcom::parse_bytes(bytes, &options) {
                Ok(doc) => validator.report(&doc),
                Err(e) => {
                    let f = read_failure(
                        "fhir-read",
                        e.path().unwrap_or(""),
                        e.kind().to_string(),
                        Some(e.position()),
                    );
                    Report::new(vec![f], unmask)
                }
            }
        }
    }
}

/// The compact JSON object of one file, written finding by finding (no intermediate tree).
fn file_json(path: &str, report: &Report) -> String {
    let text = |s: &str| Value::from(s).to_string();
    let number = |n: Option<u32>| n.map_or_else(|| "null".to_owned(), |n| n.to_string());
    let mut out = String::with_capacity(128 + report.findings().len() * 160);
    out.push_str("{\"issues\":[");
    for (i, f) in report.findings().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Keys in the order serde_json writes them (sorted), as before.
        let _ = write!(
            out,
            "{{\"code\":{},\"column\":{},\"expression\":{},\"line\":{},\"message\":{},\"severity\":{}}}",
            text(f.code()),
            number(f.position().map(|p| p.column)),
            text(f.location()),
            number(f.position().map(|p| p.line)),
            text(&report.message_of(f)),
            text(f.severity().code()),
        );
    }
    let _ = write!(
        out,
        "],\"message_type\":{},\"path\":{},\"valid\":{}}}",
        report
            .message_type()
            .map_or_else(|| "null".to_owned(), text),
        text(path),
        report.is_valid(),
    );
    out
}
