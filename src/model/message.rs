//! One view of a FHIR message Bundle, shared by the profile engine, the MedCom rules, the typed
//! messages and the exchange: its entries, its MessageHeader and reference resolution.
//!
//! # The MessageHeader
//!
//! MedCom requires the MessageHeader as `entry[0]`. The view's [`MessageView::header`] is the
//! first MessageHeader entry wherever it is, so that validation can still tell which message
//! it is and report the misplaced header (`medcom-header-first`);
//! [`MessageView::header_is_first`] says whether it is where MedCom wants it, and the exchange
//! keys only on a header that is.
//!
//! # References
//!
//! [`MessageView::resolve`] follows the R4 rules for references inside a Bundle: `#id` names a
//! contained resource; an absolute reference (`urn:uuid:…`, `https://…`) must equal an entry's
//! `fullUrl`; a relative one (`Type/id`) is resolved against an entry whose RESTful `fullUrl`
//! ends in `/Type/id`. An entry whose `fullUrl` is relative, or missing, is found by its type
//! and id (MedCom's test fixtures use relative `fullUrl`s). A `/_history/n` suffix is ignored.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::Node;

/// Bundles with more entries than this resolve through a hash index, built on first use;
/// smaller ones scan, which is faster for them.
const INDEX_FROM: usize = 16;

/// One `Bundle.entry`.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'d, 'a> {
    /// `Bundle.entry.fullUrl`.
    pub full_url: Option<&'d str>,
    /// `Bundle.entry.resource`.
    pub resource: Option<Node<'d, 'a>>,
    /// Whether the fullUrl is a RESTful URL (absolute, not `urn:`).
    restful: bool,
}

/// A message Bundle as one view (see the [module documentation](self)).
///
/// # Examples
///
/// ```
/// use medcom::model::MessageView;
/// let doc = medcom::parse(r#"{"resourceType":"Bundle","type":"message","entry":[
///   {"fullUrl":"urn:uuid:9c5c7a2e-6d0c-4d8e-9d8b-3a7a1f0e6b10",
///    "resource":{"resourceType":"MessageHeader","id":"m","eventCoding":{"code":"empty-message"},
///      "focus":[{"reference":"Patient/p"}]}},
///   {"fullUrl":"https://example.org/fhir/Patient/p","resource":{"resourceType":"Patient","id":"p"}}]}"#).unwrap();
/// let view = MessageView::new(doc.root());
/// assert!(view.header_is_first());
/// assert_eq!(view.event_code(), Some("empty-message"));
/// let patient = view.resolve(None, "Patient/p").unwrap();
/// assert_eq!(patient.ty().name(), "Patient");
/// assert!(view.resolve(None, "urn:uuid:9c5c7a2e-6d0c-4d8e-9d8b-3a7a1f0e6b10").is_some());
/// assert!(view.resolve(None, "https://elsewhere.org/Patient/p").is_none());
/// ```
#[derive(Clone, Debug)]
pub struct MessageView<'d, 'a> {
    root: Node<'d, 'a>,
    entries: Vec<Entry<'d, 'a>>,
    header_entry: Option<usize>,
    index: OnceLock<Index>,
}

/// The first entry each key names, so that resolving stays linear in the Bundle. The keys
/// are owned so that the view stays covariant in its lifetimes.
#[derive(Clone, Debug, Default)]
struct Index {
    /// Entries with a resource, by `fullUrl`.
    full_url: HashMap<Box<str>, usize>,
    /// Entries with a RESTful `fullUrl`, by its last two segments (`Type/id`).
    tail: HashMap<Box<str>, usize>,
    /// Entries whose `fullUrl` is relative or missing, by the resource's `Type/id`.
    own: HashMap<Box<str>, usize>,
}

impl<'d, 'a> MessageView<'d, 'a> {
    /// The view of `root`; a root that is no Bundle has no entries and no header.
    #[must_use]
    pub fn new(root: Node<'d, 'a>) -> Self {
        let entries: Vec<Entry<'d, 'a>> = if root.ty().name() == "Bundle" {
            root.children_named("entry")
                .map(|e| {
                    let full_url = e.child_value("fullUrl");
                    Entry {
                        full_url,
                        resource: e.child("resource"),
                        restful: full_url.is_some_and(|u| is_absolute(u) && !u.starts_with("urn:")),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let header_entry = entries
            .iter()
            .position(|e| e.resource.is_some_and(|r| r.ty().name() == "MessageHeader"));
        Self {
            root,
            entries,
            header_entry,
            index: OnceLock::new(),
        }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut index = Index::default();
            for (i, e) in self.entries.iter().enumerate() {
                let Some(r) = e.resource else { continue };
                if let Some(u) = e.full_url {
                    index.full_url.entry(u.into()).or_insert(i);
                }
                match e.full_url {
                    Some(u) if e.restful => {
                        if let Some(tail) = tail(u) {
                            index.tail.entry(tail.into()).or_insert(i);
                        }
                    }
                    _ => {
                        if let Some(id) = r.child_value("id") {
                            let key = format!("{}/{id}", r.ty().name());
                            index.own.entry(key.into()).or_insert(i);
                        }
                    }
                }
            }
            index
        })
    }

    /// [`Self::resolve`] for an absolute or relative reference, through the index.
    fn resolve_indexed(&self, reference: &str) -> Option<Node<'d, 'a>> {
        let index = self.index();
        let found = if is_absolute(reference) {
            index.full_url.get(reference).copied()
        } else {
            [
                index.full_url.get(reference).copied(),
                index.tail.get(reference).copied(),
                index.own.get(reference).copied(),
            ]
            .into_iter()
            .flatten()
            .min()
        };
        self.entries.get(found?)?.resource
    }

    /// The Bundle (or whatever the root is).
    #[must_use]
    pub fn root(&self) -> Node<'d, 'a> {
        self.root
    }

    /// Every entry, in order (with or without a resource).
    #[must_use]
    pub fn entries(&self) -> &[Entry<'d, 'a>] {
        &self.entries
    }

    /// Every resource of the Bundle with its entry, in order.
    pub fn resources(&self) -> impl Iterator<Item = (&Entry<'d, 'a>, Node<'d, 'a>)> + '_ {
        self.entries
            .iter()
            .filter_map(|e| e.resource.map(|r| (e, r)))
    }

    /// The resources of one type, with their entries.
    pub fn resources_of<'s>(
        &'s self,
        ty: &'s str,
    ) -> impl Iterator<Item = (&'s Entry<'d, 'a>, Node<'d, 'a>)> + 's {
        self.resources().filter(move |(_, r)| r.ty().name() == ty)
    }

    /// The MessageHeader: the first MessageHeader entry, wherever it is.
    #[must_use]
    pub fn header(&self) -> Option<Node<'d, 'a>> {
        self.header_entry
            .and_then(|i| self.entries.get(i))
            .and_then(|e| e.resource)
    }

    /// The index of the header's entry.
    #[must_use]
    pub fn header_entry(&self) -> Option<usize> {
        self.header_entry
    }

    /// Whether the MessageHeader is `entry[0]`, as MedCom requires.
    #[must_use]
    pub fn header_is_first(&self) -> bool {
        self.header_entry == Some(0)
    }

    /// `MessageHeader.eventCoding.code`.
    #[must_use]
    pub fn event_code(&self) -> Option<&'d str> {
        self.header()?
            .child("event")
            .filter(|e| e.ty().name() == "Coding")
            .and_then(|c| c.child_value("code"))
    }

    /// The resource `reference` names, by the R4 rules (see the [module
    /// documentation](self)); `from` is the node holding the reference, needed for `#id`.
    #[must_use]
    pub fn resolve(&self, from: Option<Node<'d, 'a>>, reference: &str) -> Option<Node<'d, 'a>> {
        if let Some(id) = reference.strip_prefix('#') {
            let mut r = from?.resource();
            while r.name() == "contained" {
                r = r.parent()?.resource();
            }
            return r
                .children_named("contained")
                .find(|c| c.child_value("id") == Some(id));
        }
        let reference = without_history(reference);
        if self.entries.len() > INDEX_FROM
            && (is_absolute(reference) || reference.bytes().filter(|&b| b == b'/').count() == 1)
        {
            return self.resolve_indexed(reference);
        }
        self.resolve_scan(reference)
    }

    /// [`Self::resolve`] for an absolute or relative reference, by scanning the entries.
    fn resolve_scan(&self, reference: &str) -> Option<Node<'d, 'a>> {
        if is_absolute(reference) {
            return self
                .resources()
                .find(|(e, _)| e.full_url == Some(reference))
                .map(|(_, r)| r);
        }
        let (ty, id) = reference.rsplit_once('/')?;
        self.resources()
            .find(|(e, r)| match e.full_url {
                Some(u) if u == reference => true,
                Some(u) if e.restful => u
                    .strip_suffix(reference)
                    .is_some_and(|base| base.ends_with('/')),
                // A relative fullUrl that names another resource, or none at all: the
                // resource's own type and id decide.
                _ => r.ty().name() == ty && r.child_value("id") == Some(id),
            })
            .map(|(_, r)| r)
    }

    /// Whether `reference` names the entry `index` (by [`Self::resolve`]).
    #[must_use]
    pub fn refers_to(&self, reference: &str, index: usize) -> bool {
        let Some(target) = self.entries.get(index).and_then(|e| e.resource) else {
            return false;
        };
        self.resolve(None, reference)
            .is_some_and(|r| r.id() == target.id())
    }
}

/// Whether a reference or URL is absolute (`urn:` or `scheme://`).
pub(crate) fn is_absolute(r: &str) -> bool {
    // `contains("://")` without building a substring searcher on every call.
    let b = r.as_bytes();
    r.starts_with("urn:")
        || memchr::memchr_iter(b':', b).any(|i| b.get(i + 1..i + 3) == Some(b"//".as_slice()))
}

/// The last two segments of a URL (`Type/id`), when it has a path of at least two.
fn tail(url: &str) -> Option<&str> {
    let last = url.rfind('/')?;
    let before = url[..last].rfind('/')?;
    let tail = &url[before + 1..];
    (before > 0 && !tail.starts_with('/')).then_some(tail)
}

fn without_history(reference: &str) -> &str {
    if !reference.as_bytes().contains(&b'_') {
        return reference;
    }
    reference.split("/_history/").next().unwrap_or(reference)
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
