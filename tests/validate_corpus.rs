//! The MedCom message rules over every official example of a current message version in
//! `../shared/medcom/fhir/examples` (CareCommunication 5.0.x, HospitalNotification 3.0.x,
//! Acknowledgement 2.0.x, HomeCareObservation 1.2.x, messaging 4.0.x, and the test-script IGs
//! of those versions): the ones meant to be valid give no error, except where an example breaks
//! a MedCom rule, which `tests/validate_xfail.tsv` lists with the reason; the ones meant to be
//! invalid give an error on their documented defect.

mod common;

use std::collections::BTreeSet;

use medcom::finding::Severity;
use medcom::validate::Validator;

/// IG folders of current versions: folder, version prefix.
const CURRENT: &[(&str, &str)] = &[
    ("carecommunication", "5.0."),
    ("carecommunicationtestscripts", "5.0."),
    ("hospitalnotification", "3.0."),
    ("hospitalnotificationtestscripts", "3.0."),
    ("acknowledgement", "2.0."),
    ("acknowledgementtestscript", "2.0."),
    ("homecareobservation", "1.2."),
    ("messaging", "4.0."),
];

/// Intended-invalid examples: Bundle id, the code of the finding on the documented defect.
const INVALID: &[(&str, &str)] = &[
    // TEK_FCC "Notification containing errors": no MessageHeader.eventCoding.
    (
        "17a0c807-372b-452c-972e-c59036153b57",
        "medcom-message-type",
    ),
];

/// `<ig folder>/<file stem>` of a manifest path under `medcomfhir-website/ig/`, when current.
fn current_key(file: &str) -> Option<String> {
    let rest = file.strip_prefix("medcomfhir-website/ig/")?;
    let mut parts = rest.split('/');
    let (ig, version, name) = (parts.next()?, parts.next()?, parts.next()?);
    let current = CURRENT.iter().any(|&(f, v)| {
        f == ig && version.starts_with(v) && version[v.len()..].bytes().all(|b| b.is_ascii_digit())
    });
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    current.then(|| format!("{ig}/{stem}"))
}

/// The xfail rows: key, code, reason.
fn xfail() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/validate_xfail.tsv"
    ))
    .expect("tests/validate_xfail.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut f = l.splitn(3, '\t');
            let (k, c, r) = (
                f.next().unwrap_or(""),
                f.next().unwrap_or(""),
                f.next().unwrap_or(""),
            );
            assert!(!r.trim().is_empty(), "xfail row without a reason: {l}");
            (k.to_owned(), c.to_owned(), r.to_owned())
        })
        .collect()
}

#[test]
fn current_examples() {
    let Some(shared) = common::shared() else {
        return;
    };
    let xfail = xfail();
    let mut used = BTreeSet::new();
    let mut unexpected = Vec::new();
    let validator = Validator::rules_only();
    let (mut checked, mut clean, mut expected_fail) = (0, 0, 0);
    for example in common::examples(&shared).iter().filter(|e| e.is_fhir()) {
        let Some(key) = current_key(&example.file) else {
            continue;
        };
        checked += 1;
        let text = common::read(&example.path);
        let doc = medcom::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", example.file));
        let report = validator.report(&doc);
        let errors: Vec<_> = report.with_severity(Severity::Error).collect();
        if example.validity.starts_with("invalid") {
            let code = INVALID
                .iter()
                .find(|(id, _)| *id == example.bundle_id)
                .map(|(_, c)| *c)
                .unwrap_or_else(|| {
                    panic!(
                        "{}: intended invalid, but no documented defect listed",
                        example.file
                    )
                });
            assert!(
                errors.iter().any(|f| f.code() == code),
                "{}: no {code} among {errors:?}",
                example.file
            );
            expected_fail += 1;
            continue;
        }
        if errors.is_empty() {
            clean += 1;
        }
        for f in errors {
            match xfail
                .iter()
                .position(|(k, c, _)| *k == key && c == f.code())
            {
                Some(i) => {
                    used.insert(i);
                }
                None => unexpected.push(format!(
                    "{key}\t{}\t{} {}",
                    f.code(),
                    f.location(),
                    f.message()
                )),
            }
        }
    }
    unexpected.sort();
    unexpected.dedup();
    assert!(
        unexpected.is_empty(),
        "errors not in tests/validate_xfail.tsv:\n{}",
        unexpected.join("\n")
    );
    let stale: Vec<_> = xfail
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, (k, c, _))| format!("{k}\t{c}"))
        .collect();
    assert!(
        stale.is_empty(),
        "xfail rows no example needs:\n{}",
        stale.join("\n")
    );
    println!("{checked} current examples: {clean} without errors, {} with listed (xfail) errors, {expected_fail} intended invalid", checked - clean - expected_fail);
    assert!(checked > 200, "only {checked} current examples found");
}
