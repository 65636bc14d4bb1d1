//! `medcom`: read, write, validate and exchange the standardized messages that Danish
//! hospitals, municipalities and general practitioners exchange about shared patients: MedCom
//! FHIR R4 messages (XML and JSON) and the legacy OIOXML and EDIFACT letters.
//!
//! Data flows one way: bytes → readers ([`xml`], [`json`], [`legacy`]) → one element model with
//! source positions ([`model`]) → FHIRPath and the profiles ([`fhirpath`], [`profile`]) →
//! validation ([`validate`], with the Danish identifiers of [`dk`]) → typed messages
//! ([`messages`]) → exchange (envelopes, acknowledgements, the duplicate table: [`exchange`]).
//! Every finding has a stable code ([`finding::codes`] lists them), a severity, a location with
//! line and column, and a message that masks patient data by default.
//!
//! # Examples
//!
//! ```
//! let xml = r#"<Patient xmlns="http://hl7.org/fhir"><birthDate value="1970-01-01"/></Patient>"#;
//! let doc = medcom::xml::parse(xml).unwrap();
//! assert_eq!(doc.root().child("birthDate").unwrap().value(), Some("1970-01-01"));
//! let json = medcom::json::to_string(&doc);
//! assert_eq!(json, r#"{"resourceType":"Patient","birthDate":"1970-01-01"}"#);
//! ```

mod base64;
mod calendar;
pub mod clock;
pub mod convert;
pub mod dk;
pub mod error;
pub mod exchange;
pub mod fhirpath;
pub mod finding;
#[doc(hidden)]
pub mod import;
pub mod input;
pub mod json;
pub mod legacy;
mod lines;
pub mod messages;
pub mod migrate;
pub mod model;
pub mod options;
mod primitive;
pub mod profile;
#[cfg(feature = "server")]
pub mod serve;
pub mod validate;
mod words;
pub mod xml;

#[doc(hidden)]
pub mod __fuzz;

pub use convert::{acknowledge, convert};
pub use error::{Position, ReadError, ReadErrorKind};
pub use input::{validate_bytes, Validator};
pub use model::{Document, Node, NodeId};
pub use options::{Mode, ReadOptions};

/// Reads a FHIR resource in either format, deciding by the first non-whitespace byte (`<` means
/// XML, `{` means JSON), with the default (strict) options.
///
/// # Errors
///
/// A [`ReadError`] with the position of the first problem.
///
/// # Examples
///
/// ```
/// let doc = medcom::parse(r#"{"resourceType":"Basic","code":{"text":"x"}}"#).unwrap();
/// assert_eq!(doc.root().ty().name(), "Basic");
/// ```
pub fn parse(input: &str) -> Result<Document<'_>, ReadError> {
    parse_with_options(input, &ReadOptions::default())
}

/// Format of a serialized FHIR resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// FHIR JSON.
    Json,
    /// FHIR XML.
    Xml,
}

impl Format {
    /// Detects the format from the first non-whitespace byte; `None` when it is neither.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::Format;
    /// assert_eq!(Format::detect(b"  <Bundle/>"), Some(Format::Xml));
    /// assert_eq!(Format::detect(b"\xEF\xBB\xBF{}"), Some(Format::Json));
    /// assert_eq!(Format::detect(b"UNA"), None);
    /// ```
    #[must_use]
    pub fn detect(input: &[u8]) -> Option<Self> {
        let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
        match input.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'<') => Some(Self::Xml),
            Some(b'{') => Some(Self::Json),
            _ => None,
        }
    }
}

/// Reads a FHIR resource in either format with the given options.
///
/// # Errors
///
/// A [`ReadError`] with the position of the first problem, or [`ReadErrorKind::UnknownFormat`]
/// when the input is neither XML nor JSON.
///
/// # Examples
///
/// ```
/// use medcom::{Mode, ReadOptions};
/// let options = ReadOptions::default().with_mode(Mode::Lenient);
/// let doc = medcom::parse_with_options(r#"{"resourceType":"Basic","bogus":1}"#, &options).unwrap();
/// assert_eq!(doc.issues().len(), 1);
/// ```
pub fn parse_with_options<'a>(
    input: &'a str,
    options: &ReadOptions,
) -> Result<Document<'a>, ReadError> {
    match Format::detect(input.as_bytes()) {
        Some(Format::Xml) => xml::parse_with_options(input, options),
        Some(Format::Json) => json::parse_with_options(input, options),
        // Where the content starts: the character that is neither `<` nor `{`.
        None => {
            let start = input
                .trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
                .len();
            Err(ReadError::new(
                ReadErrorKind::UnknownFormat,
                Position::from_offset(input, input.len() - start),
            ))
        }
    }
}

/// Reads bytes as UTF-8 first, reporting invalid UTF-8 with its position, then parses.
///
/// FHIR XML and JSON are read as UTF-8 only: UTF-16 input (with or without a byte order mark)
/// is [`ReadErrorKind::InvalidUtf8`], and an XML declaration naming an encoding other than
/// UTF-8 or US-ASCII is malformed XML.
///
/// # Errors
///
/// [`ReadErrorKind::InvalidUtf8`] at the first bad byte, or any error of [`parse_with_options`].
///
/// # Examples
///
/// ```
/// let err = medcom::parse_bytes(b"{\"resourceType\":\"Basic\xff\"}", &Default::default()).unwrap_err();
/// assert_eq!(err.position().byte, 22);
/// ```
pub fn parse_bytes<'a>(input: &'a [u8], options: &ReadOptions) -> Result<Document<'a>, ReadError> {
    let text = error::utf8(input)?;
    parse_with_options(text, options)
}
