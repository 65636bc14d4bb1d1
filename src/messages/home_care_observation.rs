//! HomeCareObservation 1.2.1 (Kommunale Prøvesvar): a municipal acute-care team (the producer,
//! `KAF`) sends the observations it made at the patient's home to the general practitioner who
//! asked for them (the requester).
//!
//! The message holds a DiagnosticReport (`HomeCareReport`, status `final`, security label `R`)
//! whose performers are the producing organization and the PractitionerRole of the person who
//! made the observations (with a role code, a name and a telephone number:
//! `medcom-homecareReport-1`…`-3`), and one Observation per result (a code from NPU, MedCom's
//! observation codes, LOINC, SNOMED CT, IEEE 11073 or SKS; a quantity with its unit, or a text;
//! interpretation `NI`, not interpreted). The sender is a MedComProducerOrganization (SOR, GLN and
//! ProducentID `KAF`), the receiver a MedComRequesterOrganization (SOR, GLN, ydernummer and the
//! requesting doctor's initials or "not known", `medcom-homecareObservation-4`).
//!
//! A correction (`modified-message`) or a retraction (`retract-message`) points at the previous
//! message with role `revision` or `removal`; [`HomeCareObservation::modify`] and
//! [`HomeCareObservation::retract`] prepare them from the previous message.

use crate::messages::assembly::{message_header_of, read_sender};
use std::fmt;

use crate::model::{Document, Node, NodeId};

use super::assembly::{
    id_of, read_author, read_organization, read_patient, resolve, resolve_required, Activity,
    Assembly, EntityRole, Predecessor, PreviousMessage, Profiles,
};
use super::ids::Context;
use super::party::{Author, Organization, Patient, PersonName, Role};
use super::tree;
use super::{BuildError, ViewError};

/// `MessageHeader.eventCoding.code` of a HomeCareObservation.
pub const EVENT: &str = "homecareobservation-message";
/// `MessageHeader.definition`: the HomeCareObservation MessageDefinition, version 1.1.
pub const DEFINITION: &str = "http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComHomeCareObservationMessageDefinition|1.1";

const PROFILES: Profiles = Profiles {
    bundle: "http://medcomfhir.dk/ig/homecareobservation/StructureDefinition/medcom-homecareobservation-message",
    header: "http://medcomfhir.dk/ig/homecareobservation/StructureDefinition/medcom-homecareobservation-messageheader",
    organization:
        "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-organization",
    provenance: "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-provenance",
    patient: "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-patient",
    practitioner: "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitioner",
    practitioner_role:
        "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitionerrole",
    care_team: "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-careteam",
};
const PRODUCER: &str =
    "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-producer-organization";
const REQUESTER: &str =
    "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-requesterorganization";
const REPORT: &str = "http://medcomfhir.dk/ig/homecareobservation/StructureDefinition/medcom-homecareobservation-diagnosticreport";
const OBSERVATION: &str =
    "http://medcomfhir.dk/ig/homecareobservation/StructureDefinition/medcom-homecare-observation";
const PRODUCENT_ID: &str = "http://medcomfhir.dk/ig/terminology/CodeSystem/MedComProducentID";
const YDERNUMMER: &str = "urn:oid:1.2.208.176.1.4";
const DATA_ABSENT: &str = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";
const REPORT_CODES: &str =
    "http://medcomfhir.dk/ig/terminology/CodeSystem/MedComDiagnosticReportCodes";
const INTERPRETATION: &str =
    "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-core-interpretation-codes";
const CONFIDENTIALITY: &str = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
const UCUM: &str = "http://unitsofmeasure.org";

/// The code systems an observation code may come from (the slices of `Observation.code.coding`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CodeSystem {
    /// IEEE 11073 (`urn:iso:std:iso:11073:10101`).
    Ieee,
    /// LOINC (`http://loinc.org`).
    Loinc,
    /// MedCom's observation codes (`MCS…`).
    MedCom,
    /// NPU (`urn:oid:1.2.208.176.2.1`), the Danish laboratory codes.
    Npu,
    /// SKS (`urn:oid:1.2.208.176.2.4`).
    Sks,
    /// SNOMED CT (`http://snomed.info/sct`).
    Snomed,
}

impl CodeSystem {
    const ALL: [Self; 6] = [
        Self::Ieee,
        Self::Loinc,
        Self::MedCom,
        Self::Npu,
        Self::Sks,
        Self::Snomed,
    ];

    /// The system URI.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::home_care_observation::CodeSystem;
    /// assert_eq!(CodeSystem::Npu.uri(), "urn:oid:1.2.208.176.2.1");
    /// ```
    #[must_use]
    pub fn uri(self) -> &'static str {
        match self {
            Self::Ieee => "urn:iso:std:iso:11073:10101",
            Self::Loinc => "http://loinc.org",
            Self::MedCom => {
                "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-observation-codes"
            }
            Self::Npu => "urn:oid:1.2.208.176.2.1",
            Self::Sks => "urn:oid:1.2.208.176.2.4",
            Self::Snomed => "http://snomed.info/sct",
        }
    }

    fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.uri() == uri)
    }
}

/// What was observed: a code and its display text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObservationCode {
    /// The code system.
    pub system: CodeSystem,
    /// The code, e.g. `NPU22089`.
    pub code: String,
    /// The display text, e.g. `P(kB)—Glucose; stofk. = ? mmol/L`.
    pub display: Option<String>,
}

impl ObservationCode {
    /// A code with its display text.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::home_care_observation::{CodeSystem, ObservationCode};
    /// let c = ObservationCode::new(CodeSystem::MedCom, "MCS88122", "Pt—Respiration; frekvens = ? X 1/min");
    /// assert_eq!(c.code, "MCS88122");
    /// ```
    #[must_use]
    pub fn new(system: CodeSystem, code: &str, display: &str) -> Self {
        Self {
            system,
            code: code.to_owned(),
            display: Some(display.to_owned()),
        }
    }

    /// An NPU code with its display text.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::home_care_observation::{CodeSystem, ObservationCode};
    /// let c = ObservationCode::npu("NPU22089", "P(kB)—Glucose; stofk. = ? mmol/L");
    /// assert_eq!(c.system, CodeSystem::Npu);
    /// ```
    #[must_use]
    pub fn npu(code: &str, display: &str) -> Self {
        Self::new(CodeSystem::Npu, code, display)
    }
}

/// `valueQuantity.comparator`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Comparator {
    /// `>`.
    Greater,
    /// `>=`.
    GreaterOrEqual,
    /// `<`.
    Less,
    /// `<=`.
    LessOrEqual,
}

impl Comparator {
    /// The code.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::messages::home_care_observation::Comparator::Less.code(), "<");
    /// ```
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Greater => ">",
            Self::GreaterOrEqual => ">=",
            Self::Less => "<",
            Self::LessOrEqual => "<=",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        [
            Self::Greater,
            Self::GreaterOrEqual,
            Self::Less,
            Self::LessOrEqual,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }
}

/// A measured value with its unit (`dk-core-observation-mandatory-units`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Quantity {
    /// The number, as a FHIR decimal (`6.8`, `26`, `0.05`).
    pub value: String,
    /// The unit as shown, e.g. `mmol/L`.
    pub unit: Option<String>,
    /// The UCUM code of the unit, when given (`system` is then UCUM).
    pub ucum: Option<String>,
    /// `<`, `>` and the like, when the value is a bound.
    pub comparator: Option<Comparator>,
}

impl Quantity {
    /// A value with its unit as shown.
    ///
    /// # Examples
    ///
    /// ```
    /// let q = medcom::messages::home_care_observation::Quantity::new("6.8", "mmol/L");
    /// assert_eq!(q.unit.as_deref(), Some("mmol/L"));
    /// ```
    #[must_use]
    pub fn new(value: &str, unit: &str) -> Self {
        Self {
            value: value.to_owned(),
            unit: Some(unit.to_owned()),
            ucum: None,
            comparator: None,
        }
    }

    /// Sets the comparator.
    #[must_use]
    pub fn with_comparator(mut self, comparator: Comparator) -> Self {
        self.comparator = Some(comparator);
        self
    }

    /// Sets the UCUM code of the unit.
    #[must_use]
    pub fn with_ucum(mut self, code: &str) -> Self {
        self.ucum = Some(code.to_owned());
        self
    }
}

/// An observation's result.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ObservationValue {
    /// `valueQuantity`.
    Quantity(Quantity),
    /// `valueString`, e.g. `Negative`.
    Text(String),
}

/// `Observation.status` (MedCom core's value set).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObservationStatus {
    /// `cancelled`.
    Cancelled,
    /// `corrected`.
    Corrected,
    /// `final`.
    Final,
    /// `preliminary`.
    Preliminary,
    /// `registered`.
    Registered,
}

impl ObservationStatus {
    /// The code.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::messages::home_care_observation::ObservationStatus::Final.code(), "final");
    /// ```
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Cancelled => "cancelled",
            Self::Corrected => "corrected",
            Self::Final => "final",
            Self::Preliminary => "preliminary",
            Self::Registered => "registered",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        [
            Self::Cancelled,
            Self::Corrected,
            Self::Final,
            Self::Preliminary,
            Self::Registered,
        ]
        .into_iter()
        .find(|c| c.code() == code)
    }
}

/// One result.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Observation {
    /// What was observed.
    pub code: ObservationCode,
    /// When (`effectiveDateTime`, with a time zone).
    pub effective: String,
    /// The result.
    pub value: ObservationValue,
    /// A comment (`note.text`).
    pub note: Option<String>,
    /// The status. Default: [`ObservationStatus::Final`].
    pub status: ObservationStatus,
}

impl Observation {
    /// A final observation.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::home_care_observation::{Observation, ObservationCode, ObservationValue, Quantity};
    /// let o = Observation::new(
    ///     ObservationCode::npu("NPU22089", "P(kB)—Glucose; stofk. = ? mmol/L"),
    ///     "2025-08-07T14:47:23+02:00",
    ///     ObservationValue::Quantity(Quantity::new("6.8", "mmol/L")),
    /// );
    /// assert!(o.note.is_none());
    /// ```
    #[must_use]
    pub fn new(code: ObservationCode, effective: &str, value: ObservationValue) -> Self {
        Self {
            code,
            effective: effective.to_owned(),
            value,
            note: None,
            status: ObservationStatus::Final,
        }
    }

    /// Adds a comment.
    #[must_use]
    pub fn with_note(mut self, note: &str) -> Self {
        self.note = Some(note.to_owned());
        self
    }
}

/// The person who made the observations: a PractitionerRole with a coded role, its
/// Practitioner's name and telephone number (`medcom-homecareReport-1`…`-3`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Performer {
    /// The name.
    pub name: PersonName,
    /// The role, coded (e.g. [`Role::sks`]`("sygeplejerske")`).
    pub role: Role,
    /// A telephone number.
    pub phone: String,
}

impl Performer {
    /// A performer.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{PersonName, Role};
    /// use medcom::messages::home_care_observation::Performer;
    /// let p = Performer::new(PersonName::new("Pedersen", &["John"]), Role::sks("sygeplejerske"), "+45 05577668");
    /// assert_eq!(p.phone, "+45 05577668");
    /// ```
    #[must_use]
    pub fn new(name: PersonName, role: Role, phone: &str) -> Self {
        Self {
            name,
            role,
            phone: phone.to_owned(),
        }
    }
}

/// The requesting doctor's initials on the requester organization's contact, or that they are
/// not known (`medcom-homecareObservation-4`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequesterContact {
    /// The initials (`contact.name.given`).
    Initials(String),
    /// Not known (a `data-absent-reason` of `unknown`).
    NotKnown,
}

/// The receiver: the practice that asked for the observations.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Requester {
    /// The organization (SOR and GLN).
    pub organization: Organization,
    /// The practice's ydernummer (provider number).
    pub ydernummer: String,
    /// The requesting doctor.
    pub contact: RequesterContact,
}

impl Requester {
    /// A requester.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::Organization;
    /// use medcom::messages::home_care_observation::{Requester, RequesterContact};
    /// let gp = Organization::new("73091000016008", "5790000147465").with_name("Agerskov lægepraksis");
    /// let r = Requester::new(gp, "045861", RequesterContact::Initials("SDaA".into()));
    /// assert_eq!(r.ydernummer, "045861");
    /// ```
    #[must_use]
    pub fn new(organization: Organization, ydernummer: &str, contact: RequesterContact) -> Self {
        Self {
            organization,
            ydernummer: ydernummer.to_owned(),
            contact,
        }
    }
}

/// Why a HomeCareObservation cannot be built as given.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HomeCareObservationError {
    /// A message-level problem every standard checks (identifiers, timestamps, names).
    Build(BuildError),
    /// A text that is empty (FHIR strings are never empty).
    Empty {
        /// The element.
        element: &'static str,
    },
    /// A quantity's value is no FHIR decimal.
    InvalidDecimal {
        /// The value given.
        value: String,
    },
    /// The ydernummer is not digits.
    InvalidYdernummer {
        /// The value given.
        value: String,
    },
    /// Not an activity of a HomeCareObservation (`new-message`, `modified-message`,
    /// `retract-message`, `reply-message`).
    NotAnObservationActivity {
        /// The activity given.
        activity: Activity,
    },
    /// A report without observations.
    NoObservations,
    /// The performer has no telephone number (`medcom-homecareReport-3`).
    PerformerPhone {
        /// The value given.
        value: String,
    },
    /// The performer's role is text, not a code (`medcom-homecareReport-1`).
    PerformerRoleCode,
    /// The link to the previous message has the wrong role (`removal` for a retraction,
    /// `revision` otherwise).
    PredecessorRole {
        /// The activity.
        activity: Activity,
        /// The role given.
        role: EntityRole,
    },
    /// A correction, retraction or reply without a link to the previous message.
    PredecessorMissing {
        /// The activity.
        activity: Activity,
    },
    /// A quantity's value or a text value longer than the 12 characters the profile allows.
    ValueTooLong {
        /// The value given.
        value: String,
    },
    /// A quantity without a unit or UCUM code (`dk-core-observation-mandatory-units`).
    UnitMissing {
        /// The observation code.
        code: String,
    },
}

impl fmt::Display for HomeCareObservationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Build(e) => fmt::Display::fmt(e, f),
            Self::Empty { element } => write!(f, "{element} is empty"),
            Self::InvalidDecimal { value } => write!(f, "'{value}' is no decimal"),
            Self::InvalidYdernummer { value } => write!(f, "ydernummer '{value}' is not digits"),
            Self::NotAnObservationActivity { activity } => write!(
                f,
                "{} is not a HomeCareObservation activity",
                activity.code()
            ),
            Self::NoObservations => f.write_str("a HomeCareObservation needs an observation"),
            Self::PerformerPhone { value } => {
                write!(f, "performer telephone number '{value}' is not a number")
            }
            Self::PerformerRoleCode => f.write_str("the performer's role must be a code"),
            Self::PredecessorRole { activity, role } => write!(
                f,
                "activity {} cannot point at the previous message with role {}",
                activity.code(),
                role.code()
            ),
            Self::PredecessorMissing { activity } => write!(
                f,
                "activity {} needs the link to the previous message",
                activity.code()
            ),
            Self::UnitMissing { code } => write!(f, "the quantity of {code} has no unit"),
            Self::ValueTooLong { value } => {
                write!(
                    f,
                    "observation value '{value}' is longer than 12 characters"
                )
            }
        }
    }
}

impl std::error::Error for HomeCareObservationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Build(e) => Some(e),
            _ => None,
        }
    }
}

impl From<BuildError> for HomeCareObservationError {
    fn from(e: BuildError) -> Self {
        Self::Build(e)
    }
}

impl From<crate::model::BuildError> for HomeCareObservationError {
    fn from(e: crate::model::BuildError) -> Self {
        Self::Build(BuildError::Model(e))
    }
}

/// A HomeCareObservation message.
///
/// # Examples
///
/// ```
/// use medcom::messages::{Context, Organization, Patient, PersonName, Role};
/// use medcom::messages::home_care_observation::{
///     HomeCareObservation, Observation, ObservationCode, ObservationValue, Performer, Quantity,
///     Requester, RequesterContact,
/// };
/// let team = Organization::new("1267041000016006", "5790002757778").with_name("Akutteam");
/// let gp = Organization::new("73091000016008", "5790000147465").with_name("Agerskov lægepraksis");
/// let message = HomeCareObservation::new(
///     team,
///     Requester::new(gp, "045861", RequesterContact::Initials("SDaA".into())),
///     Patient::cpr("2509479989", PersonName::new("Elmer", &["Bruno"])),
///     Performer::new(PersonName::new("Pedersen", &["John"]), Role::sks("sygeplejerske"), "+45 05577668"),
///     "2025-08-07T15:00:00+02:00",
/// )
/// .with_observation(Observation::new(
///     ObservationCode::npu("NPU22089", "P(kB)—Glucose; stofk. = ? mmol/L"),
///     "2025-08-07T14:47:23+02:00",
///     ObservationValue::Quantity(Quantity::new("6.8", "mmol/L")),
/// ));
/// let doc = message.build(&Context::fixed(1_754_571_600)).unwrap();
/// assert!(medcom::validate::Validator::new().report(&doc).is_valid());
/// assert_eq!(HomeCareObservation::read(&doc).unwrap(), message);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HomeCareObservation {
    /// The producing organization (sender, ProducentID `KAF`).
    pub sender: Organization,
    /// The requesting practice (receiver).
    pub receiver: Requester,
    /// The patient.
    pub patient: Patient,
    /// Who made the observations.
    pub performer: Performer,
    /// `DiagnosticReport.issued` (instant with a time zone).
    pub issued: String,
    /// `DiagnosticReport.conclusion`, a summary.
    pub conclusion: Option<String>,
    /// The results, at least one.
    pub observations: Vec<Observation>,
    /// The activity of the message's Provenance. Default: [`Activity::NewMessage`].
    pub activity: Activity,
    /// The previous message a correction or retraction points at.
    pub previous: Option<Predecessor>,
}

impl HomeCareObservation {
    /// A new report (`new-message`) without observations yet.
    #[must_use]
    pub fn new(
        sender: Organization,
        receiver: Requester,
        patient: Patient,
        performer: Performer,
        issued: &str,
    ) -> Self {
        Self {
            sender,
            receiver,
            patient,
            performer,
            issued: issued.to_owned(),
            conclusion: None,
            observations: Vec::new(),
            activity: Activity::NewMessage,
            previous: None,
        }
    }

    /// Adds an observation.
    #[must_use]
    pub fn with_observation(mut self, observation: Observation) -> Self {
        self.observations.push(observation);
        self
    }

    /// Sets the conclusion.
    #[must_use]
    pub fn with_conclusion(mut self, conclusion: &str) -> Self {
        self.conclusion = Some(conclusion.to_owned());
        self
    }

    /// A correction of `previous` (`modified-message`, role `revision`), with its content to
    /// change before building.
    ///
    /// # Errors
    ///
    /// As [`Self::read`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use medcom::messages::{Activity, Context, Organization, Patient, PersonName, Role};
    /// # use medcom::messages::home_care_observation::*;
    /// # let team = Organization::new("1267041000016006", "5790002757778");
    /// # let gp = Organization::new("73091000016008", "5790000147465");
    /// # let first = HomeCareObservation::new(team, Requester::new(gp, "045861", RequesterContact::NotKnown),
    /// #     Patient::cpr("2509479989", PersonName::new("Elmer", &["Bruno"])),
    /// #     Performer::new(PersonName::new("Pedersen", &["John"]), Role::sks("sygeplejerske"), "+45 05577668"),
    /// #     "2025-08-07T15:00:00+02:00")
    /// #     .with_observation(Observation::new(ObservationCode::npu("NPU19748", "P—C-reaktivt protein; massek. = ? mg/L"),
    /// #         "2025-08-07T14:47:23+02:00", ObservationValue::Quantity(Quantity::new("26", "mg/L"))));
    /// let doc = first.build(&Context::new()).unwrap();
    /// let mut fix = HomeCareObservation::modify(&doc).unwrap();
    /// fix.observations[0].value = ObservationValue::Quantity(Quantity::new("28", "mg/L"));
    /// let fixed = fix.build(&Context::new()).unwrap();
    /// assert_eq!(HomeCareObservation::read(&fixed).unwrap().activity, Activity::ModifiedMessage);
    /// ```
    pub fn modify(previous: &Document<'_>) -> Result<Self, ViewError> {
        Self::follow(previous, Activity::ModifiedMessage, Predecessor::revision)
    }

    /// A retraction of `previous` (`retract-message`, role `removal`).
    ///
    /// # Errors
    ///
    /// As [`Self::read`].
    pub fn retract(previous: &Document<'_>) -> Result<Self, ViewError> {
        Self::follow(previous, Activity::RetractMessage, Predecessor::removal)
    }

    fn follow(
        previous: &Document<'_>,
        activity: Activity,
        link: fn(&str) -> Predecessor,
    ) -> Result<Self, ViewError> {
        let (mut next, header_id) = Self::read_parts(previous)?;
        next.activity = activity;
        next.previous = Some(link(&header_id));
        Ok(next)
    }

    /// Whether the message may be built.
    ///
    /// # Errors
    ///
    /// The first [`HomeCareObservationError`] found.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Organization, Patient, PersonName, Role};
    /// use medcom::messages::home_care_observation::*;
    /// let team = Organization::new("1267041000016006", "5790002757778");
    /// let gp = Organization::new("73091000016008", "5790000147465");
    /// let empty = HomeCareObservation::new(team, Requester::new(gp, "045861", RequesterContact::NotKnown),
    ///     Patient::cpr("2509479989", PersonName::new("Elmer", &["Bruno"])),
    ///     Performer::new(PersonName::new("Pedersen", &["John"]), Role::sks("sygeplejerske"), "+45 05577668"),
    ///     "2025-08-07T15:00:00+02:00");
    /// assert_eq!(empty.check(), Err(HomeCareObservationError::NoObservations));
    /// ```
    pub fn check(&self) -> Result<(), HomeCareObservationError> {
        use HomeCareObservationError as E;
        let activity = self.activity;
        let want = match activity {
            Activity::NewMessage => None,
            Activity::ModifiedMessage | Activity::ReplyMessage => Some(EntityRole::Revision),
            Activity::RetractMessage => Some(EntityRole::Removal),
            _ => return Err(E::NotAnObservationActivity { activity }),
        };
        match (&self.previous, want) {
            (None, Some(_)) => return Err(E::PredecessorMissing { activity }),
            (Some(p), Some(role)) if p.role != role => {
                return Err(E::PredecessorRole {
                    activity,
                    role: p.role,
                })
            }
            (Some(p), None) if p.role != EntityRole::Revision => {
                return Err(E::PredecessorRole {
                    activity,
                    role: p.role,
                })
            }
            _ => {}
        }
        self.sender.check_messaging()?;
        self.receiver.organization.check_messaging()?;
        let y = &self.receiver.ydernummer;
        if y.is_empty() || !y.bytes().all(|b| b.is_ascii_digit()) {
            return Err(E::InvalidYdernummer { value: y.clone() });
        }
        if let RequesterContact::Initials(i) = &self.receiver.contact {
            non_empty("requester initials", i)?;
        }
        self.patient.check()?;
        let p = &self.performer;
        if !matches!(p.role, Role::Code { .. }) {
            return Err(E::PerformerRoleCode);
        }
        let phone_ok = p.phone.bytes().any(|b| b.is_ascii_digit())
            && p.phone
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b' '));
        if !phone_ok || p.phone.trim() != p.phone {
            return Err(E::PerformerPhone {
                value: p.phone.clone(),
            });
        }
        Author::new(p.name.clone(), p.role.clone(), self.sender.clone()).check()?;
        super::check_date_time("DiagnosticReport.issued", &self.issued)?;
        if !self.issued.contains('T') {
            // An instant carries a time.
            return Err(BuildError::InvalidDateTime {
                element: "DiagnosticReport.issued",
                value: self.issued.clone(),
            }
            .into());
        }
        if let Some(c) = &self.conclusion {
            non_empty("DiagnosticReport.conclusion", c)?;
        }
        if self.observations.is_empty() {
            return Err(E::NoObservations);
        }
        for o in &self.observations {
            non_empty("Observation.code", &o.code.code)?;
            if let Some(d) = &o.code.display {
                non_empty("Observation.code.display", d)?;
            }
            super::check_date_time("Observation.effective", &o.effective)?;
            if let Some(n) = &o.note {
                non_empty("Observation.note", n)?;
            }
            match &o.value {
                ObservationValue::Text(t) => {
                    non_empty("Observation.valueString", t)?;
                    too_long(t)?;
                }
                ObservationValue::Quantity(q) => {
                    too_long(&q.value)?;
                    if !is_decimal(&q.value) {
                        return Err(E::InvalidDecimal {
                            value: q.value.clone(),
                        });
                    }
                    if q.unit.is_none() && q.ucum.is_none() {
                        return Err(E::UnitMissing {
                            code: o.code.code.clone(),
                        });
                    }
                    if let Some(u) = &q.unit {
                        non_empty("Observation.valueQuantity.unit", u)?;
                    }
                    if let Some(u) = &q.ucum {
                        non_empty("Observation.valueQuantity.code", u)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Builds the message.
    ///
    /// # Errors
    ///
    /// A [`HomeCareObservationError`] from [`Self::check`], or from building.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Context, Organization, Patient, PersonName, Role};
    /// use medcom::messages::home_care_observation::*;
    /// let team = Organization::new("1267041000016006", "5790002757778");
    /// let gp = Organization::new("73091000016008", "5790000147465");
    /// let doc = HomeCareObservation::new(team, Requester::new(gp, "045861", RequesterContact::NotKnown),
    ///     Patient::cpr("2509479989", PersonName::new("Elmer", &["Bruno"])),
    ///     Performer::new(PersonName::new("Pedersen", &["John"]), Role::sks("sygeplejerske"), "+45 05577668"),
    ///     "2025-08-07T15:00:00+02:00")
    ///     .with_observation(Observation::new(
    ///         ObservationCode::npu("NPU21578", "U—Protein; arb.k.(proc.) = ?"),
    ///         "2025-08-07T14:47:23+02:00",
    ///         ObservationValue::Text("Negative".into()),
    ///     ))
    ///     .build(&Context::new())
    ///     .unwrap();
    /// assert!(medcom::json::to_string(&doc).contains("\"valueString\":\"Negative\""));
    /// ```
    pub fn build(&self, ctx: &Context) -> Result<Document<'static>, HomeCareObservationError> {
        self.check()?;
        let mut a = Assembly::new(
            ctx,
            PROFILES,
            EVENT,
            &self.sender,
            &self.receiver.organization,
        )?;
        let header = a.header;
        // The sender is a producer organization, the receiver a requester organization.
        let sender = a.organization(&self.sender)?;
        let producer = entry_resource(&a, &sender)?;
        set_profile(&mut a, producer, PRODUCER)?;
        let i = a.tree.group(producer, "identifier")?;
        a.tree.val(i, "system", PRODUCENT_ID)?;
        a.tree.val(i, "value", "KAF")?;
        let receiver = a.organization(&self.receiver.organization)?;
        let requester = entry_resource(&a, &receiver)?;
        set_profile(&mut a, requester, REQUESTER)?;
        let i = a.tree.group(requester, "identifier")?;
        a.tree.val(i, "system", YDERNUMMER)?;
        a.tree.val(i, "value", &self.receiver.ydernummer)?;
        let contact = a.tree.group(requester, "contact")?;
        match &self.receiver.contact {
            RequesterContact::Initials(initials) => {
                let n = a.tree.group(contact, "name")?;
                a.tree.val(n, "given", initials)?;
            }
            RequesterContact::NotKnown => {
                let e = a.tree.extension(contact, DATA_ABSENT)?;
                a.tree.typed_val(e, "value", "code", "unknown")?;
            }
        }
        let patient = a.patient(&self.patient)?;
        let p = &self.performer;
        let role = a.author(&Author::new(
            p.name.clone(),
            p.role.clone(),
            self.sender.clone(),
        ))?;
        let practitioner = tree::text(
            a.tree.doc.node(entry_resource(&a, &role)?),
            &["practitioner", "reference"],
        )
        .map(str::to_owned)
        .ok_or(BuildError::Internal {
            detail: "PractitionerRole without practitioner",
        })?;
        let practitioner = entry_resource(&a, &practitioner)?;
        let t = a.tree.group(practitioner, "telecom")?;
        a.tree.val(t, "system", "phone")?;
        a.tree.val(t, "value", &p.phone)?;
        let mut results = Vec::new();
        for o in &self.observations {
            results.push(observation(&mut a, o, &patient)?);
        }
        let (report, report_id) = a.resource("DiagnosticReport", REPORT)?;
        let meta = a
            .tree
            .doc
            .node(report)
            .child("meta")
            .map(|m| m.id())
            .ok_or(BuildError::Internal {
                detail: "resource without meta",
            })?;
        let s = a.tree.typed(meta, "security", "Coding")?;
        a.tree.val(s, "system", CONFIDENTIALITY)?;
        a.tree.val(s, "code", "R")?;
        a.tree.val(s, "display", "Restricted")?;
        a.tree.val(report, "status", "final")?;
        a.tree
            .concept(report, "code", REPORT_CODES, "HomeCareReport")?;
        a.tree.reference(report, "subject", &patient)?;
        a.tree.val(report, "issued", &self.issued)?;
        a.tree.reference(report, "performer", &sender)?;
        a.tree.reference(report, "performer", &role)?;
        for r in &results {
            a.tree.reference(report, "result", r)?;
        }
        a.tree
            .opt(report, "conclusion", self.conclusion.as_deref())?;
        a.tree
            .reference(header, "focus", &format!("DiagnosticReport/{report_id}"))?;
        a.tree.val(header, "definition", DEFINITION)?;
        let mut own = a.own_provenance(self.activity, &self.sender);
        own.previous.clone_from(&self.previous);
        a.provenance(&own)?;
        Ok(a.finish()?)
    }

    /// Reads a HomeCareObservation: parties, performer, report and observations, and the
    /// activity and link of the message's own Provenance. A Media attached to the report is
    /// not part of the view.
    ///
    /// # Errors
    ///
    /// A [`ViewError`] when the document is no HomeCareObservation or lacks what the view
    /// needs.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Context, EmptyMessage, Organization, ViewError};
    /// use medcom::messages::home_care_observation::HomeCareObservation;
    /// let sender = Organization::new("265161000016000", "5790000209354");
    /// let receiver = Organization::new("953741000016009", "5790001348120");
    /// let doc = EmptyMessage::new(sender, receiver).build(&Context::new()).unwrap();
    /// assert!(matches!(HomeCareObservation::read(&doc), Err(ViewError::WrongEvent { .. })));
    /// ```
    pub fn read(doc: &Document<'_>) -> Result<Self, ViewError> {
        Self::read_parts(doc).map(|(m, _)| m)
    }

    fn read_parts(doc: &Document<'_>) -> Result<(Self, String), ViewError> {
        let (bundle, header) = message_header_of(doc, EVENT)?;
        let header_id = header.child_value("id").unwrap_or_default().to_owned();
        let mut sender = read_sender(bundle, header)?;
        // The producer id and the Ydernummer are written from this standard's own fields.
        let own = |i: &super::Identifier| i.system != PRODUCENT_ID && i.system != YDERNUMMER;
        sender.other_identifiers.retain(own);
        let destination = header
            .children_named("destination")
            .find(|d| d.child("receiver").is_some())
            .ok_or(ViewError::Missing {
                path: "MessageHeader.destination.receiver",
            })?;
        let receiver_ref =
            tree::text(destination, &["receiver", "reference"]).ok_or(ViewError::Missing {
                path: "MessageHeader.destination.receiver",
            })?;
        let receiver_node = resolve_required(bundle, receiver_ref)?;
        let mut organization = read_organization(receiver_node);
        organization.other_identifiers.retain(own);
        if let Some(e) = destination.child_value("endpoint") {
            organization.endpoint = e.to_owned();
        }
        let receiver = read_requester(receiver_node, organization)?;
        let report = tree::text(header, &["focus", "reference"])
            .and_then(|r| resolve(bundle, r))
            .filter(|r| r.ty().name() == "DiagnosticReport")
            .or_else(|| super::assembly::resources(bundle, "DiagnosticReport").next())
            .ok_or(ViewError::Missing {
                path: "MessageHeader.focus (DiagnosticReport)",
            })?;
        let patient = super::assembly::resources(bundle, "Patient")
            .next()
            .ok_or(ViewError::Missing { path: "Patient" })
            .and_then(read_patient)?;
        let performer = read_performer(bundle, report)?;
        let issued = report.child_value("issued").ok_or(ViewError::Missing {
            path: "DiagnosticReport.issued",
        })?;
        let observations = report
            .children_named("result")
            .filter_map(|r| r.child_value("reference"))
            .map(|r| resolve_required(bundle, r).and_then(read_observation))
            .collect::<Result<Vec<_>, _>>()?;
        let (activity, previous) = read_own_provenance(bundle, &header_id)?;
        Ok((
            Self {
                sender,
                receiver,
                patient,
                performer,
                issued: issued.to_owned(),
                conclusion: report.child_value("conclusion").map(str::to_owned),
                observations,
                activity,
                previous,
            },
            header_id,
        ))
    }
}

fn non_empty(element: &'static str, s: &str) -> Result<(), HomeCareObservationError> {
    if s.trim().is_empty() {
        Err(HomeCareObservationError::Empty { element })
    } else {
        Ok(())
    }
}

/// The HomeCareObservation profile limits `valueString` and `valueQuantity.value` to 12
/// characters.
fn too_long(value: &str) -> Result<(), HomeCareObservationError> {
    if value.chars().count() > 12 {
        Err(HomeCareObservationError::ValueTooLong {
            value: value.to_owned(),
        })
    } else {
        Ok(())
    }
}

/// A FHIR decimal: `-?(0|[1-9][0-9]*)(\.[0-9]+)?` (exponents are not used in measurements).
fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let int_ok = int == "0"
        || (!int.is_empty() && !int.starts_with('0') && int.bytes().all(|b| b.is_ascii_digit()));
    int_ok && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// The resource node a reference of the assembly points at (`Type/id`).
fn entry_resource(a: &Assembly<'_>, reference: &str) -> Result<NodeId, BuildError> {
    resolve(a.tree.doc.root(), reference)
        .map(|n| n.id())
        .ok_or(BuildError::Internal {
            detail: "reference to a resource not in the message",
        })
}

fn set_profile(a: &mut Assembly<'_>, resource: NodeId, profile: &str) -> Result<(), BuildError> {
    let node = a
        .tree
        .doc
        .node(resource)
        .child("meta")
        .and_then(|m| m.child("profile"))
        .map(|p| p.id())
        .ok_or(BuildError::Internal {
            detail: "resource without meta.profile",
        })?;
    a.tree.doc.set_value(node, Some(profile.to_owned().into()));
    Ok(())
}

fn observation(a: &mut Assembly<'_>, o: &Observation, patient: &str) -> Result<String, BuildError> {
    let (res, id) = a.resource("Observation", OBSERVATION)?;
    a.tree.val(res, "status", o.status.code())?;
    let code = a.tree.typed(res, "code", "CodeableConcept")?;
    let c = a
        .tree
        .coding(code, "coding", o.code.system.uri(), &o.code.code)?;
    a.tree.opt(c, "display", o.code.display.as_deref())?;
    a.tree.reference(res, "subject", patient)?;
    a.tree
        .typed_val(res, "effective", "dateTime", &o.effective)?;
    match &o.value {
        ObservationValue::Quantity(q) => {
            let v = a.tree.typed(res, "value", "Quantity")?;
            a.tree.val(v, "value", &q.value)?;
            a.tree
                .opt(v, "comparator", q.comparator.map(Comparator::code))?;
            a.tree.opt(v, "unit", q.unit.as_deref())?;
            if let Some(u) = &q.ucum {
                a.tree.val(v, "system", UCUM)?;
                a.tree.val(v, "code", u)?;
            }
        }
        ObservationValue::Text(t) => {
            a.tree.typed_val(res, "value", "string", t)?;
        }
    }
    let i = a.tree.typed(res, "interpretation", "CodeableConcept")?;
    let c = a.tree.coding(i, "coding", INTERPRETATION, "NI")?;
    a.tree.val(c, "display", "Not Interpreted")?;
    if let Some(n) = &o.note {
        let note = a.tree.group(res, "note")?;
        a.tree.val(note, "text", n)?;
    }
    Ok(format!("Observation/{id}"))
}

fn read_requester(org: Node<'_, '_>, organization: Organization) -> Result<Requester, ViewError> {
    let ydernummer = org
        .children_named("identifier")
        .find(|i| i.child_value("system") == Some(YDERNUMMER))
        .and_then(|i| i.child_value("value"))
        .ok_or(ViewError::Missing {
            path: "Organization.identifier:Ydernummer",
        })?;
    let contact = org.child("contact").ok_or(ViewError::Missing {
        path: "Organization.contact",
    })?;
    let contact = match contact.child("name").and_then(|n| n.child_value("given")) {
        Some(initials) => RequesterContact::Initials(initials.to_owned()),
        None => RequesterContact::NotKnown,
    };
    Ok(Requester {
        organization,
        ydernummer: ydernummer.to_owned(),
        contact,
    })
}

fn read_performer(bundle: Node<'_, '_>, report: Node<'_, '_>) -> Result<Performer, ViewError> {
    let role = report
        .children_named("performer")
        .filter_map(|p| p.child_value("reference"))
        .filter_map(|r| resolve(bundle, r))
        .find(|r| r.ty().name() == "PractitionerRole")
        .ok_or(ViewError::Missing {
            path: "DiagnosticReport.performer:PractitionerRole",
        })?;
    let author = read_author(bundle, role)?;
    let phone = tree::text(role, &["practitioner", "reference"])
        .and_then(|r| resolve(bundle, r))
        .and_then(|p| {
            p.children_named("telecom")
                .find(|t| t.child_value("system") == Some("phone"))
                .and_then(|t| t.child_value("value"))
        })
        .unwrap_or_default();
    Ok(Performer {
        name: author.name,
        role: author.role,
        phone: phone.to_owned(),
    })
}

fn read_observation(o: Node<'_, '_>) -> Result<Observation, ViewError> {
    let coding = o
        .child("code")
        .and_then(|c| {
            c.children_named("coding").find(|k| {
                k.child_value("system")
                    .and_then(CodeSystem::from_uri)
                    .is_some()
            })
        })
        .ok_or(ViewError::Missing {
            path: "Observation.code.coding",
        })?;
    let system_uri = coding.child_value("system").unwrap_or_default();
    let system = CodeSystem::from_uri(system_uri).ok_or_else(|| ViewError::UnknownCode {
        element: "Observation.code.coding.system",
        code: system_uri.to_owned(),
    })?;
    let code = ObservationCode {
        system,
        code: coding.child_value("code").unwrap_or_default().to_owned(),
        display: coding.child_value("display").map(str::to_owned),
    };
    let effective = o
        .child("effective")
        .and_then(|e| e.value())
        .ok_or(ViewError::Missing {
            path: "Observation.effectiveDateTime",
        })?;
    let value = o.child("value").ok_or(ViewError::Missing {
        path: "Observation.value",
    })?;
    let value = match value.ty().name() {
        "Quantity" => ObservationValue::Quantity(Quantity {
            value: value.child_value("value").unwrap_or_default().to_owned(),
            unit: value.child_value("unit").map(str::to_owned),
            ucum: value.child_value("code").map(str::to_owned),
            comparator: value
                .child_value("comparator")
                .and_then(Comparator::from_code),
        }),
        "string" => ObservationValue::Text(value.value().unwrap_or_default().to_owned()),
        other => {
            return Err(ViewError::UnknownCode {
                element: "Observation.value[x]",
                code: other.to_owned(),
            })
        }
    };
    let status_code = o.child_value("status").unwrap_or_default();
    let status =
        ObservationStatus::from_code(status_code).ok_or_else(|| ViewError::UnknownCode {
            element: "Observation.status",
            code: status_code.to_owned(),
        })?;
    Ok(Observation {
        code,
        effective: effective.to_owned(),
        value,
        note: o
            .children_named("note")
            .find_map(|n| n.child_value("text"))
            .map(str::to_owned),
        status,
    })
}

/// The activity and link of the Provenance that targets the message's own MessageHeader.
fn read_own_provenance(
    bundle: Node<'_, '_>,
    header_id: &str,
) -> Result<(Activity, Option<Predecessor>), ViewError> {
    let own = super::assembly::resources(bundle, "Provenance")
        .find(|p| tree::text(*p, &["target", "reference"]).map(id_of) == Some(header_id))
        .ok_or(ViewError::Missing {
            path: "Provenance.target (of this message's MessageHeader)",
        })?;
    let code = tree::text(own, &["activity", "coding", "code"]).ok_or(ViewError::Missing {
        path: "Provenance.activity.coding.code",
    })?;
    let activity = Activity::from_code(code).ok_or_else(|| ViewError::UnknownCode {
        element: "Provenance.activity",
        code: code.to_owned(),
    })?;
    let previous = own.children_named("entity").find_map(|e| {
        let role = match e.child_value("role") {
            Some("revision") => EntityRole::Revision,
            Some("removal") => EntityRole::Removal,
            _ => return None,
        };
        let what = e.child("what")?;
        let message = match (
            what.child_value("reference"),
            tree::text(what, &["identifier", "value"]),
        ) {
            (Some(r), _) => PreviousMessage::Header(id_of(r).to_owned()),
            (None, Some(i)) => PreviousMessage::Legacy(i.to_owned()),
            (None, None) => return None,
        };
        Some(Predecessor { role, message })
    });
    Ok((activity, previous))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals() {
        for (v, ok) in [
            ("6.8", true),
            ("26", true),
            ("0.05", true),
            ("-1.5", true),
            ("0", true),
            ("07", false),
            ("1.", false),
            (".5", false),
            ("1e3", false),
            ("", false),
        ] {
            assert_eq!(is_decimal(v), ok, "{v}");
        }
    }
}
