//! Element model → canonical FHIR JSON.
//!
//! Canonical means: `resourceType` first, then properties in definition order; each primitive's
//! `_name` companion right after it; arrays for every repeating element; numbers and booleans
//! written with their exact lexical text.

use super::scan::find_special;
use crate::model::{choice_wire_name, Document, Element, JsonForm, Node, PrimitiveKind};

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

/// Adjacent siblings of one element.
#[derive(Clone, Copy)]
struct Run<'d, 'a> {
    first: Node<'d, 'a>,
    len: usize,
}

impl<'d, 'a> Run<'d, 'a> {
    fn iter(self) -> impl Iterator<Item = Node<'d, 'a>> {
        self.first.siblings_from().take(self.len)
    }
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

    /// Writes `"key":` (element names are plain ASCII: no escaping needed), a choice element
    /// with its type suffix, a primitive's extension companion with `_`.
    fn key(&mut self, first: &mut bool, depth: usize, node: Node<'_, '_>, underscore: bool) {
        if !std::mem::replace(first, false) {
            self.out.push(',');
        }
        self.newline(depth);
        self.out.push('"');
        if underscore {
            self.out.push('_');
        }
        match node.element() {
            Some(e) if e.is_choice() => choice_wire_name(e.name(), node.ty(), self.out),
            _ => self.out.push_str(node.name()),
        }
        self.out.push_str(if self.pretty { "\": " } else { "\":" });
    }

    fn resource_object(&mut self, node: Node<'_, '_>, depth: usize) {
        self.out.push('{');
        self.newline(depth + 1);
        self.out.push_str(if self.pretty {
            "\"resourceType\": \""
        } else {
            "\"resourceType\":\""
        });
        self.out.push_str(node.ty().name());
        self.out.push('"');
        let mut first = false;
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

    /// Writes the children of `node` as members, one per run of repetitions of an element
    /// (children are in definition order, so repetitions are adjacent).
    fn members(&mut self, node: Node<'_, '_>, depth: usize, first: &mut bool) {
        let mut children = node.children().peekable();
        while let Some(child) = children.next() {
            let mut len = 1;
            while children
                .next_if(|next| next.element() == child.element())
                .is_some()
            {
                len += 1;
            }
            let Some(element) = child.element() else {
                continue;
            };
            self.group(element, Run { first: child, len }, depth, first);
        }
    }

    fn group(&mut self, element: Element, run: Run<'_, '_>, depth: usize, first: &mut bool) {
        let head = run.first;
        let array = element.is_array() || run.len > 1;
        if let Some(kind) = head.ty().primitive() {
            if run.iter().any(|n| n.value().is_some()) {
                self.key(first, depth, head, false);
                self.sequence(run, array, depth, |w, n, _| match n.value() {
                    Some(v) => w.primitive(kind, v),
                    None => w.out.push_str("null"),
                });
            }
            if kind != PrimitiveKind::Xhtml && run.iter().any(|n| n.children().next().is_some()) {
                self.key(first, depth, head, true);
                self.sequence(run, array, depth, |w, n, d| {
                    if n.children().next().is_some() {
                        w.object(n, d);
                    } else {
                        w.out.push_str("null");
                    }
                });
            }
            return;
        }
        self.key(first, depth, head, false);
        let holds_resource = element.holds_resource();
        self.sequence(run, array, depth, |w, n, d| {
            if holds_resource {
                w.resource_object(n, d);
            } else {
                w.object(n, d);
            }
        });
    }

    fn sequence(
        &mut self,
        run: Run<'_, '_>,
        array: bool,
        depth: usize,
        mut each: impl FnMut(&mut Self, Node<'_, '_>, usize),
    ) {
        if !array {
            each(self, run.first, depth);
            return;
        }
        self.out.push('[');
        for (i, n) in run.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.newline(depth + 1);
            each(self, n, depth + 1);
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
    loop {
        let at = find_special(bytes, last);
        out.push_str(&s[last..at]);
        let Some(&b) = bytes.get(at) else {
            return;
        };
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                out.push_str("\\u00");
                out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
                out.push(char::from(b"0123456789abcdef"[usize::from(b & 0xf)]));
            }
        }
        last = at + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_inside_and_across_words() {
        for (input, expected) in [
            ("", ""),
            ("plain", "plain"),
            ("a\"b", "a\\\"b"),
            ("0123456789abcdef\\", "0123456789abcdef\\\\"),
            (
                "0123456789abcde\n0123456789abcdef\u{1}",
                "0123456789abcde\\n0123456789abcdef\\u0001",
            ),
            ("æøå\tÆØÅ 0123456789abcdef", "æøå\\tÆØÅ 0123456789abcdef"),
        ] {
            let mut out = String::new();
            escape(input, &mut out);
            assert_eq!(out, expected, "{input:?}");
        }
    }
}
