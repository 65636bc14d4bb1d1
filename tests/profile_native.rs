//! Native invariant answers (`src/profile/native.rs`) against FHIRPath: over every FHIR example
//! of the corpus (XML and JSON, valid and invalid) and over edits aimed at the edge cases of each
//! native answer, the engine evaluates both and must find no disagreement. The per-invariant
//! mutation test does the same on every mutant it plants.

mod common;

use medcom::profile::Engine;

/// The invariants answered natively, as the compiled rule files word them today. When a
/// package rewords one, it drops out of this list (and falls back to FHIRPath).
const NATIVE_KEYS: &[&str] = &[
    "bdl-3",
    "bdl-4",
    "bdl-5",
    "bdl-7",
    "bdl-8",
    "dk-core-organization-mandatory-identifier",
    "dom-2",
    "dom-3",
    "dom-4",
    "dom-5",
    "dom-6",
    "gln-length",
    "gln-modulus-10",
    "min-digits-sor",
    "org-1",
    "ref-1",
    "txt-1",
    "txt-2",
];

/// The CareCommunication example the edits start from (JSON).
const BASE: &str = "medcom/fhir/examples/medcomfhir-website/ig/carecommunication/5.0.2/Bundle-0d5b3c18-fab6-4d93-9d88-c9c8abf1f18c.json";

/// One case per line: replacements in the base message (first occurrence each). Each aims at an
/// edge of one native answer.
const EDITS: &[(&str, &[(&str, &str)])] = &[
    // gln-modulus-10 and gln-length: short, long, non-digits, non-ASCII digits, signs, empty.
    ("gln short", &[("\"5790001348120\"", "\"579000134812\"")]),
    ("gln long", &[("\"5790001348120\"", "\"57900013481200\"")]),
    ("gln wrong check digit", &[("\"5790001348120\"", "\"5790001348126\"")]),
    ("gln letter", &[("\"5790001348120\"", "\"57900013481a0\"")]),
    ("gln letter at the end", &[("\"5790001348120\"", "\"579000134812x\"")]),
    ("gln arabic digit", &[("\"5790001348120\"", "\"579000134812٥\"")]),
    ("gln sign", &[("\"5790001348120\"", "\"+790001348120\"")]),
    ("gln space", &[("\"5790001348120\"", "\"579000134812 5\"")]),
    ("gln all zero", &[("\"5790001348120\"", "\"0000000000000\"")]),
    // min-digits-sor: ten digits, letters, long.
    ("sor short", &[("\"953741000016009\"", "\"3254210000\"")]),
    ("sor letters", &[("\"953741000016009\"", "\"95374100001600x\"")]),
    ("sor long", &[("\"953741000016009\"", "\"9537410000160092345\"")]),
    // bdl-3, bdl-4, bdl-7: Bundle types.
    ("bundle batch", &[("\"type\":\"message\"", "\"type\":\"batch\"")]),
    ("bundle history", &[("\"type\":\"message\"", "\"type\":\"history\"")]),
    ("bundle transaction", &[("\"type\":\"message\"", "\"type\":\"transaction\"")]),
    ("bundle batch-response", &[("\"type\":\"message\"", "\"type\":\"batch-response\"")]),
    ("bundle collection", &[("\"type\":\"message\"", "\"type\":\"collection\"")]),
    ("bundle without type", &[("\"type\":\"message\",", "")]),
    // bdl-7: a repeated fullUrl; bdl-8: a versioned one.
    (
        "duplicate fullUrl",
        &[("https://medcomfhir.dk/ig/carecommunication/Patient/50c51ef0-00b0-429a-b212-35ee0773fd5a", "https://medcomfhir.dk/ig/carecommunication/MessageHeader/025bdfdd-397b-43e2-9e8c-272664a6e471")],
    ),
    (
        "duplicate fullUrl, other versions",
        &[
            ("https://medcomfhir.dk/ig/carecommunication/Patient/50c51ef0-00b0-429a-b212-35ee0773fd5a", "https://medcomfhir.dk/ig/carecommunication/MessageHeader/025bdfdd-397b-43e2-9e8c-272664a6e471"),
            (
                "\"meta\":{\"profile\":[\"http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-patient\"",
                "\"meta\":{\"versionId\":\"2\",\"profile\":[\"http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-patient\"",
            ),
        ],
    ),
    (
        "fullUrl and versionId join to the same text",
        &[
            ("https://medcomfhir.dk/ig/carecommunication/Patient/50c51ef0-00b0-429a-b212-35ee0773fd5a", "https://medcomfhir.dk/ig/carecommunication/MessageHeader/025bdfdd-397b-43e2-9e8c-272664a6e4711"),
            (
                "\"meta\":{\"profile\":[\"http://medcomfhir.dk/ig/carecommunication/StructureDefinition/medcom-careCommunication-messageHeader\"",
                "\"meta\":{\"versionId\":\"1\",\"profile\":[\"http://medcomfhir.dk/ig/carecommunication/StructureDefinition/medcom-careCommunication-messageHeader\"",
            ),
        ],
    ),
    ("versioned fullUrl", &[("/Patient/", "/Patient/_history/1/")]),
    // dom-*, ref-1: a contained resource, referenced locally and not.
    ("contained referenced", &[("\"resourceType\":\"Communication\",", "\"resourceType\":\"Communication\",\"contained\":[{\"resourceType\":\"Patient\",\"id\":\"p1\"}],\"about\":[{\"reference\":\"#p1\"}],")]),
    ("contained unreferenced", &[("\"resourceType\":\"Communication\",", "\"resourceType\":\"Communication\",\"contained\":[{\"resourceType\":\"Patient\",\"id\":\"p1\",\"meta\":{\"versionId\":\"1\"}}],")]),
    ("local reference to nothing", &[("\"resourceType\":\"Communication\",", "\"resourceType\":\"Communication\",\"about\":[{\"reference\":\"#nowhere\"}],")]),
    // org-1, dk-core-organization-mandatory-identifier: identifiers of other systems.
    ("sor system", &[("urn:oid:1.2.208.176.1.1", "urn:oid:1.2.208.176.1.9")]),
    ("gln system", &[("https://www.gs1.org/gln\"", "https://www.gs1.org/glnx\"")]),
];

#[test]
fn the_rule_files_have_the_native_answers() {
    let engine = Engine::embedded().expect("built-in rules");
    assert_eq!(engine.native_invariants(), NATIVE_KEYS);
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn native_answers_agree_with_fhirpath_over_the_corpus() {
    let Some(shared) = common::shared() else {
        return;
    };
    let engine = Engine::embedded().expect("built-in rules");
    let mut checked = 0;
    let mut disagreements = Vec::new();
    for ex in common::examples(&shared) {
        if !ex.is_fhir() {
            continue;
        }
        let text = common::read(&ex.path);
        let Ok(doc) = medcom::parse(&text) else {
            continue;
        };
        checked += 1;
        for d in engine.native_disagreements(&doc) {
            disagreements.push(format!("{}: {d}", ex.file));
        }
    }
    eprintln!(
        "native invariants: {checked} examples, {} disagreements",
        disagreements.len()
    );
    assert!(checked > 700, "only {checked} examples read");
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn native_answers_agree_with_fhirpath_on_edge_cases() {
    let Some(shared) = common::shared() else {
        return;
    };
    let engine = Engine::embedded().expect("built-in rules");
    let base = common::read(&shared.join(BASE));
    let compact = medcom::json::to_string(&medcom::parse(&base).expect("base reads"));
    let mut disagreements = Vec::new();
    for (name, edits) in EDITS {
        let mut edited = compact.clone();
        for (from, to) in *edits {
            assert!(
                edited.contains(from),
                "{name}: {from} is not in the base message"
            );
            edited = edited.replacen(from, to, 1);
        }
        let doc = medcom::json::parse(&edited).unwrap_or_else(|e| panic!("{name}: {e}"));
        for d in engine.native_disagreements(&doc) {
            disagreements.push(format!("{name}: {d}"));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
