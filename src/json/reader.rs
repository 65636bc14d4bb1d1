//! FHIR JSON → element model, with a tokenizer of its own so that every value keeps its byte
//! offset and numbers keep their exact lexical form (`1.50` stays `1.50`).

use std::borrow::Cow;

use crate::error::{Limit, ReadError, ReadErrorKind};
use crate::lines::LineIndex;
use crate::model::{primitive, Document, Element, JsonForm, NodeId, PrimitiveKind, Type};
use crate::options::ReadOptions;

type Result<T> = std::result::Result<T, ReadError>;

const NONE: u32 = u32::MAX;

/// What a string must not hold: the characters XML forbids, so that every string read can be
/// written as XML (`\b`, `\f` and other C0 controls, U+FFFE, U+FFFF; lone surrogates are no
/// characters at all).
const NO_XML_CHAR: &str = "only characters that XML allows in strings";

/// Whether XML 1.0 allows `c` (controls other than tab, line feed and carriage return, and
/// U+FFFE and U+FFFF, are not; surrogates cannot be a `char`).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Offset of the first U+FFFE or U+FFFF (UTF-8 `EF BF BE` / `EF BF BF`) in `bytes`.
fn first_nonchar(bytes: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(n) = memchr::memchr(0xEF, bytes.get(from..)?) {
        let at = from + n;
        if bytes.get(at + 1) == Some(&0xBF) && matches!(bytes.get(at + 2), Some(0xBE | 0xBF)) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Keys of an object compared one by one; more go into a set.
const SMALL_OBJECT: usize = 16;

/// A scalar JSON token.
enum Scalar<'a> {
    Bool(&'a str),
    Null,
    Number(&'a str),
    String(Cow<'a, str>),
}

impl Scalar<'_> {
    fn type_name(&self) -> &'static str {
        match self {
            Self::Bool(_) => "boolean",
            Self::Null => "null",
            Self::Number(_) => "number",
            Self::String(_) => "string",
        }
    }
}

pub(super) struct Parser<'a, 'o> {
    input: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Objects around the value being read: the elements around it, as in XML.
    depth: usize,
    /// Arrays around the value being read (bounded like objects; FHIR never has more).
    arrays: usize,
    options: &'o ReadOptions,
    doc: Document<'a>,
    issues: Vec<ReadError>,
    /// Keys of the objects being read, innermost last (one allocation for the whole document).
    keys: Vec<Cow<'a, str>>,
    /// Scratch list of existing nodes of an element, reused across arrays.
    scratch: Vec<u32>,
    /// Array `null`s waiting for their companion (checked when their object ends).
    pending_nulls: usize,
    /// Definition index of the last element found in the object being read.
    cursor: u32,
    /// Whether the last string read had an escape that can stand for a character JSON forbids
    /// raw (`\b`, `\f`, `\u`): only then can a narrative hold a control character.
    escaped_control: bool,
    /// Line index of the input, built on the first position asked for.
    lines: std::cell::OnceCell<LineIndex>,
    /// Problems found beyond [`ReadOptions::max_issues`].
    issues_left_out: usize,
}

/// Reads a FHIR JSON resource.
pub(super) fn read<'a>(input: &'a str, options: &ReadOptions) -> Result<Document<'a>> {
    if input.len() > options.max_input_bytes {
        return Err(ReadError::at(
            ReadErrorKind::LimitExceeded {
                limit: Limit::InputBytes,
            },
            input,
            0,
        ));
    }
    let start = if input.starts_with('\u{FEFF}') { 3 } else { 0 };
    let mut parser = Parser {
        input,
        bytes: input.as_bytes(),
        pos: start,
        depth: 0,
        arrays: 0,
        options,
        doc: Document::new(Type(0)),
        issues: Vec::new(),
        keys: Vec::with_capacity(64),
        scratch: Vec::new(),
        pending_nulls: 0,
        cursor: 0,
        escaped_control: false,
        lines: std::cell::OnceCell::new(),
        issues_left_out: 0,
    };
    parser.skip_ws();
    if parser.peek() != Some(b'{') {
        return Err(parser.syntax("'{'"));
    }
    let object_start = parser.pos;
    let ty = parser.resource_type(None)?;
    parser.doc = Document::with_source(input, ty, input.len() / 32);
    parser.doc.nodes[0].offset = u32::try_from(object_start).unwrap_or(u32::MAX);
    parser.object(0, true)?;
    parser.skip_ws();
    if parser.pos != parser.bytes.len() {
        return Err(parser.error(ReadErrorKind::TrailingContent, parser.pos));
    }
    let mut doc = parser.doc;
    doc.issues = parser.issues;
    doc.issues_left_out = parser.issues_left_out;
    doc.keep_lines(parser.lines.into_inner());
    Ok(doc)
}

fn json_form_name(form: JsonForm) -> &'static str {
    match form {
        JsonForm::Bool => "boolean",
        JsonForm::Number => "number",
        JsonForm::String => "string",
    }
}

impl<'a> Parser<'a, '_> {
    fn error(&self, kind: ReadErrorKind, at: usize) -> ReadError {
        let lines = self.lines.get_or_init(|| LineIndex::new(self.input));
        ReadError::new(kind, lines.position(self.input, at))
    }

    fn syntax(&self, expected: &'static str) -> ReadError {
        self.error(ReadErrorKind::InvalidJson { expected }, self.pos)
    }

    fn problem(&mut self, kind: ReadErrorKind, at: usize, node: u32) -> Result<()> {
        if !self.options.is_strict() && self.issues.len() >= self.options.max_issues {
            self.issues_left_out += 1;
            return Ok(());
        }
        let err = self
            .error(kind, at)
            .with_path(self.doc.node(NodeId(node)).path());
        if self.options.is_strict() {
            Err(err)
        } else {
            self.issues.push(err);
            Ok(())
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, what: &'static str) -> Result<()> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.syntax(what))
        }
    }

    /// Enters an object: one level of [`ReadOptions::max_depth`], which counts elements as
    /// the XML reader does (an array is not an element), so that what one reader accepts the
    /// other accepts once converted.
    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > self.options.max_depth {
            return Err(self.error(
                ReadErrorKind::LimitExceeded {
                    limit: Limit::Depth,
                },
                self.pos,
            ));
        }
        Ok(())
    }

    /// Enters an array, bounded by the same limit.
    fn enter_array(&mut self) -> Result<()> {
        self.arrays += 1;
        if self.arrays > self.options.max_depth {
            return Err(self.error(
                ReadErrorKind::LimitExceeded {
                    limit: Limit::Depth,
                },
                self.pos,
            ));
        }
        Ok(())
    }

    /// Reads a string token at `pos` (which is at `"`).
    fn string(&mut self) -> Result<Cow<'a, str>> {
        let start = self.pos + 1;
        self.escaped_control = false;
        // The common case: no escapes. Find the closing quote or a backslash with memchr, then
        // check the span for control characters in one branch-free pass.
        let Some(end) = memchr::memchr2(b'"', b'\\', &self.bytes[start.min(self.bytes.len())..])
            .map(|e| start + e)
        else {
            self.pos = self.bytes.len();
            return Err(self.syntax("'\"' to close the string"));
        };
        let span = &self.bytes[start..end];
        if super::scan::has_control(span) {
            self.pos = start + span.iter().position(|&b| b < 0x20).unwrap_or(0);
            return Err(self.syntax("no control characters in strings"));
        }
        if let Some(at) = first_nonchar(span) {
            self.pos = start + at;
            return Err(self.syntax(NO_XML_CHAR));
        }
        if self.bytes[end] == b'"' {
            self.pos = end + 1;
            self.check_length(end - start, start)?;
            return Ok(Cow::Borrowed(&self.input[start..end]));
        }
        let mut i = end;
        // Room for a typical narrative at once (kilobytes, an escaped quote in every attribute)
        // rather than a doubling series of reallocations; finding the closing quote first to
        // size it exactly cost more than the reallocations.
        let room = (self.bytes.len() - start).min(2048);
        let mut out = String::with_capacity(room);
        out.push_str(&self.input[start..i]);
        loop {
            match self.bytes.get(i) {
                None => {
                    self.pos = i;
                    return Err(self.syntax("'\"' to close the string"));
                }
                Some(b'"') => {
                    self.pos = i + 1;
                    self.check_length(out.len(), start)?;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    let esc = self.bytes.get(i + 1).copied();
                    i += 2;
                    match esc {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b' | b'f') => {
                            self.pos = i - 2;
                            return Err(self.syntax(NO_XML_CHAR));
                        }
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            self.escaped_control = true;
                            let hi = self.hex4(i)?;
                            i += 4;
                            let c = if (0xD800..0xDC00).contains(&hi) {
                                if self.bytes.get(i) != Some(&b'\\')
                                    || self.bytes.get(i + 1) != Some(&b'u')
                                {
                                    self.pos = i;
                                    return Err(self.syntax("a low surrogate escape"));
                                }
                                let lo = self.hex4(i + 2)?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    self.pos = i;
                                    return Err(self.syntax("a low surrogate escape"));
                                }
                                i += 6;
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            } else {
                                char::from_u32(hi)
                            };
                            match c {
                                Some(c) if !is_xml_char(c) => {
                                    self.pos = i - 6;
                                    return Err(self.syntax(NO_XML_CHAR));
                                }
                                Some(c) => out.push(c),
                                None => {
                                    self.pos = i;
                                    return Err(self.syntax("a valid unicode escape"));
                                }
                            }
                        }
                        _ => {
                            self.pos = i - 1;
                            return Err(self.syntax("a valid escape sequence"));
                        }
                    }
                }
                Some(&c) if c < 0x20 => {
                    self.pos = i;
                    return Err(self.syntax("no control characters in strings"));
                }
                Some(_) => {
                    // Runs between escapes are short in narratives (`\"` in every attribute):
                    // the word-at-a-time search finds quote, backslash and control at once.
                    let next = super::scan::find_special(self.bytes, i);
                    if let Some(at) = first_nonchar(&self.bytes[i..next]) {
                        self.pos = i + at;
                        return Err(self.syntax(NO_XML_CHAR));
                    }
                    out.push_str(&self.input[i..next]);
                    i = next;
                }
            }
        }
    }

    fn check_length(&self, len: usize, at: usize) -> Result<()> {
        if len > self.options.max_string_bytes {
            Err(self.error(
                ReadErrorKind::LimitExceeded {
                    limit: Limit::StringBytes,
                },
                at,
            ))
        } else {
            Ok(())
        }
    }

    fn hex4(&mut self, at: usize) -> Result<u32> {
        let digits = self
            .input
            .get(at..at + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
        match digits {
            Some(d) => u32::from_str_radix(d, 16).map_err(|_| self.syntax("four hex digits")),
            None => {
                self.pos = at;
                Err(self.syntax("four hex digits"))
            }
        }
    }

    fn number(&mut self) -> Result<&'a str> {
        let start = self.pos;
        let b = self.bytes;
        let mut i = start;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            _ => {
                self.pos = i;
                return Err(self.syntax("a digit"));
            }
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let f = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == f {
                self.pos = i;
                return Err(self.syntax("a digit after '.'"));
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let e = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == e {
                self.pos = i;
                return Err(self.syntax("exponent digits"));
            }
        }
        self.pos = i;
        Ok(&self.input[start..i])
    }

    fn literal(&mut self, word: &'static str, what: &'static str) -> Result<&'a str> {
        if self.input[self.pos..].starts_with(word) {
            let s = &self.input[self.pos..self.pos + word.len()];
            self.pos += word.len();
            Ok(s)
        } else {
            Err(self.syntax(what))
        }
    }

    /// Reads a scalar at `pos`; `None` when the value is an object or array (not consumed).
    fn scalar(&mut self) -> Result<Option<Scalar<'a>>> {
        self.skip_ws();
        Ok(Some(match self.peek() {
            Some(b'"') => Scalar::String(self.string()?),
            Some(b't') => Scalar::Bool(self.literal("true", "a value")?),
            Some(b'f') => Scalar::Bool(self.literal("false", "a value")?),
            Some(b'n') => {
                self.literal("null", "a value")?;
                Scalar::Null
            }
            Some(b'-' | b'0'..=b'9') => Scalar::Number(self.number()?),
            Some(b'{' | b'[') => return Ok(None),
            _ => return Err(self.syntax("a value")),
        }))
    }

    /// Skips any value (for unknown keys read leniently), checking its syntax.
    fn skip_value(&mut self) -> Result<()> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => {
                self.enter()?;
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip_ws();
                        if self.peek() != Some(b'"') {
                            return Err(self.syntax("a key"));
                        }
                        self.string()?;
                        self.expect(b':', "':'")?;
                        self.skip_value()?;
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b'}') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(self.syntax("',' or '}'")),
                        }
                    }
                }
                self.depth -= 1;
            }
            Some(b'[') => {
                self.enter_array()?;
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip_value()?;
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b']') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return Err(self.syntax("',' or ']'")),
                        }
                    }
                }
                self.arrays -= 1;
            }
            _ => {
                self.scalar()?;
            }
        }
        Ok(())
    }

    /// Finds the `resourceType` of the object at `pos` without consuming it.
    fn resource_type(&mut self, parent: Option<u32>) -> Result<Type> {
        let save = self.pos;
        let (depth, arrays) = (self.depth, self.arrays);
        let object_start = self.pos;
        self.pos += 1;
        let mut found: Option<(Cow<'a, str>, usize)> = None;
        self.skip_ws();
        if self.peek() != Some(b'}') {
            loop {
                self.skip_ws();
                if self.peek() != Some(b'"') {
                    return Err(self.syntax("a key"));
                }
                let key = self.string()?;
                self.expect(b':', "':'")?;
                self.skip_ws();
                if key == "resourceType" {
                    let at = self.pos;
                    match self.scalar()? {
                        Some(Scalar::String(s)) => {
                            found = Some((s, at));
                            break;
                        }
                        _ => {
                            return Err(self.error(
                                ReadErrorKind::WrongJsonType {
                                    expected: "string",
                                    found: "another type",
                                },
                                at,
                            ))
                        }
                    }
                }
                self.skip_value()?;
                self.skip_ws();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => break,
                    _ => return Err(self.syntax("',' or '}'")),
                }
            }
        }
        self.pos = save;
        self.depth = depth;
        self.arrays = arrays;
        let Some((name, at)) = found else {
            let err = self.error(ReadErrorKind::MissingResourceType, object_start);
            return Err(match parent {
                Some(p) => err.with_path(self.doc.node(NodeId(p)).path()),
                None => err,
            });
        };
        Type::resource(&name).ok_or_else(|| {
            self.error(
                ReadErrorKind::UnknownResourceType {
                    name: name.into_owned(),
                },
                at,
            )
        })
    }

    /// Reads the object at `pos` as the content of `node`.
    fn object(&mut self, node: u32, is_resource: bool) -> Result<()> {
        self.enter()?;
        let object_start = self.pos;
        self.pos += 1; // '{'
        let ty = self.doc.nodes[node as usize].ty;
        let keys_base = self.keys.len();
        // Past a few keys, duplicates are found through a set rather than by comparing each
        // key with every earlier one.
        let mut key_set: Option<std::collections::HashSet<Cow<'a, str>>> = None;
        let nulls_before = self.pending_nulls;
        let outer_cursor = std::mem::replace(&mut self.cursor, 0);
        self.skip_ws();
        let mut empty = true;
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                if self.peek() != Some(b'"') {
                    return Err(self.syntax("a key"));
                }
                let key_at = self.pos;
                let key = self.string()?;
                self.expect(b':', "':'")?;
                self.skip_ws();
                let repeated = match &mut key_set {
                    Some(set) => !set.insert(key.clone()),
                    None if self.keys.len() - keys_base < SMALL_OBJECT => {
                        self.keys[keys_base..].contains(&key)
                    }
                    None => {
                        let mut set: std::collections::HashSet<Cow<'a, str>> =
                            self.keys.drain(keys_base..).collect();
                        let repeated = !set.insert(key.clone());
                        key_set = Some(set);
                        repeated
                    }
                };
                if repeated {
                    self.problem(
                        ReadErrorKind::DuplicateKey {
                            key: key.into_owned(),
                        },
                        key_at,
                        node,
                    )?;
                    self.skip_value()?;
                } else {
                    empty = false;
                    self.member(node, ty, is_resource, &key, key_at)?;
                    if key_set.is_none() {
                        self.keys.push(key);
                    }
                }
                self.skip_ws();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.syntax("',' or '}'")),
                }
            }
        }
        self.depth -= 1;
        self.keys.truncate(keys_base);
        self.cursor = outer_cursor;
        if empty && !is_resource {
            self.problem(ReadErrorKind::EmptyValue, object_start, node)?;
        }
        if self.pending_nulls > nulls_before {
            self.pending_nulls = nulls_before;
            self.finish_nulls(node)?;
        }
        Ok(())
    }

    /// Array entries that were `null` with nothing at the same index of the companion array.
    fn finish_nulls(&mut self, node: u32) -> Result<()> {
        let mut orphans = Vec::new();
        for c in self.doc.child_ids(node) {
            let d = &self.doc.nodes[c as usize];
            if d.value.is_none() && d.first_child == NONE && d.ty.primitive().is_some() {
                orphans.push(c);
            }
        }
        for &c in &orphans {
            let (at, element) = (
                self.doc.nodes[c as usize].offset as usize,
                self.doc.nodes[c as usize].element.map_or("", Element::name),
            );
            self.problem(ReadErrorKind::NullWithoutCounterpart { element }, at, node)?;
        }
        orphans.sort_unstable();
        self.doc.unlink_all(node, &orphans);
        Ok(())
    }

    fn member(
        &mut self,
        node: u32,
        ty: Type,
        is_resource: bool,
        key: &str,
        key_at: usize,
    ) -> Result<()> {
        if key == "resourceType" && is_resource {
            return self.skip_value(); // already read by `resource_type`
        }
        let (underscore, wire) = match key.strip_prefix('_') {
            Some(rest) => (true, rest),
            None => (false, key),
        };
        // Writers nearly always follow definition order: look from the last element found.
        let found = ty.element_for_wire_name_from(wire, self.cursor);
        if let Some((_, _, index)) = found {
            self.cursor = index;
        }
        let Some((element, chosen, _)) = found else {
            self.problem(
                ReadErrorKind::UnknownElement {
                    name: key.to_owned(),
                    parent: ty.name(),
                },
                key_at,
                node,
            )?;
            return self.skip_value();
        };
        let Some(el_ty) = chosen.or_else(|| element.single_type()) else {
            return Err(self.error(
                ReadErrorKind::InvalidJson {
                    expected: "a known element",
                },
                key_at,
            ));
        };
        let primitive = el_ty.primitive();
        if underscore && (primitive.is_none() || primitive == Some(PrimitiveKind::Xhtml)) {
            self.problem(
                ReadErrorKind::UnknownElement {
                    name: key.to_owned(),
                    parent: ty.name(),
                },
                key_at,
                node,
            )?;
            return self.skip_value();
        }
        if element.is_array() {
            self.skip_ws();
            if self.peek() != Some(b'[') {
                self.problem(
                    ReadErrorKind::WrongJsonType {
                        expected: "array",
                        found: self.value_type_name(),
                    },
                    self.pos,
                    node,
                )?;
                return self.skip_value();
            }
            self.enter_array()?;
            let array_at = self.pos;
            self.pos += 1;
            let mut existing = std::mem::take(&mut self.scratch);
            existing.clear();
            existing.extend(
                self.doc
                    .child_ids(node)
                    .filter(|&c| self.doc.nodes[c as usize].element == Some(element)),
            );
            let mut index = 0usize;
            self.skip_ws();
            if self.peek() == Some(b']') {
                self.pos += 1;
                self.problem(ReadErrorKind::EmptyValue, array_at, node)?;
            } else {
                loop {
                    let target = if existing.is_empty() {
                        None
                    } else if let Some(&t) = existing.get(index) {
                        Some(t)
                    } else {
                        self.problem(
                            ReadErrorKind::ArrayLengthMismatch {
                                element: element.name(),
                            },
                            self.pos,
                            node,
                        )?;
                        None
                    };
                    self.item(node, element, el_ty, underscore, target, key_at, true)?;
                    index += 1;
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        _ => return Err(self.syntax("',' or ']'")),
                    }
                }
                if !existing.is_empty() && index < existing.len() {
                    self.problem(
                        ReadErrorKind::ArrayLengthMismatch {
                            element: element.name(),
                        },
                        array_at,
                        node,
                    )?;
                }
            }
            self.arrays -= 1;
            self.scratch = existing;
            Ok(())
        } else {
            let existing = self
                .doc
                .child_ids(node)
                .find(|&c| self.doc.nodes[c as usize].element == Some(element));
            if let Some(e) = existing {
                // A choice written twice (`valueString` and `valueInteger`), or `_x` after `x`
                // of another choice type.
                if self.doc.nodes[e as usize].ty != el_ty {
                    self.problem(
                        ReadErrorKind::RepeatedElement {
                            element: element.name(),
                        },
                        key_at,
                        node,
                    )?;
                    return self.skip_value();
                }
            }
            self.item(node, element, el_ty, underscore, existing, key_at, false)
        }
    }

    fn value_type_name(&self) -> &'static str {
        match self.peek() {
            Some(b'{') => "object",
            Some(b'[') => "array",
            Some(b'"') => "string",
            Some(b't' | b'f') => "boolean",
            Some(b'n') => "null",
            _ => "number",
        }
    }

    /// Reads one value (an array entry or a single value) of `element`.
    #[allow(clippy::too_many_arguments)]
    fn item(
        &mut self,
        parent: u32,
        element: Element,
        ty: Type,
        underscore: bool,
        target: Option<u32>,
        key_at: usize,
        in_array: bool,
    ) -> Result<()> {
        self.skip_ws();
        let at = self.pos;
        if self.doc.len() >= self.options.max_nodes {
            return Err(self.error(
                ReadErrorKind::LimitExceeded {
                    limit: Limit::Nodes,
                },
                at,
            ));
        }
        let offset = if in_array { at } else { key_at };
        if underscore {
            // `_name`: the id and extensions of a primitive.
            match self.peek() {
                Some(b'n') => {
                    self.literal("null", "a value")?;
                    if !in_array {
                        self.problem(
                            ReadErrorKind::WrongJsonType {
                                expected: "object",
                                found: "null",
                            },
                            at,
                            parent,
                        )?;
                    } else if target.is_none() {
                        self.doc.push(parent, element, ty, None, offset);
                        self.pending_nulls += 1;
                    }
                    return Ok(());
                }
                Some(b'{') => {
                    let node = match target {
                        Some(t) => t,
                        None => self.doc.push(parent, element, ty, None, offset),
                    };
                    return self.object(node, false);
                }
                _ => {
                    let found = self.value_type_name();
                    self.problem(
                        ReadErrorKind::WrongJsonType {
                            expected: "object",
                            found,
                        },
                        at,
                        parent,
                    )?;
                    return self.skip_value();
                }
            }
        }
        if let Some(kind) = ty.primitive() {
            let Some(scalar) = self.scalar()? else {
                let found = self.value_type_name();
                let expected = json_form_name(kind.json_form());
                self.problem(ReadErrorKind::WrongJsonType { expected, found }, at, parent)?;
                return self.skip_value();
            };
            let text = match (scalar, kind.json_form()) {
                (Scalar::Null, _) if in_array => {
                    if target.is_none() {
                        self.doc.push(parent, element, ty, None, offset);
                        self.pending_nulls += 1;
                    }
                    return Ok(());
                }
                (Scalar::Bool(s), JsonForm::Bool) | (Scalar::Number(s), JsonForm::Number) => {
                    Cow::Borrowed(s)
                }
                (Scalar::String(s), JsonForm::String) => s,
                (other, form) => {
                    let found = other.type_name();
                    self.problem(
                        ReadErrorKind::WrongJsonType {
                            expected: json_form_name(form),
                            found,
                        },
                        at,
                        parent,
                    )?;
                    return Ok(());
                }
            };
            // Checked after the node exists, so the finding points at the element itself.
            let mut facts = None;
            let problem = if text.is_empty() {
                Some(ReadErrorKind::EmptyValue)
            } else if kind == PrimitiveKind::Xhtml {
                match crate::xml::check_xhtml_fragment(&text, self.options, !self.escaped_control) {
                    Ok(found) => {
                        facts = Some(found);
                        None
                    }
                    Err(reason) => Some(ReadErrorKind::InvalidNarrative { reason }),
                }
            } else {
                primitive::check(kind, &text)
                    .err()
                    .map(|e| ReadErrorKind::InvalidPrimitive {
                        kind,
                        reason: e.reason(),
                    })
            };
            let node = match target {
                Some(t) => {
                    let n = &mut self.doc.nodes[t as usize];
                    n.value = Some(text);
                    n.offset = u32::try_from(offset).unwrap_or(u32::MAX);
                    t
                }
                None => self.doc.push(parent, element, ty, Some(text), offset),
            };
            if let Some(facts) = facts {
                self.doc.record_narrative(node, facts);
            }
            if let Some(problem) = problem {
                self.problem(problem, at, node)?;
            }
            return Ok(());
        }
        // Complex, backbone or resource.
        if self.peek() != Some(b'{') {
            let found = self.value_type_name();
            self.problem(
                ReadErrorKind::WrongJsonType {
                    expected: "object",
                    found,
                },
                at,
                parent,
            )?;
            return self.skip_value();
        }
        if element.holds_resource() {
            let resource_ty = self.resource_type(Some(parent))?;
            let node = self.doc.push(parent, element, resource_ty, None, offset);
            return self.object(node, true);
        }
        let node = self.doc.push(parent, element, ty, None, offset);
        self.object(node, false)
    }
}
