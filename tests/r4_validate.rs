//! The HL7 FHIR R4 examples package (`../shared/corpora/hl7.fhir.r4.examples-4.0.1.tgz`, read in
//! place) validated as any resource: at most 1% of the examples have errors, and each of those is
//! listed in `tests/r4_validate_expected.tsv` with the error it has and why (the official
//! validator reports errors on them too, or the example breaks an R4 rule). Every invariant
//! evaluates on every example, and XML gives the same findings as JSON.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use medcom::validate::Validator;

/// `(file name, JSON text)` of every example resource.
fn examples() -> Option<&'static [(String, String)]> {
    static ALL: OnceLock<Vec<(String, String)>> = OnceLock::new();
    let shared = common::shared()?;
    Some(ALL.get_or_init(|| common::r4_examples(&shared)))
}

/// The expectations: file → (error codes, reason).
fn expected() -> BTreeMap<String, (BTreeSet<String>, String)> {
    let text = include_str!("r4_validate_expected.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.splitn(3, '\t');
            let file = parts.next().unwrap_or("").to_owned();
            let codes = parts
                .next()
                .unwrap_or("")
                .split(',')
                .map(str::to_owned)
                .collect();
            let reason = parts.next().unwrap_or("").to_owned();
            assert!(!reason.is_empty(), "{file}: no reason given");
            (file, (codes, reason))
        })
        .collect()
}

fn validator() -> Validator {
    Validator::options().should_unmask(true).build()
}

#[test]
fn r4_examples_validate_as_the_official_validator_does() {
    let Some(all) = examples() else {
        return;
    };
    let expected = expected();
    let validator = validator();
    let mut problems = Vec::new();
    let mut with_errors = 0;
    let mut dump = String::new();
    for (name, text) in all {
        let (codes, described): (BTreeSet<String>, Vec<String>) = match medcom::parse(text) {
            // The strict reader's refusals are errors too (tests/r4_examples.rs says why).
            Err(e) => (
                BTreeSet::from(["read".to_owned()]),
                vec![format!("read: {e}")],
            ),
            Ok(doc) => {
                let report = validator.report(&doc);
                let errors: Vec<&medcom::finding::Finding> = report
                    .findings()
                    .iter()
                    .filter(|f| f.severity() == medcom::finding::Severity::Error)
                    .collect();
                (
                    errors.iter().map(|f| f.code().to_owned()).collect(),
                    errors
                        .iter()
                        .map(|f| format!("{} at {}: {}", f.code(), f.location(), f.message()))
                        .collect(),
                )
            }
        };
        for d in &described {
            dump.push_str(&format!("{name}\t{d}\n"));
        }
        if !codes.is_empty() {
            with_errors += 1;
        }
        match expected.get(name) {
            None if !codes.is_empty() => problems.push(format!(
                "{name}: unexpected errors: {}",
                described.join("; ")
            )),
            Some(_) if codes.is_empty() => {
                problems.push(format!("{name}: listed as having errors but has none"));
            }
            Some((want, _)) if *want != codes => {
                problems.push(format!("{name}: listed with {want:?}, has {codes:?}"))
            }
            _ => {}
        }
    }
    if let Some(path) = std::env::var_os("MEDCOM_R4_DUMP") {
        std::fs::write(path, dump).expect("dump");
    }
    println!(
        "R4 examples: {} files, {with_errors} with errors ({} listed)",
        all.len(),
        expected.len()
    );
    assert!(all.len() >= 5000, "only {} files", all.len());
    assert!(
        with_errors * 100 <= all.len(),
        "{with_errors} of {} examples have errors (more than 1%)",
        all.len()
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// No invariant fails to compile or to evaluate on any example: each one holds the example to
/// it (a warning "could not be evaluated" would let anything through).
#[test]
fn every_invariant_evaluates_on_every_r4_example() {
    let Some(all) = examples() else {
        return;
    };
    let validator = validator();
    let mut problems = BTreeMap::new();
    for (name, text) in all {
        let Ok(doc) = medcom::parse(text) else {
            continue;
        };
        for f in validator.report(&doc).findings() {
            if matches!(
                f.code(),
                "fhir-invariant-error" | "fhir-invariant-unsupported"
            ) {
                problems
                    .entry(f.message().to_owned())
                    .or_insert_with(|| format!("{name} at {}", f.location()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} invariants do not evaluate:\n{}",
        problems.len(),
        problems
            .iter()
            .map(|(m, w)| format!("{m} ({w})"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// One line per case: a resource, and the error findings it gets (`code key-or-location`).
#[test]
fn any_resource_cases() {
    let cases: &[(&str, &[&str])] = &[
        (r#"{"resourceType":"Patient","active":true}"#, &[]),
        (
            r#"{"resourceType":"Patient","gender":"yes"}"#,
            &["fhir-binding"],
        ),
        (
            r#"{"resourceType":"Patient","modifierExtension":[{"url":"http://example.org/x","valueBoolean":true}]}"#,
            &["fhir-modifier-extension-unknown"],
        ),
        (
            r#"{"resourceType":"Patient","extension":[{"url":"http://example.org/x","valueBoolean":true}]}"#,
            &[],
        ),
        (
            r##"{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o","name":"x"}]}"##,
            &["fhir-invariant dom-3"],
        ),
        (
            r##"{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o","name":"x"}],"managingOrganization":{"reference":"#o"}}"##,
            &[],
        ),
        (
            r##"{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o","name":"x","active":"x"}],"managingOrganization":{"reference":"#o"}}"##,
            &["fhir-read"],
        ),
        (
            r##"{"resourceType":"Patient","contained":[{"resourceType":"Organization","id":"o","name":"x","telecom":[{"value":"1"}]}],"managingOrganization":{"reference":"#o"}}"##,
            &["fhir-invariant cpt-2"],
        ),
        (
            r#"{"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},"period":{"start":"2020-01-02","end":"2020-01-01"}}"#,
            &["fhir-invariant per-1"],
        ),
        (
            r#"{"resourceType":"Bundle","type":"message"}"#,
            &["fhir-message-unknown", "medcom-header-first"],
        ),
        (
            r#"{"resourceType":"Bundle","type":"message","entry":[{"fullUrl":"urn:uuid:1b0c4b5e-7c55-4f3e-8b0b-0d3bb0b0b0b0","resource":{"resourceType":"MessageHeader","eventCoding":{"system":"http://example.org/events","code":"x"},"source":{"endpoint":"http://example.org"}}}]}"#,
            &[],
        ),
        (
            r#"{"resourceType":"Bundle","type":"searchset","total":1}"#,
            &[],
        ),
        (
            r#"{"resourceType":"Media","status":"completed","content":{"contentType":"text/plain","data":"TWFu","size":3,"hash":"i3C7Ok1FjPKXq3s6Owe2O1ygfek="}}"#,
            &[],
        ),
        (
            r#"{"resourceType":"Media","status":"completed","content":{"contentType":"text/plain","data":"TWFu","size":4,"hash":"AAAAAAAAAAAAAAAAAAAAAAAAAAA="}}"#,
            &["fhir-attachment-size", "fhir-attachment-hash"],
        ),
        (
            r#"{"resourceType":"Bundle","type":"document"}"#,
            &["fhir-invariant bdl-9", "fhir-invariant bdl-10"],
        ),
        (
            r#"{"resourceType":"Observation","meta":{"profile":["http://hl7.org/fhir/StructureDefinition/heartrate"]},"status":"final","code":{"text":"x"}}"#,
            &[
                "fhir-cardinality-min",
                "fhir-invariant vs-2",
                "fhir-slice-cardinality",
            ],
        ),
    ];
    let validator = validator();
    let options = medcom::ReadOptions::default().with_mode(medcom::Mode::Lenient);
    let mut problems = Vec::new();
    for (text, want) in cases {
        let doc = medcom::parse_with_options(text, &options).expect("reads");
        let report = validator.report(&doc);
        let got: BTreeSet<String> = report
            .findings()
            .iter()
            .filter(|f| f.severity() == medcom::finding::Severity::Error)
            .map(|f| {
                if f.code() == "fhir-invariant" {
                    format!(
                        "fhir-invariant {}",
                        f.message().split(':').next().unwrap_or("")
                    )
                } else {
                    f.code().to_owned()
                }
            })
            .collect();
        let want: BTreeSet<String> = want.iter().map(|s| (*s).to_owned()).collect();
        if got != want {
            problems.push(format!("{text}\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// XML gives the same findings as JSON (code, severity, location and message): each example is
/// written as XML, read back and validated again.
#[test]
fn r4_examples_give_the_same_findings_in_xml() {
    let Some(all) = examples() else {
        return;
    };
    let validator = validator();
    let mut problems = Vec::new();
    for (name, text) in all {
        let Ok(doc) = medcom::parse(text) else {
            continue;
        };
        let xml = medcom::xml::to_string(&doc);
        let Ok(back) = medcom::parse(&xml) else {
            problems.push(format!("{name}: the written XML does not read"));
            continue;
        };
        let key = |d: &medcom::Document<'_>| -> Vec<String> {
            let mut v: Vec<String> = validator
                .report(d)
                .findings()
                .iter()
                .map(|f| {
                    format!(
                        "{} {:?} {} {}",
                        f.code(),
                        f.severity(),
                        f.location(),
                        f.message()
                    )
                })
                .collect();
            v.sort();
            v
        };
        let (a, b) = (key(&doc), key(&back));
        if a != b {
            let only_json: Vec<&String> = a.iter().filter(|x| !b.contains(x)).collect();
            let only_xml: Vec<&String> = b.iter().filter(|x| !a.contains(x)).collect();
            problems.push(format!(
                "{name}: JSON only {only_json:?}, XML only {only_xml:?}"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} examples differ:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// A known extension outside the contexts its definition allows: a `fhir-extension-context`
/// warning (where it belongs: none).
#[test]
fn extension_context_is_checked() {
    let validator = validator();
    let birth_place = r#""extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthPlace","valueAddress":{"city":"Aarhus"}}]"#;
    for (text, warned) in [
        (
            format!(r#"{{"resourceType":"Patient",{birth_place}}}"#),
            false,
        ),
        (
            format!(
                r#"{{"resourceType":"Observation","status":"final","code":{{"text":"x"}},{birth_place}}}"#
            ),
            true,
        ),
    ] {
        let doc = medcom::parse(&text).expect("reads");
        let report = validator.report(&doc);
        let found = report
            .findings()
            .iter()
            .any(|f| f.code() == "fhir-extension-context");
        assert_eq!(found, warned, "{text}: {:?}", report.findings());
    }
}
