//! What every MedCom message shares: the Bundle (type `message`) with the MessageHeader first,
//! the sender and receiver Organizations, the Provenance chain, and reading these back.

use crate::model::{Document, Node, NodeId};

use super::ids::Context;
use super::narrative;
use super::party::{
    Author, CareTeam, Identifier, Organization, Party, Patient, PersonIdentifier, PersonName, Role,
    CPR_SYSTEM, GLN_SYSTEM, SOR_SYSTEM,
};
use super::tree::{self, Tree};
use super::{
    BuildError, ViewError, ACTIVITY_SYSTEM, DESTINATION_USE, DESTINATION_USE_SYSTEM, EVENT_SYSTEM,
};

/// The data-absent-reason extension.
const DATA_ABSENT_REASON: &str = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";

/// `Provenance.activity`: what a message does (MedCom's activity codes, all standards).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Activity {
    /// `new-message`.
    NewMessage,
    /// `reply-message`.
    ReplyMessage,
    /// `forward-message`.
    ForwardMessage,
    /// `retract-message`.
    RetractMessage,
    /// `modified-message`.
    ModifiedMessage,
    /// `carboncopy-message`.
    CarbonCopyMessage,
    /// `acknowledgement`.
    Acknowledgement,
    /// `admit-emergency`.
    AdmitEmergency,
    /// `revise-admit-emergency`.
    ReviseAdmitEmergency,
    /// `cancel-admit-emergency`.
    CancelAdmitEmergency,
    /// `admit-inpatient`.
    AdmitInpatient,
    /// `revise-admit-inpatient`.
    ReviseAdmitInpatient,
    /// `cancel-admit-inpatient`.
    CancelAdmitInpatient,
    /// `start-leave-inpatient`.
    StartLeaveInpatient,
    /// `revise-start-leave-inpatient`.
    ReviseStartLeaveInpatient,
    /// `cancel-start-leave-inpatient`.
    CancelStartLeaveInpatient,
    /// `end-leave-inpatient`.
    EndLeaveInpatient,
    /// `revise-end-leave-inpatient`.
    ReviseEndLeaveInpatient,
    /// `cancel-end-leave-inpatient`.
    CancelEndLeaveInpatient,
    /// `discharge-emergency-home`.
    DischargeEmergencyHome,
    /// `discharge-inpatient-home`.
    DischargeInpatientHome,
    /// `revise-discharge-emergency-home`.
    ReviseDischargeEmergencyHome,
    /// `revise-discharge-inpatient-home`.
    ReviseDischargeInpatientHome,
    /// `cancel-discharge-emergency-home`.
    CancelDischargeEmergencyHome,
    /// `cancel-discharge-inpatient-home`.
    CancelDischargeInpatientHome,
}

impl Activity {
    /// Every activity code, in the code system's order.
    pub const ALL: [Self; 25] = [
        Self::NewMessage,
        Self::ForwardMessage,
        Self::ReplyMessage,
        Self::RetractMessage,
        Self::ModifiedMessage,
        Self::CarbonCopyMessage,
        Self::Acknowledgement,
        Self::AdmitEmergency,
        Self::ReviseAdmitEmergency,
        Self::CancelAdmitEmergency,
        Self::AdmitInpatient,
        Self::ReviseAdmitInpatient,
        Self::CancelAdmitInpatient,
        Self::StartLeaveInpatient,
        Self::ReviseStartLeaveInpatient,
        Self::CancelStartLeaveInpatient,
        Self::EndLeaveInpatient,
        Self::ReviseEndLeaveInpatient,
        Self::CancelEndLeaveInpatient,
        Self::DischargeEmergencyHome,
        Self::DischargeInpatientHome,
        Self::ReviseDischargeEmergencyHome,
        Self::ReviseDischargeInpatientHome,
        Self::CancelDischargeEmergencyHome,
        Self::CancelDischargeInpatientHome,
    ];

    /// The code.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::Activity;
    /// assert_eq!(Activity::ReplyMessage.code(), "reply-message");
    /// assert_eq!(Activity::from_code("reply-message"), Some(Activity::ReplyMessage));
    /// ```
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::NewMessage => "new-message",
            Self::ReplyMessage => "reply-message",
            Self::ForwardMessage => "forward-message",
            Self::RetractMessage => "retract-message",
            Self::ModifiedMessage => "modified-message",
            Self::CarbonCopyMessage => "carboncopy-message",
            Self::Acknowledgement => "acknowledgement",
            Self::AdmitEmergency => "admit-emergency",
            Self::ReviseAdmitEmergency => "revise-admit-emergency",
            Self::CancelAdmitEmergency => "cancel-admit-emergency",
            Self::AdmitInpatient => "admit-inpatient",
            Self::ReviseAdmitInpatient => "revise-admit-inpatient",
            Self::CancelAdmitInpatient => "cancel-admit-inpatient",
            Self::StartLeaveInpatient => "start-leave-inpatient",
            Self::ReviseStartLeaveInpatient => "revise-start-leave-inpatient",
            Self::CancelStartLeaveInpatient => "cancel-start-leave-inpatient",
            Self::EndLeaveInpatient => "end-leave-inpatient",
            Self::ReviseEndLeaveInpatient => "revise-end-leave-inpatient",
            Self::CancelEndLeaveInpatient => "cancel-end-leave-inpatient",
            Self::DischargeEmergencyHome => "discharge-emergency-home",
            Self::DischargeInpatientHome => "discharge-inpatient-home",
            Self::ReviseDischargeEmergencyHome => "revise-discharge-emergency-home",
            Self::ReviseDischargeInpatientHome => "revise-discharge-inpatient-home",
            Self::CancelDischargeEmergencyHome => "cancel-discharge-emergency-home",
            Self::CancelDischargeInpatientHome => "cancel-discharge-inpatient-home",
        }
    }

    /// The activity of a code, `None` for a code outside MedCom's activity codes.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.code() == code)
    }

    /// Whether the activity cancels a previous message (its Provenance points back with role
    /// `removal`).
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::Activity;
    /// assert!(Activity::CancelAdmitInpatient.is_cancellation());
    /// assert!(!Activity::ReviseAdmitInpatient.is_cancellation());
    /// ```
    #[must_use]
    pub fn is_cancellation(self) -> bool {
        self.code().starts_with("cancel-")
    }
}

/// `Provenance.entity.role` of the link to a previous message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EntityRole {
    /// `revision`: a reply, forward, correction or acknowledgement.
    Revision,
    /// `removal`: a cancellation.
    Removal,
}

impl EntityRole {
    /// The code.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::messages::EntityRole::Removal.code(), "removal");
    /// ```
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Revision => "revision",
            Self::Removal => "removal",
        }
    }
}

/// The previous message a Provenance points at (`entity.what`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PreviousMessage {
    /// A FHIR message, by its `MessageHeader.id` (`entity.what.reference` =
    /// `MessageHeader/<id>`).
    Header(String),
    /// An EDIFACT or OIOXML message, by `brevid#lokationsnummer` (`entity.what.identifier`).
    Legacy(String),
}

/// The link of a Provenance to the previous message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Predecessor {
    /// `revision` or `removal`.
    pub role: EntityRole,
    /// The previous message.
    pub message: PreviousMessage,
}

impl Predecessor {
    /// A `revision` link to a FHIR message's header.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{EntityRole, Predecessor};
    /// assert_eq!(Predecessor::revision("h1").role, EntityRole::Revision);
    /// ```
    #[must_use]
    pub fn revision(header_id: &str) -> Self {
        Self {
            role: EntityRole::Revision,
            message: PreviousMessage::Header(header_id.to_owned()),
        }
    }

    /// A `revision` link to a legacy letter (OIOXML or EDIFACT) by MedCom's
    /// `brevid#lokationsnummer`: the letter's identifier and its sender's location number.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Predecessor, PreviousMessage};
    /// let p = Predecessor::legacy("B300720181623", "5790000121526");
    /// assert_eq!(p.message, PreviousMessage::Legacy("B300720181623#5790000121526".into()));
    /// ```
    #[must_use]
    pub fn legacy(letter: &str, location: &str) -> Self {
        Self {
            role: EntityRole::Revision,
            message: PreviousMessage::Legacy(format!("{letter}#{location}")),
        }
    }

    /// A `removal` link to a FHIR message's header.
    #[must_use]
    pub fn removal(header_id: &str) -> Self {
        Self {
            role: EntityRole::Removal,
            message: PreviousMessage::Header(header_id.to_owned()),
        }
    }
}

/// One Provenance of a message: the record of one message of a thread or episode.
///
/// # Examples
///
/// ```
/// use medcom::messages::{Activity, Organization, ProvenanceRecord};
/// let org = Organization::new("265161000016000", "5790000209354");
/// let p = ProvenanceRecord::new("h1", "2024-05-01T12:00:00+02:00", Activity::NewMessage, org);
/// assert!(p.previous.is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProvenanceRecord {
    /// The `MessageHeader.id` of the message the Provenance belongs to (`target`).
    pub target: String,
    /// `occurredDateTime` (send time, human readable).
    pub occurred: String,
    /// `recorded` (send time, machine readable).
    pub recorded: String,
    /// `activity`.
    pub activity: Activity,
    /// `agent.who`: the organization that sent the message.
    pub agent: Organization,
    /// The previous message (`entity` with role `revision` or `removal`).
    pub previous: Option<Predecessor>,
    /// Identifiers of the payloads the message added (`entity` with role `source`,
    /// CareCommunication).
    pub payloads: Vec<String>,
}

impl ProvenanceRecord {
    /// A record sent at `time` (both `occurred` and `recorded`).
    #[must_use]
    pub fn new(target: &str, time: &str, activity: Activity, agent: Organization) -> Self {
        Self {
            target: target.to_owned(),
            occurred: time.to_owned(),
            recorded: time.to_owned(),
            activity,
            agent,
            previous: None,
            payloads: Vec::new(),
        }
    }

    /// Sets the link to the previous message.
    #[must_use]
    pub fn with_previous(mut self, previous: Predecessor) -> Self {
        self.previous = Some(previous);
        self
    }
}

/// What every message has: envelope and letter identifiers, time, event, sender and receivers,
/// and the Provenance chain.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageInfo {
    /// `Bundle.id` (envelope identifier; new for every transmission).
    pub bundle_id: String,
    /// `Bundle.timestamp`.
    pub timestamp: String,
    /// `MessageHeader.id` (letter identifier).
    pub header_id: String,
    /// `MessageHeader.eventCoding.code` (empty when the message names none).
    pub event: String,
    /// `MessageHeader.sender` (its endpoint is `source.endpoint`).
    pub sender: Organization,
    /// The primary receiver (its endpoint is that destination's endpoint).
    pub receiver: Organization,
    /// Carbon-copy receivers.
    pub cc: Vec<Organization>,
    /// Every Provenance, in message order.
    pub provenances: Vec<ProvenanceRecord>,
}

impl MessageInfo {
    /// Reads the parts every MedCom message has.
    ///
    /// # Errors
    ///
    /// A [`ViewError`] when the document is no message Bundle, has no MessageHeader, or a
    /// reference to the sender or a receiver does not resolve.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Context, EmptyMessage, MessageInfo, Organization};
    /// let sender = Organization::new("265161000016000", "5790000209354");
    /// let receiver = Organization::new("953741000016009", "5790001348120");
    /// let doc = EmptyMessage::new(sender, receiver).build(&Context::fixed(0)).unwrap();
    /// let info = MessageInfo::read(&doc).unwrap();
    /// assert_eq!(info.event, "empty-message");
    /// assert_eq!(info.provenances.len(), 1);
    /// ```
    pub fn read(doc: &Document<'_>) -> Result<Self, ViewError> {
        // A message without an event still gets answered (with a fatal-error acknowledgement).
        let (bundle, header, event) = match message_header(doc) {
            Err(ViewError::Missing {
                path: "MessageHeader.eventCoding.code",
            }) => {
                let bundle = doc.root();
                let header = header_of(bundle).ok_or(ViewError::Missing {
                    path: "Bundle.entry.resource.ofType(MessageHeader)",
                })?;
                (bundle, header, "")
            }
            other => other?,
        };
        let sender = read_sender(bundle, header)?;
        let mut receiver = None;
        let mut cc = Vec::new();
        for d in header.children_named("destination") {
            let Some(r) = tree::text(d, &["receiver", "reference"]) else {
                continue;
            };
            let mut org = read_organization(resolve_required(bundle, r)?);
            if let Some(e) = d.child_value("endpoint") {
                org.endpoint = e.to_owned();
            }
            let is_cc = tree::extension(d, DESTINATION_USE)
                .and_then(|e| e.child("value"))
                .and_then(|v| v.child_value("code"))
                == Some("cc");
            if is_cc || receiver.is_some() {
                cc.push(org);
            } else {
                receiver = Some(org);
            }
        }
        let receiver = receiver.ok_or(ViewError::Missing {
            path: "MessageHeader.destination.receiver",
        })?;
        let provenances = resources(bundle, "Provenance")
            .map(|p| read_provenance(bundle, p, &sender))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            bundle_id: bundle.child_value("id").unwrap_or_default().to_owned(),
            timestamp: bundle
                .child_value("timestamp")
                .unwrap_or_default()
                .to_owned(),
            header_id: header.child_value("id").unwrap_or_default().to_owned(),
            event: event.to_owned(),
            sender,
            receiver,
            cc,
            provenances,
        })
    }

    /// The Provenance of this message itself (the one whose target is its MessageHeader), or
    /// else the most recently recorded one.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Activity, Context, EmptyMessage, MessageInfo, Organization};
    /// let sender = Organization::new("265161000016000", "5790000209354");
    /// let receiver = Organization::new("953741000016009", "5790001348120");
    /// let doc = EmptyMessage::new(sender, receiver).build(&Context::fixed(0)).unwrap();
    /// let info = MessageInfo::read(&doc).unwrap();
    /// assert_eq!(info.latest().unwrap().activity, Activity::NewMessage);
    /// ```
    #[must_use]
    pub fn latest(&self) -> Option<&ProvenanceRecord> {
        self.provenances
            .iter()
            .find(|p| p.target == self.header_id)
            .or_else(|| {
                self.provenances
                    .iter()
                    .max_by(|a, b| a.recorded.cmp(&b.recorded))
            })
    }

    /// The activity of this message (of [`Self::latest`]).
    #[must_use]
    pub fn activity(&self) -> Option<Activity> {
        self.latest().map(|p| p.activity)
    }
}

/// The Bundle, its MessageHeader and the event code: what every read view starts from.
pub(crate) fn message_header<'d, 'a>(
    doc: &'d Document<'a>,
) -> Result<(Node<'d, 'a>, Node<'d, 'a>, &'d str), ViewError> {
    let bundle = doc.root();
    if bundle.ty().name() != "Bundle" || bundle.child_value("type") != Some("message") {
        return Err(ViewError::NotAMessage);
    }
    let header = header_of(bundle).ok_or(ViewError::Missing {
        path: "Bundle.entry.resource.ofType(MessageHeader)",
    })?;
    let event = tree::text(header, &["event", "code"]).ok_or(ViewError::Missing {
        path: "MessageHeader.eventCoding.code",
    })?;
    Ok((bundle, header, event))
}

/// As [`message_header`], refusing any event but `expected`.
pub(crate) fn message_header_of<'d, 'a>(
    doc: &'d Document<'a>,
    expected: &'static str,
) -> Result<(Node<'d, 'a>, Node<'d, 'a>), ViewError> {
    let (bundle, header, event) = message_header(doc)?;
    if event != expected {
        return Err(ViewError::WrongEvent {
            expected,
            found: event.to_owned(),
        });
    }
    Ok((bundle, header))
}

/// The sender Organization, with the endpoint the header gives as its source.
pub(crate) fn read_sender(
    bundle: Node<'_, '_>,
    header: Node<'_, '_>,
) -> Result<Organization, ViewError> {
    let sender_ref = tree::text(header, &["sender", "reference"]).ok_or(ViewError::Missing {
        path: "MessageHeader.sender",
    })?;
    let mut sender = read_organization(resolve_required(bundle, sender_ref)?);
    if let Some(e) = tree::text(header, &["source", "endpoint"]) {
        sender.endpoint = e.to_owned();
    }
    Ok(sender)
}

/// The MessageHeader, as the message view finds it ([`crate::model::MessageView::header`]).
pub(crate) fn header_of<'d, 'a>(bundle: Node<'d, 'a>) -> Option<Node<'d, 'a>> {
    crate::model::MessageView::new(bundle).header()
}

/// The entry resources of one type.
pub(crate) fn resources<'d, 'a>(
    bundle: Node<'d, 'a>,
    ty: &'static str,
) -> impl Iterator<Item = Node<'d, 'a>> + 'd
where
    'a: 'd,
{
    bundle
        .children_named("entry")
        .filter_map(|e| e.child("resource"))
        .filter(move |r| r.ty().name() == ty)
}

/// The id a reference names: the part after the last `/` (or after `urn:uuid:`).
pub(crate) fn id_of(reference: &str) -> &str {
    reference
        .strip_prefix("urn:uuid:")
        .unwrap_or_else(|| reference.rsplit('/').next().unwrap_or(reference))
}

/// Resolves a reference inside the Bundle by the R4 rules
/// ([`crate::model::MessageView::resolve`]).
pub(crate) fn resolve<'d, 'a>(bundle: Node<'d, 'a>, reference: &str) -> Option<Node<'d, 'a>> {
    crate::model::MessageView::new(bundle).resolve(None, reference)
}

pub(crate) fn resolve_required<'d, 'a>(
    bundle: Node<'d, 'a>,
    reference: &str,
) -> Result<Node<'d, 'a>, ViewError> {
    resolve(bundle, reference).ok_or_else(|| ViewError::Unresolved {
        reference: reference.to_owned(),
    })
}

/// An Organization resource as typed data (endpoint: the SOR URL).
pub(crate) fn read_organization(org: Node<'_, '_>) -> Organization {
    let mut sor = None;
    let mut gln = None;
    for i in org.children_named("identifier") {
        match i.child_value("system") {
            Some(SOR_SYSTEM) => sor = i.child_value("value"),
            Some(s) if s.ends_with("gs1.org/gln") => gln = i.child_value("value"),
            _ => {}
        }
    }
    let mut o = match gln {
        Some(g) => Organization::new(sor.unwrap_or_default(), g),
        None => Organization::sor_only(sor.unwrap_or_default()),
    };
    o.other_identifiers = org
        .children_named("identifier")
        .filter_map(|i| {
            let system = i.child_value("system")?;
            (system != SOR_SYSTEM && !system.ends_with("gs1.org/gln"))
                .then(|| Identifier::new(system, i.child_value("value").unwrap_or_default()))
        })
        .collect();
    o.name = org.child_value("name").map(str::to_owned);
    o.aliases = org
        .children_named("alias")
        .filter_map(|a| a.value())
        .map(str::to_owned)
        .collect();
    o
}

/// A Patient resource as typed data.
pub(crate) fn read_patient(p: Node<'_, '_>) -> Result<Patient, ViewError> {
    let identifier = p
        .children_named("identifier")
        .find_map(|i| {
            let value = i.child_value("value")?;
            Some(match i.child_value("system") {
                Some(CPR_SYSTEM) => PersonIdentifier::Cpr(value.to_owned()),
                system => PersonIdentifier::Ecpr {
                    system: system.unwrap_or_default().to_owned(),
                    value: value.to_owned(),
                },
            })
        })
        .ok_or(ViewError::Missing {
            path: "Patient.identifier",
        })?;
    let name_node = p
        .children_named("name")
        .find(|n| n.child_value("use") == Some("official"))
        .or_else(|| p.child("name"));
    let mut patient = Patient::new(identifier, name_node.map(read_name).unwrap_or_default());
    if let Some(a) = p.child("address") {
        patient.address = Some(super::party::Address {
            lines: a
                .children_named("line")
                .filter_map(|l| l.value())
                .map(str::to_owned)
                .collect(),
            postal_code: a.child_value("postalCode").map(str::to_owned),
            city: a.child_value("city").map(str::to_owned),
        });
    }
    patient.telecom = read_telecom(p);
    patient.deceased = p
        .child("deceased")
        .filter(|d| d.ty().name() == "boolean")
        .and_then(|d| d.value())
        .map(|v| v == "true");
    Ok(patient)
}

/// The telecom of a Patient or Practitioner.
pub(crate) fn read_telecom(resource: Node<'_, '_>) -> Vec<super::party::Telecom> {
    resource
        .children_named("telecom")
        .filter_map(|t| {
            Some(super::party::Telecom {
                system: t.child_value("system")?.to_owned(),
                value: t.child_value("value")?.to_owned(),
            })
        })
        .collect()
}

pub(crate) fn read_name(n: Node<'_, '_>) -> PersonName {
    let family = n.child("family");
    let given: Vec<String> = n
        .children_named("given")
        .filter_map(|g| g.value())
        .map(str::to_owned)
        .collect();
    let unknown = given.is_empty()
        && family.is_some_and(|f| f.value().is_none() && f.child("extension").is_some());
    PersonName {
        family: family.and_then(|f| f.value()).map(str::to_owned),
        given,
        unknown,
    }
}

/// A PractitionerRole (with its Practitioner and Organization) or a CareTeam as typed data.
pub(crate) fn read_party(bundle: Node<'_, '_>, reference: &str) -> Result<Party, ViewError> {
    let node = resolve_required(bundle, reference)?;
    match node.ty().name() {
        "PractitionerRole" => read_author(bundle, node).map(Party::Practitioner),
        "CareTeam" => {
            let org = tree::text(node, &["managingOrganization", "reference"])
                .and_then(|r| resolve(bundle, r))
                .map(read_organization)
                .unwrap_or_else(|| Organization::sor_only(""));
            Ok(Party::CareTeam(CareTeam {
                name: node.child_value("name").unwrap_or_default().to_owned(),
                organization: org,
            }))
        }
        other => Err(ViewError::UnexpectedType {
            reference: reference.to_owned(),
            found: other,
        }),
    }
}

/// A PractitionerRole as an [`Author`].
pub(crate) fn read_author(bundle: Node<'_, '_>, role: Node<'_, '_>) -> Result<Author, ViewError> {
    let practitioner =
        tree::text(role, &["practitioner", "reference"]).and_then(|r| resolve(bundle, r));
    let name = practitioner
        .and_then(|p| p.child("name"))
        .map(read_name)
        .unwrap_or_default();
    let telecom = practitioner.map(read_telecom).unwrap_or_default();
    let organization = tree::text(role, &["organization", "reference"])
        .and_then(|r| resolve(bundle, r))
        .map(read_organization);
    let code = role.child("code");
    let r = code
        .and_then(|c| {
            c.children_named("coding").find_map(|cd| {
                Some(Role::Code {
                    system: cd.child_value("system").unwrap_or_default().to_owned(),
                    code: cd.child_value("code")?.to_owned(),
                })
            })
        })
        .or_else(|| {
            code.and_then(|c| c.child_value("text"))
                .map(|t| Role::Text(t.to_owned()))
        })
        .unwrap_or_else(|| Role::Text(String::new()));
    Ok(Author {
        name,
        role: r,
        organization,
        telecom,
    })
}

/// A Provenance as typed data. An `agent.who` that does not resolve (a defect of some
/// published examples) is taken to be the message's sender.
fn read_provenance(
    bundle: Node<'_, '_>,
    p: Node<'_, '_>,
    sender: &Organization,
) -> Result<ProvenanceRecord, ViewError> {
    let target = tree::text(p, &["target", "reference"]).ok_or(ViewError::Missing {
        path: "Provenance.target",
    })?;
    let code = p
        .child("activity")
        .and_then(|a| a.child("coding"))
        .and_then(|c| c.child_value("code"))
        .ok_or(ViewError::Missing {
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
    let agent = resolve(bundle, who).map_or_else(|| sender.clone(), read_organization);
    let occurred = p
        .child("occurred")
        .and_then(|o| o.value())
        .unwrap_or_default();
    let recorded = p.child_value("recorded").unwrap_or(occurred);
    let mut previous = None;
    let mut payloads = Vec::new();
    for e in p.children_named("entity") {
        let what = e.child("what");
        let reference = what.and_then(|w| w.child_value("reference"));
        let identifier = what.and_then(|w| tree::text(w, &["identifier", "value"]));
        let role = match e.child_value("role") {
            Some("revision") => EntityRole::Revision,
            Some("removal") => EntityRole::Removal,
            _ => {
                payloads.extend(identifier.map(str::to_owned));
                continue;
            }
        };
        let message = match (reference, identifier) {
            (Some(r), _) => PreviousMessage::Header(id_of(r).to_owned()),
            (None, Some(i)) => PreviousMessage::Legacy(i.to_owned()),
            (None, None) => continue,
        };
        previous = Some(Predecessor { role, message });
    }
    Ok(ProvenanceRecord {
        target: id_of(target).to_owned(),
        occurred: occurred.to_owned(),
        recorded: recorded.to_owned(),
        activity,
        agent,
        previous,
        payloads,
    })
}

/// The profiles a standard declares for each resource (`meta.profile`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Profiles {
    pub(crate) bundle: &'static str,
    pub(crate) header: &'static str,
    pub(crate) organization: &'static str,
    pub(crate) provenance: &'static str,
    pub(crate) patient: &'static str,
    pub(crate) practitioner: &'static str,
    pub(crate) practitioner_role: &'static str,
    pub(crate) care_team: &'static str,
}

/// A message Bundle under construction. The MessageHeader is `entry[0]`; resources added later
/// follow in order. [`Assembly::finish`] adds the narratives.
#[derive(Debug)]
pub(crate) struct Assembly<'c> {
    pub(crate) ctx: &'c Context,
    pub(crate) tree: Tree,
    pub(crate) profiles: Profiles,
    pub(crate) header: NodeId,
    pub(crate) header_id: String,
    pub(crate) timestamp: String,
    /// Organizations already in the message: (SOR, reference, resource node).
    orgs: Vec<(String, String, NodeId)>,
    /// Authors already in the message: (author, PractitionerRole reference).
    authors: Vec<(Author, String)>,
    teams: Vec<(CareTeam, String)>,
    /// Resource ids to keep: (SOR, id) of Organizations copied from a received message.
    pub(crate) keep_org_ids: Vec<(String, String)>,
}

impl<'c> Assembly<'c> {
    /// A Bundle with its MessageHeader (event, sender, primary receiver, source endpoint).
    pub(crate) fn new(
        ctx: &'c Context,
        profiles: Profiles,
        event: &str,
        sender: &Organization,
        receiver: &Organization,
    ) -> Result<Self, BuildError> {
        Self::new_keeping(ctx, profiles, event, sender, receiver, &[])
    }

    /// As [`Self::new`], keeping the given Organization ids (SOR, id).
    pub(crate) fn new_keeping(
        ctx: &'c Context,
        profiles: Profiles,
        event: &str,
        sender: &Organization,
        receiver: &Organization,
        keep_org_ids: &[(String, String)],
    ) -> Result<Self, BuildError> {
        sender.check_messaging()?;
        receiver.check_messaging()?;
        let mut tree = Tree::new("Bundle")?;
        let root = tree.root();
        let timestamp = ctx.now();
        tree.val(root, "id", &ctx.next_id())?;
        tree.profile(root, profiles.bundle)?;
        tree.val(root, "type", "message")?;
        tree.val(root, "timestamp", &timestamp)?;
        let mut a = Self {
            ctx,
            tree,
            profiles,
            header: root,
            header_id: String::new(),
            timestamp,
            orgs: Vec::new(),
            authors: Vec::new(),
            teams: Vec::new(),
            keep_org_ids: keep_org_ids.to_vec(),
        };
        let (header, header_id) = a.resource("MessageHeader", profiles.header)?;
        a.header = header;
        a.header_id = header_id;
        a.tree.coding(header, "event", EVENT_SYSTEM, event)?;
        a.destination(receiver, "primary")?;
        let s = a.organization(sender)?;
        a.tree.reference(header, "sender", &s)?;
        let source = a.tree.group(header, "source")?;
        a.tree.val(source, "endpoint", &sender.endpoint)?;
        Ok(a)
    }

    /// Adds a destination (`primary` or `cc`).
    pub(crate) fn destination(
        &mut self,
        org: &Organization,
        usage: &str,
    ) -> Result<(), BuildError> {
        org.check_messaging()?;
        let r = self.organization(org)?;
        let d = self.tree.group(self.header, "destination")?;
        let e = self.tree.extension(d, DESTINATION_USE)?;
        self.tree
            .coding(e, "value", DESTINATION_USE_SYSTEM, usage)?;
        self.tree.val(d, "endpoint", &org.endpoint)?;
        self.tree.reference(d, "receiver", &r)?;
        Ok(())
    }

    /// A new entry with a resource of `ty`, its id and profile; returns the resource node and
    /// id.
    pub(crate) fn resource(
        &mut self,
        ty: &'static str,
        profile: &str,
    ) -> Result<(NodeId, String), BuildError> {
        self.resource_with_id(ty, profile, None)
    }

    /// As [`Self::resource`], keeping `id` when it is a lowercase UUID (MedCom ids are UUIDs;
    /// anything else gets a fresh one).
    pub(crate) fn resource_with_id(
        &mut self,
        ty: &'static str,
        profile: &str,
        id: Option<&str>,
    ) -> Result<(NodeId, String), BuildError> {
        let id = match id {
            Some(i) if super::is_uuid(i) => i.to_owned(),
            _ => self.ctx.next_id(),
        };
        let root = self.tree.root();
        let entry = self.tree.group(root, "entry")?;
        self.tree
            .val(entry, "fullUrl", &self.ctx.full_url(ty, &id))?;
        let t = crate::model::Type::resource(ty).ok_or(BuildError::Internal {
            detail: "unknown resource type",
        })?;
        let res = self.tree.doc.append(entry, "resource", Some(t), None)?;
        self.tree.val(res, "id", &id)?;
        if !profile.is_empty() {
            self.tree.profile(res, profile)?;
        }
        Ok((res, id))
    }

    /// The reference to an Organization, added once per SOR identifier.
    pub(crate) fn organization(&mut self, org: &Organization) -> Result<String, BuildError> {
        if let Some((_, r, _)) = self.orgs.iter().find(|(sor, _, _)| *sor == org.sor) {
            return Ok(r.clone());
        }
        org.check()?;
        let keep = self
            .keep_org_ids
            .iter()
            .find(|(sor, _)| *sor == org.sor)
            .map(|(_, id)| id.clone());
        let (res, id) =
            self.resource_with_id("Organization", self.profiles.organization, keep.as_deref())?;
        if let Some(gln) = &org.gln {
            let i = self.tree.group(res, "identifier")?;
            self.tree.val(i, "system", GLN_SYSTEM)?;
            self.tree.val(i, "value", gln)?;
        }
        let i = self.tree.group(res, "identifier")?;
        self.tree.val(i, "system", SOR_SYSTEM)?;
        self.tree.val(i, "value", &org.sor)?;
        for other in &org.other_identifiers {
            let i = self.tree.group(res, "identifier")?;
            self.tree.val(i, "system", &other.system)?;
            self.tree.val(i, "value", &other.value)?;
        }
        self.tree.opt(res, "name", org.name.as_deref())?;
        for alias in &org.aliases {
            self.tree.val(res, "alias", alias)?;
        }
        let r = format!("Organization/{id}");
        self.orgs.push((org.sor.clone(), r.clone(), res));
        Ok(r)
    }

    /// The Organization resource added for a SOR identifier (to add what one standard's
    /// profile asks more, e.g. a contact or another `meta.profile`).
    #[allow(dead_code)] // for HomeCareObservation's producer and requester organizations
    pub(crate) fn organization_node(&self, sor: &str) -> Option<NodeId> {
        self.orgs
            .iter()
            .find(|(s, _, _)| s == sor)
            .map(|(_, _, n)| *n)
    }

    /// Adds the Patient; returns its reference.
    pub(crate) fn patient(&mut self, patient: &Patient) -> Result<String, BuildError> {
        patient.check()?;
        let (res, id) = self.resource("Patient", self.profiles.patient)?;
        let i = self.tree.group(res, "identifier")?;
        if !patient.identifier.is_cpr() {
            // The eCPR slices of MedCom core fix `use` to `temp`.
            self.tree.val(i, "use", "temp")?;
        }
        self.tree.val(i, "system", patient.identifier.system())?;
        self.tree.val(i, "value", patient.identifier.value())?;
        let n = self.tree.group(res, "name")?;
        self.tree.val(n, "use", "official")?;
        match patient.name.family.as_deref() {
            Some(f) => {
                self.tree.val(n, "family", f)?;
            }
            None => {
                // The official name's family is 1..1: an unknown one says why it is absent.
                let f = self.tree.group(n, "family")?;
                let e = self.tree.extension(f, DATA_ABSENT_REASON)?;
                self.tree.typed_val(e, "value", "code", "unknown")?;
            }
        }
        for g in &patient.name.given {
            self.tree.val(n, "given", g)?;
        }
        for t in &patient.telecom {
            let c = self.tree.group(res, "telecom")?;
            self.tree.val(c, "system", &t.system)?;
            self.tree.val(c, "value", &t.value)?;
        }
        if let Some(d) = patient.deceased {
            self.tree
                .typed_val(res, "deceased", "boolean", if d { "true" } else { "false" })?;
        }
        if let Some(a) = &patient.address {
            let n = self.tree.group(res, "address")?;
            for l in &a.lines {
                self.tree.val(n, "line", l)?;
            }
            self.tree.opt(n, "city", a.city.as_deref())?;
            self.tree.opt(n, "postalCode", a.postal_code.as_deref())?;
        }
        Ok(format!("Patient/{id}"))
    }

    /// Adds an author (PractitionerRole, Practitioner and its Organization) once; returns the
    /// PractitionerRole reference.
    pub(crate) fn author(&mut self, author: &Author) -> Result<String, BuildError> {
        if let Some((_, r)) = self.authors.iter().find(|(a, _)| a == author) {
            return Ok(r.clone());
        }
        author.check()?;
        let org = match &author.organization {
            Some(o) => Some(self.organization(o)?),
            None => None,
        };
        let (practitioner, pid) = self.resource("Practitioner", self.profiles.practitioner)?;
        let n = self.tree.group(practitioner, "name")?;
        self.tree.opt(n, "family", author.name.family.as_deref())?;
        for g in &author.name.given {
            self.tree.val(n, "given", g)?;
        }
        for t in &author.telecom {
            let c = self.tree.group(practitioner, "telecom")?;
            self.tree.val(c, "system", &t.system)?;
            self.tree.val(c, "value", &t.value)?;
        }
        let (role, rid) = self.resource("PractitionerRole", self.profiles.practitioner_role)?;
        self.tree
            .reference(role, "practitioner", &format!("Practitioner/{pid}"))?;
        if let Some(org) = org {
            self.tree.reference(role, "organization", &org)?;
        }
        let code = self.tree.typed(role, "code", "CodeableConcept")?;
        match &author.role {
            Role::Code { system, code: c } => {
                self.tree.coding(code, "coding", system, c)?;
            }
            Role::Text(t) => {
                self.tree.val(code, "text", t)?;
            }
        }
        let r = format!("PractitionerRole/{rid}");
        self.authors.push((author.clone(), r.clone()));
        Ok(r)
    }

    /// Adds a party (PractitionerRole or CareTeam); returns its reference.
    pub(crate) fn party(&mut self, party: &Party) -> Result<String, BuildError> {
        party.check()?;
        match party {
            Party::Practitioner(a) => self.author(a),
            Party::CareTeam(t) => {
                if let Some((_, r)) = self.teams.iter().find(|(x, _)| x == t) {
                    return Ok(r.clone());
                }
                let org = self.organization(&t.organization)?;
                let (res, id) = self.resource("CareTeam", self.profiles.care_team)?;
                self.tree.val(res, "name", &t.name)?;
                self.tree.reference(res, "managingOrganization", &org)?;
                let r = format!("CareTeam/{id}");
                self.teams.push((t.clone(), r.clone()));
                Ok(r)
            }
        }
    }

    /// Adds a Provenance.
    pub(crate) fn provenance(&mut self, p: &ProvenanceRecord) -> Result<NodeId, BuildError> {
        self.provenance_with_id(p, None)
    }

    /// Adds a Provenance, keeping `id` when it is a UUID.
    pub(crate) fn provenance_with_id(
        &mut self,
        p: &ProvenanceRecord,
        id: Option<&str>,
    ) -> Result<NodeId, BuildError> {
        super::check_date_time("Provenance.occurred", &p.occurred)?;
        super::check_date_time("Provenance.recorded", &p.recorded)?;
        let agent = self.organization(&p.agent)?;
        let (res, _) = self.resource_with_id("Provenance", self.profiles.provenance, id)?;
        self.tree
            .reference(res, "target", &format!("MessageHeader/{}", p.target))?;
        self.tree
            .typed_val(res, "occurred", "dateTime", &p.occurred)?;
        self.tree.val(res, "recorded", &p.recorded)?;
        self.tree
            .concept(res, "activity", ACTIVITY_SYSTEM, p.activity.code())?;
        let a = self.tree.group(res, "agent")?;
        self.tree.reference(a, "who", &agent)?;
        for payload in &p.payloads {
            let e = self.tree.group(res, "entity")?;
            self.tree.val(e, "role", "source")?;
            let w = self.tree.typed(e, "what", "Reference")?;
            let i = self.tree.group(w, "identifier")?;
            self.tree.val(i, "value", payload)?;
        }
        if let Some(prev) = &p.previous {
            let e = self.tree.group(res, "entity")?;
            self.tree.val(e, "role", prev.role.code())?;
            let w = self.tree.typed(e, "what", "Reference")?;
            match &prev.message {
                PreviousMessage::Header(id) => {
                    self.tree
                        .val(w, "reference", &format!("MessageHeader/{id}"))?;
                }
                PreviousMessage::Legacy(id) => {
                    let i = self.tree.group(w, "identifier")?;
                    self.tree.val(i, "value", id)?;
                }
            }
        }
        Ok(res)
    }

    /// The Provenance of this message: sent now by `agent`.
    pub(crate) fn own_provenance(
        &self,
        activity: Activity,
        agent: &Organization,
    ) -> ProvenanceRecord {
        ProvenanceRecord::new(&self.header_id, &self.timestamp, activity, agent.clone())
    }

    /// The finished Bundle, with a narrative on every resource.
    pub(crate) fn finish(mut self) -> Result<Document<'static>, BuildError> {
        narrative::generate_all(&mut self.tree)?;
        Ok(self.tree.doc)
    }
}
