//! FHIR XML: the reader (on quick-xml) and the canonical writer.
//!
//! The reader accepts the FHIR namespace `http://hl7.org/fhir` (default or prefixed), `value`
//! attributes, `id` and `url` attributes where R4 defines them, and the XHTML narrative `div`,
//! which is kept as XML text. It never processes a DTD: a DOCTYPE is an error, and only the five
//! predefined entities and character references are expanded.

mod escape;
mod reader;
mod wellformed;
mod writer;

use crate::error::ReadError;
use crate::model::Document;
use crate::options::ReadOptions;

pub use writer::{to_string, to_string_pretty, write};

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

/// Checks that `div` is a well-formed XHTML fragment rooted at a `div` element in the XHTML
/// namespace (the form the JSON `div` string must have).
pub(crate) fn check_xhtml_fragment(div: &str, options: &ReadOptions) -> Result<(), String> {
    reader::check_fragment(div, options)
}
