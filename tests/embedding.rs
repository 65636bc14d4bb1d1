//! A crate outside the repository that depends on medcom by path validates FHIR XML, FHIR JSON,
//! OIOXML, EDIFACT and an SBDH envelope with `medcom::validate_bytes`, prints
//! `serde_json::to_string(&report)` per file, and prints exactly the objects
//! `medcom validate --format json` prints for the same files.
//!
//! The outside crate is built (debug, without default features: no SQLite) into
//! `target/embedding`, which later runs reuse.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The files, relative to the shared folder: kind, path.
const FILES: [(&str, &str); 6] = [
    (
        "FHIR XML",
        "medcom/fhir/examples/medcomfhir-website/ig/carecommunication/5.0.0-trial-use/Bundle-0d5b3c18-fab6-4d93-9d88-c9c8abf1f18c.xml",
    ),
    (
        "FHIR JSON",
        "medcom/fhir/examples/medcomfhir-website/ig/carecommunication/5.0.0-trial-use/Bundle-3dcb5618-3055-406a-9034-1b8fc8de0fea.json",
    ),
    (
        "FHIR JSON of an unsupported release",
        "medcom/fhir/examples/medcomfhir-website/ig/carecommunication/2.0.0/Bundle-256549f7-ed10-422d-8088-f7222b686e46.json",
    ),
    (
        "OIOXML",
        "medcom/legacy/files/glasdam_edifact_converter/test/complete/files/xml/DIS01_1.xml",
    ),
    (
        "EDIFACT",
        "medcom/legacy/files/glasdam_edifact_converter/test/complete/files/edifact/DIS01_1.edi",
    ),
    (
        "SBDH",
        "medcom/fhir/examples/dk-ehmi-sbdh/input/pagecontent/ehmiSBDH/ehmisbdh_fullsample.xml",
    ),
];

const MAIN: &str = r#"fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("the file reads");
        let report = medcom::validate_bytes(&bytes).with_path(path);
        println!("{}", serde_json::to_string(&report).expect("a report serializes"));
    }
}
"#;

/// Writes the outside crate into `dir`.
fn write_crate(dir: &Path) {
    let root = env!("CARGO_MANIFEST_DIR").replace('\\', "/");
    let manifest = format!(
        r#"[package]
name = "medcom-embedding"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
medcom = {{ path = "{root}", default-features = false }}
serde_json = "1"

# Not a member of any workspace above the temporary folder.
[workspace]
"#
    );
    std::fs::create_dir_all(dir.join("src")).expect("src");
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("Cargo.toml");
    std::fs::write(dir.join("src/main.rs"), MAIN).expect("main.rs");
    // The project's lock file pins the same versions, which the local cache holds.
    std::fs::copy(Path::new(&root).join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
}

/// The file's object in `medcom validate --format json` for one file: the text between
/// `{"files":[` and `],"summary":`.
fn cli_object(path: &Path) -> String {
    let path = path.to_str().expect("UTF-8 path");
    let out = common::run_medcom(&["validate", "--format", "json", path], b"");
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    let inner = text
        .strip_prefix("{\"files\":[")
        .unwrap_or_else(|| panic!("unexpected output: {text}"));
    let end = inner.rfind("],\"summary\":").expect("a summary");
    inner[..end].to_owned()
}

#[test]
fn an_outside_crate_prints_the_cli_json_with_validate_bytes() {
    let Some(shared) = common::shared() else {
        return;
    };
    let files: Vec<PathBuf> = FILES.iter().map(|(_, p)| shared.join(p)).collect();
    for ((kind, _), path) in FILES.iter().zip(&files) {
        assert!(path.is_file(), "{kind}: {} is missing", path.display());
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    write_crate(dir.path());
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/embedding");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["run", "--quiet", "--offline", "--"])
        .args(&files)
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "the outside crate failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).expect("UTF-8 output");
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), files.len(), "{printed}");
    let mut verdicts = Vec::new();
    for (((kind, _), path), line) in FILES.iter().zip(&files).zip(&lines) {
        let cli = cli_object(path);
        let library: serde_json::Value = serde_json::from_str(line).expect("JSON");
        let expected: serde_json::Value = serde_json::from_str(&cli).expect("JSON");
        assert_eq!(
            library["valid"], expected["valid"],
            "{kind}: verdicts differ"
        );
        assert_eq!(*line, cli, "{kind}: the JSON differs");
        verdicts.push((*kind, library["valid"].as_bool().expect("a verdict")));
    }
    // The files were chosen to show both verdicts: the official examples of a supported
    // release and the letters are valid, a release before 4.0 is not.
    let expected = [true, true, false, true, true, false];
    let got: Vec<bool> = verdicts.iter().map(|(_, v)| *v).collect();
    assert_eq!(got, expected, "{verdicts:?}");
}
