//! CareCommunication (Korrespondancemeddelelse) 5.0.2 and 4.0.3: new messages, replies and
//! forwards, as typed data that builds a valid message of either release (5.0.2 unless asked)
//! and reads back from one of either.

use crate::model::{Document, Node, NodeId};

use super::assembly::{
    read_author, read_organization, read_party, read_patient, resolve, resolve_required, resources,
    Activity, Assembly, MessageInfo, Predecessor, Profiles, ProvenanceRecord,
};
use super::ids::Context;
use super::party::{Author, Organization, Party, Patient};
use super::tree;
use super::{check_date_time, check_urn_uuid, BuildError, ViewError};
use crate::validate::rules::care_communication::Release as Rules;

pub(crate) const PROFILES: Profiles = Profiles {
    bundle: "http://medcomfhir.dk/ig/carecommunication/StructureDefinition/medcom-careCommunication-message",
    header: "http://medcomfhir.dk/ig/carecommunication/StructureDefinition/medcom-careCommunication-messageHeader",
    organization:
        "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-organization",
    provenance: "http://medcomfhir.dk/ig/carecommunication/StructureDefinition/medcom-careCommunication-provenance",
    patient: "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-patient",
    practitioner: "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitioner",
    practitioner_role:
        "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitionerrole",
    care_team: "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-careteam",
};

/// The event code.
pub(crate) const EVENT: &str = "care-communication-message";
/// `MessageHeader.definition` of 5.0: the MessageDefinition, major version 5 and the minor
/// version the sender uses.
pub const DEFINITION: &str = "http://medcomfhir.dk/ig/messagedefinitions/MessageDefinition/MedComCareCommunicationMessageDefinition|5.0";

/// A CareCommunication release in production, each validated on its own stack. What differs
/// (categories, the author's role under a segment, recipients, attachments in replies,
/// `MessageHeader.definition`) is listed per release in the message rules
/// ([`crate::validate::RuleGroup::CareCommunication`]).
///
/// # Examples
///
/// ```
/// use medcom::messages::{CareCommunicationRelease, Category};
/// let old = CareCommunicationRelease::V4_0;
/// assert_eq!(old.stack(), "4.0.3");
/// assert!(!old.has_category(Category::AcuteAmbulant));
/// assert!(CareCommunicationRelease::default().has_category(Category::AcuteAmbulant));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CareCommunicationRelease {
    /// 4.0 (4.0.0–4.0.3), still sent while 5.0 is phased in.
    V4_0,
    /// 5.0 (5.0.0–5.0.2), the current release.
    #[default]
    V5_0,
}

impl CareCommunicationRelease {
    fn rules(self) -> &'static Rules {
        let line = match self {
            Self::V4_0 => "4.0",
            Self::V5_0 => "5.0",
        };
        Rules::of_line(line).unwrap_or(&crate::validate::rules::care_communication::RELEASES[0])
    }

    /// `major.minor`: `4.0`, `5.0`.
    #[must_use]
    pub fn line(self) -> &'static str {
        self.rules().line
    }

    /// The version of the stack a message of this release is validated on: `4.0.3`, `5.0.2`.
    #[must_use]
    pub fn stack(self) -> &'static str {
        self.rules().stack
    }

    /// `MessageHeader.definition` as written.
    #[must_use]
    pub fn definition(self) -> &'static str {
        self.rules().definition
    }

    /// The release a `MessageHeader.definition` names.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{CareCommunicationRelease, CARE_COMMUNICATION_DEFINITION};
    /// assert_eq!(CareCommunicationRelease::of_definition(CARE_COMMUNICATION_DEFINITION), Some(CareCommunicationRelease::V5_0));
    /// ```
    #[must_use]
    pub fn of_definition(definition: &str) -> Option<Self> {
        match Rules::of_definition(definition)?.line {
            "4.0" => Some(Self::V4_0),
            "5.0" => Some(Self::V5_0),
            _ => None,
        }
    }

    /// Whether the release's category code system has `category`.
    #[must_use]
    pub fn has_category(self, category: Category) -> bool {
        self.rules().has_category(category.code())
    }

    /// Whether a segment author's role may be a text instead of a code.
    #[must_use]
    pub fn takes_role_as_text(self) -> bool {
        self.rules().role_as_text
    }
}
/// The category code system.
pub const CATEGORY_SYSTEM: &str =
    "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-careCommunication-categoryCodes";
/// The FHIR request-priority code system.
pub const PRIORITY_SYSTEM: &str = "http://hl7.org/fhir/request-priority";
/// The LPR3 episode-of-care identifier system.
pub const LPR3_SYSTEM: &str = "https://www.esundhed.dk/Registre/Landspatientregisteret";
/// The MIME types an attachment may have (`medcom-core-attachmentMimeTypes`).
pub const ATTACHMENT_TYPES: [&str; 6] = [
    "application/pdf",
    "image/gif",
    "image/jpeg",
    "image/png",
    "image/tiff",
    "image/bmp",
];

const COMMUNICATION_PROFILE: &str =
    "http://medcomfhir.dk/ig/carecommunication/StructureDefinition/medcom-careCommunication-communication";
const ENCOUNTER_PROFILE: &str =
    "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-encounter";
const SENDER_EXT: &str =
    "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-sender-extension";
const DATE_EXT: &str =
    "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-datetime-extension";
const IDENTIFIER_EXT: &str =
    "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-identifier-extension";
const AUTHOR_EXT: &str =
    "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitioner-extension";
const CONTACT_EXT: &str =
    "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-contact-extension";
const ACT_CODE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

/// `Communication.category` (`medcom-careCommunication-categoryCodes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Category {
    /// `alcohol-and-drug-treatment`.
    AlcoholAndDrugTreatment,
    /// `assistive-devices`.
    AssistiveDevices,
    /// `carecoordination`.
    CareCoordination,
    /// `decease`.
    Decease,
    /// `discharge`.
    Discharge,
    /// `examination-results`.
    ExaminationResults,
    /// `healthcare`.
    Healthcare,
    /// `home-care-assessment`.
    HomeCareAssessment,
    /// `medicine`.
    Medicine,
    /// `nursing`.
    Nursing,
    /// `outpatient`.
    Outpatient,
    /// `psychiatry-social-disability`.
    PsychiatrySocialDisability,
    /// `regarding-referral`: the only category that may carry a priority.
    RegardingReferral,
    /// `telemedicine`.
    Telemedicine,
    /// `training`.
    Training,
    /// `acute-ambulant` (since 5.0).
    AcuteAmbulant,
    /// `extended-care-responsibility` (since 5.0).
    ExtendedCareResponsibility,
    /// `other`: requires a topic.
    Other,
}

impl Category {
    /// Every category, in the code system's order.
    pub const ALL: [Self; 18] = [
        Self::AlcoholAndDrugTreatment,
        Self::AssistiveDevices,
        Self::CareCoordination,
        Self::Decease,
        Self::Discharge,
        Self::ExaminationResults,
        Self::Healthcare,
        Self::HomeCareAssessment,
        Self::Medicine,
        Self::Nursing,
        Self::Outpatient,
        Self::PsychiatrySocialDisability,
        Self::RegardingReferral,
        Self::Telemedicine,
        Self::Training,
        Self::AcuteAmbulant,
        Self::ExtendedCareResponsibility,
        Self::Other,
    ];

    /// The code.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::Category;
    /// assert_eq!(Category::RegardingReferral.code(), "regarding-referral");
    /// assert_eq!(Category::from_code("other"), Some(Category::Other));
    /// ```
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::AlcoholAndDrugTreatment => "alcohol-and-drug-treatment",
            Self::AssistiveDevices => "assistive-devices",
            Self::CareCoordination => "carecoordination",
            Self::Decease => "decease",
            Self::Discharge => "discharge",
            Self::ExaminationResults => "examination-results",
            Self::Healthcare => "healthcare",
            Self::HomeCareAssessment => "home-care-assessment",
            Self::Medicine => "medicine",
            Self::Nursing => "nursing",
            Self::Outpatient => "outpatient",
            Self::PsychiatrySocialDisability => "psychiatry-social-disability",
            Self::RegardingReferral => "regarding-referral",
            Self::Telemedicine => "telemedicine",
            Self::Training => "training",
            Self::AcuteAmbulant => "acute-ambulant",
            Self::ExtendedCareResponsibility => "extended-care-responsibility",
            Self::Other => "other",
        }
    }

    /// The category of a code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.code() == code)
    }
}

/// `Communication.priority` (`medcom-careCommunication-requestPriority`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Priority {
    /// `routine`.
    Routine,
    /// `asap`.
    Asap,
}

impl Priority {
    /// The code.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::messages::Priority::Asap.code(), "asap");
    /// ```
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Routine => "routine",
            Self::Asap => "asap",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        match code {
            "routine" => Some(Self::Routine),
            "asap" => Some(Self::Asap),
            _ => None,
        }
    }
}

/// The episode of care the message concerns: an Encounter with its episode-of-care
/// identifier.
///
/// # Examples
///
/// ```
/// use medcom::messages::EpisodeOfCare;
/// let e = EpisodeOfCare::local("265161000016000", "a1b2c3d4-0000-4000-8000-000000000001");
/// assert_eq!(e.system, "https://sor2.sum.dsdn.dk/#id=265161000016000");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EpisodeOfCare {
    /// Identifier system: the sender's SOR endpoint URL, or LPR3.
    pub system: String,
    /// Identifier value: a UUID (LPR3: `urn:uuid:` and a UUIDv5).
    pub value: String,
    /// `Encounter.status`. Default: `in-progress`.
    pub status: String,
    /// `Encounter.class` (v3 ActCode). Default: `IMP`.
    pub class: String,
}

impl EpisodeOfCare {
    /// A local episode-of-care identifier of the organization with SOR identifier `sor`.
    #[must_use]
    pub fn local(sor: &str, uuid: &str) -> Self {
        Self::new(&format!("{}{sor}", super::SOR_ENDPOINT), uuid)
    }

    /// An LPR3 episode-of-care identifier (`urn:uuid:` and a UUIDv5).
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::EpisodeOfCare;
    /// let e = EpisodeOfCare::lpr3("urn:uuid:6d0e4f8a-1b2c-5d3e-8f4a-5b6c7d8e9f0a");
    /// assert!(e.system.ends_with("Landspatientregisteret"));
    /// ```
    #[must_use]
    pub fn lpr3(urn: &str) -> Self {
        Self::new(LPR3_SYSTEM, urn)
    }

    /// Any identifier system and value.
    #[must_use]
    pub fn new(system: &str, value: &str) -> Self {
        Self {
            system: system.to_owned(),
            value: value.to_owned(),
            status: "in-progress".to_owned(),
            class: "IMP".to_owned(),
        }
    }

    /// Sets the Encounter's status and class.
    #[must_use]
    pub fn with_state(mut self, status: &str, class: &str) -> Self {
        self.status = status.to_owned();
        self.class = class.to_owned();
        self
    }

    fn check(&self) -> Result<(), BuildError> {
        if self.system.is_empty() || self.value.is_empty() {
            return Err(BuildError::Missing {
                what: "episode-of-care identifier",
            });
        }
        if self.system == LPR3_SYSTEM {
            let ok = self.value.strip_prefix("urn:uuid:").is_some_and(|u| {
                crate::model::primitive::is_uuid_any_case(u) && u.as_bytes()[14] == b'5'
            });
            if !ok {
                return Err(BuildError::InvalidUuid {
                    element: "Encounter.episodeOfCare.identifier (LPR3, UUIDv5)",
                    value: self.value.clone(),
                });
            }
        }
        Ok(())
    }
}

/// An attachment (`payload[attachment].contentAttachment`).
///
/// # Examples
///
/// ```
/// use medcom::messages::Attachment;
/// let a = Attachment::new("application/pdf", "Blodprøver", b"%PDF-1.4");
/// assert_eq!(a.data.as_deref(), Some("JVBERi0xLjQ="));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attachment {
    /// The MIME type (one of [`ATTACHMENT_TYPES`]); may be absent on a link.
    pub content_type: Option<String>,
    /// The title.
    pub title: String,
    /// The content, base64; absent on a link and on attachments carried in a reply.
    pub data: Option<String>,
    /// A link to the content.
    pub url: Option<String>,
    /// When the content was created.
    pub creation: Option<String>,
}

impl Attachment {
    /// An attachment of `content_type` with its content.
    #[must_use]
    pub fn new(content_type: &str, title: &str, content: &[u8]) -> Self {
        Self {
            content_type: Some(content_type.to_owned()),
            title: title.to_owned(),
            data: Some(crate::base64::encode(content)),
            url: None,
            creation: None,
        }
    }

    /// A link.
    ///
    /// # Examples
    ///
    /// ```
    /// let a = medcom::messages::Attachment::link("MedCom", "https://medcom.dk");
    /// assert!(a.data.is_none() && a.content_type.is_none());
    /// ```
    #[must_use]
    pub fn link(title: &str, url: &str) -> Self {
        Self {
            content_type: None,
            title: title.to_owned(),
            data: None,
            url: Some(url.to_owned()),
            creation: None,
        }
    }

    /// Sets when the content was created.
    #[must_use]
    pub fn with_creation(mut self, creation: &str) -> Self {
        self.creation = Some(creation.to_owned());
        self
    }

    fn check(&self, is_new: bool) -> Result<(), BuildError> {
        if let Some(t) = &self.content_type {
            if !ATTACHMENT_TYPES.contains(&t.as_str()) {
                return Err(BuildError::AttachmentType {
                    content_type: t.clone(),
                });
            }
        }
        if self.title.trim().is_empty() {
            return Err(BuildError::Missing {
                what: "attachment title",
            });
        }
        if self.data.is_some() && self.content_type.is_none() {
            return Err(BuildError::Missing {
                what: "content type of attachment data",
            });
        }
        if is_new && self.data.is_none() && self.url.is_none() {
            return Err(BuildError::AttachmentContent {
                title: self.title.clone(),
            });
        }
        if let Some(c) = &self.creation {
            check_date_time("Attachment.creation", c)?;
        }
        Ok(())
    }
}

/// What a segment holds.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Content {
    /// A text (`contentString`; line breaks as `\n`).
    Text(String),
    /// An attachment.
    Attachment(Attachment),
}

/// One segment of the correspondence (`Communication.payload`): a text or an attachment, with
/// its identifier, date, author and contact number.
///
/// # Examples
///
/// ```
/// use medcom::messages::{Author, Organization, PersonName, Role, Segment};
/// let org = Organization::new("265161000016000", "5790000209354");
/// let author = Author::new(PersonName::new("Burns", &["Michael"]), Role::sks("sygeplejerske"), org);
/// let s = Segment::text("Hej", author, "38683868", "2024-05-01T12:00:00+02:00");
/// assert!(s.identifier.is_none()); // assigned when built
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Segment {
    /// `urn:uuid:` identifier; `None` gets a fresh one when built.
    pub identifier: Option<String>,
    /// When written (`medcom-core-datetime-extension`).
    pub date: String,
    /// Who wrote it (required for text).
    pub author: Option<Author>,
    /// The author's telephone number (required for text).
    pub contact: Option<String>,
    /// The organization that assigned the identifier. Default: the author's organization,
    /// else the sender.
    pub assigner: Option<Organization>,
    /// The text or attachment.
    pub content: Content,
}

impl Segment {
    /// A text segment.
    #[must_use]
    pub fn text(text: &str, author: Author, contact: &str, date: &str) -> Self {
        Self {
            identifier: None,
            date: date.to_owned(),
            assigner: author.organization.clone(),
            author: Some(author),
            contact: Some(contact.to_owned()),
            content: Content::Text(text.to_owned()),
        }
    }

    /// An attachment segment (author and contact optional).
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Attachment, Segment};
    /// let s = Segment::attachment(Attachment::link("MedCom", "https://medcom.dk"), "2024-05-01T12:00:00Z");
    /// assert!(s.author.is_none());
    /// ```
    #[must_use]
    pub fn attachment(attachment: Attachment, date: &str) -> Self {
        Self {
            identifier: None,
            date: date.to_owned(),
            author: None,
            contact: None,
            assigner: None,
            content: Content::Attachment(attachment),
        }
    }

    /// Sets the author of an attachment.
    #[must_use]
    pub fn with_author(mut self, author: Author, contact: Option<&str>) -> Self {
        if self.assigner.is_none() {
            self.assigner.clone_from(&author.organization);
        }
        self.author = Some(author);
        self.contact = contact.map(str::to_owned);
        self
    }

    /// Sets the identifier (`urn:uuid:` and a lowercase UUID).
    #[must_use]
    pub fn with_identifier(mut self, identifier: &str) -> Self {
        self.identifier = Some(identifier.to_owned());
        self
    }

    fn check(&self, is_new: bool) -> Result<(), BuildError> {
        if let Some(i) = &self.identifier {
            check_urn_uuid("payload identifier", i)?;
        }
        check_date_time("payload date", &self.date)?;
        if let Some(c) = &self.contact {
            check_contact(c)?;
        }
        if let Some(a) = &self.author {
            a.check()?;
        }
        match &self.content {
            Content::Text(t) => {
                if t.trim().is_empty() {
                    return Err(BuildError::Missing {
                        what: "segment text",
                    });
                }
                if self.author.is_none() {
                    return Err(BuildError::Missing {
                        what: "author of a text segment",
                    });
                }
                if self.contact.is_none() {
                    return Err(BuildError::Missing {
                        what: "contact number of a text segment",
                    });
                }
                Ok(())
            }
            Content::Attachment(a) => a.check(is_new),
        }
    }
}

/// The activities of `medcom-careCommunication-messagingActivities`.
fn is_thread_activity(a: Activity) -> bool {
    matches!(
        a,
        Activity::NewMessage | Activity::ReplyMessage | Activity::ForwardMessage
    )
}

/// `medcom-core-contact`: `+`, digits and `-` (spaces tolerated), at least one digit.
fn check_contact(value: &str) -> Result<(), BuildError> {
    let body = value.strip_prefix('+').unwrap_or(value);
    let ok = body.bytes().any(|b| b.is_ascii_digit())
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b' ');
    if ok {
        Ok(())
    } else {
        Err(BuildError::InvalidContact {
            value: value.to_owned(),
        })
    }
}

/// A CareCommunication: sender, receiver, patient, the thread's identifier, category, topic,
/// priority, episode of care, specific sender and recipient, every segment of the thread, and
/// the Provenance chain (earlier messages' Provenances in `history`, plus this message's
/// activity and link to the previous message).
///
/// # Examples
///
/// ```
/// use medcom::messages::*;
/// let sender = Organization::new("265161000016000", "5790000209354").with_name("Hjerteafdelingen");
/// let receiver = Organization::new("953741000016009", "5790001348120").with_name("Plejecenter Herlev");
/// let nurse = Author::new(PersonName::new("Burns", &["Michael"]), Role::sks("sygeplejerske"), sender.clone());
/// let message = CareCommunication::new(
///     sender,
///     receiver,
///     Patient::cpr("2509471005", PersonName::new("Elmer", &["Bruno"])),
///     Category::ExaminationResults,
/// )
/// .with_topic("Seneste resultater")
/// .with_segment(Segment::text("Hej, se vedhæftede.", nurse, "38683868", "2024-05-01T12:00:00+02:00"))
/// .with_segment(Segment::attachment(
///     Attachment::new("application/pdf", "Blodprøver", b"%PDF-1.4"),
///     "2024-05-01T12:00:00+02:00",
/// ));
/// let doc = message.build(&Context::new()).unwrap();
/// assert!(medcom::validate::Validator::new().report(&doc).is_valid());
/// let read = CareCommunication::read(&doc).unwrap();
/// assert_eq!(read.segments.len(), 2);
/// assert_eq!(read.topic.as_deref(), Some("Seneste resultater"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CareCommunication {
    /// The sender.
    pub sender: Organization,
    /// The receiver.
    pub receiver: Organization,
    /// The patient.
    pub patient: Patient,
    /// `Communication.identifier` (the thread: kept on reply, new on forward); `None` gets a
    /// fresh `urn:uuid:` when built.
    pub thread: Option<String>,
    /// The category.
    pub category: Category,
    /// The topic (required with [`Category::Other`]).
    pub topic: Option<String>,
    /// The priority (only with [`Category::RegardingReferral`]).
    pub priority: Option<Priority>,
    /// The episode of care (an Encounter).
    pub episode_of_care: Option<EpisodeOfCare>,
    /// A specific sender within the sending organization.
    pub specific_sender: Option<Party>,
    /// A specific recipient within the receiving organization.
    pub recipient: Option<Party>,
    /// Every segment of the thread, earlier ones first.
    pub segments: Vec<Segment>,
    /// This message's activity: new, reply or forward. Default: [`Activity::NewMessage`].
    pub activity: Activity,
    /// The message this one answers or forwards.
    pub previous: Option<Predecessor>,
    /// The Provenances of the earlier messages of the thread, carried along.
    pub history: Vec<ProvenanceRecord>,
    /// The release written (default 5.0), or read from `MessageHeader.definition`.
    pub release: CareCommunicationRelease,
}

impl CareCommunication {
    /// A new message (no segments yet; add at least one text segment).
    #[must_use]
    pub fn new(
        sender: Organization,
        receiver: Organization,
        patient: Patient,
        category: Category,
    ) -> Self {
        Self {
            sender,
            receiver,
            patient,
            thread: None,
            category,
            topic: None,
            priority: None,
            episode_of_care: None,
            specific_sender: None,
            recipient: None,
            segments: Vec::new(),
            activity: Activity::NewMessage,
            previous: None,
            history: Vec::new(),
            release: CareCommunicationRelease::default(),
        }
    }

    /// Sets the release to write: 4.0.3 for a receiver still on 4.0.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::*;
    /// let sender = Organization::new("265161000016000", "5790000209354");
    /// let nurse = Author::new(PersonName::new("Burns", &["Michael"]), Role::sks("sygeplejerske"), sender.clone());
    /// let doc = CareCommunication::new(
    ///     sender,
    ///     Organization::new("953741000016009", "5790001348120"),
    ///     Patient::cpr("2509471005", PersonName::new("Elmer", &["Bruno"])),
    ///     Category::Nursing,
    /// )
    /// .with_release(CareCommunicationRelease::V4_0)
    /// .with_segment(Segment::text("Hej", nurse, "38683868", "2024-05-01T12:00:00+02:00"))
    /// .build(&Context::new())
    /// .unwrap();
    /// let report = medcom::validate::Validator::new().report(&doc);
    /// assert!(report.is_valid());
    /// assert_eq!(report.version(), Some("4.0.3"));
    /// assert_eq!(CareCommunication::read(&doc).unwrap().release, CareCommunicationRelease::V4_0);
    /// ```
    #[must_use]
    pub fn with_release(mut self, release: CareCommunicationRelease) -> Self {
        self.release = release;
        self
    }

    /// Sets the topic.
    #[must_use]
    pub fn with_topic(mut self, topic: &str) -> Self {
        self.topic = Some(topic.to_owned());
        self
    }

    /// Sets the priority (allowed only with [`Category::RegardingReferral`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::*;
    /// let org = |s: &str, g: &str| Organization::new(s, g);
    /// let a = Author::new(PersonName::new("B", &["M"]), Role::sks("laege"), org("265161000016000", "5790000209354"));
    /// let err = CareCommunication::new(
    ///     org("265161000016000", "5790000209354"),
    ///     org("953741000016009", "5790001348120"),
    ///     Patient::cpr("2509471005", PersonName::new("Elmer", &["Bruno"])),
    ///     Category::Nursing,
    /// )
    /// .with_priority(Priority::Asap)
    /// .with_segment(Segment::text("x", a, "1234", "2024-01-01T00:00:00Z"))
    /// .build(&Context::new())
    /// .unwrap_err();
    /// assert_eq!(err, BuildError::PriorityWithoutReferral { category: "nursing" });
    /// ```
    #[must_use]
    pub fn with_priority(mut self, priority: Priority) -> Self {
        self.priority = Some(priority);
        self
    }

    /// Sets the episode of care.
    #[must_use]
    pub fn with_episode_of_care(mut self, episode: EpisodeOfCare) -> Self {
        self.episode_of_care = Some(episode);
        self
    }

    /// Sets the specific sender (must belong to the sending organization).
    #[must_use]
    pub fn with_specific_sender(mut self, party: Party) -> Self {
        self.specific_sender = Some(party);
        self
    }

    /// Sets the specific recipient (must belong to the receiving organization).
    #[must_use]
    pub fn with_recipient(mut self, party: Party) -> Self {
        self.recipient = Some(party);
        self
    }

    /// Adds a segment.
    #[must_use]
    pub fn with_segment(mut self, segment: Segment) -> Self {
        self.segments.push(segment);
        self
    }

    /// Sets the thread identifier (`urn:uuid:` and a lowercase UUID).
    #[must_use]
    pub fn with_thread(mut self, thread: &str) -> Self {
        self.thread = Some(thread.to_owned());
        self
    }

    /// The reply to a received CareCommunication, in its release: sender and receiver swapped, the thread
    /// identifier, patient, category, topic and episode of care kept, every earlier segment
    /// carried (attachment data left out, as MedCom asks), the received Provenances carried
    /// and this message pointing back at the received MessageHeader with role `revision`.
    /// The received specific sender becomes the recipient. Add the reply's own segments with
    /// [`Self::with_segment`].
    ///
    /// # Errors
    ///
    /// [`BuildError::Received`] when `received` is no readable CareCommunication.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::*;
    /// # let hospital = Organization::new("265161000016000", "5790000209354");
    /// # let home = Organization::new("953741000016009", "5790001348120");
    /// # let nurse = Author::new(PersonName::new("Burns", &["Michael"]), Role::sks("sygeplejerske"), hospital.clone());
    /// # let carer = Author::new(PersonName::new("Waters", &["Emma"]), Role::sks("sygeplejerske"), home.clone());
    /// # let patient = Patient::cpr("2509471005", PersonName::new("Elmer", &["Bruno"]));
    /// let ctx = Context::new();
    /// let first = CareCommunication::new(hospital, home, patient, Category::Nursing)
    ///     .with_segment(Segment::text("Hvordan går det?", nurse, "38683868", "2024-05-01T12:00:00+02:00"))
    ///     .build(&ctx)
    ///     .unwrap();
    /// let reply = CareCommunication::reply(&first)
    ///     .unwrap()
    ///     .with_segment(Segment::text("Godt.", carer, "44527000", "2024-05-02T09:00:00+02:00"))
    ///     .build(&ctx)
    ///     .unwrap();
    /// let (a, b) = (CareCommunication::read(&first).unwrap(), CareCommunication::read(&reply).unwrap());
    /// assert_eq!(a.thread, b.thread);
    /// assert_eq!(b.history.len(), 1);
    /// assert_eq!(b.activity, Activity::ReplyMessage);
    /// ```
    pub fn reply(received: &Document<'_>) -> Result<Self, BuildError> {
        let info = MessageInfo::read(received)?;
        let mut m = Self::read(received)?;
        m.sender = info.receiver;
        m.receiver = info.sender;
        m.recipient = m.specific_sender.take();
        m.history = info.provenances;
        m.activity = Activity::ReplyMessage;
        m.previous = Some(Predecessor::revision(&info.header_id));
        strip_attachment_data(&mut m.segments);
        Ok(m)
    }

    /// The forward of a received CareCommunication to `to`: the receiver of the received
    /// message sends, with a new thread identifier, every earlier segment (attachment data
    /// kept, since the new receiver has not seen it) and Provenance carried, pointing back at
    /// the received MessageHeader with role `revision`. Add at least one segment of the
    /// forwarder's own ([`BuildError::NoNewSegment`] otherwise).
    ///
    /// # Errors
    ///
    /// [`BuildError::Received`] when `received` is no readable CareCommunication.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::*;
    /// # let hospital = Organization::new("265161000016000", "5790000209354");
    /// # let home = Organization::new("953741000016009", "5790001348120");
    /// # let gp = Organization::new("123456789012342", "5790001382445");
    /// # let nurse = Author::new(PersonName::new("Burns", &["Michael"]), Role::sks("sygeplejerske"), hospital.clone());
    /// # let patient = Patient::cpr("2509471005", PersonName::new("Elmer", &["Bruno"]));
    /// let ctx = Context::new();
    /// let first = CareCommunication::new(hospital, home, patient, Category::Nursing)
    ///     .with_segment(Segment::text("Til orientering.", nurse, "38683868", "2024-05-01T12:00:00+02:00"))
    ///     .build(&ctx)
    ///     .unwrap();
    /// # let nurse = Author::new(PersonName::new("Burns", &["Michael"]), Role::sks("sygeplejerske"), Organization::new("953741000016009", "5790001348120"));
    /// let forward = CareCommunication::forward(&first, gp.clone())
    ///     .unwrap()
    ///     .with_segment(Segment::text("Videresendt til egen læge.", nurse, "44527000", "2024-05-02T09:00:00+02:00"))
    ///     .build(&ctx)
    ///     .unwrap();
    /// let read = CareCommunication::read(&forward).unwrap();
    /// assert_ne!(read.thread, CareCommunication::read(&first).unwrap().thread);
    /// assert_eq!(read.receiver.sor, gp.sor);
    /// assert!(medcom::validate::Validator::new().report(&forward).is_valid());
    /// ```
    pub fn forward(received: &Document<'_>, to: Organization) -> Result<Self, BuildError> {
        let info = MessageInfo::read(received)?;
        let mut m = Self::read(received)?;
        m.sender = info.receiver;
        m.receiver = to;
        m.thread = None;
        m.specific_sender = None;
        m.recipient = None;
        m.history = info.provenances;
        m.activity = Activity::ForwardMessage;
        m.previous = Some(Predecessor::revision(&info.header_id));
        Ok(m)
    }

    /// Payload identifiers the earlier messages added.
    fn earlier_payloads(&self) -> Vec<&str> {
        self.history
            .iter()
            .flat_map(|p| p.payloads.iter().map(String::as_str))
            .collect()
    }

    fn check(&self) -> Result<(), BuildError> {
        self.sender.check_messaging()?;
        self.receiver.check_messaging()?;
        self.patient.check()?;
        if let Some(t) = &self.thread {
            check_urn_uuid("Communication.identifier", t)?;
        }
        if self.priority.is_some() && self.category != Category::RegardingReferral {
            return Err(BuildError::PriorityWithoutReferral {
                category: self.category.code(),
            });
        }
        if !self.release.has_category(self.category) {
            return Err(BuildError::NotInRelease {
                what: format!("category '{}'", self.category.code()),
                release: self.release.line(),
            });
        }
        let role_as_text = self
            .segments
            .iter()
            .filter_map(|s| s.author.as_ref())
            .any(|a| matches!(a.role, super::party::Role::Text(_)));
        if role_as_text && !self.release.takes_role_as_text() {
            return Err(BuildError::NotInRelease {
                what:
                    "a segment author's role as text (medcom-careCommunication-7 asks for a code)"
                        .to_owned(),
                release: self.release.line(),
            });
        }
        if self.category == Category::Other
            && self.topic.as_deref().is_none_or(|t| t.trim().is_empty())
        {
            return Err(BuildError::TopicRequired);
        }
        if let Some(e) = &self.episode_of_care {
            e.check()?;
        }
        if let Some(p) = &self.specific_sender {
            p.check()?;
            if p.organization().is_none_or(|o| o.sor != self.sender.sor) {
                return Err(BuildError::PartyOrganization { role: "sender" });
            }
        }
        if let Some(p) = &self.recipient {
            p.check()?;
            if p.organization().is_none_or(|o| o.sor != self.receiver.sor) {
                return Err(BuildError::PartyOrganization { role: "recipient" });
            }
        }
        if !is_thread_activity(self.activity) {
            return Err(BuildError::Missing {
                what: "CareCommunication activity new-message, reply-message or forward-message",
            });
        }
        if self.activity != Activity::NewMessage && self.previous.is_none() {
            return Err(BuildError::Missing {
                what: "previous message of a reply or forward",
            });
        }
        if !self
            .segments
            .iter()
            .any(|s| matches!(s.content, Content::Text(_)))
        {
            return Err(BuildError::Missing {
                what: "text segment",
            });
        }
        let earlier = self.earlier_payloads();
        let mut added = 0;
        for s in &self.segments {
            let is_new = s
                .identifier
                .as_deref()
                .is_none_or(|i| !earlier.contains(&i));
            s.check(is_new)?;
            added += usize::from(is_new);
        }
        if added == 0 {
            return Err(BuildError::NoNewSegment);
        }
        for p in &self.history {
            if !is_thread_activity(p.activity) {
                return Err(BuildError::Missing {
                    what: "CareCommunication activity in the carried Provenances",
                });
            }
        }
        Ok(())
    }

    /// Builds the message.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] for what the standard forbids: a malformed identifier, a priority
    /// without the referral category, category `other` without a topic, no text segment, a
    /// text segment without author or contact, an attachment of a forbidden type or without
    /// content, a specific sender or recipient of another organization, a reply or forward
    /// without the previous message.
    ///
    /// # Examples
    ///
    /// See [`CareCommunication`].
    pub fn build(&self, ctx: &Context) -> Result<Document<'static>, BuildError> {
        self.check()?;
        let mut a = Assembly::new(ctx, PROFILES, EVENT, &self.sender, &self.receiver)?;
        let patient = a.patient(&self.patient)?;
        let (comm, comm_id) = a.resource("Communication", COMMUNICATION_PROFILE)?;
        let header = a.header;
        a.tree
            .reference(header, "focus", &format!("Communication/{comm_id}"))?;
        a.tree
            .val(header, "definition", self.release.definition())?;

        if let Some(p) = &self.specific_sender {
            let r = a.party(p)?;
            let e = a.tree.extension(comm, SENDER_EXT)?;
            a.tree.reference(e, "value", &r)?;
        }
        let thread = match &self.thread {
            Some(t) => t.clone(),
            None => format!("urn:uuid:{}", ctx.next_id()),
        };
        let i = a.tree.group(comm, "identifier")?;
        a.tree.val(i, "value", &thread)?;
        a.tree.val(comm, "status", "unknown")?;
        a.tree
            .concept(comm, "category", CATEGORY_SYSTEM, self.category.code())?;
        if let Some(p) = self.priority {
            a.tree.val(comm, "priority", p.code())?;
        }
        a.tree.reference(comm, "subject", &patient)?;
        if let Some(t) = &self.topic {
            let topic = a.tree.typed(comm, "topic", "CodeableConcept")?;
            a.tree.val(topic, "text", t)?;
        }
        if let Some(e) = &self.episode_of_care {
            let r = encounter(&mut a, e, &patient)?;
            a.tree.reference(comm, "encounter", &r)?;
        }
        if let Some(p) = &self.recipient {
            let r = a.party(p)?;
            a.tree.reference(comm, "recipient", &r)?;
        }
        let earlier = self.earlier_payloads();
        let mut added = Vec::new();
        for s in &self.segments {
            let id = match &s.identifier {
                Some(i) => i.clone(),
                None => format!("urn:uuid:{}", ctx.next_id()),
            };
            if !earlier.contains(&id.as_str()) {
                added.push(id.clone());
            }
            payload(&mut a, comm, s, &id, &self.sender)?;
        }
        for p in &self.history {
            a.provenance(p)?;
        }
        let mut own = a.own_provenance(self.activity, &self.sender);
        own.previous.clone_from(&self.previous);
        own.payloads = added;
        a.provenance(&own)?;
        a.finish()
    }

    /// Reads a CareCommunication of either release. `history` holds every Provenance but this
    /// message's own, whose activity and link give `activity` and `previous`; `release` comes
    /// from `MessageHeader.definition` (5.0 when it names none).
    ///
    /// # Errors
    ///
    /// A [`ViewError`] when the document is no CareCommunication or lacks what the profile
    /// requires (Communication, Patient, category).
    ///
    /// # Examples
    ///
    /// See [`CareCommunication`].
    pub fn read(doc: &Document<'_>) -> Result<Self, ViewError> {
        let info = MessageInfo::read(doc)?;
        if info.event != EVENT {
            return Err(ViewError::WrongEvent {
                expected: EVENT,
                found: info.event,
            });
        }
        let bundle = doc.root();
        let header = super::header_of(bundle).ok_or(ViewError::Missing {
            path: "MessageHeader",
        })?;
        let comm = tree::text(header, &["focus", "reference"])
            .and_then(|r| resolve(bundle, r))
            .or_else(|| resources(bundle, "Communication").next())
            .ok_or(ViewError::Missing {
                path: "Bundle.entry.resource.ofType(Communication)",
            })?;
        let patient = tree::text(comm, &["subject", "reference"])
            .and_then(|r| resolve(bundle, r))
            .or_else(|| resources(bundle, "Patient").next())
            .ok_or(ViewError::Missing {
                path: "Communication.subject",
            })?;
        let code = comm
            .child("category")
            .and_then(|c| c.child("coding"))
            .and_then(|c| c.child_value("code"))
            .ok_or(ViewError::Missing {
                path: "Communication.category.coding.code",
            })?;
        let category = Category::from_code(code).ok_or_else(|| ViewError::UnknownCode {
            element: "Communication.category",
            code: code.to_owned(),
        })?;
        let priority = match comm.child_value("priority") {
            Some(p) => Some(
                Priority::from_code(p).ok_or_else(|| ViewError::UnknownCode {
                    element: "Communication.priority",
                    code: p.to_owned(),
                })?,
            ),
            None => None,
        };
        let specific_sender = match tree::extension(comm, SENDER_EXT)
            .and_then(|e| e.child("value"))
            .and_then(|v| v.child_value("reference"))
        {
            Some(r) => Some(read_party(bundle, r)?),
            None => None,
        };
        let recipient = match tree::text(comm, &["recipient", "reference"]) {
            Some(r) => Some(read_party(bundle, r)?),
            None => None,
        };
        let episode_of_care = tree::text(comm, &["encounter", "reference"])
            .map(|r| resolve_required(bundle, r))
            .transpose()?
            .and_then(read_encounter);
        let segments = comm
            .children_named("payload")
            .map(|p| read_segment(bundle, p))
            .collect::<Result<Vec<_>, _>>()?;
        let own_index = info
            .provenances
            .iter()
            .position(|p| p.target == info.header_id)
            .or_else(|| {
                info.provenances
                    .iter()
                    .enumerate()
                    .max_by(|a, b| a.1.recorded.cmp(&b.1.recorded))
                    .map(|(i, _)| i)
            });
        let mut history = info.provenances;
        let own = own_index.map(|i| history.remove(i));
        let release = header
            .child_value("definition")
            .and_then(CareCommunicationRelease::of_definition)
            .unwrap_or_default();
        Ok(Self {
            sender: info.sender,
            receiver: info.receiver,
            patient: read_patient(patient)?,
            thread: tree::text(comm, &["identifier", "value"]).map(str::to_owned),
            category,
            topic: tree::text(comm, &["topic", "text"]).map(str::to_owned),
            priority,
            episode_of_care,
            specific_sender,
            recipient,
            segments,
            activity: own.as_ref().map_or(Activity::NewMessage, |p| p.activity),
            previous: own.and_then(|p| p.previous),
            history,
            release,
        })
    }
}

/// A reply carries earlier attachments by identifier, date, title and author only.
fn strip_attachment_data(segments: &mut [Segment]) {
    for s in segments {
        if let Content::Attachment(a) = &mut s.content {
            a.data = None;
        }
    }
}

fn encounter(a: &mut Assembly<'_>, e: &EpisodeOfCare, patient: &str) -> Result<String, BuildError> {
    let (res, id) = a.resource("Encounter", ENCOUNTER_PROFILE)?;
    a.tree.val(res, "status", &e.status)?;
    a.tree.coding(res, "class", ACT_CODE_SYSTEM, &e.class)?;
    a.tree.reference(res, "subject", patient)?;
    let eoc = a.tree.typed(res, "episodeOfCare", "Reference")?;
    let i = a.tree.group(eoc, "identifier")?;
    a.tree.val(i, "system", &e.system)?;
    a.tree.val(i, "value", &e.value)?;
    Ok(format!("Encounter/{id}"))
}

fn read_encounter(enc: Node<'_, '_>) -> Option<EpisodeOfCare> {
    let i = enc.child("episodeOfCare")?.child("identifier")?;
    Some(EpisodeOfCare {
        system: i.child_value("system").unwrap_or_default().to_owned(),
        value: i.child_value("value").unwrap_or_default().to_owned(),
        status: enc.child_value("status").unwrap_or_default().to_owned(),
        class: enc
            .child("class")
            .and_then(|c| c.child_value("code"))
            .unwrap_or_default()
            .to_owned(),
    })
}

fn payload(
    a: &mut Assembly<'_>,
    comm: NodeId,
    s: &Segment,
    id: &str,
    sender: &Organization,
) -> Result<(), BuildError> {
    let p = a.tree.group(comm, "payload")?;
    let e = a.tree.extension(p, DATE_EXT)?;
    a.tree.typed_val(e, "value", "dateTime", &s.date)?;
    let assigner = s
        .assigner
        .as_ref()
        .or(s.author.as_ref().and_then(|x| x.organization.as_ref()))
        .unwrap_or(sender);
    let assigner = a.organization(assigner)?;
    let e = a.tree.extension(p, IDENTIFIER_EXT)?;
    let v = a.tree.typed(e, "value", "Identifier")?;
    a.tree.val(v, "value", id)?;
    a.tree.reference(v, "assigner", &assigner)?;
    if let Some(author) = &s.author {
        let r = a.author(author)?;
        let e = a.tree.extension(p, AUTHOR_EXT)?;
        a.tree.reference(e, "value", &r)?;
    }
    if let Some(c) = &s.contact {
        let e = a.tree.extension(p, CONTACT_EXT)?;
        let v = a.tree.typed(e, "value", "ContactPoint")?;
        a.tree.val(v, "system", "phone")?;
        a.tree.val(v, "value", c)?;
    }
    match &s.content {
        Content::Text(t) => {
            a.tree.typed_val(p, "content", "string", t)?;
        }
        Content::Attachment(att) => {
            let c = a.tree.typed(p, "content", "Attachment")?;
            a.tree.opt(c, "contentType", att.content_type.as_deref())?;
            a.tree.opt(c, "data", att.data.as_deref())?;
            a.tree.opt(c, "url", att.url.as_deref())?;
            a.tree.val(c, "title", &att.title)?;
            a.tree.opt(c, "creation", att.creation.as_deref())?;
        }
    }
    Ok(())
}

fn read_segment(bundle: Node<'_, '_>, p: Node<'_, '_>) -> Result<Segment, ViewError> {
    let date = tree::extension(p, DATE_EXT)
        .and_then(|e| e.child("value"))
        .and_then(|v| v.value())
        .unwrap_or_default();
    let ident = tree::extension(p, IDENTIFIER_EXT).and_then(|e| e.child("value"));
    let identifier = ident
        .and_then(|v| v.child_value("value"))
        .map(str::to_owned);
    let assigner = ident
        .and_then(|v| tree::text(v, &["assigner", "reference"]))
        .and_then(|r| resolve(bundle, r))
        .map(read_organization);
    let author = match tree::extension(p, AUTHOR_EXT)
        .and_then(|e| e.child("value"))
        .and_then(|v| v.child_value("reference"))
    {
        Some(r) => {
            let role = resolve_required(bundle, r)?;
            Some(read_author(bundle, role)?)
        }
        None => None,
    };
    let contact = tree::extension(p, CONTACT_EXT)
        .and_then(|e| e.child("value"))
        .and_then(|v| v.child_value("value"))
        .map(str::to_owned);
    let content = p.child("content").ok_or(ViewError::Missing {
        path: "Communication.payload.content",
    })?;
    let content = if content.ty().name() == "Attachment" {
        Content::Attachment(Attachment {
            content_type: content.child_value("contentType").map(str::to_owned),
            title: content.child_value("title").unwrap_or_default().to_owned(),
            data: content.child_value("data").map(str::to_owned),
            url: content.child_value("url").map(str::to_owned),
            creation: content.child_value("creation").map(str::to_owned),
        })
    } else {
        Content::Text(content.value().unwrap_or_default().to_owned())
    };
    Ok(Segment {
        identifier,
        date: date.to_owned(),
        author,
        contact,
        assigner,
        content,
    })
}
