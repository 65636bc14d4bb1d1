//! The exchange engine: the duplicate tables of both generations (one line per row, each on the
//! in-memory and the SQLite store), the acknowledgement's shape, envelopes around responses,
//! never acknowledging an acknowledgement, and resends with a test clock.

mod exchange;

use std::sync::Arc;

use medcom::exchange::clock::{Clock, TestClock};
use medcom::exchange::engine::{EngineOptions, EnvelopeKind, Resend};
use medcom::exchange::envelope::{self, Envelope};
use medcom::exchange::store::{self, OutState, Store};
use medcom::exchange::{Decision, Engine, Payload};

use exchange::{content, message};

/// How the second reception relates to the first.
#[derive(Clone, Copy, Debug)]
enum Id {
    Seen,
    New,
}

/// What the second reception must be answered with.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Answer {
    /// The original response's content, in a new envelope.
    Original,
    /// No response.
    Nothing,
    /// A response of its own.
    Fresh,
    /// A fatal-error acknowledgement of its own (the envelope identifier was reused).
    Refused,
}

/// (payload kind, envelope id, message id, decision, answer): one row of a duplicate table.
#[rustfmt::skip]
const TABLE: &[(&str, Id, Id, Decision, Answer)] = &[
    // FHIR (Bundle.id × MessageHeader.id), DIGEST §4.
    ("fhir-json", Id::New,  Id::New,  Decision::Process,   Answer::Fresh),
    ("fhir-json", Id::Seen, Id::Seen, Decision::Duplicate, Answer::Original),
    ("fhir-json", Id::New,  Id::Seen, Decision::Reject,    Answer::Original),
    ("fhir-json", Id::Seen, Id::New,  Decision::Error,     Answer::Refused),
    ("fhir-xml",  Id::New,  Id::New,  Decision::Process,   Answer::Fresh),
    ("fhir-xml",  Id::Seen, Id::Seen, Decision::Duplicate, Answer::Original),
    ("fhir-xml",  Id::New,  Id::Seen, Decision::Reject,    Answer::Original),
    ("fhir-xml",  Id::Seen, Id::New,  Decision::Error,     Answer::Refused),
    // Legacy (envelope × letter identifier), VANSEnvelope reliable messaging.
    ("oioxml",    Id::New,  Id::New,  Decision::Process,   Answer::Fresh),
    ("oioxml",    Id::Seen, Id::Seen, Decision::Reject,    Answer::Original),
    ("oioxml",    Id::New,  Id::Seen, Decision::Duplicate, Answer::Original),
    ("oioxml",    Id::Seen, Id::New,  Decision::Error,     Answer::Nothing),
    ("edifact",   Id::New,  Id::New,  Decision::Process,   Answer::Fresh),
    ("edifact",   Id::Seen, Id::Seen, Decision::Reject,    Answer::Original),
    ("edifact",   Id::New,  Id::Seen, Decision::Duplicate, Answer::Original),
    ("edifact",   Id::Seen, Id::New,  Decision::Error,     Answer::Nothing),
];

fn ids(kind: &str) -> [&'static str; 4] {
    if kind.starts_with("fhir") {
        [
            "0a4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
            "1b4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
            "2c4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
            "3d4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
        ]
    } else {
        [
            "K0000000000001",
            "B000000001",
            "K0000000000002",
            "B000000002",
        ]
    }
}

fn stores() -> Vec<(&'static str, Box<dyn Store>, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mailbox.db");
    let mut stores = vec![("memory", store::open(":memory:").expect("memory"), None)];
    if cfg!(feature = "sqlite") {
        stores.push((
            "sqlite",
            store::open(path.to_str().expect("utf-8 path")).expect("sqlite"),
            Some(dir),
        ));
    } else {
        eprintln!("\n*** SKIPPED: the SQLite store (built without the `sqlite` feature) ***\n");
    }
    stores
}

fn engine(store: Box<dyn Store>, clock: &Arc<TestClock>) -> Engine {
    Engine::new(store, Arc::clone(clock) as Arc<dyn Clock>)
}

#[test]
fn duplicate_tables() {
    for &(kind, envelope, msg, decision, answer) in TABLE {
        for (store_name, store, _dir) in stores() {
            let clock = Arc::new(TestClock::new(1_714_557_600, 11));
            let mut e = engine(store, &clock);
            let [env1, msg1, env2, msg2] = ids(kind);
            let first = e.receive(&message(kind, env1, msg1)).expect("first");
            let case = format!("{kind} {envelope:?}/{msg:?} on {store_name}");
            assert_eq!(first.decision, Decision::Process, "{case}: {first:?}");
            if kind.starts_with("fhir") {
                assert_eq!(
                    first.response_code.as_deref(),
                    Some("ok"),
                    "{case}: {first:?}"
                );
            }
            e.confirm(&first).expect("confirm");
            let first_response = first.response.clone().expect("first response");
            clock.advance(60);
            let env = match envelope {
                Id::Seen => env1,
                Id::New => env2,
            };
            let m = match msg {
                Id::Seen => msg1,
                Id::New => msg2,
            };
            let second = e.receive(&message(kind, env, m)).expect("second");
            assert_eq!(second.decision, decision, "{case}: {second:?}");
            match answer {
                Answer::Nothing => assert_eq!(second.response, None, "{case}"),
                Answer::Refused => {
                    assert!(second.response.is_some(), "{case}");
                    assert_eq!(
                        second.response_code.as_deref(),
                        Some("fatal-error"),
                        "{case}"
                    );
                    assert_eq!(second.rules, ["envelope-id-reused"], "{case}");
                }
                Answer::Fresh => {
                    assert!(second.response.is_some(), "{case}");
                    assert_ne!(second.ack_id, first.ack_id, "{case}");
                }
                Answer::Original => {
                    let again = second.response.clone().expect("response");
                    assert_eq!(second.ack_id, first.ack_id, "{case}");
                    if kind.starts_with("fhir") {
                        // Same content, new envelope: Bundle.id and timestamp differ.
                        assert_eq!(content(&again), content(&first_response), "{case}");
                        let (a, b) = (
                            Payload::read(&first_response).expect("ack"),
                            Payload::read(&again).expect("ack"),
                        );
                        assert_ne!(a.envelope_id, b.envelope_id, "{case}");
                        assert_ne!(a.timestamp, b.timestamp, "{case}");
                    } else {
                        assert_eq!(again, first_response, "{case}");
                    }
                }
            }
        }
    }
}

#[test]
fn acknowledgement_shape() {
    let clock = Arc::new(TestClock::new(1_714_557_600, 3));
    let mut e = engine(store::open(":memory:").expect("memory"), &clock);
    let header = "1b4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11";
    let out = e
        .receive(&message(
            "fhir-json",
            "0a4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
            header,
        ))
        .expect("receive");
    let ack = out.response.expect("ack");
    let text = std::str::from_utf8(&ack).expect("utf-8");
    let doc = medcom::json::parse(text).expect("ack reads");
    let entries: Vec<_> = doc
        .root()
        .children_named("entry")
        .filter_map(|e| e.child("resource"))
        .collect();
    let mh = entries[0];
    assert_eq!(mh.ty().name(), "MessageHeader");
    let event = mh.child("event").expect("event");
    assert_eq!(event.child_value("code"), Some("acknowledgement-message"));
    assert_eq!(
        event.child_value("system"),
        Some("http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-messaging-eventCodes")
    );
    let response = mh.child("response").expect("response");
    assert_eq!(response.child_value("identifier"), Some(header));
    assert_eq!(response.child_value("code"), Some("ok"));
    // Sender and receiver swapped.
    assert_eq!(
        mh.child("sender").and_then(|s| s.child_value("reference")),
        Some("Organization/74cdf292-abf3-4f5f-80ea-60a48013ff6d")
    );
    let provenances: Vec<_> = entries
        .iter()
        .filter(|r| r.ty().name() == "Provenance")
        .collect();
    assert_eq!(provenances.len(), 2);
    let own = provenances[1].child("entity").expect("entity");
    assert_eq!(own.child_value("role"), Some("revision"));
    assert_eq!(
        own.child("what").and_then(|w| w.child_value("reference")),
        Some(format!("MessageHeader/{header}").as_str())
    );
    assert_eq!(
        entries
            .iter()
            .filter(|r| r.ty().name() == "Organization")
            .count(),
        2
    );
    // The acknowledgement itself is never acknowledged.
    let mut sender = engine(store::open(":memory:").expect("memory"), &clock);
    let back = sender.receive(&ack).expect("receive ack");
    assert_eq!(back.decision, Decision::Process);
    assert_eq!(back.response, None);
}

#[test]
fn responses_travel_in_a_new_envelope_of_the_same_kind() {
    use medcom::exchange::envelope::{sbdh::Sbdh, vans};
    let clock = Arc::new(TestClock::new(1_714_557_600, 5));
    let mut e = engine(store::open(":memory:").expect("memory"), &clock);
    let bytes = message(
        "fhir-xml",
        "0a4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
        "1b4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
    );
    let wrapped = vans::VansEnvelope::wrap(
        vans::EndPoint::ean("5790001348120"),
        vans::EndPoint::ean("5790000209354"),
        "5e4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
        "1b4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
        "2024-05-01T10:00:00Z",
        &bytes,
    )
    .expect("wrap")
    .to_xml();
    let first = e.receive(wrapped.as_bytes()).expect("receive");
    let again = e.receive(wrapped.as_bytes()).expect("receive");
    assert_eq!(again.decision, Decision::Duplicate);
    let (Envelope::Vans(a), Envelope::Vans(b)) = (
        envelope::read(&first.response.expect("response")).expect("vans"),
        envelope::read(&again.response.expect("response")).expect("vans"),
    ) else {
        panic!("not VANS");
    };
    assert_ne!(a.envelope_id, b.envelope_id);
    assert_eq!(a.sender.id, "5790000209354");
    assert_eq!(
        content(a.payload().expect("ack")),
        content(b.payload().expect("ack"))
    );
    assert!(first
        .transport_receipt
        .expect("receipt")
        .contains("<PositiveMessage>"));

    let sbdh = Sbdh::wrap(
        "5790001348120",
        "5790000209354",
        "6e4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
        1_714_557_600,
        true,
        &message("oioxml", "K9", "B9"),
    )
    .expect("wrap")
    .to_xml();
    let out = e.receive(sbdh.as_bytes()).expect("receive");
    assert_eq!(out.decision, Decision::Process);
    let Envelope::Sbdh(answer) = envelope::read(&out.response.expect("receipt")).expect("sbdh")
    else {
        panic!("not SBDH");
    };
    assert_eq!(answer.receiver, "0088:5790001348120");
    let signal = Sbdh::read(&out.transport_receipt.expect("signal")).expect("signal reads");
    assert_eq!(
        signal.answers(),
        Some("6e4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11")
    );
}

#[test]
fn resends_after_thirty_minutes_at_most_twice_then_failed() {
    for (store_name, store, _dir) in stores() {
        let clock = Arc::new(TestClock::new(1_714_557_600, 17));
        let mut sender = engine(store, &clock)
            .with_options(EngineOptions::default().with_envelope(EnvelopeKind::Bare));
        let header = "1b4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11";
        let bytes = message("fhir-json", "0a4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11", header);
        let (id, _) = sender.send(&bytes).expect("send");
        assert_eq!(id, header);
        let mut last = Payload::read(&bytes).expect("reads");
        let mut sent = vec![bytes.clone()];
        for round in 0..2 {
            clock.advance(29 * 60);
            assert_eq!(
                sender.resend_due().expect("due"),
                vec![],
                "{store_name} {round}"
            );
            clock.advance(60);
            let done = sender.resend_due().expect("due");
            let [Resend::Resent {
                message_id,
                envelope,
                ..
            }] = done.as_slice()
            else {
                panic!("{store_name} {round}: {done:?}");
            };
            assert_eq!(message_id, header);
            let now = Payload::read(envelope).expect("resent reads");
            assert_eq!(now.message_ids, last.message_ids, "same MessageHeader.id");
            assert_ne!(now.envelope_id, last.envelope_id, "new Bundle.id");
            assert_ne!(now.timestamp, last.timestamp, "new timestamp");
            assert_eq!(content(envelope), content(&bytes), "else unchanged");
            sent.push(envelope.clone());
            last = now;
        }
        clock.advance(30 * 60);
        assert_eq!(
            sender.resend_due().expect("due"),
            vec![Resend::Failed {
                message_id: header.to_owned()
            }],
            "{store_name}"
        );
        assert_eq!(sender.resend_due().expect("due"), vec![]);
        assert_eq!(
            sender.store().outbox().expect("outbox")[0].state,
            OutState::Failed
        );
        // A late acknowledgement of any copy settles it; a second copy changes nothing.
        let mut receiver = engine(store::open(":memory:").expect("memory"), &clock);
        let ack = receiver
            .receive(&sent[1])
            .expect("receive")
            .response
            .expect("ack");
        let settled = sender.receive(&ack).expect("ack");
        assert_eq!(settled.settled.as_deref(), Some(header), "{store_name}");
        assert_eq!(
            settled.response, None,
            "never acknowledge an acknowledgement"
        );
        let out = sender.store().outbox().expect("outbox");
        assert_eq!(out[0].state, OutState::Acknowledged, "{store_name}");
        assert_eq!(out[0].resends, 2);
        assert_eq!(
            sender.receive(&ack).expect("again").decision,
            Decision::Duplicate
        );
    }
}

#[test]
fn acknowledged_messages_are_not_resent() {
    let clock = Arc::new(TestClock::new(1_714_557_600, 19));
    let mut sender = engine(store::open(":memory:").expect("memory"), &clock);
    let mut receiver = engine(store::open(":memory:").expect("memory"), &clock);
    let (_, envelope) = sender
        .send(&message(
            "fhir-xml",
            "0a4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
            "1b4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
        ))
        .expect("send");
    let ack = receiver
        .receive(&envelope)
        .expect("receive")
        .response
        .expect("ack");
    assert!(sender.receive(&ack).expect("ack").settled.is_some());
    clock.advance(3600);
    assert_eq!(sender.resend_due().expect("due"), vec![]);
}
