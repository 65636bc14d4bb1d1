//! Narrative: `text.status` = `generated` and an XHTML `div` made from the resource's own
//! content.
//!
//! The `div` shows every element that carries a value, so everything the profiles mark as
//! `SHALL:in-narrative` (the patient's identifier, name, address and telecom; the
//! Communication's category, topic, priority, recipient and each segment's text, author,
//! contact and date; the Provenance's activity, agent, entity and time; the MessageHeader's
//! event, sender, destination and source; the Encounter's status, class and episode of care)
//! is in it. References are shown with what they point at when it is in the message.
//! Attachment data is summarised (its size), not repeated.

use crate::model::{Document, Node, NodeId};

use super::tree::Tree;
use super::BuildError;

/// XHTML namespace of the narrative `div`.
const XHTML: &str = "http://www.w3.org/1999/xhtml";

/// Escapes text for XHTML content and attribute values.
pub(crate) fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 cannot carry are dropped rather than written.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
}

/// The label of an element: the extension's name for an extension, else the element name.
fn label(node: Node<'_, '_>) -> String {
    if matches!(node.name(), "extension" | "modifierExtension") {
        if let Some(url) = node.child_value("url") {
            let tail = url.rsplit('/').next().unwrap_or(url);
            return tail.to_owned();
        }
    }
    node.name().to_owned()
}

/// What a reference points at, in words, when it resolves inside the Bundle.
fn describe(bundle: Option<Node<'_, '_>>, reference: &str) -> Option<String> {
    let bundle = bundle?;
    let (ty, id) = reference.rsplit_once('/')?;
    let target = bundle
        .children_named("entry")
        .filter_map(|e| e.child("resource"))
        .find(|r| r.ty().name() == ty && r.child_value("id") == Some(id))?;
    let name = match ty {
        "Organization" | "CareTeam" => target.child_value("name").map(str::to_owned),
        "Patient" | "Practitioner" => target.child("name").map(|n| {
            let mut parts: Vec<&str> = n
                .children_named("given")
                .filter_map(|g| g.value())
                .collect();
            parts.extend(n.child_value("family"));
            parts.join(" ")
        }),
        _ => None,
    };
    Some(match name {
        Some(n) if !n.is_empty() => format!("{ty} {n}"),
        _ => ty.to_owned(),
    })
}

fn rows(node: Node<'_, '_>, prefix: &str, bundle: Option<Node<'_, '_>>, out: &mut String) {
    for child in node.children() {
        let name = child.name();
        if matches!(name, "id" | "meta" | "text" | "url" | "contained") && prefix.is_empty()
            || name == "url" && matches!(node.name(), "extension" | "modifierExtension")
        {
            continue;
        }
        let path = if prefix.is_empty() {
            label(child)
        } else {
            format!("{prefix}.{}", label(child))
        };
        if let Some(value) = child.value() {
            out.push_str("<tr><td>");
            escape(&path, out);
            out.push_str("</td><td>");
            if name == "data" {
                out.push_str(&format!("({} characters of base64)", value.len()));
            } else {
                escape(value, out);
                if name == "reference" {
                    if let Some(what) = describe(bundle, value) {
                        out.push_str(" (");
                        escape(&what, out);
                        out.push(')');
                    }
                }
            }
            out.push_str("</td></tr>");
        }
        rows(child, &path, bundle, out);
    }
}

/// The narrative `div` of a resource.
pub(crate) fn div(resource: Node<'_, '_>, bundle: Option<Node<'_, '_>>) -> String {
    let mut out = format!(r#"<div xmlns="{XHTML}"><p><b>"#);
    escape(resource.ty().name(), &mut out);
    if let Some(id) = resource.child_value("id") {
        out.push(' ');
        escape(id, &mut out);
    }
    out.push_str("</b></p><table>");
    rows(resource, "", bundle, &mut out);
    out.push_str("</table></div>");
    out
}

/// Adds `text` (status `generated` and the `div`) to every entry resource of a Bundle that has
/// none.
pub(crate) fn generate_all(tree: &mut Tree) -> Result<(), BuildError> {
    let resources: Vec<NodeId> = tree
        .doc
        .root()
        .children_named("entry")
        .filter_map(|e| e.child("resource"))
        .filter(|r| r.child("text").is_none())
        .map(|r| r.id())
        .collect();
    for r in resources {
        generate(tree, r)?;
    }
    Ok(())
}

/// Adds `text` to one resource of the tree.
pub(crate) fn generate(tree: &mut Tree, resource: NodeId) -> Result<(), BuildError> {
    let div = {
        let doc: &Document<'_> = &tree.doc;
        div(doc.node(resource), Some(doc.root()))
    };
    let text = tree.group(resource, "text")?;
    tree.val(text, "status", "generated")?;
    tree.val(text, "div", &div)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narratives_escape_content_and_are_well_formed() {
        let mut tree = Tree::new("Patient").expect("Patient");
        let root = tree.root();
        tree.val(root, "id", "p1").expect("id");
        let name = tree.group(root, "name").expect("name");
        tree.val(name, "family", "<Jensen & \"Søn\">")
            .expect("family");
        generate(&mut tree, root).expect("narrative");
        let div = tree
            .doc
            .root()
            .child("text")
            .and_then(|t| t.child_value("div"))
            .expect("div")
            .to_owned();
        assert!(
            div.contains("&lt;Jensen &amp; &quot;Søn&quot;&gt;"),
            "{div}"
        );
        assert!(div.starts_with(r#"<div xmlns="http://www.w3.org/1999/xhtml">"#));
        assert_eq!(crate::xml::__narrative_checks(&div), (true, true), "{div}");
        assert_eq!(
            tree.doc
                .root()
                .child("text")
                .and_then(|t| t.child_value("status")),
            Some("generated")
        );
    }

    #[test]
    fn control_characters_are_dropped() {
        let mut out = String::new();
        escape("a\u{1}b\nc", &mut out);
        assert_eq!(out, "ab\nc");
    }
}
