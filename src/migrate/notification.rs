//! XDIS20 `NotificationOfAdmission` and XDIS17 `NotificationOfDischarge` (EDIFACT DIS20,
//! DIS17) ⇄ HospitalNotification 3.0.2.
//!
//! | legacy | HospitalNotification |
//! | --- | --- |
//! | XDIS20 | `admit-inpatient` (STIN): Encounter IMP, in-progress, `period.start` = `Admission` |
//! | XDIS17 | `discharge-inpatient-home` (SLHJ): Encounter IMP, finished, `period.end` = `Discharge` |
//! | `EpisodeOfCareStatusCode` `doed` | `Patient.deceasedBoolean` true (MORS), the stay finished |
//! | `Letter/NotificationIdentifier` | `Encounter.episodeOfCare.identifier`: the version 5 UUID of `episode:<id>#<sender's location number>` (system: the sender's SOR URL), the same for every notification of the stay |
//! | XDIS17's `NotificationIdentifier` | the Provenance's link to the admission: `entity.what.identifier` = `<id>#<sender's location number>` |
//! | `Sender`, `Receiver` | sender and receiver Organizations (SOR from the address book) |
//! | `Patient/CivilRegistrationNumber` | `Patient.identifier` (CPR); the name is unknown (data-absent-reason) |
//!
//! A discharge notification does not say when the patient was admitted: `period.start` is the
//! discharge time (a `legacy-unmapped` finding says so). Back, `admit-inpatient` and
//! `admit-emergency` give XDIS20, the discharges XDIS17; the other events (leave, corrections,
//! cancellations) have no legacy notification.

use std::sync::Arc;

use crate::finding::{Finding, Severity};
use crate::legacy::letters::Party;
use crate::legacy::oioxml::{emessage_with_envelope, AcknowledgementCode, Element, Emessage};
use crate::messages::hospital_notification::{
    EncounterStatus, EpisodeOfCare, HospitalNotification,
};
use crate::messages::{
    Activity, Context, MessageInfo, Patient, PersonName, Predecessor, PreviousMessage,
};
use crate::model::Document;

use super::ids::{legacy_identifier, legacy_uuid, LetterIds};
use super::{
    date_time_of, envelope_sent, letter_parts, local_date_time, organization, party,
    patient_identifier, unmapped, AddressBook, MigrateError,
};

/// The namespace the notifications are written in (XD2030C and XD1730C).
const NAMESPACE: &str = "http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/";

/// The episode-of-care UUID of a stay's notifications.
fn episode_uuid(notification: &str, location: &str) -> String {
    legacy_uuid(&format!("episode:{notification}#{location}"))
}

/// XDIS20 / XDIS17 → HospitalNotification.
pub(crate) fn to_fhir(
    message: &Emessage<'_>,
    letter: &Element,
    book: &dyn AddressBook,
    findings: &mut Vec<Finding>,
) -> Result<Document<'static>, MigrateError> {
    let admission = letter.name() == "NotificationOfAdmission";
    let path = format!("/Emessage/{}", letter.name());
    let (l, sender_el, receiver_el, patient_el) = letter_parts(letter)?;
    let sender = organization(sender_el, &format!("{path}/Sender"), book, findings)?;
    let receiver = organization(receiver_el, &format!("{path}/Receiver"), book, findings)?;
    let mut patient = Patient::new(patient_identifier(patient_el)?, PersonName::not_known());
    let location = sender_el.child_text("EANIdentifier");
    let notification = l.child_text("NotificationIdentifier");
    let episode = EpisodeOfCare::local(&sender, &episode_uuid(notification, location));
    let status = patient_el.child_text("EpisodeOfCareStatusCode");
    let deceased = status == "doed";
    let (event, field) = if admission {
        ("Admission", "Admission")
    } else {
        ("Discharge", "Discharge")
    };
    let at = date_time_of(letter.child(event), field)?;
    let timestamp = envelope_sent(message)?;
    if l.child("Authorisation").is_some()
        && date_time_of(l.child("Authorisation"), "Letter/Authorisation")? != timestamp
    {
        findings.push(unmapped(
            "legacy-unmapped",
            format!("{path}/Letter/Authorisation"),
            "an authorisation time other than the envelope's (a HospitalNotification has one \
             time, Bundle.timestamp)",
        ));
    }
    if !matches!(status, "" | "indlagt" | "doed" | "udskrevet_til_hjemmet") {
        findings.push(Finding::new(
            "legacy-unmapped",
            Severity::Information,
            format!("{path}/Patient/EpisodeOfCareStatusCode"),
            format!(
                "the status '{status}' has no HospitalNotification event: the notification \
                 reports a discharge home"
            ),
        ));
    }
    if l.child_text("StatusCode") != "nytbrev" {
        findings.push(unmapped(
            "legacy-unmapped",
            format!("{path}/Letter/StatusCode"),
            "a corrected or cancelled notification's status (converted as a new notification)",
        ));
    }
    if deceased {
        patient = patient.with_deceased(true);
    }
    let mut n = HospitalNotification::admit_inpatient(sender, receiver, patient, episode, &at);
    if admission {
        if deceased {
            n.stay.status = EncounterStatus::Finished;
            n.stay.end = Some(at);
        }
    } else {
        n.activity = Activity::DischargeInpatientHome;
        n.stay.status = EncounterStatus::Finished;
        n.stay.end = Some(at);
        n.previous = Some(Predecessor::legacy(notification, location));
        findings.push(Finding::new(
            "legacy-unmapped",
            Severity::Information,
            format!("{path}/Discharge"),
            "a discharge notification does not say when the patient was admitted: \
             Encounter.period.start is the discharge time",
        ));
    }
    let ids = Arc::new(LetterIds::new(
        message.identifier(),
        l.child_text("Identifier"),
        location,
    ));
    let ctx = Context::new().with_ids(ids).with_time(&timestamp);
    n.build(&ctx).map_err(|e| {
        super::MigrateError::new(super::MigrateErrorKind::Build {
            message: e.to_string(),
        })
    })
}

/// HospitalNotification → XDIS20 / XDIS17.
pub(crate) fn to_letter(
    doc: &Document<'_>,
    book: &dyn AddressBook,
    findings: &mut Vec<Finding>,
) -> Result<Element, MigrateError> {
    let info = MessageInfo::read(doc)?;
    let n = HospitalNotification::read(doc)?;
    let admission = match n.activity {
        Activity::AdmitInpatient | Activity::AdmitEmergency => true,
        Activity::DischargeInpatientHome | Activity::DischargeEmergencyHome => false,
        other => {
            return Err(MigrateError::unsupported(format!(
                "the HospitalNotification event '{}' (XDIS20 and XDIS17 report admissions and discharges)",
                other.code()
            )))
        }
    };
    if matches!(
        n.activity,
        Activity::AdmitEmergency | Activity::DischargeEmergencyHome
    ) {
        findings.push(unmapped(
            "fhir-unmapped",
            "Bundle.entry.resource.ofType(Encounter).class",
            "the acute ambulant class (EMER)",
        ));
    }
    let deceased = n.patient.deceased == Some(true);
    if !n.patient.name.is_empty() {
        findings.push(unmapped(
            "fhir-unmapped",
            "Bundle.entry.resource.ofType(Patient).name",
            "the patient's name (a legacy notification carries the CPR number only)",
        ));
    }
    if n.report_of_admission.is_some() {
        findings.push(unmapped(
            "fhir-unmapped",
            "Bundle.entry.resource.ofType(MessageHeader).extension",
            "the report-of-admission request",
        ));
    }
    let cpr = match &n.patient.identifier {
        crate::messages::PersonIdentifier::Cpr(c) => c.clone(),
        _ => {
            return Err(MigrateError::value(
                "CivilRegistrationNumber",
                "not a CPR number",
            ))
        }
    };
    let sender = party(&n.sender, book)?;
    let receiver = party(&n.receiver, book)?;
    // The notification identifier: the one the stay's first letter had (its link), else the
    // episode of care's.
    let notification = match n.previous.as_ref().map(|p| &p.message) {
        Some(PreviousMessage::Legacy(id)) => id.split('#').next().unwrap_or(id).to_owned(),
        _ => n.stay.episodes_of_care.first().map_or_else(
            || legacy_identifier(&info.header_id),
            |e| legacy_identifier(&e.value),
        ),
    };
    let (sent_date, sent_time) = local_date_time(&info.timestamp, "Bundle.timestamp")?;
    let event_at = if admission {
        n.stay.start.as_str()
    } else {
        n.stay.end.as_deref().unwrap_or(&n.stay.start)
    };
    let (event_date, event_time) = local_date_time(event_at, "Encounter.period")?;
    let (root_name, version, code) = if admission {
        ("NotificationOfAdmission", "XD2030C", "XDIS20")
    } else {
        ("NotificationOfDischarge", "XD1730C", "XDIS17")
    };

    let mut root = emessage_with_envelope(
        NAMESPACE,
        &sent_date,
        &sent_time,
        &legacy_identifier(&info.bundle_id),
        AcknowledgementCode::PlusPositive,
    );
    let mut letter = root.child_element(root_name);
    letter.push(
        letter
            .child_element("Letter")
            .with_text_child("Identifier", legacy_identifier(&info.header_id))
            .with_text_child("VersionCode", version)
            .with_text_child("StatisticalCode", code)
            .with_child(
                letter
                    .child_element("Authorisation")
                    .with_text_child("Date", &sent_date)
                    .with_text_child("TimeWithSec", format!("{sent_time}:00")),
            )
            .with_text_child("TypeCode", code)
            .with_text_child("StatusCode", "nytbrev")
            .with_text_child("NotificationIdentifier", &notification),
    );
    let mut s = sender.element(&letter, "Sender", true);
    s.push(
        s.child_element("AnswerTo")
            .with_text_child("EANIdentifier", &sender.ean),
    );
    letter.push(s);
    // The notifications name the receiver's organisation only, not its department or unit.
    let receiver = Party {
        department: None,
        unit: None,
        ..receiver
    };
    letter.push(receiver.element(&letter, "Receiver", true));
    // A discharge home has no code EDIFACT DIS17 carries: the status is left out.
    let status = match (deceased, admission) {
        (true, _) => Some("doed"),
        (false, true) => Some("indlagt"),
        (false, false) => None,
    };
    let mut p = letter
        .child_element("Patient")
        .with_text_child("CivilRegistrationNumber", &cpr);
    if let Some(s) = status {
        p.push_text_child("EpisodeOfCareStatusCode", s);
    }
    letter.push(p);
    letter.push(
        letter
            .child_element(if admission { "Admission" } else { "Discharge" })
            .with_text_child("Date", &event_date)
            .with_text_child("Time", &event_time),
    );
    root.push(letter);
    Ok(root)
}
