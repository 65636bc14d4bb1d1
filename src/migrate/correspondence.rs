//! XDIS91 `ClinicalEmail` (EDIFACT DIS91) ⇄ CareCommunication 5.0.2, along MedCom's map
//! ("Map between OIOXML and FHIR CareCommunication", 2022):
//!
//! | XDIS91 | CareCommunication |
//! | --- | --- |
//! | `Envelope/Sent` | `Bundle.timestamp` (and the Provenance's time) |
//! | `Envelope/Identifier`, `Letter/Identifier` | `Bundle.id`, `MessageHeader.id` (version 5 UUIDs) |
//! | `Letter/Authorisation` | each segment's date |
//! | `Letter/EpisodeOfCareIdentifier` | `Encounter.episodeOfCare.identifier` (system: the sender's SOR URL) |
//! | `Sender`, `Receiver` | sender and primary receiver Organizations (SOR from the address book) |
//! | `Patient` identifier, names, street, district, post code | `Patient.identifier`, `name` (official), `address` |
//! | `Patient/EpisodeOfCareStatusCode` | `Encounter.status` and `class` (with an episode of care), `Patient.deceasedBoolean` |
//! | `AdditionalInformation/Priority` | `Communication.priority` (`høj_prioritet` = `asap`) |
//! | `AdditionalInformation/Subject` | `Communication.topic.text` |
//! | each `ClinicalInformation/Text01` | a text segment (`<Break/>` = a line break) |
//! | each `Reference` with a `URL` | an attachment segment (title, URL) |
//!
//! | `EpisodeOfCareStatusCode` | `Encounter.status` / `class` |
//! | --- | --- |
//! | `indlagt` | `in-progress` / `IMP` |
//! | `ambulant`, `ambulant_roentgen` | `in-progress` / `AMB` |
//! | `inaktiv` | `finished` / `AMB` (no Encounter without an episode of care) |
//! | `doed` | `finished` / `IMP`, and `Patient.deceasedBoolean` true |
//!
//! # Examples
//!
//! ```
//! use medcom::legacy::letters::*;
//! use medcom::legacy::oioxml::AcknowledgementCode;
//! use medcom::migrate::{self, CsvAddressBook};
//! let at = DateTime::new("2024-05-01", "10:00").unwrap();
//! let party = |ean: &str, name: &str| Party {
//!     ean: ean.into(), identifier: ean.into(), identifier_kind: IdentifierKind::Location,
//!     organisation: name.into(), department: None, unit: None, address: Address::default(),
//! };
//! let header = Header {
//!     envelope_identifier: "K1".into(), sent: at.clone(), acknowledgement: AcknowledgementCode::PlusPositive,
//!     letter_identifier: "B1".into(), authorised: at, corrected: false, episode_identifier: None,
//! };
//! let patient = Patient {
//!     identifier: PatientIdentifier::Cpr("2509479989".into()), surname: "Elmer".into(),
//!     given_name: Some("Bruno".into()), address: Address::default(), episode: EpisodeStatus::Inactive,
//! };
//! let letter = ClinicalEmailBuilder::new(
//!     header, party("5790000121526", "Klinikken"), party("5790001348120", "Plejecenter"), patient,
//!     vec!["Hej".into(), "Venlig hilsen".into()],
//! )
//! .with_subject("Opfølgning")
//! .build()
//! .unwrap();
//! let book = CsvAddressBook::from_csv(
//!     "gln,sor,phone\n5790000121526,265161000016000,38683868\n5790001348120,953741000016009,\n",
//! )
//! .unwrap();
//! let fhir = migrate::letter_to_fhir(&letter, &book).unwrap().value;
//! assert!(medcom::validate::Validator::new().report(&fhir).is_valid());
//! let cc = medcom::messages::CareCommunication::read(&fhir).unwrap();
//! assert_eq!(cc.topic.as_deref(), Some("Opfølgning"));
//! let back = migrate::fhir_to_letter(&fhir, &book).unwrap().value;
//! let view = ClinicalEmail::new(&back).unwrap();
//! assert_eq!(view.clinical_text(), ["Hej", "Venlig hilsen"]);
//! assert_eq!(view.sender().unwrap().ean(), "5790000121526");
//! ```

use std::sync::Arc;

use crate::finding::{Finding, Severity};
use crate::legacy::letters::{
    self, text_lines, ClinicalEmailBuilder, EpisodeStatus, Header, PatientIdentifier,
};
use crate::legacy::oioxml::{AcknowledgementCode, Element, Emessage};
use crate::messages::{
    Activity, Address, Attachment, Author, CareCommunication, Category, Content, Context,
    EpisodeOfCare, MessageInfo, Patient, PersonIdentifier, PersonName, Predecessor,
    PreviousMessage, Priority, Role, Segment,
};
use crate::model::Document;

use super::ids::{legacy_identifier, LetterIds};
use super::{
    date_time_of, envelope_sent, legacy_unmapped, letter_date_time, letter_parts, organization,
    party, patient_identifier, unmapped, AddressBook, MigrateError, MigrateErrorKind,
};

/// The SKS role of the author the bridge writes for a letter's text.
pub const AUTHOR_ROLE: &str = "laegesekretaer";

/// The patient of a letter, for the FHIR side; the episode status comes separately.
pub(crate) fn patient(
    p: &Element,
    path: &str,
    findings: &mut Vec<Finding>,
) -> Result<Patient, MigrateError> {
    let identifier = patient_identifier(p)?;
    let name = match p.child("PersonSurnameName") {
        Some(s) => {
            let given: Vec<&str> = p
                .child("PersonGivenName")
                .map(Element::text)
                .into_iter()
                .collect();
            PersonName::new(s.text(), &given)
        }
        None => PersonName::default(),
    };
    let mut patient = Patient::new(identifier, name);
    let (street, district, post) = (
        p.child("StreetName").map(Element::text),
        p.child("DistrictName").map(Element::text),
        p.child("PostCodeIdentifier").map(Element::text),
    );
    if street.is_some() || district.is_some() || post.is_some() {
        patient = patient.with_address(Address {
            lines: street.map(str::to_owned).into_iter().collect(),
            city: district.map(str::to_owned),
            postal_code: post.map(str::to_owned),
        });
    }
    legacy_unmapped(findings, p, path, &["SuburbName", "OccupancyText"]);
    Ok(patient)
}

/// The letter's patient from the FHIR side.
pub(crate) fn letter_patient(
    p: &Patient,
    episode: EpisodeStatus,
) -> Result<letters::Patient, MigrateError> {
    let identifier = match &p.identifier {
        PersonIdentifier::Cpr(c) => PatientIdentifier::Cpr(c.clone()),
        other => PatientIdentifier::Alternative(other.value().to_owned()),
    };
    let address = p.address.as_ref().map(|a| letters::Address {
        street: a.lines.first().cloned(),
        suburb: None,
        district: a.city.clone(),
        post_code: a.postal_code.clone(),
    });
    Ok(letters::Patient {
        identifier,
        surname: p.name.family.clone().ok_or_else(|| {
            MigrateError::value("PersonSurnameName", "the patient has no family name")
        })?,
        given_name: (!p.name.given.is_empty()).then(|| p.name.given.join(" ")),
        address: address.unwrap_or_default(),
        episode,
    })
}

/// The Encounter state for an episode status: (status, class).
fn encounter_state(code: &str) -> (&'static str, &'static str) {
    match code {
        "indlagt" => ("in-progress", "IMP"),
        "ambulant" | "ambulant_roentgen" => ("in-progress", "AMB"),
        "doed" => ("finished", "IMP"),
        _ => ("finished", "AMB"),
    }
}

/// The episode status for an Encounter state and the patient's deceased flag.
fn episode_status(state: Option<(&str, &str)>, deceased: bool) -> EpisodeStatus {
    if deceased {
        return EpisodeStatus::Dead;
    }
    match state {
        Some(("in-progress", "IMP")) => EpisodeStatus::Admitted,
        Some(("in-progress", _)) => EpisodeStatus::Outpatient,
        _ => EpisodeStatus::Inactive,
    }
}

/// The author and contact the bridge writes for a letter's text.
fn signature(
    sender: &Element,
    org: &crate::messages::Organization,
    book: &dyn AddressBook,
    findings: &mut Vec<Finding>,
) -> Result<(Author, String), MigrateError> {
    let ean = sender.child_text("EANIdentifier");
    let named = ["UnitName", "DepartmentName", "OrganisationName"]
        .iter()
        .find_map(|n| sender.child(n).map(Element::text))
        .unwrap_or(ean);
    let own = sender.child("TelephoneSubscriberIdentifier");
    if own.is_some() {
        // Carried as the text's contact after all.
        findings.retain(|f| {
            !f.location()
                .ends_with("/Sender/TelephoneSubscriberIdentifier")
        });
    }
    let contact = own
        .map(|t| t.text().to_owned())
        .or_else(|| book.by_location(ean).and_then(|e| e.phone))
        .ok_or_else(|| {
            MigrateError::new(MigrateErrorKind::NoContact {
                location: ean.to_owned(),
            })
        })?;
    findings.push(Finding::new(
        "legacy-signature",
        Severity::Information,
        "/Emessage/ClinicalEmail/Sender",
        format!(
            "the letter names no author: the text is signed by the sender as a Practitioner \
             with the role '{AUTHOR_ROLE}' and the sender's telephone number"
        ),
    ));
    Ok((
        Author::new(
            PersonName::new(named, &[]),
            Role::sks(AUTHOR_ROLE),
            org.clone(),
        ),
        contact,
    ))
}

/// XDIS91 → CareCommunication.
pub(crate) fn to_fhir(
    message: &Emessage<'_>,
    letter: &Element,
    book: &dyn AddressBook,
    findings: &mut Vec<Finding>,
) -> Result<Document<'static>, MigrateError> {
    const PATH: &str = "/Emessage/ClinicalEmail";
    let (l, sender_el, receiver_el, patient_el) = letter_parts(letter)?;
    let sender = organization(sender_el, &format!("{PATH}/Sender"), book, findings)?;
    let receiver = organization(receiver_el, &format!("{PATH}/Receiver"), book, findings)?;
    let mut patient = patient(patient_el, &format!("{PATH}/Patient"), findings)?;
    let status = patient_el.child_text("EpisodeOfCareStatusCode");
    if status == "doed" {
        patient = patient.with_deceased(true);
    }
    if status == "ambulant_roentgen" {
        findings.push(Finding::new(
            "legacy-unmapped",
            Severity::Information,
            format!("{PATH}/Patient/EpisodeOfCareStatusCode"),
            "'ambulant_roentgen' is carried as an ambulant Encounter (FHIR has no radiology class)",
        ));
    }
    let timestamp = envelope_sent(message)?;
    let authorised = date_time_of(l.child("Authorisation"), "Letter/Authorisation")?;
    if message.acknowledgement_code() == Some(AcknowledgementCode::MinusPositive) {
        findings.push(Finding::new(
            "legacy-unmapped",
            Severity::Information,
            "/Emessage/Envelope/AcknowledgementCode",
            "'minuspositivkvitt' has no place: every FHIR message is acknowledged",
        ));
    }
    if l.child_text("StatusCode") != "nytbrev" {
        findings.push(unmapped(
            "legacy-unmapped",
            format!("{PATH}/Letter/StatusCode"),
            "a status other than 'nytbrev' (CareCommunication 5.0 sends a corrected letter as a new message)",
        ));
    }
    let (subject, priority) = subject_and_priority(letter);
    let mut cc = CareCommunication::new(
        sender.clone(),
        receiver,
        patient,
        category_of(priority, subject),
    );
    if let Some(s) = subject {
        cc = cc.with_topic(s);
    }
    if let Some(p) = priority {
        cc = cc.with_priority(p);
    }
    if let Some(e) = l.child("EpisodeOfCareIdentifier") {
        let (status, class) = encounter_state(status);
        cc = cc.with_episode_of_care(
            EpisodeOfCare::local(&sender.sor, e.text()).with_state(status, class),
        );
    } else if !matches!(status, "inaktiv" | "doed" | "") {
        findings.push(Finding::new(
            "legacy-unmapped",
            Severity::Information,
            format!("{PATH}/Patient/EpisodeOfCareStatusCode"),
            "an episode status without EpisodeOfCareIdentifier has no place (CareCommunication \
             writes an Encounter only with an episode-of-care identifier)",
        ));
    }
    let (author, contact) = signature(sender_el, &sender, book, findings)?;
    let ids = Arc::new(LetterIds::new(
        message.identifier(),
        l.child_text("Identifier"),
        sender_el.child_text("EANIdentifier"),
    ));
    for (n, ci) in letter.children_named("ClinicalInformation").enumerate() {
        let Some(text) = ci.child("Text01") else {
            continue;
        };
        let body = text_lines(text).join("\n");
        cc = cc.with_segment(
            Segment::text(&body, author.clone(), &contact, &authorised)
                .with_identifier(&format!("urn:uuid:{}", ids.named(&format!("text{n}")))),
        );
    }
    for (n, r) in letter.children_named("Reference").enumerate() {
        let title = r.child_text("RefDescription");
        match r.child("URL") {
            Some(url) => {
                cc = cc.with_segment(
                    Segment::attachment(Attachment::link(title, url.text()), &authorised)
                        .with_identifier(&format!(
                            "urn:uuid:{}",
                            ids.named(&format!("reference{n}"))
                        )),
                );
            }
            None => findings.push(unmapped(
                "legacy-unmapped",
                format!("{PATH}/Reference[{}]", n + 1),
                "a reference to a binary object sent apart (BIN/SUP)",
            )),
        }
    }
    let ctx = Context::new().with_ids(ids).with_time(&timestamp);
    Ok(cc.build(&ctx)?)
}

/// A letter's `AdditionalInformation`: its subject and its priority (`høj_prioritet` = `asap`).
fn subject_and_priority(letter: &Element) -> (Option<&str>, Option<Priority>) {
    let additional = letter.child("AdditionalInformation");
    let subject = additional
        .and_then(|a| a.child("Subject"))
        .map(Element::text);
    let priority = additional
        .and_then(|a| a.child("Priority"))
        .map(|p| match p.text() {
            "høj_prioritet" => Priority::Asap,
            _ => Priority::Routine,
        });
    (subject, priority)
}

/// The category a letter's priority and subject give (see the module documentation of
/// [`crate::migrate`]).
fn category_of(priority: Option<Priority>, subject: Option<&str>) -> Category {
    match (priority, subject) {
        (Some(_), _) => Category::RegardingReferral,
        (None, Some(_)) => Category::Other,
        (None, None) => Category::CareCoordination,
    }
}

/// The reply to a legacy letter (see [`crate::migrate::reply_to_letter`]).
pub(crate) fn reply(
    root: &Element,
    book: &dyn AddressBook,
) -> Result<CareCommunication, MigrateError> {
    let message = Emessage::new(root)?;
    let letters: Vec<&Element> = message.letters().collect();
    let [letter] = letters.as_slice() else {
        return Err(MigrateError::unsupported(format!(
            "an envelope of {} letters (a reply answers one letter)",
            letters.len()
        )));
    };
    let (l, sender_el, receiver_el, patient_el) = letter_parts(letter)?;
    let path = format!("/Emessage/{}", letter.name());
    // The reply names what it answers; the letter's own fields are not carried.
    let mut ignored = Vec::new();
    let sender = organization(receiver_el, &path, book, &mut ignored)?;
    let receiver = organization(sender_el, &path, book, &mut ignored)?;
    let mut patient = patient(patient_el, &path, &mut ignored)?;
    if patient_el.child_text("EpisodeOfCareStatusCode") == "doed" {
        patient = patient.with_deceased(true);
    }
    let (subject, priority) = subject_and_priority(letter);
    let mut cc = CareCommunication::new(sender, receiver, patient, category_of(priority, subject));
    cc.topic = subject.map(str::to_owned);
    cc.priority = priority;
    cc.activity = Activity::ReplyMessage;
    cc.previous = Some(Predecessor::legacy(
        l.child_text("Identifier"),
        sender_el.child_text("EANIdentifier"),
    ));
    Ok(cc)
}

/// CareCommunication → XDIS91.
pub(crate) fn to_letter(
    doc: &Document<'_>,
    book: &dyn AddressBook,
    findings: &mut Vec<Finding>,
) -> Result<Element, MigrateError> {
    const COMM: &str = "Bundle.entry.resource.ofType(Communication)";
    let info = MessageInfo::read(doc)?;
    let cc = CareCommunication::read(doc)?;
    let earlier: Vec<&str> = cc
        .history
        .iter()
        .flat_map(|p| p.payloads.iter().map(String::as_str))
        .collect();
    let new: Vec<&Segment> = cc
        .segments
        .iter()
        .filter(|s| {
            s.identifier
                .as_deref()
                .is_none_or(|i| !earlier.contains(&i))
        })
        .collect();
    if new.len() < cc.segments.len() {
        findings.push(Finding::new(
            "fhir-unmapped",
            Severity::Information,
            format!("{COMM}.payload"),
            format!(
                "{} segments of earlier messages of the thread are not repeated in the letter",
                cc.segments.len() - new.len()
            ),
        ));
    }
    let mut texts: Vec<Vec<String>> = Vec::new();
    let mut references = Vec::new();
    let mut authorised = None;
    for (n, s) in new.iter().enumerate() {
        match &s.content {
            Content::Text(t) => {
                authorised.get_or_insert(s.date.as_str());
                texts.push(
                    t.split('\n')
                        .map(|l| l.trim_end_matches('\r').to_owned())
                        .collect(),
                );
            }
            Content::Attachment(a) => match &a.url {
                Some(url) if a.data.is_none() => references.push((a.title.clone(), url.clone())),
                _ => findings.push(unmapped(
                    "fhir-unmapped",
                    format!("{COMM}.payload[{n}].contentAttachment.data"),
                    "an attachment's content (XDIS91 refers to content by URL only)",
                )),
            },
        }
        if s.author.is_some() {
            findings.push(unmapped(
                "fhir-unmapped",
                format!("{COMM}.payload[{n}].extension:author"),
                "a segment's author and contact",
            ));
        }
    }
    if texts.len() > 10 {
        findings.push(Finding::new(
            "fhir-unmapped",
            Severity::Information,
            format!("{COMM}.payload"),
            "more than ten texts: the tenth block of the letter holds the rest",
        ));
        let rest: Vec<String> = texts.split_off(9).into_iter().flatten().collect();
        texts.push(rest);
    }
    if references.len() > 10 {
        references.truncate(10);
        findings.push(unmapped(
            "fhir-unmapped",
            format!("{COMM}.payload"),
            "attachments past the tenth",
        ));
    }
    let inferred = category_of(cc.priority, cc.topic.as_deref());
    if cc.category != inferred {
        findings.push(unmapped(
            "fhir-unmapped",
            format!("{COMM}.category"),
            &format!("the category '{}'", cc.category.code()),
        ));
    }
    if let Some(p) = &cc.previous {
        let what = match &p.message {
            PreviousMessage::Legacy(id) => format!("the link to the letter it answers ({id})"),
            _ => "the link to the message it answers".to_owned(),
        };
        findings.push(unmapped(
            "fhir-unmapped",
            "Bundle.entry.resource.ofType(Provenance).entity",
            &what,
        ));
    }
    if cc.specific_sender.is_some() || cc.recipient.is_some() {
        findings.push(unmapped(
            "fhir-unmapped",
            format!("{COMM}.recipient"),
            "a specific sender or recipient",
        ));
    }
    let episode = cc.episode_of_care.as_ref();
    let status = episode_status(
        episode.map(|e| (e.status.as_str(), e.class.as_str())),
        cc.patient.deceased == Some(true),
    );
    let mut text = texts.into_iter();
    let first = text
        .next()
        .ok_or_else(|| MigrateError::value("ClinicalInformation", "the message adds no text"))?;
    let sent = letter_date_time(&info.timestamp, "Bundle.timestamp")?;
    let header = Header {
        envelope_identifier: legacy_identifier(&info.bundle_id),
        sent: sent.clone(),
        acknowledgement: AcknowledgementCode::PlusPositive,
        letter_identifier: legacy_identifier(&info.header_id),
        authorised: match authorised {
            Some(a) => letter_date_time(a, "payload date")?,
            None => sent,
        },
        corrected: false,
        episode_identifier: episode.map(|e| e.value.clone()),
    };
    if cc.activity != Activity::NewMessage {
        findings.push(unmapped(
            "fhir-unmapped",
            "Bundle.entry.resource.ofType(Provenance).activity",
            &format!("the activity '{}'", cc.activity.code()),
        ));
    }
    let mut builder = ClinicalEmailBuilder::new(
        header,
        party(&cc.sender, book)?,
        party(&cc.receiver, book)?,
        letter_patient(&cc.patient, status)?,
        first,
    );
    if let Some(t) = &cc.topic {
        builder = builder.with_subject(t);
    }
    if let Some(p) = cc.priority {
        builder = builder.with_priority(match p {
            Priority::Asap => letters::Priority::High,
            _ => letters::Priority::Routine,
        });
    }
    for lines in text {
        builder = builder.with_more_text(lines);
    }
    for (title, url) in &references {
        builder = builder.with_reference(title, url);
    }
    Ok(builder.build()?)
}
