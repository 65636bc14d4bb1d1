//! Typed views and builders for the letters most used: XDIS01 discharge letter
//! ([`DischargeLetter`]), XREF01 hospital referral ([`HospitalReferral`]) and XDIS91
//! correspondence ([`ClinicalEmail`]).
//!
//! Views borrow a read [`Element`]; builders take typed parts and return an `Emessage` that is
//! valid by construction: every value is checked against what the standard (and EDIFACT UNOC)
//! allows, and a value it forbids is a [`LegacyError`] naming the field.

mod clinical_email;
mod discharge_letter;
mod hospital_referral;

pub use clinical_email::{ClinicalEmail, ClinicalEmailBuilder, Priority};
pub use discharge_letter::{Diagnosis, DischargeLetter, DischargeLetterBuilder};
pub use hospital_referral::{HospitalReferral, HospitalReferralBuilder, Referrer};

use crate::legacy::oioxml::{AcknowledgementCode, Content, Element};
use crate::legacy::{LegacyError, LegacyErrorKind};

fn invalid(field: &'static str, reason: &'static str) -> LegacyError {
    LegacyError::new(LegacyErrorKind::InvalidValue { field, reason })
}

/// Checks a text value: 1..=max characters, ISO 8859-1 (UNOC) without control characters.
fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), LegacyError> {
    let n = value.chars().count();
    if n == 0 {
        return Err(invalid(field, "must not be empty"));
    }
    if n > max {
        return Err(invalid(field, "is too long"));
    }
    if value.chars().any(|c| u32::from(c) > 0xFF || c.is_control()) {
        return Err(invalid(
            field,
            "holds a character outside ISO 8859-1 or a control character",
        ));
    }
    Ok(())
}

fn check_optional(field: &'static str, value: Option<&str>, max: usize) -> Result<(), LegacyError> {
    value.map_or(Ok(()), |v| check_text(field, v, max))
}

/// A date and time to the minute, as OIOXML writes them (`YYYY-MM-DD`, `hh:mm`).
///
/// # Examples
///
/// ```
/// use medcom::legacy::letters::DateTime;
/// assert!(DateTime::new("2024-02-29", "23:59").is_ok());
/// assert!(DateTime::new("2023-02-29", "10:00").is_err());
/// assert!(DateTime::new("2024-01-01", "24:00").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTime {
    date: String,
    time: String,
}

impl DateTime {
    /// A checked date and time. Years 1970–2069, the span the EDIFACT interchange date
    /// (YYMMDD) can carry.
    ///
    /// # Errors
    ///
    /// [`LegacyErrorKind::InvalidValue`] for anything but a real date and time in that span.
    pub fn new(date: &str, time: &str) -> Result<Self, LegacyError> {
        let d = date.as_bytes();
        let ok_date = d.len() == 10
            && d[4] == b'-'
            && d[7] == b'-'
            && [0, 1, 2, 3, 5, 6, 8, 9]
                .iter()
                .all(|&i| d[i].is_ascii_digit());
        if !ok_date {
            return Err(invalid("Date", "expected YYYY-MM-DD"));
        }
        let num = |s: &str| s.parse::<u32>().unwrap_or(0);
        let (y, m, day) = (num(&date[..4]), num(&date[5..7]), num(&date[8..10]));
        let days = crate::calendar::days_in_month(i64::from(y), m);
        if !(1970..=2069).contains(&y) || day == 0 || day > days {
            return Err(invalid("Date", "not a date between 1970 and 2069"));
        }
        let t = time.as_bytes();
        let ok_time = t.len() == 5
            && t[2] == b':'
            && [0, 1, 3, 4].iter().all(|&i| t[i].is_ascii_digit())
            && num(&time[..2]) < 24
            && num(&time[3..5]) < 60;
        if !ok_time {
            return Err(invalid("Time", "expected hh:mm"));
        }
        Ok(Self {
            date: date.to_owned(),
            time: time.to_owned(),
        })
    }

    /// `YYYY-MM-DD`.
    #[must_use]
    pub fn date(&self) -> &str {
        &self.date
    }

    /// `hh:mm`.
    #[must_use]
    pub fn time(&self) -> &str {
        &self.time
    }

    fn element(&self, parent: &Element, name: &str) -> Element {
        parent
            .child_element(name)
            .with_text_child("Date", &self.date)
            .with_text_child("Time", &self.time)
    }
}

/// What kind of identifier a party has (`IdentifierCode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentifierKind {
    /// `sygehusafdelingsnummer` (SHAK).
    HospitalDepartment,
    /// `ydernummer`.
    Provider,
    /// `lokationsnummer` (EAN/GLN).
    Location,
    /// `kommunenummer`.
    Municipality,
    /// `sorkode`.
    Sor,
}

impl IdentifierKind {
    /// The OIOXML code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::HospitalDepartment => "sygehusafdelingsnummer",
            Self::Provider => "ydernummer",
            Self::Location => "lokationsnummer",
            Self::Municipality => "kommunenummer",
            Self::Sor => "sorkode",
        }
    }
}

/// A postal address; every part optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Address {
    /// `StreetName`.
    pub street: Option<String>,
    /// `SuburbName`.
    pub suburb: Option<String>,
    /// `DistrictName`.
    pub district: Option<String>,
    /// `PostCodeIdentifier`.
    pub post_code: Option<String>,
}

impl Address {
    fn check(&self) -> Result<(), LegacyError> {
        check_optional("StreetName", self.street.as_deref(), 35)?;
        check_optional("SuburbName", self.suburb.as_deref(), 35)?;
        check_optional("DistrictName", self.district.as_deref(), 35)?;
        if let Some(p) = &self.post_code {
            if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid("PostCodeIdentifier", "expected 1 to 4 digits"));
            }
        }
        Ok(())
    }

    fn push(&self, e: &mut Element) {
        for (name, v) in [
            ("StreetName", &self.street),
            ("SuburbName", &self.suburb),
            ("DistrictName", &self.district),
            ("PostCodeIdentifier", &self.post_code),
        ] {
            if let Some(v) = v {
                e.push_text_child(name, v);
            }
        }
    }
}

/// A sender or receiver organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    /// `EANIdentifier`: the location number (GLN) used for addressing.
    pub ean: String,
    /// `Identifier`.
    pub identifier: String,
    /// `IdentifierCode`.
    pub identifier_kind: IdentifierKind,
    /// `OrganisationName`.
    pub organisation: String,
    /// `DepartmentName`.
    pub department: Option<String>,
    /// `UnitName`.
    pub unit: Option<String>,
    /// Address.
    pub address: Address,
}

impl Party {
    fn check(&self) -> Result<(), LegacyError> {
        check_text("EANIdentifier", &self.ean, 35)?;
        check_text("Identifier", &self.identifier, 17)?;
        check_text("OrganisationName", &self.organisation, 35)?;
        check_optional("DepartmentName", self.department.as_deref(), 35)?;
        check_optional("UnitName", self.unit.as_deref(), 35)?;
        self.address.check()
    }

    /// The party as the element `name` of `parent`, with its `EANIdentifier` when `ean`.
    pub(crate) fn element(&self, parent: &Element, name: &str, ean: bool) -> Element {
        let mut e = parent.child_element(name);
        if ean {
            e.push_text_child("EANIdentifier", &self.ean);
        }
        e.push_text_child("Identifier", &self.identifier);
        e.push_text_child("IdentifierCode", self.identifier_kind.code());
        e.push_text_child("OrganisationName", &self.organisation);
        if let Some(d) = &self.department {
            e.push_text_child("DepartmentName", d);
        }
        if let Some(u) = &self.unit {
            e.push_text_child("UnitName", u);
        }
        self.address.push(&mut e);
        e
    }
}

/// How the patient is identified.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PatientIdentifier {
    /// `CivilRegistrationNumber`: ten digits.
    Cpr(String),
    /// `AlternativeIdentifier`: ten characters (e.g. an eCPR).
    Alternative(String),
}

/// Where the patient is in the episode (`EpisodeOfCareStatusCode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EpisodeStatus {
    /// `inaktiv`.
    Inactive,
    /// `indlagt`.
    Admitted,
    /// `ambulant`.
    Outpatient,
    /// `doed`.
    Dead,
    /// `ambulant_roentgen`.
    OutpatientRadiology,
}

impl EpisodeStatus {
    /// The OIOXML code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Inactive => "inaktiv",
            Self::Admitted => "indlagt",
            Self::Outpatient => "ambulant",
            Self::Dead => "doed",
            Self::OutpatientRadiology => "ambulant_roentgen",
        }
    }
}

/// The patient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patient {
    /// CPR or alternative identifier.
    pub identifier: PatientIdentifier,
    /// `PersonSurnameName`.
    pub surname: String,
    /// `PersonGivenName`.
    pub given_name: Option<String>,
    /// Address.
    pub address: Address,
    /// `EpisodeOfCareStatusCode` (EDIFACT always carries one).
    pub episode: EpisodeStatus,
}

impl Patient {
    fn check(&self) -> Result<(), LegacyError> {
        match &self.identifier {
            PatientIdentifier::Cpr(c) => {
                if c.len() != 10 || !c.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid("CivilRegistrationNumber", "expected ten digits"));
                }
            }
            PatientIdentifier::Alternative(a) => {
                check_text("AlternativeIdentifier", a, 10)?;
                if a.chars().count() != 10 {
                    return Err(invalid("AlternativeIdentifier", "expected ten characters"));
                }
            }
        }
        check_text("PersonSurnameName", &self.surname, 35)?;
        check_optional("PersonGivenName", self.given_name.as_deref(), 35)?;
        self.address.check()
    }

    fn element(&self, parent: &Element, episode: bool) -> Element {
        let mut e = parent.child_element("Patient");
        match &self.identifier {
            PatientIdentifier::Cpr(c) => e.push_text_child("CivilRegistrationNumber", c),
            PatientIdentifier::Alternative(a) => e.push_text_child("AlternativeIdentifier", a),
        }
        e.push_text_child("PersonSurnameName", &self.surname);
        if let Some(g) = &self.given_name {
            e.push_text_child("PersonGivenName", g);
        }
        self.address.push(&mut e);
        if episode {
            e.push_text_child("EpisodeOfCareStatusCode", self.episode.code());
        }
        e
    }
}

/// Envelope and letter identity shared by all builders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// `Envelope/Identifier` (1–14 characters).
    pub envelope_identifier: String,
    /// `Envelope/Sent`.
    pub sent: DateTime,
    /// `Envelope/AcknowledgementCode`.
    pub acknowledgement: AcknowledgementCode,
    /// `Letter/Identifier` (1–14 characters).
    pub letter_identifier: String,
    /// `Letter/Authorisation`.
    pub authorised: DateTime,
    /// `Letter/StatusCode`: `false` for `nytbrev`, `true` for `rettetbrev`.
    pub corrected: bool,
    /// `Letter/EpisodeOfCareIdentifier` (1–35 characters).
    pub episode_identifier: Option<String>,
}

impl Header {
    fn check(&self) -> Result<(), LegacyError> {
        check_text("Envelope/Identifier", &self.envelope_identifier, 14)?;
        check_text("Letter/Identifier", &self.letter_identifier, 14)?;
        check_optional(
            "EpisodeOfCareIdentifier",
            self.episode_identifier.as_deref(),
            35,
        )
    }

    /// The `Emessage` with its envelope.
    fn emessage(&self, namespace: &str) -> Element {
        crate::legacy::oioxml::emessage_with_envelope(
            namespace,
            self.sent.date(),
            self.sent.time(),
            &self.envelope_identifier,
            self.acknowledgement,
        )
    }

    fn letter(&self, parent: &Element, version: &str, code: &str) -> Element {
        let mut l = parent.child_element("Letter");
        l.push_text_child("Identifier", &self.letter_identifier);
        l.push_text_child("VersionCode", version);
        l.push_text_child("StatisticalCode", code);
        l.push(self.authorised.element(&l, "Authorisation"));
        l.push_text_child("TypeCode", code);
        l.push_text_child(
            "StatusCode",
            if self.corrected {
                "rettetbrev"
            } else {
                "nytbrev"
            },
        );
        if let Some(e) = &self.episode_identifier {
            l.push_text_child("EpisodeOfCareIdentifier", e);
        }
        l
    }
}

/// Checks clinical text lines: each is ISO 8859-1 without control characters, and neither
/// `.` alone nor ending in `\` (EDIFACT uses those for an empty line and a continuation).
fn check_lines(field: &'static str, lines: &[String]) -> Result<(), LegacyError> {
    if lines.is_empty() {
        return Err(invalid(field, "must hold at least one line"));
    }
    for l in lines {
        if l.chars().any(|c| u32::from(c) > 0xFF || c.is_control()) {
            return Err(invalid(
                field,
                "holds a character outside ISO 8859-1 or a control character",
            ));
        }
        if l == "." || l.ends_with('\\') {
            return Err(invalid(
                field,
                "a line may not be '.' alone or end with '\\'",
            ));
        }
    }
    Ok(())
}

/// A text element with one `Break` after each line.
fn text_element(parent: &Element, name: &str, lines: &[String]) -> Element {
    let mut e = parent.child_element(name);
    for l in lines {
        e.push_text(l);
        e.push(e.child_element("Break"));
    }
    e
}

/// Formatted text as plain lines: `Break` ends a line, formatting elements are flattened.
///
/// # Examples
///
/// ```
/// use medcom::legacy::{letters::text_lines, oioxml};
/// let e = oioxml::read(b"<T>a<Break/><Bold>b</Bold>c<Break/></T>").unwrap();
/// assert_eq!(text_lines(&e), ["a", "bc"]);
/// ```
#[must_use]
pub fn text_lines(text: &Element) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    collect(text, &mut lines, &mut current, 0);
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

fn collect(e: &Element, lines: &mut Vec<String>, current: &mut String, depth: usize) {
    if depth > 32 {
        return;
    }
    for c in e.children() {
        match c {
            Content::Text(t) => current.push_str(t),
            Content::Element(b) if b.name() == "Break" => lines.push(std::mem::take(current)),
            Content::Element(x) => collect(x, lines, current, depth + 1),
        }
    }
}

/// A read-only view of a party element.
#[derive(Clone, Copy, Debug)]
pub struct PartyView<'a>(&'a Element);

impl<'a> PartyView<'a> {
    /// `EANIdentifier`.
    #[must_use]
    pub fn ean(&self) -> &'a str {
        self.0.child_text("EANIdentifier")
    }
    /// `Identifier`.
    #[must_use]
    pub fn identifier(&self) -> &'a str {
        self.0.child_text("Identifier")
    }
    /// `IdentifierCode`.
    #[must_use]
    pub fn identifier_code(&self) -> &'a str {
        self.0.child_text("IdentifierCode")
    }
    /// `OrganisationName`.
    #[must_use]
    pub fn organisation(&self) -> &'a str {
        self.0.child_text("OrganisationName")
    }
    /// The element.
    #[must_use]
    pub fn element(&self) -> &'a Element {
        self.0
    }
}

/// A read-only view of the patient.
#[derive(Clone, Copy, Debug)]
pub struct PatientView<'a>(&'a Element);

impl<'a> PatientView<'a> {
    /// `CivilRegistrationNumber`, when present.
    #[must_use]
    pub fn cpr(&self) -> Option<&'a str> {
        self.0.child("CivilRegistrationNumber").map(Element::text)
    }
    /// `AlternativeIdentifier`, when present.
    #[must_use]
    pub fn alternative_identifier(&self) -> Option<&'a str> {
        self.0.child("AlternativeIdentifier").map(Element::text)
    }
    /// `PersonSurnameName`.
    #[must_use]
    pub fn surname(&self) -> &'a str {
        self.0.child_text("PersonSurnameName")
    }
    /// `PersonGivenName`, when present.
    #[must_use]
    pub fn given_name(&self) -> Option<&'a str> {
        self.0.child("PersonGivenName").map(Element::text)
    }
    /// `EpisodeOfCareStatusCode`, when present.
    #[must_use]
    pub fn episode_status(&self) -> Option<&'a str> {
        self.0.child("EpisodeOfCareStatusCode").map(Element::text)
    }
}

/// The letter element of a given root name in an `Emessage`, for the views.
fn letter_of<'a>(emessage: &'a Element, root: &'static str) -> Result<&'a Element, LegacyError> {
    crate::legacy::oioxml::Emessage::new(emessage)?;
    emessage.child(root).ok_or_else(|| {
        LegacyError::new(LegacyErrorKind::MissingElement { name: root }).with_location("/Emessage")
    })
}

/// Accessors shared by the letter views.
macro_rules! letter_view_common {
    () => {
        /// `Letter/Identifier`.
        #[must_use]
        pub fn identifier(&self) -> &'a str {
            self.0
                .child("Letter")
                .map_or("", |l| l.child_text("Identifier"))
        }

        /// `Letter/VersionCode`.
        #[must_use]
        pub fn version_code(&self) -> &'a str {
            self.0
                .child("Letter")
                .map_or("", |l| l.child_text("VersionCode"))
        }

        /// `Sender`.
        #[must_use]
        pub fn sender(&self) -> Option<super::PartyView<'a>> {
            self.0.child("Sender").map(super::PartyView)
        }

        /// `Receiver`.
        #[must_use]
        pub fn receiver(&self) -> Option<super::PartyView<'a>> {
            self.0.child("Receiver").map(super::PartyView)
        }

        /// `Patient`.
        #[must_use]
        pub fn patient(&self) -> Option<super::PatientView<'a>> {
            self.0.child("Patient").map(super::PatientView)
        }

        /// The letter element.
        #[must_use]
        pub fn element(&self) -> &'a crate::legacy::oioxml::Element {
            self.0
        }
    };
}
use letter_view_common;
