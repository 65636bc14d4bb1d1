//! Reader errors: fatal for strict reading, collected as issues for lenient reading.

use std::fmt;

use crate::primitive::PrimitiveKind;

/// A place in the source text.
///
/// `byte` starts at 0; `line` and `column` start at 1, and `column` counts characters (Unicode
/// scalar values), not bytes. A position of a model built in code (not read) is all zero.
///
/// # Examples
///
/// ```
/// let p = medcom::Position::from_offset("ab\ncæd", 6);
/// assert_eq!((p.byte, p.line, p.column), (6, 2, 3));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    /// Byte offset from the start of the input, from 0.
    pub byte: usize,
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

impl Position {
    /// Computes line and column of a byte offset (clamped to the input and to a character
    /// boundary).
    #[must_use]
    pub fn from_offset(input: &str, byte: usize) -> Self {
        let mut byte = byte.min(input.len());
        while !input.is_char_boundary(byte) {
            byte -= 1;
        }
        let before = &input[..byte];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let column = before[line_start..].chars().count() + 1;
        Self {
            byte,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Which reader limit was exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// [`crate::ReadOptions::max_depth`].
    Depth,
    /// [`crate::ReadOptions::max_input_bytes`].
    InputBytes,
    /// [`crate::ReadOptions::max_nodes`].
    Nodes,
    /// [`crate::ReadOptions::max_string_bytes`].
    StringBytes,
    /// [`crate::ReadOptions::max_attributes`].
    Attributes,
}

/// What went wrong while reading.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// A JSON primitive array and its `_name` companion differ in length.
    ArrayLengthMismatch {
        /// The element name.
        element: &'static str,
    },
    /// A DOCTYPE declaration; DTDs are never processed.
    DoctypeNotAllowed,
    /// A JSON object has the same key twice.
    DuplicateKey {
        /// The key.
        key: String,
    },
    /// An empty value (`value=""`, `""`, `{}` or `[]`), which FHIR forbids.
    EmptyValue,
    /// The JSON text is not well-formed.
    InvalidJson {
        /// What the reader expected.
        expected: &'static str,
    },
    /// The narrative `div` is not well-formed XHTML rooted at `div`.
    InvalidNarrative {
        /// Why.
        reason: String,
    },
    /// A primitive value does not match its R4 lexical form.
    InvalidPrimitive {
        /// The primitive type.
        kind: PrimitiveKind,
        /// Why, without the value itself (it may be patient data).
        reason: &'static str,
    },
    /// The input is not UTF-8.
    InvalidUtf8,
    /// A limit of [`crate::ReadOptions`] was exceeded.
    LimitExceeded {
        /// Which.
        limit: Limit,
    },
    /// The XML is not well-formed.
    MalformedXml {
        /// Why, as the XML tokenizer says it.
        reason: String,
    },
    /// A resource has no `resourceType` (JSON).
    MissingResourceType,
    /// A JSON array entry is `null` and its companion array has nothing at that index.
    NullWithoutCounterpart {
        /// The element name.
        element: &'static str,
    },
    /// An element lies in the wrong namespace.
    WrongNamespace {
        /// The namespace found (empty for none).
        found: String,
        /// The namespace required.
        expected: &'static str,
    },
    /// An XML element comes before one it must follow.
    OutOfOrder {
        /// The element found.
        element: &'static str,
        /// The element it must not precede.
        after: &'static str,
    },
    /// An element with maximum cardinality 1 appears more than once.
    RepeatedElement {
        /// The element name.
        element: &'static str,
    },
    /// Content after the end of the resource.
    TrailingContent,
    /// An XML attribute FHIR does not define here.
    UnexpectedAttribute {
        /// The attribute name.
        name: String,
    },
    /// Character data inside a FHIR element (only the narrative may hold text).
    UnexpectedText,
    /// An element (XML) or property (JSON) the type does not define.
    UnknownElement {
        /// The name as written.
        name: String,
        /// The type being read.
        parent: &'static str,
    },
    /// An entity reference other than the five predefined ones.
    UnknownEntity {
        /// The entity name.
        name: String,
    },
    /// Neither XML nor JSON.
    UnknownFormat,
    /// A resource type that R4 does not define.
    UnknownResourceType {
        /// The name found.
        name: String,
    },
    /// A JSON value of the wrong type.
    WrongJsonType {
        /// The JSON type expected.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
}

impl ReadErrorKind {
    /// A stable machine name for the kind, used in outputs and tests.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::ReadErrorKind::EmptyValue.code(), "empty-value");
    /// ```
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::ArrayLengthMismatch { .. } => "array-length-mismatch",
            Self::DoctypeNotAllowed => "doctype-not-allowed",
            Self::DuplicateKey { .. } => "duplicate-key",
            Self::EmptyValue => "empty-value",
            Self::InvalidJson { .. } => "invalid-json",
            Self::InvalidNarrative { .. } => "invalid-narrative",
            Self::InvalidPrimitive { .. } => "invalid-primitive",
            Self::InvalidUtf8 => "invalid-utf8",
            Self::LimitExceeded { .. } => "limit-exceeded",
            Self::MalformedXml { .. } => "malformed-xml",
            Self::MissingResourceType => "missing-resource-type",
            Self::NullWithoutCounterpart { .. } => "null-without-counterpart",
            Self::WrongNamespace { .. } => "wrong-namespace",
            Self::OutOfOrder { .. } => "out-of-order",
            Self::RepeatedElement { .. } => "repeated-element",
            Self::TrailingContent => "trailing-content",
            Self::UnexpectedAttribute { .. } => "unexpected-attribute",
            Self::UnexpectedText => "unexpected-text",
            Self::UnknownElement { .. } => "unknown-element",
            Self::UnknownEntity { .. } => "unknown-entity",
            Self::UnknownFormat => "unknown-format",
            Self::UnknownResourceType { .. } => "unknown-resource-type",
            Self::WrongJsonType { .. } => "wrong-json-type",
        }
    }

    /// Whether lenient reading may record this kind and go on (it concerns FHIR structure, not
    /// the well-formedness of the text or a limit).
    #[must_use]
    pub fn is_recoverable(&self) -> bool {
        matches!(
            self,
            Self::ArrayLengthMismatch { .. }
                | Self::DuplicateKey { .. }
                | Self::EmptyValue
                | Self::InvalidNarrative { .. }
                | Self::InvalidPrimitive { .. }
                | Self::NullWithoutCounterpart { .. }
                | Self::WrongNamespace { .. }
                | Self::OutOfOrder { .. }
                | Self::RepeatedElement { .. }
                | Self::UnexpectedAttribute { .. }
                | Self::UnexpectedText
                | Self::UnknownElement { .. }
                | Self::WrongJsonType { .. }
        )
    }
}

impl fmt::Display for ReadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ArrayLengthMismatch { element } => {
                write!(f, "arrays '{element}' and '_{element}' differ in length")
            }
            Self::DoctypeNotAllowed => f.write_str("DOCTYPE declarations are not allowed"),
            Self::DuplicateKey { key } => write!(f, "key '{key}' appears more than once"),
            Self::EmptyValue => f.write_str("empty value; FHIR values must not be empty"),
            Self::InvalidJson { expected } => write!(f, "invalid JSON: expected {expected}"),
            Self::InvalidNarrative { reason } => write!(f, "invalid narrative xhtml: {reason}"),
            Self::InvalidPrimitive { kind, reason } => {
                write!(f, "invalid {}: {reason}", primitive_name(*kind))
            }
            Self::InvalidUtf8 => f.write_str("input is not valid UTF-8"),
            Self::LimitExceeded { limit } => {
                let what = match limit {
                    Limit::Depth => "nesting depth",
                    Limit::InputBytes => "input size",
                    Limit::Nodes => "number of elements",
                    Limit::StringBytes => "length of a value",
                    Limit::Attributes => "number of attributes on one element",
                };
                write!(f, "{what} exceeds the configured limit")
            }
            Self::MalformedXml { reason } => write!(f, "not well-formed XML: {reason}"),
            Self::MissingResourceType => f.write_str("resource without 'resourceType'"),
            Self::NullWithoutCounterpart { element } => write!(
                f,
                "null in array '{element}' without a value at the same index of its companion"
            ),
            Self::WrongNamespace { found, expected } => {
                write!(f, "element in namespace '{found}', expected '{expected}'")
            }
            Self::OutOfOrder { element, after } => {
                write!(f, "element '{element}' is out of order: it must come before '{after}'")
            }
            Self::RepeatedElement { element } => {
                write!(f, "element '{element}' repeats but allows at most one")
            }
            Self::TrailingContent => f.write_str("content after the end of the resource"),
            Self::UnexpectedAttribute { name } => write!(f, "unexpected attribute '{name}'"),
            Self::UnexpectedText => f.write_str("unexpected text inside a FHIR element"),
            Self::UnknownElement { name, parent } => {
                write!(f, "unknown element '{name}' in {parent}")
            }
            Self::UnknownEntity { name } => write!(
                f,
                "entity '&{name};' is not allowed; only the five predefined entities and character references are"
            ),
            Self::UnknownFormat => f.write_str("input is neither XML nor JSON"),
            Self::UnknownResourceType { name } => write!(f, "unknown resource type '{name}'"),
            Self::WrongJsonType { expected, found } => {
                write!(f, "expected a JSON {expected}, found {found}")
            }
        }
    }
}

/// FHIR name of a primitive kind (`dateTime`).
#[must_use]
pub(crate) fn primitive_name(kind: PrimitiveKind) -> &'static str {
    match kind {
        PrimitiveKind::Base64Binary => "base64Binary",
        PrimitiveKind::Boolean => "boolean",
        PrimitiveKind::Canonical => "canonical",
        PrimitiveKind::Code => "code",
        PrimitiveKind::Date => "date",
        PrimitiveKind::DateTime => "dateTime",
        PrimitiveKind::Decimal => "decimal",
        PrimitiveKind::Id => "id",
        PrimitiveKind::Instant => "instant",
        PrimitiveKind::Integer => "integer",
        PrimitiveKind::Markdown => "markdown",
        PrimitiveKind::Oid => "oid",
        PrimitiveKind::PositiveInt => "positiveInt",
        PrimitiveKind::String => "string",
        PrimitiveKind::Time => "time",
        PrimitiveKind::UnsignedInt => "unsignedInt",
        PrimitiveKind::Uri => "uri",
        PrimitiveKind::Url => "url",
        PrimitiveKind::Uuid => "uuid",
        PrimitiveKind::Xhtml => "xhtml",
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Repr {
    kind: ReadErrorKind,
    position: Position,
    path: Option<String>,
}

/// An error found while reading, with its position and, where known, the FHIRPath-style location
/// of the element being read.
///
/// # Examples
///
/// ```
/// let err = medcom::xml::parse("<Patient xmlns=\"http://hl7.org/fhir\">\n  <bogus/>\n</Patient>")
///     .unwrap_err();
/// assert_eq!(err.kind().code(), "unknown-element");
/// assert_eq!((err.position().line, err.position().column), (2, 3));
/// assert_eq!(err.to_string(), "2:3: Patient: unknown element 'bogus' in Patient");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError(Box<Repr>);

impl ReadError {
    /// Creates an error at a position.
    #[must_use]
    pub fn new(kind: ReadErrorKind, position: Position) -> Self {
        Self(Box::new(Repr {
            kind,
            position,
            path: None,
        }))
    }

    pub(crate) fn at(kind: ReadErrorKind, input: &str, byte: usize) -> Self {
        Self::new(kind, Position::from_offset(input, byte))
    }

    #[must_use]
    pub(crate) fn with_path(mut self, path: String) -> Self {
        self.0.path = Some(path);
        self
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &ReadErrorKind {
        &self.0.kind
    }

    /// Consumes the error, returning its kind.
    #[must_use]
    pub fn into_kind(self) -> ReadErrorKind {
        self.0.kind
    }

    /// Where in the input.
    #[must_use]
    pub fn position(&self) -> Position {
        self.0.position
    }

    /// The FHIRPath-style location of the element being read, e.g. `Bundle.entry[1].resource`.
    #[must_use]
    pub fn path(&self) -> Option<&str> {
        self.0.path.as_deref()
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.0.position)?;
        if let Some(path) = &self.0.path {
            write!(f, "{path}: ")?;
        }
        write!(f, "{}", self.0.kind)
    }
}

impl std::error::Error for ReadError {}

/// Checks UTF-8, with the position of the first invalid byte.
pub(crate) fn utf8(input: &[u8]) -> Result<&str, ReadError> {
    std::str::from_utf8(input).map_err(|e| {
        let valid = e.valid_up_to();
        // The valid prefix is valid UTF-8 by definition.
        let prefix = std::str::from_utf8(&input[..valid]).unwrap_or("");
        ReadError::at(ReadErrorKind::InvalidUtf8, prefix, valid)
    })
}
