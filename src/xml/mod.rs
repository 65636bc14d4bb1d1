//! FHIR XML: the reader (its own path for plain tags, quick-xml for the rest) and the canonical
//! writer.
//!
//! The reader accepts the FHIR namespace `http://hl7.org/fhir` (default or prefixed), `value`
//! attributes, `id` and `url` attributes where R4 defines them, and the XHTML narrative `div`,
//! which is kept as XML text. It never processes a DTD: a DOCTYPE is an error, and only the five
//! predefined entities and character references are expanded. [`check_well_formed`] runs the
//! same tokenizer and checks on any XML document, without the FHIR layer.

mod escape;
mod reader;
mod wellformed;
mod writer;
mod xhtml;

use crate::error::ReadError;
use crate::model::Document;
use crate::options::ReadOptions;

pub use writer::{to_string, to_string_pretty, write};
pub use xhtml::NarrativeFacts;

/// The FHIR namespace.
pub const FHIR_NS: &str = "http://hl7.org/fhir";
/// The XHTML namespace of the narrative.
pub const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// Reads a FHIR XML resource with the default (strict) options.
///
/// # Errors
///
/// A [`ReadError`] with the position of the first problem.
///
/// # Examples
///
/// ```
/// let doc = medcom::xml::parse(r#"<Basic xmlns="http://hl7.org/fhir"><id value="a"/></Basic>"#).unwrap();
/// assert_eq!(doc.root().child_value("id"), Some("a"));
/// let err = medcom::xml::parse("<!DOCTYPE x><Basic xmlns=\"http://hl7.org/fhir\"/>").unwrap_err();
/// assert_eq!(err.kind().code(), "doctype-not-allowed");
/// ```
pub fn parse(input: &str) -> Result<Document<'_>, ReadError> {
    reader::read(input, &ReadOptions::default())
}

/// Reads a FHIR XML resource.
///
/// # Errors
///
/// A [`ReadError`] with the position of the first problem (strict mode), or of the first
/// problem that lenient mode cannot recover from.
///
/// # Examples
///
/// ```
/// use medcom::{Mode, ReadOptions};
/// let input = r#"<Basic xmlns="http://hl7.org/fhir"><bogus/><id value="a"/></Basic>"#;
/// let doc = medcom::xml::parse_with_options(input, &ReadOptions::default().with_mode(Mode::Lenient)).unwrap();
/// assert_eq!(doc.issues()[0].kind().code(), "unknown-element");
/// assert_eq!(doc.root().child_value("id"), Some("a"));
/// ```
pub fn parse_with_options<'a>(
    input: &'a str,
    options: &ReadOptions,
) -> Result<Document<'a>, ReadError> {
    reader::read(input, options)
}

/// Checks that `input` is a well-formed, namespace-well-formed XML document, with the same
/// tokenizer and checks as [`parse`] but without reading it as FHIR: any root element is
/// accepted. The reader's policy still applies: a DOCTYPE is an error, only the five predefined
/// entities exist, an `encoding` other than UTF-8 (or its subset US-ASCII) is an error, and the
/// default [`ReadOptions`] limits hold.
///
/// # Errors
///
/// A [`ReadError`] with the position of the first problem.
///
/// # Examples
///
/// ```
/// assert!(medcom::xml::check_well_formed("<a xmlns:p='urn:x'><p:b c='&amp;'/></a>").is_ok());
/// let err = medcom::xml::check_well_formed("<a><b></a></b>").unwrap_err();
/// assert_eq!(err.kind().code(), "malformed-xml");
/// let err = medcom::xml::check_well_formed("<!DOCTYPE a><a/>").unwrap_err();
/// assert_eq!(err.kind().code(), "doctype-not-allowed");
/// ```
pub fn check_well_formed(input: &str) -> Result<(), ReadError> {
    reader::check_well_formed(input, &ReadOptions::default(), reader::Tokens::Plain)
}

/// [`check_well_formed`] on bytes. FHIR XML is UTF-8 only, so input that is not UTF-8 (such as
/// UTF-16, with or without a byte order mark) is rejected, like [`crate::parse_bytes`] does.
///
/// # Errors
///
/// [`crate::ReadErrorKind::InvalidUtf8`] at the first byte that is not UTF-8, or any error of
/// [`check_well_formed`].
///
/// # Examples
///
/// ```
/// assert!(medcom::xml::check_well_formed_bytes(b"<a>\xC3\xA6</a>").is_ok());
/// let err = medcom::xml::check_well_formed_bytes(b"\xFF\xFE<\x00a\x00/\x00>\x00").unwrap_err();
/// assert_eq!(err.kind().code(), "invalid-utf8");
/// ```
pub fn check_well_formed_bytes(input: &[u8]) -> Result<(), ReadError> {
    check_well_formed(crate::error::utf8(input)?)
}

/// Checks that `div` is a well-formed XHTML fragment rooted at a `div` element in the XHTML
/// namespace (the form the JSON `div` string must have).
/// `control_free` says the caller knows `div` holds no control characters (a JSON string
/// without escapes that could produce one), leaving only U+FFFE/U+FFFF to look for.
pub(crate) fn check_xhtml_fragment(
    div: &str,
    options: &ReadOptions,
    control_free: bool,
) -> Result<NarrativeFacts, String> {
    reader::check_fragment(div, options, control_free)
}

/// The narrative facts of `div`, when it is a well-formed XHTML `div` fragment.
pub(crate) fn narrative_facts(div: &str) -> Option<NarrativeFacts> {
    reader::check_fragment(div, &ReadOptions::default(), false).ok()
}

/// The reader with every token read by quick-xml events, and its well-formedness check likewise:
/// the reference for the differential test of the reader's own path for plain tags (not a
/// stable API).
#[doc(hidden)]
pub fn __parse_by_events<'a>(
    input: &'a str,
    options: &ReadOptions,
) -> Result<Document<'a>, ReadError> {
    reader::read_with(input, options, reader::Tokens::Events)
}

/// [`check_well_formed`] with every token read by quick-xml events (not a stable API).
#[doc(hidden)]
pub fn __check_well_formed_by_events(input: &str) -> Result<(), ReadError> {
    reader::check_well_formed(input, &ReadOptions::default(), reader::Tokens::Events)
}

/// Both narrative checks, for the differential test (not a stable API).
#[doc(hidden)]
pub fn __narrative_checks(div: &str) -> (bool, bool) {
    let options = ReadOptions::default();
    (
        reader::check_fragment(div, &options, false).is_ok(),
        reader::check_fragment_by_events(div, &options).is_ok(),
    )
}
