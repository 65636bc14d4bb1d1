//! Errors of the legacy readers, writers and converters: fatal, with a position.

use std::fmt;

use crate::error::Position;

/// What went wrong while reading, writing or converting a legacy message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LegacyErrorKind {
    /// A control count (UNT segment count, UNZ message count) differs from the real count.
    ControlCount {
        /// The control segment (`UNT` or `UNZ`).
        segment: &'static str,
        /// The count it declares.
        declared: String,
        /// The count found.
        actual: usize,
    },
    /// A control reference (UNT against UNH, UNZ against UNB) differs from the one it closes.
    ControlReference {
        /// The control segment (`UNT` or `UNZ`).
        segment: &'static str,
    },
    /// The input is empty.
    EmptyInput,
    /// A value has the wrong form for the field it fills.
    InvalidValue {
        /// The field, e.g. `UNB date` or `Sent/Date`.
        field: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// The UNA service string advice is short or uses one character for two roles.
    InvalidUna,
    /// A segment tag is empty or not alphanumeric.
    InvalidTag,
    /// A reader limit was exceeded.
    LimitExceeded {
        /// Which limit.
        limit: &'static str,
    },
    /// The XML is not well-formed (or declares a DTD, which is never processed).
    MalformedXml {
        /// Why, as the XML parser says it.
        reason: String,
    },
    /// A required element is missing.
    MissingElement {
        /// The element name.
        name: &'static str,
    },
    /// A required segment is missing.
    MissingSegment {
        /// The segment tag.
        tag: &'static str,
    },
    /// The XML root is not an `Emessage` in a known MedCom namespace.
    NotEmessage,
    /// Content after the end of the interchange.
    TrailingContent,
    /// A segment where the structure does not allow it.
    UnexpectedSegment {
        /// The segment tag.
        tag: String,
    },
    /// A coded value outside the value list that the conversion knows.
    UnknownCode {
        /// The field, e.g. `IdentifierCode`.
        field: &'static str,
        /// The code (codes are not patient data).
        code: String,
    },
    /// A character the target character set (ISO 8859-1 for UNOC) cannot represent.
    UnrepresentableCharacter,
    /// An XML encoding declaration other than UTF-8, ISO-8859-1 or windows-1252.
    UnsupportedEncoding {
        /// The declared name.
        name: String,
    },
    /// A message type or version the converter does not handle.
    UnsupportedMessage {
        /// The EDIFACT message version (e.g. `D0133L`) or OIOXML VersionCode.
        version: String,
    },
    /// A syntax identifier other than UNOA, UNOB, UNOC, UNOW or UNOY.
    UnsupportedSyntax {
        /// The identifier found.
        identifier: String,
    },
    /// The input ends inside a segment.
    UnterminatedSegment,
}

impl LegacyErrorKind {
    /// A stable machine name for the kind.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::legacy::LegacyErrorKind;
    /// assert_eq!(LegacyErrorKind::InvalidUna.code(), "invalid-una");
    /// ```
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::ControlCount { .. } => "control-count",
            Self::ControlReference { .. } => "control-reference",
            Self::EmptyInput => "empty-input",
            Self::InvalidValue { .. } => "invalid-value",
            Self::InvalidUna => "invalid-una",
            Self::InvalidTag => "invalid-tag",
            Self::LimitExceeded { .. } => "limit-exceeded",
            Self::MalformedXml { .. } => "malformed-xml",
            Self::MissingElement { .. } => "missing-element",
            Self::MissingSegment { .. } => "missing-segment",
            Self::NotEmessage => "not-emessage",
            Self::TrailingContent => "trailing-content",
            Self::UnexpectedSegment { .. } => "unexpected-segment",
            Self::UnknownCode { .. } => "unknown-code",
            Self::UnrepresentableCharacter => "unrepresentable-character",
            Self::UnsupportedEncoding { .. } => "unsupported-encoding",
            Self::UnsupportedMessage { .. } => "unsupported-message",
            Self::UnsupportedSyntax { .. } => "unsupported-syntax",
            Self::UnterminatedSegment => "unterminated-segment",
        }
    }
}

impl fmt::Display for LegacyErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ControlCount {
                segment,
                declared,
                actual,
            } => write!(
                f,
                "{segment} declares count '{declared}' but {actual} were found"
            ),
            Self::ControlReference { segment } => {
                write!(f, "{segment} reference differs from the header it closes")
            }
            Self::EmptyInput => f.write_str("input is empty"),
            Self::InvalidValue { field, reason } => write!(f, "invalid {field}: {reason}"),
            Self::InvalidUna => f.write_str("invalid UNA service string advice"),
            Self::InvalidTag => f.write_str("segment tag is empty or not alphanumeric"),
            Self::LimitExceeded { limit } => write!(f, "{limit} exceeds the configured limit"),
            Self::MalformedXml { reason } => write!(f, "not well-formed XML: {reason}"),
            Self::MissingElement { name } => write!(f, "required element '{name}' is missing"),
            Self::MissingSegment { tag } => write!(f, "required segment '{tag}' is missing"),
            Self::NotEmessage => {
                f.write_str("root element is not an Emessage in a MedCom OIOXML namespace")
            }
            Self::TrailingContent => f.write_str("content after the end of the interchange"),
            Self::UnexpectedSegment { tag } => write!(f, "unexpected segment '{tag}'"),
            Self::UnknownCode { field, code } => {
                write!(f, "code '{code}' is not in the value list of {field}")
            }
            Self::UnrepresentableCharacter => {
                f.write_str("character cannot be represented in the target character set")
            }
            Self::UnsupportedEncoding { name } => write!(f, "unsupported encoding '{name}'"),
            Self::UnsupportedMessage { version } => {
                write!(f, "message version '{version}' is not supported")
            }
            Self::UnsupportedSyntax { identifier } => {
                write!(f, "unsupported syntax identifier '{identifier}'")
            }
            Self::UnterminatedSegment => f.write_str("input ends inside a segment"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Repr {
    kind: LegacyErrorKind,
    position: Option<Position>,
    segment: Option<usize>,
    location: Option<String>,
}

/// An error of a legacy reader, writer or converter, with where it happened: a source position
/// (`byte` from 0, `line` and `column` from 1), the EDIFACT segment index (from 0) and an
/// XPath-style or segment location when known.
///
/// # Examples
///
/// ```
/// let err = medcom::legacy::edifact::read(b"UNA:+.? 'UNB+UNOC:3+A:14+B:14+990115:1202+R'UNZ+2+R'")
///     .unwrap_err();
/// assert_eq!(err.kind().code(), "control-count");
/// assert_eq!(err.segment(), Some(2)); // UNA is segment 0
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LegacyError(Box<Repr>);

impl LegacyError {
    /// An error without position.
    #[must_use]
    pub fn new(kind: LegacyErrorKind) -> Self {
        Self(Box::new(Repr {
            kind,
            position: None,
            segment: None,
            location: None,
        }))
    }

    /// Sets the source position.
    #[must_use]
    pub fn with_position(mut self, position: Position) -> Self {
        self.0.position = Some(position);
        self
    }

    /// Sets the EDIFACT segment index.
    #[must_use]
    pub fn with_segment(mut self, index: usize) -> Self {
        self.0.segment = Some(index);
        self
    }

    /// Sets the location (XPath-style for OIOXML, `UNH[2]/NAD` style for EDIFACT).
    #[must_use]
    pub fn with_location(mut self, location: impl Into<String>) -> Self {
        self.0.location = Some(location.into());
        self
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &LegacyErrorKind {
        &self.0.kind
    }

    /// Where in the source, when known.
    #[must_use]
    pub fn position(&self) -> Option<Position> {
        self.0.position
    }

    /// The index of the EDIFACT segment (from 0, counting UNA), when known.
    #[must_use]
    pub fn segment(&self) -> Option<usize> {
        self.0.segment
    }

    /// The XPath-style or segment location, when known.
    #[must_use]
    pub fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }
}

impl fmt::Display for LegacyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = self.0.position {
            write!(f, "{p}: ")?;
        }
        if let Some(s) = self.0.segment {
            write!(f, "segment {s}: ")?;
        }
        if let Some(l) = &self.0.location {
            write!(f, "{l}: ")?;
        }
        write!(f, "{}", self.0.kind)
    }
}

impl std::error::Error for LegacyError {}
