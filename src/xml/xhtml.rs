//! A single-pass well-formedness check for the narrative `div`.
//!
//! The narrative is the one place in a FHIR message with free XML content, often half of a
//! message's markup. Running it through the general tokenizer (events, attribute iterators,
//! unescaping into owned strings) cost more than the rest of the message; this scanner checks the
//! same rules in one pass over the bytes and allocates only its stack of open element names.
//!
//! It checks: element and attribute names, matching end tags, attribute syntax (quotes,
//! whitespace between attributes, no `<`, valid references, no repeats), text (valid references,
//! no `]]>`), comments (no `--`), CDATA sections, processing-instruction targets, no DOCTYPE,
//! and that the fragment is exactly one element (with surrounding whitespace, comments or PIs).
//! Characters outside XML's `Char` production are checked by the caller, in one pass over the
//! narrative (the XML reader) or the whole string (JSON).
//!
//! The same pass gathers what the R4 narrative invariants ask ([`NarrativeFacts`]): `txt-1`
//! (only the elements and attributes its XPath lists) and `txt-2` (some content), so the
//! validator answers them without a second look at the XHTML.

use super::escape::{is_name, resolve_reference};
use super::wellformed::{is_xml_space, skip_xml_space};
use crate::words::{equal, first, word};

/// Where and why a fragment is not well-formed (the offset is relative to the fragment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FragmentError {
    pub(crate) offset: usize,
    pub(crate) reason: String,
    /// `Some(name)` when the problem is an undeclared entity `&name;`.
    pub(crate) entity: Option<String>,
    /// Whether the problem is a start tag with more attributes than allowed.
    pub(crate) too_many_attributes: bool,
}

fn fail<T>(offset: usize, reason: &str) -> Result<T, FragmentError> {
    Err(FragmentError {
        offset,
        reason: reason.to_owned(),
        entity: None,
        too_many_attributes: false,
    })
}

/// Attributes of a tag compared one by one; more go into a set.
const SMALL_TAG: usize = 8;

pub use crate::model::NarrativeFacts;

/// Element local names `txt-1` allows. Byte-string patterns compile to a decision tree on the
/// length and the bytes, with no string comparison calls (measured on the CareCommunication
/// example: the facts cost 15 k instructions per read this way, 34 k with `str` patterns,
/// which compare one name after another).
fn is_allowed_element(local: &[u8]) -> bool {
    matches!(
        local,
        b"a" | b"abbr"
            | b"acronym"
            | b"b"
            | b"big"
            | b"blockquote"
            | b"br"
            | b"caption"
            | b"cite"
            | b"code"
            | b"col"
            | b"colgroup"
            | b"dd"
            | b"dfn"
            | b"div"
            | b"dl"
            | b"dt"
            | b"em"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"hr"
            | b"i"
            | b"img"
            | b"li"
            | b"ol"
            | b"p"
            | b"pre"
            | b"q"
            | b"samp"
            | b"small"
            | b"span"
            | b"strong"
            | b"sub"
            | b"sup"
            | b"table"
            | b"tbody"
            | b"td"
            | b"tfoot"
            | b"th"
            | b"thead"
            | b"tr"
            | b"tt"
            | b"ul"
            | b"var"
    )
}

/// Attribute names `txt-1` allows.
fn is_allowed_attribute(name: &[u8]) -> bool {
    matches!(
        name,
        b"abbr"
            | b"accesskey"
            | b"align"
            | b"alt"
            | b"axis"
            | b"bgcolor"
            | b"border"
            | b"cellhalign"
            | b"cellpadding"
            | b"cellspacing"
            | b"cellvalign"
            | b"char"
            | b"charoff"
            | b"charset"
            | b"cite"
            | b"class"
            | b"colspan"
            | b"compact"
            | b"coords"
            | b"dir"
            | b"frame"
            | b"headers"
            | b"height"
            | b"href"
            | b"hreflang"
            | b"hspace"
            | b"id"
            | b"lang"
            | b"longdesc"
            | b"name"
            | b"nowrap"
            | b"rel"
            | b"rev"
            | b"rowspan"
            | b"rules"
            | b"scope"
            | b"shape"
            | b"span"
            | b"src"
            | b"start"
            | b"style"
            | b"summary"
            | b"tabindex"
            | b"title"
            | b"type"
            | b"valign"
            | b"value"
            | b"vspace"
            | b"width"
    )
}

impl NarrativeFacts {
    /// Takes in a start tag's name and attribute names.
    fn tag(&mut self, name: &str, attrs: &[&str]) {
        // Names are a few bytes: a plain loop beats a call to a vectorized search.
        let local = match name.bytes().rposition(|c| c == b':') {
            Some(colon) => &name[colon + 1..],
            None => name,
        };
        if self.only_allowed {
            self.only_allowed = is_allowed_element(local.as_bytes())
                && attrs.iter().all(|a| {
                    is_allowed_attribute(a.as_bytes()) || *a == "xmlns" || a.starts_with("xmlns:")
                });
        }
        if !self.has_content && local == "img" && attrs.contains(&"src") {
            self.has_content = true;
        }
    }

    /// Takes in character data.
    fn text(&mut self, text: &[u8]) {
        if !self.has_content && !text.iter().all(|&c| is_xml_space(c)) {
            self.has_content = true;
        }
    }
}

const OTHER: u8 = 0;
const ASCII_NAME: u8 = 1;
const ENDS_NAME: u8 = 2;

/// Byte classes for names: ASCII name characters, bytes that end a name, and the rest
/// (non-ASCII bytes and ASCII that cannot be in a name, left to the general check).
static NAME_CLASS: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-' | b'.') {
            table[c] = ASCII_NAME;
        }
        c += 1;
    }
    let ends = b" \t\r\n/>=<\"'";
    let mut i = 0;
    while i < ends.len() {
        table[ends[i] as usize] = ENDS_NAME;
        i += 1;
    }
    table
};

struct Scanner<'s> {
    s: &'s str,
    b: &'s [u8],
    i: usize,
    max_attributes: usize,
    /// The attribute names of a tag with many, for the repeat check.
    seen: std::collections::HashSet<&'s str>,
}

impl<'s> Scanner<'s> {
    fn skip_space(&mut self) -> bool {
        let start = self.i;
        self.i = skip_xml_space(self.b, self.i);
        self.i > start
    }

    /// A name at `i`: ends at whitespace, `/`, `>`, `=` or the end.
    fn name(&mut self) -> Result<&'s str, FragmentError> {
        let start = self.i;
        // One pass for the all-ASCII names of nearly every narrative; the general path for
        // the rest.
        let mut end = start;
        while let Some(&c) = self.b.get(end) {
            match NAME_CLASS[usize::from(c)] {
                ASCII_NAME => end += 1,
                ENDS_NAME => break,
                _ => return self.general_name(start),
            }
        }
        self.i = end;
        match self.b.get(start) {
            Some(&c) if c.is_ascii_alphabetic() || c == b'_' || c == b':' => {
                Ok(&self.s[start..end])
            }
            _ => fail(start, "invalid name"),
        }
    }

    fn general_name(&mut self, start: usize) -> Result<&'s str, FragmentError> {
        let len = self.b[start..]
            .iter()
            .position(|&c| NAME_CLASS[usize::from(c)] == ENDS_NAME)
            .unwrap_or(self.b.len() - start);
        self.i = start + len;
        let name = &self.s[start..self.i];
        if is_name(name) {
            Ok(name)
        } else {
            fail(start, "invalid name")
        }
    }

    /// Checks a reference starting at `i` (at `&`), moving past its `;`; returns the character
    /// it stands for.
    fn reference(&mut self) -> Result<char, FragmentError> {
        let start = self.i;
        let Some(end) = self.b[start..].iter().take(40).position(|&c| c == b';') else {
            return fail(start, "malformed reference");
        };
        let body = &self.s[start + 1..start + end];
        match resolve_reference(body) {
            Ok(c) => {
                self.i = start + end + 1;
                Ok(c)
            }
            Err(Some(name)) if is_name(&name) => Err(FragmentError {
                offset: start,
                reason: format!("entity '&{name};' is not allowed"),
                entity: Some(name),
                too_many_attributes: false,
            }),
            Err(_) => fail(start, "malformed reference"),
        }
    }

    /// A start tag after `<`; returns the name and whether it was empty (`/>`).
    fn start_tag(&mut self, attrs: &mut Vec<&'s str>) -> Result<(&'s str, bool), FragmentError> {
        let name = self.name()?;
        attrs.clear();
        loop {
            let had_space = self.skip_space();
            match self.b.get(self.i) {
                Some(b'>') => {
                    self.i += 1;
                    return Ok((name, false));
                }
                Some(b'/') => {
                    if self.b.get(self.i + 1) == Some(&b'>') {
                        self.i += 2;
                        return Ok((name, true));
                    }
                    return fail(self.i, "expected '/>'");
                }
                Some(_) if !had_space => {
                    return fail(self.i, "whitespace required before an attribute")
                }
                Some(_) => {
                    let at = self.i;
                    let attr = self.name()?;
                    if attrs.len() >= self.max_attributes {
                        return Err(FragmentError {
                            offset: at,
                            reason: "too many attributes on one element".to_owned(),
                            entity: None,
                            too_many_attributes: true,
                        });
                    }
                    let repeated = if attrs.len() < SMALL_TAG {
                        attrs.contains(&attr)
                    } else {
                        if attrs.len() == SMALL_TAG {
                            self.seen.clear();
                            self.seen.extend(attrs.iter().copied());
                        }
                        !self.seen.insert(attr)
                    };
                    if repeated {
                        return fail(at, "repeated attribute");
                    }
                    attrs.push(attr);
                    self.skip_space();
                    if self.b.get(self.i) != Some(&b'=') {
                        return fail(self.i, "expected '='");
                    }
                    self.i += 1;
                    self.skip_space();
                    let Some(&quote) = self.b.get(self.i).filter(|&&q| q == b'"' || q == b'\'')
                    else {
                        return fail(self.i, "expected a quoted attribute value");
                    };
                    self.i += 1;
                    loop {
                        // Jump to the next byte that matters.
                        match memchr::memchr3(quote, b'<', b'&', &self.b[self.i..]) {
                            Some(n) => self.i += n,
                            None => self.i = self.b.len(),
                        }
                        match self.b.get(self.i) {
                            None => return fail(self.i, "unterminated attribute value"),
                            Some(&c) if c == quote => {
                                self.i += 1;
                                break;
                            }
                            Some(b'<') => return fail(self.i, "'<' in an attribute value"),
                            Some(b'&') => {
                                self.reference()?;
                            }
                            Some(_) => self.i += 1,
                        }
                    }
                }
                None => return fail(self.i, "unterminated start tag"),
            }
        }
    }

    fn comment(&mut self) -> Result<(), FragmentError> {
        // At `<!--`.
        let start = self.i;
        self.i += 4;
        match find(self.b, self.i, b"--") {
            Some(at) if self.b.get(at + 2) == Some(&b'>') => {
                self.i = at + 3;
                Ok(())
            }
            _ => fail(start, "malformed comment"),
        }
    }

    fn processing_instruction(&mut self) -> Result<(), FragmentError> {
        let start = self.i;
        let Some(end) = find(self.b, self.i + 2, b"?>") else {
            return fail(start, "unterminated processing instruction");
        };
        let content = &self.s[start + 2..end];
        super::wellformed::check_processing_instruction(content).or_else(|why| fail(start, why))?;
        self.i = end + 2;
        Ok(())
    }
}

/// The next `<`, `&` or `]` at or after `from`, or the end. Narrative text runs are mostly a
/// few bytes (often none, between `</td><td>`): test a word at a time before paying for a
/// vectorized search. `]` is found too, so that `]]>` in text costs nothing when absent.
fn find_markup(b: &[u8], from: usize) -> usize {
    let mut i = from;
    for _ in 0..4 {
        let Some(x) = word(b, i) else {
            return b
                .get(i..)
                .and_then(|rest| rest.iter().position(|&c| matches!(c, b'<' | b'&' | b']')))
                .map_or(b.len(), |p| i + p);
        };
        let hits = equal(x, b'<') | equal(x, b'&') | equal(x, b']');
        if hits != 0 {
            return i + first(hits);
        }
        i += 8;
    }
    b.get(i..)
        .and_then(|rest| memchr::memchr3(b'<', b'&', b']', rest))
        .map_or(b.len(), |p| i + p)
}

fn find(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut at = from;
    while let Some(pos) = haystack.get(at..).and_then(|h| memchr::memchr(first, h)) {
        let i = at + pos;
        if haystack.get(i..i + needle.len()) == Some(needle) {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

/// Checks that `s` is one well-formed element, its root named `div` and declaring the XHTML
/// namespace. `max_depth` bounds nesting, `max_attributes` the attributes of one tag.
pub(crate) fn check_div(
    s: &str,
    max_depth: usize,
    max_attributes: usize,
) -> Result<NarrativeFacts, FragmentError> {
    scan(s, 0, max_depth, max_attributes, Root::Fragment).map(|(_, facts)| facts)
}

/// Where a narrative element ends in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Extent {
    /// Offset of the root's end tag (`</div>`); equal to `end` for an empty-element tag.
    pub(crate) end_tag: usize,
    /// Offset just after the root element.
    pub(crate) end: usize,
}

/// Checks the element starting at `from` (at its `<`) inside a larger document, whose name and
/// namespace the caller has resolved (it may have a prefix), and returns where it ends.
pub(crate) fn scan_element(
    s: &str,
    from: usize,
    max_depth: usize,
    max_attributes: usize,
) -> Result<(Extent, NarrativeFacts), FragmentError> {
    scan(s, from, max_depth, max_attributes, Root::InDocument)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Root {
    /// A stand-alone fragment (JSON): leading and trailing misc allowed, `xmlns` required.
    Fragment,
    /// An element of a document being read: stop when it closes.
    InDocument,
}

fn scan(
    s: &str,
    from: usize,
    max_depth: usize,
    max_attributes: usize,
    root: Root,
) -> Result<(Extent, NarrativeFacts), FragmentError> {
    let mut facts = NarrativeFacts {
        only_allowed: true,
        has_content: false,
    };
    let mut sc = Scanner {
        s,
        b: s.as_bytes(),
        i: from,
        max_attributes,
        seen: std::collections::HashSet::new(),
    };
    let mut stack: Vec<&str> = Vec::with_capacity(16);
    let mut attrs: Vec<&str> = Vec::with_capacity(4);
    let mut seen_root = false;
    let mut extent = None;
    loop {
        // Text up to the next markup.
        let text_start = sc.i;
        let mut next = find_markup(sc.b, sc.i);
        while sc.b.get(next) == Some(&b']') {
            if sc.b[next..].starts_with(b"]]>") {
                return fail(text_start, "']]>' is not allowed in text");
            }
            next = find_markup(sc.b, next + 1);
        }
        let text = &sc.b[text_start..next];
        if stack.is_empty() && !text.iter().all(|&c| is_xml_space(c)) {
            return fail(text_start, "text outside the 'div' element");
        }
        facts.text(text);
        sc.i = next;
        match sc.b.get(sc.i) {
            None => {
                return if !stack.is_empty() {
                    fail(sc.i, "unclosed element")
                } else if let Some(extent) = extent {
                    Ok((extent, facts))
                } else {
                    fail(from, "no 'div' element")
                };
            }
            Some(b'&') => {
                if stack.is_empty() {
                    return fail(sc.i, "reference outside the 'div' element");
                }
                let c = sc.reference()?;
                // A character reference to whitespace is whitespace.
                let mut buf = [0; 4];
                facts.text(c.encode_utf8(&mut buf).as_bytes());
            }
            Some(_) => {
                let lt = sc.i;
                match sc.b.get(sc.i + 1) {
                    Some(b'/') => {
                        sc.i += 2;
                        // Nearly always `</name>` for the open element: compare it in place
                        // rather than scanning a name.
                        let expected: &[u8] = stack.last().map_or(b"", |n| n.as_bytes());
                        let after = sc.i + expected.len();
                        if !expected.is_empty()
                            && sc.b.get(sc.i..after) == Some(expected)
                            && sc.b.get(after) == Some(&b'>')
                        {
                            sc.i = after + 1;
                            stack.pop();
                        } else {
                            let name = sc.name()?;
                            sc.skip_space();
                            if sc.b.get(sc.i) != Some(&b'>') {
                                return fail(sc.i, "expected '>'");
                            }
                            sc.i += 1;
                            if stack.pop() != Some(name) {
                                return fail(lt, "end tag does not match the open element");
                            }
                        }
                        if stack.is_empty() {
                            let done = Extent {
                                end_tag: lt,
                                end: sc.i,
                            };
                            if root == Root::InDocument {
                                return Ok((done, facts));
                            }
                            extent = Some(done);
                        }
                    }
                    Some(b'!') => {
                        if sc.b[sc.i..].starts_with(b"<!--") {
                            sc.comment()?;
                        } else if sc.b[sc.i..].starts_with(b"<![CDATA[") {
                            if stack.is_empty() {
                                return fail(lt, "CDATA outside the 'div' element");
                            }
                            match find(sc.b, sc.i + 9, b"]]>") {
                                Some(end) => {
                                    facts.text(&sc.b[sc.i + 9..end]);
                                    sc.i = end + 3;
                                }
                                None => return fail(lt, "unterminated CDATA section"),
                            }
                        } else if sc.b[sc.i..].starts_with(b"<!DOCTYPE") {
                            return fail(lt, "DOCTYPE declarations are not allowed");
                        } else {
                            return fail(lt, "malformed markup");
                        }
                    }
                    Some(b'?') => {
                        if stack.is_empty() {
                            return fail(lt, "processing instruction outside the 'div' element");
                        }
                        sc.processing_instruction()?;
                    }
                    _ => {
                        sc.i += 1;
                        if stack.is_empty() && seen_root {
                            return fail(lt, "content after the 'div' element");
                        }
                        let (name, empty) = sc.start_tag(&mut attrs)?;
                        facts.tag(name, &attrs);
                        if !seen_root {
                            seen_root = true;
                            // In a document the reader has matched the element, prefix and all.
                            if root == Root::Fragment && name != "div" {
                                return fail(lt, "the narrative must be a 'div' element");
                            }
                            if root == Root::Fragment && !declares_xhtml(&s[lt..sc.i]) {
                                return fail(
                                    lt,
                                    "the 'div' must declare xmlns=\"http://www.w3.org/1999/xhtml\"",
                                );
                            }
                            if empty {
                                let done = Extent {
                                    end_tag: sc.i,
                                    end: sc.i,
                                };
                                if root == Root::InDocument {
                                    return Ok((done, facts));
                                }
                                extent = Some(done);
                            }
                        }
                        if !empty {
                            if stack.len() >= max_depth {
                                return fail(lt, "nesting too deep");
                            }
                            stack.push(name);
                        }
                    }
                }
            }
        }
    }
}

/// Whether a start tag carries `xmlns="http://www.w3.org/1999/xhtml"` (either quote).
fn declares_xhtml(tag: &str) -> bool {
    let b = tag.as_bytes();
    let mut from = 0;
    while let Some(at) = find(b, from, b"xmlns") {
        let mut i = at + 5;
        let before_ok = at > 0 && is_xml_space(b[at - 1]);
        while b.get(i).is_some_and(|&c| is_xml_space(c)) {
            i += 1;
        }
        if before_ok && b.get(i) == Some(&b'=') {
            i += 1;
            while b.get(i).is_some_and(|&c| is_xml_space(c)) {
                i += 1;
            }
            if let Some(&q) = b.get(i).filter(|&&q| q == b'"' || q == b'\'') {
                let rest = &tag[i + 1..];
                if let Some(end) = rest.find(char::from(q)) {
                    return &rest[..end] == super::XHTML_NS;
                }
            }
        }
        from = at + 5;
    }
    false
}

impl crate::model::Node<'_, '_> {
    /// For a narrative `div`, whether it keeps to the R4 narrative rules `txt-1` (only basic
    /// HTML formatting elements and attributes) and `txt-2` (some non-whitespace content), as
    /// the reader found while checking it (a built or changed narrative is scanned now).
    /// `None` for any other node, and for a `div` that is not a well-formed XHTML fragment.
    ///
    /// # Examples
    ///
    /// ```
    /// let json = r#"{"resourceType":"Patient","text":{"status":"generated",
    ///   "div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><script>x</script></div>"}}"#;
    /// let doc = medcom::json::parse(json).unwrap();
    /// let div = doc.root().child("text").and_then(|t| t.child("div")).unwrap();
    /// let facts = div.narrative_facts().unwrap();
    /// assert!(!facts.only_allowed);
    /// assert!(facts.has_content);
    /// ```
    #[must_use]
    pub fn narrative_facts(&self) -> Option<NarrativeFacts> {
        if self.ty().name() != "xhtml" {
            return None;
        }
        // Defined here, not in the model: a built or changed narrative is checked by the
        // XML reader.
        match self.recorded_narrative() {
            Some(facts) => Some(facts),
            None => super::narrative_facts(self.value()?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = r#"<div xmlns="http://www.w3.org/1999/xhtml">"#;

    /// One line per case: fragment, well-formed?
    const CASES: &[(&str, bool)] = &[
        (r#"<div xmlns="http://www.w3.org/1999/xhtml"/>"#, true),
        (r#"<div xmlns='http://www.w3.org/1999/xhtml'>x</div>"#, true),
        (
            r#" <div xmlns="http://www.w3.org/1999/xhtml"><p class="a" id='b'>a &amp; &#x41;<br/></p><!-- c --><![CDATA[<x>]]></div> "#,
            true,
        ),
        (r#"<div>x</div>"#, false),
        (r#"<div xmlns="http://example.org">x</div>"#, false),
        (r#"<p xmlns="http://www.w3.org/1999/xhtml">x</p>"#, false),
        (
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><p>x</div>"#,
            false,
        ),
        (
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><p>x</q></div>"#,
            false,
        ),
        (
            r#"<div xmlns="http://www.w3.org/1999/xhtml">&nbsp;</div>"#,
            false,
        ),
        (
            r#"<div xmlns="http://www.w3.org/1999/xhtml">a & b</div>"#,
            false,
        ),
        (
            r#"<div xmlns="http://www.w3.org/1999/xhtml">]]></div>"#,
            false,
        ),
        (
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><p a="1"b="2"/></div>"#,
            false,
        ),
        (
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><p a="1" a="2"/></div>"#,
            false,
        ),
        (
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><p a="<"/></div>"#,
            false,
        ),
        (
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><p a=1/></div>"#,
            false,
        ),
        (
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><!-- a -- b --></div>"#,
            false,
        ),
        (
            r#"<div xmlns="http://www.w3.org/1999/xhtml"></div><div xmlns="http://www.w3.org/1999/xhtml"></div>"#,
            false,
        ),
        (
            r#"<div xmlns="http://www.w3.org/1999/xhtml"></div>x"#,
            false,
        ),
        (
            r#"<!DOCTYPE div><div xmlns="http://www.w3.org/1999/xhtml"></div>"#,
            false,
        ),
        (
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><1p/></div>"#,
            false,
        ),
        (
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><?xml x?></div>"#,
            false,
        ),
        (
            r#"<div xmlns="http://www.w3.org/1999/xhtml"><?pi x?></div>"#,
            true,
        ),
        (r#"<div xmlns="http://www.w3.org/1999/xhtml">"#, false),
        ("", false),
    ];

    #[test]
    fn finds_the_first_markup_byte_at_any_offset() {
        for len in 0..50 {
            for at in 0..=len {
                for c in [b'<', b'&', b']'] {
                    let mut text = vec![b'x'; len];
                    if at < len {
                        text[at] = c;
                        // A later hit must not hide the first.
                        if at + 1 < len {
                            text[at + 1] = b'<';
                        }
                    }
                    for from in 0..=at.min(len) {
                        let naive = text[from..]
                            .iter()
                            .position(|&b| matches!(b, b'<' | b'&' | b']'))
                            .map_or(len, |p| from + p);
                        assert_eq!(find_markup(&text, from), naive, "{len} {at} {from}");
                    }
                }
            }
        }
    }

    #[test]
    fn allowed_names() {
        for name in ["a", "blockquote", "h6", "td", "var"] {
            assert!(is_allowed_element(name.as_bytes()), "{name}");
        }
        for name in ["abbr", "cellpadding", "href", "style", "width"] {
            assert!(is_allowed_attribute(name.as_bytes()), "{name}");
        }
        for name in [
            "",
            "script",
            "u",
            "ab",
            "divx",
            "blockquotes",
            "onclick",
            "xml:lang",
        ] {
            assert!(!is_allowed_element(name.as_bytes()), "{name}");
            assert!(!is_allowed_attribute(name.as_bytes()), "{name}");
        }
    }

    #[test]
    fn fragments() {
        for &(s, ok) in CASES {
            assert_eq!(check_div(s, 64, 256).is_ok(), ok, "{s}");
        }
        let deep = format!("{D}{}{}</div>", "<b>".repeat(70), "</b>".repeat(70));
        assert!(check_div(&deep, 64, 256).is_err());
        assert!(check_div(&deep, 128, 256).is_ok());
    }
}
