//! A datatype's own invariants hold at every use of the datatype, profiled elements included:
//! in each valid official MedCom example of a current version, every Period, Reference,
//! ContactPoint and Quantity that can break its invariant by one edit is broken, one at a time,
//! and the engine must report the invariant at that node. (A profile that lists an element's
//! children does not repeat its type's invariants; the engine applies them from the type.)

mod common;

use std::collections::{BTreeMap, HashSet};

use medcom::model::{Document, NodeId};
use medcom::profile::Engine;

/// Invariant key, datatype, and the edit that breaks it (`false`: nothing to edit here).
type Edit = fn(&mut Document<'_>, NodeId) -> bool;
const CASES: &[(&str, &str, Edit)] = &[
    ("per-1", "Period", |d, n| {
        let (Some(s), Some(e)) = (child(d, n, "start"), child(d, n, "end")) else {
            return false;
        };
        let start = d.node(s).value().unwrap_or("").to_owned();
        d.set_value(s, Some("2999-12-31".into()));
        d.set_value(e, Some(start.into()));
        true
    }),
    ("ref-1", "Reference", |d, n| {
        match child(d, n, "reference") {
            Some(r) => {
                d.set_value(r, Some("#not-contained".into()));
                true
            }
            None => false,
        }
    }),
    ("cpt-2", "ContactPoint", |d, n| {
        match (child(d, n, "system"), child(d, n, "value")) {
            (Some(s), Some(_)) => {
                d.remove(s);
                true
            }
            _ => false,
        }
    }),
    ("qty-3", "Quantity", |d, n| {
        match (child(d, n, "system"), child(d, n, "code")) {
            (Some(s), Some(_)) => {
                d.remove(s);
                true
            }
            _ => false,
        }
    }),
];

fn child(d: &Document<'_>, n: NodeId, name: &str) -> Option<NodeId> {
    d.node(n).child(name).map(|c| c.id())
}

const CURRENT: &[(&str, &str)] = &[
    ("CareCommunication", "5.0."),
    ("CareCommunication", "4.0."),
    ("HospitalNotification", "3.0."),
    ("Acknowledgement", "2.0."),
    ("HomeCareObservation", "1.2."),
    ("EmptyMessage", "4.0."),
];

#[test]
fn datatype_invariants_hold_at_every_use() {
    let Some(shared) = common::shared() else {
        return;
    };
    let engine = Engine::embedded().expect("built-in rules");
    let mut bundles = HashSet::new();
    let mut planted: BTreeMap<&str, usize> = BTreeMap::new();
    let mut survivors = Vec::new();
    for ex in common::examples(&shared) {
        let family = ex.message_type.split('/').next().unwrap_or("");
        if !CURRENT
            .iter()
            .any(|(f, v)| *f == family && ex.ig_version.starts_with(v))
            || !ex.is_fhir()
            || !ex.is_json()
            || !ex.validity.starts_with("valid")
            || !bundles.insert(ex.bundle_id.clone())
        {
            continue;
        }
        let text = common::read(&ex.path);
        let doc = medcom::parse(&text).expect("example reads");
        for (key, ty, edit) in CASES {
            let mut sites = Vec::new();
            let mut stack = vec![doc.root()];
            while let Some(n) = stack.pop() {
                if n.ty().name() == *ty {
                    sites.push(n.id());
                }
                stack.extend(n.children());
            }
            for site in sites {
                let mut mutant = doc.clone();
                if !edit(&mut mutant, site) {
                    continue;
                }
                *planted.entry(key).or_default() += 1;
                let location = mutant.node(site).path();
                let mut found = Vec::new();
                engine.check(&mutant, &mut found);
                let caught = found.iter().any(|f| {
                    f.code() == "fhir-invariant"
                        && f.message().starts_with(&format!("{key}:"))
                        && f.location() == location
                });
                if !caught {
                    survivors.push(format!("{} {key} at {location}", ex.file));
                }
            }
        }
    }
    println!("planted: {planted:?}");
    for (key, _, _) in CASES {
        assert!(planted.get(key).is_some_and(|&n| n > 0), "no {key} planted");
    }
    assert!(
        survivors.is_empty(),
        "{} survivors:\n{}",
        survivors.len(),
        survivors.join("\n")
    );
}
