//! Element model → canonical FHIR JSON.
//!
//! Canonical means: `resourceType` first, then properties in definition order; each primitive's
//! `_name` companion right after it; arrays for every repeating element; numbers and booleans
//! written with their exact lexical text.

use crate::model::{Document, Element, JsonForm, Node, PrimitiveKind};

/// Writes compact JSON.
///
/// # Examples
///
/// ```
/// let doc = medcom::xml::parse(
///     r#"<Patient xmlns="http://hl7.org/fhir"><name><given value="A"/><given value="B"/></name></Patient>"#,
/// ).unwrap();
/// assert_eq!(
///     medcom::json::to_string(&doc),
///     r#"{"resourceType":"Patient","name":[{"given":["A","B"]}]}"#
/// );
/// ```
#[must_use]
pub fn to_string(doc: &Document<'_>) -> String {
    let mut out = String::with_capacity(doc.source().len().max(256) + doc.len() * 16);
    let mut w = Writer {
        out: &mut out,
        pretty: false,
    };
    w.resource_object(doc.root(), 0);
    out
}

/// Writes pretty JSON, indented by two spaces, ending in a line break.
///
/// # Examples
///
/// ```
/// let doc = medcom::json::parse(r#"{"resourceType":"Basic","id":"a"}"#).unwrap();
/// assert_eq!(medcom::json::to_string_pretty(&doc), "{\n  \"resourceType\": \"Basic\",\n  \"id\": \"a\"\n}\n");
/// ```
#[must_use]
pub fn to_string_pretty(doc: &Document<'_>) -> String {
    let mut out = String::with_capacity(doc.source().len().max(256) + doc.len() * 24);
    let mut w = Writer {
        out: &mut out,
        pretty: true,
    };
    w.resource_object(doc.root(), 0);
    out.push('\n');
    out
}

/// Writes JSON to `w`, pretty or compact.
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
/// medcom::json::write(&doc, &mut buf, false).unwrap();
/// assert_eq!(buf, br#"{"resourceType":"Basic","id":"a"}"#);
/// ```
pub fn write(doc: &Document<'_>, mut w: impl std::io::Write, pretty: bool) -> std::io::Result<()> {
    let s = if pretty {
        to_string_pretty(doc)
    } else {
        to_string(doc)
    };
    w.write_all(s.as_bytes())
}

struct Writer<'o> {
    out: &'o mut String,
    pretty: bool,
}

impl Writer<'_> {
    fn newline(&mut self, depth: usize) {
        if self.pretty {
            self.out.push('\n');
            for _ in 0..depth {
                self.out.push_str("  ");
            }
        }
    }

    fn key(&mut self, first: &mut bool, depth: usize, key: &str, underscore: bool) {
        if !std::mem::replace(first, false) {
            self.out.push(',');
        }
        self.newline(depth);
        self.out.push('"');
        if underscore {
            self.out.push('_');
        }
        escape(key, self.out);
        self.out.push_str(if self.pretty { "\": " } else { "\":" });
    }

    fn resource_object(&mut self, node: Node<'_, '_>, depth: usize) {
        self.out.push('{');
        let mut first = true;
        self.key(&mut first, depth + 1, "resourceType", false);
        self.out.push('"');
        self.out.push_str(node.ty().name());
        self.out.push('"');
        self.members(node, depth + 1, &mut first);
        self.newline(depth);
        self.out.push('}');
    }

    fn object(&mut self, node: Node<'_, '_>, depth: usize) {
        self.out.push('{');
        let mut first = true;
        self.members(node, depth + 1, &mut first);
        self.newline(depth);
        self.out.push('}');
    }

    /// Writes the children of `node` as members, grouping repetitions of an element.
    fn members(&mut self, node: Node<'_, '_>, depth: usize, first: &mut bool) {
        let mut children = node.children().peekable();
        let mut group: Vec<Node<'_, '_>> = Vec::new();
        while let Some(child) = children.next() {
            group.clear();
            group.push(child);
            while let Some(next) = children.peek() {
                if next.element() == child.element() {
                    group.push(*next);
                    children.next();
                } else {
                    break;
                }
            }
            let Some(element) = child.element() else {
                continue;
            };
            self.group(element, &group, depth, first);
        }
    }

    fn group(&mut self, element: Element, group: &[Node<'_, '_>], depth: usize, first: &mut bool) {
        let wire = group[0].wire_name();
        let array = element.is_array() || group.len() > 1;
        if let Some(kind) = group[0].ty().primitive() {
            if group.iter().any(|n| n.value().is_some()) {
                self.key(first, depth, &wire, false);
                self.sequence(group, array, depth, |w, n, _| match n.value() {
                    Some(v) => w.primitive(kind, v),
                    None => w.out.push_str("null"),
                });
            }
            if kind != PrimitiveKind::Xhtml && group.iter().any(|n| n.children().next().is_some()) {
                self.key(first, depth, &wire, true);
                self.sequence(group, array, depth, |w, n, d| {
                    if n.children().next().is_some() {
                        w.object(n, d);
                    } else {
                        w.out.push_str("null");
                    }
                });
            }
            return;
        }
        self.key(first, depth, &wire, false);
        let holds_resource = element.holds_resource();
        self.sequence(group, array, depth, |w, n, d| {
            if holds_resource {
                w.resource_object(n, d);
            } else {
                w.object(n, d);
            }
        });
    }

    fn sequence(
        &mut self,
        group: &[Node<'_, '_>],
        array: bool,
        depth: usize,
        mut each: impl FnMut(&mut Self, Node<'_, '_>, usize),
    ) {
        if !array {
            each(self, group[0], depth);
            return;
        }
        self.out.push('[');
        for (i, n) in group.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.newline(depth + 1);
            each(self, *n, depth + 1);
        }
        self.newline(depth);
        self.out.push(']');
    }

    fn primitive(&mut self, kind: PrimitiveKind, value: &str) {
        match kind.json_form() {
            // A value read leniently may not be a JSON token of its kind: quote it then, so the
            // output stays JSON. `+5` (a valid positiveInt) loses its sign.
            JsonForm::Bool if value == "true" || value == "false" => self.out.push_str(value),
            JsonForm::Number
                if crate::model::primitive::check(PrimitiveKind::Decimal, value).is_ok() =>
            {
                self.out.push_str(value);
            }
            JsonForm::Number
                if value.starts_with('+')
                    && crate::model::primitive::check(PrimitiveKind::Decimal, &value[1..])
                        .is_ok() =>
            {
                self.out.push_str(&value[1..]);
            }
            _ => {
                self.out.push('"');
                escape(value, self.out);
                self.out.push('"');
            }
        }
    }
}

/// Appends `s` escaped for a JSON string (quotes, backslashes and control characters).
pub(crate) fn escape(s: &str, out: &mut String) {
    let bytes = s.as_bytes();
    let mut last = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => {
                out.push_str(&s[last..i]);
                out.push_str("\\u00");
                out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
                out.push(char::from(b"0123456789abcdef"[usize::from(b & 0xf)]));
                last = i + 1;
                continue;
            }
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}
