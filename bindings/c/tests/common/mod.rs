//! What the tests of the C ABI share: the official examples (env `MEDCOM_SHARED`, default
//! `../shared` beside the project), the command's JSON for them, and where the built library
//! lies. `MEDCOM_REQUIRE_SHARED` (set by `.ci/run`) turns a skip into a failure.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The project's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn required() -> bool {
    std::env::var_os("MEDCOM_REQUIRE_SHARED").is_some()
}

/// Says loudly that a test skips (or fails, when CI requires everything).
pub fn skip(why: &str) {
    assert!(!required(), "MEDCOM_REQUIRE_SHARED is set but {why}");
    eprintln!("\n*** SKIPPED: {why} ***\n");
}

/// The shared reference folder, or `None` (after saying so loudly) when it is absent.
pub fn shared() -> Option<PathBuf> {
    let dir =
        std::env::var_os("MEDCOM_SHARED").map_or_else(|| root().join("../shared"), PathBuf::from);
    if dir.join("README.md").is_file() {
        return Some(dir);
    }
    skip(&format!(
        "shared reference material not found at {} (set MEDCOM_SHARED)",
        dir.display()
    ));
    None
}

/// The folder of the libraries this test run built (`target/<profile>/deps`, where the test
/// itself lies: `cargo test` leaves the shared and static library there and copies them to
/// `target/<profile>` only on `cargo build`).
pub fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    exe.parent().expect("target/<profile>/deps").to_path_buf()
}

/// The `medcom` command: env `MEDCOM_BIN`, else the one built in `target/<profile>`.
pub fn medcom_bin() -> Option<PathBuf> {
    let bin = std::env::var_os("MEDCOM_BIN").map_or_else(
        || {
            let profile = lib_dir().parent().map(Path::to_path_buf);
            profile
                .unwrap_or_default()
                .join(format!("medcom{}", std::env::consts::EXE_SUFFIX))
        },
        PathBuf::from,
    );
    if bin.is_file() {
        return Some(bin);
    }
    skip(&format!(
        "the medcom command is not built at {} (cargo build --release, or set MEDCOM_BIN)",
        bin.display()
    ));
    None
}

/// Which part of the official material an input comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// A FHIR example message (XML or JSON) from the examples manifest.
    Fhir,
    /// A legacy OIOXML or EDIFACT letter, receipt or envelope.
    Legacy,
    /// The first half of a legacy file (the official legacy files are all valid).
    LegacyTruncated,
}

/// One input of the corpus.
#[derive(Clone, Debug)]
pub struct Case {
    pub path: PathBuf,
    pub group: Group,
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("xml" | "edi")
        ) {
            out.push(path);
        }
    }
}

/// Every FHIR example of the manifest, every legacy `.xml` and `.edi` file, and the first half
/// of each legacy file (written into `scratch`).
pub fn corpus(shared: &Path, scratch: &Path) -> Vec<Case> {
    let base = shared.join("medcom/fhir/examples");
    let manifest = std::fs::read_to_string(base.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut cases: Vec<Case> = manifest
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next().filter(|f| !f.is_empty()))
        .map(|file| Case {
            path: base.join(file),
            group: Group::Fhir,
        })
        .collect();
    let mut legacy = Vec::new();
    walk(&shared.join("medcom/legacy/files"), &mut legacy);
    legacy.sort();
    for (i, path) in legacy.iter().enumerate() {
        let bytes = std::fs::read(path).expect("a legacy file reads");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
        let half = scratch.join(format!("{i:03}-half-{name}"));
        std::fs::write(&half, &bytes[..bytes.len() / 2]).expect("scratch file written");
        cases.push(Case {
            path: path.clone(),
            group: Group::Legacy,
        });
        cases.push(Case {
            path: half,
            group: Group::LegacyTruncated,
        });
    }
    cases
}

/// The per-file objects `medcom validate --format json` prints for `paths`, in order.
pub fn cli_reports(bin: &Path, paths: &[PathBuf]) -> Vec<serde_json::Value> {
    let mut reports = Vec::with_capacity(paths.len());
    for chunk in paths.chunks(400) {
        let out = Command::new(bin)
            .args(["validate", "--format", "json"])
            .args(chunk)
            .output()
            .expect("the medcom command runs");
        let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "medcom validate printed no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let files = value["files"].as_array().expect("files").clone();
        assert_eq!(files.len(), chunk.len(), "one object per file");
        reports.extend(files);
    }
    reports
}

/// Compares a binding's report with the command's for the same file: the same object but for
/// `path`, which the command fills in and a binding leaves null. Returns the verdict.
pub fn assert_same_report(
    binding: &serde_json::Value,
    cli: &serde_json::Value,
    what: &str,
) -> bool {
    let verdict = cli["valid"].as_bool().expect("a verdict");
    assert_eq!(
        binding["valid"], cli["valid"],
        "{what}: the verdicts differ"
    );
    let mut cli = cli.clone();
    cli["path"] = serde_json::Value::Null;
    assert_eq!(binding, &cli, "{what}: the reports differ");
    verdict
}

/// What one run of the command gave.
#[derive(Debug)]
pub struct CliOutput {
    /// The exit code.
    pub status: Option<i32>,
    /// Its standard output.
    pub stdout: Vec<u8>,
    /// Its standard error, as text.
    pub stderr: String,
}

/// Runs `medcom ARGS... PATH`.
pub fn cli_output(bin: &Path, args: &[&str], path: &Path) -> CliOutput {
    let out = Command::new(bin)
        .args(args)
        .arg(path)
        .output()
        .expect("the medcom command runs");
    CliOutput {
        status: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// An acknowledgement without what each call makes afresh: identifiers (runs of at least 12
/// hexadecimal digits and dashes) become `#`, and every other digit (dates, times) `0`.
pub fn without_fresh_values(text: &[u8]) -> Vec<u8> {
    let fresh = |b: &u8| b.is_ascii_hexdigit() || *b == b'-';
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(&first) = rest.first() {
        let run = rest.iter().take_while(|b| fresh(b)).count();
        if run >= 12 {
            out.push(b'#');
            rest = &rest[run..];
        } else {
            out.push(if first.is_ascii_digit() { b'0' } else { first });
            rest = &rest[1..];
        }
    }
    out
}

/// What a converting program (`tests/c/convert_files.c`, the Java example with `--convert`)
/// printed for each file: the result's bytes, or the error object.
pub fn results(mut out: &[u8]) -> Vec<Result<Vec<u8>, serde_json::Value>> {
    let mut results = Vec::new();
    while !out.is_empty() {
        let end = out.iter().position(|&b| b == b'\n').expect("a header line");
        let header = std::str::from_utf8(&out[..end]).expect("an ASCII header");
        out = &out[end + 1..];
        if let Some(len) = header.strip_prefix("ok ") {
            let len: usize = len.parse().expect("a length");
            results.push(Ok(out[..len].to_vec()));
            assert_eq!(out[len], b'\n', "the result ends the line");
            out = &out[len + 1..];
        } else {
            let error = header.strip_prefix("error ").expect("ok or error");
            results.push(Err(serde_json::from_str(error).expect("an error object")));
        }
    }
    results
}

/// Checks the binding's results against the command's for every file; returns the tally of
/// (succeeded, error kind).
pub fn assert_agrees_with_command(
    command: &str,
    paths: &[PathBuf],
    results: &[Result<Vec<u8>, serde_json::Value>],
    same: impl Fn(&[u8], &[u8]) -> bool,
) -> std::collections::BTreeMap<String, usize> {
    assert_eq!(results.len(), paths.len(), "one result per file");
    let bin = medcom_bin().expect("the command");
    let mut tally = std::collections::BTreeMap::new();
    for (path, result) in paths.iter().zip(results) {
        let cli = cli_output(&bin, &[command], path);
        let what = format!("medcom {command} {}", path.display());
        match result {
            Ok(bytes) => {
                assert_eq!(
                    cli.status,
                    Some(0),
                    "{what}: the command failed: {}",
                    cli.stderr
                );
                assert!(
                    same(bytes, &cli.stdout),
                    "{what}: the outputs differ:\n{}\n---\n{}",
                    String::from_utf8_lossy(bytes),
                    String::from_utf8_lossy(&cli.stdout)
                );
                *tally.entry("ok".to_owned()).or_insert(0) += 1;
            }
            Err(error) => {
                assert_ne!(
                    cli.status,
                    Some(0),
                    "{what}: only the binding failed: {error}"
                );
                let message = error["message"].as_str().expect("a message");
                let expected = match (error["line"].as_u64(), error["column"].as_u64()) {
                    (Some(line), Some(column)) => {
                        format!("{}:{line}:{column}: {message}", path.display())
                    }
                    _ => message.to_owned(),
                };
                assert!(
                    cli.stderr.contains(&expected),
                    "{what}: the errors differ:\n{expected}\n---\n{}",
                    cli.stderr
                );
                let kind = error["kind"].as_str().expect("a kind");
                *tally.entry(kind.to_owned()).or_insert(0) += 1;
            }
        }
    }
    tally
}
