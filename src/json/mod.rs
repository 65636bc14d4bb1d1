//! FHIR JSON: the reader (a tokenizer of its own, with positions) and the canonical writer.
//!
//! The reader handles `resourceType` anywhere in an object, `_name` companions of primitives
//! (also before their value), arrays with `null` entries, and keeps numbers as written. Strict
//! by default: unknown properties, wrong JSON types, duplicate keys, empty values and invalid
//! primitive forms are errors.

mod reader;
mod scan;
mod writer;

use crate::error::ReadError;
use crate::model::Document;
use crate::options::ReadOptions;

pub use writer::{to_string, to_string_pretty, write};

/// Reads a FHIR JSON resource with the default (strict) options.
///
/// # Errors
///
/// A [`ReadError`] with the position of the first problem.
///
/// # Examples
///
/// ```
/// let doc = medcom::json::parse(r#"{"resourceType":"Observation","valueQuantity":{"value":1.50}}"#).unwrap();
/// let quantity = doc.root().child("value").unwrap();
/// assert_eq!(quantity.child_value("value"), Some("1.50"));
/// let err = medcom::json::parse(r#"{"resourceType":"Basic","id":"a","id":"b"}"#).unwrap_err();
/// assert_eq!(err.kind().code(), "duplicate-key");
/// assert_eq!(err.position().column, 34);
/// ```
pub fn parse(input: &str) -> Result<Document<'_>, ReadError> {
    reader::read(input, &ReadOptions::default())
}

/// Reads a FHIR JSON resource.
///
/// # Errors
///
/// A [`ReadError`] with the position of the first problem (strict mode), or of the first
/// problem lenient mode cannot recover from.
///
/// # Examples
///
/// ```
/// use medcom::{Mode, ReadOptions};
/// let options = ReadOptions::default().with_mode(Mode::Lenient);
/// let doc = medcom::json::parse_with_options(r#"{"resourceType":"Patient","active":"yes"}"#, &options).unwrap();
/// assert_eq!(doc.issues()[0].kind().code(), "wrong-json-type");
/// ```
pub fn parse_with_options<'a>(
    input: &'a str,
    options: &ReadOptions,
) -> Result<Document<'a>, ReadError> {
    reader::read(input, options)
}
