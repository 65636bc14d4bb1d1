//! The OIOXML writer.

use std::fmt::Write as _;

use super::element::{Content, Element};

const MAX_DEPTH: usize = 256;

/// Writes a document as UTF-8 with an XML declaration, no layout whitespace. The root declares
/// its namespace as the default namespace; a child in another namespace declares its own.
///
/// # Examples
///
/// ```
/// use medcom::legacy::oioxml::{to_string, Element};
/// let e = Element::new("Emessage", "urn:x").with_text_child("Identifier", "a<b");
/// assert_eq!(to_string(&e), r#"<?xml version="1.0" encoding="UTF-8"?><Emessage xmlns="urn:x"><Identifier>a&lt;b</Identifier></Emessage>"#);
/// ```
#[must_use]
pub fn to_string(root: &Element) -> String {
    let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    write_element(&mut out, root, "", 0);
    out
}

/// Writes a document as ISO-8859-1 bytes (declared so), with characters outside ISO-8859-1 as
/// character references. A document with such a character in an element or attribute name,
/// where no reference can stand, is written as UTF-8 (declared so) instead.
///
/// # Examples
///
/// ```
/// use medcom::legacy::oioxml::{to_latin1, Element};
/// let e = Element::new("a", "").with_text_child("b", "Ø€");
/// assert_eq!(to_latin1(&e), b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a><b>\xd8&#8364;</b></a>");
/// ```
#[must_use]
pub fn to_latin1(root: &Element) -> Vec<u8> {
    let mut text = String::new();
    write_element(&mut text, root, "", 0);
    if !names_are_latin1(&text) {
        let mut out = br#"<?xml version="1.0" encoding="UTF-8"?>"#.to_vec();
        out.extend_from_slice(text.as_bytes());
        return out;
    }
    let mut out = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>".to_vec();
    for c in text.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => out.push(b),
            Err(_) => out.extend_from_slice(format!("&#{};", u32::from(c)).as_bytes()),
        }
    }
    out
}

/// Whether every character of the markup of `text` (written by [`write_element`]: tags, no
/// comments) outside attribute values is in ISO-8859-1.
fn names_are_latin1(text: &str) -> bool {
    let mut in_tag = false;
    let mut quote = None;
    for c in text.chars() {
        match (in_tag, quote, c) {
            (false, _, '<') => in_tag = true,
            (true, None, '>') => in_tag = false,
            (true, None, '"' | '\'') => quote = Some(c),
            (true, Some(q), _) if c == q => quote = None,
            (true, None, _) if u32::from(c) > 0xFF => return false,
            _ => {}
        }
    }
    true
}

/// The namespace of the `xml` prefix.
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

fn write_element(out: &mut String, e: &Element, parent_ns: &str, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    out.push('<');
    out.push_str(e.name());
    if e.namespace() != parent_ns {
        out.push_str(" xmlns=\"");
        escape(out, e.namespace(), true);
        out.push('"');
    }
    let mut prefixes: Vec<&str> = Vec::new();
    // The `xml` prefix is bound in every document and may not be declared for its namespace.
    for a in e
        .attributes()
        .iter()
        .filter(|a| !a.namespace.is_empty() && *a.namespace != *XML_NAMESPACE)
    {
        if !prefixes.contains(&&*a.namespace) {
            let _ = write!(out, " xmlns:a{}=\"", prefixes.len());
            escape(out, &a.namespace, true);
            out.push('"');
            prefixes.push(&a.namespace);
        }
    }
    for a in e.attributes() {
        out.push(' ');
        if *a.namespace == *XML_NAMESPACE {
            out.push_str("xml:");
        } else if let Some(n) = prefixes.iter().position(|p| **p == *a.namespace) {
            let _ = write!(out, "a{n}:");
        }
        out.push_str(&a.name);
        out.push_str("=\"");
        escape(out, &a.value, true);
        out.push('"');
    }
    if e.children().is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for c in e.children() {
        match c {
            Content::Text(t) => escape(out, t, false),
            Content::Element(child) => write_element(out, child, e.namespace(), depth + 1),
        }
    }
    out.push_str("</");
    out.push_str(e.name());
    out.push('>');
}

/// Writes a document whose root's children come one at a time (the root itself has no
/// attributes and its children are written later): the same text as [`to_string`] of the whole.
pub(crate) struct RootWriter {
    out: String,
    name: String,
    namespace: String,
}

impl RootWriter {
    /// The declaration and the root's start tag.
    pub(crate) fn new(name: &str, namespace: &str) -> Self {
        let mut out = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        out.push('<');
        out.push_str(name);
        if !namespace.is_empty() {
            out.push_str(" xmlns=\"");
            escape(&mut out, namespace, true);
            out.push('"');
        }
        out.push('>');
        Self {
            out,
            name: name.to_owned(),
            namespace: namespace.to_owned(),
        }
    }

    /// Writes one child of the root.
    pub(crate) fn child(&mut self, e: &Element) {
        write_element(&mut self.out, e, &self.namespace, 1);
    }

    /// The root's end tag; the document.
    pub(crate) fn finish(mut self) -> String {
        self.out.push_str("</");
        self.out.push_str(&self.name);
        self.out.push('>');
        self.out
    }
}

fn escape(out: &mut String, s: &str, attribute: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            _ => out.push(c),
        }
    }
}
