//! Invariants as FHIRPath: every R4 core invariant and every invariant of the MedCom material
//! (`medcom/fhir/invariants.tsv`) parses, and each MedCom invariant holds on an input written
//! for it and fails on another (unless it cannot fail at all; those are listed with the
//! reason, in [`CANNOT_FAIL`]). Cases are one line each in [`CASES`]: key, element and the
//! start of the expression (several versions of one invariant differ), whether it must hold,
//! the input and the FHIRPath of the context element.
//!
//! Inputs are short: `id:TEXT` is a Patient with one identifier whose value is TEXT (context
//! `Patient.identifier.value` unless given), `bundle:[...]` wraps the resources in a message
//! Bundle with `https://medcomfhir.dk/ig/test/<Type>/<id>` fullUrls, anything else is a
//! resource in JSON. The hooks of the test say a resource conforms to the profiles its
//! `meta.profile` names, and know two activity value sets.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use medcom::fhirpath::{EvalContext, Expression, HookError, Hooks, Item};
use medcom::model::Node;

/// One row of `invariants.tsv`: key, element, expression.
struct Row {
    key: String,
    element: String,
    expression: String,
}

fn rows(shared: &Path) -> Vec<Row> {
    let text = common::read(&shared.join("medcom/fhir/invariants.tsv"));
    let mut seen = BTreeSet::new();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let row = Row {
                key: f[4].to_owned(),
                element: f[3].to_owned(),
                expression: f[7].to_owned(),
            };
            seen.insert((row.key.clone(), row.element.clone(), row.expression.clone()))
                .then_some(row)
        })
        .collect()
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn every_medcom_invariant_parses() {
    let Some(shared) = common::shared() else {
        return;
    };
    let rows = rows(&shared);
    assert!(rows.len() > 50);
    for r in &rows {
        if let Err(e) = Expression::parse(&r.expression) {
            panic!("{} ({}): {e}\n{}", r.key, r.element, r.expression);
        }
    }
}

/// Every `constraint.expression` of every StructureDefinition in the R4 core package.
#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn every_r4_core_invariant_parses() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = shared.join("medcom/fhir/packages/hl7.fhir.r4.core#4.0.1/package");
    let mut expressions = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("R4 core package") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !name.starts_with("StructureDefinition-") || !name.ends_with(".json") {
            continue;
        }
        let json: serde_json::Value =
            serde_json::from_str(&common::read(&path)).expect("StructureDefinition JSON");
        for part in ["snapshot", "differential"] {
            let elements = json[part]["element"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for e in elements {
                for c in e["constraint"].as_array().cloned().unwrap_or_default() {
                    if let Some(x) = c["expression"].as_str() {
                        expressions.insert(x.to_owned());
                    }
                }
            }
        }
    }
    assert!(expressions.len() > 150, "found {}", expressions.len());
    let failures: Vec<String> = expressions
        .iter()
        .filter_map(|x| Expression::parse(x).err().map(|e| format!("{e}: {x}")))
        .collect();
    println!(
        "R4 core invariants: {} distinct expressions parse",
        expressions.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Invariants that cannot fail, with the reason.
const CANNOT_FAIL: &[(&str, &str, &str, &str)] = &[
    ("CVR-length", "Identifier.value", "value.", "on Identifier.value, `value` selects nothing"),
    ("CVR-modulus-11", "Identifier.value", "((     (value.", "on Identifier.value, `value` selects nothing, so the sum is empty"),
    ("cpr", "Identifier.value", "value.", "on Identifier.value, `value` selects nothing"),
    ("d-ecpr", "Identifier.value", "value.", "on Identifier.value, `value` selects nothing"),
    ("x-ecpr", "Identifier.value", "value.", "on Identifier.value, `value` selects nothing"),
    ("gln-length", "Identifier.value", "value.", "on Identifier.value, `value` selects nothing"),
    ("gln-modulus-10", "Identifier.value", "(( (10-((value.", "on Identifier.value, `value` selects nothing, so the sum is empty"),
    ("medcom-uuidv4", "Identifier.value", "value.", "on Identifier.value, `value` selects nothing"),
    ("uuid", "Identifier.value", "value.", "on Identifier.value, `value` selects nothing"),
    ("uuidv5", "Identifier.value", "value.", "on Identifier.value, `value` selects nothing"),
    ("medcom-hospitalNotification-1", "Bundle", "", "`entry.ofType(MessageHeader)`: an entry is a BackboneElement, never a MessageHeader"),
    ("medcom-hospitalNotification-3", "Bundle", "", "`entry.ofType(Provenance)`: an entry is a BackboneElement, never a Provenance"),
    ("medcom-messaging-1", "Bundle", "entry.ofType", "`entry.ofType(MessageHeader)`: an entry is a BackboneElement, never a MessageHeader"),
    ("medcom-messaging-3", "Bundle", "", "`entry.ofType(Provenance)`: an entry is a BackboneElement, never a Provenance"),
    ("medcom-careCommunication-11", "Bundle", "", "a PractitionerRole has no managingOrganization and a CareTeam no organization, so one comparison is always empty and the disjunction is never false (even with a mismatching sender, as the case shows)"),
    ("medcom-careCommunication-12", "Bundle", "", "as medcom-careCommunication-11, for the recipient"),
];

/// key, element, expression start, holds, input, context.
const CASES: &[(&str, &str, &str, bool, &str, &str)] = &[
    (
        "CVR-length",
        "Identifier.value",
        "matches",
        true,
        "id:12345678",
        "",
    ),
    (
        "CVR-length",
        "Identifier.value",
        "matches",
        false,
        "id:1234567",
        "",
    ),
    ("CVR-length", "Identifier.value", "value.", true, "id:x", ""),
    (
        "CVR-modulus-11",
        "Identifier.value",
        "((     (substring",
        true,
        "id:10000009",
        "",
    ),
    (
        "CVR-modulus-11",
        "Identifier.value",
        "((     (substring",
        false,
        "id:10000008",
        "",
    ),
    (
        "CVR-modulus-11",
        "Identifier.value",
        "((     (value.",
        true,
        "id:10000008",
        "",
    ),
    (
        "NoSpacesRule",
        "MessageDefinition.name",
        "",
        true,
        r#"{"resourceType":"MessageDefinition","name":"MedComCC"}"#,
        "MessageDefinition.name",
    ),
    (
        "NoSpacesRule",
        "MessageDefinition.name",
        "",
        false,
        r#"{"resourceType":"MessageDefinition","name":"MedCom CC"}"#,
        "MessageDefinition.name",
    ),
    (
        "authorization-id-format",
        "Identifier.value",
        "",
        true,
        "id:0C8D2",
        "",
    ),
    (
        "authorization-id-format",
        "Identifier.value",
        "",
        false,
        "id:0A8D2",
        "",
    ),
    (
        "cpr",
        "Identifier.value",
        "matches",
        true,
        "id:0101701234",
        "",
    ),
    (
        "cpr",
        "Identifier.value",
        "matches",
        false,
        "id:3202701234",
        "",
    ),
    ("cpr", "Identifier.value", "value.", true, "id:x", ""),
    ("d-ecpr", "Identifier.value", "value.", true, "id:x", ""),
    ("x-ecpr", "Identifier.value", "value.", true, "id:x", ""),
    (
        "dk-core-observation-mandatory-units",
        "Observation",
        "",
        true,
        r#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.5,"unit":"kg"}}"#,
        "Observation",
    ),
    (
        "dk-core-observation-mandatory-units",
        "Observation",
        "",
        false,
        r#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.5}}"#,
        "Observation",
    ),
    (
        "dk-core-organization-mandatory-identifier",
        "Organization",
        "",
        true,
        r#"{"resourceType":"Organization","identifier":[{"system":"urn:oid:1.2.208.176.1.1","value":"123456789012"}]}"#,
        "Organization",
    ),
    (
        "dk-core-organization-mandatory-identifier",
        "Organization",
        "",
        false,
        r#"{"resourceType":"Organization","identifier":[{"system":"https://www.gs1.org/gln","value":"5790000123452"}]}"#,
        "Organization",
    ),
    (
        "gln-length",
        "Identifier.value",
        "matches",
        true,
        "id:5790000123452",
        "",
    ),
    (
        "gln-length",
        "Identifier.value",
        "matches",
        false,
        "id:579000012345",
        "",
    ),
    ("gln-length", "Identifier.value", "value.", true, "id:x", ""),
    (
        "gln-modulus-10",
        "Identifier.value",
        "(( (10-((substring",
        true,
        "id:5790000123452",
        "",
    ),
    (
        "gln-modulus-10",
        "Identifier.value",
        "(( (10-((substring",
        false,
        "id:5790000123453",
        "",
    ),
    (
        "gln-modulus-10",
        "Identifier.value",
        "(( (10-((value.",
        true,
        "id:5790000123453",
        "",
    ),
    (
        "marital-status-unknown-usage",
        "Patient",
        "",
        true,
        r#"{"resourceType":"Patient"}"#,
        "Patient",
    ),
    (
        "marital-status-unknown-usage",
        "Patient",
        "",
        false,
        r#"{"resourceType":"Patient","maritalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-MaritalStatus","code":"P"},{"system":"http://terminology.hl7.org/CodeSystem/v3-MaritalStatus","code":"A"}]}}"#,
        "Patient",
    ),
    (
        "medcom-acknowledgement-1",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","eventCoding":{"code":"acknowledgement-message"},"source":{"endpoint":"x"},"response":{"identifier":"a","code":"ok"}}]"#,
        "Bundle",
    ),
    (
        "medcom-acknowledgement-1",
        "Bundle",
        "",
        false,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","eventCoding":{"code":"acknowledgement-message"},"source":{"endpoint":"x"},"response":{"identifier":"a","code":"fatal-error"}}]"#,
        "Bundle",
    ),
    (
        "medcom-acknowledgement-1",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","eventCoding":{"code":"acknowledgement-message"},"source":{"endpoint":"x"},"response":{"identifier":"a","code":"fatal-error"}},{"resourceType":"OperationOutcome","id":"oo","issue":[{"severity":"error","code":"invalid"}]}]"#,
        "Bundle",
    ),
    (
        "medcom-acknowledgement-2",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","meta":{"profile":["http://medcomfhir.dk/ig/acknowledgement/StructureDefinition/medcom-messaging-acknowledgementHeader"]},"eventCoding":{"code":"acknowledgement-message"},"source":{"endpoint":"x"}}]"#,
        "Bundle",
    ),
    (
        "medcom-acknowledgement-2",
        "Bundle",
        "",
        false,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","eventCoding":{"code":"acknowledgement-message"},"source":{"endpoint":"x"}}]"#,
        "Bundle",
    ),
    (
        "medcom-careCommunication-1",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","meta":{"profile":["http://medcomfhir.dk/ig/carecommunication/StructureDefinition/medcom-careCommunication-messageHeader"]},"eventCoding":{"code":"care-communication-message"},"source":{"endpoint":"x"}}]"#,
        "Bundle",
    ),
    (
        "medcom-careCommunication-1",
        "Bundle",
        "",
        false,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","meta":{"profile":["http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-messageHeader"]},"eventCoding":{"code":"care-communication-message"},"source":{"endpoint":"x"}}]"#,
        "Bundle",
    ),
    (
        "medcom-careCommunication-11",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","eventCoding":{"code":"care-communication-message"},"source":{"endpoint":"x"},"sender":{"reference":"Organization/o1"}},{"resourceType":"Communication","id":"c","extension":[{"url":"http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-sender-extension","valueReference":{"reference":"PractitionerRole/pr1"}}],"status":"unknown"},{"resourceType":"PractitionerRole","id":"pr1","organization":{"reference":"Organization/o1"}},{"resourceType":"Organization","id":"o1","name":"A"},{"resourceType":"Organization","id":"o2","name":"B"}]"#,
        "Bundle",
    ),
    (
        "medcom-careCommunication-11",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","eventCoding":{"code":"care-communication-message"},"source":{"endpoint":"x"},"sender":{"reference":"Organization/o2"}},{"resourceType":"Communication","id":"c","extension":[{"url":"http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-sender-extension","valueReference":{"reference":"PractitionerRole/pr1"}}],"status":"unknown"},{"resourceType":"PractitionerRole","id":"pr1","organization":{"reference":"Organization/o1"}},{"resourceType":"Organization","id":"o1","name":"A"},{"resourceType":"Organization","id":"o2","name":"B"}]"#,
        "Bundle",
    ),
    (
        "medcom-careCommunication-12",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","eventCoding":{"code":"care-communication-message"},"source":{"endpoint":"x"},"destination":[{"endpoint":"y","receiver":{"reference":"Organization/o2"}}]},{"resourceType":"Communication","id":"c","status":"unknown","recipient":[{"reference":"PractitionerRole/pr2"}]},{"resourceType":"PractitionerRole","id":"pr2","organization":{"reference":"Organization/o2"}},{"resourceType":"Organization","id":"o1","name":"A"},{"resourceType":"Organization","id":"o2","name":"B"}]"#,
        "Bundle",
    ),
    (
        "medcom-careCommunication-12",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","eventCoding":{"code":"care-communication-message"},"source":{"endpoint":"x"},"destination":[{"endpoint":"y","receiver":{"reference":"Organization/o1"}}]},{"resourceType":"Communication","id":"c","status":"unknown","recipient":[{"reference":"PractitionerRole/pr2"}]},{"resourceType":"PractitionerRole","id":"pr2","organization":{"reference":"Organization/o2"}},{"resourceType":"Organization","id":"o1","name":"A"},{"resourceType":"Organization","id":"o2","name":"B"}]"#,
        "Bundle",
    ),
    (
        "medcom-careCommunication-13",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"PractitionerRole","id":"pr","practitioner":{"reference":"Practitioner/p"}}]"#,
        "Bundle",
    ),
    (
        "medcom-careCommunication-13",
        "Bundle",
        "",
        false,
        r#"bundle:[{"resourceType":"PractitionerRole","id":"pr","code":[{"text":"nurse"}]}]"#,
        "Bundle",
    ),
    (
        "medcom-careCommunication-15",
        "Communication",
        "",
        true,
        r#"{"resourceType":"Communication","status":"unknown","encounter":{"reference":"Encounter/e"}}"#,
        "Communication",
    ),
    (
        "medcom-careCommunication-15",
        "Communication",
        "",
        false,
        r#"{"resourceType":"Communication","status":"unknown","encounter":{"identifier":{"value":"e"}}}"#,
        "Communication",
    ),
    (
        "medcom-careCommunication-2",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"Patient","id":"p1"}]"#,
        "Bundle",
    ),
    (
        "medcom-careCommunication-2",
        "Bundle",
        "",
        false,
        r#"bundle:[{"resourceType":"Patient","id":"p1"},{"resourceType":"Patient","id":"p2"}]"#,
        "Bundle",
    ),
    (
        "medcom-careCommunication-3",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"Provenance","id":"pv","meta":{"profile":["http://medcomfhir.dk/ig/carecommunication/StructureDefinition/medcom-careCommunication-provenance"]},"target":[{"reference":"MessageHeader/mh"}],"recorded":"2024-01-01T10:00:00+01:00","agent":[{"who":{"reference":"Organization/o"}}]}]"#,
        "Bundle",
    ),
    (
        "medcom-careCommunication-3",
        "Bundle",
        "",
        false,
        r#"bundle:[{"resourceType":"Provenance","id":"pv","target":[{"reference":"MessageHeader/mh"}],"recorded":"2024-01-01T10:00:00+01:00","agent":[{"who":{"reference":"Organization/o"}}]}]"#,
        "Bundle",
    ),
    (
        "medcom-careCommunication-4",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"Practitioner","id":"p","name":[{"family":"Hansen","given":["Ida"]}]}]"#,
        "Bundle",
    ),
    (
        "medcom-careCommunication-4",
        "Bundle",
        "",
        false,
        r#"bundle:[{"resourceType":"Practitioner","id":"p"}]"#,
        "Bundle",
    ),
    (
        "medcom-careCommunication-5",
        "Communication",
        "",
        true,
        r#"{"resourceType":"Communication","status":"unknown","category":[{"coding":[{"code":"regarding-referral"}]}],"priority":"asap"}"#,
        "Communication",
    ),
    (
        "medcom-careCommunication-5",
        "Communication",
        "",
        false,
        r#"{"resourceType":"Communication","status":"unknown","category":[{"coding":[{"code":"other"}]}],"priority":"asap"}"#,
        "Communication",
    ),
    (
        "medcom-careCommunication-6",
        "Communication",
        "",
        true,
        r#"{"resourceType":"Communication","status":"unknown","category":[{"coding":[{"code":"other"}]}],"topic":{"text":"Om"}}"#,
        "Communication",
    ),
    (
        "medcom-careCommunication-6",
        "Communication",
        "",
        false,
        r#"{"resourceType":"Communication","status":"unknown","category":[{"coding":[{"code":"other"}]}]}"#,
        "Communication",
    ),
    (
        "medcom-careCommunication-7",
        "Communication",
        "",
        true,
        r#"bundle:[{"resourceType":"Communication","id":"c","status":"unknown","payload":[{"extension":[{"url":"http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitioner-extension","valueReference":{"reference":"PractitionerRole/pr"}}],"contentString":"x"}]},{"resourceType":"PractitionerRole","id":"pr","code":[{"coding":[{"code":"sygeplejerske"}]}]}]"#,
        "Bundle.entry.resource.ofType(Communication)",
    ),
    (
        "medcom-careCommunication-7",
        "Communication",
        "",
        false,
        r#"bundle:[{"resourceType":"Communication","id":"c","status":"unknown","payload":[{"extension":[{"url":"http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitioner-extension","valueReference":{"reference":"PractitionerRole/pr"}}],"contentString":"x"}]},{"resourceType":"PractitionerRole","id":"pr","code":[{"coding":[{"code":"sygeplejerske"}],"text":"Sygeplejerske"}]}]"#,
        "Bundle.entry.resource.ofType(Communication)",
    ),
    (
        "medcom-careCommunication-8",
        "Communication",
        "",
        true,
        r#"bundle:[{"resourceType":"Communication","id":"c","status":"unknown","payload":[{"extension":[{"url":"http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitioner-extension","valueReference":{"reference":"PractitionerRole/pr"}}],"contentString":"x"}]},{"resourceType":"PractitionerRole","id":"pr","practitioner":{"reference":"Practitioner/p"}},{"resourceType":"Practitioner","id":"p","name":[{"family":"Hansen"}]}]"#,
        "Bundle.entry.resource.ofType(Communication)",
    ),
    (
        "medcom-careCommunication-8",
        "Communication",
        "",
        false,
        r#"bundle:[{"resourceType":"Communication","id":"c","status":"unknown","payload":[{"extension":[{"url":"http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitioner-extension","valueReference":{"reference":"PractitionerRole/pr"}}],"contentString":"x"}]},{"resourceType":"PractitionerRole","id":"pr","practitioner":{"reference":"Practitioner/p"}},{"resourceType":"Practitioner","id":"p"}]"#,
        "Bundle.entry.resource.ofType(Communication)",
    ),
    (
        "medcom-careCommunication-9",
        "Communication",
        "",
        true,
        r#"bundle:[{"resourceType":"Communication","id":"c","status":"unknown","encounter":{"reference":"Encounter/e"}},{"resourceType":"Encounter","id":"e","status":"finished","class":{"code":"IMP"},"episodeOfCare":[{"identifier":{"value":"x"}}]}]"#,
        "Bundle.entry.resource.ofType(Communication)",
    ),
    (
        "medcom-careCommunication-9",
        "Communication",
        "",
        false,
        r#"bundle:[{"resourceType":"Communication","id":"c","status":"unknown","encounter":{"reference":"Encounter/e"}},{"resourceType":"Encounter","id":"e","status":"finished","class":{"code":"IMP"}}]"#,
        "Bundle.entry.resource.ofType(Communication)",
    ),
    (
        "medcom-carecommunication-definition-url",
        "MessageHeader.definition",
        "",
        true,
        r#"{"resourceType":"MessageHeader","eventCoding":{"code":"x"},"source":{"endpoint":"x"},"definition":"http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComCareCommunicationMessageDefinition|5.0"}"#,
        "MessageHeader.definition",
    ),
    (
        "medcom-carecommunication-definition-url",
        "MessageHeader.definition",
        "",
        false,
        r#"{"resourceType":"MessageHeader","eventCoding":{"code":"x"},"source":{"endpoint":"x"},"definition":"http://example.org/MessageDefinition/x"}"#,
        "MessageHeader.definition",
    ),
    (
        "medcom-core-contact",
        "Extension.value[x]:valueContactPoint.value",
        "",
        true,
        r#"{"resourceType":"Patient","extension":[{"url":"x","valueContactPoint":{"system":"phone","value":"+4512345678"}}]}"#,
        "Patient.extension.value.value",
    ),
    (
        "medcom-core-contact",
        "Extension.value[x]:valueContactPoint.value",
        "",
        false,
        r#"{"resourceType":"Patient","extension":[{"url":"x","valueContactPoint":{"system":"phone","value":"call me"}}]}"#,
        "Patient.extension.value.value",
    ),
    (
        "medcom-core-practitionerrole-code-xor-text",
        "PractitionerRole",
        "",
        true,
        r#"{"resourceType":"PractitionerRole","code":[{"coding":[{"system":"s","code":"c"}]}]}"#,
        "PractitionerRole",
    ),
    (
        "medcom-core-practitionerrole-code-xor-text",
        "PractitionerRole",
        "",
        false,
        r#"{"resourceType":"PractitionerRole","code":[{"coding":[{"system":"s","code":"c"}],"text":"t"}]}"#,
        "PractitionerRole",
    ),
    (
        "medcom-hcobs-definition-url",
        "MessageHeader.definition",
        "",
        true,
        r#"{"resourceType":"MessageHeader","eventCoding":{"code":"x"},"source":{"endpoint":"x"},"definition":"http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComHomeCareObservationMessageDefinition|1.1"}"#,
        "MessageHeader.definition",
    ),
    (
        "medcom-hcobs-definition-url",
        "MessageHeader.definition",
        "",
        false,
        r#"{"resourceType":"MessageHeader","eventCoding":{"code":"x"},"source":{"endpoint":"x"},"definition":"http://example.org/MessageDefinition/x"}"#,
        "MessageHeader.definition",
    ),
    (
        "medcom-homecareObsMessage-1",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","meta":{"profile":["http://medcomfhir.dk/ig/homecareobservation/StructureDefinition/medcom-homecareobservation-messageheader"]},"eventCoding":{"code":"homecareobservation-message"},"source":{"endpoint":"x"}}]"#,
        "Bundle",
    ),
    (
        "medcom-homecareObsMessage-1",
        "Bundle",
        "",
        false,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","eventCoding":{"code":"homecareobservation-message"},"source":{"endpoint":"x"}}]"#,
        "Bundle",
    ),
    (
        "medcom-homecareObsMessage-2",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"Provenance","id":"pv","target":[{"reference":"MessageHeader/mh"}],"recorded":"2024-01-01T10:00:00+01:00","activity":{"coding":[{"code":"new-message"}]},"agent":[{"who":{"reference":"Organization/o"}}]}]"#,
        "Bundle",
    ),
    (
        "medcom-homecareObsMessage-2",
        "Bundle",
        "",
        false,
        r#"bundle:[{"resourceType":"Provenance","id":"pv","target":[{"reference":"MessageHeader/mh"}],"recorded":"2024-01-01T10:00:00+01:00","activity":{"coding":[{"code":"forward-message"}]},"agent":[{"who":{"reference":"Organization/o"}}]}]"#,
        "Bundle",
    ),
    (
        "medcom-homecareObservation-4",
        "Organization.contact",
        "",
        true,
        r#"{"resourceType":"Organization","contact":[{"name":{"text":"AB"}}]}"#,
        "Organization.contact",
    ),
    (
        "medcom-homecareObservation-4",
        "Organization.contact",
        "",
        true,
        r#"{"resourceType":"Organization","contact":[{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/data-absent-reason","valueCode":"unknown"}],"telecom":[{"system":"phone","value":"1"}]}]}"#,
        "Organization.contact",
    ),
    (
        "medcom-homecareObservation-4",
        "Organization.contact",
        "",
        false,
        r#"{"resourceType":"Organization","contact":[{"telecom":[{"system":"phone","value":"1"}]}]}"#,
        "Organization.contact",
    ),
    (
        "medcom-homecareReport-1",
        "DiagnosticReport.performer:PractitionerRole",
        "",
        true,
        r#"bundle:[{"resourceType":"DiagnosticReport","id":"dr","status":"final","code":{"text":"x"},"performer":[{"reference":"PractitionerRole/pr"}]},{"resourceType":"PractitionerRole","id":"pr","code":[{"coding":[{"code":"sygeplejerske"}]}]}]"#,
        "Bundle.entry.resource.ofType(DiagnosticReport).performer",
    ),
    (
        "medcom-homecareReport-1",
        "DiagnosticReport.performer:PractitionerRole",
        "",
        false,
        r#"bundle:[{"resourceType":"DiagnosticReport","id":"dr","status":"final","code":{"text":"x"},"performer":[{"reference":"PractitionerRole/pr"}]},{"resourceType":"PractitionerRole","id":"pr","code":[{"text":"nurse"}]}]"#,
        "Bundle.entry.resource.ofType(DiagnosticReport).performer",
    ),
    (
        "medcom-homecareReport-2",
        "DiagnosticReport.performer:PractitionerRole",
        "",
        true,
        r#"bundle:[{"resourceType":"DiagnosticReport","id":"dr","status":"final","code":{"text":"x"},"performer":[{"reference":"PractitionerRole/pr"}]},{"resourceType":"PractitionerRole","id":"pr","practitioner":{"reference":"Practitioner/p"}},{"resourceType":"Practitioner","id":"p","name":[{"family":"Hansen"}]}]"#,
        "Bundle.entry.resource.ofType(DiagnosticReport).performer",
    ),
    (
        "medcom-homecareReport-2",
        "DiagnosticReport.performer:PractitionerRole",
        "",
        false,
        r#"bundle:[{"resourceType":"DiagnosticReport","id":"dr","status":"final","code":{"text":"x"},"performer":[{"reference":"PractitionerRole/pr"}]},{"resourceType":"PractitionerRole","id":"pr","practitioner":{"reference":"Practitioner/p"}},{"resourceType":"Practitioner","id":"p"}]"#,
        "Bundle.entry.resource.ofType(DiagnosticReport).performer",
    ),
    (
        "medcom-homecareReport-3",
        "DiagnosticReport.performer:PractitionerRole",
        "",
        true,
        r#"bundle:[{"resourceType":"DiagnosticReport","id":"dr","status":"final","code":{"text":"x"},"performer":[{"reference":"PractitionerRole/pr"}]},{"resourceType":"PractitionerRole","id":"pr","practitioner":{"reference":"Practitioner/p"}},{"resourceType":"Practitioner","id":"p","telecom":[{"system":"phone","value":"1"}]}]"#,
        "Bundle.entry.resource.ofType(DiagnosticReport).performer",
    ),
    (
        "medcom-homecareReport-3",
        "DiagnosticReport.performer:PractitionerRole",
        "",
        false,
        r#"bundle:[{"resourceType":"DiagnosticReport","id":"dr","status":"final","code":{"text":"x"},"performer":[{"reference":"PractitionerRole/pr"}]},{"resourceType":"PractitionerRole","id":"pr","practitioner":{"reference":"Practitioner/p"}},{"resourceType":"Practitioner","id":"p","telecom":[{"system":"email","value":"a@b"}]}]"#,
        "Bundle.entry.resource.ofType(DiagnosticReport).performer",
    ),
    (
        "medcom-homecareReport-5",
        "Media.operator",
        "",
        true,
        r#"bundle:[{"resourceType":"Media","id":"m","status":"completed","content":{"title":"x"},"operator":{"reference":"PractitionerRole/pr"}},{"resourceType":"PractitionerRole","id":"pr","code":[{"coding":[{"code":"sygeplejerske"}]}]}]"#,
        "Bundle.entry.resource.ofType(Media).operator",
    ),
    (
        "medcom-homecareReport-5",
        "Media.operator",
        "",
        false,
        r#"bundle:[{"resourceType":"Media","id":"m","status":"completed","content":{"title":"x"},"operator":{"reference":"PractitionerRole/pr"}},{"resourceType":"PractitionerRole","id":"pr"}]"#,
        "Bundle.entry.resource.ofType(Media).operator",
    ),
    (
        "medcom-homecareReport-6",
        "Media.operator",
        "",
        true,
        r#"bundle:[{"resourceType":"Media","id":"m","status":"completed","content":{"title":"x"},"operator":{"reference":"PractitionerRole/pr"}},{"resourceType":"PractitionerRole","id":"pr","practitioner":{"reference":"Practitioner/p"}},{"resourceType":"Practitioner","id":"p","name":[{"family":"Hansen"}]}]"#,
        "Bundle.entry.resource.ofType(Media).operator",
    ),
    (
        "medcom-homecareReport-6",
        "Media.operator",
        "",
        false,
        r#"bundle:[{"resourceType":"Media","id":"m","status":"completed","content":{"title":"x"},"operator":{"reference":"PractitionerRole/pr"}},{"resourceType":"PractitionerRole","id":"pr","practitioner":{"reference":"Practitioner/p"}},{"resourceType":"Practitioner","id":"p"}]"#,
        "Bundle.entry.resource.ofType(Media).operator",
    ),
    (
        "medcom-hospitalNotification-1",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","eventCoding":{"code":"hospital-notification-message"},"source":{"endpoint":"x"}}]"#,
        "Bundle",
    ),
    (
        "medcom-hospitalNotification-2",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"Patient","id":"p1"}]"#,
        "Bundle",
    ),
    (
        "medcom-hospitalNotification-2",
        "Bundle",
        "",
        false,
        r#"bundle:[{"resourceType":"Organization","id":"o"}]"#,
        "Bundle",
    ),
    (
        "medcom-hospitalNotification-3",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"Provenance","id":"pv","target":[{"reference":"MessageHeader/mh"}],"recorded":"2024-01-01T10:00:00+01:00","activity":{"coding":[{"code":"bogus"}]},"agent":[{"who":{"reference":"Organization/o"}}]}]"#,
        "Bundle",
    ),
    (
        "medcom-hospitalNotification-4",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"Patient","id":"p","identifier":[{"system":"urn:oid:1.2.208.176.1.2","value":"0101701234"}]}]"#,
        "Bundle",
    ),
    (
        "medcom-hospitalNotification-4",
        "Bundle",
        "",
        false,
        r#"bundle:[{"resourceType":"Patient","id":"p","identifier":[{"system":"urn:oid:1.2.208.176.1.6.1.1","value":"0101709AB1"}]}]"#,
        "Bundle",
    ),
    (
        "medcom-hospitalNotification-5",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","eventCoding":{"code":"hospital-notification-message"},"source":{"endpoint":"x"},"destination":[{"extension":[{"url":"http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-destinationUseExtension","valueCoding":{"code":"primary"}}],"endpoint":"y"}]}]"#,
        "Bundle",
    ),
    (
        "medcom-hospitalNotification-5",
        "Bundle",
        "",
        false,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","eventCoding":{"code":"hospital-notification-message"},"source":{"endpoint":"x"},"destination":[{"extension":[{"url":"http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-destinationUseExtension","valueCoding":{"code":"cc"}}],"endpoint":"y"}]}]"#,
        "Bundle",
    ),
    (
        "medcom-hospitalNotification-6",
        "Encounter",
        "",
        true,
        r#"{"resourceType":"Encounter","status":"onleave","class":{"code":"IMP"},"extension":[{"url":"http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-hospitalnotifiation-leave-period-extension","valuePeriod":{"start":"2024-01-01T10:00:00+01:00"}}]}"#,
        "Encounter",
    ),
    (
        "medcom-hospitalNotification-6",
        "Encounter",
        "",
        false,
        r#"{"resourceType":"Encounter","status":"onleave","class":{"code":"IMP"}}"#,
        "Encounter",
    ),
    (
        "medcom-messaging-1",
        "Bundle",
        "entry.ofType",
        true,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","eventCoding":{"code":"x"},"source":{"endpoint":"x"}}]"#,
        "Bundle",
    ),
    (
        "medcom-messaging-1",
        "Bundle",
        "entry[0]",
        true,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","meta":{"profile":["http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-messageHeader"]},"eventCoding":{"code":"x"},"source":{"endpoint":"x"}}]"#,
        "Bundle",
    ),
    (
        "medcom-messaging-1",
        "Bundle",
        "entry[0]",
        false,
        r#"bundle:[{"resourceType":"MessageHeader","id":"mh","eventCoding":{"code":"x"},"source":{"endpoint":"x"}}]"#,
        "Bundle",
    ),
    (
        "medcom-messaging-2",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"Provenance","id":"pv","target":[{"reference":"MessageHeader/mh"}],"recorded":"2024-01-01T10:00:00+01:00","agent":[{"who":{"reference":"Organization/o"}}]}]"#,
        "Bundle",
    ),
    (
        "medcom-messaging-2",
        "Bundle",
        "",
        false,
        r#"bundle:[{"resourceType":"Patient","id":"p"}]"#,
        "Bundle",
    ),
    (
        "medcom-messaging-3",
        "Bundle",
        "",
        true,
        r#"bundle:[{"resourceType":"Provenance","id":"pv","target":[{"reference":"MessageHeader/mh"}],"recorded":"2024-01-01T10:00:00+01:00","agent":[{"who":{"reference":"Organization/o"}}]}]"#,
        "Bundle",
    ),
    (
        "medcom-uuidv4",
        "Communication.identifier",
        "",
        true,
        r#"{"resourceType":"Communication","status":"unknown","identifier":[{"value":"urn:uuid:0b3f8a1e-3c1d-4b2a-9f00-1c2d3e4f5a6b"}]}"#,
        "Communication.identifier",
    ),
    (
        "medcom-uuidv4",
        "Communication.identifier",
        "",
        false,
        r#"{"resourceType":"Communication","status":"unknown","identifier":[{"value":"0b3f8a1e-3c1d-4b2a-9f00-1c2d3e4f5a6b"}]}"#,
        "Communication.identifier",
    ),
    (
        "medcom-uuidv4",
        "DiagnosticReport.identifier.value",
        "",
        true,
        r#"{"resourceType":"DiagnosticReport","status":"final","code":{"text":"x"},"identifier":[{"value":"urn:uuid:0b3f8a1e-3c1d-4b2a-9f00-1c2d3e4f5a6b"}]}"#,
        "DiagnosticReport.identifier.value",
    ),
    (
        "medcom-uuidv4",
        "DiagnosticReport.identifier.value",
        "",
        false,
        r#"{"resourceType":"DiagnosticReport","status":"final","code":{"text":"x"},"identifier":[{"value":"urn:uuid:0B3F8A1E-3C1D-4B2A-9F00-1C2D3E4F5A6B"}]}"#,
        "DiagnosticReport.identifier.value",
    ),
    (
        "medcom-uuidv4",
        "Identifier.value",
        "matches",
        true,
        "id:urn:uuid:0b3f8a1e-3c1d-4b2a-9f00-1c2d3e4f5a6b",
        "",
    ),
    (
        "medcom-uuidv4",
        "Identifier.value",
        "matches",
        false,
        "id:uuid:0b3f8a1e",
        "",
    ),
    (
        "medcom-uuidv4",
        "Identifier.value",
        "value.",
        true,
        "id:x",
        "",
    ),
    (
        "medcom-uuidv4",
        "Observation.identifier.value",
        "",
        true,
        r#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"identifier":[{"value":"urn:uuid:0b3f8a1e-3c1d-4b2a-9f00-1c2d3e4f5a6b"}]}"#,
        "Observation.identifier.value",
    ),
    (
        "medcom-uuidv4",
        "Observation.identifier.value",
        "",
        false,
        r#"{"resourceType":"Observation","status":"final","code":{"text":"x"},"identifier":[{"value":"42"}]}"#,
        "Observation.identifier.value",
    ),
    (
        "min-digits-sor",
        "Identifier.value",
        "",
        true,
        "id:123456789012",
        "",
    ),
    (
        "min-digits-sor",
        "Identifier.value",
        "",
        false,
        "id:1234567890",
        "",
    ),
    (
        "uuid",
        "Identifier.value",
        "matches",
        true,
        "id:urn:uuid:0b3f8a1e-3c1d-4b2a-9f00-1c2d3e4f5a6b",
        "",
    ),
    (
        "uuid",
        "Identifier.value",
        "matches",
        false,
        "id:kombit",
        "",
    ),
    ("uuid", "Identifier.value", "value.", true, "id:x", ""),
    (
        "uuidv5",
        "Identifier.value",
        "matches",
        true,
        "id:urn:uuid:0b3f8a1e-3c1d-5b2a-9f00-1c2d3e4f5a6b",
        "",
    ),
    (
        "uuidv5",
        "Identifier.value",
        "matches",
        false,
        "id:urn:uuid:0b3f8a1e-3c1d-4b2a-9f00-1c2d3e4f5a6b",
        "",
    ),
    ("uuidv5", "Identifier.value", "value.", true, "id:x", ""),
];

/// Conformance by declaration (`meta.profile`), and two small value sets.
struct TestHooks;

impl Hooks for TestHooks {
    fn conforms_to(&self, node: Node<'_, '_>, url: &str) -> Result<bool, HookError> {
        let declared = node.child("meta").into_iter().flat_map(|m| {
            m.children_named("profile")
                .filter_map(|p| p.value())
                .collect::<Vec<_>>()
        });
        Ok(declared
            .into_iter()
            .any(|p| p.split('|').next() == Some(url)))
    }

    fn member_of(&self, item: &Item<'_, '_>, value_set: &str) -> Result<bool, HookError> {
        let codes: &[&str] = match value_set {
            "http://medcomfhir.dk/ig/terminology/ValueSet/medcom-HomeCareObservation-messagingActivities" => {
                &["new-message", "reply-message", "retract-message", "modified-message"]
            }
            _ => {
                return Err(HookError::Unavailable {
                    what: "value set",
                    url: value_set.to_owned(),
                })
            }
        };
        let node = item
            .node()
            .ok_or_else(|| HookError::Unanswerable("not a coded element".to_owned()))?;
        Ok(node
            .children_named("coding")
            .filter_map(|c| c.child_value("code"))
            .any(|c| codes.contains(&c)))
    }
}

fn input_text(input: &str) -> (String, String) {
    if let Some(v) = input.strip_prefix("id:") {
        let json = serde_json::json!({"resourceType": "Patient", "identifier": [{"value": v}]});
        return (json.to_string(), "Patient.identifier.value".to_owned());
    }
    if let Some(list) = input.strip_prefix("bundle:") {
        let resources: Vec<serde_json::Value> = serde_json::from_str(list).expect("resources");
        let entries: Vec<serde_json::Value> = resources
            .into_iter()
            .map(|r| {
                let url = format!(
                    "https://medcomfhir.dk/ig/test/{}/{}",
                    r["resourceType"].as_str().unwrap_or(""),
                    r["id"].as_str().unwrap_or("")
                );
                serde_json::json!({"fullUrl": url, "resource": r})
            })
            .collect();
        let json = serde_json::json!({"resourceType": "Bundle", "id": "b", "type": "message", "entry": entries});
        return (json.to_string(), "Bundle".to_owned());
    }
    (input.to_owned(), String::new())
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn medcom_invariants_hold_and_fail() {
    let Some(shared) = common::shared() else {
        return;
    };
    let rows = rows(&shared);
    let mut problems = Vec::new();
    for row in &rows {
        let cases: Vec<_> = CASES
            .iter()
            .filter(|c| c.0 == row.key && c.1 == row.element && row.expression.starts_with(c.2))
            .collect();
        let cannot_fail = CANNOT_FAIL
            .iter()
            .any(|t| t.0 == row.key && t.1 == row.element && row.expression.starts_with(t.2));
        let expr = Expression::parse(&row.expression).expect("parses");
        let (mut held, mut failed) = (false, false);
        for (_, _, _, holds, input, context) in &cases {
            let (json, default_context) = input_text(input);
            let doc = medcom::parse(&json).unwrap_or_else(|e| panic!("{}: {e}\n{json}", row.key));
            let context = if context.is_empty() {
                default_context.as_str()
            } else {
                context
            };
            let at = Expression::parse(context)
                .expect("context path")
                .evaluate(&EvalContext::new(doc.root()))
                .expect("context evaluates");
            let Some(node) = at.first().and_then(Item::node) else {
                panic!("{}: context {context} selects nothing", row.key);
            };
            let ctx = EvalContext::new(node.resource())
                .with_root_resource(doc.root())
                .with_context(node)
                .with_hooks(&TestHooks);
            match expr.holds(&ctx) {
                Ok(h) if h == *holds => {
                    held |= h;
                    failed |= !h;
                }
                Ok(h) => problems.push(format!(
                    "{} on {input}: holds = {h}, expected {holds}",
                    row.key
                )),
                Err(e) => problems.push(format!("{} on {input}: {e}", row.key)),
            }
        }
        if !held {
            problems.push(format!(
                "{} ({}): no case where it holds: {}",
                row.key, row.element, row.expression
            ));
        }
        if failed && cannot_fail {
            problems.push(format!(
                "{} ({}): listed in CANNOT_FAIL but a case fails",
                row.key, row.element
            ));
        }
        if !failed && !cannot_fail {
            problems.push(format!(
                "{} ({}): no case where it fails: {}",
                row.key, row.element, row.expression
            ));
        }
    }
    for t in CANNOT_FAIL {
        if !rows
            .iter()
            .any(|r| r.key == t.0 && r.element == t.1 && r.expression.starts_with(t.2))
        {
            problems.push(format!("CANNOT_FAIL names no invariant: {} ({})", t.0, t.1));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
