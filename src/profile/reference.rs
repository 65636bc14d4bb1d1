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
    list: Vec<Entry<'d, 'a>>,
}

#[derive(Clone, Copy)]
struct Entry<'d, 'a> {
    full_url: Option<&'d str>,
    resource: Node<'d, 'a>,
    /// An absolute fullUrl that is not a URN (a RESTful base), worked out once per message
    /// rather than on every reference resolved against it.
    restful: bool,
}

fn is_absolute(r: &str) -> bool {
    // `contains("://")` without building a substring searcher on every call.
    let b = r.as_bytes();
    r.starts_with("urn:")
        || memchr::memchr_iter(b':', b).any(|i| b.get(i + 1..i + 3) == Some(b"//".as_slice()))
}

/// The reference without a `/_history/` version part.
fn without_history(reference: &str) -> &str {
    if !reference.as_bytes().contains(&b'_') {
        return reference;
    }
    reference.split("/_history/").next().unwrap_or(reference)
}

impl<'d, 'a> Entries<'d, 'a> {
    pub(crate) fn new(bundle: Node<'d, 'a>) -> Self {
        let list = bundle
            .children_named("entry")
            .filter_map(|e| {
                let full_url = e.child_value("fullUrl");
                Some(Entry {
                    full_url,
                    resource: e.child("resource")?,
                    restful: full_url.is_some_and(|u| is_absolute(u) && !u.starts_with("urn:")),
                })
            })
            .collect();
        Self { list }
    }

    /// The entries' resources, in order, with their fullUrls.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Option<&'d str>, Node<'d, 'a>)> + '_ {
        self.list.iter().map(|e| (e.full_url, e.resource))
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
        let reference = without_history(reference);
        if is_absolute(reference) {
            return self
                .list
                .iter()
                .find(|e| e.full_url == Some(reference))
                .map(|e| e.resource);
        }
        let (ty, id) = reference.rsplit_once('/')?;
        self.list
            .iter()
            .find(|e| match e.full_url {
                Some(u) if u == reference => true,
                Some(u) if e.restful => u
                    .strip_suffix(reference)
                    .is_some_and(|base| base.ends_with('/')),
                // A relative fullUrl that names another resource, or none at all: the
                // resource's own type and id decide.
                _ => e.resource.ty().name() == ty && e.resource.child_value("id") == Some(id),
            })
            .map(|e| e.resource)
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

#[cfg(test)]
mod tests {
    use super::{is_absolute, without_history};

    #[test]
    fn absolute_references_and_versions() {
        // One line per case: the reference, absolute?
        for (r, absolute) in [
            ("urn:uuid:0c5a6d2e-7f3b-4b5e-9a1e-2f3a4b5c6d7e", true),
            ("https://medcomfhir.dk/fhir/Patient/1", true),
            ("a:b://c", true),
            ("Patient/1", false),
            ("Patient/1:x", false),
            ("x:/y", false),
            ("", false),
        ] {
            assert_eq!(is_absolute(r), absolute, "{r}");
            assert_eq!(
                is_absolute(r),
                r.contains("://") || r.starts_with("urn:"),
                "{r}"
            );
        }
        assert_eq!(without_history("Patient/1/_history/2"), "Patient/1");
        assert_eq!(without_history("Patient/a_b"), "Patient/a_b");
        assert_eq!(without_history("Patient/1"), "Patient/1");
    }
}
