//! Receipts (XCTL01–03 in OIOXML, CTL01–03 CONTRL in EDIFACT) for a received message, and
//! duplicate detection.
//!
//! A receiver answers with a positive receipt (XCTL03) only when the sender asked for one
//! (`pluspositivkvitt`, UNB element 9 = `1`), and with a negative receipt (XCTL02; XCTL01 for a
//! VANS) whenever something is refused, whatever was asked. Receipts go in the 2005/08/07
//! namespace, as MedCom's receivers send them. A message whose (envelope identifier, letter
//! identifier) was seen before is a duplicate ([`DuplicateDetector`]).
//!
//! # Examples
//!
//! ```
//! use medcom::legacy::{edifact, receipt::{self, ReceiptOptions}};
//! let edi = b"UNB+UNOC:3+5790000120420:14+5790000128686:14+990115:1202+K1++++1'\
//!     UNH+B1+MEDDIS:D:93A:UN:D0133L+DIS01'UNT+2+B1'UNZ+1+K1'";
//! let received = edifact::read(edi).unwrap();
//! let options = ReceiptOptions::new("R1", "L1", "2024-05-01", "10:00");
//! let answer = receipt::for_interchange(&received, &[], &options).unwrap().unwrap();
//! let ucm = &answer.messages()[0].body()[1];
//! assert_eq!(ucm.component(1, 1), "B1");
//! assert_eq!(ucm.component(3, 1), "7");
//! ```

use std::collections::HashSet;

use crate::legacy::edifact::Interchange;
use crate::legacy::oioxml::{
    emessage_with_envelope, letter_identity, AcknowledgementCode, Element, Emessage,
};
use crate::legacy::{convert, LegacyError};

/// The namespace receipts are written in.
pub const RECEIPT_NAMESPACE: &str =
    "http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/";

/// Which receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiptKind {
    /// XCTL01 `NegativeVansReceipt` (CTL01, C0130Q): the network refuses the envelope.
    NegativeVans,
    /// XCTL02 `NegativeReceipt` (CTL02, C0230Q): the receiver refuses letters or the envelope.
    Negative,
    /// XCTL03 `PositiveReceipt` (CTL03, C0330Q): all received.
    Positive,
}

impl ReceiptKind {
    /// The OIOXML root element.
    #[must_use]
    pub fn root(self) -> &'static str {
        match self {
            Self::NegativeVans => "NegativeVansReceipt",
            Self::Negative => "NegativeReceipt",
            Self::Positive => "PositiveReceipt",
        }
    }

    /// The OIOXML VersionCode.
    #[must_use]
    pub fn version_code(self) -> &'static str {
        match self {
            Self::NegativeVans => "XC0130Q",
            Self::Negative => "XC0230Q",
            Self::Positive => "XC0330Q",
        }
    }

    /// The OIOXML StatisticalCode.
    #[must_use]
    pub fn statistical_code(self) -> &'static str {
        match self {
            Self::NegativeVans => "XCTL01",
            Self::Negative => "XCTL02",
            Self::Positive => "XCTL03",
        }
    }

    /// The receipt a received message needs: negative when anything is refused, positive
    /// when all is well and a positive receipt was asked for, none otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::legacy::{oioxml::AcknowledgementCode, receipt::ReceiptKind};
    /// assert_eq!(ReceiptKind::required(AcknowledgementCode::MinusPositive, false), None);
    /// assert_eq!(ReceiptKind::required(AcknowledgementCode::PlusPositive, false), Some(ReceiptKind::Positive));
    /// assert_eq!(ReceiptKind::required(AcknowledgementCode::MinusPositive, true), Some(ReceiptKind::Negative));
    /// ```
    #[must_use]
    pub fn required(asked: AcknowledgementCode, refused: bool) -> Option<Self> {
        match (refused, asked) {
            (true, _) => Some(Self::Negative),
            (false, AcknowledgementCode::PlusPositive) => Some(Self::Positive),
            (false, _) => None,
        }
    }
}

/// Why a message or letter is refused (`RefuseCode`; EDIFACT FTX qualifier in brackets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefuseCode {
    /// `ikke_specificeret` (NC).
    Unspecified,
    /// `ukendt_lokationsnummer` (LOK).
    UnknownLocationNumber,
    /// `problem_med_modtagerID` (MID).
    ReceiverIdentifier,
    /// `problem_med_version` (VER).
    Version,
    /// `syntaksfejl` (SYN).
    Syntax,
}

impl RefuseCode {
    /// The OIOXML code.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::legacy::receipt::RefuseCode::Syntax.code(), "syntaksfejl");
    /// ```
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Unspecified => "ikke_specificeret",
            Self::UnknownLocationNumber => "ukendt_lokationsnummer",
            Self::ReceiverIdentifier => "problem_med_modtagerID",
            Self::Version => "problem_med_version",
            Self::Syntax => "syntaksfejl",
        }
    }
}

/// One refusal: of the whole envelope (`letter` is `None`) or of one letter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The letter identifier refused, or `None` for the envelope.
    pub letter: Option<String>,
    /// Why.
    pub code: RefuseCode,
    /// Free text for the sender (may be empty).
    pub text: String,
}

/// Identifiers and time of the receipt itself.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceiptOptions {
    /// The receipt's envelope identifier (1–14 characters).
    pub envelope_identifier: String,
    /// The receipt's letter identifier (1–14 characters).
    pub letter_identifier: String,
    /// Sent date, `YYYY-MM-DD`.
    pub date: String,
    /// Sent time, `hh:mm`.
    pub time: String,
}

impl ReceiptOptions {
    /// Options from identifiers and time.
    #[must_use]
    pub fn new(envelope: &str, letter: &str, date: &str, time: &str) -> Self {
        Self {
            envelope_identifier: envelope.to_owned(),
            letter_identifier: letter.to_owned(),
            date: date.to_owned(),
            time: time.to_owned(),
        }
    }
}

/// What a receipt answers: the original envelope and its letters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Original {
    /// Envelope identifier (UNB element 5, `Envelope/Identifier`).
    pub envelope: String,
    /// Sender EAN (UNB 2:1, first letter's `Sender/EANIdentifier`).
    pub sender: String,
    /// Receiver EAN.
    pub receiver: String,
    /// (letter identifier, version) per letter; the version as the original carries it.
    pub letters: Vec<(String, String)>,
    /// What the sender asked for.
    pub acknowledgement: AcknowledgementCode,
}

impl Original {
    /// From an OIOXML `Emessage`.
    #[must_use]
    pub fn from_emessage(message: &Emessage<'_>) -> Self {
        let first = message.letters().next();
        let ean = |name: &str| {
            first
                .and_then(|l| l.child(name))
                .map_or("", |p| p.child_text("EANIdentifier"))
                .to_owned()
        };
        Self {
            envelope: message.identifier().to_owned(),
            sender: ean("Sender"),
            receiver: ean("Receiver"),
            letters: message
                .letters()
                .map(|l| {
                    let (id, v) = letter_identity(l);
                    (id.to_owned(), v.to_owned())
                })
                .collect(),
            acknowledgement: message
                .acknowledgement_code()
                .unwrap_or(AcknowledgementCode::MinusPositive),
        }
    }

    /// From an EDIFACT interchange.
    #[must_use]
    pub fn from_interchange(interchange: &Interchange) -> Self {
        Self {
            envelope: interchange.reference().to_owned(),
            sender: interchange.sender().to_owned(),
            receiver: interchange.recipient().to_owned(),
            letters: interchange
                .messages()
                .iter()
                .map(|m| (m.reference().to_owned(), m.version().to_owned()))
                .collect(),
            acknowledgement: if interchange.header().component(9, 1) == "1" {
                AcknowledgementCode::PlusPositive
            } else {
                AcknowledgementCode::MinusPositive
            },
        }
    }
}

/// Builds a receipt of a given kind as an OIOXML `Emessage`.
///
/// A positive or VANS receipt lists every letter; a negative receipt lists the refused
/// letters (and refuses the envelope when a refusal has no letter).
///
/// # Examples
///
/// ```
/// use medcom::legacy::receipt::{build, Original, ReceiptKind, ReceiptOptions, Refusal, RefuseCode};
/// use medcom::legacy::oioxml::AcknowledgementCode;
/// let original = Original {
///     envelope: "K1".into(), sender: "5790000120420".into(), receiver: "5790000128686".into(),
///     letters: vec![("B1".into(), "XD0133L".into())], acknowledgement: AcknowledgementCode::MinusPositive,
/// };
/// let refusal = Refusal { letter: Some("B1".into()), code: RefuseCode::Version, text: "Ukendt version".into() };
/// let r = build(&original, ReceiptKind::Negative, &[refusal], &ReceiptOptions::new("R1", "L1", "2024-05-01", "10:00"));
/// let letter = r.child("NegativeReceipt").unwrap().child("OriginalEmessage").unwrap().child("OriginalLetter").unwrap();
/// assert_eq!(letter.child_text("RefuseCode"), "problem_med_version");
/// ```
#[must_use]
pub fn build(
    original: &Original,
    kind: ReceiptKind,
    refusals: &[Refusal],
    options: &ReceiptOptions,
) -> Element {
    let parties = ReceiptParties {
        sender: &original.receiver,
        receiver: &original.sender,
        envelope: &original.envelope,
        original_sender: &original.sender,
        original_receiver: &original.receiver,
    };
    receipt_element(kind, options, &parties, |o| {
        push_refusals(o, original, kind, refusals);
    })
}

/// Who a receipt names: its own sender and receiver, and the original envelope's.
pub(crate) struct ReceiptParties<'a> {
    pub(crate) sender: &'a str,
    pub(crate) receiver: &'a str,
    pub(crate) envelope: &'a str,
    pub(crate) original_sender: &'a str,
    pub(crate) original_receiver: &'a str,
}

/// A receipt of `kind` up to its `OriginalEmessage`, which `fill` completes with the
/// refusals and letters.
pub(crate) fn receipt_element(
    kind: ReceiptKind,
    options: &ReceiptOptions,
    parties: &ReceiptParties<'_>,
    fill: impl FnOnce(&mut Element),
) -> Element {
    let mut root = emessage_with_envelope(
        RECEIPT_NAMESPACE,
        &options.date,
        &options.time,
        &options.envelope_identifier,
        AcknowledgementCode::MinusPositive,
    );
    let located = |parent: &Element, name: &str, ean: &str| {
        parent
            .child_element(name)
            .with_text_child("EANIdentifier", ean)
    };
    let mut r = root.child_element(kind.root());
    r.push(
        r.child_element("Letter")
            .with_text_child("Identifier", &options.letter_identifier)
            .with_text_child("VersionCode", kind.version_code())
            .with_text_child("StatisticalCode", kind.statistical_code()),
    );
    r.push(located(&r, "Sender", parties.sender));
    r.push(located(&r, "Receiver", parties.receiver));
    let mut o = r.child_element("OriginalEmessage");
    o.push_text_child("OriginalEnvelopeIdentifier", parties.envelope);
    o.push(located(&o, "OriginalSender", parties.original_sender));
    o.push(located(&o, "OriginalReceiver", parties.original_receiver));
    fill(&mut o);
    r.push(o);
    root.push(r);
    root
}

/// The refused envelope and the letters a receipt of `kind` lists, into `OriginalEmessage`.
fn push_refusals(o: &mut Element, original: &Original, kind: ReceiptKind, refusals: &[Refusal]) {
    let envelope_refusal = refusals.iter().find(|f| f.letter.is_none());
    if kind != ReceiptKind::Positive {
        if let Some(f) = envelope_refusal {
            push_refusal(o, f);
        }
    }
    for (id, version) in &original.letters {
        let refusal = refusals.iter().find(|f| f.letter.as_deref() == Some(id));
        let listed = match kind {
            ReceiptKind::Positive | ReceiptKind::NegativeVans => true,
            ReceiptKind::Negative => refusal.is_some() || envelope_refusal.is_some(),
        };
        if !listed {
            continue;
        }
        let mut l = o.child_element("OriginalLetter");
        l.push_text_child("OriginalLetterIdentifier", id);
        l.push_text_child("OriginalVersionCode", version);
        if kind != ReceiptKind::Positive {
            if let Some(f) = refusal {
                push_refusal(&mut l, f);
            }
        }
        o.push(l);
    }
}

fn push_refusal(target: &mut Element, f: &Refusal) {
    target.push_text_child("RefuseCode", f.code.code());
    let mut t = target.child_element("RefuseText");
    for line in f.text.lines() {
        t.push_text(line);
        t.push(t.child_element("Break"));
    }
    if f.text.is_empty() {
        t.push(t.child_element("Break"));
    }
    target.push(t);
}

/// The receipt a received `Emessage` needs (see [`ReceiptKind::required`]), or `None`.
///
/// # Examples
///
/// ```
/// use medcom::legacy::{oioxml, receipt::{self, ReceiptOptions}};
/// let xml = br#"<Emessage xmlns="http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/"><Envelope><Sent><Date>2024-01-01</Date><Time>12:00</Time></Sent><Identifier>K1</Identifier><AcknowledgementCode>minuspositivkvitt</AcknowledgementCode></Envelope></Emessage>"#;
/// let root = oioxml::read(xml).unwrap();
/// let message = oioxml::Emessage::new(&root).unwrap();
/// assert!(receipt::for_emessage(&message, &[], &ReceiptOptions::new("R", "L", "2024-01-01", "12:01")).is_none());
/// ```
#[must_use]
pub fn for_emessage(
    message: &Emessage<'_>,
    refusals: &[Refusal],
    options: &ReceiptOptions,
) -> Option<Element> {
    let original = Original::from_emessage(message);
    let kind = ReceiptKind::required(original.acknowledgement, !refusals.is_empty())?;
    Some(build(&original, kind, refusals, options))
}

/// The CONTRL receipt a received interchange needs, or `None`.
///
/// # Errors
///
/// A [`LegacyError`] when the receipt cannot be written as CONTRL (an original version that
/// maps to no EDIFACT message type still converts; only invalid dates fail).
///
/// # Examples
///
/// See the [module documentation](self).
pub fn for_interchange(
    interchange: &Interchange,
    refusals: &[Refusal],
    options: &ReceiptOptions,
) -> Result<Option<Interchange>, LegacyError> {
    let original = Original::from_interchange(interchange);
    let Some(kind) = ReceiptKind::required(original.acknowledgement, !refusals.is_empty()) else {
        return Ok(None);
    };
    let xml = build(&original, kind, refusals, options);
    convert::to_edifact(&xml).map(Some)
}

/// Whether a letter was received before, by (envelope identifier, letter identifier).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Seen {
    /// First time.
    New,
    /// The same envelope and letter identifiers arrived before.
    Duplicate,
}

/// Remembers (envelope identifier, letter identifier) pairs to detect duplicates.
///
/// # Examples
///
/// ```
/// use medcom::legacy::receipt::{DuplicateDetector, Seen};
/// let mut d = DuplicateDetector::default();
/// assert_eq!(d.check("K1", "B1"), Seen::New);
/// assert_eq!(d.check("K1", "B2"), Seen::New);
/// assert_eq!(d.check("K1", "B1"), Seen::Duplicate);
/// assert_eq!(d.check("K2", "B1"), Seen::New);
/// ```
#[derive(Clone, Debug, Default)]
pub struct DuplicateDetector {
    seen: HashSet<(String, String)>,
}

impl DuplicateDetector {
    /// Records a pair and says whether it was seen before.
    pub fn check(&mut self, envelope: &str, letter: &str) -> Seen {
        if self.seen.insert((envelope.to_owned(), letter.to_owned())) {
            Seen::New
        } else {
            Seen::Duplicate
        }
    }

    /// Records every letter of an `Emessage`; returns the identifiers of the duplicates.
    pub fn check_emessage(&mut self, message: &Emessage<'_>) -> Vec<String> {
        let envelope = message.identifier();
        message
            .letters()
            .map(|l| letter_identity(l).0)
            .filter(|id| self.check(envelope, id) == Seen::Duplicate)
            .map(str::to_owned)
            .collect()
    }

    /// Records every message of an interchange; returns the references of the duplicates.
    pub fn check_interchange(&mut self, interchange: &Interchange) -> Vec<String> {
        let envelope = interchange.reference();
        interchange
            .messages()
            .iter()
            .map(|m| m.reference())
            .filter(|id| self.check(envelope, id) == Seen::Duplicate)
            .map(str::to_owned)
            .collect()
    }
}
