//! EDIFACT syntax as MedCom uses it (ISO 9735 version 3, syntax level C).
//!
//! An interchange is `UNA` (optional service string advice), `UNB` … `UNZ`, holding messages
//! `UNH` … `UNT`. Values are stored decoded: release characters removed, ISO 8859-1 (UNOC)
//! bytes mapped to characters. Trailing empty components and elements are dropped, so two
//! segments that mean the same compare equal.
//!
//! # Examples
//!
//! ```
//! use medcom::legacy::edifact;
//! let edi = "UNA:+.? '\nUNB+UNOC:3+5790000120420:14+5790000128686:14+990115:1202+K1++++0'\n\
//!            UNH+B1+MEDDIS:D:93A:UN:D0133L+DIS01'\nFTX+NC+P00++Hvad?+hvorfor?''\nUNT+3+B1'\nUNZ+1+K1'\n";
//! let interchange = edifact::read(edi.as_bytes()).unwrap();
//! let message = &interchange.messages()[0];
//! assert_eq!(message.reference(), "B1");
//! assert_eq!(message.body()[0].component(4, 1), "Hvad+hvorfor'");
//! assert_eq!(edifact::write(&interchange).unwrap(), edi.as_bytes());
//! ```

mod reader;
mod writer;

pub use reader::{read, read_segments, read_with_options, LineBreaks, ReadOptions};
pub(crate) use reader::{read_messages, Scanner};
pub use writer::{write, write_segments, write_with_options, WriteOptions};

use crate::error::Position;

/// The service characters of an interchange (UNA).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delimiters {
    /// Component data element separator. Default `:`.
    pub component: u8,
    /// Data element separator. Default `+`.
    pub element: u8,
    /// Decimal mark. Default `.`.
    pub decimal: u8,
    /// Release character. Default `?`.
    pub release: u8,
    /// Segment terminator. Default `'`.
    pub segment: u8,
}

impl Default for Delimiters {
    fn default() -> Self {
        Self {
            component: b':',
            element: b'+',
            decimal: b'.',
            release: b'?',
            segment: b'\'',
        }
    }
}

impl Delimiters {
    /// Whether a byte is one of the characters that must be released inside values.
    #[must_use]
    pub fn is_special(&self, b: u8) -> bool {
        b == self.component || b == self.element || b == self.release || b == self.segment
    }
}

/// Where a segment was read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SegmentPosition {
    /// Index of the segment in the interchange, from 0 (UNA counts when present).
    pub index: usize,
    /// Byte offset, line and column of the segment tag.
    pub position: Position,
}

/// One segment: a tag and its data elements, each a list of components.
///
/// Equality compares tag and values only, not positions.
///
/// # Examples
///
/// ```
/// use medcom::legacy::edifact::Segment;
/// let s = Segment::new("NAD", [vec!["SSP"], vec!["2001060", "SKS", "SST"], vec![], vec!["X", ""]]);
/// assert_eq!(s.component(2, 2), "SKS");
/// assert_eq!(s.component(4, 2), "");
/// assert_eq!(s.elements().len(), 4);
/// ```
#[derive(Clone, Debug, Eq)]
pub struct Segment {
    tag: String,
    elements: Vec<Vec<String>>,
    object: Option<std::sync::Arc<[u8]>>,
    position: Option<SegmentPosition>,
}

impl PartialEq for Segment {
    fn eq(&self, other: &Self) -> bool {
        self.tag == other.tag && self.elements == other.elements && self.object == other.object
    }
}

impl Segment {
    /// A segment from a tag and its elements (trailing empty components and elements dropped).
    #[must_use]
    pub fn new<E, C, S>(tag: impl Into<String>, elements: E) -> Self
    where
        E: IntoIterator<Item = C>,
        C: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let elements = elements
            .into_iter()
            .map(|e| e.into_iter().map(Into::into).collect())
            .collect();
        Self::from_parts(tag.into(), elements, None)
    }

    pub(crate) fn from_parts(
        tag: String,
        mut elements: Vec<Vec<String>>,
        position: Option<SegmentPosition>,
    ) -> Self {
        for e in &mut elements {
            while e.last().is_some_and(String::is_empty) {
                e.pop();
            }
        }
        while elements.last().is_some_and(Vec::is_empty) {
            elements.pop();
        }
        Self {
            tag,
            elements,
            object: None,
            position,
        }
    }

    /// Attaches the binary object that follows a `UNO` segment (ISO 9735-8 associated data).
    #[must_use]
    pub fn with_object(mut self, object: impl Into<std::sync::Arc<[u8]>>) -> Self {
        self.object = Some(object.into());
        self
    }

    /// The raw object bytes after a `UNO` segment.
    #[must_use]
    pub fn object(&self) -> Option<&[u8]> {
        self.object.as_deref()
    }

    /// The tag, e.g. `NAD`.
    #[must_use]
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The data elements after the tag.
    #[must_use]
    pub fn elements(&self) -> &[Vec<String>] {
        &self.elements
    }

    /// Component `component` of data element `element`, both counted from 1 as in the EDIFACT
    /// directories; empty when absent.
    #[must_use]
    pub fn component(&self, element: usize, component: usize) -> &str {
        element
            .checked_sub(1)
            .and_then(|e| self.elements.get(e))
            .and_then(|e| component.checked_sub(1).and_then(|c| e.get(c)))
            .map_or("", String::as_str)
    }

    /// Whether data element `element` (from 1) has a component `component` (from 1), even an
    /// empty one followed by others.
    #[must_use]
    pub fn has_component(&self, element: usize, component: usize) -> bool {
        element
            .checked_sub(1)
            .and_then(|e| self.elements.get(e))
            .is_some_and(|e| component >= 1 && e.len() >= component)
    }

    /// Where the segment was read; `None` for a built segment.
    #[must_use]
    pub fn position(&self) -> Option<SegmentPosition> {
        self.position
    }
}

/// Builds a segment from string slices: `seg!("NAD", ["SSP"], ["1", "SKS"])`.
macro_rules! seg {
    ($tag:expr $(, [$($c:expr),* $(,)?])* $(,)?) => {
        $crate::legacy::edifact::Segment::new(
            $tag,
            [$(vec![$(::std::string::String::from($c)),*]),*],
        )
    };
}
pub(crate) use seg;

/// The character repertoire an interchange declares in UNB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Charset {
    /// UNOA, UNOB, UNOC: single bytes, read as ISO 8859-1 (UNOA and UNOB are subsets).
    Latin1,
    /// UNOW, UNOY: UTF-8.
    Utf8,
}

impl Charset {
    /// The charset of a UNB syntax identifier; `None` when unsupported.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::legacy::edifact::Charset;
    /// assert_eq!(Charset::from_syntax("UNOC"), Some(Charset::Latin1));
    /// assert_eq!(Charset::from_syntax("UNOD"), None);
    /// ```
    #[must_use]
    pub fn from_syntax(identifier: &str) -> Option<Self> {
        match identifier {
            "UNOA" | "UNOB" | "UNOC" => Some(Self::Latin1),
            "UNOW" | "UNOY" => Some(Self::Utf8),
            _ => None,
        }
    }
}

/// One message, `UNH` … `UNT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    header: Segment,
    body: Vec<Segment>,
    trailer: Segment,
}

impl Message {
    /// A message with header and body; the `UNT` trailer is computed (segment count and
    /// reference).
    #[must_use]
    pub fn new(header: Segment, body: Vec<Segment>) -> Self {
        let count = (body.len() + 2).to_string();
        let reference = header.component(1, 1).to_owned();
        let trailer = Segment::new("UNT", [vec![count], vec![reference]]);
        Self {
            header,
            body,
            trailer,
        }
    }

    pub(crate) fn from_parts(header: Segment, body: Vec<Segment>, trailer: Segment) -> Self {
        Self {
            header,
            body,
            trailer,
        }
    }

    /// The `UNH` segment.
    #[must_use]
    pub fn header(&self) -> &Segment {
        &self.header
    }

    /// The segments between `UNH` and `UNT`.
    #[must_use]
    pub fn body(&self) -> &[Segment] {
        &self.body
    }

    /// The `UNT` segment.
    #[must_use]
    pub fn trailer(&self) -> &Segment {
        &self.trailer
    }

    /// The message reference number (UNH element 1), the letter identifier in MedCom.
    #[must_use]
    pub fn reference(&self) -> &str {
        self.header.component(1, 1)
    }

    /// The message type (UNH 2:1), e.g. `MEDDIS`.
    #[must_use]
    pub fn message_type(&self) -> &str {
        self.header.component(2, 1)
    }

    /// MedCom's message version (UNH 2:5), e.g. `D0133L`.
    #[must_use]
    pub fn version(&self) -> &str {
        self.header.component(2, 5)
    }

    /// All segments from `UNH` to `UNT`.
    pub fn segments(&self) -> impl Iterator<Item = &Segment> {
        std::iter::once(&self.header)
            .chain(self.body.iter())
            .chain(std::iter::once(&self.trailer))
    }
}

/// An interchange: `UNB`, messages, `UNZ`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interchange {
    delimiters: Delimiters,
    has_una: bool,
    header: Segment,
    messages: Vec<Message>,
    trailer: Segment,
}

impl Interchange {
    /// An interchange with the default delimiters and a UNA; the `UNZ` trailer is computed.
    #[must_use]
    pub fn new(header: Segment, messages: Vec<Message>) -> Self {
        let trailer = Segment::new(
            "UNZ",
            [
                vec![messages.len().to_string()],
                vec![header.component(5, 1).to_owned()],
            ],
        );
        Self {
            delimiters: Delimiters::default(),
            has_una: true,
            header,
            messages,
            trailer,
        }
    }

    pub(crate) fn from_parts(
        delimiters: Delimiters,
        has_una: bool,
        header: Segment,
        messages: Vec<Message>,
        trailer: Segment,
    ) -> Self {
        Self {
            delimiters,
            has_una,
            header,
            messages,
            trailer,
        }
    }

    /// The service characters.
    #[must_use]
    pub fn delimiters(&self) -> Delimiters {
        self.delimiters
    }

    /// Whether the interchange starts with a UNA segment.
    #[must_use]
    pub fn has_una(&self) -> bool {
        self.has_una
    }

    /// The `UNB` segment.
    #[must_use]
    pub fn header(&self) -> &Segment {
        &self.header
    }

    /// The messages.
    #[must_use]
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// The `UNZ` segment.
    #[must_use]
    pub fn trailer(&self) -> &Segment {
        &self.trailer
    }

    /// The interchange control reference (UNB element 5), the envelope identifier in MedCom.
    #[must_use]
    pub fn reference(&self) -> &str {
        self.header.component(5, 1)
    }

    /// The sender identification (UNB 2:1).
    #[must_use]
    pub fn sender(&self) -> &str {
        self.header.component(2, 1)
    }

    /// The recipient identification (UNB 3:1).
    #[must_use]
    pub fn recipient(&self) -> &str {
        self.header.component(3, 1)
    }

    /// All segments from `UNB` to `UNZ` (UNA excluded).
    pub fn segments(&self) -> impl Iterator<Item = &Segment> {
        std::iter::once(&self.header)
            .chain(self.messages.iter().flat_map(Message::segments))
            .chain(std::iter::once(&self.trailer))
    }
}
