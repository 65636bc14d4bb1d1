//! Network envelopes: the VANSEnvelope 1.0.4 of today's VANS network ([`vans`]) and the EHMI
//! StandardBusinessDocumentHeader of the eDelivery network ([`sbdh`]). Both carry the payload
//! base64-encoded, so unwrapping gives back the exact bytes that were wrapped.
//!
//! Envelopes are written as XML text and read with `roxmltree`.
//!
//! # Examples
//!
//! ```
//! use medcom::exchange::envelope::{self, Envelope};
//! let xml = r#"<VANSEnvelope xmlns="urn:oio:medcom:vans-envelope:1.0.4">
//!   <SenderID EndPointType="EAN">5790000121526</SenderID><ReceiverID EndPointType="EAN">5790000201389</ReceiverID>
//!   <EnvelopeIdentifier>0a4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11</EnvelopeIdentifier><SentDateTime>2024-05-01T10:00:00Z</SentDateTime>
//!   <Message><MetaInformation><Identifier>1b4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11</Identifier>
//!   <Document><Format>Other</Format><Name>MCM:X</Name><SizeInBytes>2</SizeInBytes></Document></MetaInformation>
//!   <Data>aGk=</Data></Message></VANSEnvelope>"#;
//! let Envelope::Vans(v) = envelope::read(xml.as_bytes()).unwrap() else { panic!() };
//! assert_eq!(v.payload(), Some(&b"hi"[..]));
//! ```

pub mod sbdh;
pub mod vans;

use super::ExchangeError;

/// Either envelope, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Envelope {
    /// A VANSEnvelope (message or receipt).
    Vans(vans::VansEnvelope),
    /// An EHMI SBDH document (message or receipt signal).
    Sbdh(sbdh::Sbdh),
}

impl Envelope {
    /// The carried payload, if any (a VANS receipt carries none).
    #[must_use]
    pub fn payload(&self) -> Option<&[u8]> {
        match self {
            Self::Vans(v) => v.payload(),
            Self::Sbdh(s) => s.payload(),
        }
    }

    /// The envelope's own identifier.
    #[must_use]
    pub fn identifier(&self) -> &str {
        match self {
            Self::Vans(v) => &v.envelope_id,
            Self::Sbdh(s) => &s.instance_identifier,
        }
    }

    /// Writes the envelope as XML text.
    #[must_use]
    pub fn to_xml(&self) -> String {
        match self {
            Self::Vans(v) => v.to_xml(),
            Self::Sbdh(s) => s.to_xml(),
        }
    }
}

/// Whether bytes are an envelope: the root element, wherever it starts (after any
/// declaration, comments or processing instructions), is a `VANSEnvelope` or a
/// `StandardBusinessDocument` in its namespace. Reads only up to the root's start tag.
///
/// # Examples
///
/// ```
/// use medcom::exchange::envelope::is_envelope;
/// let comment = format!("<!-- {} -->", "x".repeat(4096));
/// let vans = format!(
///     "<?xml version=\"1.0\"?>{comment}<VANSEnvelope xmlns=\"urn:oio:medcom:vans-envelope:1.0.4\"/>"
/// );
/// assert!(is_envelope(vans.as_bytes()));
/// assert!(!is_envelope(br#"{"resourceType":"Bundle"}"#));
/// ```
#[must_use]
pub fn is_envelope(bytes: &[u8]) -> bool {
    root_namespace(bytes).is_some_and(|ns| ns == vans::NAMESPACE || ns == sbdh::NAMESPACE)
}

/// The namespace of the root element, if the bytes start like XML and it has one.
pub(crate) fn root_namespace(bytes: &[u8]) -> Option<String> {
    use quick_xml::events::Event;
    use quick_xml::name::{Namespace, ResolveResult};
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'<') {
        return None;
    }
    let mut reader = quick_xml::NsReader::from_reader(bytes);
    loop {
        match reader.read_resolved_event() {
            Ok((ResolveResult::Bound(Namespace(ns)), Event::Start(_) | Event::Empty(_))) => {
                return Some(String::from_utf8_lossy(ns).into_owned());
            }
            // An unqualified root, a document type declaration (never read) or bad XML.
            Ok((_, Event::Start(_) | Event::Empty(_) | Event::DocType(_) | Event::Eof))
            | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Reads either envelope, deciding by the root element's namespace.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use medcom::exchange::{clock::TestClock, envelope, store::MemoryStore, Engine};
/// // `send` puts a message in a VANSEnvelope (the default); reading it gives the message back.
/// let letter = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cli/xdis91.xml"));
/// let mut engine = Engine::new(Box::new(MemoryStore::default()), Arc::new(TestClock::new(0, 1)));
/// let (_, sent) = engine.send(letter)?;
/// assert!(envelope::is_envelope(&sent));
/// let read = envelope::read(&sent)?;
/// assert_eq!(read.payload(), Some(&letter[..]));
/// assert!(envelope::read(b"<x/>").is_err());
/// # Ok::<(), medcom::exchange::ExchangeError>(())
/// ```
///
/// # Errors
///
/// [`ExchangeError`] for text that is not UTF-8 XML, or an envelope that lacks what it must
/// carry.
pub fn read(bytes: &[u8]) -> Result<Envelope, ExchangeError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ExchangeError::envelope("the envelope is not UTF-8"))?;
    let doc = crate::legacy::schema::parse_checked(text)
        .map_err(|e| ExchangeError::envelope(format!("not well-formed XML: {e}")))?;
    let root = doc.root_element();
    match root.tag_name().namespace() {
        Some(vans::NAMESPACE) => vans::VansEnvelope::from_node(root).map(Envelope::Vans),
        Some(sbdh::NAMESPACE) => sbdh::Sbdh::from_node(root).map(Envelope::Sbdh),
        _ => Err(ExchangeError::envelope(
            "neither a VANSEnvelope nor an SBDH document",
        )),
    }
}

/// A tiny XML text writer: indentation-free, escapes text and attribute values.
#[derive(Debug, Default)]
pub(crate) struct XmlOut {
    pub(crate) text: String,
}

impl XmlOut {
    pub(crate) fn new() -> Self {
        Self {
            text: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        }
    }

    pub(crate) fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.text.push('<');
        self.text.push_str(name);
        for (k, v) in attributes {
            self.text.push(' ');
            self.text.push_str(k);
            self.text.push_str("=\"");
            escape(v, true, &mut self.text);
            self.text.push('"');
        }
        self.text.push('>');
    }

    pub(crate) fn close(&mut self, name: &str) {
        self.text.push_str("</");
        self.text.push_str(name);
        self.text.push_str(">\n");
    }

    pub(crate) fn leaf(&mut self, name: &str, attributes: &[(&str, &str)], value: &str) {
        self.open(name, attributes);
        escape(value, false, &mut self.text);
        self.text.push_str("</");
        self.text.push_str(name);
        self.text.push_str(">\n");
    }
}

fn escape(s: &str, attribute: bool, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' | '\r' | '\t' if attribute => out.push_str(&format!("&#{};", u32::from(c))),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

/// The trimmed text of the first child element named `name` (any namespace).
pub(crate) fn child_text<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    child(node, name).map(|c| c.text().unwrap_or("").trim())
}

/// The first child element named `name` (any namespace).
pub(crate) fn child<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// Like [`child_text`] but the element is required.
pub(crate) fn required<'a>(
    node: roxmltree::Node<'a, '_>,
    name: &'static str,
) -> Result<&'a str, ExchangeError> {
    child_text(node, name).ok_or_else(|| {
        ExchangeError::envelope(format!("`{}` lacks `{name}`", node.tag_name().name()))
    })
}
