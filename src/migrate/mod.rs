//! The migration bridge: legacy letters to FHIR messages and back, along the field
//! correspondences MedCom publishes.
//!
//! | legacy letter | FHIR message | module |
//! | --- | --- | --- |
//! | XDIS91 `ClinicalEmail` (EDIFACT DIS91) | CareCommunication 5.0.2 | [`correspondence`] |
//! | XDIS20 `NotificationOfAdmission`, XDIS17 `NotificationOfDischarge` (DIS20, DIS17) | HospitalNotification 3.0.2 | [`notification`] |
//! | XCTL01–03 receipts (EDIFACT CONTRL) | Acknowledgement 2.0.3 | [`receipt`] |
//!
//! [`letter_to_fhir`] takes an OIOXML `Emessage` (an EDIFACT interchange goes through
//! [`crate::legacy::convert::to_oioxml`] first) and [`fhir_to_letter`] a FHIR message; both
//! return the result with the conversion's findings ([`Migrated`]). On bytes of either
//! generation, [`crate::convert()`] with [`crate::convert::ConvertOptions::address_book`] does
//! the same (and `medcom convert --address-book FILE` on the command line).
//! [`reply_to_letter`] answers a legacy letter with a CareCommunication.
//!
//! # What the mapping leaves open, decided once
//!
//! - **Parties.** A FHIR message names an Organization by SOR code and GLN; a letter by
//!   location number. The [`AddressBook`] gives the SOR code (and the GLN, when the letter's
//!   location number is not one: a VANS mailbox or a test number). An unknown party is a
//!   [`MigrateErrorKind::UnknownParty`] naming the location number. `OrganisationName` becomes
//!   `Organization.name`, `DepartmentName` and `UnitName` become `Organization.alias` (in that
//!   order), and the party's `Identifier` another `Organization.identifier` whose system says
//!   the `IdentifierCode` ([`identifier_system`]). Back, the letter's location number is the
//!   book's `ean` for the SOR code, else the GLN.
//! - **Identifiers.** Resource ids are version 5 UUIDs of the legacy identifiers
//!   ([`legacy_uuid`]): converting the same letter twice gives the same message.
//!   `MessageHeader.id` is [`letter_header_id`] of the letter identifier and the sender's
//!   location number. Back, a letter's identifiers are the first 14 hexadecimal digits of
//!   `Bundle.id` and `MessageHeader.id`.
//! - **Time.** A letter's date and time are Danish local time ([`danish_date_time`]);
//!   back, a FHIR time is written in Danish local time ([`danish_local`]). `Envelope/Sent` is
//!   `Bundle.timestamp`; `Letter/Authorisation` is the date of the text segments.
//! - **CareCommunication category.** A letter has none: `regarding-referral` when it has a
//!   priority (the only category that allows one), else `other` when it has a subject (the
//!   topic), else `carecoordination`. Back, the category is reported as a finding unless it is
//!   the one the letter's priority and subject give.
//! - **Author and signature.** CareCommunication requires an author and a contact number for
//!   each text; a letter names neither. The author is a Practitioner whose family name is the
//!   letter's sender as the letter names it (unit, else department, else organisation), with
//!   the SKS role `laegesekretaer`, and the contact is the sender's
//!   `TelephoneSubscriberIdentifier`, else the address book's `phone`
//!   ([`MigrateErrorKind::NoContact`] when neither has one). A `legacy-signature` finding
//!   says so.
//! - **Nothing dropped silently.** A field with no place on the other side is an information
//!   finding, `legacy-unmapped` (a letter's field) or `fhir-unmapped` (a FHIR element), naming
//!   where it was.

pub mod address_book;
pub mod correspondence;
mod ids;
pub mod notification;
pub mod receipt;
mod time;

use std::fmt;

use crate::finding::{Finding, Severity};
use crate::legacy::oioxml::{Element, Emessage};
use crate::legacy::LegacyError;
use crate::messages::{
    BuildError, Organization, PersonIdentifier, ViewError, GLN_SYSTEM, SOR_SYSTEM,
};
use crate::model::Document;

pub use address_book::{AddressBook, AddressBookError, CsvAddressBook, Entry};
pub use ids::{legacy_uuid, letter_header_id};
pub use time::{danish_date_time, danish_local};

/// The result of a conversion with its findings (information: what has no place on the other
/// side, and the decisions taken for what the source does not say).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Migrated<T> {
    /// The converted message.
    pub value: T,
    /// What the conversion reports.
    pub findings: Vec<Finding>,
}

/// Why a conversion failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrateError(Box<MigrateErrorKind>);

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MigrateErrorKind {
    /// A FHIR builder refused the converted message (a value the FHIR side forbids).
    Build {
        /// The builder's message.
        message: String,
    },
    /// The letter is not one the bridge reads: an element is missing or malformed.
    Letter(LegacyError),
    /// No telephone number for the author of a converted letter's text.
    NoContact {
        /// The sender's location number.
        location: String,
    },
    /// The message has no counterpart on the other side.
    Unsupported {
        /// What it is.
        what: String,
    },
    /// A party the address book does not know.
    UnknownParty {
        /// The location number (`EANIdentifier`) the letter names it by.
        location: String,
    },
    /// A value the other side has no form for (a time out of range, a name missing).
    Value {
        /// Where.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The FHIR message cannot be read as the typed message.
    View {
        /// The reader's message.
        message: String,
    },
}

impl MigrateError {
    pub(crate) fn new(kind: MigrateErrorKind) -> Self {
        Self(Box::new(kind))
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &MigrateErrorKind {
        &self.0
    }

    pub(crate) fn value(field: &'static str, reason: impl Into<String>) -> Self {
        Self::new(MigrateErrorKind::Value {
            field,
            reason: reason.into(),
        })
    }

    pub(crate) fn unsupported(what: impl Into<String>) -> Self {
        Self::new(MigrateErrorKind::Unsupported { what: what.into() })
    }
}

impl fmt::Display for MigrateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            MigrateErrorKind::Build { message } => {
                write!(f, "the converted message cannot be built: {message}")
            }
            MigrateErrorKind::Letter(e) => write!(f, "letter: {e}"),
            MigrateErrorKind::NoContact { location } => write!(
                f,
                "no telephone number for the author of letters from location number {location}: \
                 add a 'phone' column to the address book"
            ),
            MigrateErrorKind::Unsupported { what } => write!(f, "{what} has no counterpart"),
            MigrateErrorKind::UnknownParty { location } => write!(
                f,
                "location number {location} is not in the address book (no SOR code for it)"
            ),
            MigrateErrorKind::Value { field, reason } => write!(f, "{field}: {reason}"),
            MigrateErrorKind::View { message } => {
                write!(f, "the FHIR message cannot be read: {message}")
            }
        }
    }
}

impl std::error::Error for MigrateError {}

impl From<LegacyError> for MigrateError {
    fn from(e: LegacyError) -> Self {
        Self::new(MigrateErrorKind::Letter(e))
    }
}

impl From<BuildError> for MigrateError {
    fn from(e: BuildError) -> Self {
        Self::new(MigrateErrorKind::Build {
            message: e.to_string(),
        })
    }
}

impl From<ViewError> for MigrateError {
    fn from(e: ViewError) -> Self {
        Self::new(MigrateErrorKind::View {
            message: e.to_string(),
        })
    }
}

/// Converts the letter of an OIOXML `Emessage` to the FHIR message that replaces it.
///
/// # Errors
///
/// A [`MigrateError`]: a letter of a type without FHIR counterpart or more than one letter in
/// the envelope ([`MigrateErrorKind::Unsupported`]), a party the book does not know, a value
/// the FHIR side forbids.
///
/// # Examples
///
/// ```
/// use medcom::migrate::{self, CsvAddressBook};
/// # let xml = br#"<Emessage xmlns="http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/"><Envelope><Sent><Date>2024-01-01</Date><Time>12:00</Time></Sent><Identifier>K1</Identifier><AcknowledgementCode>minuspositivkvitt</AcknowledgementCode></Envelope><PositiveReceipt><Letter><Identifier>R1</Identifier><VersionCode>XC0330Q</VersionCode><StatisticalCode>XCTL03</StatisticalCode></Letter><Sender><EANIdentifier>5790000121526</EANIdentifier></Sender><Receiver><EANIdentifier>5790001348120</EANIdentifier></Receiver><OriginalEmessage><OriginalEnvelopeIdentifier>K0</OriginalEnvelopeIdentifier><OriginalSender><EANIdentifier>5790001348120</EANIdentifier></OriginalSender><OriginalReceiver><EANIdentifier>5790000121526</EANIdentifier></OriginalReceiver><OriginalLetter><OriginalLetterIdentifier>B1</OriginalLetterIdentifier><OriginalVersionCode>XD9134L</OriginalVersionCode></OriginalLetter></OriginalEmessage></PositiveReceipt></Emessage>"#;
/// let book = CsvAddressBook::from_csv("gln,sor\n5790000121526,265161000016000\n5790001348120,953741000016009\n").unwrap();
/// let receipt = medcom::legacy::oioxml::read(xml).unwrap();
/// let ack = migrate::letter_to_fhir(&receipt, &book).unwrap().value;
/// assert!(medcom::validate::Validator::new().report(&ack).is_valid());
/// ```
pub fn letter_to_fhir(
    root: &Element,
    book: &dyn AddressBook,
) -> Result<Migrated<Document<'static>>, MigrateError> {
    let message = crate::legacy::oioxml::Emessage::new(root)?;
    let letters: Vec<&Element> = message.letters().collect();
    let [letter] = letters.as_slice() else {
        return Err(MigrateError::unsupported(format!(
            "an envelope of {} letters (the bridge converts one letter per envelope)",
            letters.len()
        )));
    };
    let mut findings = Vec::new();
    let value = match letter.name() {
        "ClinicalEmail" => correspondence::to_fhir(&message, letter, book, &mut findings)?,
        "NotificationOfAdmission" | "NotificationOfDischarge" => {
            notification::to_fhir(&message, letter, book, &mut findings)?
        }
        "PositiveReceipt" | "NegativeReceipt" | "NegativeVansReceipt" => {
            receipt::to_fhir(&message, letter, book, &mut findings)?
        }
        other => {
            return Err(MigrateError::unsupported(format!(
                "the letter '{other}' (no FHIR message replaces it)"
            )))
        }
    };
    Ok(Migrated { value, findings })
}

/// Converts a FHIR message to the legacy letter it replaces, as an OIOXML `Emessage` (write
/// EDIFACT with [`crate::legacy::convert::to_edifact`]).
///
/// # Errors
///
/// A [`MigrateError`]: a message of a standard without a legacy counterpart, a message the
/// typed readers cannot read, a value the letter cannot carry.
///
/// # Examples
///
/// See [`correspondence`].
pub fn fhir_to_letter(
    doc: &Document<'_>,
    book: &dyn AddressBook,
) -> Result<Migrated<Element>, MigrateError> {
    let info = crate::messages::MessageInfo::read(doc)?;
    let mut findings = Vec::new();
    let value = match info.event.as_str() {
        "care-communication-message" => correspondence::to_letter(doc, book, &mut findings)?,
        "hospital-notification-message" => notification::to_letter(doc, book, &mut findings)?,
        "acknowledgement-message" => receipt::to_letter(doc, book, &mut findings)?,
        other => {
            return Err(MigrateError::unsupported(format!(
                "the FHIR message '{other}' (no legacy letter corresponds)"
            )))
        }
    };
    Ok(Migrated { value, findings })
}

/// The CareCommunication that answers a legacy letter (an XDIS91 correspondence, or any letter
/// with a sender, a receiver and a patient: a discharge letter, a referral): from the letter's
/// receiver to its sender, about its patient, with the subject and priority it had, activity
/// `reply-message`, and a Provenance that names the letter by `what.identifier` in MedCom's
/// `brevid#lokationsnummer` form (role `revision`). The letter's text is not repeated. Add the
/// reply's own text segment, then build it.
///
/// # Errors
///
/// A [`MigrateError`]: an envelope of more than one letter, a letter without sender, receiver
/// or patient, a party the address book does not know.
///
/// # Examples
///
/// ```
/// use medcom::messages::*;
/// use medcom::migrate::{self, CsvAddressBook};
/// # let xml = br#"<Emessage xmlns="http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2006/07/01/"><Envelope><Sent><Date>2024-05-01</Date><Time>10:15</Time></Sent><Identifier>K1</Identifier><AcknowledgementCode>pluspositivkvitt</AcknowledgementCode></Envelope><ClinicalEmail><Letter><Identifier>B300720181623</Identifier><VersionCode>XD9134L</VersionCode><StatisticalCode>XDIS91</StatisticalCode><Authorisation><Date>2024-05-01</Date><Time>10:12</Time></Authorisation><TypeCode>XDIS91</TypeCode><StatusCode>nytbrev</StatusCode></Letter><Sender><EANIdentifier>5790000121526</EANIdentifier><Identifier>5790000121526</Identifier><IdentifierCode>lokationsnummer</IdentifierCode><OrganisationName>Laegehuset</OrganisationName></Sender><Receiver><EANIdentifier>5790001348120</EANIdentifier><Identifier>5790001348120</Identifier><IdentifierCode>lokationsnummer</IdentifierCode><OrganisationName>Hjemmeplejen</OrganisationName></Receiver><Patient><CivilRegistrationNumber>2509479989</CivilRegistrationNumber><PersonSurnameName>Elmer</PersonSurnameName><EpisodeOfCareStatusCode>inaktiv</EpisodeOfCareStatusCode></Patient><ClinicalInformation><Text01>Hej</Text01></ClinicalInformation></ClinicalEmail></Emessage>"#;
/// let letter = medcom::legacy::oioxml::read(xml).unwrap();
/// let book = CsvAddressBook::from_csv(
///     "gln,sor\n5790000121526,265161000016000\n5790001348120,953741000016009\n",
/// )
/// .unwrap();
/// let reply = migrate::reply_to_letter(&letter, &book).unwrap();
/// let nurse = Author::new(PersonName::new("Jensen", &["Ida"]), Role::sks("sygeplejerske"), reply.sender.clone());
/// let doc = reply
///     .with_segment(Segment::text("Tak, modtaget.", nurse, "56671234", "2024-05-01T13:00:00+02:00"))
///     .build(&Context::new())
///     .unwrap();
/// assert!(medcom::validate::Validator::new().report(&doc).is_valid());
/// let read = CareCommunication::read(&doc).unwrap();
/// assert_eq!(read.activity, Activity::ReplyMessage);
/// assert_eq!(read.previous, Some(Predecessor::legacy("B300720181623", "5790000121526")));
/// ```
pub fn reply_to_letter(
    root: &Element,
    book: &dyn AddressBook,
) -> Result<crate::messages::CareCommunication, MigrateError> {
    correspondence::reply(root, book)
}

/// The `Organization.identifier` system for a legacy `IdentifierCode`: `ydernummer` is the
/// provider number system `urn:oid:1.2.208.176.1.4`, `sorkode` SOR, `lokationsnummer` GLN;
/// the others (`sygehusafdelingsnummer`, `kommunenummer`, `amt`) have no FHIR system MedCom
/// names and are written under the bridge's own `urn:medcom:oioxml:IdentifierCode:<code>`.
///
/// # Examples
///
/// ```
/// use medcom::migrate::identifier_system;
/// assert_eq!(identifier_system("ydernummer"), "urn:oid:1.2.208.176.1.4");
/// assert_eq!(identifier_system("kommunenummer"), "urn:medcom:oioxml:IdentifierCode:kommunenummer");
/// ```
#[must_use]
pub fn identifier_system(code: &str) -> String {
    match code {
        "ydernummer" => PROVIDER_SYSTEM.to_owned(),
        "sorkode" => SOR_SYSTEM.to_owned(),
        "lokationsnummer" => GLN_SYSTEM.to_owned(),
        other => format!("{OWN_IDENTIFIER_SYSTEM}{other}"),
    }
}

const PROVIDER_SYSTEM: &str = "urn:oid:1.2.208.176.1.4";
const OWN_IDENTIFIER_SYSTEM: &str = "urn:medcom:oioxml:IdentifierCode:";

/// The `IdentifierCode` of an `Organization.identifier` system, when it is one
/// [`identifier_system`] writes.
fn identifier_code(system: &str) -> Option<&str> {
    match system {
        PROVIDER_SYSTEM => Some("ydernummer"),
        SOR_SYSTEM => Some("sorkode"),
        s if s.ends_with("gs1.org/gln") => Some("lokationsnummer"),
        s => s.strip_prefix(OWN_IDENTIFIER_SYSTEM),
    }
}

/// An information finding of a field with no place on the other side.
fn unmapped(code: &'static str, location: impl Into<String>, what: &str) -> Finding {
    let location = location.into();
    Finding::new(
        code,
        Severity::Information,
        location.as_str(),
        format!("{what} has no place on the other side and is not carried"),
    )
}

/// `legacy-unmapped` at `path` when the letter element `e` has a child `name`.
fn legacy_unmapped(findings: &mut Vec<Finding>, e: &Element, path: &str, names: &[&str]) {
    for name in names {
        if e.child(name).is_some() {
            findings.push(unmapped(
                "legacy-unmapped",
                format!("{path}/{name}"),
                &format!("the letter's {name}"),
            ));
        }
    }
}

/// The Organization for a letter's party element (Sender, Receiver …), looked up in the book.
fn organization(
    party: &Element,
    path: &str,
    book: &dyn AddressBook,
    findings: &mut Vec<Finding>,
) -> Result<Organization, MigrateError> {
    let ean = party.child_text("EANIdentifier");
    let entry = book.by_location(ean).ok_or_else(|| {
        MigrateError::new(MigrateErrorKind::UnknownParty {
            location: ean.to_owned(),
        })
    })?;
    let mut org = Organization::new(&entry.sor, &entry.gln);
    if let Some(name) = party.child("OrganisationName") {
        org = org.with_name(name.text());
    } else if let Some(name) = &entry.name {
        org = org.with_name(name);
    }
    let department = party.child("DepartmentName").map(Element::text);
    let unit = party.child("UnitName").map(Element::text);
    if let Some(d) = department {
        org.aliases.push(d.to_owned());
    }
    if let Some(u) = unit {
        if department.is_none() {
            findings.push(Finding::new(
                "legacy-unmapped",
                Severity::Information,
                format!("{path}/UnitName"),
                "a UnitName without DepartmentName is carried as the department",
            ));
        }
        org.aliases.push(u.to_owned());
    }
    if let Some(identifier) = party.child("Identifier") {
        let code = party.child_text("IdentifierCode");
        let system = identifier_system(code);
        let value = identifier.text();
        let same = (system == GLN_SYSTEM && value == entry.gln)
            || (system == SOR_SYSTEM && value == entry.sor);
        if !same {
            org.other_identifiers
                .push(crate::messages::Identifier::new(&system, value));
        }
    }
    legacy_unmapped(
        findings,
        party,
        path,
        &[
            "StreetName",
            "SuburbName",
            "DistrictName",
            "PostCodeIdentifier",
            "TelephoneSubscriberIdentifier",
            "MedicalSpecialityCode",
            "AnswerTo",
            "Contact",
        ],
    );
    Ok(org)
}

/// A letter's party from an Organization: location number, `Identifier` and `IdentifierCode`,
/// names.
fn party(
    org: &Organization,
    book: &dyn AddressBook,
) -> Result<crate::legacy::letters::Party, MigrateError> {
    use crate::legacy::letters::{Address, IdentifierKind, Party};
    let entry = book.by_sor(&org.sor);
    let ean = entry
        .as_ref()
        .map(|e| e.ean().to_owned())
        .or_else(|| org.gln.clone())
        .ok_or_else(|| {
            MigrateError::value("Organization.identifier", "neither GLN nor a book entry")
        })?;
    let (identifier, kind) = org
        .other_identifiers
        .iter()
        .find_map(|i| {
            let kind = match identifier_code(&i.system)? {
                "sygehusafdelingsnummer" => IdentifierKind::HospitalDepartment,
                "ydernummer" => IdentifierKind::Provider,
                "lokationsnummer" => IdentifierKind::Location,
                "kommunenummer" => IdentifierKind::Municipality,
                "sorkode" => IdentifierKind::Sor,
                _ => return None,
            };
            Some((i.value.clone(), kind))
        })
        .unwrap_or_else(|| {
            (
                org.gln.clone().unwrap_or_else(|| ean.clone()),
                IdentifierKind::Location,
            )
        });
    let organisation = org
        .name
        .clone()
        .or_else(|| entry.and_then(|e| e.name))
        .ok_or_else(|| {
            MigrateError::value(
                "OrganisationName",
                format!(
                    "no name for SOR code {} (in the message or the address book)",
                    org.sor
                ),
            )
        })?;
    Ok(Party {
        ean,
        identifier,
        identifier_kind: kind,
        organisation,
        department: org.aliases.first().cloned(),
        unit: org.aliases.get(1).cloned(),
        address: Address::default(),
    })
}

/// The patient of a letter's `Patient` element, for the FHIR side.
fn patient_identifier(patient: &Element) -> Result<PersonIdentifier, MigrateError> {
    if let Some(c) = patient.child("CivilRegistrationNumber") {
        Ok(PersonIdentifier::Cpr(c.text().to_owned()))
    } else if let Some(a) = patient.child("AlternativeIdentifier") {
        Ok(PersonIdentifier::ecpr(a.text()))
    } else {
        Err(MigrateError::value(
            "Patient",
            "neither CivilRegistrationNumber nor AlternativeIdentifier",
        ))
    }
}

/// The child `name` of a letter element, or a "missing" error naming it.
fn required<'a>(parent: &'a Element, name: &'static str) -> Result<&'a Element, MigrateError> {
    parent
        .child(name)
        .ok_or_else(|| MigrateError::value(name, "missing"))
}

/// A letter's `Letter`, `Sender`, `Receiver` and `Patient`, checked in that order.
fn letter_parts(
    letter: &Element,
) -> Result<(&Element, &Element, &Element, &Element), MigrateError> {
    Ok((
        required(letter, "Letter")?,
        required(letter, "Sender")?,
        required(letter, "Receiver")?,
        required(letter, "Patient")?,
    ))
}

/// The envelope's `Sent` as a FHIR dateTime.
fn envelope_sent(message: &Emessage<'_>) -> Result<String, MigrateError> {
    date_time_of(
        message
            .root()
            .child("Envelope")
            .and_then(|e| e.child("Sent")),
        "Envelope/Sent",
    )
}

/// A letter's date and time (`Date` with `Time` or `TimeWithSec`) as a FHIR dateTime.
fn date_time_of(e: Option<&Element>, field: &'static str) -> Result<String, MigrateError> {
    let e = e.ok_or_else(|| MigrateError::value(field, "missing"))?;
    let time = e
        .child("Time")
        .or_else(|| e.child("TimeWithSec"))
        .map_or("00:00", Element::text);
    danish_date_time(e.child_text("Date"), time)
        .ok_or_else(|| MigrateError::value(field, "not a date and time"))
}

/// A FHIR dateTime as a letter's [`crate::legacy::letters::DateTime`].
fn letter_date_time(
    value: &str,
    field: &'static str,
) -> Result<crate::legacy::letters::DateTime, MigrateError> {
    let (date, time) = local_date_time(value, field)?;
    Ok(crate::legacy::letters::DateTime::new(&date, &time)?)
}

/// A FHIR dateTime as Danish local date and time (see [`danish_local`]), or an error naming
/// `field`.
fn local_date_time(value: &str, field: &'static str) -> Result<(String, String), MigrateError> {
    danish_local(value).ok_or_else(|| MigrateError::value(field, "not a dateTime with a zone"))
}
