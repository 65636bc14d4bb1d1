//! The message as the rules see it: the Bundle's [`MessageView`] (entries, the current
//! MessageHeader, reference resolution) and the message standard named by its event code.

use crate::finding::{Finding, Severity};
use crate::model::message::Entry;
use crate::model::{MessageView, Node};
use crate::validate::Detected;
use crate::Document;

/// The MedCom message standards, by `MessageHeader.eventCoding.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Acknowledgement,
    CareCommunication,
    Empty,
    HomeCareObservation,
    HospitalNotification,
}

impl Kind {
    /// The standard for an event code of `medcom-messaging-eventCodes`.
    pub(crate) fn from_event_code(code: &str) -> Option<Self> {
        Some(match code {
            "acknowledgement-message" => Self::Acknowledgement,
            "care-communication-message" => Self::CareCommunication,
            "empty-message" => Self::Empty,
            "homecareobservation-message" => Self::HomeCareObservation,
            "hospital-notification-message" => Self::HospitalNotification,
            _ => return None,
        })
    }

    /// The name used in reports (and in the examples manifest).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Acknowledgement => "Acknowledgement",
            Self::CareCommunication => "CareCommunication",
            Self::Empty => "EmptyMessage",
            Self::HomeCareObservation => "HomeCareObservation",
            Self::HospitalNotification => "HospitalNotification",
        }
    }
}

/// A message prepared for the rules: the [`MessageView`] (entries, header, references) and the
/// standard its event names.
#[derive(Debug)]
pub(crate) struct Message<'d, 'a> {
    pub(crate) doc: &'d Document<'a>,
    pub(crate) root: Node<'d, 'a>,
    pub(crate) view: MessageView<'d, 'a>,
    /// The MessageHeader of this message ([`MessageView::header`]).
    pub(crate) header: Option<Node<'d, 'a>>,
    /// The index of [`Self::header`]'s entry.
    pub(crate) header_entry: Option<usize>,
    pub(crate) kind: Option<Kind>,
    /// Every node in document order, listed once for the groups that look at all of them.
    nodes: std::cell::OnceCell<Vec<Node<'d, 'a>>>,
}

impl<'d, 'a> Message<'d, 'a> {
    pub(crate) fn new(doc: &'d Document<'a>) -> Self {
        let root = doc.root();
        let view = MessageView::new(root);
        let header = view.header();
        let header_entry = view.header_entry();
        let kind = view.event_code().and_then(Kind::from_event_code);
        Self {
            doc,
            root,
            view,
            header,
            header_entry,
            kind,
            nodes: std::cell::OnceCell::new(),
        }
    }

    /// Every node of the message, depth first in document order.
    pub(crate) fn nodes(&self) -> &[Node<'d, 'a>] {
        self.nodes.get_or_init(|| {
            let mut all = Vec::with_capacity(self.doc.len());
            all.extend(descendants(self.root));
            all
        })
    }

    /// The message standard and version as the message itself names them.
    pub(crate) fn detected(&self) -> Detected {
        let version = self
            .header
            .and_then(|h| h.child_value("definition"))
            .and_then(|d| d.rsplit_once('|'))
            .map(|(_, v)| v.to_owned());
        Detected {
            message_type: self.kind.map(|k| k.name().to_owned()),
            version,
            supported: self.kind.is_some(),
        }
    }

    /// Every resource of the Bundle with its entry.
    pub(crate) fn resources(&self) -> impl Iterator<Item = (&Entry<'d, 'a>, Node<'d, 'a>)> + '_ {
        self.view.resources()
    }

    /// The resources of one type.
    pub(crate) fn resources_of<'s>(
        &'s self,
        ty: &'s str,
    ) -> impl Iterator<Item = (&'s Entry<'d, 'a>, Node<'d, 'a>)> + 's {
        self.view.resources_of(ty)
    }

    /// The Bundle resource a reference points at.
    pub(crate) fn resolve(&self, reference: &str) -> Option<Node<'d, 'a>> {
        self.view.resolve(None, reference)
    }

    /// Whether a reference points at this message's MessageHeader.
    pub(crate) fn is_current_header(&self, reference: &str) -> bool {
        self.header_entry
            .is_some_and(|i| self.view.refers_to(reference, i))
    }

    /// The Provenances whose target is this message's MessageHeader.
    pub(crate) fn current_provenances(&self) -> impl Iterator<Item = Node<'d, 'a>> + '_ {
        self.resources_of("Provenance").map(|(_, p)| p).filter(|p| {
            p.children_named("target")
                .filter_map(|t| t.child_value("reference"))
                .any(|r| self.is_current_header(r))
        })
    }
}

/// The `code` node of the first coding (with a code) of a CodeableConcept child, e.g. of
/// `Provenance.activity`.
pub(crate) fn coding_code<'d, 'a>(node: Node<'d, 'a>, name: &str) -> Option<Node<'d, 'a>> {
    node.child(name)?
        .children_named("coding")
        .find_map(|c| c.child("code").filter(|v| v.value().is_some()))
}

/// The resource type and id of a literal reference (`Type/id` or `…/Type/id`, ignoring a
/// `/_history/n` suffix).
pub(crate) fn reference_parts(reference: &str) -> Option<(&str, &str)> {
    let reference = match reference.find("/_history/") {
        Some(i) => reference.get(..i)?,
        None => reference,
    };
    let mut parts = reference.rsplit('/');
    let id = parts.next().filter(|s| !s.is_empty())?;
    let ty = parts.next().filter(|s| !s.is_empty())?;
    Some((ty, id))
}

/// A finding at `node`, with its FHIRPath location and source position.
pub(crate) fn finding(
    code: &'static str,
    severity: Severity,
    node: Node<'_, '_>,
    rule: &'static str,
    message: impl Into<String>,
) -> Finding {
    Finding::new(code, severity, node.path(), message)
        .with_position(node.position())
        .with_rule(rule)
}

/// Every node below (and including) `node`, depth first in document order, without recursion.
pub(crate) fn descendants<'d, 'a>(node: Node<'d, 'a>) -> impl Iterator<Item = Node<'d, 'a>> {
    // One sibling iterator per open level: nothing copied or reversed per node.
    let mut first = Some(node);
    let mut open: Vec<crate::model::Children<'d, 'a>> = Vec::new();
    std::iter::from_fn(move || {
        if let Some(n) = first.take() {
            open.push(n.children());
            return Some(n);
        }
        loop {
            let level = open.last_mut()?;
            if let Some(n) = level.next() {
                open.push(n.children());
                return Some(n);
            }
            open.pop();
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// reference, expected type and id.
    #[rustfmt::skip]
    const PARTS: &[(&str, Option<(&str, &str)>)] = &[
        ("MessageHeader/abc", Some(("MessageHeader", "abc"))),
        ("https://x.dk/ig/MessageHeader/abc", Some(("MessageHeader", "abc"))),
        ("MessageHeader/abc/_history/2", Some(("MessageHeader", "abc"))),
        ("abc", None),
        ("MessageHeader/", None),
        ("", None),
    ];

    #[test]
    fn reference_parts_cases() {
        for &(reference, want) in PARTS {
            assert_eq!(reference_parts(reference), want, "{reference}");
        }
    }

    #[test]
    fn descendants_in_document_order() {
        let doc = crate::json::parse(
            r#"{"resourceType":"Patient","id":"p","identifier":[{"system":"s","value":"v"}],"active":true}"#,
        )
        .unwrap();
        let names: Vec<_> = descendants(doc.root()).map(|n| n.name()).collect();
        assert_eq!(
            names,
            ["Patient", "id", "identifier", "system", "value", "active"]
        );
    }
}
