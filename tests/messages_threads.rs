//! A whole CareCommunication thread, new → reply → reply → forward,
//! checking every link the digest lists: the thread identifier kept on reply and renewed on
//! forward, one more Provenance per message, each new Provenance targeting its own
//! MessageHeader and pointing at the previous one with role `revision`, the activity codes, the
//! payload entities, the episode of care carried, sender and receiver swapped, attachment data
//! not re-sent in a reply — and every message and its acknowledgement valid in XML and JSON.

mod common;

use medcom::messages::{
    reply, Acknowledgement, Activity, Attachment, CareCommunication, Category, Content, Context,
    EntityRole, EpisodeOfCare, MessageInfo, Patient, PersonName, PreviousMessage, ResponseCode,
    Segment,
};
use medcom::model::{Document, Node};
use medcom::validate::Validator;

use common::parties::{author, care_home, gp, hospital};

/// Every message valid in both formats, and its acknowledgement valid too.
fn assert_valid(validator: &Validator, doc: &Document<'_>, step: &str) {
    let errors: Vec<String> = validator.iter_errors(doc).map(|f| f.to_string()).collect();
    assert!(errors.is_empty(), "{step}: {errors:#?}");
    for text in [medcom::xml::to_string(doc), medcom::json::to_string(doc)] {
        let again = medcom::parse(&text).expect("written message reads");
        assert!(
            validator.is_valid(&again),
            "{step}: not valid after writing"
        );
    }
    let ctx = Context::new();
    let ack = reply::acknowledge(doc, ResponseCode::Ok, &ctx).expect("ack");
    assert!(validator.is_valid(&ack), "{step}: acknowledgement invalid");
    assert_eq!(MessageInfo::read(&ack).expect("ack").provenances.len(), 2);
}

fn resources<'d, 'a>(doc: &'d Document<'a>, ty: &str) -> Vec<Node<'d, 'a>> {
    doc.root()
        .children_named("entry")
        .filter_map(|e| e.child("resource"))
        .filter(|r| r.ty().name() == ty)
        .collect()
}

/// The Provenance of the message itself, read from the raw document.
fn own_provenance<'d, 'a>(doc: &'d Document<'a>) -> Node<'d, 'a> {
    let header = doc
        .root()
        .child("entry")
        .and_then(|e| e.child("resource"))
        .expect("entry[0]");
    assert_eq!(header.ty().name(), "MessageHeader", "MessageHeader first");
    let id = header.child_value("id").expect("id");
    let own: Vec<_> = resources(doc, "Provenance")
        .into_iter()
        .filter(|p| {
            p.child("target")
                .and_then(|t| t.child_value("reference"))
                .is_some_and(|r| r.contains(id))
        })
        .collect();
    assert_eq!(
        own.len(),
        1,
        "exactly one Provenance targets the MessageHeader"
    );
    own[0]
}

fn revision_of(provenance: Node<'_, '_>) -> Option<(String, String)> {
    provenance
        .children_named("entity")
        .find(|e| e.child_value("role") != Some("source"))
        .map(|e| {
            (
                e.child_value("role").unwrap_or_default().to_owned(),
                e.child("what")
                    .and_then(|w| w.child_value("reference"))
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
}

fn activity<'d>(provenance: Node<'d, '_>) -> &'d str {
    provenance
        .child("activity")
        .and_then(|a| a.child("coding"))
        .and_then(|c| c.child_value("code"))
        .unwrap_or_default()
}

#[test]
fn care_communication_thread_new_reply_reply_forward() {
    let validator = Validator::new();
    let ctx = Context::fixed(1_714_557_600);
    let episode = EpisodeOfCare::local(&hospital().sor, "a3c1e2f4-5b6d-4e7f-8a9b-0c1d2e3f4a5b");

    let new = CareCommunication::new(
        hospital(),
        care_home(),
        Patient::cpr("0101010101", PersonName::new("Elmer", &["Bruno"])),
        Category::ExaminationResults,
    )
    .with_topic("Seneste resultater")
    .with_episode_of_care(episode.clone())
    .with_segment(Segment::text(
        "Se vedhæftede.",
        author("Burns", hospital()),
        "38683868",
        "2024-05-01T12:00:00+02:00",
    ))
    .with_segment(Segment::attachment(
        Attachment::new("application/pdf", "Blodprøver", b"%PDF-1.4"),
        "2024-05-01T12:00:00+02:00",
    ))
    .build(&ctx)
    .expect("new");
    let reply1 = CareCommunication::reply(&new)
        .expect("reply")
        .with_segment(Segment::text(
            "Tak.",
            author("Waters", care_home()),
            "44527000",
            "2024-05-02T09:00:00+02:00",
        ))
        .build(&ctx)
        .expect("reply 1");
    let reply2 = CareCommunication::reply(&reply1)
        .expect("reply")
        .with_segment(Segment::text(
            "Velbekomme.",
            author("Burns", hospital()),
            "38683868",
            "2024-05-02T10:00:00+02:00",
        ))
        .build(&ctx)
        .expect("reply 2");
    let forward = CareCommunication::forward(&reply2, gp())
        .expect("forward")
        .with_segment(Segment::text(
            "Til orientering.",
            author("Waters", care_home()),
            "44527000",
            "2024-05-03T08:00:00+02:00",
        ))
        .build(&ctx)
        .expect("forward");

    let thread = [&new, &reply1, &reply2, &forward];
    let expected = [
        Activity::NewMessage,
        Activity::ReplyMessage,
        Activity::ReplyMessage,
        Activity::ForwardMessage,
    ];
    let typed: Vec<CareCommunication> = thread
        .iter()
        .map(|d| CareCommunication::read(d).expect("reads"))
        .collect();
    let infos: Vec<MessageInfo> = thread
        .iter()
        .map(|d| MessageInfo::read(d).expect("info"))
        .collect();
    for (i, doc) in thread.iter().enumerate() {
        let step = format!("message {}", i + 1);
        assert_valid(&validator, doc, &step);
        // One Provenance per message of the thread.
        assert_eq!(resources(doc, "Provenance").len(), i + 1, "{step}");
        let own = own_provenance(doc);
        assert_eq!(activity(own), expected[i].code(), "{step}");
        assert_eq!(typed[i].activity, expected[i], "{step}");
        // The episode of care is carried.
        assert_eq!(typed[i].episode_of_care.as_ref(), Some(&episode), "{step}");
        // The Provenance names the payloads this message added.
        let sources = own
            .children_named("entity")
            .filter(|e| e.child_value("role") == Some("source"))
            .count();
        assert_eq!(sources, if i == 0 { 2 } else { 1 }, "{step}");
        assert_eq!(typed[i].segments.len(), 2 + i, "{step}");
        if i == 0 {
            assert!(revision_of(own).is_none());
            continue;
        }
        // Each answer points at the previous MessageHeader with role revision.
        let previous = &infos[i - 1].header_id;
        assert_eq!(
            revision_of(own),
            Some(("revision".to_owned(), format!("MessageHeader/{previous}"))),
            "{step}"
        );
        let link = typed[i].previous.as_ref().expect("previous");
        assert_eq!(link.role, EntityRole::Revision);
        assert_eq!(link.message, PreviousMessage::Header(previous.clone()));
        // Earlier Provenances are carried unchanged.
        assert_eq!(typed[i].history, infos[i - 1].provenances, "{step}");
        assert_ne!(infos[i].header_id, infos[i - 1].header_id);
        assert_ne!(infos[i].bundle_id, infos[i - 1].bundle_id);
    }
    // The thread identifier is kept on reply and renewed on forward.
    assert!(typed[0].thread.is_some());
    assert_eq!(typed[1].thread, typed[0].thread);
    assert_eq!(typed[2].thread, typed[0].thread);
    assert_ne!(typed[3].thread, typed[0].thread);
    // Sender and receiver swap on reply; the forwarder sends to the new receiver.
    assert_eq!(infos[1].sender.sor, infos[0].receiver.sor);
    assert_eq!(infos[1].receiver.sor, infos[0].sender.sor);
    assert_eq!(infos[3].sender.sor, infos[2].receiver.sor);
    assert_eq!(infos[3].receiver.sor, gp().sor);
    assert_ne!(infos[3].sender.endpoint, infos[2].sender.endpoint);
    // A reply does not re-send attachment data; the forward to a new party keeps what it has.
    let data = |m: &CareCommunication| {
        m.segments
            .iter()
            .any(|s| matches!(&s.content, Content::Attachment(a) if a.data.is_some()))
    };
    assert!(data(&typed[0]));
    assert!(!data(&typed[1]));
    // The acknowledgement of the last message names it.
    let ack = reply::acknowledge(&forward, ResponseCode::Ok, &ctx).expect("ack");
    let read = Acknowledgement::read(&ack).expect("ack reads");
    assert_eq!(read.acknowledged, infos[3].header_id);
    assert_eq!(read.acknowledged_provenance.as_ref(), infos[3].latest());
}
