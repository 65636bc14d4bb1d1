//! Per-invariant mutation tests: for
//! each valid official example of a current version, every invariant the profile engine
//! evaluates on some node of the message (MedCom's, DK-core's and the R4 core ones, including
//! the natively checked `ele-1` and `ext-1`) is broken by a small local edit at that node, and
//! the engine must report it: code `fhir-invariant`, the invariant's key at the start of the
//! message and in the rule (`<profile>#<key>`), at the context node's location.
//!
//! On every mutant, the invariants answered natively are also evaluated through FHIRPath and
//! must agree ([`Engine::native_disagreements`]).
//!
//! Edits are one line each in [`RECIPES`]. Invariants without an edit are in [`CANNOT_FAIL`]
//! with the reason, keyed by the start of their expression (several versions of one key
//! differ). A recipe that finds nothing to edit (for example no Encounter to strip) says so and
//! is counted as not applicable. The kill rate per standard is printed, with every survivor,
//! and every invariant of a compiled rule file that no example gives a context to.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use medcom::finding::Finding;
use medcom::model::{Document, NodeId, Type};
use medcom::profile::{Engine, InvariantSite};

/// Versions in production (manifest family, version prefix, compiled rule file): each stack
/// is tallied on its own.
const CURRENT: &[(&str, &str, &str)] = &[
    ("CareCommunication", "5.0.", "carecommunication-5.0.2.json"),
    ("CareCommunication", "4.0.", "carecommunication-4.0.3.json"),
    (
        "HospitalNotification",
        "3.0.",
        "hospitalnotification-3.0.2.json",
    ),
    ("Acknowledgement", "2.0.", "acknowledgement-2.0.3.json"),
    (
        "HomeCareObservation",
        "1.2.",
        "homecareobservation-1.2.1.json",
    ),
    ("EmptyMessage", "4.0.", "messaging-4.0.2.json"),
];

/// An edit that should break an invariant at a context node; `false` when there is nothing to
/// edit in this message.
type Recipe = fn(&mut Document<'_>, NodeId) -> bool;

/// Invariant key and the edit that breaks it.
const RECIPES: &[(&str, Recipe)] = &[
    ("bdl-1", |d, n| append(d, n, "total", "1")),
    ("bdl-2", |d, n| {
        last_entry_gets(d, n, "search", "mode", "match")
    }),
    ("bdl-3", |d, n| {
        last_entry_gets(d, n, "request", "method", "GET")
    }),
    ("bdl-4", |d, n| {
        last_entry_gets(d, n, "response", "status", "200")
    }),
    ("bdl-5", |d, n| remove_children(d, n, "resource")),
    ("bdl-7", duplicate_full_url),
    ("bdl-8", |d, n| {
        edit_value(d, n, "fullUrl", |v| format!("{v}/_history/1"))
    }),
    ("bdl-9", |d, n| {
        remove_children(d, n, "identifier");
        set(d, n, "type", "document")
    }),
    ("bdl-10", |d, n| {
        set(d, n, "type", "document") && remove_children(d, n, "timestamp")
    }),
    ("bdl-11", |d, n| set(d, n, "type", "document")),
    ("bdl-12", |d, n| {
        kids(d, n, "entry").len() > 1 && remove_first(d, n, "entry")
    }),
    ("dom-2", |d, n| {
        contained(d, n, |d, c| contained(d, c, |_, _| true))
    }),
    ("dom-3", |d, n| contained(d, n, |_, _| true)),
    ("dom-4", |d, n| {
        contained(d, n, |d, c| path_value(d, c, &["meta", "versionId"], "1"))
    }),
    ("dom-5", |d, n| {
        contained(d, n, |d, c| {
            path_value(d, c, &["meta", "security", "code"], "R")
        })
    }),
    ("dom-6", |d, n| {
        first(d, n, "text").is_some_and(|t| remove_children(d, t, "div"))
    }),
    ("ele-1", empty_element),
    ("txt-1", |d, n| {
        edit_own_value(d, n, |v| v.replacen("<div ", "<div onclick=\"x()\" ", 1))
    }),
    ("txt-2", |d, n| {
        edit_own_value(d, n, |_| {
            r#"<div xmlns="http://www.w3.org/1999/xhtml"> <p/> </div>"#.to_owned()
        })
    }),
    ("ext-1", extension_with_both),
    ("per-1", period_backwards),
    ("ref-1", |d, n| set(d, n, "reference", "#not-contained")),
    ("org-1", |d, n| {
        remove_children(d, n, "identifier") | remove_children(d, n, "name")
    }),
    ("org-2", |d, n| set(d, n, "use", "home")),
    ("org-3", |d, n| set(d, n, "use", "home")),
    ("cpt-2", |d, n| {
        first(d, n, "value").is_some() && remove_children(d, n, "system")
    }),
    ("pat-1", |d, n| {
        ["name", "telecom", "address", "organization"]
            .iter()
            .fold(false, |a, k| remove_children(d, n, k) | a)
    }),
    ("marital-status-unknown-usage", marital_status_p_and_a),
    ("dk-core-organization-mandatory-identifier", |d, n| {
        remove_children(d, n, "identifier")
    }),
    ("medcom-homecareObservation-4", |d, n| {
        remove_children(d, n, "name") | remove_children(d, n, "extension")
    }),
    ("medcom-messaging-1", |d, _| {
        header(d).is_some_and(|h| remove_children(d, h, "sender"))
    }),
    ("medcom-messaging-2", |d, _| remove_entries(d, "Provenance")),
    ("medcom-homecareObsMessage-1", |d, _| {
        header(d).is_some_and(|h| remove_children(d, h, "sender"))
    }),
    ("medcom-homecareObsMessage-2", |d, _| {
        set_codes(
            d,
            "Provenance",
            &["activity", "coding", "code"],
            "admit-inpatient",
        )
    }),
    ("medcom-hospitalNotification-2", |d, _| {
        remove_entries(d, "Patient")
    }),
    ("medcom-hospitalNotification-4", |d, _| {
        set_codes(
            d,
            "Patient",
            &["identifier", "system"],
            "urn:oid:1.2.208.176.1.6.1.1",
        )
    }),
    ("medcom-hospitalNotification-5", |d, _| {
        set_codes(
            d,
            "MessageHeader",
            &["destination", "extension", "value", "code"],
            "cc",
        )
    }),
    ("medcom-hospitalNotification-6", |d, n| {
        remove_children(d, n, "extension");
        set(d, n, "status", "onleave")
    }),
    ("medcom-acknowledgement-1", ack_error_without_outcome),
    ("medcom-acknowledgement-2", |d, _| {
        header(d).is_some_and(|h| remove_children(d, h, "response"))
    }),
    // 5.0.2 checks the header's meta.profile, 4.0.3 its conformance (focus is 1..1).
    ("medcom-careCommunication-1", |d, _| {
        other_profile(d, "MessageHeader")
            | header(d).is_some_and(|h| remove_children(d, h, "focus"))
    }),
    ("medcom-careCommunication-2", |d, _| {
        remove_entries(d, "Patient")
    }),
    ("medcom-careCommunication-3", |d, _| {
        other_profile(d, "Provenance")
    }),
    ("medcom-careCommunication-4", |d, _| {
        resources(d, "Practitioner")
            .into_iter()
            .fold(false, |a, p| remove_children(d, p, "name") | a)
    }),
    (
        "medcom-careCommunication-5",
        communication_priority_off_referral,
    ),
    ("medcom-careCommunication-6", |d, n| {
        remove_children(d, n, "topic");
        set_in(d, n, &["category", "coding", "code"], "other")
    }),
    (
        "medcom-careCommunication-7",
        practitioner_author_role_without_code,
    ),
    (
        "medcom-careCommunication-8",
        practitioner_author_without_name,
    ),
    ("medcom-careCommunication-9", encounter_without_episode),
    ("medcom-careCommunication-13", |d, _| {
        resources(d, "PractitionerRole")
            .into_iter()
            .fold(false, |a, r| remove_children(d, r, "practitioner") | a)
    }),
    ("medcom-careCommunication-15", encounter_without_reference),
    ("medcom-homecareReport-1", |d, n| {
        resolve_at(d, n).is_some_and(|r| remove_children(d, r, "code"))
    }),
    ("medcom-homecareReport-2", |d, n| {
        performer_practitioner(d, n).is_some_and(|p| remove_children(d, p, "name"))
    }),
    ("medcom-homecareReport-3", |d, n| {
        performer_practitioner(d, n).is_some_and(|p| remove_children(d, p, "telecom"))
    }),
    ("medcom-homecareReport-5", |d, n| {
        resolve_at(d, n).is_some_and(|r| remove_children(d, r, "code"))
    }),
    ("medcom-homecareReport-6", |d, n| {
        performer_practitioner(d, n).is_some_and(|p| remove_children(d, p, "name"))
    }),
    ("obs-3", |d, n| {
        ["low", "high", "text"]
            .iter()
            .fold(false, |a, k| remove_children(d, n, k) | a)
    }),
    ("obs-6", |d, n| {
        first(d, n, "value").is_some() && path_value(d, n, &["dataAbsentReason", "text"], "unknown")
    }),
    ("obs-7", observation_component_repeats_code),
    ("dk-core-observation-mandatory-units", |d, n| {
        first(d, n, "value")
            .is_some_and(|v| remove_children(d, v, "unit") | remove_children(d, v, "code"))
    }),
    ("qty-3", |d, n| {
        first(d, n, "code").is_some() && remove_children(d, n, "system")
    }),
    ("sqty-1", |d, n| append(d, n, "comparator", "<")),
    ("att-1", |d, n| {
        first(d, n, "data").is_some() && remove_children(d, n, "contentType")
    }),
    ("ctm-1", care_team_on_behalf_of),
    ("cpr", |d, n| bad_value(d, n, "3202701234")),
    ("x-ecpr", |d, n| bad_value(d, n, "x")),
    ("d-ecpr", |d, n| bad_value(d, n, "x")),
    ("gln-length", |d, n| bad_value(d, n, "123")),
    ("gln-modulus-10", |d, n| {
        edit_own_value(d, n, bump_last_digit)
    }),
    ("min-digits-sor", |d, n| bad_value(d, n, "123")),
    ("CVR-length", |d, n| bad_value(d, n, "123")),
    ("CVR-modulus-11", |d, n| {
        edit_own_value(d, n, bump_last_digit)
    }),
    ("authorization-id-format", |d, n| bad_value(d, n, "aaaaa")),
    ("uuid", |d, n| bad_value(d, n, "urn:uuid:not-a-uuid")),
    ("uuidv5", |d, n| bad_value(d, n, "urn:uuid:not-a-uuid")),
    ("medcom-uuidv4", |d, n| {
        bad_value(d, n, "urn:uuid:not-a-uuid")
    }),
    ("medcom-core-contact", |d, n| bad_value(d, n, "phone")),
    ("medcom-carecommunication-definition-url", |d, n| {
        bad_value(d, n, "http://example.org/MessageDefinition/other")
    }),
    ("medcom-hcobs-definition-url", |d, n| {
        bad_value(d, n, "http://example.org/MessageDefinition/other")
    }),
];

/// Invariants no edit can break: key, start of the expression, reason.
const CANNOT_FAIL: &[(&str, &str, &str)] = &[
    ("medcom-messaging-1", "entry.ofType(", "`entry.ofType(MessageHeader)`: an entry is a BackboneElement, never a MessageHeader (messaging 2.1.0)"),
    ("medcom-messaging-3", "entry.ofType(", "`entry.ofType(Provenance)`: an entry is a BackboneElement, never a Provenance"),
    ("medcom-hospitalNotification-1", "entry.ofType(", "`entry.ofType(MessageHeader)`: an entry is a BackboneElement, never a MessageHeader"),
    ("medcom-hospitalNotification-3", "entry.ofType(", "`entry.ofType(Provenance)`: an entry is a BackboneElement, never a Provenance"),
    ("medcom-careCommunication-11", "", "a PractitionerRole has no managingOrganization and a CareTeam no organization, so one comparison is always empty and the disjunction is never false"),
    ("medcom-careCommunication-12", "", "as medcom-careCommunication-11, for the recipient"),
    ("cpr", "value.", "on Identifier.value, `value` selects nothing"),
    ("x-ecpr", "value.", "on Identifier.value, `value` selects nothing"),
    ("d-ecpr", "value.", "on Identifier.value, `value` selects nothing"),
    ("gln-length", "value.", "on Identifier.value, `value` selects nothing"),
    ("gln-modulus-10", "((\n(10-((value.", "on Identifier.value, `value` selects nothing, so the sum is empty"),
    ("CVR-length", "value.", "on Identifier.value, `value` selects nothing"),
    ("CVR-modulus-11", "((\n    (value.", "on Identifier.value, `value` selects nothing, so the sum is empty"),
    ("uuid", "value.", "on Identifier.value, `value` selects nothing"),
    ("uuidv5", "value.", "on Identifier.value, `value` selects nothing"),
    ("medcom-uuidv4", "value.", "on Identifier.value (the assigned-identifier profile's element), `value` selects nothing"),
];

/// Mutants that survive, with the reason: key, start of the expression, the finding code that
/// shows the defect instead (at the context node, or at `Bundle` for detection), reason.
const SURVIVORS: &[(&str, &str, &str, &str)] = &[
    ("dom-3", "contained.where(", "fhir-invariant-error", "not evaluable: the FHIRPath engine requires one item for `as(canonical)` and `%resource.descendants().as(...)` has many, so the engine reports `fhir-invariant-error` (a warning) for any resource with a contained resource instead of dom-3 (the HL7 validator treats `as` as a filter there)"),
    ("medcom-carecommunication-definition-url", "matches(", "fhir-unsupported-version", "detection needs `…MessageDefinition|5.` as the prefix, which satisfies the unanchored alternative; any other definition is reported as `fhir-unsupported-version` at Bundle before the profiles run"),
    ("medcom-hcobs-definition-url", "matches(", "fhir-unsupported-version", "as medcom-carecommunication-definition-url, with `…MessageDefinition|1.`"),
];

// ---- document helpers ----

fn kids(d: &Document<'_>, n: NodeId, name: &str) -> Vec<NodeId> {
    d.node(n).children_named(name).map(|c| c.id()).collect()
}

fn first(d: &Document<'_>, n: NodeId, name: &str) -> Option<NodeId> {
    d.node(n).child(name).map(|c| c.id())
}

/// Removes every child of that name; whether there was one.
fn remove_children(d: &mut Document<'_>, n: NodeId, name: &str) -> bool {
    let k = kids(d, n, name);
    for c in &k {
        d.remove(*c);
    }
    !k.is_empty()
}

fn remove_first(d: &mut Document<'_>, n: NodeId, name: &str) -> bool {
    first(d, n, name).is_some_and(|c| {
        d.remove(c);
        true
    })
}

fn append(d: &mut Document<'_>, n: NodeId, name: &str, value: &str) -> bool {
    d.append_value(n, name, value.to_owned()).is_ok()
}

/// Sets a primitive child, appending it when absent.
fn set(d: &mut Document<'_>, n: NodeId, name: &str, value: &str) -> bool {
    match first(d, n, name) {
        Some(c) => {
            d.set_value(c, Some(value.to_owned().into()));
            true
        }
        None => append(d, n, name, value),
    }
}

/// Follows (or creates) a path of children and sets the last one.
fn path_value(d: &mut Document<'_>, n: NodeId, path: &[&str], value: &str) -> bool {
    let Some((last, steps)) = path.split_last() else {
        return false;
    };
    let mut at = n;
    for s in steps {
        at = match first(d, at, s) {
            Some(c) => c,
            None => match d.append(at, s, None, None) {
                Ok(c) => c,
                Err(_) => return false,
            },
        };
    }
    set(d, at, last, value)
}

/// Sets every existing node at a path below `n`.
fn set_in(d: &mut Document<'_>, n: NodeId, path: &[&str], value: &str) -> bool {
    let mut at = vec![n];
    for s in path {
        at = at.iter().flat_map(|&a| kids(d, a, s)).collect();
    }
    for &a in &at {
        d.set_value(a, Some(value.to_owned().into()));
    }
    !at.is_empty()
}

fn edit_value(d: &mut Document<'_>, n: NodeId, name: &str, f: fn(&str) -> String) -> bool {
    let Some(c) = first(d, n, name) else {
        return false;
    };
    edit_own_value(d, c, f)
}

fn edit_own_value(d: &mut Document<'_>, n: NodeId, f: fn(&str) -> String) -> bool {
    let Some(v) = d.node(n).value().map(f) else {
        return false;
    };
    d.set_value(n, Some(v.into()));
    true
}

/// A primitive context gets the value; an Identifier (or other complex) context its `value`.
fn bad_value(d: &mut Document<'_>, n: NodeId, value: &str) -> bool {
    if d.node(n).ty().primitive().is_some() {
        d.set_value(n, Some(value.to_owned().into()));
        true
    } else {
        set(d, n, "value", value)
    }
}

fn bump_last_digit(v: &str) -> String {
    let mut s = v.to_owned();
    if let Some(c) = s.pop() {
        let d = c.to_digit(10).map_or(0, |d| (d + 1) % 10);
        s.push(char::from_digit(d, 10).unwrap_or('0'));
    }
    s
}

/// Entry resources of a type.
fn resources(d: &Document<'_>, ty: &str) -> Vec<NodeId> {
    d.root()
        .children_named("entry")
        .filter_map(|e| e.child("resource"))
        .filter(|r| r.ty().name() == ty)
        .map(|r| r.id())
        .collect()
}

fn header(d: &Document<'_>) -> Option<NodeId> {
    resources(d, "MessageHeader").first().copied()
}

fn remove_entries(d: &mut Document<'_>, ty: &str) -> bool {
    let entries: Vec<NodeId> = resources(d, ty)
        .into_iter()
        .filter_map(|r| d.node(r).parent().map(|p| p.id()))
        .collect();
    for e in &entries {
        d.remove(*e);
    }
    !entries.is_empty()
}

fn set_codes(d: &mut Document<'_>, ty: &str, path: &[&str], value: &str) -> bool {
    resources(d, ty)
        .into_iter()
        .fold(false, |a, r| set_in(d, r, path, value) | a)
}

/// The resource a reference (the node or its `reference` child) points to, by `Type/id` or
/// full URL.
fn resolve(d: &Document<'_>, reference: &str) -> Option<NodeId> {
    d.root().children_named("entry").find_map(|e| {
        let r = e.child("resource")?;
        let by_url = e.child_value("fullUrl") == Some(reference);
        let by_id = r
            .child_value("id")
            .is_some_and(|id| reference.ends_with(&format!("{}/{id}", r.ty().name())));
        (by_url || by_id).then(|| r.id())
    })
}

fn resolve_at(d: &Document<'_>, n: NodeId) -> Option<NodeId> {
    let node = d.node(n);
    let reference = node.value().or_else(|| node.child_value("reference"))?;
    resolve(d, reference)
}

/// The Practitioner of the PractitionerRole a reference points to.
fn performer_practitioner(d: &Document<'_>, n: NodeId) -> Option<NodeId> {
    let role = resolve_at(d, n)?;
    let p = first(d, role, "practitioner")?;
    resolve_at(d, p)
}

// ---- recipes ----

fn last_entry_gets(d: &mut Document<'_>, n: NodeId, name: &str, k: &str, v: &str) -> bool {
    let Some(&e) = kids(d, n, "entry").last() else {
        return false;
    };
    match d.append(e, name, None, None) {
        Ok(c) => append(d, c, k, v),
        Err(_) => false,
    }
}

fn duplicate_full_url(d: &mut Document<'_>, n: NodeId) -> bool {
    let entries = kids(d, n, "entry");
    let (Some(&a), Some(&b)) = (entries.first(), entries.get(1)) else {
        return false;
    };
    let Some(url) = d.node(a).child_value("fullUrl").map(str::to_owned) else {
        return false;
    };
    set(d, b, "fullUrl", &url)
}

/// Appends a contained Basic with an id, then lets `then` edit it.
fn contained(d: &mut Document<'_>, n: NodeId, then: fn(&mut Document<'_>, NodeId) -> bool) -> bool {
    let Some(basic) = Type::resource("Basic") else {
        return false;
    };
    match d.append(n, "contained", Some(basic), None) {
        Ok(c) => set(d, c, "id", "mutant") && then(d, c),
        Err(_) => false,
    }
}

fn empty_element(d: &mut Document<'_>, n: NodeId) -> bool {
    let children: Vec<NodeId> = d.node(n).children().map(|c| c.id()).collect();
    for c in children {
        d.remove(c);
    }
    d.set_value(n, None);
    true
}

fn extension_with_both(d: &mut Document<'_>, n: NodeId) -> bool {
    if first(d, n, "value").is_some() {
        match d.append(n, "extension", None, None) {
            Ok(e) => {
                set(d, e, "url", "http://example.org/nested")
                    && d.append(e, "value", Type::by_name("string"), Some("x".into()))
                        .is_ok()
            }
            Err(_) => false,
        }
    } else {
        d.append(n, "value", Type::by_name("string"), Some("x".into()))
            .is_ok()
    }
}

fn period_backwards(d: &mut Document<'_>, n: NodeId) -> bool {
    let node = d.node(n);
    match (node.child_value("start"), node.child_value("end")) {
        // Same precision as start, so the comparison is defined.
        (Some(s), _) if s.len() >= 4 => {
            let end = format!("1900{}", &s[4..]);
            set(d, n, "end", &end)
        }
        (None, Some(e)) if e.len() >= 4 => {
            let start = format!("2999{}", &e[4..]);
            set(d, n, "start", &start)
        }
        _ => false,
    }
}

fn marital_status_p_and_a(d: &mut Document<'_>, n: NodeId) -> bool {
    remove_children(d, n, "maritalStatus");
    let Ok(ms) = d.append(n, "maritalStatus", None, None) else {
        return false;
    };
    ["P", "A"]
        .iter()
        .all(|code| match d.append(ms, "coding", None, None) {
            Ok(c) => {
                append(
                    d,
                    c,
                    "system",
                    "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus",
                ) && append(d, c, "code", code)
            }
            Err(_) => false,
        })
}

fn ack_error_without_outcome(d: &mut Document<'_>, _: NodeId) -> bool {
    let Some(h) = header(d) else {
        return false;
    };
    let Some(response) = first(d, h, "response") else {
        return false;
    };
    set(d, response, "code", "fatal-error");
    remove_entries(d, "OperationOutcome");
    true
}

/// Every resource of the type declares a profile that is not the one required.
fn other_profile(d: &mut Document<'_>, ty: &str) -> bool {
    resources(d, ty).into_iter().fold(false, |a, r| {
        let meta = match first(d, r, "meta") {
            Some(m) => m,
            None => match d.append(r, "meta", None, None) {
                Ok(m) => m,
                Err(_) => return a,
            },
        };
        remove_children(d, meta, "profile");
        append(
            d,
            meta,
            "profile",
            "http://example.org/StructureDefinition/other",
        ) | a
    })
}

fn communication_priority_off_referral(d: &mut Document<'_>, n: NodeId) -> bool {
    let referral = d
        .node(n)
        .child("category")
        .and_then(|c| c.child("coding"))
        .and_then(|c| c.child_value("code"))
        == Some("regarding-referral");
    if referral {
        set_in(d, n, &["category", "coding", "code"], "medicine");
    }
    set(d, n, "priority", "routine")
}

const PRACTITIONER_EXT: &str =
    "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitioner-extension";

/// The PractitionerRoles the Communication's payloads name through the practitioner extension.
fn practitioner_author_roles(d: &Document<'_>, n: NodeId) -> Vec<NodeId> {
    d.node(n)
        .children_named("payload")
        .flat_map(|p| p.children_named("extension"))
        .filter(|e| e.child_value("url") == Some(PRACTITIONER_EXT))
        .filter_map(|e| e.child("value"))
        .filter_map(|v| resolve_at(d, v.id()))
        .collect()
}

fn practitioner_author_role_without_code(d: &mut Document<'_>, n: NodeId) -> bool {
    practitioner_author_roles(d, n)
        .into_iter()
        .fold(false, |a, r| remove_children(d, r, "code") | a)
}

fn practitioner_author_without_name(d: &mut Document<'_>, n: NodeId) -> bool {
    let practitioners: Vec<NodeId> = practitioner_author_roles(d, n)
        .into_iter()
        .filter_map(|r| first(d, r, "practitioner").and_then(|p| resolve_at(d, p)))
        .collect();
    practitioners
        .into_iter()
        .fold(false, |a, p| remove_children(d, p, "name") | a)
}

fn encounter_without_episode(d: &mut Document<'_>, n: NodeId) -> bool {
    match first(d, n, "encounter").and_then(|e| resolve_at(d, e)) {
        Some(enc) => remove_children(d, enc, "episodeOfCare"),
        None => false,
    }
}

fn encounter_without_reference(d: &mut Document<'_>, n: NodeId) -> bool {
    let enc = match first(d, n, "encounter") {
        Some(e) => e,
        None => match d.append(n, "encounter", None, None) {
            Ok(e) => e,
            Err(_) => return false,
        },
    };
    remove_children(d, enc, "reference");
    set(d, enc, "display", "an encounter")
}

fn observation_component_repeats_code(d: &mut Document<'_>, n: NodeId) -> bool {
    if first(d, n, "value").is_none() {
        return false;
    }
    // The whole Coding, so `intersect` (item equality) finds it.
    let coding: Vec<(&'static str, String)> = d
        .node(n)
        .child("code")
        .and_then(|c| c.child("coding"))
        .map(|c| {
            c.children()
                .filter_map(|k| k.value().map(|v| (k.name(), v.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    if coding.is_empty() {
        return false;
    }
    let Ok(comp) = d.append(n, "component", None, None) else {
        return false;
    };
    let Ok(concept) = d.append(comp, "code", None, None) else {
        return false;
    };
    let Ok(c) = d.append(concept, "coding", None, None) else {
        return false;
    };
    coding.iter().all(|(k, v)| append(d, c, k, v))
}

fn care_team_on_behalf_of(d: &mut Document<'_>, n: NodeId) -> bool {
    // Holds unless the member resolves to something other than a Practitioner.
    let member = first(d, n, "member").and_then(|m| resolve_at(d, m));
    if member.is_none_or(|m| d.node(m).ty().name() == "Practitioner") {
        return false;
    }
    path_value(d, n, &["onBehalfOf", "reference"], "Organization/x")
}

// ---- the test ----

fn recipe(key: &str) -> Option<Recipe> {
    RECIPES.iter().find(|(k, _)| *k == key).map(|(_, r)| *r)
}

fn cannot_fail(site: &InvariantSite, doc: &Document<'_>) -> Option<&'static str> {
    // `value.…` selects nothing only on a primitive (the same expression can fail on a whole
    // Identifier, as on CareCommunication 4.0.3's Communication.identifier).
    let primitive = doc.node(site.node).ty().primitive().is_some();
    CANNOT_FAIL
        .iter()
        .find(|(k, start, _)| {
            *k == site.key
                && site.expression.starts_with(start)
                && (primitive || !start.contains("value."))
        })
        .map(|(_, _, why)| *why)
}

/// The reason a mutant survives, when the defect shows as the finding that table names.
fn explained(site: &InvariantSite, findings: &[Finding]) -> Option<&'static str> {
    let (_, _, code, why) = SURVIVORS
        .iter()
        .find(|(k, start, _, _)| *k == site.key && site.expression.starts_with(start))?;
    findings
        .iter()
        .any(|f| f.code() == *code && (f.location() == site.location || f.location() == "Bundle"))
        .then_some(*why)
}

fn reported(findings: &[Finding], site: &InvariantSite) -> bool {
    findings.iter().any(|f| {
        f.code() == "fhir-invariant"
            && f.location() == site.location
            && f.message().starts_with(&format!("{}:", site.key))
            && f.rule()
                .is_some_and(|r| r.ends_with(&format!("#{}", site.key)))
    })
}

/// Every invariant key of a compiled rule file (`schemas/fhir/`).
fn declared(file: &str) -> BTreeSet<String> {
    let path = format!("{}/schemas/fhir/{file}", env!("CARGO_MANIFEST_DIR"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("rule file")).expect("JSON");
    json["constraints"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.get(0).and_then(|k| k.as_str()).map(str::to_owned))
        .chain(["ele-1".to_owned(), "ext-1".to_owned()])
        .collect()
}

#[derive(Default)]
struct Tally {
    mutants: usize,
    killed: usize,
    keys_broken: BTreeSet<String>,
    keys_seen: BTreeSet<String>,
    not_applicable: BTreeMap<String, usize>,
    cannot_fail: BTreeMap<String, &'static str>,
    explained: BTreeMap<(String, &'static str), usize>,
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn each_invariant_broken_once_is_reported() {
    let Some(shared) = common::shared() else {
        return;
    };
    let engine = Engine::embedded().expect("built-in rules");
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut survivors: BTreeMap<String, usize> = BTreeMap::new();
    let mut missing_recipe = BTreeSet::new();
    let mut bundles = HashSet::new();
    let mut disagreements = Vec::new();
    for ex in common::examples(&shared) {
        let family = ex.message_type.split('/').next().unwrap_or("");
        let Some(&(_, _, stack)) = CURRENT
            .iter()
            .find(|(f, v, _)| *f == family && ex.ig_version.starts_with(v))
        else {
            continue;
        };
        if !ex.is_fhir()
            || !ex.is_json()
            || !ex.validity.starts_with("valid")
            || !bundles.insert((stack, ex.bundle_id.clone()))
        {
            continue;
        }
        let text = common::read(&ex.path);
        let doc = medcom::parse(&text).expect("example reads");
        let mut base = Vec::new();
        engine.check(&doc, &mut base);
        let tally = tallies.entry(stack).or_default();
        for site in engine.invariant_sites(&doc) {
            tally.keys_seen.insert(site.key.clone());
            // Already failing in the example (an xfail of the corpus test): nothing to plant.
            if reported(&base, &site) {
                continue;
            }
            if let Some(why) = cannot_fail(&site, &doc) {
                tally.cannot_fail.insert(site.key.clone(), why);
                continue;
            }
            let Some(edit) = recipe(&site.key) else {
                missing_recipe.insert(format!("{} ({})", site.key, site.expression));
                continue;
            };
            let mut mutant = doc.clone();
            if !edit(&mut mutant, site.node) {
                *tally.not_applicable.entry(site.key.clone()).or_default() += 1;
                continue;
            }
            let mut findings = Vec::new();
            engine.check(&mutant, &mut findings);
            // Native invariant answers must agree with FHIRPath on every mutant too.
            for d in engine.native_disagreements(&mutant) {
                disagreements.push(format!("{} {}: {d}", ex.file, site.key));
            }
            tally.mutants += 1;
            if reported(&findings, &site) {
                tally.killed += 1;
                tally.keys_broken.insert(site.key.clone());
            } else if let Some(why) = explained(&site, &findings) {
                *tally.explained.entry((site.key.clone(), why)).or_default() += 1;
            } else {
                let got: Vec<String> = findings
                    .iter()
                    .filter(|f| f.code().starts_with("fhir-invariant"))
                    .take(3)
                    .map(|f| format!("{}@{}", f.message(), f.location()))
                    .collect();
                *survivors
                    .entry(format!(
                        "{stack} {} @{} ({}): {got:?}",
                        site.key, site.location, ex.file
                    ))
                    .or_default() += 1;
            }
        }
    }
    for (file, t) in &tallies {
        let never: Vec<String> = declared(file)
            .into_iter()
            .filter(|k| !t.keys_seen.contains(k))
            .collect();
        eprintln!(
            "invariant mutations {file}: {}/{} killed ({:.1}%); {} keys broken and reported, {} cannot fail, {} with no context element in any example",
            t.killed,
            t.mutants,
            100.0 * t.killed as f64 / t.mutants.max(1) as f64,
            t.keys_broken.len(),
            t.cannot_fail.len(),
            never.len(),
        );
        eprintln!(
            "  broken: {}",
            t.keys_broken.iter().cloned().collect::<Vec<_>>().join(" ")
        );
        for (k, why) in &t.cannot_fail {
            eprintln!("  cannot fail: {k}: {why}");
        }
        for ((k, why), n) in &t.explained {
            eprintln!("  survivor x{n}: {k}: {why}");
        }
        for (k, n) in &t.not_applicable {
            eprintln!("  not applicable x{n}: {k} (nothing to edit in that message)");
        }
        eprintln!("  no context element in any example: {}", never.join(" "));
    }
    for (s, n) in &survivors {
        eprintln!("survivor x{n}: {s}");
    }
    assert!(
        missing_recipe.is_empty(),
        "invariants in force without a recipe or a reason: {missing_recipe:?}"
    );
    assert!(
        survivors.is_empty(),
        "{} surviving mutants",
        survivors.values().sum::<usize>()
    );
    assert_eq!(tallies.len(), CURRENT.len(), "a stack had no valid example");
    assert!(
        disagreements.is_empty(),
        "native invariant answers that differ from FHIRPath: {disagreements:#?}"
    );
}
