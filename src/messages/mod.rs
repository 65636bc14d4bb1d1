//! Typed MedCom FHIR messages: builders that produce messages valid by construction, and read
//! views that turn a received message into the same typed data.
//!
//! - Foundation: identifiers and time from a [`Context`] (an [`IdSource`], UUIDv4 by default,
//!   and the exchange [`Clock`](crate::clock::Clock)); the parties
//!   ([`Organization`], [`Patient`], [`Author`], [`CareTeam`]); the Provenance chain
//!   ([`ProvenanceRecord`], [`Activity`], [`Predecessor`]); what every message shares
//!   ([`MessageInfo`]); generated narratives; typed errors ([`BuildError`], [`ViewError`]).
//! - Standards: [`EmptyMessage`] (messaging 4.0.x), [`CareCommunication`] 5.0.2 (new, reply,
//!   forward) and [`Acknowledgement`] 2.0.3.
//! - Replies: [`reply`] builds the acknowledgement of any received message and the reply or
//!   forward of a CareCommunication.
//!
//! A builder returns a [`Document`](crate::Document); write it with
//! [`xml::to_string`](crate::xml::to_string) or [`json::to_string`](crate::json::to_string).
//!
//! # Examples
//!
//! ```
//! use medcom::messages::{Context, EmptyMessage, Organization};
//! let sender = Organization::new("265161000016000", "5790000209354").with_name("Sender");
//! let receiver = Organization::new("953741000016009", "5790001348120").with_name("Receiver");
//! let doc = EmptyMessage::new(sender, receiver).build(&Context::new()).unwrap();
//! assert!(medcom::validate::Validator::new().report(&doc).is_valid());
//! let xml = medcom::xml::to_string(&doc);
//! assert!(xml.contains("empty-message"));
//! ```

mod acknowledgement;
mod assembly;
mod care_communication;
mod empty;
pub mod home_care_observation;
pub mod hospital_notification;
mod ids;
mod narrative;
mod party;
pub mod reply;
mod tree;

use std::fmt;

pub use acknowledgement::{
    AckIssue, Acknowledgement, LegacyLetter, ResponseCode, DEFAULT_MAX_ACK_ISSUES,
    DEFAULT_MAX_DIAGNOSTICS, ERROR_SYSTEM, HL7_ERROR_CODES, MEDCOM_ERROR_CODES,
    OPERATION_OUTCOME_SYSTEM,
};
pub use assembly::{
    Activity, EntityRole, MessageInfo, Predecessor, PreviousMessage, ProvenanceRecord,
};
pub use care_communication::{
    Attachment, CareCommunication, CareCommunicationRelease, Category, Content, EpisodeOfCare,
    Priority, Segment, ATTACHMENT_TYPES, CATEGORY_SYSTEM,
    DEFINITION as CARE_COMMUNICATION_DEFINITION, LPR3_SYSTEM, PRIORITY_SYSTEM,
};
pub use empty::EmptyMessage;
pub use ids::{Context, IdSource, RandomIds, SequentialIds};
pub use party::{
    Address, Author, CareTeam, Identifier, Organization, Party, Patient, PersonIdentifier,
    PersonName, Role, Telecom, CPR_SYSTEM, D_ECPR_SYSTEM, GLN_SYSTEM, ROLE_SYSTEM, SOR_SYSTEM,
    X_ECPR_SYSTEM,
};

// The shared pieces the standards in sibling modules build on (some used by one standard only).
#[allow(unused_imports)]
pub(crate) use assembly::{
    header_of, id_of, read_author, read_name, read_organization, read_party, read_patient,
    read_telecom, resolve, resolve_required, resources, Assembly, Profiles,
};
#[allow(unused_imports)]
pub(crate) use tree::Tree;

/// MedCom's event code system (`MessageHeader.eventCoding.system`).
pub const EVENT_SYSTEM: &str =
    "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-eventCodes";
/// MedCom's activity code system (`Provenance.activity`).
pub const ACTIVITY_SYSTEM: &str =
    "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-activityCodes";
/// The destination-use extension (`primary` / `cc`).
pub const DESTINATION_USE: &str =
    "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-destinationUseExtension";
/// The destination-use code system.
pub const DESTINATION_USE_SYSTEM: &str =
    "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-destinationUse";
/// Prefix of SOR endpoint URLs (`https://sor2.sum.dsdn.dk/#id=<SOR>`).
pub const SOR_ENDPOINT: &str = "https://sor2.sum.dsdn.dk/#id=";

/// Why a builder refuses to build a message: what the standard forbids, caught before
/// serialization. Patient data is kept out of the messages.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// An acknowledgement is never acknowledged (MedCom rule KR2.R).
    AcknowledgementOfAcknowledgement,
    /// An attachment has neither data nor a URL.
    AttachmentContent {
        /// The attachment's title.
        title: String,
    },
    /// An attachment's MIME type is not in `medcom-core-attachmentMimeTypes` (application/pdf,
    /// image/gif, image/jpeg, image/png, image/tiff, image/bmp).
    AttachmentType {
        /// The MIME type given.
        content_type: String,
    },
    /// Only an error acknowledgement carries issues; a `transient-error` or `fatal-error`
    /// needs at least one (`medcom-acknowledgement-1`).
    AckIssues {
        /// The response code.
        code: &'static str,
    },
    /// A contact telephone number has characters other than `+`, digits, `-` and spaces
    /// (`medcom-core-contact`).
    InvalidContact {
        /// The number given.
        value: String,
    },
    /// Not a CPR number.
    InvalidCpr(crate::dk::cpr::CprError),
    /// A dateTime without a time zone, or not a dateTime (MedCom timestamps carry `Z` or
    /// `+hh:mm`).
    InvalidDateTime {
        /// Which element.
        element: &'static str,
        /// The value given.
        value: String,
    },
    /// Not an eCPR number.
    InvalidEcpr(crate::dk::ecpr::EcprError),
    /// Not an EAN/GLN location number with a valid check digit.
    InvalidGln {
        /// The value given.
        value: String,
    },
    /// Not a SOR identifier (at least 11 digits).
    InvalidSor {
        /// The value given.
        value: String,
    },
    /// An identifier that must be `urn:uuid:` + a lowercase UUID is not (`medcom-uuidv4`).
    InvalidUuid {
        /// Which element.
        element: &'static str,
        /// The value given.
        value: String,
    },
    /// A building step the crate got wrong (never caused by input).
    Internal {
        /// What failed.
        detail: &'static str,
    },
    /// Something required is missing.
    Missing {
        /// What.
        what: &'static str,
    },
    /// The element model refused a node (a defect in the builder).
    Model(crate::model::BuildError),
    /// A CareCommunication adds no segment of its own: each message's Provenance names at
    /// least one payload it added (`Provenance.entity:payload 1..*`), so a reply or forward
    /// needs a new segment.
    NoNewSegment,
    /// A CareCommunication priority with a category other than `regarding-referral`
    /// (`medcom-careCommunication-5`).
    PriorityWithoutReferral {
        /// The category given.
        category: &'static str,
    },
    /// Something the CareCommunication release being written does not have (a category of a
    /// later release, a role as text under 4.0).
    NotInRelease {
        /// What.
        what: String,
        /// The release, e.g. `4.0`.
        release: &'static str,
    },
    /// The received message cannot be answered this way (unreadable, or not the standard the
    /// answer needs).
    Received(ViewError),
    /// A specific sender or recipient belongs to another organization than the message's
    /// sender or receiver (`medcom-careCommunication-11`/`-12`).
    PartyOrganization {
        /// `sender` or `recipient`.
        role: &'static str,
    },
    /// Category `other` without a topic (`medcom-careCommunication-6`).
    TopicRequired,
    /// An acknowledgement issue whose code is outside `medcom-acknowledgement-issue-details`,
    /// or whose severity or issue type is no FHIR code.
    UnknownIssueCode {
        /// The code given.
        code: String,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AcknowledgementOfAcknowledgement => {
                f.write_str("an acknowledgement is never acknowledged")
            }
            Self::AttachmentContent { title } => {
                write!(f, "attachment '{title}' has neither data nor a url")
            }
            Self::AttachmentType { content_type } => write!(
                f,
                "attachment type '{content_type}' is not allowed (pdf, gif, jpeg, png, tiff, bmp)"
            ),
            Self::AckIssues { code } => {
                write!(f, "a {code} acknowledgement needs at least one issue")
            }
            Self::InvalidContact { value } => {
                write!(f, "contact number '{value}' is not a telephone number")
            }
            Self::InvalidCpr(e) => write!(f, "patient identifier: {e}"),
            Self::InvalidDateTime { element, value } => {
                write!(f, "{element} '{value}' is no dateTime with a time zone")
            }
            Self::InvalidEcpr(e) => write!(f, "patient identifier: {e}"),
            Self::InvalidGln { value } => write!(f, "'{value}' is no valid EAN/GLN number"),
            Self::InvalidSor { value } => write!(f, "'{value}' is no SOR identifier"),
            Self::NotInRelease { what, release } => {
                write!(f, "{what} is not part of CareCommunication {release}")
            }
            Self::InvalidUuid { element, value } => {
                write!(
                    f,
                    "{element} '{value}' is not urn:uuid: and a lowercase UUID"
                )
            }
            Self::Internal { detail } => write!(f, "internal: {detail}"),
            Self::Missing { what } => write!(f, "missing {what}"),
            Self::Model(e) => write!(f, "element model: {e}"),
            Self::NoNewSegment => f.write_str("the message adds no segment of its own"),
            Self::PriorityWithoutReferral { category } => write!(
                f,
                "a priority is allowed only with category regarding-referral, not {category}"
            ),
            Self::Received(e) => write!(f, "received message: {e}"),
            Self::PartyOrganization { role } => write!(
                f,
                "the specific {role} belongs to another organization than the message's {role}"
            ),
            Self::TopicRequired => f.write_str("category other requires a topic"),
            Self::UnknownIssueCode { code } => {
                write!(f, "'{code}' is no acknowledgement issue code")
            }
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidCpr(e) => Some(e),
            Self::InvalidEcpr(e) => Some(e),
            Self::Model(e) => Some(e),
            Self::Received(e) => Some(e),
            _ => None,
        }
    }
}

impl From<crate::model::BuildError> for BuildError {
    fn from(e: crate::model::BuildError) -> Self {
        Self::Model(e)
    }
}

impl From<ViewError> for BuildError {
    fn from(e: ViewError) -> Self {
        Self::Received(e)
    }
}

/// Why a read view cannot read a document as the message it expects.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ViewError {
    /// A required element is absent.
    Missing {
        /// Its FHIRPath.
        path: &'static str,
    },
    /// The document is no Bundle of type `message`.
    NotAMessage,
    /// A reference does not resolve inside the Bundle.
    Unresolved {
        /// The reference.
        reference: String,
    },
    /// A reference resolves to a resource of a type not allowed there.
    UnexpectedType {
        /// The reference.
        reference: String,
        /// The type found.
        found: &'static str,
    },
    /// A code outside the code system the element is bound to.
    UnknownCode {
        /// The element.
        element: &'static str,
        /// The code found.
        code: String,
    },
    /// The message is of another standard (event code).
    WrongEvent {
        /// The event the view reads.
        expected: &'static str,
        /// The event found.
        found: String,
    },
    /// The input does not read as FHIR XML or JSON.
    Unreadable {
        /// The reader's message.
        message: String,
    },
}

impl fmt::Display for ViewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { path } => write!(f, "missing {path}"),
            Self::NotAMessage => f.write_str("not a Bundle of type message"),
            Self::Unresolved { reference } => {
                write!(f, "reference '{reference}' does not resolve in the Bundle")
            }
            Self::UnexpectedType { reference, found } => {
                write!(f, "reference '{reference}' points at a {found}")
            }
            Self::UnknownCode { element, code } => write!(f, "{element}: unknown code '{code}'"),
            Self::WrongEvent { expected, found } => {
                write!(f, "expected a {expected}, found event '{found}'")
            }
            Self::Unreadable { message } => write!(f, "unreadable: {message}"),
        }
    }
}

impl std::error::Error for ViewError {}

/// The same message in a new envelope: a new `Bundle.id` and `Bundle.timestamp` from `ctx`,
/// everything else unchanged — how a resend goes out, and how a duplicate gets the same
/// acknowledgement again (MedCom MR7.R; the acknowledgement rules).
///
/// # Errors
///
/// [`BuildError::Model`] only when the document is no Bundle-like resource with `id` and
/// `timestamp` elements.
///
/// # Examples
///
/// ```
/// use medcom::messages::{reissue, Context, EmptyMessage, MessageInfo, Organization};
/// let ctx = Context::new();
/// let sender = Organization::new("265161000016000", "5790000209354");
/// let receiver = Organization::new("953741000016009", "5790001348120");
/// let first = EmptyMessage::new(sender, receiver).build(&ctx).unwrap();
/// let again = reissue(&first, &ctx.clone().with_time("2030-01-01T00:00:00Z")).unwrap();
/// let (a, b) = (MessageInfo::read(&first).unwrap(), MessageInfo::read(&again).unwrap());
/// assert_ne!(a.bundle_id, b.bundle_id);
/// assert_eq!(b.timestamp, "2030-01-01T00:00:00Z");
/// assert_eq!(a.header_id, b.header_id);
/// ```
pub fn reissue(
    message: &crate::Document<'_>,
    ctx: &Context,
) -> Result<crate::Document<'static>, BuildError> {
    let mut doc = message.clone().into_owned();
    let root = doc.root().id();
    for (name, value) in [("id", ctx.next_id()), ("timestamp", ctx.now())] {
        let existing = doc.root().child(name).map(|n| n.id());
        match existing {
            Some(id) => doc.set_value(id, Some(value.into())),
            None => {
                doc.append_value(root, name, value)?;
            }
        }
    }
    Ok(doc)
}

/// Whether `value` is a FHIR dateTime with a time (and then a time zone), or a date.
pub(crate) fn check_date_time(element: &'static str, value: &str) -> Result<(), BuildError> {
    let bad = || BuildError::InvalidDateTime {
        element,
        value: value.to_owned(),
    };
    let b = value.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if !(digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10))
    {
        return Err(bad());
    }
    if b.len() == 10 {
        return Ok(());
    }
    if !(b.get(10) == Some(&b'T')
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19))
    {
        return Err(bad());
    }
    let mut rest = &value[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return Err(bad());
        }
        rest = &frac[n..];
    }
    let zone_ok = rest == "Z"
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':'
            && rest[1..3].bytes().all(|c| c.is_ascii_digit())
            && rest[4..6].bytes().all(|c| c.is_ascii_digit()));
    if zone_ok {
        Ok(())
    } else {
        Err(bad())
    }
}

/// Whether `s` is a lowercase UUID (any version).
pub(crate) fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_digit() || ('a'..='f').contains(&c)
            }
        })
}

/// `urn:uuid:` + a lowercase UUID (`medcom-uuidv4`).
pub(crate) fn check_urn_uuid(element: &'static str, value: &str) -> Result<(), BuildError> {
    match value.strip_prefix("urn:uuid:") {
        Some(u) if is_uuid(u) => Ok(()),
        _ => Err(BuildError::InvalidUuid {
            element,
            value: value.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times_need_a_zone() {
        for (value, ok) in [
            ("2024-05-01", true),
            ("2024-05-01T12:00:00Z", true),
            ("2024-05-01T12:00:00+02:00", true),
            ("2024-05-01T12:00:00.123-01:00", true),
            ("2024-05-01T12:00:00", false),
            ("2024-05-01T12:00Z", false),
            ("2024-05-01T12:00:00+0200", false),
            ("", false),
            ("2024-05-01T12:00:00.Z", false),
        ] {
            assert_eq!(check_date_time("x", value).is_ok(), ok, "{value}");
        }
    }

    #[test]
    fn thread_identifiers_are_urn_uuids() {
        for (value, ok) in [
            ("urn:uuid:b2eb3d0e-5de5-4de9-b2a3-0ff321ad1c3a", true),
            ("b2eb3d0e-5de5-4de9-b2a3-0ff321ad1c3a", false),
            ("urn:uuid:B2EB3D0E-5DE5-4DE9-B2A3-0FF321AD1C3A", false),
            ("urn:uuid:", false),
        ] {
            assert_eq!(check_urn_uuid("x", value).is_ok(), ok, "{value}");
        }
    }
}
