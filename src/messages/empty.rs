//! The empty message (MedCom messaging 4.0.x, event `empty-message`): a MessageHeader, the
//! sender and receivers, and one Provenance — used to test a connection.

use crate::model::Document;

use super::assembly::{Activity, Assembly, MessageInfo, Predecessor, Profiles};
use super::ids::Context;
use super::party::Organization;
use super::{BuildError, ViewError};

pub(crate) const PROFILES: Profiles = Profiles {
    bundle: "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-message",
    header: "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-messageHeader",
    organization:
        "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-organization",
    provenance: "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-provenance",
    patient: "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-patient",
    practitioner: "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitioner",
    practitioner_role:
        "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitionerrole",
    care_team: "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-careteam",
};

/// The event code.
const EVENT: &str = "empty-message";

/// An empty message: sender, primary receiver, carbon-copy receivers.
///
/// # Examples
///
/// ```
/// use medcom::messages::{Context, EmptyMessage, Organization};
/// let sender = Organization::new("265161000016000", "5790000209354");
/// let receiver = Organization::new("953741000016009", "5790001348120");
/// let message = EmptyMessage::new(sender, receiver);
/// let doc = message.build(&Context::fixed(1_714_723_500)).unwrap();
/// assert_eq!(EmptyMessage::read(&doc).unwrap(), message);
/// assert!(medcom::validate::Validator::new().report(&doc).is_valid());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EmptyMessage {
    /// The sender.
    pub sender: Organization,
    /// The primary receiver.
    pub receiver: Organization,
    /// Carbon-copy receivers.
    pub cc: Vec<Organization>,
    /// The activity of its Provenance. Default: [`Activity::NewMessage`].
    pub activity: Activity,
    /// The previous message it answers, if any. Default: none.
    pub previous: Option<Predecessor>,
}

impl EmptyMessage {
    /// An empty message from `sender` to `receiver`.
    #[must_use]
    pub fn new(sender: Organization, receiver: Organization) -> Self {
        Self {
            sender,
            receiver,
            cc: Vec::new(),
            activity: Activity::NewMessage,
            previous: None,
        }
    }

    /// Adds a carbon-copy receiver.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{Context, EmptyMessage, MessageInfo, Organization};
    /// let org = |sor: &str, gln: &str| Organization::new(sor, gln);
    /// let message = EmptyMessage::new(org("265161000016000", "5790000209354"), org("953741000016009", "5790001348120"))
    ///     .with_cc(org("123456789012342", "5790001382445"));
    /// let doc = message.build(&Context::new()).unwrap();
    /// assert_eq!(MessageInfo::read(&doc).unwrap().cc.len(), 1);
    /// ```
    #[must_use]
    pub fn with_cc(mut self, receiver: Organization) -> Self {
        self.cc.push(receiver);
        self
    }

    /// Sets the activity of its Provenance.
    #[must_use]
    pub fn with_activity(mut self, activity: Activity) -> Self {
        self.activity = activity;
        self
    }

    /// Points its Provenance at a previous message.
    #[must_use]
    pub fn with_previous(mut self, previous: Predecessor) -> Self {
        self.previous = Some(previous);
        self
    }

    /// Builds the message.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] when an organization's identifiers are malformed.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::{BuildError, Context, EmptyMessage, Organization};
    /// let bad = Organization::new("123", "5790000209354");
    /// let receiver = Organization::new("953741000016009", "5790001348120");
    /// let err = EmptyMessage::new(bad, receiver).build(&Context::new()).unwrap_err();
    /// assert!(matches!(err, BuildError::InvalidSor { .. }));
    /// ```
    pub fn build(&self, ctx: &Context) -> Result<Document<'static>, BuildError> {
        let mut a = Assembly::new(ctx, PROFILES, EVENT, &self.sender, &self.receiver)?;
        for cc in &self.cc {
            a.destination(cc, "cc")?;
        }
        let mut own = a.own_provenance(self.activity, &self.sender);
        own.previous.clone_from(&self.previous);
        a.provenance(&own)?;
        a.finish()
    }

    /// Reads an empty message.
    ///
    /// # Errors
    ///
    /// [`ViewError::WrongEvent`] for another standard, or any error of [`MessageInfo::read`].
    pub fn read(doc: &Document<'_>) -> Result<Self, ViewError> {
        let info = MessageInfo::read(doc)?;
        if info.event != EVENT {
            return Err(ViewError::WrongEvent {
                expected: EVENT,
                found: info.event,
            });
        }
        let latest = info.latest().cloned();
        Ok(Self {
            activity: latest.as_ref().map_or(Activity::NewMessage, |p| p.activity),
            previous: latest.and_then(|p| p.previous),
            sender: info.sender,
            receiver: info.receiver,
            cc: info.cc,
        })
    }
}
