//! Legacy MedCom messages: EDIFACT (DIS01, REF01, DIS91, CONTRL …) and their OIOXML successors
//! (XDIS01, XREF01, XDIS91, XCTL01–03 …), conversion between the two, receipts, typed views and
//! schema validation.
//!
//! Bytes flow: [`edifact::read`] or [`oioxml::read`] → [`convert`] between the two → writers
//! ([`edifact::write`], [`oioxml::to_string`]). [`receipt`] answers a received message.
//! [`schema`] validates OIOXML, VANSEnvelope and EHMI SBDH documents against the project's own
//! compiled rules (imported from the official XSDs), plus the Danish identifier checks;
//! [`content`] validates EDIFACT interchanges with the same rules and finding codes.

pub mod content;
pub mod convert;
pub mod edifact;
mod error;
pub mod letters;
pub mod oioxml;
pub mod receipt;
pub mod schema;

pub use error::{LegacyError, LegacyErrorKind};

/// The syntax of a legacy message, detected from its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LegacyFormat {
    /// An EDIFACT interchange (starts with `UNA` or `UNB`).
    Edifact,
    /// An OIOXML `Emessage` in a MedCom namespace.
    Oioxml,
}

impl LegacyFormat {
    /// Detects the format by content: `UNA`/`UNB` at the start (after whitespace) is EDIFACT;
    /// XML whose root element is `Emessage` in a namespace of [`oioxml::NAMESPACES`] is OIOXML.
    /// `None` for anything else, FHIR included.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::legacy::LegacyFormat;
    /// assert_eq!(LegacyFormat::detect(b"UNA:+.? 'UNB+UNOC:3"), Some(LegacyFormat::Edifact));
    /// let xml = br#"<?xml version="1.0"?><Emessage xmlns="http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/"/>"#;
    /// assert_eq!(LegacyFormat::detect(xml), Some(LegacyFormat::Oioxml));
    /// assert_eq!(LegacyFormat::detect(br#"<Bundle xmlns="http://hl7.org/fhir"/>"#), None);
    /// ```
    #[must_use]
    pub fn detect(input: &[u8]) -> Option<Self> {
        let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
        let start = input.iter().position(|b| !b.is_ascii_whitespace())?;
        let rest = input.get(start..)?;
        if rest.starts_with(b"UNA") || rest.starts_with(b"UNB+") {
            return Some(Self::Edifact);
        }
        if rest.starts_with(b"<") && oioxml::root_is_emessage(rest) {
            return Some(Self::Oioxml);
        }
        None
    }
}
