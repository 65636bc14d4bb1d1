//! One registry of finding codes (`medcom::finding::codes`): every code literal in `src/` is
//! in it and every entry is used; the findings the fixtures produce have registered codes and
//! severities; `docs/finding-codes.md` is the page the registry generates
//! (`MEDCOM_BLESS=1 cargo test --test finding_codes` rewrites it).

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use medcom::finding::codes;

/// The families finding codes belong to.
const PREFIXES: &[&str] = &[
    "fhir-",
    "medcom-",
    "dk-",
    "xsd-",
    "edifact-",
    "legacy-",
    "findings-",
    "http-",
];

/// String literals in `src/` that have a code's shape but are not finding codes.
const NOT_CODES: &[&str] = &[
    // Keys of the legacy schema sets (by namespace date).
    "medcom-2012-03-28",
    "medcom-2013-09-02",
    "medcom-2015-08-01",
    "medcom-2017-05-01",
    "medcom-2018-08-06",
    "medcom-2019-02-19",
    "medcom-2020-05-06",
    // A DK-core invariant key (reported as the rule of an `fhir-invariant`).
    "dk-core-organization-mandatory-identifier",
    // The SBDH scope identifier.
    "dk-medcom-messaging",
    // A MedCom code system's name.
    "medcom-acknowledgement-error-codes",
    // Response headers of the validation service.
    "medcom-valid",
    "medcom-format",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `"prefix-..."` literals of lowercase letters, digits and hyphens.
fn code_literals(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for piece in text.split('"').skip(1).step_by(2) {
        let shaped = !piece.is_empty()
            && piece
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !piece.ends_with('-');
        if shaped && PREFIXES.iter().any(|p| piece.starts_with(p)) {
            found.insert(piece.to_owned());
        }
    }
    found
}

#[test]
fn the_source_and_the_registry_name_the_same_codes() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let registry_file = Path::new("finding").join("codes.rs");
    let mut used = BTreeSet::new();
    for file in files.iter().filter(|f| !f.ends_with(&registry_file)) {
        used.extend(code_literals(
            &std::fs::read_to_string(file).expect("source"),
        ));
    }
    for not in NOT_CODES {
        assert!(
            used.remove(*not),
            "{not} is no longer in src/: drop it from NOT_CODES"
        );
    }
    let registered: BTreeSet<String> = codes::ALL.iter().map(|c| c.code.to_owned()).collect();
    let unregistered: Vec<_> = used.difference(&registered).collect();
    let unused: Vec<_> = registered.difference(&used).collect();
    assert!(
        unregistered.is_empty(),
        "codes in src/ missing from src/finding/codes.rs: {unregistered:?}"
    );
    assert!(
        unused.is_empty(),
        "codes in src/finding/codes.rs that src/ never uses: {unused:?}"
    );
}

/// The scan sees code literals in any position and nothing else.
#[test]
fn the_scan_finds_code_literals() {
    let found = code_literals(r#"f("dk-cpr-date", x, "Bundle.id", "fhir-"); g("xsd-Upper"); "#);
    assert_eq!(found.into_iter().collect::<Vec<_>>(), ["dk-cpr-date"]);
}

/// Codes and severities of `medcom validate --format json ARGS` with `stdin`.
fn reported(args: &[&str], stdin: &[u8]) -> BTreeSet<(String, String, String)> {
    let mut all = vec!["validate", "--format", "json", "--max-findings", "100000"];
    all.extend_from_slice(args);
    let out = common::run_medcom(&all, stdin);
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let mut seen = BTreeSet::new();
    for file in doc["files"].as_array().expect("files") {
        for issue in file["issues"].as_array().expect("issues") {
            seen.insert((
                issue["code"].as_str().expect("code").to_owned(),
                issue["severity"].as_str().expect("severity").to_owned(),
                file["path"].to_string(),
            ));
        }
    }
    seen
}

/// What the validator reports on every fixture has a registered code and severity.
#[test]
fn fixture_findings_are_registered() {
    let mut seen = reported(&["fixtures"], b"");
    // An OIOXML letter that is not well-formed.
    seen.extend(reported(
        &["-"],
        br#"<?xml version="1.0"?><Emessage xmlns="http://rep.oio.dk/medcom.dk/xml/schemas/2012/03/28/"><Envelope>"#,
    ));
    for (code, severity, path) in &seen {
        let entry =
            codes::lookup(code).unwrap_or_else(|| panic!("{path}: unregistered code {code}"));
        assert!(
            entry.severities.iter().any(|s| s.code() == severity),
            "{path}: {code} reported as {severity}, registered as {:?}",
            entry.severities
        );
    }
    // The fixtures reach every family.
    // (The service's refusals, `http-*`, are reached by tests/serve.rs.)
    for prefix in PREFIXES
        .iter()
        .filter(|p| !matches!(**p, "findings-" | "http-"))
    {
        assert!(
            seen.iter().any(|(c, _, _)| c.starts_with(prefix)),
            "no {prefix} finding in fixtures/"
        );
    }
}

#[test]
fn the_reference_page_is_fresh() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/finding-codes.md");
    let fresh = codes::reference_page();
    if std::env::var_os("MEDCOM_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("docs/finding-codes.md written");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "docs/finding-codes.md is stale: MEDCOM_BLESS=1 cargo test --test finding_codes"
    );
}
