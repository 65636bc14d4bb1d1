//! References inside the message: resolution by the message view
//! ([`crate::model::MessageView::resolve`]: absolute fullUrls, relative references against
//! RESTful fullUrls, and the relative-fullUrl quirk of the MedCom test fixtures),
//! `aggregation = bundled`, target types and target profiles.

use super::check::Checker;
use super::rules::TypeRule;
use crate::finding::{Finding, Severity};
use crate::model::Node;
use smallvec::SmallVec;

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
        let Some(target) = self.entries.resolve(Some(node), text) else {
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
