//! Conversion between EDIFACT interchanges and OIOXML `Emessage`s, message type by message
//! type, following MedCom's own converter so that both directions reproduce its paired test
//! messages.
//!
//! Supported versions are listed in [`SUPPORTED_VERSIONS`]; others give
//! [`LegacyErrorKind::UnsupportedMessage`]. Each family is one table of types driving both
//! directions: discharge letters (DIS01–13), notifications and answers (DIS20/17/14),
//! correspondence (DIS91/90), referrals (REF01–07), receipts (CTL01–03), laboratory reports
//! (RPT01), pathology reports (RPT03/04), requests (REQ01–03), prescriptions (PRE01/60) and
//! binary letters (BIN01). Content a conversion does not map is an error, never dropped.
//!
//! # Examples
//!
//! ```
//! use medcom::legacy::{convert, edifact, oioxml};
//! let edi = "UNA:+.? 'UNB+UNOC:3+5790000120420:14+5790000181872:14+991111:1850+K1'\
//!     UNH+B1+CONTRL:D:93A:ZZ:C0330Q+CTL03'UCI+R9+5790000181872:14+5790000120420:14+7'\
//!     UCM+L9+MEDREF:D:93A:UN:H0130R+7'UNT+4+B1'UNZ+1+K1'";
//! let xml = convert::to_oioxml(&edifact::read(edi.as_bytes()).unwrap()).unwrap();
//! assert_eq!(xml.child("PositiveReceipt").unwrap().name(), "PositiveReceipt");
//! let back = convert::to_edifact(&xml).unwrap();
//! assert_eq!(back, edifact::read(edi.as_bytes()).unwrap());
//! ```

mod binary;
mod clinical_email;
pub(crate) mod codes;
pub(crate) mod common;
mod control;
mod discharge;
mod notification;
mod pathology;
mod prescription;
mod referral;
mod report;
mod request;
pub(crate) mod text;

use common::{located, push_dtm203, required, Body};

use crate::legacy::edifact::{seg, Interchange, Message, Segment};
use crate::legacy::oioxml::{self, converter_namespace, AcknowledgementCode, Element, Emessage};
use crate::legacy::{edifact, LegacyError, LegacyErrorKind};

type ToXml = fn(&Letter<'_>, &Message) -> Result<Element, LegacyError>;
type ToEdi = fn(&Element) -> Result<Vec<Segment>, LegacyError>;

/// One supported message version.
#[derive(Clone, Copy)]
struct Handler {
    /// EDIFACT version (UNH 2:5).
    version: &'static str,
    /// UNH message type (UNH 2:1).
    message_type: &'static str,
    /// MedCom message name (UNH 3), also the OIOXML StatisticalCode without `X`.
    code: &'static str,
    /// OIOXML letter root element.
    root: &'static str,
    /// Whether UNB carries the acknowledgement request (element 9).
    acknowledgement: bool,
    to_xml: ToXml,
    to_edi: ToEdi,
}

const HANDLERS: &[Handler] = &[
    Handler {
        version: "D9134L",
        message_type: "MEDDIS",
        code: "DIS91",
        root: "ClinicalEmail",
        acknowledgement: true,
        to_xml: clinical_email::to_xml,
        to_edi: clinical_email::to_edi,
    },
    Handler {
        version: "D9034L",
        message_type: "MEDDIS",
        code: "DIS90",
        root: "AdministrativeEmail",
        acknowledgement: true,
        to_xml: clinical_email::to_xml,
        to_edi: clinical_email::to_edi,
    },
    Handler {
        version: "C0130Q",
        message_type: "CONTRL",
        code: "CTL01",
        root: "NegativeVansReceipt",
        acknowledgement: false,
        to_xml: control::to_xml,
        to_edi: control::to_edi,
    },
    Handler {
        version: "C0230Q",
        message_type: "CONTRL",
        code: "CTL02",
        root: "NegativeReceipt",
        acknowledgement: false,
        to_xml: control::to_xml,
        to_edi: control::to_edi,
    },
    Handler {
        version: "C0330Q",
        message_type: "CONTRL",
        code: "CTL03",
        root: "PositiveReceipt",
        acknowledgement: false,
        to_xml: control::to_xml,
        to_edi: control::to_edi,
    },
];

/// The EDIFACT message versions (UNH 2:5) that convert both ways.
pub const SUPPORTED_VERSIONS: &[&str] = &[
    "D0133L", "D0233L", "D0333L", "D0533L", "D0633L", "D0733L", "D0833L", "D1333L", "D9134L",
    "D9034L", "C0130Q", "C0230Q", "C0330Q", "H0130R", "H0230R", "H0630R", "H0731R", "D2030C",
    "D1730C", "D1431C", "R0130K", "B0131X", "R0330P", "R0430P", "LMS016", "R6031W", "Q0130K",
    "Q0230M", "Q0330P",
];

/// Whether a version (EDIFACT `D0133L` or OIOXML `XD0133L`) converts.
///
/// # Examples
///
/// ```
/// assert!(medcom::legacy::convert::is_supported("XD0133L"));
/// assert!(!medcom::legacy::convert::is_supported("R0230M"));
/// ```
#[must_use]
pub fn is_supported(version: &str) -> bool {
    handler(edi_version(version)).is_some()
}

/// The UNH header a supported version carries: message type (UNH 2:1), directory version,
/// release and agency (UNH 2:2–2:4), and MedCom's message name (UNH 3).
pub(crate) fn header_of(version: &str) -> Option<(&'static str, [&'static str; 3], &'static str)> {
    let h = handler(version)?;
    Some((h.message_type, common::directory(h.message_type), h.code))
}

fn edi_version(version: &str) -> &str {
    if version.len() == 7 {
        version.strip_prefix('X').unwrap_or(version)
    } else {
        version
    }
}

fn handler(version: &str) -> Option<Handler> {
    if let Some(h) = HANDLERS.iter().find(|h| h.version == version) {
        return Some(*h);
    }
    if let Some(k) = notification::KINDS.iter().find(|k| k.version == version) {
        return Some(Handler {
            version: k.version,
            message_type: "MEDDIS",
            code: k.code,
            root: k.root,
            acknowledgement: true,
            to_xml: notification::to_xml,
            to_edi: notification::to_edi,
        });
    }
    if let Some(k) = referral::KINDS.iter().find(|k| k.version == version) {
        return Some(Handler {
            version: k.version,
            message_type: "MEDREF",
            code: k.code,
            root: k.root,
            acknowledgement: true,
            to_xml: referral::to_xml,
            to_edi: referral::to_edi,
        });
    }
    if let Some(k) = binary::KINDS.iter().find(|k| k.version == version) {
        return Some(Handler {
            version: k.version,
            message_type: "MEDBIN",
            code: k.code,
            root: k.root,
            acknowledgement: true,
            to_xml: binary::to_xml,
            to_edi: binary::to_edi,
        });
    }
    if let Some(k) = request::KINDS.iter().find(|k| k.version == version) {
        return Some(Handler {
            version: k.version,
            message_type: "MEDREQ",
            code: k.code,
            root: k.root,
            acknowledgement: true,
            to_xml: request::to_xml,
            to_edi: request::to_edi,
        });
    }
    if let Some(k) = prescription::KINDS.iter().find(|k| k.version == version) {
        return Some(Handler {
            version: k.version,
            message_type: "MEDPRE",
            code: k.code,
            root: k.root,
            acknowledgement: true,
            to_xml: prescription::to_xml,
            to_edi: prescription::to_edi,
        });
    }
    if let Some(k) = pathology::KINDS.iter().find(|k| k.version == version) {
        return Some(Handler {
            version: k.version,
            message_type: "MEDRPT",
            code: k.code,
            root: k.root,
            acknowledgement: true,
            to_xml: pathology::to_xml,
            to_edi: pathology::to_edi,
        });
    }
    if let Some(k) = report::KINDS.iter().find(|k| k.version == version) {
        return Some(Handler {
            version: k.version,
            message_type: "MEDRPT",
            code: k.code,
            root: k.root,
            acknowledgement: true,
            to_xml: report::to_xml,
            to_edi: report::to_edi,
        });
    }
    let k = discharge::KINDS.iter().find(|k| k.version == version)?;
    Some(Handler {
        version: k.version,
        message_type: "MEDDIS",
        code: k.code,
        root: k.root,
        acknowledgement: true,
        to_xml: discharge::to_xml,
        to_edi: discharge::to_edi,
    })
}

/// What a letter conversion needs from the interchange.
pub(crate) struct Letter<'a> {
    pub(crate) namespace: &'a str,
    pub(crate) reference: &'a str,
    pub(crate) sender_ean: &'a str,
    pub(crate) recipient_ean: &'a str,
    pub(crate) head: Vec<&'a Segment>,
}

impl Letter<'_> {
    /// The `Letter` element: identifier, codes (VersionCode, StatisticalCode, TypeCode),
    /// authorisation, status, episode.
    pub(crate) fn letter_element(
        &self,
        body: &Body<'_>,
        [version_code, statistical, type_code]: [&str; 3],
        s11: Option<&[&Segment]>,
    ) -> Result<Element, LegacyError> {
        let mut l = Element::new("Letter", self.namespace);
        l.push_text_child("Identifier", self.reference);
        l.push_text_child("VersionCode", version_code);
        l.push_text_child("StatisticalCode", statistical);
        if let Some(dtm) = self.head.iter().find(|s| s.tag() == "DTM") {
            let mut a = l.child_element("Authorisation");
            push_dtm203(&mut a, dtm)?;
            l.push(a);
        }
        l.push_text_child("TypeCode", type_code);
        if let Some(gis) = body
            .groups("02")
            .next()
            .and_then(|g| common::find(g, "GIS"))
        {
            let status = common::code_xml(codes::STATUS, "StatusCode", gis.component(1, 1), gis)?;
            l.push_text_child("StatusCode", status);
        }
        if let Some(rff) = s11.and_then(|g| common::find_q(g, "RFF", "REI")) {
            l.push_text_child("EpisodeOfCareIdentifier", rff.component(1, 2));
        }
        Ok(l)
    }
}

/// S02: status, letter identifier, optional extra RFF, authorisation time.
pub(crate) fn letter_info(l: &Element, group: &str) -> Result<Vec<Segment>, LegacyError> {
    letter_info_with(l, group, None)
}

pub(crate) fn letter_info_with(
    l: &Element,
    group: &str,
    extra: Option<Segment>,
) -> Result<Vec<Segment>, LegacyError> {
    let status = codes::to_edi(codes::STATUS, "StatusCode", l.child_text("StatusCode"))?;
    let mut out = vec![
        Segment::new(format!("S{group}"), [vec![group.to_owned()]]),
        seg!("GIS", [status]),
        seg!("RFF", ["SRI", l.child_text("Identifier")]),
    ];
    out.extend(extra);
    out.push(common::dtm203("182", required(l, "Authorisation")?)?);
    Ok(out)
}

/// S11 RFF: the episode identifier, or MedCom's placeholder `AHI:1`.
pub(crate) fn episode_rff(l: &Element) -> Segment {
    match l.child("EpisodeOfCareIdentifier") {
        Some(e) => seg!("RFF", ["REI", e.text()]),
        None => seg!("RFF", ["AHI", "1"]),
    }
}

/// S11 PAS from the patient's episode status (absent means `inaktiv`).
pub(crate) fn pas(patient: &Element) -> Result<Segment, LegacyError> {
    let code = match patient.child("EpisodeOfCareStatusCode") {
        Some(c) => codes::to_edi(codes::EPISODE_STATUS, "EpisodeOfCareStatusCode", c.text())?,
        None => "POT",
    };
    Ok(seg!("PAS", [code]))
}

/// Converts an EDIFACT interchange to an OIOXML `Emessage` in the namespace MedCom's converter
/// uses for its (first) message version.
///
/// # Errors
///
/// [`LegacyErrorKind::UnsupportedMessage`] for a version not in [`SUPPORTED_VERSIONS`], and
/// value errors (unknown codes, malformed dates) located at their segment.
///
/// # Examples
///
/// See the [module documentation](self).
pub fn to_oioxml(interchange: &Interchange) -> Result<Element, LegacyError> {
    let first = interchange
        .messages()
        .first()
        .ok_or_else(|| LegacyError::new(LegacyErrorKind::MissingSegment { tag: "UNH" }))?;
    let namespace = converter_namespace(first.version());
    let mut root = emessage(interchange.header(), namespace)?;
    for m in interchange.messages() {
        root.push(letter(interchange.header(), namespace, m)?);
    }
    Ok(root)
}

/// The `Emessage` root with the `Envelope` from the UNB.
fn emessage(unb: &Segment, namespace: &'static str) -> Result<Element, LegacyError> {
    let mut root = Element::new("Emessage", namespace);
    let mut env = root.child_element("Envelope");
    let mut sent = env.child_element("Sent");
    let date = unb.component(4, 1);
    let time = unb.component(4, 2);
    if date.len() != 6
        || time.len() != 4
        || !date.bytes().chain(time.bytes()).all(|b| b.is_ascii_digit())
    {
        return Err(located(
            LegacyError::new(LegacyErrorKind::InvalidValue {
                field: "UNB date and time",
                reason: "expected YYMMDD:HHMM",
            }),
            unb,
        ));
    }
    // MedCom's 2005 converter reads 00–20 as 20xx, which dates every interchange sent after
    // 2020 a century early; 00–69 as 20xx keeps all of MedCom's examples (1998–2014) equal.
    let century = if &date[..2] < "70" { "20" } else { "19" };
    sent.push_text_child(
        "Date",
        format!("{century}{}-{}-{}", &date[..2], &date[2..4], &date[4..6]),
    );
    sent.push_text_child("Time", format!("{}:{}", &time[..2], &time[2..4]));
    env.push(sent);
    env.push_text_child("Identifier", unb.component(5, 1));
    let ack = match unb.component(9, 1) {
        "1" => AcknowledgementCode::PlusPositive,
        "0" | "" => AcknowledgementCode::MinusPositive,
        _ => {
            return Err(located(
                LegacyError::new(LegacyErrorKind::UnknownCode {
                    field: "AcknowledgementCode",
                    code: unb.component(9, 1).chars().take(8).collect(),
                }),
                unb,
            ))
        }
    };
    env.push_text_child("AcknowledgementCode", ack.code());
    root.push(env);
    Ok(root)
}

/// One message's letter.
fn letter(unb: &Segment, namespace: &'static str, m: &Message) -> Result<Element, LegacyError> {
    let h = handler(m.version()).ok_or_else(|| {
        located(
            LegacyError::new(LegacyErrorKind::UnsupportedMessage {
                version: m.version().chars().take(16).collect(),
            }),
            m.header(),
        )
    })?;
    let body = Body::new(m.body());
    let letter = Letter {
        namespace,
        reference: m.reference(),
        sender_ean: unb.component(2, 1),
        recipient_ean: unb.component(3, 1),
        head: body.head.clone(),
    };
    (h.to_xml)(&letter, m)
}

/// Converts an OIOXML `Emessage` to an EDIFACT interchange (UNOC, MedCom's layout).
///
/// # Errors
///
/// [`LegacyErrorKind::NotEmessage`], [`LegacyErrorKind::UnsupportedMessage`], missing required
/// elements and values outside the value lists.
///
/// # Examples
///
/// See the [module documentation](self).
pub fn to_edifact(root: &Element) -> Result<Interchange, LegacyError> {
    let message = Emessage::new(root)?;
    let mut messages = Vec::new();
    let mut sender_ean = "";
    let mut recipient_ean = "";
    let mut acknowledgement = true;
    for letter in message.letters() {
        let (id, version_code) = oioxml::letter_identity(letter);
        let h = handler(edi_version(version_code))
            .filter(|h| h.root == letter.name())
            .ok_or_else(|| {
                LegacyError::new(LegacyErrorKind::UnsupportedMessage {
                    version: version_code.chars().take(16).collect(),
                })
                .with_location(format!("/Emessage/{}/Letter/VersionCode", letter.name()))
            })?;
        if messages.is_empty() {
            sender_ean = letter
                .child("Sender")
                .map_or("", |s| s.child_text("EANIdentifier"));
            recipient_ean = letter
                .child("Receiver")
                .map_or("", |s| s.child_text("EANIdentifier"));
            acknowledgement = h.acknowledgement;
        }
        let body = (h.to_edi)(letter).map_err(|e| {
            if e.location().is_some() {
                e
            } else {
                e.with_location(format!("/Emessage/{}", letter.name()))
            }
        })?;
        let header = common::unh(id, h.message_type, h.version, h.code);
        messages.push(Message::new(header, body));
    }
    let date: String = message
        .sent_date()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let time: String = message
        .sent_time()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if date.len() != 8 || time.len() < 4 {
        return Err(LegacyError::new(LegacyErrorKind::InvalidValue {
            field: "Envelope/Sent",
            reason: "expected YYYY-MM-DD and hh:mm",
        })
        .with_location("/Emessage/Envelope/Sent"));
    }
    let mut unb = vec![
        vec!["UNOC".to_owned(), "3".to_owned()],
        vec![sender_ean.to_owned(), "14".to_owned()],
        vec![recipient_ean.to_owned(), "14".to_owned()],
        vec![date[2..].to_owned(), time[..4].to_owned()],
        vec![message.identifier().to_owned()],
    ];
    if acknowledgement {
        let flag = match message.acknowledgement_code() {
            Some(AcknowledgementCode::PlusPositive) => "1",
            _ => "0",
        };
        unb.extend([vec![], vec![], vec![], vec![flag.to_owned()]]);
    }
    Ok(Interchange::new(Segment::new("UNB", unb), messages))
}

/// Reads EDIFACT bytes and converts them to an OIOXML `Emessage`.
///
/// # Errors
///
/// Any error of [`edifact::read`] or [`to_oioxml`].
///
/// # Examples
///
/// ```
/// let err = medcom::legacy::convert::edifact_to_oioxml(b"UNB+UNOC:3+A+B+990101:1200+K'UNH+1+MEDRPT:D:93A:UN:R0230M+RPT02'UNT+2+1'UNZ+1+K'").unwrap_err();
/// assert_eq!(err.kind().code(), "unsupported-message");
/// ```
pub fn edifact_to_oioxml(input: &[u8]) -> Result<Element, LegacyError> {
    to_oioxml(&edifact::read(input)?)
}

/// Reads EDIFACT bytes and converts them to the text of an OIOXML `Emessage`: exactly
/// [`oioxml::to_string`] of [`edifact_to_oioxml`], made one message at a time, so that only one
/// message's segments and letter are held besides the text (a large interchange took 30 to 50
/// times its size in memory as one tree).
///
/// # Errors
///
/// As [`edifact_to_oioxml`]; errors come in the order of the input.
///
/// # Examples
///
/// ```
/// let err = medcom::legacy::convert::edifact_to_oioxml_text(b"UNB+UNOC:3+A+B+990115:1202+R'UNZ+0+R'").unwrap_err();
/// assert_eq!(err.kind().code(), "missing-segment");
/// ```
pub fn edifact_to_oioxml_text(input: &[u8]) -> Result<String, LegacyError> {
    let mut writer: Option<(oioxml::RootWriter, &'static str)> = None;
    edifact::read_messages(input, &edifact::ReadOptions::default(), |unb, m| {
        if writer.is_none() {
            let namespace = converter_namespace(m.version());
            let root = emessage(unb, namespace)?;
            let mut w = oioxml::RootWriter::new(root.name(), root.namespace());
            for child in root.elements() {
                w.child(child);
            }
            writer = Some((w, namespace));
        }
        if let Some((w, namespace)) = writer.as_mut() {
            w.child(&letter(unb, namespace, &m)?);
        }
        Ok(())
    })?;
    writer
        .map(|(w, _)| w.finish())
        .ok_or_else(|| LegacyError::new(LegacyErrorKind::MissingSegment { tag: "UNH" }))
}

/// Reads OIOXML bytes and converts them to EDIFACT bytes (UNOC, one segment per line).
///
/// # Errors
///
/// Any error of [`oioxml::read`], [`to_edifact`] or [`edifact::write`].
///
/// # Examples
///
/// ```
/// let err = medcom::legacy::convert::oioxml_to_edifact(b"<Bundle xmlns='http://hl7.org/fhir'/>").unwrap_err();
/// assert_eq!(err.kind().code(), "not-emessage");
/// ```
pub fn oioxml_to_edifact(input: &[u8]) -> Result<Vec<u8>, LegacyError> {
    // The letter's tree is dropped before the interchange is written.
    let interchange = to_edifact(&oioxml::read(input)?)?;
    edifact::write(&interchange)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_versions_match_the_handlers() {
        for v in SUPPORTED_VERSIONS {
            assert!(handler(v).is_some(), "{v}");
        }
        let tables = HANDLERS.len()
            + discharge::KINDS.len()
            + referral::KINDS.len()
            + notification::KINDS.len()
            + report::KINDS.len()
            + binary::KINDS.len()
            + pathology::KINDS.len()
            + prescription::KINDS.len()
            + request::KINDS.len();
        assert_eq!(SUPPORTED_VERSIONS.len(), tables);
    }
}
