//! Identifiers derived from the legacy identifiers, so that converting the same letter twice
//! gives the same message: UUIDs of version 5 (SHA-1, RFC 9562) in a namespace of the bridge's
//! own, of names built from the letter's identity.

use std::sync::atomic::{AtomicU64, Ordering};

use uuid::Uuid;

use crate::messages::IdSource;

/// The namespace of the bridge's UUIDs: the version 5 UUID of the URL
/// `urn:medcom:migrate` in the RFC 9562 URL namespace.
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:medcom:migrate")
}

/// The UUID (lowercase, version 5) of `name` in the bridge's namespace.
///
/// # Examples
///
/// ```
/// let a = medcom::migrate::legacy_uuid("letter:BrevNr00129#5790000120400");
/// assert_eq!(a, medcom::migrate::legacy_uuid("letter:BrevNr00129#5790000120400"));
/// assert_eq!(&a[14..15], "5");
/// ```
#[must_use]
pub fn legacy_uuid(name: &str) -> String {
    Uuid::new_v5(&namespace(), name.as_bytes())
        .hyphenated()
        .to_string()
}

/// The `MessageHeader.id` the bridge gives a legacy letter: the UUID of
/// `letter:<brevid>#<lokationsnummer>` (the sender's location number). A receipt converted to
/// an Acknowledgement names the letter it answers by this id.
///
/// # Examples
///
/// ```
/// use medcom::migrate::{letter_header_id, legacy_uuid};
/// assert_eq!(letter_header_id("B1", "5790000121526"), legacy_uuid("letter:B1#5790000121526"));
/// ```
#[must_use]
pub fn letter_header_id(letter: &str, location: &str) -> String {
    legacy_uuid(&format!("letter:{letter}#{location}"))
}

/// The ids a converted letter's message takes, in the order the builders ask: `Bundle.id`
/// (from the envelope identifier), `MessageHeader.id` ([`letter_header_id`]), then every other
/// resource and identifier numbered under the letter's identity.
#[derive(Debug)]
pub(crate) struct LetterIds {
    envelope: String,
    header: String,
    key: String,
    next: AtomicU64,
}

impl LetterIds {
    pub(crate) fn new(envelope: &str, letter: &str, location: &str) -> Self {
        Self {
            envelope: legacy_uuid(&format!("envelope:{envelope}#{location}")),
            header: letter_header_id(letter, location),
            key: format!("{letter}#{location}"),
            next: AtomicU64::new(0),
        }
    }

    /// A further id under the letter's identity, by name (not by position).
    pub(crate) fn named(&self, what: &str) -> String {
        legacy_uuid(&format!("{what}:{}", self.key))
    }
}

impl IdSource for LetterIds {
    fn next_id(&self) -> String {
        match self.next.fetch_add(1, Ordering::SeqCst) {
            0 => self.envelope.clone(),
            1 => self.header.clone(),
            n => legacy_uuid(&format!("resource:{}:{n}", self.key)),
        }
    }
}

/// A legacy identifier (1–14 characters) from a FHIR id: its first 14 hexadecimal digits.
pub(crate) fn legacy_identifier(id: &str) -> String {
    let hex: String = id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(14)
        .collect();
    if hex.is_empty() {
        "1".to_owned()
    } else {
        hex
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_letter_gives_the_same_ids() {
        let (a, b) = (
            LetterIds::new("K1", "B1", "5790000121526"),
            LetterIds::new("K1", "B1", "5790000121526"),
        );
        for _ in 0..5 {
            assert_eq!(a.next_id(), b.next_id());
        }
        let c = LetterIds::new("K1", "B2", "5790000121526");
        assert_ne!(
            c.next_id(),
            LetterIds::new("K2", "B2", "5790000121526").next_id()
        );
        assert_eq!(
            legacy_identifier("6f1c1a8e-5a4b-5c3d-9e2f-0a1b2c3d4e5f"),
            "6f1c1a8e5a4b5c"
        );
    }
}
