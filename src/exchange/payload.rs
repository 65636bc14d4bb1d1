//! What the exchange layer needs to know about a message, read from its bytes: which generation
//! and format, the envelope and message identifiers the duplicate table keys on, what it answers,
//! and the facts the network envelopes derive their metadata from.

use crate::legacy::{convert, edifact, oioxml, LegacyFormat};
use crate::{Format, Mode, ReadOptions};

use super::ExchangeError;

/// The syntax of a payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PayloadFormat {
    /// A FHIR message Bundle, XML or JSON.
    Fhir(Format),
    /// A legacy OIOXML or EDIFACT message.
    Legacy(LegacyFormat),
}

impl PayloadFormat {
    /// Detects the format: legacy first (OIOXML is XML too), then FHIR.
    #[must_use]
    pub fn detect(bytes: &[u8]) -> Option<Self> {
        LegacyFormat::detect(bytes)
            .map(Self::Legacy)
            .or_else(|| Format::detect(bytes).map(Self::Fhir))
    }

    /// The MIME type the envelopes announce.
    #[must_use]
    pub fn mime(self) -> &'static str {
        match self {
            Self::Fhir(Format::Json) => "application/fhir+json",
            Self::Fhir(_) => "application/fhir+xml",
            Self::Legacy(LegacyFormat::Edifact) => "text/edi",
            Self::Legacy(_) => "application/xml",
        }
    }

    /// Whether this is a FHIR payload.
    #[must_use]
    pub fn is_fhir(self) -> bool {
        matches!(self, Self::Fhir(_))
    }
}

/// A party as the payload names it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Party {
    /// GLN (EAN location number), when known.
    pub gln: Option<String>,
    /// SOR identifier, when known.
    pub sor: Option<String>,
}

/// The facts of one payload.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Payload {
    /// Syntax.
    pub format: PayloadFormat,
    /// The payload's own envelope identifier: `Bundle.id`, `Envelope/Identifier` or the UNB
    /// reference.
    pub envelope_id: String,
    /// The message identifiers: `MessageHeader.id`, or each letter's identifier (UNH reference).
    pub message_ids: Vec<String>,
    /// The event: FHIR `MessageHeader.eventCoding.code`, or the first letter's statistical code.
    pub event: String,
    /// The statistical name for the VANSEnvelope, e.g. `MCM:FDIS91#other` or `MCM:XDIS91`.
    pub name: String,
    /// The document version for the VANSEnvelope, when one is defined.
    pub version: Option<String>,
    /// Sender.
    pub sender: Party,
    /// Receiver (primary destination).
    pub receiver: Party,
    /// The patient's identifier (CPR), when the payload names one.
    pub patient: Option<String>,
    /// For an acknowledgement or receipt: the message identifiers it answers.
    pub answers: Vec<String>,
    /// For an acknowledgement: `response.code`; for a receipt: `positive` or `negative`.
    pub response_code: Option<String>,
    /// When the payload was assembled: `Bundle.timestamp`, or the envelope's sent date and time.
    pub timestamp: Option<String>,
}

impl Payload {
    /// Whether the payload is itself an acknowledgement or receipt (never to be acknowledged).
    #[must_use]
    pub fn is_response(&self) -> bool {
        !self.answers.is_empty() || self.event == "acknowledgement-message"
    }

    /// What can be said of bytes that do not read as a message, for envelopes that must carry
    /// them anyway: the detected format (FHIR XML when unknown), and for EDIFACT the message
    /// type and version from the first `UNH`; no identifiers.
    #[must_use]
    pub fn sketch(bytes: &[u8]) -> Self {
        let format = PayloadFormat::detect(bytes).unwrap_or(PayloadFormat::Fhir(Format::Xml));
        let mut name = "MCM:unknown".to_owned();
        let mut version = None;
        if format == PayloadFormat::Legacy(LegacyFormat::Edifact) {
            if let Ok((_, segments)) = edifact::read_segments(bytes) {
                if let Some(unh) = segments.iter().find(|s| s.tag() == "UNH") {
                    let t = if unh.component(3, 1).is_empty() {
                        unh.component(2, 1)
                    } else {
                        unh.component(3, 1)
                    };
                    name = format!("MCM:{t}");
                    version = Some(unh.component(2, 5).to_owned()).filter(|v| !v.is_empty());
                }
            }
        }
        Self {
            format,
            envelope_id: String::new(),
            message_ids: Vec::new(),
            event: name.trim_start_matches("MCM:").to_owned(),
            name,
            version,
            sender: Party::default(),
            receiver: Party::default(),
            patient: None,
            answers: Vec::new(),
            response_code: None,
            timestamp: None,
        }
    }

    /// Reads the facts of a payload.
    ///
    /// # Errors
    ///
    /// [`ExchangeError`] when the bytes are no FHIR message Bundle or legacy message, or lack
    /// the identifiers.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::exchange::payload::Payload;
    /// let bundle = r#"{"resourceType":"Bundle","id":"b1","type":"message","entry":[{"resource":
    ///   {"resourceType":"MessageHeader","id":"m1","eventCoding":{"code":"empty-message"}}}]}"#;
    /// let p = Payload::read(bundle.as_bytes()).unwrap();
    /// assert_eq!((p.envelope_id.as_str(), p.message_ids[0].as_str()), ("b1", "m1"));
    /// ```
    pub fn read(bytes: &[u8]) -> Result<Self, ExchangeError> {
        match PayloadFormat::detect(bytes) {
            Some(PayloadFormat::Fhir(format)) => fhir(bytes, format),
            Some(PayloadFormat::Legacy(LegacyFormat::Oioxml)) => {
                let root =
                    oioxml::read(bytes).map_err(|e| ExchangeError::payload(e.to_string()))?;
                legacy_xml(&root, PayloadFormat::Legacy(LegacyFormat::Oioxml))
            }
            Some(PayloadFormat::Legacy(_)) => {
                let interchange =
                    edifact::read(bytes).map_err(|e| ExchangeError::payload(e.to_string()))?;
                legacy_edifact(&interchange)
            }
            None => Err(ExchangeError::payload("neither FHIR nor a legacy message")),
        }
    }
}

fn fhir(bytes: &[u8], format: Format) -> Result<Payload, ExchangeError> {
    let options = ReadOptions::default().with_mode(Mode::Lenient);
    let doc =
        crate::parse_bytes(bytes, &options).map_err(|e| ExchangeError::payload(e.to_string()))?;
    let bundle = doc.root();
    if bundle.ty().name() != "Bundle" {
        return Err(ExchangeError::payload("the root is no Bundle"));
    }
    // MedCom keys a message on a MessageHeader that is `entry[0]`.
    let view = crate::model::MessageView::new(bundle);
    let header = view
        .header()
        .filter(|_| view.header_is_first())
        .ok_or_else(|| ExchangeError::payload("the first entry is no MessageHeader"))?;
    let envelope_id = bundle.child_value("id").unwrap_or("").to_owned();
    let header_id = header.child_value("id").unwrap_or("").to_owned();
    if envelope_id.is_empty() || header_id.is_empty() {
        return Err(ExchangeError::payload(
            "Bundle.id or MessageHeader.id missing",
        ));
    }
    let resolve = |reference: Option<&str>| view.resolve(None, reference?);
    let party = |reference: Option<&str>| {
        let mut p = Party::default();
        if let Some(org) = resolve(reference) {
            for ident in org.children_named("identifier") {
                let value = ident.child_value("value").map(str::to_owned);
                match ident.child_value("system") {
                    Some("https://www.gs1.org/gln") => p.gln = value,
                    Some("urn:oid:1.2.208.176.1.1") => p.sor = value,
                    _ => {}
                }
            }
        }
        p
    };
    let event = header
        .child("event")
        .and_then(|e| e.child_value("code"))
        .unwrap_or("")
        .to_owned();
    let sender = party(reference_in(header.child("sender")));
    let receiver = party(reference_in(
        header
            .children_named("destination")
            .next()
            .and_then(|d| d.child("receiver")),
    ));
    let response = header.child("response");
    let answers: Vec<String> = response
        .and_then(|r| r.child_value("identifier"))
        .map(|s| vec![s.to_owned()])
        .unwrap_or_default();
    let response_code = response
        .and_then(|r| r.child_value("code"))
        .map(str::to_owned);
    let patient = view
        .resources_of("Patient")
        .map(|(_, r)| r)
        .next()
        .and_then(|p| p.children_named("identifier").next())
        .and_then(|i| i.child_value("value"))
        .map(str::to_owned);
    // The latest Provenance carries the activity (HospitalNotification's statistic).
    let activity = view
        .resources_of("Provenance")
        .map(|(_, r)| r)
        .max_by(|a, b| a.child_value("recorded").cmp(&b.child_value("recorded")))
        .and_then(|p| p.child("activity"))
        .and_then(|a| a.children_named("coding").next())
        .and_then(|c| c.child_value("code"))
        .unwrap_or("");
    let category = view
        .resources_of("Communication")
        .map(|(_, r)| r)
        .next()
        .and_then(|c| c.children_named("category").next())
        .and_then(|c| c.children_named("coding").next())
        .and_then(|c| c.child_value("code"))
        .unwrap_or("other");
    let (name, mut version) = fhir_statistic(&event, category, activity, response_code.as_deref());
    // A CareCommunication names its release in MessageHeader.definition (4.0 or 5.0).
    if let Some(release) = header
        .child_value("definition")
        .and_then(crate::messages::CareCommunicationRelease::of_definition)
        .filter(|_| event == "care-communication-message")
    {
        version = Some(release.line().to_owned());
    }
    Ok(Payload {
        format: PayloadFormat::Fhir(format),
        envelope_id,
        message_ids: vec![header_id],
        event,
        name,
        version,
        sender,
        receiver,
        patient,
        answers,
        response_code,
        timestamp: bundle.child_value("timestamp").map(str::to_owned),
    })
}

fn reference_in<'d>(node: Option<crate::Node<'d, '_>>) -> Option<&'d str> {
    node.and_then(|n| n.child_value("reference"))
}

/// VANSEnvelope `Document/Name` and `Version` of a FHIR message (MedCom's network envelope
/// rules: `MCM:FDIS91#<category>` 5.0, `MCM:FDIS20#<activity>` 3.0.0, `MCM:FCTL#<code>` 2.0.0).
fn fhir_statistic(
    event: &str,
    category: &str,
    activity: &str,
    response: Option<&str>,
) -> (String, Option<String>) {
    match event {
        "care-communication-message" => (format!("MCM:FDIS91#{category}"), Some("5.0".into())),
        "hospital-notification-message" => {
            // The statistical codes name the stay, not the activity's revise/cancel variant.
            let stay = [
                ("admit-emergency", "AcuteAmbulant"),
                ("admit-inpatient", "AdmissionInpatient"),
                ("start-leave", "OnLeave"),
                ("end-leave", "EndOfLeave"),
                ("discharge", "EndHospitalStay"),
            ]
            .iter()
            .find(|(k, _)| activity.contains(k))
            .map_or(activity, |(_, v)| v);
            (format!("MCM:FDIS20#{stay}"), Some("3.0.0".into()))
        }
        "acknowledgement-message" => (
            format!("MCM:FCTL#{}", response.unwrap_or("ok")),
            Some("2.0.0".into()),
        ),
        other => (format!("MCM:{other}"), None),
    }
}

fn legacy_xml(root: &oioxml::Element, format: PayloadFormat) -> Result<Payload, ExchangeError> {
    let message = oioxml::Emessage::new(root).map_err(|e| ExchangeError::payload(e.to_string()))?;
    let envelope_id = message.identifier().to_owned();
    let letters: Vec<&oioxml::Element> = message.letters().collect();
    let message_ids: Vec<String> = letters
        .iter()
        .map(|l| oioxml::letter_identity(l).0.to_owned())
        .collect();
    if envelope_id.is_empty() || message_ids.is_empty() || message_ids.iter().any(String::is_empty)
    {
        return Err(ExchangeError::payload(
            "envelope or letter identifier missing",
        ));
    }
    let first = letters.first().copied();
    let letter = first.and_then(|l| l.child("Letter"));
    let event = letter
        .map_or("", |l| l.child_text("StatisticalCode"))
        .to_owned();
    let version = letter
        .map(|l| l.child_text("VersionCode"))
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    let ean = |name: &str| Party {
        gln: first
            .and_then(|l| l.child(name))
            .map(|p| p.child_text("EANIdentifier").to_owned())
            .filter(|s| !s.is_empty()),
        sor: None,
    };
    let patient = first
        .and_then(|l| l.child("Patient"))
        .map(|p| p.child_text("CivilRegistrationNumber").to_owned())
        .filter(|s| !s.is_empty());
    // Receipts quote the original letters.
    let original = first.and_then(|l| l.child("OriginalEmessage"));
    let answers: Vec<String> = original
        .map(|o| {
            o.children_named("OriginalLetter")
                .map(|l| l.child_text("OriginalLetterIdentifier").to_owned())
                .collect()
        })
        .unwrap_or_default();
    let response_code = first.and_then(|l| match l.name() {
        "PositiveReceipt" => Some("positive".to_owned()),
        "NegativeReceipt" | "NegativeVansReceipt" => Some("negative".to_owned()),
        _ => None,
    });
    Ok(Payload {
        format,
        envelope_id,
        message_ids,
        name: format!("MCM:{event}"),
        event,
        version,
        sender: ean("Sender"),
        receiver: ean("Receiver"),
        patient,
        answers,
        response_code,
        timestamp: Some(format!("{}T{}", message.sent_date(), message.sent_time())),
    })
}

fn legacy_edifact(interchange: &edifact::Interchange) -> Result<Payload, ExchangeError> {
    let first = interchange
        .messages()
        .first()
        .ok_or_else(|| ExchangeError::payload("the interchange holds no message"))?;
    // CONTRL receipts and the letters' details read best through their OIOXML form.
    let via_xml = convert::to_oioxml(interchange)
        .ok()
        .and_then(|root| legacy_xml(&root, PayloadFormat::Legacy(LegacyFormat::Edifact)).ok());
    let statistic = if first.header().component(3, 1).is_empty() {
        first.message_type()
    } else {
        first.header().component(3, 1)
    };
    let envelope_id = interchange.reference().to_owned();
    let message_ids: Vec<String> = interchange
        .messages()
        .iter()
        .map(|m| m.reference().to_owned())
        .collect();
    if envelope_id.is_empty() || message_ids.iter().any(String::is_empty) {
        return Err(ExchangeError::payload(
            "envelope or message reference missing",
        ));
    }
    let party = |gln: &str| Party {
        gln: Some(gln.to_owned()).filter(|s| !s.is_empty()),
        sor: None,
    };
    Ok(Payload {
        format: PayloadFormat::Legacy(LegacyFormat::Edifact),
        envelope_id,
        message_ids,
        event: statistic.to_owned(),
        name: format!("MCM:{statistic}"),
        version: Some(first.version().to_owned()).filter(|s| !s.is_empty()),
        sender: party(interchange.sender()),
        receiver: party(interchange.recipient()),
        patient: via_xml.as_ref().and_then(|p| p.patient.clone()),
        answers: via_xml
            .as_ref()
            .map(|p| p.answers.clone())
            .unwrap_or_default(),
        response_code: via_xml.as_ref().and_then(|p| p.response_code.clone()),
        timestamp: via_xml.and_then(|p| p.timestamp),
    })
}
