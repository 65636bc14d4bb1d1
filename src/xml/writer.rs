//! Element model → canonical FHIR XML.
//!
//! Canonical means: an XML declaration, the FHIR namespace declared once on the root, elements
//! in definition order, `id` and `url` attributes before `value`, attribute values escaped so
//! that line breaks and tabs survive, and the narrative `div` written as it is held.

use super::escape::escape_attribute;
use super::FHIR_NS;
use crate::model::{Document, Node, PrimitiveKind};

/// Writes compact XML (no indentation, no line breaks).
///
/// # Examples
///
/// ```
/// let doc = medcom::json::parse(r#"{"resourceType":"Basic","id":"a"}"#).unwrap();
/// assert_eq!(
///     medcom::xml::to_string(&doc),
///     r#"<?xml version="1.0" encoding="UTF-8"?><Basic xmlns="http://hl7.org/fhir"><id value="a"/></Basic>"#
/// );
/// ```
#[must_use]
pub fn to_string(doc: &Document<'_>) -> String {
    let mut out = String::with_capacity(doc.source().len().max(256) + doc.len() * 24);
    write_document(doc, &mut out, false);
    out
}

/// Writes pretty XML, indented by two spaces, ending in a line break.
///
/// # Examples
///
/// ```
/// let doc = medcom::json::parse(r#"{"resourceType":"Basic","id":"a"}"#).unwrap();
/// assert_eq!(
///     medcom::xml::to_string_pretty(&doc),
///     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Basic xmlns=\"http://hl7.org/fhir\">\n  <id value=\"a\"/>\n</Basic>\n"
/// );
/// ```
#[must_use]
pub fn to_string_pretty(doc: &Document<'_>) -> String {
    let mut out = String::with_capacity(doc.source().len().max(256) + doc.len() * 32);
    write_document(doc, &mut out, true);
    out
}

/// Writes XML to `w`, pretty or compact.
///
/// # Errors
///
/// Any error of `w`.
///
/// # Examples
///
/// ```
/// let doc = medcom::json::parse(r#"{"resourceType":"Basic","id":"a"}"#).unwrap();
/// let mut buf = Vec::new();
/// medcom::xml::write(&doc, &mut buf, false).unwrap();
/// assert!(buf.ends_with(b"</Basic>"));
/// ```
pub fn write(doc: &Document<'_>, mut w: impl std::io::Write, pretty: bool) -> std::io::Result<()> {
    let s = if pretty {
        to_string_pretty(doc)
    } else {
        to_string(doc)
    };
    w.write_all(s.as_bytes())
}

fn write_document(doc: &Document<'_>, out: &mut String, pretty: bool) {
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    if pretty {
        out.push('\n');
    }
    let mut w = Writer { out, pretty };
    w.resource(doc.root(), 0, true);
    if pretty {
        w.out.push('\n');
    }
}

struct Writer<'o> {
    out: &'o mut String,
    pretty: bool,
}

impl Writer<'_> {
    fn indent(&mut self, depth: usize) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..depth {
                self.out.push_str("  ");
            }
        }
    }

    /// A resource: `<Patient>` + its children + `</Patient>`.
    fn resource(&mut self, node: Node<'_, '_>, depth: usize, root: bool) {
        let name = node.ty().name();
        self.out.push('<');
        self.out.push_str(name);
        if root {
            self.out.push_str(" xmlns=\"");
            self.out.push_str(FHIR_NS);
            self.out.push('"');
        }
        if node.children().next().is_none() {
            self.out.push_str("/>");
            return;
        }
        self.out.push('>');
        for child in node.children() {
            self.element(child, depth + 1);
        }
        self.indent(depth);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    fn element(&mut self, node: Node<'_, '_>, depth: usize) {
        let Some(element) = node.element() else {
            return;
        };
        if element.is_xml_attribute() {
            return; // written with its parent's start tag
        }
        self.indent(depth);
        if node.ty().primitive() == Some(PrimitiveKind::Xhtml) {
            if let Some(div) = node.value() {
                self.out.push_str(div);
            }
            return;
        }
        let wire = node.wire_name();
        self.out.push('<');
        self.out.push_str(&wire);
        if element.holds_resource() {
            self.out.push('>');
            self.indent(depth + 1);
            self.resource(node, depth + 1, false);
            self.indent(depth);
            self.close(&wire);
            return;
        }
        let mut has_elements = false;
        for child in node.children() {
            match child.element() {
                Some(e) if e.is_xml_attribute() => {
                    self.out.push(' ');
                    self.out.push_str(e.name());
                    self.out.push_str("=\"");
                    escape_attribute(child.value().unwrap_or(""), self.out);
                    self.out.push('"');
                }
                _ => has_elements = true,
            }
        }
        if let Some(value) = node.value() {
            self.out.push_str(" value=\"");
            escape_attribute(value, self.out);
            self.out.push('"');
        }
        if !has_elements {
            self.out.push_str("/>");
            return;
        }
        self.out.push('>');
        for child in node.children() {
            self.element(child, depth + 1);
        }
        self.indent(depth);
        self.close(&wire);
    }

    fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }
}
