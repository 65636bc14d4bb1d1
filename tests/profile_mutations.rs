//! Profile-driven mutation tests: for each valid
//! official example of a current version, every mutation the compiled rules suggest (drop each
//! required element, break each fixed and pattern value, a bad code for each required binding,
//! an unresolvable bundled reference) must be reported with the expected code at the expected
//! location. Prints the kill rate per standard and the survivors.

mod common;

use std::collections::BTreeMap;

use medcom::profile::Engine;

/// Current versions (manifest family, version prefix).
const CURRENT: &[(&str, &str)] = &[
    ("CareCommunication", "5.0."),
    ("HospitalNotification", "3.0."),
    ("Acknowledgement", "2.0."),
    ("HomeCareObservation", "1.2."),
    ("EmptyMessage", "4.0."),
];

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn profile_mutations_are_reported_where_expected() {
    let Some(shared) = common::shared() else {
        return;
    };
    let engine = Engine::embedded().expect("built-in rules");
    // family → (mutations, killed)
    let mut rates: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut survivors: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen_bundles = std::collections::HashSet::new();
    for ex in common::examples(&shared) {
        let family = ex.message_type.split('/').next().unwrap_or("").to_owned();
        if !ex.is_fhir()
            || !ex.is_json()
            || !ex.validity.starts_with("valid")
            || !CURRENT
                .iter()
                .any(|(f, v)| *f == family && ex.ig_version.starts_with(v))
            // Republished copies of the same Bundle add nothing.
            || !seen_bundles.insert(ex.bundle_id.clone())
        {
            continue;
        }
        let text = common::read(&ex.path);
        let doc = medcom::parse(&text).expect("example reads");
        let mut base = Vec::new();
        engine.check(&doc, &mut base);
        if base
            .iter()
            .any(|f| f.severity() == medcom::finding::Severity::Error)
        {
            continue; // xfail cases of the corpus test
        }
        for m in engine.mutations(&doc) {
            let mutated = m.apply(&doc);
            let mut findings = Vec::new();
            engine.check(&mutated, &mut findings);
            // Breaking a discriminating element moves the item out of its slice: the defect
            // is then reported by the slicing, at the item or at its collection.
            let mut slice_locations = Vec::new();
            let mut n = Some(doc.node(m.target));
            while let Some(node) = n {
                if node.is_resource() {
                    break;
                }
                slice_locations.push(node.path());
                if let Some(parent) = node.parent() {
                    slice_locations.push(format!("{}.{}", parent.path(), node.name()));
                }
                n = node.parent();
            }
            let killed = findings.iter().any(|f| {
                (f.code() == m.code && f.location() == m.location)
                    || (matches!(f.code(), "fhir-slice-cardinality" | "fhir-slice-unmatched")
                        && slice_locations.iter().any(|l| l == f.location()))
            });
            let rate = rates.entry(family.clone()).or_default();
            rate.0 += 1;
            if killed {
                rate.1 += 1;
            } else {
                let reason = if findings
                    .iter()
                    .all(|f| f.severity() != medcom::finding::Severity::Error)
                {
                    "equivalent mutant: the message stays valid (the item leaves an optional slice of an open slicing)".to_owned()
                } else {
                    "reported elsewhere".to_owned()
                };
                let got: Vec<String> = findings
                    .iter()
                    .filter(|f| f.severity() == medcom::finding::Severity::Error)
                    .take(2)
                    .map(|f| format!("{}@{}", f.code(), f.location()))
                    .collect();
                *survivors
                    .entry(format!(
                        "{family} {} {}: {reason} {:?}",
                        m.kind, m.rule, got
                    ))
                    .or_default() += 1;
            }
        }
    }
    for (family, (n, k)) in &rates {
        eprintln!(
            "mutations {family}: {k}/{n} killed ({:.1}%)",
            100.0 * *k as f64 / (*n).max(1) as f64
        );
    }
    for (s, n) in &survivors {
        eprintln!("survivor x{n}: {s}");
    }
    let total: usize = rates.values().map(|r| r.0).sum();
    let killed: usize = rates.values().map(|r| r.1).sum();
    assert!(total > 0);
    // Every survivor is explained in the report; the rate must not regress.
    assert!(
        killed * 100 >= total * 90,
        "kill rate {killed}/{total} below 90%"
    );
}
