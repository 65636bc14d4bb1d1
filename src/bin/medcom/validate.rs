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

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use medcom::finding::Severity;
use medcom::validate::Report;
use medcom::Validator;
use serde_json::json;

use crate::{at_least, paint_stdout, plural, read_input, write_stdout, Failure, Outcome, Style};

/// What `--format` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Output {
    /// One line per finding and a summary line.
    Text,
    /// One JSON document: the files (one object each) and a summary.
    Json,
    /// One FHIR OperationOutcome (JSON) per file.
    Outcome,
    /// One FHIR OperationOutcome (XML) per file.
    OutcomeXml,
}

/// The command's description in `medcom validate --help`.
pub(crate) const ABOUT: &str = "Validates FHIR messages (XML or JSON) against the MedCom profiles \
and message rules, and legacy OIOXML letters and EDIFACT interchanges (recognised by content) \
with the legacy schema and content rules.

PATH is a file, a folder (searched recursively for .xml, .json and .edi files, in name order) \
or - for stdin. Output keeps the input order whatever --jobs is. Values (patient data) are \
masked unless --unmask is given. Exit 0 when no file has an error, 1 when one has, 2 on usage \
or I/O errors.";

/// `medcom validate` options.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    format: Output,
    /// Files validated at once (threads).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 1, value_parser = at_least(1usize))]
    jobs: usize,
    /// Show values (patient data) in messages instead of masking them.
    #[arg(long)]
    unmask: bool,
    /// Check the MedCom message rules alone, without the profiles.
    #[arg(long)]
    no_profiles: bool,
    /// Check every FHIR message on this version stack (e.g. carecommunication@4.0) instead of
    /// the one it declares.
    #[arg(long, value_name = "NAME@VERSION")]
    stack: Option<String>,
    /// Also check resources against the profiles of this FHIR package (an npm .tgz or a
    /// folder); may be given more than once.
    #[arg(long = "package", value_name = "FILE.tgz")]
    packages: Vec<PathBuf>,
    /// Findings reported per file; then one findings-truncated finding counts the rest.
    #[arg(long, value_name = "N", default_value_t = medcom::finding::DEFAULT_MAX_FINDINGS, value_parser = at_least(0usize))]
    max_findings: usize,
    /// Files, folders, or - for stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
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
fn finish(report: Report, output: Output) -> Done {
    let piece = match output {
        Output::Text => report.to_text(report.path().unwrap_or("-")),
        // A report serializes to exactly the file's object.
        Output::Json => serde_json::to_string(&report).unwrap_or_default(),
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

pub(crate) fn run(options: Options) -> Outcome {
    let Options {
        format: output,
        jobs,
        unmask,
        no_profiles,
        stack,
        packages,
        max_findings,
        paths,
    } = options;
    let profiles = !no_profiles;
    let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
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
    let mut validator = Validator::new()
        .unmask(unmask)
        .profiles(profiles)
        .max_findings(max_findings);
    if profiles && (stack.is_some() || !packages.is_empty()) {
        let mut engine = medcom::profile::Engine::embedded()
            .and_then(|e| stack.as_deref().map_or(Ok(e.clone()), |s| e.forcing(s)))
            .map_err(|e| Failure::Usage(format!("--stack: {e}")))?;
        for p in &packages {
            engine = engine
                .with_package(p)
                .map_err(|e| Failure::Usage(format!("--package: {e}")))?;
        }
        validator = validator.engine(engine);
    }
    if jobs > 1 && inputs.len() > 2 * jobs {
        // Load every standard's rules up front, in parallel, so workers never queue behind
        // one another's first message of a standard.
        validator.warm_up(jobs);
    }
    let results = validate_all(&validator, &inputs, jobs, output);
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
        Output::Text => {
            let summary = format!(
                "{}: {valid} valid, {invalid} invalid ({}, {})",
                plural(valid + invalid, "file", "files"),
                plural(errors, "error", "errors"),
                plural(warnings, "warning", "warnings"),
            );
            let style = if invalid == 0 {
                Style::Good
            } else {
                Style::Error
            };
            out.push_str(&paint_stdout(&summary, style));
            out.push('\n');
        }
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
    output: Output,
) -> Vec<FileResult> {
    let one = |input: &Input| -> FileResult {
        let report = match input {
            Input::Stdin(bytes) => validator.validate(bytes),
            Input::File(path) => std::fs::read(path)
                .map(|bytes| validator.validate(&bytes))
                .map_err(|e| format!("{}: {e}", path.display()))?,
        };
        Ok(finish(report.with_path(input.name()), output))
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
