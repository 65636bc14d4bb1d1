//! The owned [`Element`] tree, built in one forward pass over text that `roxmltree` has already
//! accepted as well-formed. Building it from `roxmltree`'s nodes would keep both trees alive at
//! once (about 70 bytes a node there and as much again here); this pass needs only the text, so
//! the first tree is dropped before the second is built.
//!
//! Because the text is known to be well-formed (no DTD, so only the five predefined entities
//! and character references), the scanner does not check anything: it follows the grammar
//! far enough to find names, attribute values and text, and resolves namespaces itself.

use std::collections::HashMap;
use std::sync::Arc;

use super::element::{Attribute, Content, Element};
use crate::error::Position;
use crate::legacy::{LegacyError, LegacyErrorKind};

/// The namespace of the `xml` prefix, bound in every document.
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// Where a position in the decoded text came from in the source.
pub(crate) trait Locate {
    /// The source position of a byte offset into the decoded text; offsets only grow.
    fn position(&mut self, offset: usize) -> Position;
}

/// One open element, the namespace bindings its start tag added and where its children start
/// on the shared child stack.
struct Open {
    element: Element,
    bindings: usize,
    children: usize,
}

/// Builds the root element of `text`, which `roxmltree` accepted; nesting at or beyond
/// `max_depth` is refused at the first element that reaches it.
pub(crate) fn build(
    text: &str,
    locate: &mut dyn Locate,
    max_depth: usize,
) -> Result<Element, LegacyError> {
    let mut scan = Scan {
        b: text.as_bytes(),
        text,
        i: 0,
    };
    let mut uris: HashMap<String, Arc<str>> = HashMap::new();
    let mut names: HashMap<&str, Arc<str>> = HashMap::new();
    let none = intern(&mut uris, "");
    let mut bindings: Vec<(&str, Arc<str>)> = vec![
        ("xml", intern(&mut uris, XML_NAMESPACE)),
        ("", Arc::clone(&none)),
    ];
    let mut open: Vec<Open> = Vec::new();
    // Children of all open elements; each list is moved out at its end tag into a Vec of
    // exactly its length, so no list grows and shrinks in place (which fragments the heap).
    let mut children: Vec<Content> = Vec::new();
    let mut pending = String::new();
    while let Some(lt) = scan.find(b'<') {
        if !open.is_empty() && lt > scan.i {
            let raw = scan.slice(scan.i, lt);
            unescape_text(raw, &mut pending).map_err(|at| forbidden(locate, scan.i + at))?;
        }
        scan.i = lt;
        // Dispatch on the byte after `<`: start tags, the common case, compare nothing more.
        match scan.b.get(lt + 1) {
            Some(b'!') => {
                if scan.skip_past(b"<!--", b"-->") {
                    continue;
                }
                if scan.at(b"<![CDATA[") {
                    let start = lt + 9;
                    let end = scan.until(start, b"]]>");
                    if !open.is_empty() {
                        normalize_line_ends(scan.slice(start, end), &mut pending);
                    }
                    scan.i = end + 3;
                    continue;
                }
                // A DOCTYPE cannot reach here (roxmltree refuses it); step over it all the same.
                scan.i = scan.until_byte(lt, b'>') + 1;
                continue;
            }
            Some(b'?') => {
                scan.i = scan.until(lt + 2, b"?>") + 2;
                continue;
            }
            _ => {}
        }
        if scan.b.get(lt + 1) == Some(&b'/') {
            scan.i = scan.until_byte(lt, b'>') + 1;
            let Some(done) = open.pop() else { break };
            let mut element = done.element;
            flush(&mut pending, &mut children);
            *element.children_mut() = children.drain(done.children..).collect();
            bindings.truncate(done.bindings);
            if open.is_empty() {
                return Ok(element);
            }
            children.push(Content::Element(Box::new(element)));
            continue;
        }
        // A start tag.
        flush(&mut pending, &mut children);
        let position = locate.position(lt);
        if open.len() >= max_depth {
            return Err(LegacyError::new(LegacyErrorKind::LimitExceeded {
                limit: "nesting depth",
            })
            .with_position(position));
        }
        let tag = scan.start_tag(lt + 1);
        let mark = bindings.len();
        for &(qname, value) in &tag.attributes {
            let prefix = match qname.strip_prefix("xmlns") {
                Some("") => "",
                Some(rest) => match rest.strip_prefix(':') {
                    Some(p) => p,
                    None => continue,
                },
                None => continue,
            };
            let mut uri = String::new();
            unescape_attribute(value, &mut uri)
                .map_err(|at| forbidden(locate, offset(text, value) + at))?;
            bindings.push((prefix, intern(&mut uris, &uri)));
        }
        let resolve = |prefix: &str| {
            bindings
                .iter()
                .rev()
                .find(|(p, _)| *p == prefix)
                .map_or_else(|| Arc::from(""), |(_, uri)| Arc::clone(uri))
        };
        let (prefix, local) = split(tag.name);
        let namespace = resolve(prefix);
        let mut attributes = Vec::new();
        for &(qname, value) in &tag.attributes {
            if qname == "xmlns" || qname.starts_with("xmlns:") {
                continue;
            }
            let (prefix, local) = split(qname);
            let mut value_text = String::new();
            unescape_attribute(value, &mut value_text)
                .map_err(|at| forbidden(locate, offset(scan.text, value) + at))?;
            attributes.push(Attribute {
                namespace: if prefix.is_empty() {
                    Arc::clone(&none)
                } else {
                    resolve(prefix)
                },
                name: local.to_owned(),
                value: value_text,
            });
        }
        let name = match names.get(local) {
            Some(n) => Arc::clone(n),
            None => {
                let n: Arc<str> = Arc::from(local);
                names.insert(local, Arc::clone(&n));
                n
            }
        };
        let element = Element::from_parts(name, namespace, attributes, position);
        scan.i = tag.end;
        if tag.empty {
            bindings.truncate(mark);
            if open.is_empty() {
                return Ok(element);
            }
            children.push(Content::Element(Box::new(element)));
        } else {
            open.push(Open {
                element,
                bindings: mark,
                children: children.len(),
            });
        }
    }
    Err(LegacyError::new(LegacyErrorKind::MalformedXml {
        reason: "no root element".to_owned(),
    }))
}

/// Text between two tags (comments and processing instructions do not split it) becomes one
/// text child.
fn flush(pending: &mut String, children: &mut Vec<Content>) {
    if !pending.is_empty() {
        children.push(Content::Text(pending.as_str().to_owned()));
        pending.clear();
    }
}

fn intern(cache: &mut HashMap<String, Arc<str>>, uri: &str) -> Arc<str> {
    if let Some(a) = cache.get(uri) {
        return Arc::clone(a);
    }
    let a: Arc<str> = Arc::from(uri);
    cache.insert(uri.to_owned(), Arc::clone(&a));
    a
}

fn split(qname: &str) -> (&str, &str) {
    qname.split_once(':').unwrap_or(("", qname))
}

struct Tag<'a> {
    name: &'a str,
    attributes: Vec<(&'a str, &'a str)>,
    empty: bool,
    /// Offset just past the tag's `>`.
    end: usize,
}

struct Scan<'a> {
    b: &'a [u8],
    text: &'a str,
    i: usize,
}

impl<'a> Scan<'a> {
    fn find(&self, byte: u8) -> Option<usize> {
        memchr::memchr(byte, self.b.get(self.i..)?).map(|n| self.i + n)
    }

    fn at(&self, prefix: &[u8]) -> bool {
        self.b.get(self.i..).is_some_and(|r| r.starts_with(prefix))
    }

    /// The offset of `end` at or after `from`, or the end of the text.
    fn until(&self, from: usize, end: &[u8]) -> usize {
        self.b
            .get(from..)
            .and_then(|r| memchr::memmem::find(r, end))
            .map_or(self.b.len(), |n| from + n)
    }

    /// The offset of `byte` at or after `from`, or the end of the text.
    fn until_byte(&self, from: usize, byte: u8) -> usize {
        self.b
            .get(from..)
            .and_then(|r| memchr::memchr(byte, r))
            .map_or(self.b.len(), |n| from + n)
    }

    fn skip_past(&mut self, open: &[u8], close: &[u8]) -> bool {
        if !self.at(open) {
            return false;
        }
        self.i = self.until(self.i + open.len(), close) + close.len();
        true
    }

    fn slice(&self, from: usize, to: usize) -> &'a str {
        self.text.get(from..to).unwrap_or("")
    }

    fn skip_space(&self, mut i: usize) -> usize {
        while self
            .b
            .get(i)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
        {
            i += 1;
        }
        i
    }

    fn name_end(&self, mut i: usize) -> usize {
        while self
            .b
            .get(i)
            .is_some_and(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>' | b'='))
        {
            i += 1;
        }
        i
    }

    /// The start tag whose name begins at `i`.
    fn start_tag(&self, i: usize) -> Tag<'a> {
        let name_end = self.name_end(i);
        let mut tag = Tag {
            name: self.slice(i, name_end),
            attributes: Vec::new(),
            empty: false,
            end: self.b.len(),
        };
        let mut i = name_end;
        loop {
            i = self.skip_space(i);
            match self.b.get(i) {
                None => return tag,
                Some(b'>') => {
                    tag.end = i + 1;
                    return tag;
                }
                Some(b'/') => {
                    tag.empty = true;
                    tag.end = self.until_byte(i, b'>') + 1;
                    return tag;
                }
                Some(_) => {}
            }
            let attr_end = self.name_end(i);
            let attr = self.slice(i, attr_end);
            let eq = self.skip_space(attr_end);
            let open = self.skip_space(eq + 1);
            let Some(&quote) = self.b.get(open) else {
                return tag;
            };
            let close = self.until_byte(open + 1, quote);
            tag.attributes.push((attr, self.slice(open + 1, close)));
            i = close + 1;
        }
    }
}

/// Appends `raw` with `\r\n` and lone `\r` read as `\n` (XML 1.0 §2.11).
fn normalize_line_ends(raw: &str, out: &mut String) {
    let mut rest = raw;
    while let Some(at) = rest.find('\r') {
        out.push_str(&rest[..at]);
        out.push('\n');
        rest = &rest[at + 1..];
        if let Some(r) = rest.strip_prefix('\n') {
            rest = r;
        }
    }
    out.push_str(rest);
}

/// A character reference to a character that XML forbids (`roxmltree` reads it as U+FFFD).
fn forbidden(locate: &mut dyn Locate, at: usize) -> LegacyError {
    LegacyError::new(LegacyErrorKind::MalformedXml {
        reason: "a character reference to a character that XML does not allow".to_owned(),
    })
    .with_position(locate.position(at))
}

/// The offset of `part` in `whole`, which holds it.
fn offset(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The error is the offset in `raw` of a reference to a character XML forbids.
fn unescape_text(raw: &str, out: &mut String) -> Result<(), usize> {
    unescape(raw, out, false)
}

/// Attribute values are normalized too: each literal whitespace character (after line ends are
/// read as `\n`) becomes a space; characters written as references stay (XML 1.0 §3.3.3).
fn unescape_attribute(raw: &str, out: &mut String) -> Result<(), usize> {
    unescape(raw, out, true)
}

fn unescape(raw: &str, out: &mut String, attribute: bool) -> Result<(), usize> {
    let mut rest = raw;
    loop {
        let Some(amp) = rest.find('&') else {
            literal(rest, out, attribute);
            return Ok(());
        };
        literal(&rest[..amp], out, attribute);
        let after = &rest[amp + 1..];
        let Some(semi) = after.find(';') else {
            out.push_str(&rest[amp..]);
            return Ok(());
        };
        let entity = &after[..semi];
        let c = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "apos" => Some('\''),
            "quot" => Some('"'),
            _ => entity
                .strip_prefix("#x")
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match c {
            Some(c) if is_xml_char(c) => out.push(c),
            _ if entity.starts_with('#') => return Err(raw.len() - rest.len() + amp),
            _ => out.push_str(&rest[amp..=amp + 1 + semi]),
        }
        rest = &after[semi + 1..];
    }
}

fn literal(raw: &str, out: &mut String, attribute: bool) {
    if !attribute {
        normalize_line_ends(raw, out);
        return;
    }
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push(' ');
            }
            '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
}
