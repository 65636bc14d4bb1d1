//! The Java example (`examples/java/MedcomValidate.java`, the Foreign Function & Memory API of
//! JDK 22 and later) compiles with plain `javac` and, through the shared library, prints the
//! reports `medcom validate --format json` prints for the official examples, and converts them
//! as `medcom convert` does (or gives the error the command reports). Skips loudly when
//! no such JDK is found (`JAVA_HOME`, else `/usr/lib/jvm/*`); `.ci/run` does not require one.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The major version of a JDK, from its `release` file (`JAVA_VERSION="25.0.3"`).
fn major_version(home: &Path) -> Option<u32> {
    let release = std::fs::read_to_string(home.join("release")).ok()?;
    let line = release.lines().find(|l| l.starts_with("JAVA_VERSION="))?;
    let version = line.trim_start_matches("JAVA_VERSION=").trim_matches('"');
    version.split(['.', '-', '+']).next()?.parse().ok()
}

/// A JDK of version 22 or later with `javac`: `JAVA_HOME` first, else the newest under
/// `/usr/lib/jvm`.
fn jdk() -> Option<PathBuf> {
    let usable =
        |home: &Path| major_version(home).filter(|v| *v >= 22 && home.join("bin/javac").is_file());
    if let Some(home) = std::env::var_os("JAVA_HOME").map(PathBuf::from) {
        if usable(&home).is_some() {
            return Some(home);
        }
    }
    std::fs::read_dir("/usr/lib/jvm")
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter_map(|home| usable(&home).map(|v| (v, home)))
        .max()
        .map(|(_, home)| home)
}

#[test]
fn the_java_example_agrees_with_the_command() {
    let Some(home) = jdk() else {
        // Never required: a JDK is not part of the project's build.
        eprintln!("\n*** SKIPPED: no JDK 22 or later (JAVA_HOME or /usr/lib/jvm) ***\n");
        return;
    };
    let Some(shared) = common::shared() else {
        return;
    };
    let Some(bin) = common::medcom_bin() else {
        return;
    };
    eprintln!("JDK: {}", home.display());
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let classes = scratch.path().join("classes");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/java/MedcomValidate.java");
    let status = Command::new(home.join("bin/javac"))
        // Every lint but `restricted`: calling native code is what the example is for.
        .args(["-Xlint:all,-restricted", "-Werror", "-d"])
        .arg(&classes)
        .arg(&source)
        .status()
        .expect("javac runs");
    assert!(status.success(), "javac failed");

    // Every fifth input keeps the JVM's run short and still spans every group and verdict.
    let cases = common::corpus(&shared, scratch.path());
    let paths: Vec<PathBuf> = cases.iter().step_by(5).map(|c| c.path.clone()).collect();
    let library = common::lib_dir().join(format!(
        "{}medcom_c{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    let java = |args: &[&str]| {
        let out = Command::new(home.join("bin/java"))
            .arg("--enable-native-access=ALL-UNNAMED")
            .arg("-cp")
            .arg(&classes)
            .arg("MedcomValidate")
            .arg(&library)
            .args(args)
            .args(&paths)
            .output()
            .expect("java runs");
        assert!(
            out.status.success(),
            "the Java example failed ({args:?}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let printed = String::from_utf8(java(&[])).expect("UTF-8 output");
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), paths.len(), "one report per file");
    let expected = common::cli_reports(&bin, &paths);
    let mut verdicts = [0_usize; 2];
    for ((path, line), cli) in paths.iter().zip(&lines).zip(&expected) {
        let report: serde_json::Value = serde_json::from_str(line).expect("a JSON report");
        let valid = common::assert_same_report(&report, cli, &path.display().to_string());
        verdicts[usize::from(valid)] += 1;
    }
    eprintln!(
        "Java: {} valid, {} invalid, as the command says",
        verdicts[1], verdicts[0]
    );
    assert!(verdicts[0] > 0 && verdicts[1] > 0, "{verdicts:?}");

    // The same inputs converted to the other format: the bytes `medcom convert` writes, or the
    // error object of the command's error.
    let results = common::results(&java(&["--convert"]));
    let tally = common::assert_agrees_with_command("convert", &paths, &results, |a, b| a == b);
    eprintln!("Java convert: results by kind -> files: {tally:?}");
    assert!(tally.get("ok").is_some_and(|&n| n > 0) && tally.get("read").is_some_and(|&n| n > 0));
}
