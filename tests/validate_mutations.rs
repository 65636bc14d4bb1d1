//! Mutation tests for the MedCom message rules: every current-version official example (JSON
//! form) is broken in one place at a time, and the rules must report the expected code at the
//! expected location (on top of whatever the unmutated example already gives). Prints the kill
//! rate per standard and mutation.

mod common;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use medcom::model::{Node, NodeId, PrimitiveKind};
use medcom::validate::Validator;
use medcom::Document;

/// A mutation: what it does to a copy, and the finding it must cause.
struct Mutant {
    kind: &'static str,
    apply: Box<dyn Fn(&mut Document<'_>)>,
    code: &'static str,
    location: String,
}

fn nodes<'d, 'a>(node: Node<'d, 'a>) -> Vec<Node<'d, 'a>> {
    let mut out = Vec::new();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        out.push(n);
        let at = stack.len();
        stack.extend(n.children());
        stack[at..].reverse();
    }
    out
}

fn set(id: NodeId, value: &'static str) -> Box<dyn Fn(&mut Document<'_>)> {
    Box::new(move |d: &mut Document<'_>| d.set_value(id, Some(Cow::Borrowed(value))))
}

fn set_owned(id: NodeId, value: String) -> Box<dyn Fn(&mut Document<'_>)> {
    Box::new(move |d: &mut Document<'_>| d.set_value(id, Some(Cow::Owned(value.clone()))))
}

fn strip_timezone(v: &str) -> Option<String> {
    if !v.contains('T') {
        return None;
    }
    if let Some(s) = v.strip_suffix('Z') {
        return Some(s.to_owned());
    }
    let n = v.len();
    (n > 6 && matches!(v.as_bytes()[n - 6], b'+' | b'-')).then(|| v[..n - 6].to_owned())
}

fn code_of<'d, 'a>(node: Node<'d, 'a>, name: &str) -> Option<Node<'d, 'a>> {
    node.child(name)?
        .children_named("coding")
        .find_map(|c| c.child("code"))
}

fn refers_to_header(reference: &str, header: Node<'_, '_>, full_url: Option<&str>) -> bool {
    let id = header.child_value("id").unwrap_or("\u{0}");
    Some(reference) == full_url || reference.ends_with(&format!("MessageHeader/{id}"))
}

fn mutants(doc: &Document<'_>) -> Vec<Mutant> {
    let root = doc.root();
    let mut out = Vec::new();
    let entries: Vec<Node<'_, '_>> = root.children_named("entry").collect();
    let header_entry = entries.first().copied();
    let header = header_entry
        .and_then(|e| e.child("resource"))
        .filter(|r| r.ty().name() == "MessageHeader");
    let Some(header) = header else {
        return out;
    };
    let header_url = header_entry.and_then(|e| e.child_value("fullUrl"));
    let header_path = header.path();
    if let Some(first) = header_entry.filter(|_| entries.len() > 1) {
        let id = first.id();
        out.push(Mutant {
            kind: "entry[0] not a MessageHeader",
            apply: Box::new(move |d| d.remove(id)),
            code: "medcom-header-first",
            location: "Bundle.entry[0].resource".into(),
        });
    }
    if let Some(id) = root.child("id") {
        out.push(Mutant {
            kind: "Bundle.id not a UUID",
            apply: set(id.id(), "not-a-uuid"),
            code: "medcom-uuid",
            location: id.path(),
        });
    }
    if let Some(id) = header.child("id") {
        out.push(Mutant {
            kind: "MessageHeader.id not a UUID",
            apply: set(id.id(), "m1"),
            code: "medcom-uuid",
            location: id.path(),
        });
    }
    let all = nodes(root);
    for n in &all {
        let ty = n.ty().name();
        if ty == "Identifier" {
            let (Some(system), Some(value)) = (n.child_value("system"), n.child("value")) else {
                continue;
            };
            let (kind, bad, code) = match system {
                "urn:oid:1.2.208.176.1.2" => ("bad CPR", "3113450000", "dk-cpr-date"),
                "https://www.gs1.org/gln" | "http://www.gs1.org/gln" | "urn:oid:1.3.88" => {
                    ("bad GLN", "579000012152", "dk-gln-format")
                }
                "urn:oid:1.2.208.176.1.1" => ("bad SOR", "12345", "dk-sor-format"),
                _ => continue,
            };
            out.push(Mutant {
                kind,
                apply: set(value.id(), bad),
                code,
                location: value.path(),
            });
        }
        if matches!(
            n.ty().primitive(),
            Some(PrimitiveKind::DateTime | PrimitiveKind::Instant)
        ) {
            if let Some(stripped) = n.value().and_then(strip_timezone) {
                out.push(Mutant {
                    kind: "timestamp without timezone",
                    apply: set_owned(n.id(), stripped),
                    code: "medcom-timezone",
                    location: n.path(),
                });
            }
        }
        if n.name() == "resource" && ty == "Communication" {
            for v in n
                .children_named("identifier")
                .filter_map(|i| i.child("value"))
            {
                if let Some(bare) = v.value().and_then(|s| s.strip_prefix("urn:uuid:")) {
                    out.push(Mutant {
                        kind: "Communication.identifier without urn:uuid",
                        apply: set_owned(v.id(), bare.to_owned()),
                        code: "medcom-uuid",
                        location: v.path(),
                    });
                }
            }
        }
    }
    let provenances: Vec<Node<'_, '_>> = entries
        .iter()
        .filter_map(|e| e.child("resource"))
        .filter(|r| r.ty().name() == "Provenance")
        .collect();
    let is_current = |p: &Node<'_, '_>| {
        p.children_named("target")
            .filter_map(|t| t.child_value("reference"))
            .any(|r| refers_to_header(r, header, header_url))
    };
    let current: Vec<NodeId> = provenances
        .iter()
        .filter(|p| is_current(p))
        .flat_map(|p| {
            p.children_named("target")
                .filter_map(|t| t.child("reference"))
                .map(|r| r.id())
        })
        .collect();
    if !current.is_empty() {
        out.push(Mutant {
            kind: "Provenance target broken",
            apply: Box::new(move |d| {
                for &id in &current {
                    d.set_value(
                        id,
                        Some(Cow::Borrowed(
                            "MessageHeader/00000000-0000-4000-8000-000000000000",
                        )),
                    )
                }
            }),
            code: "medcom-provenance-target",
            location: header_path,
        });
    }
    for p in &provenances {
        if let Some(r) = p.child("target").and_then(|t| t.child("reference")) {
            out.push(Mutant {
                kind: "Provenance target not a MessageHeader",
                apply: set(r.id(), "Patient/x"),
                code: "medcom-provenance-target",
                location: r.path(),
            });
        }
        for e in p.children_named("entity") {
            let role = e.child_value("role");
            if let (Some("revision" | "removal"), Some(r)) =
                (role, e.child("what").and_then(|w| w.child("reference")))
            {
                out.push(Mutant {
                    kind: "entity.what not a MessageHeader",
                    apply: set(r.id(), "Patient/x"),
                    code: "medcom-provenance-entity",
                    location: r.path(),
                });
            }
        }
    }
    let event = header
        .child("event")
        .and_then(|e| e.child_value("code"))
        .unwrap_or("");
    let current_provenance = provenances.iter().find(|p| is_current(p)).copied();
    if let Some(p) = current_provenance {
        let activity = code_of(p, "activity");
        let needs = activity.and_then(|a| a.value()).is_some_and(|a| {
            a.starts_with("cancel-")
                || a.starts_with("revise-")
                || matches!(
                    a,
                    "reply-message"
                        | "forward-message"
                        | "acknowledgement"
                        | "start-leave-inpatient"
                        | "end-leave-inpatient"
                        | "discharge-inpatient-home"
                        | "discharge-emergency-home"
                )
        });
        if let (true, Some(a)) = (needs, activity) {
            let ids: Vec<NodeId> = p
                .children_named("entity")
                .filter(|e| matches!(e.child_value("role"), Some("revision" | "removal")))
                .map(|e| e.id())
                .collect();
            out.push(Mutant {
                kind: "follow-up without predecessor entity",
                apply: Box::new(move |d| {
                    for &id in &ids {
                        d.remove(id)
                    }
                }),
                code: "medcom-provenance-entity",
                location: a.path(),
            });
        }
        if event == "hospital-notification-message" {
            let encounter = entries
                .iter()
                .filter_map(|e| e.child("resource"))
                .find(|r| r.ty().name() == "Encounter");
            if let Some(class) = encounter
                .and_then(|e| e.child("class"))
                .and_then(|c| c.child("code"))
            {
                let flipped = if class.value() == Some("IMP") {
                    "EMER"
                } else {
                    "IMP"
                };
                out.push(Mutant {
                    kind: "HospitalNotification class flipped",
                    apply: set(class.id(), flipped),
                    code: "medcom-hn-state",
                    location: class.path(),
                });
            }
            let cancel_other = activity
                .and_then(|a| a.value())
                .is_some_and(|a| a.starts_with("cancel-") && !a.starts_with("cancel-admit-"));
            if let (Some(status), false) = (encounter.and_then(|e| e.child("status")), cancel_other)
            {
                let other = if status.value() == Some("onleave") {
                    "in-progress"
                } else {
                    "onleave"
                };
                out.push(Mutant {
                    kind: "HospitalNotification status changed",
                    apply: set(status.id(), other),
                    code: "medcom-hn-state",
                    location: status.path(),
                });
            }
        }
        if event == "acknowledgement-message" {
            if let Some(id) = header.child("response").and_then(|r| r.child("identifier")) {
                let what = p
                    .children_named("entity")
                    .find(|e| e.child_value("role") == Some("revision"))
                    .and_then(|e| e.child("what"))
                    .and_then(|w| w.child("reference"));
                if let Some(what) = what {
                    out.push(Mutant {
                        kind: "Acknowledgement response.identifier changed",
                        apply: set(id.id(), "00000000-0000-4000-8000-000000000000"),
                        code: "medcom-ack-pairing",
                        location: what.path(),
                    });
                }
            }
            for copy in provenances.iter().filter(|q| !is_current(q)) {
                if let Some(a) = code_of(*copy, "activity") {
                    out.push(Mutant {
                        kind: "Acknowledgement of an acknowledgement",
                        apply: set(a.id(), "acknowledgement"),
                        code: "medcom-ack-pairing",
                        location: a.path(),
                    });
                }
            }
        }
    }
    out
}

const CURRENT: &[(&str, &str)] = &[
    ("carecommunication/", "5.0."),
    ("carecommunicationtestscripts/", "5.0."),
    ("hospitalnotification/", "3.0."),
    ("hospitalnotificationtestscripts/", "3.0."),
    ("acknowledgement/", "2.0."),
    ("acknowledgementtestscript/", "2.0."),
    ("homecareobservation/", "1.2."),
    ("messaging/", "4.0."),
];

fn is_current(file: &str) -> bool {
    let Some(rest) = file.strip_prefix("medcomfhir-website/ig/") else {
        return false;
    };
    CURRENT.iter().any(|(ig, v)| {
        rest.strip_prefix(ig)
            .and_then(|r| r.split('/').next())
            .is_some_and(|ver| {
                ver.starts_with(v) && ver[v.len()..].bytes().all(|b| b.is_ascii_digit())
            })
    })
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn mutations_are_reported() {
    let Some(shared) = common::shared() else {
        return;
    };
    let validator = Validator::rules_only();
    // standard → mutation kind → (killed, total, already reported before the mutation)
    let mut rates: BTreeMap<String, BTreeMap<&'static str, (usize, usize, usize)>> =
        BTreeMap::new();
    let mut survivors = Vec::new();
    for example in common::examples(&shared) {
        if !example.is_fhir()
            || !example.is_json()
            || !example.validity.starts_with("valid")
            || !is_current(&example.file)
        {
            continue;
        }
        let text = common::read(&example.path);
        let doc = medcom::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", example.file));
        let key = |f: &medcom::finding::Finding| format!("{} {}", f.code(), f.location());
        let baseline: BTreeSet<String> =
            validator.report(&doc).findings().iter().map(key).collect();
        let standard = example
            .message_type
            .split('/')
            .next()
            .unwrap_or("")
            .to_owned();
        for m in mutants(&doc) {
            let mut copy = doc.clone();
            (m.apply)(&mut copy);
            let want = format!("{} {}", m.code, m.location);
            let report = validator.report(&copy);
            let killed =
                !baseline.contains(&want) && report.findings().iter().any(|f| key(f) == want);
            // The fast path must agree with the report on every mutant.
            assert_eq!(
                validator.is_valid(&copy),
                report.is_valid(),
                "{}: {}",
                example.file,
                m.kind
            );
            let rate = rates
                .entry(standard.clone())
                .or_default()
                .entry(m.kind)
                .or_default();
            rate.1 += 1;
            if killed {
                rate.0 += 1;
            } else if baseline.contains(&want) {
                // The example breaks that rule already (it is in tests/validate_xfail.tsv).
                rate.2 += 1;
            } else {
                survivors.push(format!("{}: {} (want {want})", example.file, m.kind));
            }
        }
    }
    let (mut killed, mut total, mut already) = (0, 0, 0);
    for (standard, kinds) in &rates {
        let (k, t, a) = kinds
            .values()
            .fold((0, 0, 0), |(x, y, z), (k, t, a)| (x + k, y + t, z + a));
        println!(
            "{standard}: {k}/{} mutants killed ({:.1}%); {a} more hit a rule the example already breaks (xfail)",
            t - a,
            100.0 * k as f64 / (t - a).max(1) as f64
        );
        for (kind, (k, t, a)) in kinds {
            println!("    {kind}: {k}/{} (+{a} xfail)", t - a);
        }
        killed += k;
        total += t;
        already += a;
    }
    println!(
        "all: {killed}/{} killed, {already} on rules already broken",
        total - already
    );
    assert!(
        survivors.is_empty(),
        "surviving mutants:\n{}",
        survivors.join("\n")
    );
    assert!(total > 1000, "only {total} mutants");
}
