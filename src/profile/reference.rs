//! References inside the message: resolution against the Bundle's entries (absolute fullUrls,
//! relative references against RESTful fullUrls, and the relative-fullUrl quirk of the MedCom
//! test fixtures, DIGEST §2.0), `aggregation = bundled`, target types and target profiles.

use super::check::Checker;
use super::rules::TypeRule;
use crate::finding::{Finding, Severity};
use crate::model::Node;
use smallvec::SmallVec;

/// The Bundle's entries, indexed once per check.
pub(crate) struct Entries<'d, 'a> {
    list: Vec<(Option<&'d str>, Node<'d, 'a>)>,
}

fn is_absolute(r: &str) -> bool {
    r.contains("://") || r.starts_with("urn:")
}

impl<'d, 'a> Entries<'d, 'a> {
    pub(crate) fn new(bundle: Node<'d, 'a>) -> Self {
        let list = bundle
            .children_named("entry")
            .filter_map(|e| Some((e.child_value("fullUrl"), e.child("resource")?)))
            .collect();
        Self { list }
    }

    /// The entries' resources, in order, with their fullUrls.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Option<&'d str>, Node<'d, 'a>)> + '_ {
        self.list.iter().copied()
    }

    /// Resolves a reference made from `from` (contained `#id` references look in the containing
    /// resource).
    pub(crate) fn resolve(&self, from: Node<'d, 'a>, reference: &str) -> Option<Node<'d, 'a>> {
        if let Some(id) = reference.strip_prefix('#') {
            let mut r = from.resource();
            while r.name() == "contained" {
                r = r.parent()?.resource();
            }
            return r
                .children_named("contained")
                .find(|c| c.child_value("id") == Some(id));
        }
        let reference = reference.split("/_history/").next().unwrap_or(reference);
        if is_absolute(reference) {
            return self
                .list
                .iter()
                .find(|(u, _)| *u == Some(reference))
                .map(|(_, n)| *n);
        }
        let (ty, id) = reference.rsplit_once('/')?;
        self.list
            .iter()
            .find(|(url, res)| match url {
                Some(u) if *u == reference => true,
                Some(u) if is_absolute(u) && !u.starts_with("urn:") => u
                    .strip_suffix(reference)
                    .is_some_and(|base| base.ends_with('/')),
                // A relative fullUrl that names another resource, or none at all: the
                // resource's own type and id decide.
                _ => res.ty().name() == ty && res.child_value("id") == Some(id),
            })
            .map(|(_, n)| *n)
    }
}

impl<'d, 'a> Checker<'_, 'd, 'a> {
    pub(crate) fn reference(
        &self,
        node: Node<'d, 'a>,
        t: &TypeRule,
        rule: &str,
        out: &mut Vec<Finding>,
    ) {
        let Some(r) = node.child("reference") else {
            return;
        };
        let Some(text) = r.value() else {
            return;
        };
        let Some(target) = self.entries.resolve(node, text) else {
            if t.bundled {
                out.push(
                    self.finding(
                        "fhir-reference-unresolved",
                        Severity::Error,
                        r,
                        r.path(),
                        "reference does not resolve to a resource in the Bundle (aggregation = bundled)"
                            .to_owned(),
                        rule,
                    )
                    .with_value(text),
                );
            }
            return;
        };
        if t.targets.is_empty() {
            return;
        }
        let ty = target.ty().name();
        let fitting: SmallVec<[&String; 4]> = t
            .targets
            .iter()
            .filter(|u| {
                self.rules
                    .type_of_url(u)
                    .is_some_and(|want| want == ty || want == "Resource")
            })
            .collect();
        if fitting.is_empty() {
            out.push(
                self.finding(
                    "fhir-reference-target",
                    Severity::Error,
                    r,
                    r.path(),
                    format!("reference points at a {ty}, which is not an allowed target type"),
                    rule,
                )
                .with_value(text),
            );
            return;
        }
        let profiles: SmallVec<[usize; 4]> = fitting
            .iter()
            .filter(|u| !u.starts_with("http://hl7.org/fhir/StructureDefinition/"))
            .filter_map(|u| self.rules.profile(u))
            .collect();
        match profiles.as_slice() {
            [] => {}
            [one] => self.pending.borrow_mut().push((target.id(), *one)),
            many => {
                if !many.iter().any(|&p| self.conforms(target, p)) {
                    out.push(self.finding(
                        "fhir-reference-target",
                        Severity::Error,
                        r,
                        r.path(),
                        "referenced resource conforms to none of the target profiles".to_owned(),
                        rule,
                    ));
                }
            }
        }
    }
}
