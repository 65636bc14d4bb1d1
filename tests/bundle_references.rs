//! References inside document and message Bundles that are not MedCom messages: what the
//! Composition and the MessageHeader name must be in the Bundle, and every entry must be
//! reachable from the first. One line per case: the Bundle, its edits, the findings of these
//! codes expected (code, severity, location).

mod common;

use medcom::finding::Severity;
use medcom::profile::Engine;

const CODES: &[&str] = &["fhir-reference-unresolved", "fhir-bundle-orphan"];

const DOCUMENT: &str = r#"{"resourceType":"Bundle","id":"doc",
 "identifier":{"system":"urn:ietf:rfc:3986","value":"urn:uuid:0a6f3c1e-1b2d-4c5e-8f90-1a2b3c4d5e6f"},
 "type":"document","timestamp":"2026-01-05T10:00:00+01:00",
 "entry":[
  {"fullUrl":"urn:uuid:1c0e7d4a-5b6f-4a3e-9d2c-7b8a9c0d1e2f","resource":{"resourceType":"Composition","id":"c",
    "status":"final","type":{"text":"Discharge note"},"date":"2026-01-05",
    "subject":{"reference":"urn:uuid:2d1f8e5b-6c7a-4b4f-8e3d-8c9bad0e1f30"},
    "author":[{"reference":"urn:uuid:3e2a9f6c-7d8b-4c5a-9f4e-9dacbe1f2041"}],"title":"Discharge note",
    "section":[{"title":"Findings","entry":[{"reference":"urn:uuid:4f3bad7d-8e9c-4d6b-8a5f-aebdcf203152"}]}]}},
  {"fullUrl":"urn:uuid:2d1f8e5b-6c7a-4b4f-8e3d-8c9bad0e1f30","resource":{"resourceType":"Patient","id":"p"}},
  {"fullUrl":"urn:uuid:3e2a9f6c-7d8b-4c5a-9f4e-9dacbe1f2041","resource":{"resourceType":"Practitioner","id":"pr"}},
  {"fullUrl":"urn:uuid:4f3bad7d-8e9c-4d6b-8a5f-aebdcf203152","resource":{"resourceType":"Observation","id":"o",
    "status":"final","code":{"text":"Pulse"},"subject":{"reference":"urn:uuid:2d1f8e5b-6c7a-4b4f-8e3d-8c9bad0e1f30"}}}]}"#;

const MESSAGE: &str = r#"{"resourceType":"Bundle","id":"msg","type":"message","timestamp":"2026-01-05T10:00:00+01:00",
 "entry":[
  {"fullUrl":"https://example.org/fhir/MessageHeader/h","resource":{"resourceType":"MessageHeader","id":"h",
    "eventCoding":{"system":"http://example.org/events","code":"admit"},
    "source":{"endpoint":"https://example.org/sender"},
    "focus":[{"reference":"Encounter/e"}]}},
  {"fullUrl":"https://example.org/fhir/Encounter/e","resource":{"resourceType":"Encounter","id":"e",
    "status":"in-progress","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},
    "subject":{"reference":"Patient/p"}}},
  {"fullUrl":"https://example.org/fhir/Patient/p","resource":{"resourceType":"Patient","id":"p"}},
  {"fullUrl":"https://example.org/fhir/Provenance/v","resource":{"resourceType":"Provenance","id":"v",
    "target":[{"reference":"MessageHeader/h"}],"recorded":"2026-01-05T10:00:00+01:00",
    "agent":[{"who":{"display":"Ward 7"}}]}}]}"#;

const UNRESOLVED: &str = "fhir-reference-unresolved";
const ORPHAN: &str = "fhir-bundle-orphan";
const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;

#[allow(clippy::type_complexity)]
const CASES: &[(&str, &str, &[&str], &[(&str, Severity, &str)])] = &[
    ("document as it is", DOCUMENT, &[], &[]),
    ("document: subject not bundled", DOCUMENT,
        &["entry[0].resource.subject={\"reference\":\"urn:uuid:9a9a9a9a-0000-4000-8000-000000000001\"}"],
        &[(UNRESOLVED, E, "Bundle.entry[0].resource.subject.reference")]),
    ("document: author missing", DOCUMENT, &["-entry[2]"],
        &[(UNRESOLVED, E, "Bundle.entry[0].resource.author[0].reference")]),
    ("document: section entry missing", DOCUMENT, &["-entry[3]"],
        &[(UNRESOLVED, E, "Bundle.entry[0].resource.section[0].entry[0].reference")]),
    ("document: nested section entry missing", DOCUMENT,
        &["entry[0].resource.section[0].section=[{\"title\":\"Sub\",\"entry\":[{\"reference\":\"Observation/none\"}]}]"],
        &[(UNRESOLVED, E, "Bundle.entry[0].resource.section[0].section[0].entry[0].reference")]),
    ("document: encounter outside, RESTful", DOCUMENT,
        &["entry[0].resource.encounter={\"reference\":\"https://example.org/fhir/Encounter/e1\"}"],
        &[(UNRESOLVED, E, "Bundle.entry[0].resource.encounter.reference")]),
    ("document: attester party missing", DOCUMENT,
        &["entry[0].resource.attester=[{\"mode\":\"legal\",\"party\":{\"reference\":\"Practitioner/gone\"}}]"],
        &[(UNRESOLVED, E, "Bundle.entry[0].resource.attester[0].party.reference")]),
    ("document: display only", DOCUMENT,
        &["entry[0].resource.custodian={\"display\":\"Ward 7\"}"], &[]),
    ("document: a canonical resource by URL", DOCUMENT,
        &["entry[0].resource.section[0].focus={\"reference\":\"http://example.org/fhir/Questionnaire/q\"}"], &[]),
    ("document: a reference naming no resource type", DOCUMENT,
        &["entry[0].resource.custodian={\"reference\":\"Ward/7\"}"], &[]),
    ("document: an entry nothing links", DOCUMENT,
        &["entry[4]={\"fullUrl\":\"urn:uuid:5a4cbe8e-9fad-4e7c-9b60-bfcee0314263\",\"resource\":{\"resourceType\":\"Patient\",\"id\":\"stray\"}}"],
        &[(ORPHAN, E, "Bundle.entry[4]")]),
    ("document: an entry that links back", DOCUMENT,
        &["entry[4]={\"fullUrl\":\"urn:uuid:5a4cbe8e-9fad-4e7c-9b60-bfcee0314263\",\"resource\":{\"resourceType\":\"Provenance\",\"id\":\"pv\",\"target\":[{\"reference\":\"urn:uuid:4f3bad7d-8e9c-4d6b-8a5f-aebdcf203152\"}],\"recorded\":\"2026-01-05T10:00:00+01:00\",\"agent\":[{\"who\":{\"display\":\"Ward 7\"}}]}}"],
        &[]),
    ("message as it is", MESSAGE, &[], &[]),
    ("message: focus missing", MESSAGE,
        &["entry[0].resource.focus[0]={\"reference\":\"Encounter/other\"}"],
        &[(UNRESOLVED, E, "Bundle.entry[0].resource.focus[0].reference"), (ORPHAN, W, "Bundle.entry[1]"), (ORPHAN, W, "Bundle.entry[2]")]),
    ("message: patient not linked", MESSAGE, &["-entry[1].resource.subject"],
        &[(ORPHAN, W, "Bundle.entry[2]")]),
    ("message: a reference outside the message is only a hint", MESSAGE,
        &["entry[1].resource.serviceProvider={\"reference\":\"Organization/elsewhere\"}"], &[]),
];

#[test]
fn references_inside_documents_and_messages() {
    let engine = Engine::embedded().expect("built-in rules");
    let mut failures = Vec::new();
    for (name, bundle, edits, want) in CASES {
        let mut json: serde_json::Value = serde_json::from_str(bundle).expect("JSON");
        for e in *edits {
            common::json_edit::edit(&mut json, e).expect(name);
        }
        let text = json.to_string();
        let doc = medcom::parse(&text).expect(name);
        let mut found = Vec::new();
        engine.check(&doc, &mut found);
        let mut got: Vec<(String, Severity, String)> = found
            .iter()
            .filter(|f| CODES.contains(&f.code()))
            .map(|f| (f.code().to_owned(), f.severity(), f.location().to_owned()))
            .collect();
        let mut want: Vec<(String, Severity, String)> = want
            .iter()
            .map(|(c, s, l)| ((*c).to_owned(), *s, (*l).to_owned()))
            .collect();
        got.sort();
        want.sort();
        if got != want {
            failures.push(format!("{name}:\n  want {want:?}\n  got  {got:?}"));
        }
        if want.is_empty() {
            let errors: Vec<String> = found
                .iter()
                .filter(|f| f.severity() == Severity::Error)
                .map(|f| format!("{} {} {}", f.code(), f.location(), f.message()))
                .collect();
            if !errors.is_empty() {
                failures.push(format!("{name}: not clean: {errors:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A message of many entries in a chain of references: resolution and reachability stay
/// linear (a quadratic walk would take minutes here, and the test would time out in CI).
#[test]
fn a_long_chain_of_entries_is_checked() {
    let n = 20_000;
    let mut entries = vec![format!(
        r#"{{"fullUrl":"urn:uuid:00000000-0000-4000-8000-{:012}","resource":{{"resourceType":"MessageHeader","id":"h","eventCoding":{{"system":"http://example.org/events","code":"list"}},"source":{{"endpoint":"https://example.org/sender"}},"focus":[{{"reference":"urn:uuid:00000000-0000-4000-8000-{:012}"}}]}}}}"#,
        0, 1
    )];
    for i in 1..n {
        // Each Basic after the first points at the one before: all but the first are reached
        // by following references backwards, one entry further each time.
        let subject = if i > 1 {
            let link = i - 1;
            format!(r#","subject":{{"reference":"urn:uuid:00000000-0000-4000-8000-{link:012}"}}"#)
        } else {
            String::new()
        };
        entries.push(format!(
            r#"{{"fullUrl":"urn:uuid:00000000-0000-4000-8000-{i:012}","resource":{{"resourceType":"Basic","id":"b{i}","code":{{"text":"x"}}{subject}}}}}"#
        ));
    }
    let text = format!(
        r#"{{"resourceType":"Bundle","id":"m","type":"message","timestamp":"2026-01-05T10:00:00+01:00","entry":[{}]}}"#,
        entries.join(",")
    );
    let options = medcom::ReadOptions::default()
        .with_max_input_bytes(64 << 20)
        .with_max_nodes(10_000_000);
    let doc = medcom::parse_with_options(&text, &options).expect("reads");
    let mut found = Vec::new();
    Engine::embedded().expect("rules").check(&doc, &mut found);
    let orphans = found.iter().filter(|f| f.code() == ORPHAN).count();
    assert_eq!(orphans, 0, "every entry is linked");
}
