//! The MedCom message rules that profiles cannot express, one group per file.
//!
//! | group | codes | source |
//! | --- | --- | --- |
//! | [`RuleGroup::Read`] | `fhir-read` | problems lenient reading recorded |
//! | [`RuleGroup::Header`] | `medcom-header-first`, `medcom-message-type` | MedCom messaging: the MessageHeader is `entry[0]`; its event code names the standard |
//! | [`RuleGroup::Provenance`] | `medcom-provenance-target`, `medcom-provenance-entity` | MedComMessagingProvenance: a Provenance targets the current MessageHeader; `entity.what` points to a previous MessageHeader with role `revision` or `removal` |
//! | [`RuleGroup::Timezone`] | `medcom-timezone` | every dateTime and instant with a time carries a timezone |
//! | [`RuleGroup::Uuid`] | `medcom-uuid`, `medcom-uuid-id` | Bundle.id, MessageHeader.id, Communication.identifier, payload identifiers are UUIDs; other resource ids should be |
//! | [`RuleGroup::Identifiers`] | `dk-cpr-*`, `dk-ecpr-*`, `dk-gln-*`, `dk-sor-*`, `dk-municipality-*` | Danish identifiers on the identifiers and codings that carry them ([`crate::dk`]) |
//! | [`RuleGroup::HospitalNotification`] | `medcom-hn-state` | HospitalNotification: activity, Encounter class and status fit together |
//! | [`RuleGroup::CareCommunication`] | `medcom-cc-category`, `medcom-cc-reply-attachment` | CareCommunication: the rules that differ between the releases in production (4.0, 5.0), one row per release |
//! | [`RuleGroup::Acknowledgement`] | `medcom-ack-pairing` | Acknowledgement: response, its two Provenances and the acknowledged MessageHeader agree |

mod acknowledgement;
pub(crate) mod care_communication;
mod header;
mod hospital_notification;
mod identifiers;
mod provenance;
mod read;
mod timezone;
mod uuid;

use crate::validate::message::Message;
use crate::validate::Sink;

/// A group of MedCom message rules that can be turned on or off
/// ([`crate::validate::ValidatorOptions::should_check`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RuleGroup {
    /// Acknowledgement pairing: `medcom-ack-pairing`.
    Acknowledgement,
    /// CareCommunication rules of the release the message names: `medcom-cc-category`,
    /// `medcom-cc-reply-attachment`.
    CareCommunication,
    /// The MessageHeader comes first and names a known standard: `medcom-header-first`,
    /// `medcom-message-type`.
    Header,
    /// HospitalNotification activity, Encounter class and status: `medcom-hn-state`.
    HospitalNotification,
    /// Danish identifiers (CPR, eCPR, GLN, SOR, municipality codes): `dk-…`.
    Identifiers,
    /// Provenance targets and entities: `medcom-provenance-target`, `medcom-provenance-entity`.
    Provenance,
    /// Problems recorded by lenient reading: `fhir-read`.
    Read,
    /// Timestamps carry a timezone: `medcom-timezone`.
    Timezone,
    /// UUID forms: `medcom-uuid`, `medcom-uuid-id`.
    Uuid,
}

impl RuleGroup {
    /// Every group, in the order they run (and so the order of their findings).
    pub const ALL: [Self; 9] = [
        Self::Read,
        Self::Header,
        Self::Provenance,
        Self::Timezone,
        Self::Uuid,
        Self::Identifiers,
        Self::HospitalNotification,
        Self::CareCommunication,
        Self::Acknowledgement,
    ];

    /// A stable name: `read`, `header`, `provenance`, `timezone`, `uuid`, `identifiers`,
    /// `hospital-notification`, `care-communication`, `acknowledgement`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::validate::RuleGroup::Uuid.name(), "uuid");
    /// ```
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Acknowledgement => "acknowledgement",
            Self::CareCommunication => "care-communication",
            Self::Header => "header",
            Self::HospitalNotification => "hospital-notification",
            Self::Identifiers => "identifiers",
            Self::Provenance => "provenance",
            Self::Read => "read",
            Self::Timezone => "timezone",
            Self::Uuid => "uuid",
        }
    }

    pub(crate) fn check(self, msg: &Message<'_, '_>, sink: &mut Sink<'_>) {
        match self {
            Self::Acknowledgement => acknowledgement::check(msg, sink),
            Self::CareCommunication => care_communication::check(msg, sink),
            Self::Header => header::check(msg, sink),
            Self::HospitalNotification => hospital_notification::check(msg, sink),
            Self::Identifiers => identifiers::check(msg, sink),
            Self::Provenance => provenance::check(msg, sink),
            Self::Read => read::check(msg, sink),
            Self::Timezone => timezone::check(msg, sink),
            Self::Uuid => uuid::check(msg, sink),
        }
    }
}

/// Test helpers shared by the groups' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use crate::finding::Finding;
    use crate::validate::message::Message;
    use crate::validate::{Sink, Want};

    /// Runs one group over a JSON or XML text and returns `code location` per finding.
    pub(crate) fn run(group: super::RuleGroup, text: &str) -> Vec<String> {
        let options = crate::ReadOptions::default().with_mode(crate::Mode::Lenient);
        let doc = crate::parse_with_options(text, &options).expect("test input reads");
        let msg = Message::new(&doc);
        let mut out = Vec::new();
        group.check(&msg, &mut Sink::new(&mut out, Want::All));
        out.iter().map(describe).collect()
    }

    fn describe(f: &Finding) -> String {
        format!("{} {}", f.code(), f.location())
    }
}
