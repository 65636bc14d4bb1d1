//! Profile-driven mutations for the mutation tests: from the rules
//! a valid message was checked against, one defect at a time, each with the finding it must
//! produce. Not a stable API.

use std::cell::RefCell;

use super::check::{location_of_missing, Checker};
use super::{detect, Engine};
use crate::model::{Document, NodeId, PrimitiveKind};

/// What a mutation does to one node.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// Removes the node (and its subtree).
    Remove,
    /// Replaces a primitive value.
    SetValue(String),
}

/// One defect to plant, and where the engine must report it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Mutation {
    /// `drop-required`, `break-fixed`, `break-pattern`, `bad-code`, `unresolvable-reference`.
    pub kind: &'static str,
    /// The node changed.
    pub target: NodeId,
    /// The change.
    pub action: Action,
    /// The finding code expected.
    pub code: &'static str,
    /// The location expected.
    pub location: String,
    /// The rule the mutation breaks (element id or value set).
    pub rule: String,
}

impl Mutation {
    /// Applies the mutation to a copy of the document.
    #[must_use]
    pub fn apply<'a>(&self, doc: &Document<'a>) -> Document<'a> {
        let mut copy = doc.clone();
        match &self.action {
            Action::Remove => copy.remove(self.target),
            Action::SetValue(v) => copy.set_value(self.target, Some(v.clone().into())),
        }
        copy
    }
}

const BAD: &str = "mutated-value";

/// One invariant in force at one node of a message: what the per-invariant mutation tests break
/// once each. `ele-1` (every element) and `ext-1` (every extension), which the engine checks
/// natively, are listed too.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InvariantSite {
    /// The context node the invariant is evaluated on.
    pub node: NodeId,
    /// The invariant key, e.g. `bdl-12`.
    pub key: String,
    /// The FHIRPath expression (empty for the native ones).
    pub expression: String,
    /// `<profile url>#<key>`, as the finding's rule names it.
    pub rule: String,
    /// Where a failure is reported (the context node's path).
    pub location: String,
    /// Whether a failure is an error (else a warning).
    pub error: bool,
}

impl Engine {
    /// Validates `doc` once against the stack it claims, with a checker `record` has set up to
    /// record something; `None` for a message of an unknown or unsupported version.
    fn recorded_run<'r, 'd, 'a>(
        &'r self,
        doc: &'d Document<'a>,
        record: impl FnOnce(&mut Checker<'r, 'd, 'a>),
    ) -> Option<(&'r super::rules::Rules, Checker<'r, 'd, 'a>)> {
        let infos: Vec<&super::StackInfo> = self.inner.stacks.iter().map(|s| &s.info).collect();
        let known = |si: usize, url: &str| self.rules(si).is_ok_and(|r| r.profile(url).is_some());
        let detect::Claim::Supported(si) = detect::detect_refs(&infos, &known, doc.root()) else {
            // Not a MedCom message: the base rules.
            let rules = self.base_for(doc.root())?;
            let mut checker = Checker::new(rules, doc.root());
            record(&mut checker);
            let mut ignored = Vec::new();
            self.validate_base_with(&checker, doc, &mut ignored);
            return Some((rules, checker));
        };
        let rules = self.rules(si).ok()?;
        let mut checker = Checker::new(rules, doc.root());
        record(&mut checker);
        let mut ignored = Vec::new();
        super::validate_with(&checker, rules, doc, &mut ignored);
        Some((rules, checker))
    }

    /// Every invariant the engine evaluates on a message it validates, with its context node,
    /// once per (node, key, expression).
    #[doc(hidden)]
    #[must_use]
    pub fn invariant_sites(&self, doc: &Document<'_>) -> Vec<InvariantSite> {
        let Some((rules, checker)) = self.recorded_run(doc, |c| {
            c.visits = Some(RefCell::new(Vec::new()));
        }) else {
            return Vec::new();
        };
        let visits = checker.visits.map(RefCell::into_inner).unwrap_or_default();
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for (id, pi, ei) in visits {
            let profile = &rules.profiles[pi];
            let Some(e) = profile.elems.get(ei) else {
                continue;
            };
            // Slicing by profile tries resources against profiles of other types: no site.
            let is_resource_profile = crate::model::Type::resource(&profile.type_name).is_some();
            if is_resource_profile && doc.node(id).resource().ty().name() != profile.type_name {
                continue;
            }
            for &k in &e.constraints {
                let Some(c) = rules.constraints.get(k) else {
                    continue;
                };
                let expression = c.expr.text().to_owned();
                if seen.insert((id, c.key.clone(), expression.clone())) {
                    out.push(InvariantSite {
                        node: id,
                        key: c.key.clone(),
                        expression,
                        rule: c.rule.to_string(),
                        location: doc.node(id).path(),
                        error: c.error,
                    });
                }
            }
        }
        native_sites(doc.root(), &mut out, 0);
        out
    }
}

impl Engine {
    /// Validates a message evaluating every invariant that has a native answer both ways, and
    /// lists where the two disagree (`key at location: native …, FHIRPath …`). Empty when
    /// the native answers are faithful on this message, or when its version is unsupported.
    #[doc(hidden)]
    #[must_use]
    pub fn native_disagreements(&self, doc: &Document<'_>) -> Vec<String> {
        self.recorded_run(doc, |c| {
            c.disagreements = Some(RefCell::new(Vec::new()));
        })
        .and_then(|(_, checker)| checker.disagreements)
        .map(RefCell::into_inner)
        .unwrap_or_default()
    }

    /// How many invariants of the rule files have a native answer, and their keys.
    #[doc(hidden)]
    #[must_use]
    pub fn native_invariants(&self) -> Vec<String> {
        let mut keys: Vec<String> = (0..self.inner.stacks.len())
            .filter_map(|si| self.rules(si).ok())
            .flat_map(|r| r.constraints.iter())
            .filter(|c| c.native.is_some())
            .map(|c| c.key.clone())
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }
}

/// `ele-1` on every element and `ext-1` on every extension (checked natively by the engine).
fn native_sites(node: crate::model::Node<'_, '_>, out: &mut Vec<InvariantSite>, depth: usize) {
    if depth > 128 {
        return;
    }
    for c in node.children() {
        if !c.is_resource() {
            let mut site = |key: &str, what: &str| {
                out.push(InvariantSite {
                    node: c.id(),
                    key: key.to_owned(),
                    expression: String::new(),
                    rule: format!("http://hl7.org/fhir/StructureDefinition/{what}#{key}"),
                    location: c.path(),
                    error: true,
                });
            };
            site("ele-1", "Element");
            if c.ty().is_extension() {
                site("ext-1", "Extension");
            }
        }
        native_sites(c, out, depth + 1);
    }
}

impl Engine {
    /// The profile-driven mutations of a message the engine validates: drop each required
    /// element present exactly as often as required, break each fixed and pattern primitive,
    /// put a bad code in each required binding, make each bundled reference unresolvable.
    #[doc(hidden)]
    #[must_use]
    pub fn mutations(&self, doc: &Document<'_>) -> Vec<Mutation> {
        let Some((rules, checker)) = self.recorded_run(doc, |c| {
            c.visits = Some(RefCell::new(Vec::new()));
        }) else {
            return Vec::new();
        };
        let visits = checker.visits.map(RefCell::into_inner).unwrap_or_default();
        let mut out: Vec<Mutation> = Vec::new();
        let mut push = |m: Mutation| {
            if !out
                .iter()
                .any(|o| o.target == m.target && o.kind == m.kind && o.action == m.action)
            {
                out.push(m);
            }
        };
        for (id, pi, ei) in visits {
            let node = doc.node(id);
            let profile = &rules.profiles[pi];
            let e = &profile.elems[ei];
            // Required children present exactly as often as required.
            for &c in &e.children {
                let def = &profile.elems[c];
                if def.min == 0 {
                    continue;
                }
                let kids: Vec<_> = node.children_named(&def.name).collect();
                if kids.len() == def.min as usize {
                    if let Some(k) = kids.first() {
                        push(Mutation {
                            kind: "drop-required",
                            target: k.id(),
                            action: Action::Remove,
                            code: "fhir-cardinality-min",
                            location: location_of_missing(node, &def.name),
                            rule: def.id.clone(),
                        });
                    }
                }
            }
            let primitive = node.ty().primitive();
            let textual = primitive.is_some_and(|p| {
                !matches!(
                    p,
                    PrimitiveKind::Boolean
                        | PrimitiveKind::Decimal
                        | PrimitiveKind::Integer
                        | PrimitiveKind::PositiveInt
                        | PrimitiveKind::UnsignedInt
                        | PrimitiveKind::Xhtml
                )
            });
            if textual && node.value().is_some() {
                for (v, kind, code) in [
                    (&e.fixed, "break-fixed", "fhir-fixed"),
                    (&e.pattern, "break-pattern", "fhir-pattern"),
                ] {
                    if v.as_ref().is_some_and(serde_json::Value::is_string) {
                        push(Mutation {
                            kind,
                            target: id,
                            action: Action::SetValue(BAD.to_owned()),
                            code,
                            location: node.path(),
                            rule: e.id.clone(),
                        });
                    }
                }
            }
            if let Some((true, vs)) = e.binding {
                let target = match node.ty().name() {
                    "Coding" => node.child("code"),
                    "CodeableConcept" if node.children_named("coding").count() == 1 => {
                        node.child("coding").and_then(|c| c.child("code"))
                    }
                    _ if primitive == Some(PrimitiveKind::Code) => Some(node),
                    _ => None,
                };
                let in_set = rules
                    .value_sets
                    .get(vs)
                    .is_some_and(|v| v.unavailable.is_empty());
                if let (Some(t), true) = (target, in_set) {
                    push(Mutation {
                        kind: "bad-code",
                        target: t.id(),
                        action: Action::SetValue(BAD.to_owned()),
                        code: "fhir-binding",
                        location: node.path(),
                        rule: rules.value_sets[vs].url.clone(),
                    });
                }
            }
            if e.types.iter().any(|t| t.bundled) && node.ty().name() == "Reference" {
                if let Some(r) = node.child("reference") {
                    push(Mutation {
                        kind: "unresolvable-reference",
                        target: r.id(),
                        action: Action::SetValue(
                            "Organization/00000000-0000-4000-8000-000000000000".to_owned(),
                        ),
                        code: "fhir-reference-unresolved",
                        location: r.path(),
                        rule: e.id.clone(),
                    });
                }
            }
        }
        out
    }
}
