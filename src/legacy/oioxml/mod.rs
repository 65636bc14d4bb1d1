//! OIOXML: MedCom's XML letters in an `Emessage` envelope.
//!
//! The reader ([`read`]) decodes UTF-8, ISO-8859-1 or windows-1252 as the XML declaration says,
//! parses with roxmltree (DTDs rejected) and builds an owned [`Element`] tree that keeps every
//! element's namespace URI, its text and its source position. The writer ([`to_string`],
//! [`to_latin1`]) writes it back. [`Emessage`] is the envelope view.
//!
//! # Examples
//!
//! ```
//! use medcom::legacy::oioxml;
//! let xml = br#"<?xml version="1.0" encoding="ISO-8859-1"?>
//! <Emessage xmlns="http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/">
//!   <Envelope><Sent><Date>1999-01-15</Date><Time>12:02</Time></Sent>
//!   <Identifier>K1</Identifier><AcknowledgementCode>minuspositivkvitt</AcknowledgementCode></Envelope>
//!   <DischargeLetter><Letter><Identifier>B1</Identifier><VersionCode>XD0133L</VersionCode></Letter></DischargeLetter>
//! </Emessage>"#;
//! let root = oioxml::read(xml).unwrap();
//! let message = oioxml::Emessage::new(&root).unwrap();
//! assert_eq!(message.identifier(), "K1");
//! assert_eq!(message.letters().next().unwrap().name(), "DischargeLetter");
//! assert_eq!(root.child("Envelope").unwrap().position().unwrap().line, 3);
//! ```

mod build;
mod element;
mod guard;
mod namespaces;
mod reader;
mod writer;

pub use element::{infoset_difference, same_infoset, Attribute, Content, Element};
pub use namespaces::{
    converter_namespace, is_medcom_namespace, namespace_defines, versions_in, DEFAULT_NAMESPACE,
    NAMESPACE_VERSIONS,
};
pub(crate) use reader::{check_limits, read_by_nodes, root_is_emessage};
pub use reader::{read, read_with_options, ReadOptions};
pub(crate) use writer::RootWriter;
pub use writer::{to_latin1, to_string};

use crate::legacy::{LegacyError, LegacyErrorKind};

/// Every MedCom OIOXML letter namespace URI.
pub static NAMESPACES: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| NAMESPACE_VERSIONS.iter().map(|(ns, _)| *ns).collect());

/// The `Emessage` envelope: sent date and time, identifier, acknowledgement code, and the
/// letters.
#[derive(Clone, Copy, Debug)]
pub struct Emessage<'a> {
    root: &'a Element,
    envelope: &'a Element,
}

/// What the sender asks for as receipt (`Envelope/AcknowledgementCode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AcknowledgementCode {
    /// `minuspositivkvitt`: answer only when something is wrong.
    MinusPositive,
    /// `pluspositivkvitt`: answer also when all is well.
    PlusPositive,
}

impl AcknowledgementCode {
    /// The OIOXML code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::MinusPositive => "minuspositivkvitt",
            Self::PlusPositive => "pluspositivkvitt",
        }
    }

    /// From the OIOXML code.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::legacy::oioxml::AcknowledgementCode;
    /// assert_eq!(AcknowledgementCode::from_code("pluspositivkvitt"), Some(AcknowledgementCode::PlusPositive));
    /// ```
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "minuspositivkvitt" => Some(Self::MinusPositive),
            "pluspositivkvitt" => Some(Self::PlusPositive),
            _ => None,
        }
    }
}

impl<'a> Emessage<'a> {
    /// The view of a root element.
    ///
    /// # Errors
    ///
    /// [`LegacyErrorKind::NotEmessage`] when the root is not `Emessage` in a MedCom namespace,
    /// [`LegacyErrorKind::MissingElement`] without `Envelope`.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::legacy::oioxml::{Element, Emessage};
    /// let e = Element::new("Emessage", "urn:other");
    /// assert_eq!(Emessage::new(&e).unwrap_err().kind().code(), "not-emessage");
    /// ```
    pub fn new(root: &'a Element) -> Result<Self, LegacyError> {
        if root.name() != "Emessage" || !is_medcom_namespace(root.namespace()) {
            return Err(LegacyError::new(LegacyErrorKind::NotEmessage)
                .with_location(format!("/{}", root.name())));
        }
        let envelope = root.child("Envelope").ok_or_else(|| {
            LegacyError::new(LegacyErrorKind::MissingElement { name: "Envelope" })
                .with_location("/Emessage")
        })?;
        Ok(Self { root, envelope })
    }

    /// The root element.
    #[must_use]
    pub fn root(&self) -> &'a Element {
        self.root
    }

    /// The namespace URI.
    #[must_use]
    pub fn namespace(&self) -> &'a str {
        self.root.namespace()
    }

    /// `Envelope/Identifier`.
    #[must_use]
    pub fn identifier(&self) -> &'a str {
        self.envelope.child_text("Identifier")
    }

    /// `Envelope/Sent/Date`.
    #[must_use]
    pub fn sent_date(&self) -> &'a str {
        self.envelope
            .child("Sent")
            .map_or("", |s| s.child_text("Date"))
    }

    /// `Envelope/Sent/Time`.
    #[must_use]
    pub fn sent_time(&self) -> &'a str {
        self.envelope
            .child("Sent")
            .map_or("", |s| s.child_text("Time"))
    }

    /// `Envelope/AcknowledgementCode`, when it holds a known code.
    #[must_use]
    pub fn acknowledgement_code(&self) -> Option<AcknowledgementCode> {
        AcknowledgementCode::from_code(self.envelope.child_text("AcknowledgementCode"))
    }

    /// The letter elements (every child but `Envelope` and `Local_Elements`).
    pub fn letters(&self) -> impl Iterator<Item = &'a Element> {
        self.root
            .elements()
            .filter(|e| e.name() != "Envelope" && e.name() != "Local_Elements")
    }
}

/// `Letter/Identifier` and `Letter/VersionCode` of a letter element.
///
/// # Examples
///
/// ```
/// use medcom::legacy::oioxml::{letter_identity, Element};
/// let mut letter = Element::new("DischargeLetter", "urn:x");
/// letter.push(Element::new("Letter", "urn:x").with_text_child("Identifier", "B1").with_text_child("VersionCode", "XD0133L"));
/// assert_eq!(letter_identity(&letter), ("B1", "XD0133L"));
/// ```
#[must_use]
pub fn letter_identity(letter: &Element) -> (&str, &str) {
    letter.child("Letter").map_or(("", ""), |l| {
        (l.child_text("Identifier"), l.child_text("VersionCode"))
    })
}

/// An `Emessage` with its `Envelope`: sent at `date` and `time` (local `YYYY-MM-DD`, `hh:mm`),
/// the envelope's `identifier` and the receipt its sender asks for.
pub(crate) fn emessage_with_envelope(
    namespace: &str,
    date: &str,
    time: &str,
    identifier: &str,
    acknowledgement: AcknowledgementCode,
) -> Element {
    let mut root = Element::new("Emessage", namespace);
    let mut env = root.child_element("Envelope");
    env.push(
        env.child_element("Sent")
            .with_text_child("Date", date)
            .with_text_child("Time", time),
    );
    env.push_text_child("Identifier", identifier);
    env.push_text_child("AcknowledgementCode", acknowledgement.code());
    root.push(env);
    root
}
