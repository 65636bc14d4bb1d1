//! Property tests of the typed messages: builders driven by arbitrary
//! valid inputs produce messages the default validator (profiles and message rules) reports
//! with zero errors, in XML and in JSON, and the read view of a built message returns the data
//! it was built from. Case counts stay modest: one validation costs about a millisecond.

use medcom::dk::sor::verhoeff;
use medcom::messages::{
    AckIssue, Acknowledgement, Attachment, Author, CareCommunication, CareTeam, Category, Context,
    EmptyMessage, EpisodeOfCare, MessageInfo, Organization, Party, Patient, PersonIdentifier,
    PersonName, Priority, ResponseCode, Role, Segment, ATTACHMENT_TYPES, HL7_ERROR_CODES,
    MEDCOM_ERROR_CODES,
};
use medcom::model::Document;
use medcom::validate::Validator;
use proptest::prelude::*;

const CASES: u32 = 64;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Zero errors as built, and after writing and reading back in each format.
fn assert_valid(doc: &Document<'_>) -> Result<(), TestCaseError> {
    let validator = Validator::new();
    let errors: Vec<String> = validator.iter_errors(doc).map(|f| f.to_string()).collect();
    prop_assert!(errors.is_empty(), "{errors:#?}");
    for text in [medcom::xml::to_string(doc), medcom::json::to_string(doc)] {
        let again = medcom::parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let errors: Vec<String> = validator
            .iter_errors(&again)
            .map(|f| f.to_string())
            .collect();
        prop_assert!(errors.is_empty(), "{errors:#?}\n{text}");
    }
    Ok(())
}

/// A SOR identifier: 14 random digits and the Verhoeff check digit.
fn sor() -> impl Strategy<Value = String> {
    "[1-9][0-9]{13}".prop_map(|s| {
        (0..10)
            .map(|d| format!("{s}{d}"))
            .find(|c| verhoeff(c))
            .unwrap_or_default()
    })
}

/// A GLN: twelve digits and the GS1 check digit.
fn gln() -> impl Strategy<Value = String> {
    proptest::array::uniform12(0u8..10).prop_map(|d| {
        let check = medcom::dk::gln::check_digit(&d);
        d.iter()
            .chain(std::iter::once(&check))
            .map(|x| char::from(b'0' + x))
            .collect()
    })
}

/// Free text: letters (Danish too), digits, punctuation and XML's special characters.
fn words(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[a-zA-ZæøåÆØÅ0-9 .,;:!?<>&\"'()-]{{1,{max}}}"))
        .unwrap_or_else(|_| unreachable!())
        .prop_map(|s| s.trim().to_owned())
        .prop_filter("not blank", |s| !s.is_empty())
}

fn organization() -> impl Strategy<Value = Organization> {
    (sor(), gln(), proptest::option::of(words(30))).prop_map(|(sor, gln, name)| {
        let o = Organization::new(&sor, &gln);
        match name {
            Some(n) => o.with_name(&n),
            None => o,
        }
    })
}

/// Two organizations with different SOR identifiers.
fn two_organizations() -> impl Strategy<Value = (Organization, Organization)> {
    (organization(), organization()).prop_filter("distinct", |(a, b)| a.sor != b.sor)
}

fn name() -> impl Strategy<Value = PersonName> {
    (
        "[A-ZÆØÅ][a-zæøå]{1,12}",
        proptest::collection::vec("[A-ZÆØÅ][a-zæøå]{1,10}", 1..3),
    )
        .prop_map(|(family, given)| {
            let given: Vec<&str> = given.iter().map(String::as_str).collect();
            PersonName::new(&family, &given)
        })
}

fn date() -> impl Strategy<Value = (u8, u8, u8)> {
    (1u8..=28, 1u8..=12, 0u8..=99)
}

fn identifier() -> impl Strategy<Value = PersonIdentifier> {
    prop_oneof![
        (date(), 0u32..10_000).prop_map(|((d, m, y), n)| {
            PersonIdentifier::Cpr(format!("{d:02}{m:02}{y:02}{n:04}"))
        }),
        (
            date(),
            prop::sample::select(vec![0u8, 1, 5, 6, 7]),
            "[A-Z]{2}",
            0u8..10
        )
            .prop_map(|((d, m, y), form, letters, sex)| {
                PersonIdentifier::ecpr(&format!("{d:02}{m:02}{y:02}{form}{letters}{sex}"))
            }),
    ]
}

fn patient() -> impl Strategy<Value = Patient> {
    (identifier(), name(), "[0-9]{8}").prop_map(|(id, name, phone)| {
        Patient::new(id, name).with_telecom(medcom::messages::Telecom::phone(&phone))
    })
}

fn author(org: Organization) -> impl Strategy<Value = Author> {
    (
        name(),
        prop_oneof![
            prop::sample::select(vec![
                "sygeplejerske",
                "laege",
                "jordemoder",
                "fysioterapeut"
            ])
            .prop_map(Role::sks),
            words(20).prop_map(Role::Text),
        ],
    )
        .prop_map(move |(n, r)| Author::new(n, r, org.clone()))
}

fn time() -> impl Strategy<Value = String> {
    (
        2020u16..2030,
        1u8..=12,
        1u8..=28,
        0u8..24,
        0u8..60,
        prop::bool::ANY,
    )
        .prop_map(|(y, mo, d, h, mi, utc)| {
            let zone = if utc { "Z" } else { "+02:00" };
            format!("{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:00{zone}")
        })
}

fn attachment() -> impl Strategy<Value = Attachment> {
    prop_oneof![
        (
            prop::sample::select(ATTACHMENT_TYPES.to_vec()),
            words(20),
            proptest::collection::vec(any::<u8>(), 1..64),
            proptest::option::of(time()),
        )
            .prop_map(|(ty, title, data, creation)| {
                let a = Attachment::new(ty, &title, &data);
                match creation {
                    Some(c) => a.with_creation(&c),
                    None => a,
                }
            }),
        (words(20), "[a-z]{3,10}")
            .prop_map(|(title, host)| Attachment::link(&title, &format!("https://{host}.dk/x"))),
    ]
}

fn text_segment(org: Organization) -> impl Strategy<Value = Segment> {
    (words(120), author(org), "\\+?[0-9]{8}", time())
        .prop_map(|(text, a, phone, at)| Segment::text(&text, a, &phone, &at))
}

fn attachment_segment(org: Organization) -> impl Strategy<Value = Segment> {
    (attachment(), proptest::option::of(author(org)), time()).prop_map(|(att, a, at)| {
        let s = Segment::attachment(att, &at);
        match a {
            Some(a) => s.with_author(a, Some("38683868")),
            None => s,
        }
    })
}

fn uuid() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
}

/// A valid CareCommunication: any category, a topic when `other` needs one, a priority only
/// with `regarding-referral`, one to three text segments and up to two attachments.
fn care_communication() -> impl Strategy<Value = CareCommunication> {
    two_organizations().prop_flat_map(|(sender, receiver)| {
        (
            Just(sender.clone()),
            Just(receiver),
            patient(),
            prop::sample::select(Category::ALL.to_vec()),
            proptest::option::of(words(40)),
            proptest::option::of(prop::sample::select(vec![
                Priority::Routine,
                Priority::Asap,
            ])),
            proptest::option::of(uuid()),
            proptest::collection::vec(text_segment(sender.clone()), 1..4),
            proptest::collection::vec(attachment_segment(sender.clone()), 0..3),
            proptest::option::of(author(sender)),
            proptest::option::of(words(20)),
        )
            .prop_map(
                |(
                    sender,
                    receiver,
                    patient,
                    category,
                    topic,
                    priority,
                    episode,
                    texts,
                    attachments,
                    specific,
                    team,
                )| {
                    let mut m =
                        CareCommunication::new(sender.clone(), receiver.clone(), patient, category);
                    m.topic = match (category, topic) {
                        (Category::Other, None) => Some("Andet".to_owned()),
                        (_, t) => t,
                    };
                    if category == Category::RegardingReferral {
                        m.priority = priority;
                    }
                    m.episode_of_care = episode.map(|e| EpisodeOfCare::local(&sender.sor, &e));
                    m.specific_sender = specific.map(Party::Practitioner);
                    m.recipient = team.map(|t| Party::CareTeam(CareTeam::new(&t, receiver)));
                    m.segments = texts.into_iter().chain(attachments).collect();
                    m
                },
            )
    })
}

/// What the read view gives back for a message built from `m`: identifiers filled in, each
/// segment's assigner defaulted.
fn as_read(m: &CareCommunication, read: &CareCommunication) -> CareCommunication {
    let mut expected = m.clone();
    expected.thread.clone_from(&read.thread);
    for (s, r) in expected.segments.iter_mut().zip(&read.segments) {
        s.identifier.clone_from(&r.identifier);
        if s.assigner.is_none() {
            s.assigner = Some(m.sender.clone());
        }
    }
    expected
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn care_communications_are_valid_and_read_back(m in care_communication()) {
        let doc = m.build(&Context::new()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        assert_valid(&doc)?;
        let read = CareCommunication::read(&doc).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&read, &as_read(&m, &read));
        // Both formats read back to the same data.
        for text in [medcom::xml::to_string(&doc), medcom::json::to_string(&doc)] {
            let again = medcom::parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&CareCommunication::read(&again).map_err(|e| TestCaseError::fail(e.to_string()))?, &read);
        }
    }

    #[test]
    fn replies_and_forwards_are_valid(
        m in care_communication(),
        words in words(60),
        to in organization(),
        forward in prop::bool::ANY,
    ) {
        let ctx = Context::new();
        let first = m.build(&ctx).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (answer, writer) = if forward && to.sor != m.sender.sor && to.sor != m.receiver.sor {
            (CareCommunication::forward(&first, to), m.receiver.clone())
        } else {
            (CareCommunication::reply(&first), m.receiver.clone())
        };
        let a = Author::new(PersonName::new("Svar", &["Sara"]), Role::sks("laege"), writer);
        let answer = answer
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .with_segment(Segment::text(&words, a, "12345678", "2031-01-01T00:00:00Z"));
        let doc = answer.build(&ctx).map_err(|e| TestCaseError::fail(e.to_string()))?;
        assert_valid(&doc)?;
        let read = CareCommunication::read(&doc).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(read.history.len(), 1);
        prop_assert_eq!(read.segments.len(), m.segments.len() + 1);
    }

    #[test]
    fn acknowledgements_are_valid_and_read_back(
        m in care_communication(),
        code in prop::sample::select(vec![ResponseCode::Ok, ResponseCode::TransientError, ResponseCode::FatalError]),
        codes in proptest::collection::vec(
            prop::sample::select(MEDCOM_ERROR_CODES.iter().chain(HL7_ERROR_CODES.iter()).copied().collect::<Vec<_>>()),
            1..4,
        ),
        diagnostics in proptest::option::of(words(60)),
    ) {
        let ctx = Context::new();
        let received = m.build(&ctx).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut ack = Acknowledgement::for_message(&received)
            .map_err(|e| TestCaseError::fail(e.to_string()))?
            .with_code(code);
        if code != ResponseCode::Ok {
            for c in &codes {
                let issue = AckIssue::error(c);
                ack = ack.with_issue(match &diagnostics {
                    Some(d) => issue.with_diagnostics(d),
                    None => issue,
                });
            }
        }
        let doc = ack.build(&ctx).map_err(|e| TestCaseError::fail(e.to_string()))?;
        assert_valid(&doc)?;
        let read = Acknowledgement::read(&doc).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&read, &ack);
        prop_assert_eq!(MessageInfo::read(&doc).map_err(|e| TestCaseError::fail(e.to_string()))?.provenances.len(), 2);
    }

    #[test]
    fn empty_messages_are_valid_and_read_back(
        (sender, receiver) in two_organizations(),
        cc in proptest::collection::vec(organization(), 0..3),
    ) {
        let mut m = EmptyMessage::new(sender, receiver);
        for c in cc {
            if c.sor != m.sender.sor && c.sor != m.receiver.sor && m.cc.iter().all(|x| x.sor != c.sor) {
                m = m.with_cc(c);
            }
        }
        let doc = m.build(&Context::new()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        assert_valid(&doc)?;
        prop_assert_eq!(EmptyMessage::read(&doc).map_err(|e| TestCaseError::fail(e.to_string()))?, m);
    }
}

#[test]
fn a_fixed_context_reproduces_the_bytes() {
    let sender = Organization::new("265161000016000", "5790000209354");
    let receiver = Organization::new("953741000016009", "5790001348120");
    let a = EmptyMessage::new(sender.clone(), receiver.clone())
        .build(&Context::fixed(1_700_000_000))
        .expect("builds");
    let b = EmptyMessage::new(sender, receiver)
        .build(&Context::fixed(1_700_000_000))
        .expect("builds");
    assert_eq!(medcom::json::to_string(&a), medcom::json::to_string(&b));
}
