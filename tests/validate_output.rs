//! Validation output: masked renderings never show CPR numbers or names, unmasked ones show
//! the offending values; the OperationOutcome reads back strictly in XML and JSON with the
//! same content; the four entry points agree over the official examples.

mod common;

use medcom::finding::Severity;
use medcom::model::same_content;
use medcom::validate::{Report, Validator};
use medcom::Document;

/// CPR numbers and name parts of every Patient in the message.
fn secrets(doc: &Document<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![doc.root()];
    while let Some(n) = stack.pop() {
        stack.extend(n.children());
        if n.ty().name() == "Identifier"
            && n.child_value("system") == Some("urn:oid:1.2.208.176.1.2")
        {
            out.extend(n.child_value("value").map(str::to_owned));
        }
        if n.ty().name() == "HumanName" {
            for part in n
                .children()
                .filter(|c| matches!(c.name(), "family" | "given" | "text"))
            {
                out.extend(part.value().map(str::to_owned));
            }
        }
    }
    out
}

fn renderings(report: &Report) -> Vec<String> {
    let outcome = report.to_operation_outcome();
    vec![
        report.to_text("f"),
        medcom::json::to_string(&outcome),
        medcom::xml::to_string(&outcome),
    ]
}

fn check_masking(name: &str, doc: &Document<'_>) -> bool {
    let masked = Validator::rules_only().report(doc);
    for text in renderings(&masked) {
        for secret in secrets(doc) {
            assert!(
                !text.contains(&secret),
                "{name}: masked output shows patient data"
            );
        }
    }
    // Unmasked output shows every value a finding holds.
    let unmasked = Validator::options()
        .with_profiles(std::sync::Arc::new(medcom::validate::NoProfiles))
        .should_unmask(true)
        .build()
        .report(doc);
    let values: Vec<&str> = unmasked
        .findings()
        .iter()
        .filter_map(|f| f.value())
        .collect();
    for text in renderings(&unmasked) {
        for v in &values {
            assert!(text.contains(v), "{name}: unmasked output lacks a value");
        }
    }
    values.iter().any(|v| secrets(doc).iter().any(|s| s == v))
}

fn check_outcome(name: &str, report: &Report) {
    let outcome = report.to_operation_outcome();
    let xml = medcom::xml::to_string(&outcome);
    let json = medcom::json::to_string(&outcome);
    let from_xml = medcom::xml::parse(&xml).unwrap_or_else(|e| panic!("{name}: {e}\n{xml}"));
    let from_json = medcom::json::parse(&json).unwrap_or_else(|e| panic!("{name}: {e}\n{json}"));
    assert!(
        same_content(outcome.root(), from_xml.root()),
        "{name}: XML differs"
    );
    assert!(
        same_content(outcome.root(), from_json.root()),
        "{name}: JSON differs"
    );
    let issues = outcome.root().children_named("issue").count();
    assert_eq!(issues, report.findings().len().max(1), "{name}");
}

#[test]
fn fixtures_mask_and_outcomes_read_back() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/validate");
    let mut shown = false;
    for entry in std::fs::read_dir(dir).expect("fixtures/validate") {
        let path = entry.expect("entry").path();
        let name = path.display().to_string();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let options = medcom::ReadOptions::default().with_mode(medcom::Mode::Lenient);
        let Ok(doc) = medcom::parse_with_options(&text, &options) else {
            continue;
        };
        shown |= check_masking(&name, &doc);
        check_outcome(&name, &Validator::rules_only().report(&doc));
    }
    assert!(
        shown,
        "no fixture holds a finding on a CPR number, so masking went untested"
    );
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn official_examples_mask_agree_and_outcomes_read_back() {
    let Some(shared) = common::shared() else {
        return;
    };
    let validator = Validator::rules_only();
    let mut checked = 0;
    let mut cpr_values = 0;
    for example in common::examples(&shared).iter().filter(|e| e.is_fhir()) {
        let text = common::read(&example.path);
        let Ok(doc) = medcom::parse(&text) else {
            continue;
        };
        if check_masking(&example.file, &doc) {
            cpr_values += 1;
        }
        let report = validator.report(&doc);
        check_outcome(&example.file, &report);
        let errors: Vec<_> = validator.iter_errors(&doc).collect();
        let expected: Vec<_> = report.with_severity(Severity::Error).cloned().collect();
        assert_eq!(errors, expected, "{}", example.file);
        assert_eq!(
            validator.is_valid(&doc),
            errors.is_empty(),
            "{}",
            example.file
        );
        assert_eq!(
            validator.validate(&doc).err(),
            errors.first().cloned(),
            "{}",
            example.file
        );
        checked += 1;
    }
    println!("{checked} examples; {cpr_values} with a CPR number in a finding's value, masked");
    assert!(checked > 700 && cpr_values > 0);
}
