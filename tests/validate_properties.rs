//! Property test: validation never panics on arbitrary element trees, and its four entry points
//! agree. Trees are message-shaped (a Bundle whose entries hold resources MedCom uses) and
//! filled from the R4 type table by a stream of random choices, with values drawn from a pool
//! that hits the rules (references, systems, codes, timestamps without timezone, bad ids).

use medcom::finding::Severity;
use medcom::model::{Document, Element, NodeId, Type, TypeKind};
use medcom::validate::Validator;
use proptest::prelude::*;

struct Choices<'c> {
    data: &'c [u32],
    at: usize,
}

impl Choices<'_> {
    fn next(&mut self, n: usize) -> usize {
        let v = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        if n == 0 {
            0
        } else {
            v as usize % n
        }
    }
    fn exhausted(&self) -> bool {
        self.at >= self.data.len()
    }
}

const VALUES: &[&str] = &[
    "MessageHeader/m1", "MessageHeader/m0", "https://x.dk/MessageHeader/m1", "Patient/p", "Encounter/e",
    "OperationOutcome/o", "m1", "p", "e", "urn:oid:1.2.208.176.1.2", "urn:oid:1.2.208.176.1.1",
    "urn:oid:1.2.208.176.1.6.1.1", "https://www.gs1.org/gln", "urn:oid:1.3.88",
    "http://hl7.dk/fhir/core/CodeSystem/dk-core-municipality-codes",
    "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-identifier-extension",
    "http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-hospitalnotifiation-leave-period-extension",
    "https://sor2.sum.dsdn.dk/#id=12", "revision", "removal", "source", "hospital-notification-message",
    "acknowledgement-message", "care-communication-message", "empty-message", "acknowledgement",
    "reply-message", "cancel-admit-inpatient", "start-leave-inpatient", "discharge-emergency-home", "IMP",
    "EMER", "finished", "in-progress", "onleave", "ok", "fatal-error", "true", "false", "3113450000",
    "0707614285", "5790000121526", "0101901AB3", "0751", "2024-01-01T10:00:00", "2024-01-01T10:00:00+01:00",
    "2024", "T", "urn:uuid:0c5a6d2e-7f3b-4b5e-9a1e-2f3a4b5c6d7e", "0c5a6d2e-7f3b-4b5e-9a1e-2f3a4b5c6d7e",
    "", "/", "|", "æøå", "1",
];

const RESOURCES: &[&str] = &[
    "MessageHeader",
    "Provenance",
    "Patient",
    "Encounter",
    "Communication",
    "Organization",
    "OperationOutcome",
];

fn fill(doc: &mut Document<'static>, node: NodeId, ty: Type, depth: usize, c: &mut Choices<'_>) {
    let elements: Vec<Element> = ty.elements().collect();
    let count = c.next(if depth > 3 { 3 } else { 10 });
    for _ in 0..count {
        if c.exhausted() || elements.is_empty() {
            return;
        }
        let element = elements[c.next(elements.len())];
        let types: Vec<Type> = element.types().collect();
        if types.is_empty() || element.holds_resource() {
            continue;
        }
        let chosen = types[c.next(types.len())];
        if chosen.is_abstract() || depth > 7 {
            continue;
        }
        match chosen.kind() {
            TypeKind::Primitive(_) => {
                let v = VALUES[c.next(VALUES.len())];
                let _ = doc.append(node, element.name(), Some(chosen), Some(v.into()));
            }
            _ => {
                if let Ok(child) = doc.append(node, element.name(), Some(chosen), None) {
                    fill(doc, child, chosen, depth + 1, c);
                }
            }
        }
    }
}

fn build(data: &[u32]) -> Document<'static> {
    let mut c = Choices { data, at: 0 };
    let bundle = Type::resource("Bundle").expect("R4 has Bundle");
    let mut doc = Document::new(bundle);
    let root = doc.root().id();
    // A message Bundle: the MedCom message rules hold for messages only.
    let _ = doc.append_value(root, "type", "message");
    fill(&mut doc, root, bundle, 1, &mut c);
    for _ in 0..c.next(8) {
        let Ok(entry) = doc.append(root, "entry", None, None) else {
            continue;
        };
        if c.next(2) == 0 {
            let _ = doc.append_value(entry, "fullUrl", VALUES[c.next(VALUES.len())]);
        }
        let name = RESOURCES[c.next(RESOURCES.len())];
        let ty = Type::resource(name).expect("R4 resource");
        if let Ok(resource) = doc.append(entry, "resource", Some(ty), None) {
            fill(&mut doc, resource, ty, 0, &mut c);
        }
    }
    doc
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn validation_never_panics_and_tiers_agree(data in proptest::collection::vec(any::<u32>(), 0..3000)) {
        let doc = build(&data);
        let validator = Validator::rules_only();
        let report = validator.report(&doc);
        let errors: Vec<_> = validator.iter_errors(&doc).collect();
        let from_report: Vec<_> = report.with_severity(Severity::Error).cloned().collect();
        prop_assert_eq!(&errors, &from_report);
        prop_assert_eq!(validator.is_valid(&doc), errors.is_empty());
        prop_assert_eq!(validator.validate(&doc).err(), errors.first().cloned());
        // Rendering never panics either, and the OperationOutcome always writes.
        let _ = report.to_text("x");
        let _ = medcom::json::to_string(&report.to_operation_outcome());
    }
}

#[test]
fn generated_messages_reach_the_rules() {
    // A fixed stream must give messages on which several different codes fire.
    let mut codes = std::collections::BTreeSet::new();
    for k in 0..200u32 {
        let data: Vec<u32> = (0..2000u32)
            .map(|i| (i ^ k).wrapping_mul(2_654_435_761).rotate_left(k % 31))
            .collect();
        for f in Validator::rules_only().report(&build(&data)).findings() {
            codes.insert(f.code());
        }
    }
    println!("codes reached: {codes:?}");
    assert!(codes.len() >= 5, "{codes:?}");
}
