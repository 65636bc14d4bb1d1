//! C programs compiled with `cc` against `medcom.h` and the shared library validate, convert
//! and acknowledge every official example (FHIR valid and invalid, legacy letters, and legacy
//! letters cut in half) and print exactly what `medcom validate --format json`, `medcom convert`
//! and `medcom ack` print, or the error the command reports. The validating program, linked
//! statically, checks the boundary (NULL input, flags, threads); the converting one checks
//! the error out-parameter and threads.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::Group;

/// Compiles `tests/c/{program}.c`; `static_link` links `libmedcom_c.a` instead of the shared
/// library.
fn compile(out: &Path, program: &str, static_link: bool) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib_dir = common::lib_dir();
    let exe = out.join(if static_link {
        format!("{program}_static")
    } else {
        program.to_owned()
    });
    let cc = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
    let mut command = Command::new(cc);
    command
        .args([
            "-std=c11",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-pedantic",
            "-O1",
        ])
        .arg("-I")
        .arg(dir)
        .arg(dir.join(format!("tests/c/{program}.c")))
        .arg("-o")
        .arg(&exe);
    if static_link {
        command
            .arg(lib_dir.join("libmedcom_c.a"))
            .args(["-lpthread", "-ldl", "-lm"]);
    } else {
        command
            .arg("-L")
            .arg(&lib_dir)
            .arg("-lmedcom_c")
            .arg(format!("-Wl,-rpath,{}", lib_dir.display()))
            .arg("-pthread");
    }
    let status = command.status().expect("cc runs");
    assert!(status.success(), "cc failed: {command:?}");
    exe
}

/// Runs the validating program on `paths` and returns its lines.
fn run(exe: &Path, paths: &[PathBuf]) -> Vec<String> {
    String::from_utf8(run_with(exe, &[], paths))
        .expect("UTF-8 output")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Runs a program with `args` on `paths` (one a line on stdin) and returns its output.
fn run_with(exe: &Path, args: &[&str], paths: &[PathBuf]) -> Vec<u8> {
    let mut child = Command::new(exe)
        .args(args)
        // `cargo test` puts `target/<profile>` on the search path, where a library from an
        // earlier `cargo build` may lie; the one this run built is in `deps`.
        .env("LD_LIBRARY_PATH", common::lib_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the C program starts");
    let mut list = String::new();
    for path in paths {
        list.push_str(path.to_str().expect("UTF-8 path"));
        list.push('\n');
    }
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(list.as_bytes()));
    let out = child.wait_with_output().expect("the C program ends");
    writer.join().expect("writer").expect("paths written");
    assert!(
        out.status.success(),
        "the C program failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn a_c_program_agrees_with_the_command_on_every_official_example() {
    let Some(shared) = common::shared() else {
        return;
    };
    let Some(bin) = common::medcom_bin() else {
        return;
    };
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let cases = common::corpus(&shared, scratch.path());
    let paths: Vec<PathBuf> = cases.iter().map(|c| c.path.clone()).collect();
    let exe = compile(scratch.path(), "validate_files", false);
    let lines = run(&exe, &paths);
    assert_eq!(lines.len(), cases.len(), "one report per file");
    let expected = common::cli_reports(&bin, &paths);
    let mut tally = std::collections::BTreeMap::new();
    for ((case, line), cli) in cases.iter().zip(&lines).zip(&expected) {
        let report: serde_json::Value = serde_json::from_str(line).expect("a JSON report");
        let what = case.path.display().to_string();
        let valid = common::assert_same_report(&report, cli, &what);
        *tally
            .entry((format!("{:?}", case.group), valid))
            .or_insert(0) += 1;
    }
    eprintln!("verdicts (group, valid) -> files: {tally:?}");
    for group in [Group::Fhir, Group::Legacy, Group::LegacyTruncated] {
        let n = |valid| {
            tally
                .get(&(format!("{group:?}"), valid))
                .copied()
                .unwrap_or(0)
        };
        assert!(n(true) + n(false) > 0, "{group:?}: no files");
        if group != Group::Legacy {
            assert!(n(false) > 0, "{group:?}: no invalid files");
        }
    }
    assert!(
        tally[&("Fhir".to_owned(), true)] > 0,
        "no valid FHIR example"
    );
}

#[test]
fn the_statically_linked_program_keeps_the_boundary() {
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let exe = compile(scratch.path(), "validate_files", true);
    // No paths: the boundary checks alone (NULL input, unknown flags, the version).
    assert!(run(&exe, &[]).is_empty());
    // With a file: also four threads at once.
    let file = scratch.path().join("letter.edi");
    std::fs::write(&file, b"UNA:+.? 'UNB+UNOC:3+A:14+B:14+990101:1200+K'").expect("written");
    let lines = run(&exe, &[file]);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].ends_with(r#""valid":false}"#), "{}", lines[0]);
}

/// Runs `convert_files {command}` on every official example and checks each result against
/// `medcom {command}` (`same` compares outputs); the tally by kind, or `None` when the
/// examples or the command are absent.
fn convert_files_agree(
    command: &str,
    same: impl Fn(&[u8], &[u8]) -> bool,
) -> Option<std::collections::BTreeMap<String, usize>> {
    let shared = common::shared()?;
    common::medcom_bin()?;
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let cases = common::corpus(&shared, scratch.path());
    let paths: Vec<PathBuf> = cases.iter().map(|c| c.path.clone()).collect();
    let exe = compile(scratch.path(), "convert_files", false);
    let results = common::results(&run_with(&exe, &[command], &paths));
    Some(common::assert_agrees_with_command(
        command, &paths, &results, same,
    ))
}

#[test]
fn a_c_program_converts_every_official_example_as_the_command_does() {
    let Some(tally) = convert_files_agree("convert", |a, b| a == b) else {
        return;
    };
    eprintln!("convert: results by kind -> files: {tally:?}");
    for kind in ["ok", "read"] {
        assert!(tally.get(kind).is_some_and(|&n| n > 0), "no {kind} result");
    }
}

#[test]
fn a_c_program_acknowledges_the_official_examples_as_the_command_does() {
    let Some(tally) = convert_files_agree("ack", |a, b| {
        common::without_fresh_values(a) == common::without_fresh_values(b)
    }) else {
        return;
    };
    eprintln!("ack: results by kind -> files: {tally:?}");
    for kind in ["ok", "read", "acknowledge"] {
        assert!(tally.get(kind).is_some_and(|&n| n > 0), "no {kind} result");
    }
}
