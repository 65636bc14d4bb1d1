//! HospitalNotification 3.0.2 (Advis om sygehusophold): the hospital tells the patient's home
//! municipality that the patient was admitted, went on leave, came back, was discharged or died,
//! and corrects or cancels what it said before.
//!
//! One message describes the stay as it is now: the Encounter's class, status, period and leave
//! period follow from the activity of the message's own Provenance (DIGEST §2.2):
//!
//! | activity | class | status | also |
//! | --- | --- | --- | --- |
//! | `admit-inpatient` (STIN) | IMP | in-progress | |
//! | `admit-emergency` (STAA) | EMER | in-progress | |
//! | `start-leave-inpatient` (STOR) | IMP | onleave | leave period start |
//! | `end-leave-inpatient` (SLOR) | IMP | in-progress | leave period start and end |
//! | `discharge-inpatient-home` / `discharge-emergency-home` (SLHJ) | IMP / EMER | finished | period end |
//! | `revise-…` (RE_) | as the revised event | as the revised event | |
//! | `cancel-admit-…` (AN_) | as admitted | entered-in-error | |
//! | `cancel-start-leave-inpatient` | IMP | in-progress | no leave |
//! | `cancel-end-leave-inpatient` | IMP | onleave | leave start, no end |
//! | `cancel-discharge-…` | as admitted | in-progress | no period end |
//! | MORS: the current activity, `Patient.deceasedBoolean` true | as the activity | finished | period end |
//!
//! Every message after the first carries all earlier Provenances and one new one, whose entity
//! points at the previous MessageHeader with role `revision` (`removal` for a cancellation).
//! [`HospitalNotification::follow_up`] reads the previous message and prepares the next one;
//! the event methods ([`HospitalNotification::start_leave`], …) move the stay on.

use crate::messages::assembly::{message_header_of, read_sender};
use std::fmt;

use crate::fhirpath::Temporal;
use crate::model::{Document, Node};

use super::assembly::{
    id_of, read_organization, read_patient, resolve, resolve_required, Activity, Assembly,
    EntityRole, Predecessor, PreviousMessage, Profiles, ProvenanceRecord,
};
use super::ids::Context;
use super::party::{Organization, Patient, SOR_SYSTEM};
use super::tree;
use super::{BuildError, ViewError, SOR_ENDPOINT};

/// `MessageHeader.eventCoding.code` of a HospitalNotification.
pub const EVENT: &str = "hospital-notification-message";

const PROFILES: Profiles = Profiles {
    bundle: "http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-hospitalNotification-message",
    header: "http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-hospitalNotification-messageHeader",
    organization:
        "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-organization",
    provenance: "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-provenance",
    patient: "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-patient",
    practitioner: "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitioner",
    practitioner_role:
        "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitionerrole",
    care_team: "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-careteam",
};
const ENCOUNTER_PROFILE: &str = "http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-hospitalNotification-encounter";
const CORE_ORGANIZATION: &str =
    "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-organization";
/// The leave-period extension (the misspelling is MedCom's).
const LEAVE_PERIOD: &str = "http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-hospitalnotifiation-leave-period-extension";
const REPORT_OF_ADMISSION: &str = "http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-messaging-reportOfAdmissionExtension";
const REPORT_OF_ADMISSION_RECIPIENT: &str = "http://medcomfhir.dk/ig/hospitalnotification/StructureDefinition/medcom-messaging-reportOfAdmissionRecipientExtension";
const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
/// The system of LPR3 episode-of-care identifiers (values are UUIDv5).
pub const LPR3_SYSTEM: &str = "https://www.esundhed.dk/Registre/Landspatientregisteret";

/// `Encounter.class`: inpatient (`IMP`) or acute ambulant (`EMER`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EncounterClass {
    /// `EMER`: acute ambulant (STAA).
    Emergency,
    /// `IMP`: admitted (STIN).
    Inpatient,
}

impl EncounterClass {
    /// The v3 ActCode.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::messages::hospital_notification::EncounterClass::Inpatient.code(), "IMP");
    /// ```
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Emergency => "EMER",
            Self::Inpatient => "IMP",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        match code {
            "EMER" => Some(Self::Emergency),
            "IMP" => Some(Self::Inpatient),
            _ => None,
        }
    }
}

/// `Encounter.status` as a HospitalNotification uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EncounterStatus {
    /// `entered-in-error`: the admission was cancelled.
    EnteredInError,
    /// `finished`: discharged or deceased.
    Finished,
    /// `in-progress`: admitted.
    InProgress,
    /// `onleave`: on leave.
    OnLeave,
}

impl EncounterStatus {
    /// The FHIR code.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::messages::hospital_notification::EncounterStatus::OnLeave.code(), "onleave");
    /// ```
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::EnteredInError => "entered-in-error",
            Self::Finished => "finished",
            Self::InProgress => "in-progress",
            Self::OnLeave => "onleave",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        match code {
            "entered-in-error" => Some(Self::EnteredInError),
            "finished" => Some(Self::Finished),
            "in-progress" => Some(Self::InProgress),
            "onleave" => Some(Self::OnLeave),
            _ => None,
        }
    }
}

/// The leave period extension: when the leave started and, once it is over, ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LeavePeriod {
    /// Start of the leave (dateTime with a time zone).
    pub start: String,
    /// End of the leave, once the patient is back.
    pub end: Option<String>,
}

impl LeavePeriod {
    /// A leave that started at `start`.
    ///
    /// # Examples
    ///
    /// ```
    /// let leave = medcom::messages::hospital_notification::LeavePeriod::new("2024-05-03T10:00:00+02:00");
    /// assert!(leave.end.is_none());
    /// ```
    #[must_use]
    pub fn new(start: &str) -> Self {
        Self {
            start: start.to_owned(),
            end: None,
        }
    }
}

/// An episode-of-care identifier (`Encounter.episodeOfCare.identifier`): it ties the
/// notifications of one stay together and is returned in every following message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EpisodeOfCare {
    /// The identifier system: the sending unit's SOR endpoint URL for a local identifier, or
    /// [`LPR3_SYSTEM`].
    pub system: String,
    /// The identifier: a UUID (governance 080), for LPR3 a `urn:uuid:` UUIDv5.
    pub value: String,
}

impl EpisodeOfCare {
    /// A local episode-of-care identifier of the sending organization (system
    /// `https://sor2.sum.dsdn.dk/#id=<SOR>`).
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::Organization;
    /// use medcom::messages::hospital_notification::EpisodeOfCare;
    /// let hospital = Organization::new("265161000016000", "5790000209354");
    /// let e = EpisodeOfCare::local(&hospital, "bd481c38-a921-11ed-afa1-0242ac120002");
    /// assert_eq!(e.system, "https://sor2.sum.dsdn.dk/#id=265161000016000");
    /// ```
    #[must_use]
    pub fn local(organization: &Organization, uuid: &str) -> Self {
        Self {
            system: format!("{SOR_ENDPOINT}{}", organization.sor),
            value: uuid.to_owned(),
        }
    }

    /// An LPR3 episode-of-care identifier (`urn:uuid:` and a UUIDv5).
    ///
    /// # Examples
    ///
    /// ```
    /// let e = medcom::messages::hospital_notification::EpisodeOfCare::lpr3("urn:uuid:fc60e762-b13b-5773-865e-67f3907bdcc7");
    /// assert_eq!(e.system, medcom::messages::hospital_notification::LPR3_SYSTEM);
    /// ```
    #[must_use]
    pub fn lpr3(value: &str) -> Self {
        Self {
            system: LPR3_SYSTEM.to_owned(),
            value: value.to_owned(),
        }
    }

    fn check(&self) -> Result<(), HospitalNotificationError> {
        let bad = || HospitalNotificationError::InvalidEpisodeOfCare {
            value: self.value.clone(),
        };
        if self.system == LPR3_SYSTEM {
            // The LPR3 slice: `urn:uuid:` and a version 5 UUID (`uuidv5`).
            let uuid = self.value.strip_prefix("urn:uuid:").ok_or_else(bad)?;
            let b = uuid.as_bytes();
            let v5 = is_any_case_uuid(uuid)
                && b.get(14) == Some(&b'5')
                && b.get(19).is_some_and(|c| b"89abAB".contains(c));
            return if v5 { Ok(()) } else { Err(bad()) };
        }
        if self.system.trim().is_empty() {
            return Err(bad());
        }
        let uuid = self.value.strip_prefix("urn:uuid:").unwrap_or(&self.value);
        if is_any_case_uuid(uuid) {
            Ok(())
        } else {
            Err(bad())
        }
    }
}

fn is_any_case_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The Encounter of the notification: the stay as it is now.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HospitalStay {
    /// `class`.
    pub class: EncounterClass,
    /// `status`.
    pub status: EncounterStatus,
    /// `period.start`: when the patient physically arrived.
    pub start: String,
    /// `period.end`: when the patient left or died.
    pub end: Option<String>,
    /// The leave period extension.
    pub leave: Option<LeavePeriod>,
    /// `episodeOfCare.identifier`, at least one.
    pub episodes_of_care: Vec<EpisodeOfCare>,
    /// `serviceProvider`, when it is not the sender (a ward known by SOR alone, say).
    /// Default: `None`, the sender.
    pub service_provider: Option<Organization>,
}

/// The report-of-admission request on the MessageHeader (asks the municipality for a Report of
/// Admission, XDIS16).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportOfAdmission {
    /// The flag is `false`.
    NotRequested,
    /// The flag is `true`; the report goes to this organization (the recipient extension,
    /// present exactly when the flag is true).
    Requested(Organization),
}

/// Why a HospitalNotification cannot be built as given: a combination the standard forbids
/// (DIGEST §2.2), caught before serialization.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HospitalNotificationError {
    /// A message-level problem every standard checks (identifiers, timestamps, names).
    Build(BuildError),
    /// The Encounter class does not fit the activity (e.g. a leave of an acute ambulant
    /// stay).
    ClassMismatch {
        /// The activity.
        activity: Activity,
        /// The class given.
        class: EncounterClass,
    },
    /// The patient is identified by an eCPR number; a HospitalNotification needs the official
    /// CPR number (`medcom-hospitalNotification-4`).
    CprRequired,
    /// A deceased patient (MORS) with a cancellation.
    DeceasedCancellation {
        /// The activity.
        activity: Activity,
    },
    /// No episode-of-care identifier (`Encounter.episodeOfCare 1..`).
    EpisodeOfCareMissing,
    /// An episode-of-care identifier that is no UUID (an LPR3 one no `urn:uuid:` UUIDv5).
    InvalidEpisodeOfCare {
        /// The value given.
        value: String,
    },
    /// A leave period the activity does not allow (an acute ambulant stay, or a leave end
    /// before the patient is back).
    LeaveNotAllowed {
        /// The activity.
        activity: Activity,
    },
    /// The activity needs the leave period's end.
    LeaveEndMissing {
        /// The activity.
        activity: Activity,
    },
    /// The activity (status `onleave`) needs the leave period's start
    /// (`medcom-hospitalNotification-6`).
    LeaveStartMissing {
        /// The activity.
        activity: Activity,
    },
    /// Not a HospitalNotification activity (e.g. `new-message`).
    NotANotificationActivity {
        /// The activity given.
        activity: Activity,
    },
    /// A finished stay (discharge, MORS) without `period.end`.
    PeriodEndMissing {
        /// The activity.
        activity: Activity,
    },
    /// A period end (of the stay or the leave) before its start, or a leave before the
    /// admission.
    PeriodOrder {
        /// Which period.
        period: &'static str,
    },
    /// An end given while the stay is not finished.
    PeriodEndNotAllowed {
        /// The activity.
        activity: Activity,
    },
    /// The link to the previous message has the wrong role: `removal` for a cancellation,
    /// `revision` otherwise.
    PredecessorRole {
        /// The activity.
        activity: Activity,
        /// The role given.
        role: EntityRole,
    },
    /// A follow-up activity without a link to the previous message.
    PredecessorMissing {
        /// The activity.
        activity: Activity,
    },
    /// The Encounter status does not fit the activity.
    StatusMismatch {
        /// The activity.
        activity: Activity,
        /// The status given.
        status: EncounterStatus,
        /// The status the activity needs.
        expected: EncounterStatus,
    },
    /// The event cannot follow the stay's current state (e.g. end of leave while not on
    /// leave, anything after a cancelled admission).
    Transition {
        /// The event asked for.
        event: &'static str,
        /// The current status.
        status: EncounterStatus,
        /// The current activity.
        activity: Activity,
    },
}

impl fmt::Display for HospitalNotificationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Build(e) => fmt::Display::fmt(e, f),
            Self::ClassMismatch { activity, class } => write!(
                f,
                "activity {} does not fit Encounter.class {}",
                activity.code(),
                class.code()
            ),
            Self::CprRequired => {
                f.write_str("a HospitalNotification needs the patient's CPR number")
            }
            Self::DeceasedCancellation { activity } => write!(
                f,
                "a deceased patient cannot be reported with the cancellation {}",
                activity.code()
            ),
            Self::EpisodeOfCareMissing => f.write_str("missing episode-of-care identifier"),
            Self::InvalidEpisodeOfCare { value } => {
                write!(
                    f,
                    "episode-of-care identifier '{value}' is no UUID of its system"
                )
            }
            Self::LeaveNotAllowed { activity } => write!(
                f,
                "activity {} does not allow this leave period",
                activity.code()
            ),
            Self::LeaveEndMissing { activity } => {
                write!(f, "activity {} needs the end of the leave", activity.code())
            }
            Self::LeaveStartMissing { activity } => {
                write!(
                    f,
                    "activity {} needs the start of the leave",
                    activity.code()
                )
            }
            Self::NotANotificationActivity { activity } => write!(
                f,
                "{} is not a HospitalNotification activity",
                activity.code()
            ),
            Self::PeriodEndMissing { activity } => write!(
                f,
                "activity {} finishes the stay and needs period.end",
                activity.code()
            ),
            Self::PeriodOrder { period } => write!(f, "{period} ends before it starts"),
            Self::PeriodEndNotAllowed { activity } => write!(
                f,
                "activity {} leaves the stay open, so period.end must be absent",
                activity.code()
            ),
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
            Self::StatusMismatch {
                activity,
                status,
                expected,
            } => write!(
                f,
                "activity {} needs Encounter.status {}, not {}",
                activity.code(),
                expected.code(),
                status.code()
            ),
            Self::Transition {
                event,
                status,
                activity,
            } => write!(
                f,
                "cannot {event} after {} (status {})",
                activity.code(),
                status.code()
            ),
        }
    }
}

impl std::error::Error for HospitalNotificationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Build(e) => Some(e),
            _ => None,
        }
    }
}

impl From<BuildError> for HospitalNotificationError {
    fn from(e: BuildError) -> Self {
        Self::Build(e)
    }
}

impl From<crate::model::BuildError> for HospitalNotificationError {
    fn from(e: crate::model::BuildError) -> Self {
        Self::Build(BuildError::Model(e))
    }
}

/// What an activity needs of the stay.
struct Expect {
    /// The base event, without `revise-`/`cancel-`.
    base: &'static str,
    class: EncounterClass,
    status: EncounterStatus,
    /// Leave start required (`Some(false)`: no leave end; `Some(true)`: the end too).
    leave: Option<bool>,
}

fn expect(activity: Activity) -> Option<Expect> {
    use EncounterClass::{Emergency, Inpatient};
    use EncounterStatus::{EnteredInError, Finished, InProgress, OnLeave};
    let code = activity.code();
    let (base, cancel) = match code.strip_prefix("cancel-") {
        Some(b) => (b, true),
        None => (code.strip_prefix("revise-").unwrap_or(code), false),
    };
    let (base, class, status, leave) = match base {
        "admit-inpatient" => ("admit-inpatient", Inpatient, InProgress, None),
        "admit-emergency" => ("admit-emergency", Emergency, InProgress, None),
        "start-leave-inpatient" => ("start-leave-inpatient", Inpatient, OnLeave, Some(false)),
        "end-leave-inpatient" => ("end-leave-inpatient", Inpatient, InProgress, Some(true)),
        "discharge-inpatient-home" => ("discharge-inpatient-home", Inpatient, Finished, None),
        "discharge-emergency-home" => ("discharge-emergency-home", Emergency, Finished, None),
        _ => return None,
    };
    if !cancel {
        return Some(Expect {
            base,
            class,
            status,
            leave,
        });
    }
    // A cancellation puts the stay back where it was before the cancelled event.
    let (status, leave) = match base {
        "start-leave-inpatient" | "discharge-inpatient-home" | "discharge-emergency-home" => {
            (InProgress, None)
        }
        "end-leave-inpatient" => (OnLeave, Some(false)),
        _ => (EnteredInError, None),
    };
    Some(Expect {
        base,
        class,
        status,
        leave,
    })
}

fn with_prefix(prefix: &str, base: &str) -> Option<Activity> {
    Activity::from_code(&format!("{prefix}{base}"))
}

/// A HospitalNotification: what the hospital tells the municipality about one stay.
///
/// # Examples
///
/// ```
/// use medcom::messages::{Context, Organization, Patient, PersonName};
/// use medcom::messages::hospital_notification::{EpisodeOfCare, HospitalNotification};
/// let hospital = Organization::new("265161000016000", "5790000209354").with_name("Hjerteafdelingen");
/// let municipality = Organization::new("953741000016009", "5790001348120").with_name("Herlev Kommune");
/// let patient = Patient::cpr("2509479989", PersonName::new("Elmer", &["Bruno"]));
/// let episode = EpisodeOfCare::local(&hospital, "bd481c38-a921-41ed-afa1-0242ac120002");
/// let admit = HospitalNotification::admit_inpatient(
///     hospital, municipality, patient, episode, "2024-05-01T08:00:00+02:00",
/// );
/// let ctx = Context::fixed(1_714_550_400);
/// let doc = admit.build(&ctx).unwrap();
/// assert!(medcom::validate::Validator::new().report(&doc).is_valid());
/// assert_eq!(HospitalNotification::read(&doc).unwrap(), admit);
///
/// // The next message: the patient goes on leave.
/// let leave = HospitalNotification::follow_up(&doc)
///     .unwrap()
///     .start_leave("2024-05-03T10:00:00+02:00")
///     .unwrap();
/// let doc2 = leave.build(&ctx).unwrap();
/// assert!(medcom::validate::Validator::new().report(&doc2).is_valid());
/// assert_eq!(HospitalNotification::read(&doc2).unwrap().history.len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HospitalNotification {
    /// The hospital (sender; `Provenance.agent` of this message).
    pub sender: Organization,
    /// The patient's home municipality (the primary receiver; HospitalNotification has no cc).
    pub receiver: Organization,
    /// The patient, with a CPR number; `deceased` true reports a death (MORS).
    pub patient: Patient,
    /// The activity of this message's Provenance.
    pub activity: Activity,
    /// The stay.
    pub stay: HospitalStay,
    /// The report-of-admission request, if any.
    pub report_of_admission: Option<ReportOfAdmission>,
    /// The Provenances of the earlier messages of the stay, carried forward in order.
    pub history: Vec<ProvenanceRecord>,
    /// The link of this message's Provenance to the previous message.
    pub previous: Option<Predecessor>,
}

impl HospitalNotification {
    fn admit(
        activity: Activity,
        class: EncounterClass,
        sender: Organization,
        receiver: Organization,
        patient: Patient,
        episode_of_care: EpisodeOfCare,
        start: &str,
    ) -> Self {
        Self {
            sender,
            receiver,
            patient,
            activity,
            stay: HospitalStay {
                class,
                status: EncounterStatus::InProgress,
                start: start.to_owned(),
                end: None,
                leave: None,
                episodes_of_care: vec![episode_of_care],
                service_provider: None,
            },
            report_of_admission: None,
            history: Vec::new(),
            previous: None,
        }
    }

    /// The first notification of an inpatient stay (STIN, `admit-inpatient`): class IMP,
    /// status in-progress, admitted at `start`.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Organization, Patient, PersonName};
    /// use medcom::messages::hospital_notification::{EncounterClass, EpisodeOfCare, HospitalNotification};
    /// let hospital = Organization::new("265161000016000", "5790000209354");
    /// let n = HospitalNotification::admit_inpatient(
    ///     hospital.clone(),
    ///     Organization::new("953741000016009", "5790001348120"),
    ///     Patient::cpr("2509479989", PersonName::new("Elmer", &["Bruno"])),
    ///     EpisodeOfCare::local(&hospital, "bd481c38-a921-41ed-afa1-0242ac120002"),
    ///     "2024-05-01T08:00:00+02:00",
    /// );
    /// assert_eq!(n.stay.class, EncounterClass::Inpatient);
    /// ```
    #[must_use]
    pub fn admit_inpatient(
        sender: Organization,
        receiver: Organization,
        patient: Patient,
        episode_of_care: EpisodeOfCare,
        start: &str,
    ) -> Self {
        Self::admit(
            Activity::AdmitInpatient,
            EncounterClass::Inpatient,
            sender,
            receiver,
            patient,
            episode_of_care,
            start,
        )
    }

    /// The first notification of an acute ambulant stay (STAA, `admit-emergency`): class
    /// EMER, status in-progress, arrived at `start`.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Organization, Patient, PersonName};
    /// use medcom::messages::hospital_notification::{EncounterClass, EpisodeOfCare, HospitalNotification};
    /// let hospital = Organization::new("265161000016000", "5790000209354");
    /// let n = HospitalNotification::admit_emergency(
    ///     hospital.clone(),
    ///     Organization::new("953741000016009", "5790001348120"),
    ///     Patient::cpr("2509479989", PersonName::new("Elmer", &["Bruno"])),
    ///     EpisodeOfCare::local(&hospital, "bd481c38-a921-41ed-afa1-0242ac120002"),
    ///     "2024-05-01T08:00:00+02:00",
    /// );
    /// assert_eq!(n.stay.class, EncounterClass::Emergency);
    /// ```
    #[must_use]
    pub fn admit_emergency(
        sender: Organization,
        receiver: Organization,
        patient: Patient,
        episode_of_care: EpisodeOfCare,
        start: &str,
    ) -> Self {
        Self::admit(
            Activity::AdmitEmergency,
            EncounterClass::Emergency,
            sender,
            receiver,
            patient,
            episode_of_care,
            start,
        )
    }

    /// Sets the report-of-admission request.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Organization, Patient, PersonName};
    /// use medcom::messages::hospital_notification::{EpisodeOfCare, HospitalNotification, ReportOfAdmission};
    /// let hospital = Organization::new("265161000016000", "5790000209354");
    /// let n = HospitalNotification::admit_inpatient(
    ///     hospital.clone(),
    ///     Organization::new("953741000016009", "5790001348120"),
    ///     Patient::cpr("2509479989", PersonName::new("Elmer", &["Bruno"])),
    ///     EpisodeOfCare::local(&hospital, "bd481c38-a921-41ed-afa1-0242ac120002"),
    ///     "2024-05-01T08:00:00+02:00",
    /// )
    /// .with_report_of_admission(ReportOfAdmission::Requested(hospital));
    /// assert!(n.report_of_admission.is_some());
    /// ```
    #[must_use]
    pub fn with_report_of_admission(mut self, request: ReportOfAdmission) -> Self {
        self.report_of_admission = Some(request);
        self
    }

    /// Sets the service provider (the unit responsible for the stay) when it is not the
    /// sender.
    #[must_use]
    pub fn with_service_provider(mut self, organization: Organization) -> Self {
        self.stay.service_provider = Some(organization);
        self
    }

    /// Adds another episode-of-care identifier (an LPR3 one beside the local one, say).
    #[must_use]
    pub fn with_episode_of_care(mut self, episode_of_care: EpisodeOfCare) -> Self {
        self.stay.episodes_of_care.push(episode_of_care);
        self
    }

    /// Reads a received or sent notification and prepares the next message of the stay: every
    /// Provenance of `previous` is carried forward, the new one will point at its
    /// MessageHeader with role `revision`, the report-of-admission request is dropped (it
    /// belongs to the admission), and the rest (patient, stay, episode of care, parties)
    /// stays as it was until an event method changes it.
    ///
    /// # Errors
    ///
    /// As [`Self::read`].
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Activity, Context, Organization, Patient, PersonName};
    /// use medcom::messages::hospital_notification::{EpisodeOfCare, HospitalNotification};
    /// let hospital = Organization::new("265161000016000", "5790000209354");
    /// let admit = HospitalNotification::admit_inpatient(
    ///     hospital.clone(),
    ///     Organization::new("953741000016009", "5790001348120"),
    ///     Patient::cpr("2509479989", PersonName::new("Elmer", &["Bruno"])),
    ///     EpisodeOfCare::local(&hospital, "bd481c38-a921-41ed-afa1-0242ac120002"),
    ///     "2024-05-01T08:00:00+02:00",
    /// );
    /// let doc = admit.build(&Context::fixed(1_714_550_400)).unwrap();
    /// let next = HospitalNotification::follow_up(&doc).unwrap();
    /// assert_eq!(next.history.len(), 1);
    /// assert_eq!(next.history[0].activity, Activity::AdmitInpatient);
    /// ```
    pub fn follow_up(previous: &Document<'_>) -> Result<Self, ViewError> {
        let (mut next, header_id, own) = Self::read_parts(previous)?;
        next.history.push(own);
        next.previous = Some(Predecessor::revision(&header_id));
        next.report_of_admission = None;
        Ok(next)
    }

    fn transition(&self, event: &'static str) -> HospitalNotificationError {
        HospitalNotificationError::Transition {
            event,
            status: self.stay.status,
            activity: self.activity,
        }
    }

    /// The patient goes on leave at `at` (STOR, `start-leave-inpatient`): status onleave, a
    /// new leave period.
    ///
    /// # Errors
    ///
    /// [`HospitalNotificationError::Transition`] unless the patient is admitted as an
    /// inpatient and present (status in-progress).
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Organization, Patient, PersonName};
    /// use medcom::messages::hospital_notification::{EncounterStatus, EpisodeOfCare, HospitalNotification};
    /// let hospital = Organization::new("265161000016000", "5790000209354");
    /// let n = HospitalNotification::admit_inpatient(
    ///     hospital.clone(),
    ///     Organization::new("953741000016009", "5790001348120"),
    ///     Patient::cpr("2509479989", PersonName::new("Elmer", &["Bruno"])),
    ///     EpisodeOfCare::local(&hospital, "bd481c38-a921-41ed-afa1-0242ac120002"),
    ///     "2024-05-01T08:00:00+02:00",
    /// );
    /// let leave = n.start_leave("2024-05-03T10:00:00+02:00").unwrap();
    /// assert_eq!(leave.stay.status, EncounterStatus::OnLeave);
    /// ```
    pub fn start_leave(mut self, at: &str) -> Result<Self, HospitalNotificationError> {
        if self.stay.class != EncounterClass::Inpatient
            || self.stay.status != EncounterStatus::InProgress
            || self.patient.deceased == Some(true)
        {
            return Err(self.transition("start a leave"));
        }
        self.activity = Activity::StartLeaveInpatient;
        self.stay.status = EncounterStatus::OnLeave;
        self.stay.leave = Some(LeavePeriod::new(at));
        Ok(self)
    }

    /// The patient is back from leave at `at` (SLOR, `end-leave-inpatient`): status
    /// in-progress, the leave period gets its end.
    ///
    /// # Errors
    ///
    /// [`HospitalNotificationError::Transition`] unless the patient is on leave.
    pub fn end_leave(mut self, at: &str) -> Result<Self, HospitalNotificationError> {
        let on_leave =
            self.stay.status == EncounterStatus::OnLeave && self.patient.deceased != Some(true);
        match (&mut self.stay.leave, on_leave) {
            (Some(leave), true) => leave.end = Some(at.to_owned()),
            _ => return Err(self.transition("end a leave")),
        }
        self.activity = Activity::EndLeaveInpatient;
        self.stay.status = EncounterStatus::InProgress;
        Ok(self)
    }

    /// The patient is discharged home at `at` (SLHJ, `discharge-inpatient-home` or
    /// `discharge-emergency-home` by class): status finished, period end.
    ///
    /// # Errors
    ///
    /// [`HospitalNotificationError::Transition`] unless the patient is present (status
    /// in-progress; a patient on leave comes back first).
    pub fn discharge(mut self, at: &str) -> Result<Self, HospitalNotificationError> {
        if self.stay.status != EncounterStatus::InProgress || self.patient.deceased == Some(true) {
            return Err(self.transition("discharge"));
        }
        self.activity = match self.stay.class {
            EncounterClass::Inpatient => Activity::DischargeInpatientHome,
            EncounterClass::Emergency => Activity::DischargeEmergencyHome,
        };
        self.stay.status = EncounterStatus::Finished;
        self.stay.end = Some(at.to_owned());
        Ok(self)
    }

    /// The patient died at `at` (MORS): `Patient.deceasedBoolean` true, status finished,
    /// period end; the activity stays the current event (a revision's event).
    ///
    /// # Errors
    ///
    /// [`HospitalNotificationError::Transition`] unless the patient is admitted or on leave.
    pub fn deceased(mut self, at: &str) -> Result<Self, HospitalNotificationError> {
        let open = matches!(
            self.stay.status,
            EncounterStatus::InProgress | EncounterStatus::OnLeave
        );
        let base = expect(self.activity).filter(|_| !self.activity.is_cancellation());
        let (true, Some(e), false) = (open, base, self.patient.deceased == Some(true)) else {
            return Err(self.transition("report a death"));
        };
        self.activity = with_prefix("", e.base).ok_or_else(|| self.transition("report a death"))?;
        self.patient.deceased = Some(true);
        self.stay.status = EncounterStatus::Finished;
        self.stay.end = Some(at.to_owned());
        Ok(self)
    }

    /// A correction of the current event (RE_, `revise-…`): change the stay's data on the
    /// result before building.
    ///
    /// # Errors
    ///
    /// [`HospitalNotificationError::Transition`] after a cancellation.
    pub fn revise(mut self) -> Result<Self, HospitalNotificationError> {
        let e = expect(self.activity)
            .filter(|_| !self.activity.is_cancellation())
            .ok_or_else(|| self.transition("revise"))?;
        self.activity = with_prefix("revise-", e.base).ok_or_else(|| self.transition("revise"))?;
        Ok(self)
    }

    /// Cancels the current event (AN_, `cancel-…`, entity role `removal`): the stay goes back
    /// to its state before the event (a cancelled admission is `entered-in-error`).
    ///
    /// # Errors
    ///
    /// [`HospitalNotificationError::Transition`] after a cancellation or a death (correct a
    /// death with [`Self::revise`]).
    pub fn cancel(mut self) -> Result<Self, HospitalNotificationError> {
        let e = expect(self.activity)
            .filter(|_| !self.activity.is_cancellation() && self.patient.deceased != Some(true))
            .ok_or_else(|| self.transition("cancel"))?;
        self.activity = with_prefix("cancel-", e.base).ok_or_else(|| self.transition("cancel"))?;
        let after = expect(self.activity).ok_or_else(|| self.transition("cancel"))?;
        self.stay.status = after.status;
        match e.base {
            "start-leave-inpatient" => self.stay.leave = None,
            "end-leave-inpatient" => {
                if let Some(l) = &mut self.stay.leave {
                    l.end = None;
                }
            }
            "discharge-inpatient-home" | "discharge-emergency-home" => self.stay.end = None,
            _ => {}
        }
        if let Some(p) = &mut self.previous {
            p.role = EntityRole::Removal;
        }
        Ok(self)
    }

    /// Whether the notification may be built: the activity, the Encounter's class, status,
    /// period and leave period, the patient and the links fit together (the table in the
    /// module documentation), and identifiers and timestamps are well formed.
    ///
    /// # Errors
    ///
    /// The first [`HospitalNotificationError`] found.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Organization, Patient, PersonName};
    /// use medcom::messages::hospital_notification::{EncounterStatus, EpisodeOfCare, HospitalNotification, HospitalNotificationError};
    /// let hospital = Organization::new("265161000016000", "5790000209354");
    /// let mut n = HospitalNotification::admit_inpatient(
    ///     hospital.clone(),
    ///     Organization::new("953741000016009", "5790001348120"),
    ///     Patient::cpr("2509479989", PersonName::new("Elmer", &["Bruno"])),
    ///     EpisodeOfCare::local(&hospital, "bd481c38-a921-41ed-afa1-0242ac120002"),
    ///     "2024-05-01T08:00:00+02:00",
    /// );
    /// n.stay.status = EncounterStatus::OnLeave;
    /// assert!(matches!(n.check(), Err(HospitalNotificationError::StatusMismatch { .. })));
    /// ```
    pub fn check(&self) -> Result<(), HospitalNotificationError> {
        use HospitalNotificationError as E;
        let activity = self.activity;
        let e = expect(activity).ok_or(E::NotANotificationActivity { activity })?;
        if !self.patient.identifier.is_cpr() {
            return Err(E::CprRequired);
        }
        self.patient.check()?;
        self.sender.check_messaging()?;
        self.receiver.check_messaging()?;
        let deceased = self.patient.deceased == Some(true);
        if deceased && activity.is_cancellation() {
            return Err(E::DeceasedCancellation { activity });
        }
        if self.stay.class != e.class {
            return Err(E::ClassMismatch {
                activity,
                class: self.stay.class,
            });
        }
        let expected = if deceased {
            EncounterStatus::Finished
        } else {
            e.status
        };
        if self.stay.status != expected {
            return Err(E::StatusMismatch {
                activity,
                status: self.stay.status,
                expected,
            });
        }
        // A cancelled admission keeps whatever period it had.
        match (&self.stay.end, expected) {
            (None, EncounterStatus::Finished) => return Err(E::PeriodEndMissing { activity }),
            (Some(_), EncounterStatus::InProgress | EncounterStatus::OnLeave) => {
                return Err(E::PeriodEndNotAllowed { activity })
            }
            _ => {}
        }
        if self.stay.class == EncounterClass::Emergency && self.stay.leave.is_some() {
            return Err(E::LeaveNotAllowed { activity });
        }
        if !deceased {
            match (e.leave, &self.stay.leave) {
                (Some(_), None) => return Err(E::LeaveStartMissing { activity }),
                (Some(true), Some(l)) if l.end.is_none() => {
                    return Err(E::LeaveEndMissing { activity })
                }
                (Some(false), Some(l)) if l.end.is_some() => {
                    return Err(E::LeaveNotAllowed { activity })
                }
                _ => {}
            }
        }
        if self.stay.status == EncounterStatus::OnLeave
            && self.stay.leave.as_ref().is_none_or(|l| l.end.is_some())
        {
            return Err(E::LeaveStartMissing { activity });
        }
        self.check_times()?;
        if self.stay.episodes_of_care.is_empty() {
            return Err(E::EpisodeOfCareMissing);
        }
        for eoc in &self.stay.episodes_of_care {
            eoc.check()?;
        }
        if let Some(sp) = &self.stay.service_provider {
            sp.check()?;
        }
        if let Some(ReportOfAdmission::Requested(org)) = &self.report_of_admission {
            org.check_messaging()?;
        }
        // Only an admission may open the chain.
        let first = matches!(
            activity,
            Activity::AdmitInpatient | Activity::AdmitEmergency
        );
        match &self.previous {
            None if !first => return Err(E::PredecessorMissing { activity }),
            Some(p) => {
                let want = if activity.is_cancellation() {
                    EntityRole::Removal
                } else {
                    EntityRole::Revision
                };
                if p.role != want {
                    return Err(E::PredecessorRole {
                        activity,
                        role: p.role,
                    });
                }
            }
            None => {}
        }
        for p in &self.history {
            super::check_date_time("Provenance.occurred", &p.occurred)?;
            super::check_date_time("Provenance.recorded", &p.recorded)?;
            p.agent.check_messaging()?;
        }
        Ok(())
    }

    fn check_times(&self) -> Result<(), HospitalNotificationError> {
        use HospitalNotificationError as E;
        let stay = &self.stay;
        super::check_date_time("Encounter.period.start", &stay.start)?;
        if let Some(end) = &stay.end {
            super::check_date_time("Encounter.period.end", end)?;
            if before(end, &stay.start) {
                return Err(E::PeriodOrder {
                    period: "Encounter.period",
                });
            }
        }
        if let Some(l) = &stay.leave {
            super::check_date_time("leave period start", &l.start)?;
            if before(&l.start, &stay.start) {
                return Err(E::PeriodOrder {
                    period: "the stay before its leave",
                });
            }
            if let Some(end) = &l.end {
                super::check_date_time("leave period end", end)?;
                if before(end, &l.start) {
                    return Err(E::PeriodOrder {
                        period: "the leave period",
                    });
                }
            }
        }
        Ok(())
    }

    /// Builds the message.
    ///
    /// # Errors
    ///
    /// A [`HospitalNotificationError`] from [`Self::check`], or from building.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Context, Organization, Patient, PersonName};
    /// use medcom::messages::hospital_notification::{EpisodeOfCare, HospitalNotification};
    /// let hospital = Organization::new("265161000016000", "5790000209354");
    /// let doc = HospitalNotification::admit_emergency(
    ///     hospital.clone(),
    ///     Organization::new("953741000016009", "5790001348120"),
    ///     Patient::cpr("2509479989", PersonName::new("Elmer", &["Bruno"])),
    ///     EpisodeOfCare::local(&hospital, "bd481c38-a921-41ed-afa1-0242ac120002"),
    ///     "2024-05-01T08:00:00+02:00",
    /// )
    /// .build(&Context::new())
    /// .unwrap();
    /// assert!(medcom::json::to_string(&doc).contains("admit-emergency"));
    /// ```
    pub fn build(&self, ctx: &Context) -> Result<Document<'static>, HospitalNotificationError> {
        self.check()?;
        let mut a = Assembly::new(ctx, PROFILES, EVENT, &self.sender, &self.receiver)?;
        let header = a.header;
        if let Some(request) = &self.report_of_admission {
            let flag = matches!(request, ReportOfAdmission::Requested(_));
            let e = a.tree.extension(header, REPORT_OF_ADMISSION)?;
            a.tree
                .typed_val(e, "value", "boolean", if flag { "true" } else { "false" })?;
            if let ReportOfAdmission::Requested(org) = request {
                let r = a.organization(org)?;
                let e = a.tree.extension(header, REPORT_OF_ADMISSION_RECIPIENT)?;
                a.tree.reference(e, "value", &r)?;
            }
        }
        let patient = a.patient(&self.patient)?;
        let provider = match &self.stay.service_provider {
            None => a.organization(&self.sender)?,
            Some(org) if org.gln.is_some() => a.organization(org)?,
            Some(org) => core_organization(&mut a, org)?,
        };
        let (enc, enc_id) = a.resource("Encounter", ENCOUNTER_PROFILE)?;
        let stay = &self.stay;
        if let Some(leave) = &stay.leave {
            let e = a.tree.extension(enc, LEAVE_PERIOD)?;
            let p = a.tree.typed(e, "value", "Period")?;
            a.tree.val(p, "start", &leave.start)?;
            a.tree.opt(p, "end", leave.end.as_deref())?;
        }
        a.tree.val(enc, "status", stay.status.code())?;
        a.tree.coding(enc, "class", ACT_CODE, stay.class.code())?;
        a.tree.reference(enc, "subject", &patient)?;
        for eoc in &stay.episodes_of_care {
            let r = a.tree.typed(enc, "episodeOfCare", "Reference")?;
            let i = a.tree.group(r, "identifier")?;
            a.tree.val(i, "system", &eoc.system)?;
            a.tree.val(i, "value", &eoc.value)?;
        }
        let period = a.tree.group(enc, "period")?;
        a.tree.val(period, "start", &stay.start)?;
        a.tree.opt(period, "end", stay.end.as_deref())?;
        a.tree.reference(enc, "serviceProvider", &provider)?;
        a.tree
            .reference(header, "focus", &format!("Encounter/{enc_id}"))?;
        for p in &self.history {
            a.provenance(p)?;
        }
        let mut own = a.own_provenance(self.activity, &self.sender);
        own.previous.clone_from(&self.previous);
        a.provenance(&own)?;
        Ok(a.finish()?)
    }

    /// Reads a HospitalNotification: the parties, the stay, the activity of the message's own
    /// Provenance (the one that targets its MessageHeader) and its link, and the earlier
    /// Provenances.
    ///
    /// # Errors
    ///
    /// A [`ViewError`] when the document is no HospitalNotification or lacks what the view
    /// needs (the Encounter, its class, status and period start, the Patient, the own
    /// Provenance).
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Context, EmptyMessage, Organization, ViewError};
    /// use medcom::messages::hospital_notification::HospitalNotification;
    /// let sender = Organization::new("265161000016000", "5790000209354");
    /// let receiver = Organization::new("953741000016009", "5790001348120");
    /// let doc = EmptyMessage::new(sender, receiver).build(&Context::new()).unwrap();
    /// assert!(matches!(HospitalNotification::read(&doc), Err(ViewError::WrongEvent { .. })));
    /// ```
    pub fn read(doc: &Document<'_>) -> Result<Self, ViewError> {
        Self::read_parts(doc).map(|(n, _, _)| n)
    }

    fn read_parts(doc: &Document<'_>) -> Result<(Self, String, ProvenanceRecord), ViewError> {
        let (bundle, header) = message_header_of(doc, EVENT)?;
        let header_id = header.child_value("id").unwrap_or_default().to_owned();
        let sender = read_sender(bundle, header)?;
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
        let mut receiver = read_organization(resolve_required(bundle, receiver_ref)?);
        if let Some(e) = destination.child_value("endpoint") {
            receiver.endpoint = e.to_owned();
        }
        let mut provenances = super::assembly::resources(bundle, "Provenance")
            .map(|p| read_provenance(bundle, p))
            .collect::<Result<Vec<_>, _>>()?;
        let own_at = provenances
            .iter()
            .position(|p| p.target == header_id)
            .ok_or(ViewError::Missing {
                path: "Provenance.target (of this message's MessageHeader)",
            })?;
        let own = provenances.remove(own_at);
        if expect(own.activity).is_none() {
            return Err(ViewError::UnknownCode {
                element: "Provenance.activity",
                code: own.activity.code().to_owned(),
            });
        }
        let encounter = tree::text(header, &["focus", "reference"])
            .and_then(|r| resolve(bundle, r))
            .filter(|r| r.ty().name() == "Encounter")
            .or_else(|| super::assembly::resources(bundle, "Encounter").next())
            .ok_or(ViewError::Missing {
                path: "MessageHeader.focus (Encounter)",
            })?;
        let patient = super::assembly::resources(bundle, "Patient")
            .next()
            .ok_or(ViewError::Missing { path: "Patient" })
            .and_then(read_patient)?;
        let stay = read_stay(bundle, encounter, header)?;
        let report_of_admission = read_report_of_admission(bundle, header)?;
        let n = Self {
            sender,
            receiver,
            patient,
            activity: own.activity,
            stay,
            report_of_admission,
            history: provenances,
            previous: own.previous.clone(),
        };
        Ok((n, header_id, own))
    }
}

/// One Provenance. Copied Provenances of earlier messages sometimes name an agent that is
/// not in the Bundle (official 3.0.0 and 3.0.1 examples): the agent is then known by nothing
/// but the reference, and such a record cannot be sent again.
fn read_provenance(bundle: Node<'_, '_>, p: Node<'_, '_>) -> Result<ProvenanceRecord, ViewError> {
    let target = tree::text(p, &["target", "reference"]).ok_or(ViewError::Missing {
        path: "Provenance.target",
    })?;
    let code = tree::text(p, &["activity", "coding", "code"]).ok_or(ViewError::Missing {
        path: "Provenance.activity.coding.code",
    })?;
    let activity = Activity::from_code(code).ok_or_else(|| ViewError::UnknownCode {
        element: "Provenance.activity",
        code: code.to_owned(),
    })?;
    let who = p
        .children_named("agent")
        .find_map(|a| tree::text(a, &["who", "reference"]))
        .ok_or(ViewError::Missing {
            path: "Provenance.agent.who",
        })?;
    let agent = resolve(bundle, who).map_or_else(|| Organization::sor_only(""), read_organization);
    let occurred = p
        .child("occurred")
        .and_then(|o| o.value())
        .unwrap_or_default();
    let mut record = ProvenanceRecord::new(id_of(target), occurred, activity, agent);
    record.recorded = p.child_value("recorded").unwrap_or(occurred).to_owned();
    for e in p.children_named("entity") {
        let role = match e.child_value("role") {
            Some("revision") => EntityRole::Revision,
            Some("removal") => EntityRole::Removal,
            _ => continue,
        };
        let what = e.child("what");
        let message = match (
            what.and_then(|w| w.child_value("reference")),
            what.and_then(|w| tree::text(w, &["identifier", "value"])),
        ) {
            (Some(r), _) => PreviousMessage::Header(id_of(r).to_owned()),
            (None, Some(i)) => PreviousMessage::Legacy(i.to_owned()),
            (None, None) => continue,
        };
        record.previous = Some(Predecessor { role, message });
    }
    Ok(record)
}

/// Whether `a` is before `b` (when both are comparable dateTimes).
fn before(a: &str, b: &str) -> bool {
    match (Temporal::parse_date_time(a), Temporal::parse_date_time(b)) {
        (Some(x), Some(y)) => x.compare(&y) == Some(std::cmp::Ordering::Less),
        _ => false,
    }
}

/// A service provider known by its SOR identifier alone: a MedCom core Organization.
fn core_organization(a: &mut Assembly<'_>, org: &Organization) -> Result<String, BuildError> {
    let (res, id) = a.resource("Organization", CORE_ORGANIZATION)?;
    let i = a.tree.group(res, "identifier")?;
    a.tree.val(i, "system", SOR_SYSTEM)?;
    a.tree.val(i, "value", &org.sor)?;
    a.tree.opt(res, "name", org.name.as_deref())?;
    Ok(format!("Organization/{id}"))
}

fn read_stay(
    bundle: Node<'_, '_>,
    encounter: Node<'_, '_>,
    header: Node<'_, '_>,
) -> Result<HospitalStay, ViewError> {
    let class_code = tree::text(encounter, &["class", "code"]).ok_or(ViewError::Missing {
        path: "Encounter.class",
    })?;
    let class = EncounterClass::from_code(class_code).ok_or_else(|| ViewError::UnknownCode {
        element: "Encounter.class",
        code: class_code.to_owned(),
    })?;
    let status_code = encounter.child_value("status").ok_or(ViewError::Missing {
        path: "Encounter.status",
    })?;
    let status = EncounterStatus::from_code(status_code).ok_or_else(|| ViewError::UnknownCode {
        element: "Encounter.status",
        code: status_code.to_owned(),
    })?;
    let start = tree::text(encounter, &["period", "start"]).ok_or(ViewError::Missing {
        path: "Encounter.period.start",
    })?;
    let leave = encounter
        .children_named("extension")
        .filter(|e| e.child_value("url") == Some(LEAVE_PERIOD))
        .find_map(|e| e.child("value"))
        .and_then(|p| {
            Some(LeavePeriod {
                start: p.child_value("start")?.to_owned(),
                end: p.child_value("end").map(str::to_owned),
            })
        });
    let episodes_of_care = encounter
        .children_named("episodeOfCare")
        .filter_map(|r| r.child("identifier"))
        .map(|i| EpisodeOfCare {
            system: i.child_value("system").unwrap_or_default().to_owned(),
            value: i.child_value("value").unwrap_or_default().to_owned(),
        })
        .collect();
    let sender = tree::text(header, &["sender", "reference"]).and_then(|r| resolve(bundle, r));
    let service_provider = match tree::text(encounter, &["serviceProvider", "reference"]) {
        Some(r) => {
            let org = resolve_required(bundle, r)?;
            (Some(org) != sender).then(|| read_organization(org))
        }
        None => None,
    };
    Ok(HospitalStay {
        class,
        status,
        start: start.to_owned(),
        end: tree::text(encounter, &["period", "end"]).map(str::to_owned),
        leave,
        episodes_of_care,
        service_provider,
    })
}

fn read_report_of_admission(
    bundle: Node<'_, '_>,
    header: Node<'_, '_>,
) -> Result<Option<ReportOfAdmission>, ViewError> {
    let flag = tree::extension(header, REPORT_OF_ADMISSION)
        .and_then(|e| e.child("value"))
        .and_then(|v| v.value());
    match flag {
        None => Ok(None),
        Some("true") => {
            let r = tree::extension(header, REPORT_OF_ADMISSION_RECIPIENT)
                .and_then(|e| tree::text(e, &["value", "reference"]))
                .ok_or(ViewError::Missing {
                    path: "MessageHeader.extension:reportOfAdmissionRecipient",
                })?;
            Ok(Some(ReportOfAdmission::Requested(read_organization(
                resolve_required(bundle, r)?,
            ))))
        }
        Some(_) => Ok(Some(ReportOfAdmission::NotRequested)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notification_activity_has_a_state() {
        let hn: Vec<Activity> = Activity::ALL
            .iter()
            .copied()
            .filter(|a| expect(*a).is_some())
            .collect();
        assert_eq!(hn.len(), 18);
        assert!(expect(Activity::NewMessage).is_none());
    }

    #[test]
    fn episode_of_care_identifiers() {
        let org = Organization::new("265161000016000", "5790000209354");
        for (e, ok) in [
            (
                EpisodeOfCare::local(&org, "bd481c38-a921-11ed-afa1-0242ac120002"),
                true,
            ),
            (
                EpisodeOfCare::local(&org, "urn:uuid:bd481c38-a921-11ed-afa1-0242ac120002"),
                true,
            ),
            (EpisodeOfCare::local(&org, "12345"), false),
            (
                EpisodeOfCare::lpr3("urn:uuid:fc60e762-b13b-5773-865e-67f3907bdcc7"),
                true,
            ),
            (
                EpisodeOfCare::lpr3("urn:uuid:fc60e762-b13b-4773-865e-67f3907bdcc7"),
                false,
            ),
            (
                EpisodeOfCare::lpr3("fc60e762-b13b-5773-865e-67f3907bdcc7"),
                false,
            ),
        ] {
            assert_eq!(e.check().is_ok(), ok, "{e:?}");
        }
    }
}
