//! The MedCom message rules over the project's own small messages in `fixtures/validate/`
//! (described in `fixtures/README.md`), one line per case: every finding's code and location,
//! plus agreement of the four entry points and of XML with JSON.

use medcom::finding::{Finding, Severity};
use medcom::validate::Validator;
use medcom::{Mode, ReadOptions};

/// file, expected `code location` of every finding (errors and warnings), in report order.
#[rustfmt::skip]
const CASES: &[(&str, &[&str])] = &[
    ("cc-valid.json", &[]),
    ("cc-valid.xml", &[]),
    ("cc-reply-valid.json", &[]),
    ("cc-header-not-first.json", &["medcom-header-first Bundle.entry[0].resource"]),
    ("cc-header-not-first.xml", &["medcom-header-first Bundle.entry[0].resource"]),
    ("cc-unknown-event.json", &["medcom-message-type Bundle.entry[0].resource.event.ofType(Coding).code"]),
    ("cc-provenance-target.json", &["medcom-provenance-target Bundle.entry[0].resource"]),
    ("cc-reply-without-entity.json", &["medcom-provenance-entity Bundle.entry[5].resource.activity.coding[0].code"]),
    ("cc-entity-not-header.json", &["medcom-provenance-entity Bundle.entry[5].resource.entity[1].what.reference"]),
    ("cc-no-timezone.json", &["fhir-read Bundle.timestamp", "medcom-timezone Bundle.timestamp"]),
    ("cc-no-timezone.xml", &["fhir-read Bundle.timestamp", "medcom-timezone Bundle.timestamp"]),
    ("cc-bad-bundle-id.json", &["medcom-uuid Bundle.id"]),
    ("cc-bad-thread-id.json", &["medcom-uuid Bundle.entry[2].resource.identifier[0].value"]),
    ("cc-bad-cpr.json", &["dk-cpr-date Bundle.entry[1].resource.identifier[0].value"]),
    ("cc-bad-gln.json", &["dk-gln-format Bundle.entry[3].resource.identifier[1].value"]),
    ("cc-bad-sor.json", &["dk-sor-format Bundle.entry[3].resource.identifier[0].value"]),
    ("hn-admit-valid.json", &[]),
    ("hn-discharge-valid.json", &[]),
    ("hn-admit-wrong-class.json", &["medcom-hn-state Bundle.entry[2].resource.class.code"]),
    ("hn-admit-wrong-class.xml", &["medcom-hn-state Bundle.entry[2].resource.class.code"]),
    ("hn-deceased-in-progress.json", &["medcom-hn-state Bundle.entry[2].resource.status", "medcom-hn-state Bundle.entry[2].resource.period"]),
    ("hn-cancel-with-revision.json", &["medcom-provenance-entity Bundle.entry[5].resource.activity.coding[0].code"]),
    ("ack-ok-valid.json", &[]),
    ("ack-ok-valid.xml", &[]),
    ("ack-error-without-outcome.json", &["medcom-ack-pairing Bundle.entry[0].resource.response.code"]),
    ("ack-wrong-response-id.json", &["medcom-ack-pairing Bundle.entry[4].resource.entity[0].what.reference", "medcom-ack-pairing Bundle.entry[3].resource.target[0].reference"]),
];

fn read(file: &str) -> String {
    let path = format!("{}/fixtures/validate/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn describe(f: &Finding) -> String {
    format!("{} {}", f.code(), f.location())
}

#[test]
fn fixtures() {
    let validator = Validator::rules_only();
    let lenient = ReadOptions::default().with_mode(Mode::Lenient);
    for &(file, want) in CASES {
        let text = read(file);
        let doc =
            medcom::parse_with_options(&text, &lenient).unwrap_or_else(|e| panic!("{file}: {e}"));
        let report = validator.report(&doc);
        let got: Vec<String> = report.findings().iter().map(describe).collect();
        assert_eq!(got, want, "{file}");
        // Every finding carries a source position.
        assert!(
            report
                .findings()
                .iter()
                .all(|f| f.position().is_some_and(|p| p.line > 0)),
            "{file}"
        );
        // The four entry points agree.
        let errors: Vec<Finding> = validator.iter_errors(&doc).collect();
        let expected: Vec<Finding> = report.with_severity(Severity::Error).cloned().collect();
        assert_eq!(errors, expected, "{file}");
        assert_eq!(validator.is_valid(&doc), errors.is_empty(), "{file}");
        assert_eq!(
            validator.validate(&doc).err(),
            errors.first().cloned(),
            "{file}"
        );
        assert_eq!(report.is_valid(), errors.is_empty(), "{file}");
    }
}

/// The XML and JSON forms of a message give the same codes at the same locations (the reader's
/// own `fhir-read` locations aside).
#[test]
fn xml_and_json_agree() {
    let validator = Validator::rules_only();
    let lenient = ReadOptions::default().with_mode(Mode::Lenient);
    for &(file, _) in CASES.iter().filter(|(f, _)| f.ends_with(".xml")) {
        let json_file = file.replace(".xml", ".json");
        let [a, b] = [file, json_file.as_str()].map(|f| {
            let text = read(f);
            let doc =
                medcom::parse_with_options(&text, &lenient).unwrap_or_else(|e| panic!("{f}: {e}"));
            validator
                .report(&doc)
                .findings()
                .iter()
                .filter(|f| f.code() != "fhir-read")
                .map(describe)
                .collect::<Vec<_>>()
        });
        assert_eq!(a, b, "{file}");
    }
}
