//! References inside document and message Bundles, as the official validator reads them.
//!
//! - A document's Composition names what the document is about and who made it: its
//!   `subject`, `author`, `encounter`, `custodian`, `attester.party`, `event.detail`, and in
//!   every section (nested ones too) `author`, `focus` and `entry` must resolve to an entry of
//!   the Bundle (`fhir-reference-unresolved`, an error).
//! - A message's `MessageHeader.focus` likewise.
//! - Every entry must be reachable from the first one by following references, forwards or
//!   backwards (a Provenance that points at what it describes counts):
//!   `fhir-bundle-orphan`, an error in a document and a warning in a message.
//!
//! Not required to resolve: `#id` references (contained resources are checked elsewhere), an
//! absolute URL of a canonical resource type or of a definition the rules hold, and relative
//! references that name no resource type.

use std::collections::HashMap;

use super::check::Checker;
use crate::finding::{Finding, Severity};
use crate::model::{Node, NodeId, Type};

/// R4 resource types whose instances are definitions found by canonical URL, which a Bundle
/// need not carry.
const CANONICAL_TYPES: &[&str] = &[
    "ActivityDefinition",
    "CapabilityStatement",
    "ChargeItemDefinition",
    "CodeSystem",
    "CompartmentDefinition",
    "ConceptMap",
    "EffectEvidenceSynthesis",
    "EventDefinition",
    "Evidence",
    "EvidenceVariable",
    "ExampleScenario",
    "GraphDefinition",
    "ImplementationGuide",
    "Library",
    "Measure",
    "MessageDefinition",
    "NamingSystem",
    "OperationDefinition",
    "PlanDefinition",
    "Questionnaire",
    "ResearchDefinition",
    "ResearchElementDefinition",
    "RiskEvidenceSynthesis",
    "SearchParameter",
    "StructureDefinition",
    "StructureMap",
    "TerminologyCapabilities",
    "TestScript",
    "ValueSet",
];

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Document,
    Message,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Document => "document",
            Kind::Message => "message",
        }
    }
}

/// Checks the references of a document or message Bundle (see the [module
/// documentation](self)); other roots are left alone.
pub(super) fn links(checker: &Checker<'_, '_, '_>, root: Node<'_, '_>, out: &mut Vec<Finding>) {
    if root.ty().name() != "Bundle" {
        return;
    }
    let kind = match root.child_value("type") {
        Some("document") => Kind::Document,
        Some("message") => Kind::Message,
        _ => return,
    };
    let Some(first) = checker.entries.entries().first().and_then(|e| e.resource) else {
        return;
    };
    let mut required = Vec::new();
    match (kind, first.ty().name()) {
        (Kind::Document, "Composition") => {
            for name in ["subject", "author", "encounter", "custodian"] {
                required.extend(first.children_named(name));
            }
            for attester in first.children_named("attester") {
                required.extend(attester.children_named("party"));
            }
            for event in first.children_named("event") {
                required.extend(event.children_named("detail"));
            }
            sections(first, &mut required);
        }
        (Kind::Message, "MessageHeader") => required.extend(first.children_named("focus")),
        _ => {}
    }
    for reference in required {
        must_resolve(checker, kind, reference, out);
    }
    orphans(checker, kind, root, out);
}

fn sections<'d, 'a>(parent: Node<'d, 'a>, required: &mut Vec<Node<'d, 'a>>) {
    for section in parent.children_named("section") {
        for name in ["author", "focus", "entry"] {
            required.extend(section.children_named(name));
        }
        sections(section, required);
    }
}

fn must_resolve(
    checker: &Checker<'_, '_, '_>,
    kind: Kind,
    reference: Node<'_, '_>,
    out: &mut Vec<Finding>,
) {
    let Some(r) = reference.child("reference") else {
        return;
    };
    let Some(text) = r.value() else { return };
    if text.starts_with('#') || excused(checker, text) {
        return;
    }
    if checker.entries.resolve(Some(reference), text).is_none() {
        out.push(
            Finding::new(
                "fhir-reference-unresolved",
                Severity::Error,
                r.path(),
                format!(
                    "reference does not resolve to an entry of the {} Bundle",
                    kind.name()
                ),
            )
            .with_position(r.position())
            .with_rule("http://hl7.org/fhir/StructureDefinition/Bundle")
            .with_value(text),
        );
    }
}

/// References a Bundle need not hold the target of.
fn excused(checker: &Checker<'_, '_, '_>, text: &str) -> bool {
    if text.starts_with("urn:") {
        return false;
    }
    if crate::model::message::is_absolute(text) {
        let mut segments = text.trim_end_matches('/').rsplit('/');
        let _id = segments.next();
        return segments
            .next()
            .is_some_and(|ty| CANONICAL_TYPES.contains(&ty))
            || checker.rules.profile(text).is_some();
    }
    let mut parts = text.split('/');
    match (parts.next(), parts.next()) {
        (Some(ty), Some(_)) => Type::resource(ty).is_none(),
        _ => true,
    }
}

/// Entries no chain of references connects to the first one.
fn orphans(checker: &Checker<'_, '_, '_>, kind: Kind, root: Node<'_, '_>, out: &mut Vec<Finding>) {
    let entries = checker.entries.entries();
    let by_node: HashMap<NodeId, usize> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.resource.map(|r| (r.id(), i)))
        .collect();
    // Forward links of every entry, by entry index.
    let mut targets: Vec<Vec<usize>> = vec![Vec::new(); entries.len()];
    for (i, e) in entries.iter().enumerate() {
        let Some(resource) = e.resource else { continue };
        let mut stack = vec![resource];
        while let Some(node) = stack.pop() {
            stack.extend(node.children());
            if node.ty().name() != "Reference" {
                continue;
            }
            let Some(text) = node.child_value("reference") else {
                continue;
            };
            if text.starts_with('#') {
                continue;
            }
            if let Some(t) = checker
                .entries
                .resolve(Some(node), text)
                .and_then(|t| by_node.get(&t.id()))
            {
                if *t != i {
                    targets[i].push(*t);
                }
            }
        }
    }
    // Reachable: what a reachable entry points at, and what points at a reachable entry.
    let mut sources: Vec<Vec<usize>> = vec![Vec::new(); entries.len()];
    for (i, ts) in targets.iter().enumerate() {
        for &t in ts {
            sources[t].push(i);
        }
    }
    let mut visited = vec![false; entries.len()];
    let mut todo = vec![0];
    while let Some(i) = todo.pop() {
        if std::mem::replace(&mut visited[i], true) {
            continue;
        }
        todo.extend(
            targets[i]
                .iter()
                .chain(&sources[i])
                .filter(|&&t| !visited[t]),
        );
    }
    let severity = match kind {
        Kind::Document => Severity::Error,
        Kind::Message => Severity::Warning,
    };
    for ((entry, e), seen) in root.children_named("entry").zip(entries).zip(visited) {
        if e.resource.is_none() || seen {
            continue;
        }
        out.push(
            Finding::new(
                "fhir-bundle-orphan",
                severity,
                entry.path(),
                format!(
                    "entry is not reachable from the first entry of the {} Bundle by any reference",
                    kind.name()
                ),
            )
            .with_position(entry.position())
            .with_rule("http://hl7.org/fhir/StructureDefinition/Bundle"),
        );
    }
}
