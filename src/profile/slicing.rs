//! Slicing: each repetition is assigned to the first slice whose discriminators all match
//! (value, pattern, type, profile, exists; paths with `extension('url')` and `resolve()`),
//! then slice cardinality, closed and ordered slicing.

use super::check::{location_of_missing, matches_value, Checker};
use super::rules::{Expect, Step};
use crate::finding::{Finding, Severity};
use crate::model::Node;
use smallvec::SmallVec;

/// The fixed `url` of an extension slice defined in place (a sub-extension of a complex
/// extension: `Extension.extension:lang.url` fixed to `lang`).
fn inline_extension_url<'p>(
    profile: &'p super::rules::Profile,
    slice: &super::rules::Elem,
) -> Option<&'p str> {
    slice
        .children
        .iter()
        .map(|&c| &profile.elems[c])
        .find(|c| c.name == "url")
        .and_then(|c| c.fixed.as_ref())
        .and_then(serde_json::Value::as_str)
}

impl<'d, 'a> Checker<'_, 'd, 'a> {
    pub(crate) fn sliced(
        &self,
        parent: Node<'d, 'a>,
        kids: &[Node<'d, 'a>],
        pi: usize,
        ei: usize,
        out: &mut Vec<Finding>,
        depth: usize,
    ) {
        let profile = &self.rules.profiles[pi];
        let e = &profile.elems[ei];
        let mut counts: SmallVec<[u32; 8]> = smallvec::smallvec![0u32; e.slices.len()];
        let mut last_slice = 0usize;
        let mut seen_unmatched = false;
        for &kid in kids {
            let matched = match &e.slicing {
                Some(s) => (0..e.slices.len()).find(|&i| {
                    !s.discriminators.is_empty()
                        && s.discriminators.iter().enumerate().all(|(di, d)| {
                            s.expect
                                .get(i)
                                .and_then(|x| x.get(di))
                                .is_some_and(|x| self.discriminates(kid, &d.path, x))
                        })
                }),
                // Slices without a slicing entry (extensions sliced by url in a base).
                None => (0..e.slices.len()).find(|&i| {
                    let slice = &profile.elems[e.slices[i]];
                    let url = kid.child_value("url");
                    kid.ty().is_extension()
                        && (slice
                            .types
                            .iter()
                            .any(|t| t.profiles.iter().any(|u| Some(u.as_str()) == url))
                            || inline_extension_url(profile, slice) == url)
                }),
            };
            match matched {
                Some(i) => {
                    counts[i] += 1;
                    if let Some(s) = &e.slicing {
                        if (s.ordered && i < last_slice) || (s.open_at_end && seen_unmatched) {
                            out.push(self.finding(
                                "fhir-slice-order",
                                Severity::Error,
                                kid,
                                kid.path(),
                                format!("slices of {} are out of order", e.id),
                                &profile.url,
                            ));
                        }
                    }
                    last_slice = last_slice.max(i);
                    self.element(kid, pi, e.slices[i], out, depth + 1);
                }
                None => {
                    seen_unmatched = true;
                    if e.slicing.as_ref().is_some_and(|s| s.closed) {
                        out.push(self.finding(
                            "fhir-slice-unmatched",
                            Severity::Error,
                            kid,
                            kid.path(),
                            format!(
                                "item matches no slice of {}, and the slicing is closed",
                                e.id
                            ),
                            &profile.url,
                        ));
                    }
                    if kid.ty().is_extension() && e.name == "extension"
                        || e.name == "modifierExtension"
                    {
                        self.extension(kid, out, depth);
                    } else {
                        self.element(kid, pi, ei, out, depth + 1);
                    }
                }
            }
        }
        for (i, &si) in e.slices.iter().enumerate() {
            let slice = &profile.elems[si];
            let n = counts[i];
            let name = slice.slice.as_deref().unwrap_or("");
            if n < slice.min {
                out.push(self.finding(
                    "fhir-slice-cardinality",
                    Severity::Error,
                    parent,
                    location_of_missing(parent, &e.name),
                    format!(
                        "slice '{name}' of {} has {n} item(s), at least {} required",
                        e.id, slice.min
                    ),
                    &profile.url,
                ));
            }
            if let Some(max) = slice.max {
                if n > max {
                    out.push(self.finding(
                        "fhir-slice-cardinality",
                        Severity::Error,
                        parent,
                        location_of_missing(parent, &e.name),
                        format!(
                            "slice '{name}' of {} has {n} item(s), at most {max} allowed",
                            e.id
                        ),
                        &profile.url,
                    ));
                }
            }
        }
    }

    /// Whether a repetition matches one discriminator's expectation.
    fn discriminates(&self, kid: Node<'d, 'a>, path: &[Step], expect: &Expect) -> bool {
        let mut nodes: SmallVec<[Node<'d, 'a>; 4]> = smallvec::smallvec![kid];
        for step in path {
            let mut next = SmallVec::new();
            for n in nodes {
                match step {
                    Step::This => next.push(n),
                    Step::Name(name) => next.extend(n.children_named(name)),
                    Step::Extension(url) => next.extend(
                        n.children_named("extension")
                            .filter(|c| c.child_value("url") == Some(url.as_str())),
                    ),
                    Step::Resolve => {
                        if let Some(t) = n
                            .child_value("reference")
                            .and_then(|r| self.entries.resolve(Some(n), r))
                        {
                            next.push(t);
                        }
                    }
                    Step::OfType(t) => {
                        if n.ty().name() == t {
                            next.push(n);
                        }
                    }
                }
            }
            nodes = next;
        }
        match expect {
            Expect::Value(v) => nodes.iter().any(|n| matches_value(*n, v, false)),
            Expect::Binding(vs) => self.rules.value_sets.get(*vs).is_some_and(|vs| {
                nodes.iter().any(|n| {
                    let code = n.value().or_else(|| n.child_value("code"));
                    code.is_some_and(|c| vs.contains(n.child_value("system"), c) == Some(true))
                })
            }),
            Expect::Types(types) => nodes
                .iter()
                .any(|n| types.iter().any(|t| t == n.ty().name())),
            Expect::Profiles(urls) => nodes.iter().any(|n| {
                urls.iter().any(|u| match self.rules.profile(u) {
                    Some(p) => self.conforms(*n, p),
                    None => self.rules.type_of_url(u) == Some(n.ty().name()),
                })
            }),
            Expect::Exists(e) => nodes.is_empty() != *e,
            Expect::Unknown => false,
        }
    }
}
