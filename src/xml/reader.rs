//! FHIR XML → element model. The reader reads the plain tokens that make up nearly all of a FHIR
//! message itself (tags of the usual form, whitespace between them) and hands everything else to
//! quick-xml's borrowed event reader; narratives go through the single-pass scanner in
//! [`super::xhtml`].

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use quick_xml::events::{BytesStart, Event};

use super::escape::{
    ascii_qname, is_name, resolve_reference, scan_ascii_qname, split_at_colon, unescape_attribute,
    UnescapeError,
};
use super::wellformed::{
    check_declaration, check_namespace_declaration, check_processing_instruction, first_non_char,
    is_xml_space, skip_xml_space, split_qname, XML_NS,
};
use super::{FHIR_NS, XHTML_NS};
use crate::error::{Limit, ReadError, ReadErrorKind};
use crate::model::{primitive, Document, Element, PrimitiveKind, Type};
use crate::options::ReadOptions;

type Result<T> = std::result::Result<T, ReadError>;

/// Attributes (or declarations) compared one by one; more go through a set or map.
const SMALL_TAG: usize = 8;

#[derive(Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    /// A FHIR element (or the root resource) whose children are read by its type.
    Element,
    /// `resource` / `contained`: holds exactly one resource element.
    Wrapper { filled: bool },
    /// An element skipped by lenient reading.
    Skip,
}

struct Frame<'a> {
    node: u32,
    /// The start tag's qualified name, which the end tag must repeat.
    name: &'a str,
    kind: FrameKind,
    /// Definition index of the last child read, for the order check.
    cursor: u32,
    last: Option<Element>,
    /// Length of the namespace stack before this element's declarations.
    ns_mark: usize,
    /// Whether the element counts towards the depth limit (see [`Reader::push_frame`]).
    counted: bool,
}

/// A start tag as read: by [`plain_start_tag`] or from a quick-xml event.
#[derive(Clone, Copy)]
struct Tag<'a> {
    qname: &'a str,
    /// Where the name's colon is (0 for none), when it is already known to be an ASCII `QName`.
    colon: Option<usize>,
    /// The attribute text: after the name, before `>` or `/>`.
    attributes: &'a str,
    /// The attributes are already split, in [`Reader::raw_attributes`], and their names are
    /// ASCII `QName`s.
    scanned: bool,
    /// Some attribute name may have a prefix (to be checked).
    prefixed: bool,
    /// Offset of the `<`.
    start: usize,
    /// Offset just after the `>`.
    end: usize,
    /// An empty-element tag (`/>`).
    empty: bool,
}

struct Attribute<'a> {
    name: &'a str,
    value: Cow<'a, str>,
    offset: usize,
}

pub(super) struct Reader<'a, 'o> {
    input: &'a str,
    xml: quick_xml::Reader<&'a [u8]>,
    options: &'o ReadOptions,
    doc: Option<Document<'a>>,
    issues: Vec<ReadError>,
    stack: Vec<Frame<'a>>,
    /// In-scope namespace declarations: (prefix, or "" for the default; URI).
    namespaces: Vec<(&'a str, Cow<'a, str>, Namespace)>,
    attributes: Vec<Attribute<'a>>,
    /// The current start tag's attributes as written (value offsets in the input).
    raw_attributes: Vec<RawAttribute<'a>>,
    root_seen: bool,
    root_closed: bool,
    /// Bytes read without quick-xml (plain tags, narratives) and skipped over in its input: its
    /// own position does not count them.
    skipped: usize,
    /// Where reading goes on after the tag just opened: set for a narrative, whose content the
    /// single-pass scanner has checked.
    resume: Option<usize>,
    /// Well-formedness only: the root opens a [`FrameKind::Skip`] frame and no model is built.
    check_only: bool,
    tokens: Tokens,
    /// Line index of the input, built on the first position asked for.
    lines: std::cell::OnceCell<crate::lines::LineIndex>,
    /// The innermost declaration of each prefix in [`Self::namespaces`] (used once that stack is
    /// long), and for each declaration the one it hides.
    ns_index: HashMap<&'a str, usize>,
    ns_hidden: Vec<Option<usize>>,
    /// Attribute names of a tag with many, for the repeat checks.
    seen_names: HashSet<&'a str>,
    /// Open elements that do not count towards the depth limit.
    uncounted: usize,
    /// Problems found beyond [`ReadOptions::max_issues`].
    issues_left_out: usize,
}

/// Who reads the plain tokens.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Tokens {
    /// The reader itself, quick-xml the rest (the fast path).
    Plain,
    /// quick-xml, every one: the reference for the differential test of the fast path.
    Events,
}

/// Reads a FHIR XML resource.
pub(super) fn read<'a>(input: &'a str, options: &ReadOptions) -> Result<Document<'a>> {
    read_with(input, options, Tokens::Plain)
}

/// [`read`], with the plain tokens read as `tokens` says.
pub(super) fn read_with<'a>(
    input: &'a str,
    options: &ReadOptions,
    tokens: Tokens,
) -> Result<Document<'a>> {
    let mut reader = Reader::new(input, options, false, tokens)?;
    reader.run()?;
    let mut doc = reader.doc.take().ok_or_else(|| {
        ReadError::at(
            ReadErrorKind::MalformedXml {
                reason: "no root element".into(),
            },
            input,
            input.len(),
        )
    })?;
    doc.issues = reader.issues;
    doc.issues_left_out = reader.issues_left_out;
    doc.keep_lines(reader.lines.take());
    Ok(doc)
}

/// Runs the reader's event loop and every well-formedness and namespace check without any FHIR
/// interpretation: the root element and everything in it are skipped.
pub(super) fn check_well_formed(input: &str, options: &ReadOptions, tokens: Tokens) -> Result<()> {
    Reader::new(input, options, true, tokens)?.run()
}

/// The namespace of an element, without allocating for the two that FHIR uses.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Namespace {
    Fhir,
    Xhtml,
    Other(String),
}

impl Namespace {
    fn of(uri: &str) -> Self {
        match uri {
            FHIR_NS => Self::Fhir,
            XHTML_NS => Self::Xhtml,
            other => Self::Other(other.to_owned()),
        }
    }

    fn into_string(self) -> String {
        match self {
            Self::Fhir => FHIR_NS.to_owned(),
            Self::Xhtml => XHTML_NS.to_owned(),
            Self::Other(s) => s,
        }
    }
}

fn malformed(reason: impl Into<String>) -> ReadErrorKind {
    ReadErrorKind::MalformedXml {
        reason: reason.into(),
    }
}

/// An attribute as written: name, raw value, and the value's offset (in the attribute text while
/// it is scanned, then in the input).
type RawAttribute<'a> = (&'a str, &'a str, usize);

/// A cursor over the attribute text of a start tag (after its name, before `>` or `/>`).
struct AttributeScan<'a> {
    text: &'a str,
    i: usize,
}

impl<'a> AttributeScan<'a> {
    fn skip_space(&mut self) -> bool {
        let start = self.i;
        self.i = skip_xml_space(self.text.as_bytes(), self.i);
        self.i > start
    }

    /// The next attribute: name, raw value and the value's offset in the text. An error
    /// carries its offset in the text (`usize::MAX` for "at the tag") and the reason.
    fn next(&mut self) -> std::result::Result<Option<RawAttribute<'a>>, (usize, &'static str)> {
        let had_space = self.skip_space();
        let b = self.text.as_bytes();
        if self.i >= b.len() {
            return Ok(None);
        }
        if !had_space {
            return Err((self.i, "whitespace required between attributes"));
        }
        let name_start = self.i;
        while b
            .get(self.i)
            .is_some_and(|&c| !is_xml_space(c) && c != b'=')
        {
            self.i += 1;
        }
        let name = &self.text[name_start..self.i];
        self.skip_space();
        if b.get(self.i) != Some(&b'=') {
            return Err((usize::MAX, "attribute without '=' and a value"));
        }
        self.i += 1;
        self.skip_space();
        let Some(&quote) = b.get(self.i).filter(|&&q| q == b'"' || q == b'\'') else {
            return Err((usize::MAX, "attribute value must be in quotes"));
        };
        let value_start = self.i + 1;
        let Some(len) = memchr::memchr(quote, &b[value_start..]) else {
            return Err((usize::MAX, "unterminated attribute value"));
        };
        self.i = value_start + len + 1;
        Ok(Some((
            name,
            &self.text[value_start..value_start + len],
            value_start,
        )))
    }
}

/// Whether the attribute value whose closing quote is at `quote` is followed by what may follow
/// an attribute: whitespace or the end of the tag (quick-xml also accepts `a="1"b="2"`).
fn is_attribute_end(input: &str, quote: usize) -> bool {
    matches!(
        input.as_bytes().get(quote + 1),
        Some(b' ' | b'\t' | b'\r' | b'\n' | b'/' | b'>')
    )
}

/// The start tag at `lt` (a `<`) when it has the plain form of nearly every FHIR element: an
/// ASCII name, then attributes each after whitespace as `name="value"` (or single quotes) with
/// an ASCII `QName`, then `>` or `/>`. Its attributes go into `attributes`. Anything else
/// (`None`) is left to quick-xml; on the tags accepted, quick-xml would find the same end and
/// give the same name and attribute text.
fn plain_start_tag<'a>(
    input: &'a str,
    lt: usize,
    attributes: &mut Vec<RawAttribute<'a>>,
) -> Option<Tag<'a>> {
    let b = input.as_bytes();
    let name_start = lt + 1;
    let (len, colon) = scan_ascii_qname(b.get(name_start..)?);
    if len == 0 {
        return None;
    }
    let name_end = name_start + len;
    let mut i = name_end;
    let mut prefixed = false;
    attributes.clear();
    let (end, empty) = loop {
        let had_space = b.get(i).is_some_and(|&c| is_xml_space(c));
        i = skip_xml_space(b, i);
        match *b.get(i)? {
            b'>' => break (i + 1, false),
            b'/' if b.get(i + 1) == Some(&b'>') => break (i + 2, true),
            _ if !had_space => return None,
            _ => {
                let key_start = i;
                let (key_len, key_colon) = scan_ascii_qname(&b[i..]);
                prefixed |= key_colon? != 0;
                i += key_len;
                if b.get(i) != Some(&b'=') {
                    return None;
                }
                let quote = *b.get(i + 1).filter(|&&q| q == b'"' || q == b'\'')?;
                let value_start = i + 2;
                let value_len = memchr::memchr(quote, b.get(value_start..)?)?;
                attributes.push((
                    input.get(key_start..i)?,
                    input.get(value_start..value_start + value_len)?,
                    value_start,
                ));
                i = value_start + value_len + 1;
            }
        }
    };
    Some(Tag {
        qname: input.get(name_start..name_end)?,
        colon,
        attributes: input.get(name_end..end - 1 - usize::from(empty))?,
        scanned: true,
        prefixed,
        start: lt,
        end,
        empty,
    })
}

impl<'a, 'o> Reader<'a, 'o> {
    fn new(
        input: &'a str,
        options: &'o ReadOptions,
        check_only: bool,
        tokens: Tokens,
    ) -> Result<Self> {
        if input.len() > options.max_input_bytes {
            return Err(ReadError::at(
                ReadErrorKind::LimitExceeded {
                    limit: Limit::InputBytes,
                },
                input,
                0,
            ));
        }
        // Characters are checked where content is read (attribute values, text, comments,
        // processing instructions, CDATA, the narrative), not in a separate pass over the
        // whole input: names and markup reject anything else on their own.
        // quick-xml skips a byte order mark without counting it in its positions: it never sees
        // one, and the reader counts it as skipped.
        let bom = if input.starts_with('\u{FEFF}') { 3 } else { 0 };
        let mut xml = quick_xml::Reader::from_str(input.get(bom..).unwrap_or(""));
        let config = xml.config_mut();
        config.check_comments = true;
        // The reader matches end tags itself: it reads most of them without quick-xml, which
        // then never sees the start tags.
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        config.allow_dangling_amp = false;
        Ok(Self {
            input,
            xml,
            options,
            doc: None,
            issues: Vec::new(),
            stack: Vec::with_capacity(32),
            namespaces: Vec::with_capacity(8),
            attributes: Vec::with_capacity(4),
            raw_attributes: Vec::with_capacity(4),
            root_seen: false,
            root_closed: false,
            skipped: bom,
            resume: None,
            check_only,
            tokens,
            lines: std::cell::OnceCell::new(),
            ns_index: HashMap::new(),
            ns_hidden: Vec::new(),
            seen_names: HashSet::new(),
            uncounted: 0,
            issues_left_out: 0,
        })
    }
}

impl<'a> Reader<'a, '_> {
    fn error(&self, kind: ReadErrorKind, offset: usize) -> ReadError {
        let lines = self
            .lines
            .get_or_init(|| crate::lines::LineIndex::new(self.input));
        ReadError::new(kind, lines.position(self.input, offset))
    }

    /// Declares `prefix` ("" for the default namespace) in the current element.
    fn declare(&mut self, prefix: &'a str, uri: Cow<'a, str>, kind: Namespace) {
        let at = self.namespaces.len();
        self.namespaces.push((prefix, uri, kind));
        self.ns_hidden.push(self.ns_index.insert(prefix, at));
    }

    /// Ends the declarations made after `mark` (an earlier length of the namespace stack).
    fn undeclare(&mut self, mark: usize) {
        while self.namespaces.len() > mark {
            let Some((prefix, _, _)) = self.namespaces.pop() else {
                break;
            };
            match self.ns_hidden.pop().flatten() {
                Some(hidden) => {
                    self.ns_index.insert(prefix, hidden);
                }
                None => {
                    self.ns_index.remove(prefix);
                }
            }
        }
    }

    /// A structural problem: an error in strict mode, an issue in lenient mode.
    fn problem(&mut self, kind: ReadErrorKind, offset: usize, node: Option<u32>) -> Result<()> {
        if !self.options.is_strict() && self.issues.len() >= self.options.max_issues {
            self.issues_left_out += 1;
            return Ok(());
        }
        let mut err = self.error(kind, offset);
        if let (Some(doc), Some(node)) = (&self.doc, node) {
            err = err.with_path(doc.node(crate::model::NodeId(node)).path());
        }
        if self.options.is_strict() {
            Err(err)
        } else {
            self.issues.push(err);
            Ok(())
        }
    }

    fn offset(&self) -> usize {
        usize::try_from(self.xml.buffer_position()).unwrap_or(usize::MAX) + self.skipped
    }

    fn run(&mut self) -> Result<()> {
        // Where the document starts, after any byte order mark.
        let base = self.skipped;
        let mut first = true;
        // Whether quick-xml stands between two tokens (after markup, not inside text), so that
        // plain tags may be read without it and its input moved past them.
        let mut between = false;
        loop {
            if between && self.tokens == Tokens::Plain {
                let here = self.offset();
                let next = self.plain_tokens(here)?;
                self.move_quick_xml_to(next);
            }
            let start = self.offset();
            let event = match self.xml.read_event() {
                Ok(e) => e,
                Err(e) => {
                    let at = usize::try_from(self.xml.error_position()).unwrap_or(0) + self.skipped;
                    return Err(self.error(malformed(e.to_string()), at));
                }
            };
            let was_first = std::mem::replace(&mut first, false);
            between = !matches!(event, Event::Text(_));
            match event {
                Event::Start(e) => {
                    let tag = self.tag_of(&e, start, false)?;
                    self.open(tag)?;
                    self.skip_to_resume();
                }
                Event::Empty(e) => {
                    let tag = self.tag_of(&e, start, true)?;
                    self.open(tag)?;
                    self.skip_to_resume();
                }
                Event::End(e) => {
                    self.check_end_name(e.name().as_ref(), start)?;
                    self.close(start)?;
                }
                Event::Text(t) => {
                    let raw: &[u8] = &t;
                    if raw.iter().all(|&b| is_xml_space(b)) {
                        continue;
                    }
                    self.check_chars(raw, start)?;
                    if raw.windows(3).any(|w| w == b"]]>") {
                        return Err(self.error(malformed("']]>' is not allowed in text"), start));
                    }
                    self.text(start)?;
                }
                Event::GeneralRef(r) => {
                    let body = std::str::from_utf8(&r).unwrap_or("");
                    self.reference(body, start)?;
                    self.text(start)?;
                }
                Event::CData(c) => {
                    self.check_chars(&c, start)?;
                    self.text(start)?;
                }
                Event::Comment(c) => self.check_chars(&c, start)?,
                Event::PI(p) => {
                    self.check_chars(&p, start)?;
                    let content = std::str::from_utf8(&p).unwrap_or("");
                    check_processing_instruction(content)
                        .map_err(|why| self.error(malformed(why), start))?;
                }
                Event::Decl(d) => {
                    if !was_first || start != base {
                        return Err(self.error(
                            malformed("an XML declaration is allowed only at the start"),
                            start,
                        ));
                    }
                    self.check_chars(&d, start)?;
                    let content = std::str::from_utf8(&d).unwrap_or("");
                    let content = content.strip_prefix("xml").unwrap_or(content);
                    check_declaration(content).map_err(|why| self.error(malformed(why), start))?;
                }
                Event::DocType(_) => {
                    return Err(self.error(ReadErrorKind::DoctypeNotAllowed, start));
                }
                Event::Eof => {
                    if !self.stack.is_empty() {
                        return Err(self.error(malformed("unexpected end of input"), start));
                    }
                    if !self.root_seen {
                        return Err(self.error(malformed("no root element"), start));
                    }
                    return Ok(());
                }
            }
        }
    }

    /// Reads plain tokens from `pos` (where quick-xml stands between two tokens) without
    /// quick-xml: whitespace between tags, start tags of the form [`plain_start_tag`] reads, and
    /// end tags that repeat the open element's name exactly. They are nearly all of a FHIR
    /// message outside its narratives, and quick-xml's event machinery cost more than the rest
    /// of the read. Returns where the first other token starts, for quick-xml to read: text,
    /// references, comments, CDATA, processing instructions, DOCTYPE, the end of input, and
    /// any tag that is not plain, so that their errors stay quick-xml's.
    fn plain_tokens(&mut self, mut pos: usize) -> Result<usize> {
        let b = self.input.as_bytes();
        loop {
            let lt = skip_xml_space(b, pos);
            match b.get(lt) {
                Some(b'<') => {}
                // Whitespace before the end is dropped, as quick-xml's text event would be.
                None => return Ok(lt),
                // Text keeps its leading whitespace, for where its errors are reported.
                Some(_) => return Ok(pos),
            }
            if b.get(lt + 1) == Some(&b'/') {
                let Some(frame) = self.stack.last() else {
                    return Ok(lt);
                };
                let name = frame.name.as_bytes();
                let after = lt + 2 + name.len();
                if b.get(lt + 2..after) != Some(name) || b.get(after) != Some(&b'>') {
                    return Ok(lt);
                }
                self.close(lt)?;
                pos = after + 1;
            } else {
                let Some(tag) = plain_start_tag(self.input, lt, &mut self.raw_attributes) else {
                    return Ok(lt);
                };
                self.open(tag)?;
                pos = self.resume.take().unwrap_or(tag.end);
            }
        }
    }

    /// After quick-xml read a start tag: moves its input to where reading resumes, when a
    /// narrative's content was checked without it.
    fn skip_to_resume(&mut self) {
        if let Some(to) = self.resume.take() {
            self.move_quick_xml_to(to);
        }
    }

    /// Moves quick-xml's input forward to `to`, an offset in the input at or after its own
    /// position (which stands between two tokens), counting what it skips.
    fn move_quick_xml_to(&mut self, to: usize) {
        let here = self.offset();
        if to > here {
            *self.xml.get_mut() = self.input.as_bytes().get(to..).unwrap_or(&[]);
            self.skipped += to - here;
        }
    }

    /// The parts of a start tag quick-xml read, as slices of the input.
    fn tag_of(&self, e: &BytesStart<'a>, start: usize, empty: bool) -> Result<Tag<'a>> {
        Ok(Tag {
            qname: self.reslice(e.name().as_ref(), start)?,
            colon: None,
            attributes: self.reslice(e.attributes_raw(), start)?,
            scanned: false,
            prefixed: true,
            start,
            end: self.offset(),
            empty,
        })
    }

    /// Checks that an end tag quick-xml read names the open element (an end tag without one is
    /// left to [`Self::close`]).
    fn check_end_name(&self, name: &[u8], at: usize) -> Result<()> {
        match self.stack.last() {
            Some(frame) if frame.name.as_bytes() != name => Err(self.error(
                malformed(format!(
                    "end tag '</{}>' does not match the open element '<{}>'",
                    String::from_utf8_lossy(name),
                    frame.name
                )),
                at,
            )),
            _ => Ok(()),
        }
    }

    /// Checks that `bytes`, a slice of the input (or of quick-xml's view of it), holds only
    /// XML characters; the error points at the culprit.
    fn check_chars(&self, bytes: &[u8], fallback: usize) -> Result<()> {
        let Some(at) = super::wellformed::first_non_char_in(bytes) else {
            return Ok(());
        };
        let base = (bytes.as_ptr() as usize).wrapping_sub(self.input.as_ptr() as usize);
        let offset = if base < self.input.len() {
            base + at
        } else {
            fallback
        };
        Err(self.error(malformed("character not allowed in XML"), offset))
    }

    /// Checks a reference in text (`&name;` or a character reference).
    fn reference(&self, body: &str, at: usize) -> Result<()> {
        match resolve_reference(body) {
            Ok(_) => Ok(()),
            Err(Some(name)) if is_name(&name) => {
                Err(self.error(ReadErrorKind::UnknownEntity { name }, at))
            }
            Err(_) => Err(self.error(malformed("malformed reference"), at)),
        }
    }

    /// Non-whitespace character data.
    fn text(&mut self, at: usize) -> Result<()> {
        match self.stack.last().map(|f| (f.kind, f.node)) {
            None => Err(self.error(malformed("text outside the root element"), at)),
            Some((FrameKind::Skip, _)) => Ok(()),
            Some((_, node)) => self.problem(ReadErrorKind::UnexpectedText, at, Some(node)),
        }
    }

    /// Splits the attribute text of a start tag quick-xml read into [`Self::raw_attributes`].
    fn scan_attributes(&mut self, tag: &Tag<'a>) -> Result<()> {
        self.raw_attributes.clear();
        // Our own pass over the attribute text: quick-xml's iterator was about a sixth of the
        // read's instructions (one or two attributes on nearly every FHIR element), and its
        // duplicate check allocates per tag.
        let base = tag.attributes.as_ptr() as usize - self.input.as_ptr() as usize;
        let mut scan = AttributeScan {
            text: tag.attributes,
            i: 0,
        };
        loop {
            match scan.next() {
                Ok(Some((key, raw, value_at))) => {
                    self.raw_attributes.push((key, raw, base + value_at));
                }
                Ok(None) => return Ok(()),
                Err((at, why)) => {
                    let at = if at == usize::MAX {
                        tag.start
                    } else {
                        base + at
                    };
                    return Err(self.error(malformed(why), at));
                }
            }
        }
    }

    /// Collects the attributes of a start tag: namespace declarations go on the namespace stack,
    /// the others into `self.attributes`, unescaped.
    fn attributes(&mut self, tag: &Tag<'a>) -> Result<()> {
        let start = tag.start;
        if !tag.scanned {
            self.scan_attributes(tag)?;
        }
        self.attributes.clear();
        if self.raw_attributes.len() > self.options.max_attributes {
            let at = self
                .raw_attributes
                .get(self.options.max_attributes)
                .map_or(start, |&(key, _, _)| self.offset_in_input(key, start));
            return Err(self.error(
                ReadErrorKind::LimitExceeded {
                    limit: Limit::Attributes,
                },
                at,
            ));
        }
        let many = self.raw_attributes.len() > SMALL_TAG;
        if many {
            self.seen_names.clear();
        }
        for k in 0..self.raw_attributes.len() {
            let (key, raw, value_offset) = self.raw_attributes[k];
            if !tag.scanned && !is_name(key) {
                return Err(self.error(
                    malformed(format!("'{key}' is not a valid attribute name")),
                    start,
                ));
            }
            if raw.len() > self.options.max_string_bytes {
                return Err(self.error(
                    ReadErrorKind::LimitExceeded {
                        limit: Limit::StringBytes,
                    },
                    start,
                ));
            }
            let value = unescape_attribute(raw).map_err(|err| match err {
                UnescapeError::UnknownEntity(at, name) => {
                    self.error(ReadErrorKind::UnknownEntity { name }, value_offset + at)
                }
                UnescapeError::BadReference(at) => self.error(
                    malformed("malformed reference in attribute value"),
                    value_offset + at,
                ),
                UnescapeError::LessThan(at) => self.error(
                    malformed("'<' is not allowed in attribute values"),
                    value_offset + at,
                ),
                UnescapeError::NotChar(at) => {
                    self.error(malformed("character not allowed in XML"), value_offset + at)
                }
            })?;
            // Names as written: `xmlns:p` twice is the prefix `p` declared twice.
            let duplicate = if many {
                !self.seen_names.insert(key)
            } else {
                self.raw_attributes[..k]
                    .iter()
                    .any(|&(name, _, _)| name == key)
            };
            if duplicate {
                return Err(self.error(malformed(format!("attribute '{key}' is repeated")), start));
            }
            if key == "xmlns" {
                check_namespace_declaration(None, &value)
                    .map_err(|why| self.error(malformed(why), start))?;
                let kind = Namespace::of(&value);
                self.declare("", value, kind);
            } else if let Some(prefix) = key.strip_prefix("xmlns:") {
                check_namespace_declaration(Some(prefix), &value)
                    .map_err(|why| self.error(malformed(why), start))?;
                let kind = Namespace::of(&value);
                self.declare(prefix, value, kind);
            } else {
                self.attributes.push(Attribute {
                    name: key,
                    value,
                    offset: value_offset,
                });
            }
        }
        Ok(())
    }

    /// Offset in the input of `part`, a slice of it (`fallback` when it is not).
    fn offset_in_input(&self, part: &str, fallback: usize) -> usize {
        let at = (part.as_ptr() as usize).wrapping_sub(self.input.as_ptr() as usize);
        if at < self.input.len() {
            at
        } else {
            fallback
        }
    }

    /// The input slice that `bytes` (borrowed from the input by quick-xml) occupies, with the
    /// input's lifetime.
    fn reslice(&self, bytes: &[u8], at: usize) -> Result<&'a str> {
        let offset = (bytes.as_ptr() as usize).wrapping_sub(self.input.as_ptr() as usize);
        self.input
            .get(offset..offset.wrapping_add(bytes.len()))
            .filter(|s| s.as_bytes().as_ptr() == bytes.as_ptr())
            .ok_or_else(|| self.error(malformed("unexpected attribute form"), at))
    }

    fn namespace_of(&self, prefix: &str) -> Option<&str> {
        self.namespace_entry(prefix).map(|(_, uri, _)| uri.as_ref())
    }

    fn namespace_entry(&self, prefix: &str) -> Option<&(&'a str, Cow<'a, str>, Namespace)> {
        // A FHIR message declares one or two namespaces: a scan beats hashing the prefix.
        if self.namespaces.len() <= SMALL_TAG {
            self.namespaces.iter().rev().find(|(p, _, _)| *p == prefix)
        } else {
            self.ns_index
                .get(prefix)
                .and_then(|&at| self.namespaces.get(at))
        }
    }

    /// Resolves the namespace of a split qualified name; an undeclared prefix is an error.
    fn resolve(
        &self,
        (prefix, local): (&'a str, &'a str),
        start: usize,
    ) -> Result<(&'a str, Namespace)> {
        // The kind was classified when the namespace was declared: no string compare here.
        match self.namespace_entry(prefix) {
            Some((_, _, kind)) => Ok((local, kind.clone())),
            None if prefix.is_empty() => Ok((local, Namespace::Other(String::new()))),
            None => Err(self.error(malformed(format!("undeclared prefix '{prefix}'")), start)),
        }
    }

    /// Checks the prefixes of the attributes just read: each is declared (`xml` always is),
    /// and no two attributes have the same namespace and local name.
    fn check_attribute_prefixes(&self) -> Result<()> {
        let mut prefixed = 0usize;
        for a in &self.attributes {
            if !a.name.as_bytes().contains(&b':') {
                continue;
            }
            prefixed += 1;
            let (prefix, _) = split_qname(a.name).ok_or_else(|| {
                self.error(
                    malformed(format!("'{}' is not a valid qualified name", a.name)),
                    a.offset,
                )
            })?;
            if prefix != "xml" && self.namespace_of(prefix).is_none() {
                return Err(
                    self.error(malformed(format!("undeclared prefix '{prefix}'")), a.offset)
                );
            }
        }
        // Two prefixes may name one namespace.
        if prefixed > SMALL_TAG {
            let mut seen = HashSet::with_capacity(prefixed);
            for a in &self.attributes {
                let Some((prefix, local)) =
                    split_qname(a.name).filter(|(prefix, _)| !prefix.is_empty())
                else {
                    continue;
                };
                let ns = if prefix == "xml" {
                    Some(XML_NS)
                } else {
                    self.namespace_of(prefix)
                };
                if !seen.insert((ns, local)) {
                    return Err(self.error(
                        malformed(format!(
                            "attribute '{}' repeats a namespace and local name",
                            a.name
                        )),
                        a.offset,
                    ));
                }
            }
        } else if prefixed > 1 {
            let expanded = |name: &'a str| {
                split_qname(name)
                    .filter(|(prefix, _)| !prefix.is_empty())
                    .map(|(prefix, local)| {
                        let ns = if prefix == "xml" {
                            Some(XML_NS)
                        } else {
                            self.namespace_of(prefix)
                        };
                        (ns, local)
                    })
            };
            for (i, a) in self.attributes.iter().enumerate() {
                let Some(name) = expanded(a.name) else {
                    continue;
                };
                if self.attributes[..i]
                    .iter()
                    .any(|b| expanded(b.name) == Some(name))
                {
                    return Err(self.error(
                        malformed(format!(
                            "attribute '{}' repeats a namespace and local name",
                            a.name
                        )),
                        a.offset,
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_attributes_other_than_xmlns(&mut self, node: u32) -> Result<()> {
        for i in 0..self.attributes.len() {
            let (name, offset) = (self.attributes[i].name, self.attributes[i].offset);
            if !is_ignorable_attribute(name) {
                self.problem(
                    ReadErrorKind::UnexpectedAttribute {
                        name: name.to_owned(),
                    },
                    offset,
                    Some(node),
                )?;
            }
        }
        Ok(())
    }

    /// Opens an element. `counted` says whether it is one level of
    /// [`ReadOptions::max_depth`]: the element of a contained resource shares its wrapper's
    /// level and a narrative `div` has its own budget, so that XML counts what JSON counts
    /// (objects) and whatever one reader accepts the other accepts once converted.
    fn push_frame(
        &mut self,
        node: u32,
        kind: FrameKind,
        ns_mark: usize,
        tag: &Tag<'a>,
        counted: bool,
    ) -> Result<()> {
        if counted && self.stack.len() - self.uncounted >= self.options.max_depth {
            return Err(self.error(
                ReadErrorKind::LimitExceeded {
                    limit: Limit::Depth,
                },
                tag.start,
            ));
        }
        self.stack.push(Frame {
            node,
            name: tag.qname,
            kind,
            cursor: 0,
            last: None,
            ns_mark,
            counted,
        });
        if !counted {
            self.uncounted += 1;
        }
        Ok(())
    }

    fn open(&mut self, tag: Tag<'a>) -> Result<()> {
        let Tag { qname, start, .. } = tag;
        if self.root_closed {
            return Err(self.error(ReadErrorKind::TrailingContent, start));
        }
        let known = tag.colon.map(|colon| split_at_colon(qname, colon));
        let parts = match known.or_else(|| ascii_qname(qname)) {
            Some(parts) => parts,
            None => {
                if !is_name(qname) {
                    return Err(self.error(
                        malformed(format!("'{qname}' is not a valid element name")),
                        start,
                    ));
                }
                split_qname(qname).ok_or_else(|| {
                    self.error(
                        malformed(format!("'{qname}' is not a valid qualified name")),
                        start,
                    )
                })?
            }
        };
        let ns_mark = self.namespaces.len();
        self.attributes(&tag)?;
        if tag.prefixed {
            self.check_attribute_prefixes()?;
        }
        let (local, ns) = self.resolve(parts, start)?;
        if let Some(doc) = &self.doc {
            if doc.len() >= self.options.max_nodes {
                return Err(self.error(
                    ReadErrorKind::LimitExceeded {
                        limit: Limit::Nodes,
                    },
                    start,
                ));
            }
        }
        let frame = self.stack.last().map(|f| (f.kind, f.node));
        match frame {
            None => {
                if self.root_seen {
                    return Err(self.error(ReadErrorKind::TrailingContent, start));
                }
                self.root_seen = true;
                if self.check_only {
                    return self.after_open(0, FrameKind::Skip, ns_mark, &tag);
                }
                let ty = Type::resource(local).ok_or_else(|| {
                    self.error(
                        ReadErrorKind::UnknownResourceType {
                            name: local.to_owned(),
                        },
                        start,
                    )
                })?;
                let mut doc = Document::with_source(self.input, ty, self.input.len() / 40);
                doc.nodes[0].offset = u32::try_from(start).unwrap_or(u32::MAX);
                self.doc = Some(doc);
                if !matches!(ns, Namespace::Fhir) {
                    self.problem(
                        ReadErrorKind::WrongNamespace {
                            found: ns.into_string(),
                            expected: FHIR_NS,
                        },
                        start,
                        None,
                    )?;
                }
                self.check_attributes_other_than_xmlns(0)?;
                self.after_open(0, FrameKind::Element, ns_mark, &tag)
            }
            Some((FrameKind::Skip, node)) => self.after_open(node, FrameKind::Skip, ns_mark, &tag),
            Some((FrameKind::Wrapper { filled }, node)) => {
                if filled {
                    self.problem(
                        ReadErrorKind::UnknownElement {
                            name: qname.to_owned(),
                            parent: "a resource wrapper that already holds a resource",
                        },
                        start,
                        Some(node),
                    )?;
                    return self.after_open(node, FrameKind::Skip, ns_mark, &tag);
                }
                let Some(ty) = Type::resource(local) else {
                    return Err(self.error(
                        ReadErrorKind::UnknownResourceType {
                            name: local.to_owned(),
                        },
                        start,
                    ));
                };
                if !matches!(ns, Namespace::Fhir) {
                    self.problem(
                        ReadErrorKind::WrongNamespace {
                            found: ns.into_string(),
                            expected: FHIR_NS,
                        },
                        start,
                        Some(node),
                    )?;
                }
                if let Some(f) = self.stack.last_mut() {
                    f.kind = FrameKind::Wrapper { filled: true };
                }
                let doc = self
                    .doc
                    .as_mut()
                    .ok_or_else(|| malformed_state(self.input, start))?;
                doc.nodes[node as usize].ty = ty;
                doc.nodes[node as usize].offset = u32::try_from(start).unwrap_or(u32::MAX);
                self.check_attributes_other_than_xmlns(node)?;
                self.after_open(node, FrameKind::Element, ns_mark, &tag)
            }
            Some((FrameKind::Element, parent)) => self.open_child(parent, local, ns, tag, ns_mark),
        }
    }

    fn open_child(
        &mut self,
        parent: u32,
        local: &'a str,
        ns: Namespace,
        tag: Tag<'a>,
        ns_mark: usize,
    ) -> Result<()> {
        let Tag {
            qname,
            start,
            empty,
            ..
        } = tag;
        let doc = self
            .doc
            .as_ref()
            .ok_or_else(|| malformed_state(self.input, start))?;
        let parent_ty = doc.nodes[parent as usize].ty;
        let (cursor, last) = self.stack.last().map_or((0, None), |f| (f.cursor, f.last));
        let found = parent_ty.element_for_wire_name_from(local, cursor);
        let Some((element, chosen, index)) = found else {
            self.problem(
                ReadErrorKind::UnknownElement {
                    name: qname.to_owned(),
                    parent: parent_ty.name(),
                },
                start,
                Some(parent),
            )?;
            return self.after_open(parent, FrameKind::Skip, ns_mark, &tag);
        };
        let is_div = chosen.is_none()
            && element.single_type().and_then(Type::primitive) == Some(PrimitiveKind::Xhtml);
        let expected_ns = if is_div { XHTML_NS } else { FHIR_NS };
        let ns_ok = if is_div {
            matches!(ns, Namespace::Xhtml)
        } else {
            matches!(ns, Namespace::Fhir)
        };
        if !ns_ok {
            self.problem(
                ReadErrorKind::WrongNamespace {
                    found: ns.into_string(),
                    expected: expected_ns,
                },
                start,
                Some(parent),
            )?;
        }
        if element.is_xml_attribute() {
            self.problem(
                ReadErrorKind::UnknownElement {
                    name: qname.to_owned(),
                    parent: parent_ty.name(),
                },
                start,
                Some(parent),
            )?;
            return self.after_open(parent, FrameKind::Skip, ns_mark, &tag);
        }
        if index < cursor {
            let after = last.map_or("", Element::name);
            self.problem(
                ReadErrorKind::OutOfOrder {
                    element: element.name(),
                    after,
                },
                start,
                Some(parent),
            )?;
        } else if last == Some(element) && !element.is_array() {
            self.problem(
                ReadErrorKind::RepeatedElement {
                    element: element.name(),
                },
                start,
                Some(parent),
            )?;
        }
        if let Some(f) = self.stack.last_mut() {
            f.cursor = f.cursor.max(index);
            f.last = Some(element);
        }
        if element.holds_resource() {
            let any = element.single_type().unwrap_or(parent_ty);
            let doc = self
                .doc
                .as_mut()
                .ok_or_else(|| malformed_state(self.input, start))?;
            let node = doc.push(parent, element, any, None, start);
            self.check_attributes_other_than_xmlns(node)?;
            if empty {
                self.problem(ReadErrorKind::EmptyValue, start, Some(node))?;
            }
            return self.after_open(node, FrameKind::Wrapper { filled: false }, ns_mark, &tag);
        }
        let ty = match chosen.or_else(|| element.single_type()) {
            Some(t) => t,
            None => return Err(malformed_state(self.input, start)),
        };
        if is_div {
            return self.open_div(parent, element, ty, &tag, ns_mark);
        }
        let primitive = ty.primitive();
        let mut value = None;
        let mut attribute_children = false;
        for i in 0..self.attributes.len() {
            let name = self.attributes[i].name;
            let offset = self.attributes[i].offset;
            if name == "value" && primitive.is_some() {
                value = Some(i);
            } else if ty.element(name).is_some_and(|e| e.is_xml_attribute()) {
                attribute_children = true;
            } else if !is_ignorable_attribute(name) {
                self.problem(
                    ReadErrorKind::UnexpectedAttribute {
                        name: name.to_owned(),
                    },
                    offset,
                    Some(parent),
                )?;
            }
        }
        let value_text = value.map(|i| std::mem::take(&mut self.attributes[i].value));
        let value_offset = value.map_or(start, |i| self.attributes[i].offset);
        let doc = self
            .doc
            .as_mut()
            .ok_or_else(|| malformed_state(self.input, start))?;
        let node = doc.push(parent, element, ty, None, start);
        if attribute_children {
            for i in 0..self.attributes.len() {
                let Some(attr_el) = ty
                    .element(self.attributes[i].name)
                    .filter(|e| e.is_xml_attribute() && self.attributes[i].name != "value")
                else {
                    continue;
                };
                let attr_ty = attr_el.single_type().unwrap_or(ty);
                let text = std::mem::take(&mut self.attributes[i].value);
                let offset = self.attributes[i].offset;
                self.check_primitive(attr_ty, &text, offset, node)?;
                let doc = self
                    .doc
                    .as_mut()
                    .ok_or_else(|| malformed_state(self.input, start))?;
                doc.push(node, attr_el, attr_ty, Some(text), offset);
            }
        }
        if let (Some(text), Some(_)) = (value_text, primitive) {
            self.check_primitive(ty, &text, value_offset, node)?;
            let doc = self
                .doc
                .as_mut()
                .ok_or_else(|| malformed_state(self.input, start))?;
            doc.nodes[node as usize].value = Some(text);
        }
        if empty {
            self.check_not_empty(node, start)?;
        }
        self.after_open(node, FrameKind::Element, ns_mark, &tag)
    }

    fn check_primitive(&mut self, ty: Type, text: &str, offset: usize, node: u32) -> Result<()> {
        let Some(kind) = ty.primitive() else {
            return Ok(());
        };
        if let Err(reason) = primitive::check_lexical(kind, text) {
            let kind = if text.is_empty() {
                ReadErrorKind::EmptyValue
            } else {
                ReadErrorKind::InvalidPrimitive { kind, reason }
            };
            self.problem(kind, offset, Some(node))?;
        }
        Ok(())
    }

    /// An element must have a value or children.
    fn check_not_empty(&mut self, node: u32, start: usize) -> Result<()> {
        let doc = self
            .doc
            .as_ref()
            .ok_or_else(|| malformed_state(self.input, start))?;
        let data = &doc.nodes[node as usize];
        if data.value.is_none() && data.first_child == u32::MAX {
            self.problem(ReadErrorKind::EmptyValue, start, Some(node))?;
        }
        Ok(())
    }

    /// The narrative `div`, prefixed or not: checked in one pass by the same scanner as a JSON
    /// narrative, its content then skipped. The end tag is read as a token again, and closes a
    /// skipping frame.
    fn open_div(
        &mut self,
        parent: u32,
        element: Element,
        ty: Type,
        tag: &Tag<'a>,
        ns_mark: usize,
    ) -> Result<()> {
        let Tag { qname, start, .. } = *tag;
        let declares_default = self.namespaces[ns_mark..]
            .iter()
            .any(|(p, _, _)| p.is_empty());
        // The narrative's own nesting has the whole budget, as the JSON string has.
        let depth_left = self.options.max_depth;
        let (extent, facts) =
            super::xhtml::scan_element(self.input, start, depth_left, self.options.max_attributes)
                .map_err(|e| match e.entity {
                    Some(name) => self.error(ReadErrorKind::UnknownEntity { name }, e.offset),
                    None if e.too_many_attributes => self.error(
                        ReadErrorKind::LimitExceeded {
                            limit: Limit::Attributes,
                        },
                        e.offset,
                    ),
                    None => self.error(malformed(e.reason), e.offset),
                })?;
        // One vectorizable pass over the narrative is cheaper than character tests folded
        // into the scanner's word-at-a-time markup search (measured: 2.7% more instructions per
        // read that way).
        self.check_chars(&self.input.as_bytes()[start..extent.end], start)?;
        self.undeclare(ns_mark);
        let raw = &self.input[start..extent.end];
        let value = self.div_value(raw, qname, declares_default, start)?;
        let doc = self
            .doc
            .as_mut()
            .ok_or_else(|| malformed_state(self.input, start))?;
        let node = doc.push(parent, element, ty, Some(value), start);
        doc.record_narrative(node, facts);
        if tag.empty {
            return Ok(());
        }
        self.resume = Some(extent.end_tag);
        self.push_frame(parent, FrameKind::Skip, ns_mark, tag, false)
    }

    /// The narrative value: the div as written, with the XHTML namespace declared on it when it
    /// was declared further out.
    fn div_value(
        &self,
        raw: &'a str,
        qname: &str,
        declares_default: bool,
        start: usize,
    ) -> Result<Cow<'a, str>> {
        if raw.len() > self.options.max_string_bytes {
            return Err(self.error(
                ReadErrorKind::LimitExceeded {
                    limit: Limit::StringBytes,
                },
                start,
            ));
        }
        Ok(if declares_default || qname.as_bytes().contains(&b':') {
            Cow::Borrowed(raw)
        } else {
            // The default namespace was declared further out; make the fragment stand alone.
            let mut owned = String::with_capacity(raw.len() + 40);
            owned.push_str("<div xmlns=\"");
            owned.push_str(XHTML_NS);
            owned.push('"');
            owned.push_str(&raw[4..]);
            Cow::Owned(owned)
        })
    }

    fn after_open(
        &mut self,
        node: u32,
        kind: FrameKind,
        ns_mark: usize,
        tag: &Tag<'a>,
    ) -> Result<()> {
        if tag.empty {
            self.undeclare(ns_mark);
            if node == 0 && self.stack.is_empty() {
                self.root_closed = true;
            }
            Ok(())
        } else {
            let inner_resource = kind == FrameKind::Element
                && matches!(
                    self.stack.last(),
                    Some(Frame { kind: FrameKind::Wrapper { .. }, node: n, .. }) if *n == node
                );
            self.push_frame(node, kind, ns_mark, tag, !inner_resource)
        }
    }

    fn close(&mut self, at: usize) -> Result<()> {
        let Some(frame) = self.stack.pop() else {
            return Err(self.error(malformed("end tag without start tag"), at));
        };
        if !frame.counted {
            self.uncounted -= 1;
        }
        self.undeclare(frame.ns_mark);
        match frame.kind {
            FrameKind::Skip => {}
            FrameKind::Wrapper { filled } => {
                if !filled {
                    self.problem(ReadErrorKind::EmptyValue, at, Some(frame.node))?;
                }
            }
            FrameKind::Element => {
                // The inner resource element of a wrapper shares the wrapper's node.
                let is_resource_inner = matches!(
                    self.stack.last(),
                    Some(Frame { kind: FrameKind::Wrapper { .. }, node, .. }) if *node == frame.node
                );
                if !is_resource_inner && frame.node != 0 {
                    self.check_not_empty(frame.node, at)?;
                }
            }
        }
        if self.stack.is_empty() {
            self.root_closed = true;
        }
        Ok(())
    }
}

fn malformed_state(input: &str, at: usize) -> ReadError {
    ReadError::at(malformed("reader state"), input, at)
}

/// Attributes that carry no FHIR content and are dropped: `xsi:schemaLocation` and friends.
fn is_ignorable_attribute(name: &str) -> bool {
    name.starts_with("xsi:") || name.starts_with("xml:")
}

/// Reads the content of an XHTML element whose start tag was just read, on quick-xml's events,
/// checking well-formedness (names, attributes, references, no DOCTYPE), and returns the offset
/// just after its end tag: the reference that [`check_fragment_by_events`] holds the single-pass
/// scanner to.
fn scan_xhtml_content(
    xml: &mut quick_xml::Reader<&[u8]>,
    input: &str,
    options: &ReadOptions,
) -> Result<usize> {
    let mut depth = 1usize;
    loop {
        let start = usize::try_from(xml.buffer_position()).unwrap_or(0);
        let event = xml.read_event().map_err(|e| {
            let at = usize::try_from(xml.error_position()).unwrap_or(0);
            ReadError::at(malformed(e.to_string()), input, at)
        })?;
        match event {
            Event::Start(e) => {
                check_xhtml_tag(&e, input, start)?;
                depth += 1;
                if depth > options.max_depth {
                    return Err(ReadError::at(
                        ReadErrorKind::LimitExceeded {
                            limit: Limit::Depth,
                        },
                        input,
                        start,
                    ));
                }
            }
            Event::Empty(e) => check_xhtml_tag(&e, input, start)?,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return Ok(usize::try_from(xml.buffer_position()).unwrap_or(input.len()));
                }
            }
            Event::Text(t) => {
                if t.windows(3).any(|w| w == b"]]>") {
                    return Err(ReadError::at(
                        malformed("']]>' is not allowed in text"),
                        input,
                        start,
                    ));
                }
            }
            Event::GeneralRef(r) => {
                let body = std::str::from_utf8(&r).unwrap_or("");
                match resolve_reference(body) {
                    Ok(_) => {}
                    Err(Some(name)) if is_name(&name) => {
                        return Err(ReadError::at(
                            ReadErrorKind::UnknownEntity { name },
                            input,
                            start,
                        ))
                    }
                    Err(_) => {
                        return Err(ReadError::at(
                            malformed("malformed reference"),
                            input,
                            start,
                        ))
                    }
                }
            }
            Event::CData(_) | Event::Comment(_) => {}
            Event::PI(p) => {
                let content = std::str::from_utf8(&p).unwrap_or("");
                check_processing_instruction(content)
                    .map_err(|why| ReadError::at(malformed(why), input, start))?;
            }
            Event::Decl(_) => {
                return Err(ReadError::at(
                    malformed("misplaced XML declaration"),
                    input,
                    start,
                ))
            }
            Event::DocType(_) => {
                return Err(ReadError::at(
                    ReadErrorKind::DoctypeNotAllowed,
                    input,
                    start,
                ))
            }
            Event::Eof => {
                return Err(ReadError::at(
                    malformed("unexpected end of input"),
                    input,
                    start,
                ))
            }
        }
    }
}

fn check_xhtml_tag(e: &BytesStart<'_>, input: &str, start: usize) -> Result<()> {
    let qname = e.name();
    let name = std::str::from_utf8(qname.as_ref()).unwrap_or("");
    if !is_name(name) {
        return Err(ReadError::at(
            malformed(format!("'{name}' is not a valid element name")),
            input,
            start,
        ));
    }
    for attr in e.attributes().with_checks(true) {
        let attr = attr.map_err(|err| ReadError::at(malformed(err.to_string()), input, start))?;
        let key = std::str::from_utf8(attr.key.as_ref()).unwrap_or("");
        if !is_name(key) {
            return Err(ReadError::at(
                malformed(format!("'{key}' is not a valid attribute name")),
                input,
                start,
            ));
        }
        let raw = std::str::from_utf8(&attr.value).unwrap_or("");
        // quick-xml borrows values from the input; an owned one cannot be placed, so pass it.
        let offset = (raw.as_ptr() as usize).wrapping_sub(input.as_ptr() as usize);
        if offset < input.len() && !is_attribute_end(input, offset + raw.len()) {
            return Err(ReadError::at(
                malformed("whitespace required between attributes"),
                input,
                start,
            ));
        }
        unescape_attribute(raw).map_err(|err| match err {
            UnescapeError::UnknownEntity(_, name) => {
                ReadError::at(ReadErrorKind::UnknownEntity { name }, input, start)
            }
            _ => ReadError::at(malformed("malformed attribute value"), input, start),
        })?;
    }
    Ok(())
}

/// Checks a narrative `div` given as a string (JSON): one well-formed XHTML `div` element.
pub(super) fn check_fragment(
    div: &str,
    options: &ReadOptions,
    control_free: bool,
) -> std::result::Result<super::NarrativeFacts, String> {
    let non_char = if control_free {
        super::wellformed::first_noncharacter(div)
    } else {
        first_non_char(div)
    };
    if let Some(at) = non_char {
        return Err(format!("character not allowed in XML at offset {at}"));
    }
    super::xhtml::check_div(div, options.max_depth, options.max_attributes).map_err(|e| e.reason)
}

/// The same check on quick-xml's tokenizer: the reference for the differential test of the
/// single-pass scanner.
#[doc(hidden)]
pub(super) fn check_fragment_by_events(
    div: &str,
    options: &ReadOptions,
) -> std::result::Result<(), String> {
    if let Some(at) = first_non_char(div) {
        return Err(format!("character not allowed in XML at offset {at}"));
    }
    let mut xml = quick_xml::Reader::from_str(div);
    xml.config_mut().check_comments = true;
    xml.config_mut().check_end_names = true;
    let mut seen_root = false;
    loop {
        let start = usize::try_from(xml.buffer_position()).unwrap_or(0);
        let event = xml.read_event().map_err(|e| e.to_string())?;
        match event {
            Event::Start(e) | Event::Empty(e) if !seen_root => {
                let is_empty = div.as_bytes().get(start + 1 + e.len()) == Some(&b'/');
                if e.name().as_ref() != b"div" {
                    return Err("the narrative must be a 'div' element".into());
                }
                let xmlns = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.as_ref() == b"xmlns")
                    .map(|a| a.value.into_owned());
                if xmlns.as_deref() != Some(XHTML_NS.as_bytes()) {
                    return Err(format!("the 'div' must declare xmlns=\"{XHTML_NS}\""));
                }
                check_xhtml_tag(&e, div, start).map_err(|e| e.kind().to_string())?;
                seen_root = true;
                if !is_empty {
                    scan_xhtml_content(&mut xml, div, options).map_err(|e| e.kind().to_string())?;
                }
            }
            Event::Text(t) if t.iter().all(|&b| is_xml_space(b)) => {}
            Event::Comment(_) => {}
            Event::Eof if seen_root => return Ok(()),
            Event::Eof => return Err("no 'div' element".into()),
            Event::DocType(_) => return Err("DOCTYPE declarations are not allowed".into()),
            _ => return Err("content outside the 'div' element".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_start_tags_have_the_parts_quick_xml_gives() {
        /// (qname, attribute text, empty)
        type Parts = (&'static str, &'static str, bool);
        // (input, parts); `None` for tags left to quick-xml.
        let cases: &[(&str, Option<Parts>)] = &[
            ("<a>", Some(("a", "", false))),
            ("<a/>", Some(("a", "", true))),
            ("<a />", Some(("a", " ", true))),
            (
                "<p:a b='>' c=\"/\"/>",
                Some(("p:a", " b='>' c=\"/\"", true)),
            ),
            ("<a b=\"x/\">", Some(("a", " b=\"x/\"", false))),
            (
                "<a\n xmlns:p=\"u\"\tp:b=''\n>",
                Some(("a", "\n xmlns:p=\"u\"\tp:b=''\n", false)),
            ),
            ("<a b=1/>", None),
            ("<a b = \"1\">", None),
            ("<a b=\"1\"c=\"2\">", None),
            ("<a b>", None),
            ("<a 1b=\"1\">", None),
            ("<a/b>", None),
            ("<a b=\"x>", None),
            ("<a", None),
            ("<!--x-->", None),
            ("</a>", None),
            ("<é/>", None),
            ("<a\u{e9}/>", None),
        ];
        for &(text, expected) in cases {
            let mut scanned = Vec::new();
            let tag = plain_start_tag(text, 0, &mut scanned);
            let parts = tag.map(|t| (t.qname, t.attributes, t.empty));
            assert_eq!(parts, expected, "{text}");
            let Some(t) = tag else { continue };
            assert_eq!(t.end, text.len(), "{text}");
            let mut xml = quick_xml::Reader::from_str(text);
            let (e, empty) = match xml.read_event() {
                Ok(Event::Start(e)) => (e, false),
                Ok(Event::Empty(e)) => (e, true),
                other => panic!("{text}: {other:?}"),
            };
            assert_eq!(e.name().as_ref(), t.qname.as_bytes(), "{text}");
            assert_eq!(e.attributes_raw(), t.attributes.as_bytes(), "{text}");
            assert_eq!(empty, t.empty, "{text}");
            // The same attributes as the general scan of that text.
            let base = 1 + t.qname.len();
            let mut scan = AttributeScan {
                text: t.attributes,
                i: 0,
            };
            let mut general = Vec::new();
            while let Ok(Some((key, value, at))) = scan.next() {
                general.push((key, value, base + at));
            }
            assert_eq!(scanned, general, "{text}");
        }
    }
}
