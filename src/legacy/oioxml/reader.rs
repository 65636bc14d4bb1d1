//! The OIOXML reader: bytes in the declared encoding → roxmltree → owned [`Element`] tree.

use std::borrow::Cow;
use std::sync::Arc;

use super::element::{Attribute, Content, Element};
use super::is_medcom_namespace;
use crate::error::Position;
use crate::legacy::{LegacyError, LegacyErrorKind};

/// Options for the OIOXML reader, with limits safe for untrusted input. DTDs are always
/// rejected.
///
/// # Examples
///
/// ```
/// let options = medcom::legacy::oioxml::ReadOptions::default().with_max_depth(16);
/// assert_eq!(options.max_depth, 16);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Largest accepted input in bytes. Default: 64 MiB.
    pub max_input_bytes: usize,
    /// Deepest accepted element nesting. Default: 64.
    pub max_depth: usize,
    /// Largest accepted number of XML nodes. Default: 1,000,000.
    pub max_nodes: u32,
    /// Largest accepted number of attributes (namespace declarations included) on one element.
    /// Default: 256.
    pub max_attributes: usize,
    /// Largest accepted number of namespace declarations in scope at any element (its own and
    /// its ancestors'). Default: 32; MedCom letters and envelopes declare a handful.
    pub max_namespaces: usize,
    /// Largest accepted number of elements, counted in the pass before the tree is built.
    /// Default: 40,000. MedCom letters have a few hundred elements and the largest official
    /// FHIR message about 1,800; the limit keeps the peak memory of a read (the owned tree
    /// takes about 200 bytes an element, `roxmltree`'s about 150) within 20 times any input of
    /// a megabyte or more, however small its elements.
    pub max_elements: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            max_input_bytes: 64 << 20,
            max_depth: 64,
            max_nodes: 1_000_000,
            max_attributes: 256,
            max_namespaces: 32,
            max_elements: 40_000,
        }
    }
}

impl ReadOptions {
    /// Sets [`Self::max_depth`].
    #[must_use]
    pub fn with_max_depth(mut self, max: usize) -> Self {
        self.max_depth = max;
        self
    }

    /// Sets [`Self::max_attributes`].
    #[must_use]
    pub fn with_max_attributes(mut self, max: usize) -> Self {
        self.max_attributes = max;
        self
    }

    /// Sets [`Self::max_namespaces`].
    #[must_use]
    pub fn with_max_namespaces(mut self, max: usize) -> Self {
        self.max_namespaces = max;
        self
    }

    /// Sets [`Self::max_elements`].
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::legacy::oioxml::{read_with_options, ReadOptions};
    /// let options = ReadOptions::default().with_max_elements(2);
    /// let err = read_with_options(b"<a><b/><c/></a>", &options).unwrap_err();
    /// assert_eq!(err.kind().code(), "limit-exceeded");
    /// ```
    #[must_use]
    pub fn with_max_elements(mut self, max: usize) -> Self {
        self.max_elements = max;
        self
    }
}

/// Checks the limits of `options` that `roxmltree` does not know on decoded `text`, before it
/// builds the text (see [`super::guard`]).
pub(crate) fn check_limits(
    text: &str,
    single_byte: bool,
    options: &ReadOptions,
) -> Result<(), LegacyError> {
    super::guard::check(text, options).map_err(|(breach, at)| {
        let mut tracker = Tracker::new(text, single_byte);
        LegacyError::new(LegacyErrorKind::LimitExceeded {
            limit: breach.name(),
        })
        .with_position(tracker.position(at))
    })
}

/// Reads an XML document (any, not only `Emessage`) with the default options.
///
/// # Errors
///
/// [`LegacyErrorKind::MalformedXml`] (DTDs included) with line:column,
/// [`LegacyErrorKind::UnsupportedEncoding`], [`LegacyErrorKind::LimitExceeded`].
///
/// # Examples
///
/// ```
/// let err = medcom::legacy::oioxml::read(b"<a>\n  <b></a>").unwrap_err();
/// assert_eq!(err.kind().code(), "malformed-xml");
/// assert_eq!(err.position().unwrap().line, 2);
/// let latin1 = medcom::legacy::oioxml::read(b"<?xml version='1.0' encoding='ISO-8859-1'?><a>\xd8</a>").unwrap();
/// assert_eq!(latin1.text(), "Ø");
/// ```
pub fn read(input: &[u8]) -> Result<Element, LegacyError> {
    read_with_options(input, &ReadOptions::default())
}

/// Reads an XML document.
///
/// # Errors
///
/// As [`read`].
///
/// # Examples
///
/// ```
/// use medcom::legacy::oioxml::{read_with_options, ReadOptions};
/// let err = read_with_options(b"<a><b><c/></b></a>", &ReadOptions::default().with_max_depth(2)).unwrap_err();
/// assert_eq!(err.kind().code(), "limit-exceeded");
/// ```
pub fn read_with_options(input: &[u8], options: &ReadOptions) -> Result<Element, LegacyError> {
    if input.len() > options.max_input_bytes {
        return Err(LegacyError::new(LegacyErrorKind::LimitExceeded {
            limit: "input size",
        }));
    }
    let (text, single_byte) = decode(input)?;
    check_limits(&text, single_byte, options)?;
    let parse_options = roxmltree::ParsingOptions {
        nodes_limit: options.max_nodes,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(&text, parse_options).map_err(|e| {
        let pos = e.pos();
        LegacyError::new(LegacyErrorKind::MalformedXml {
            reason: e.to_string(),
        })
        .with_position(Position {
            byte: 0,
            line: pos.row,
            column: pos.col,
        })
    })?;
    // The text is well-formed: drop roxmltree's tree before the owned one is built.
    drop(doc);
    let mut tracker = Tracker::new(&text, single_byte);
    super::build::build(&text, &mut tracker, options.max_depth)
}

/// [`read_with_options`] with the owned tree built from `roxmltree`'s nodes while they are
/// alive (twice the memory): the oracle that the fuzz harness compares the reader with.
pub(crate) fn read_by_nodes(input: &[u8], options: &ReadOptions) -> Result<Element, LegacyError> {
    // The checks before the tree are shared; only the building differs.
    read_with_options(input, options)?;
    let (text, single_byte) = decode(input)?;
    let parse_options = roxmltree::ParsingOptions {
        nodes_limit: options.max_nodes,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(&text, parse_options).map_err(|e| {
        LegacyError::new(LegacyErrorKind::MalformedXml {
            reason: e.to_string(),
        })
    })?;
    let mut tracker = Tracker::new(&text, single_byte);
    build(
        doc.root_element(),
        &mut tracker,
        &mut Vec::new(),
        0,
        options.max_depth,
    )
}

/// Decodes by BOM and XML declaration; the flag says whether each character came from one byte.
pub(crate) fn decode(input: &[u8]) -> Result<(Cow<'_, str>, bool), LegacyError> {
    if let Some(rest) = input.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest, 3).map(|s| (s, false));
    }
    if input.starts_with(b"\xFE\xFF") || input.starts_with(b"\xFF\xFE") {
        return Err(LegacyError::new(LegacyErrorKind::UnsupportedEncoding {
            name: "UTF-16".to_owned(),
        }));
    }
    let encoding = declared_encoding(input).unwrap_or_default();
    match encoding.to_ascii_lowercase().as_str() {
        "" | "utf-8" | "utf8" => utf8(input, 0).map(|s| (s, false)),
        "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "iso_8859-1" | "l1" => Ok((
            Cow::Owned(input.iter().map(|&b| char::from(b)).collect()),
            true,
        )),
        "windows-1252" | "cp1252" => {
            Ok((Cow::Owned(input.iter().map(|&b| cp1252(b)).collect()), true))
        }
        _ => Err(LegacyError::new(LegacyErrorKind::UnsupportedEncoding {
            name: encoding.chars().take(40).collect(),
        })),
    }
}

// Borrowed: a copy of the input would be one more input's worth of memory.
fn utf8(input: &[u8], skipped: usize) -> Result<Cow<'_, str>, LegacyError> {
    std::str::from_utf8(input).map(Cow::Borrowed).map_err(|e| {
        let valid = e.valid_up_to();
        let prefix = input
            .get(..valid)
            .and_then(|p| std::str::from_utf8(p).ok())
            .unwrap_or("");
        let mut p = Position::from_offset(prefix, valid);
        p.byte += skipped;
        LegacyError::new(LegacyErrorKind::InvalidValue {
            field: "document",
            reason: "not UTF-8 although no other encoding is declared",
        })
        .with_position(p)
    })
}

/// The `encoding` pseudo-attribute of a leading XML declaration.
fn declared_encoding(input: &[u8]) -> Option<String> {
    let decl = input.strip_prefix(b"<?xml")?;
    let end = decl.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(decl.get(..end)?).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl.get(at + "encoding".len()..)?.trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let value = rest.get(1..)?;
    let close = value.find(quote)?;
    Some(value.get(..close)?.to_owned())
}

/// windows-1252: ISO 8859-1 except 0x80–0x9F.
fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// Turns offsets into the decoded text into positions of the source, scanning forward once.
struct Tracker<'a> {
    text: &'a str,
    offset: usize,
    line: u32,
    column: u32,
    chars: usize,
    single_byte: bool,
}

impl super::build::Locate for Tracker<'_> {
    fn position(&mut self, offset: usize) -> Position {
        Tracker::position(self, offset)
    }
}

impl<'a> Tracker<'a> {
    fn new(text: &'a str, single_byte: bool) -> Self {
        Self {
            text,
            offset: 0,
            line: 1,
            column: 1,
            chars: 0,
            single_byte,
        }
    }

    fn position(&mut self, offset: usize) -> Position {
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
            self.column = 1;
            self.chars = 0;
        }
        let segment = self.text.get(self.offset..offset).unwrap_or("");
        for c in segment.chars() {
            self.chars += 1;
            if c == '\n' {
                self.line = self.line.saturating_add(1);
                self.column = 1;
            } else {
                self.column = self.column.saturating_add(1);
            }
        }
        self.offset = offset;
        Position {
            byte: if self.single_byte { self.chars } else { offset },
            line: self.line,
            column: self.column,
        }
    }
}

fn intern(cache: &mut Vec<Arc<str>>, ns: &str) -> Arc<str> {
    if let Some(a) = cache.iter().find(|a| &***a == ns) {
        return Arc::clone(a);
    }
    let a: Arc<str> = Arc::from(ns);
    cache.push(Arc::clone(&a));
    a
}

fn build(
    node: roxmltree::Node<'_, '_>,
    tracker: &mut Tracker<'_>,
    namespaces: &mut Vec<Arc<str>>,
    depth: usize,
    max_depth: usize,
) -> Result<Element, LegacyError> {
    let position = tracker.position(node.range().start);
    if depth >= max_depth {
        return Err(LegacyError::new(LegacyErrorKind::LimitExceeded {
            limit: "nesting depth",
        })
        .with_position(position));
    }
    let tag = node.tag_name();
    let namespace = intern(namespaces, tag.namespace().unwrap_or(""));
    let attributes = node
        .attributes()
        .map(|a| Attribute {
            namespace: intern(namespaces, a.namespace().unwrap_or("")),
            name: a.name().to_owned(),
            value: a.value().to_owned(),
        })
        .collect();
    let mut element = Element::from_parts(Arc::from(tag.name()), namespace, attributes, position);
    // Sized exactly: a leaf with one text child would otherwise hold room for four.
    let children = node
        .children()
        .filter(|c| c.is_element() || c.is_text())
        .count();
    element.children_mut().reserve_exact(children);
    for child in node.children() {
        if child.is_element() {
            let c = build(child, tracker, namespaces, depth + 1, max_depth)?;
            element.children_mut().push(Content::Element(Box::new(c)));
        } else if child.is_text() {
            if let Some(t) = child.text() {
                element.push_text(t);
            }
        }
    }
    Ok(element)
}

/// Whether the bytes hold XML whose root element is `Emessage` in a MedCom namespace (a cheap
/// check on the start tag, for format detection).
pub(crate) fn root_is_emessage(input: &[u8]) -> bool {
    let head = input.get(..input.len().min(4096)).unwrap_or(input);
    let Ok((text, _)) = decode(head) else {
        return false;
    };
    // Skip declaration, comments and processing instructions up to the first start tag.
    let mut rest = &*text;
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            let Some(end) = r.find("?>") else {
                return false;
            };
            rest = r.get(end + 2..).unwrap_or("");
        } else if let Some(r) = rest.strip_prefix("<!--") {
            let Some(end) = r.find("-->") else {
                return false;
            };
            rest = r.get(end + 3..).unwrap_or("");
        } else if let Some(r) = rest.strip_prefix("<!DOCTYPE") {
            // Skipped to find the root: whoever reads the letter rejects the DOCTYPE itself,
            // and says so, rather than taking the letter for something else.
            let end = match (r.find('['), r.find('>')) {
                (Some(open), Some(close)) if open < close => r
                    .get(open..)
                    .and_then(|s| s.find("]>"))
                    .map(|e| open + e + 2),
                (_, Some(close)) => Some(close + 1),
                _ => None,
            };
            let Some(end) = end else {
                return false;
            };
            rest = r.get(end..).unwrap_or("");
        } else {
            break;
        }
    }
    let Some(tag) = rest.strip_prefix('<') else {
        return false;
    };
    let end = tag.find('>').unwrap_or(tag.len());
    let start_tag = tag.get(..end).unwrap_or("");
    let name_end = start_tag
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(start_tag.len());
    let qname = start_tag.get(..name_end).unwrap_or("");
    let (prefix, local) = qname.split_once(':').unwrap_or(("", qname));
    if local != "Emessage" {
        return false;
    }
    let attr = if prefix.is_empty() {
        "xmlns=".to_owned()
    } else {
        format!("xmlns:{prefix}=")
    };
    let Some(at) = start_tag.find(&attr) else {
        return false;
    };
    let value = start_tag.get(at + attr.len()..).unwrap_or("");
    let Some(quote) = value.chars().next() else {
        return false;
    };
    let inner = value.get(1..).unwrap_or("");
    inner
        .find(quote)
        .and_then(|e| inner.get(..e))
        .is_some_and(is_medcom_namespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtd_is_rejected() {
        let err = read(b"<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>").unwrap_err();
        assert_eq!(err.kind().code(), "malformed-xml");
    }

    #[test]
    fn cp1252_high_range() {
        let e = read(b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\x80\xe6</a>").unwrap();
        assert_eq!(e.text(), "€æ");
    }

    #[test]
    fn positions_count_source_bytes_for_latin1() {
        let e = read(b"<?xml version='1.0' encoding='ISO-8859-1'?>\n<a>\xe6\xe6<b/></a>").unwrap();
        let b = e.child("b").unwrap().position().unwrap();
        assert_eq!((b.byte, b.line, b.column), (49, 2, 6));
    }

    #[test]
    fn unknown_encoding() {
        let err = read(b"<?xml version='1.0' encoding='EBCDIC'?><a/>").unwrap_err();
        assert_eq!(err.kind().code(), "unsupported-encoding");
    }
}
