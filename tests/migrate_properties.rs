//! The migration bridge on generated letters (proptest): an XDIS91 letter → CareCommunication →
//! letter keeps every mapped field (`common::letters::mapped_fields`: envelope time, parties,
//! patient, episode, subject, priority, texts, references); so does an XDIS20/XDIS17
//! notification → HospitalNotification → notification (parties, patient, status, the admission or
//! discharge time, the stay's identifier), and a receipt (XCTL02, XCTL03) → Acknowledgement →
//! receipt (parties, the original envelope and letters, refusal codes and texts); the FHIR message validates without errors, the letter back validates, and
//! converting twice gives the same message.

mod common;

use std::sync::LazyLock;

use common::letters;
use medcom::finding::Severity;
use medcom::legacy::letters::*;
use medcom::legacy::oioxml::{self, AcknowledgementCode};
use medcom::legacy::receipt::{self, Original, ReceiptKind, ReceiptOptions, Refusal, RefuseCode};
use medcom::migrate::{self, CsvAddressBook};
use proptest::prelude::*;

/// Text in ISO 8859-1 without control characters, XML and EDIFACT service characters included.
const TEXT: &str = "[a-zA-Z0-9 æøåÆØÅé?:+'.,;/<&\"-]";

/// TEST DATA: three parties (a letter's sender and receiver are two of them) with made-up SOR codes and valid GS1 check digits.
const LOCATIONS: [&str; 3] = ["5790000121526", "5790001348120", "5790000120314"];

static BOOK: LazyLock<CsvAddressBook> = LazyLock::new(|| {
    CsvAddressBook::from_csv(&letters::address_book_csv(LOCATIONS)).expect("test address book")
});

static VALIDATOR: LazyLock<medcom::validate::Validator> =
    LazyLock::new(medcom::validate::Validator::new);

/// Text with a letter at both ends (FHIR strings carry no edge whitespace).
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[a-zæ]({TEXT}{{0,{}}}[a-z0-9])?", max - 2))
        .expect("test input")
}

fn opt(max: usize) -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text(max))
}

/// A Danish local time that exists: the hour from 02:00 is skipped on the spring-forward
/// Sunday, so no day's 02:xx is generated.
fn date_time() -> impl Strategy<Value = DateTime> {
    (
        1970u32..2070,
        1u32..13,
        1u32..29,
        prop_oneof![0u32..2, 3u32..24],
        0u32..60,
    )
        .prop_map(|(y, m, d, h, mi)| {
            DateTime::new(&format!("{y:04}-{m:02}-{d:02}"), &format!("{h:02}:{mi:02}"))
                .expect("test input")
        })
}

fn party(ean: &'static str) -> impl Strategy<Value = Party> {
    (
        Just(ean),
        "[1-9][0-9]{5,6}",
        prop_oneof![
            Just(IdentifierKind::HospitalDepartment),
            Just(IdentifierKind::Provider),
            Just(IdentifierKind::Municipality),
            Just(IdentifierKind::Location),
        ],
        text(35),
        proptest::option::of((text(35), opt(35))),
    )
        .prop_map(|(ean, identifier, kind, organisation, names)| {
            // A location number as Identifier is the party's own.
            let identifier = if kind == IdentifierKind::Location {
                ean.to_owned()
            } else {
                identifier
            };
            let (department, unit) = match names {
                Some((d, u)) => (Some(d), u),
                None => (None, None),
            };
            Party {
                ean: ean.to_owned(),
                identifier,
                identifier_kind: kind,
                organisation,
                department,
                unit,
                address: Address::default(),
            }
        })
}

fn patient() -> impl Strategy<Value = Patient> {
    (
        prop_oneof![
            "(0[1-9]|1[0-9]|2[0-8])(0[1-9]|1[0-2])[0-9]{6}".prop_map(PatientIdentifier::Cpr),
            "(0[1-9]|1[0-9]|2[0-8])(0[1-9]|1[0-2])[0-9]{2}[01567][A-Z]{2}[0-9]"
                .prop_map(PatientIdentifier::Alternative),
        ],
        text(35),
        opt(35),
        (opt(35), opt(35), proptest::option::of("[1-9][0-9]{3}")),
        prop_oneof![
            Just(EpisodeStatus::Inactive),
            Just(EpisodeStatus::Admitted),
            Just(EpisodeStatus::Outpatient),
            Just(EpisodeStatus::Dead),
            Just(EpisodeStatus::OutpatientRadiology),
        ],
    )
        .prop_map(
            |(identifier, surname, given_name, (street, district, post_code), episode)| Patient {
                identifier,
                surname,
                given_name,
                address: Address {
                    street,
                    suburb: None,
                    district,
                    post_code,
                },
                episode,
            },
        )
}

fn header() -> impl Strategy<Value = Header> {
    (
        "[A-Za-z0-9]{1,14}",
        date_time(),
        any::<bool>(),
        "[A-Za-z0-9]{1,14}",
        date_time(),
        proptest::option::of("[a-f0-9]{1,35}"),
    )
        .prop_map(
            |(envelope, sent, plus, letter, authorised, episode)| Header {
                envelope_identifier: envelope,
                sent,
                acknowledgement: if plus {
                    AcknowledgementCode::PlusPositive
                } else {
                    AcknowledgementCode::MinusPositive
                },
                letter_identifier: letter,
                authorised,
                corrected: false,
                episode_identifier: episode,
            },
        )
}

/// A block of clinical text: lines of any length, empty lines between.
fn lines() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(prop_oneof![3 => text(150), 1 => Just(String::new())], 1..6)
        .prop_filter("text with content", |l| l.iter().any(|l| !l.is_empty()))
}

fn reference() -> impl Strategy<Value = (String, String)> {
    (text(70), "https://[a-z]{1,20}\\.dk/[a-z0-9/]{1,40}")
}

fn errors(report: &medcom::validate::Report) -> Vec<String> {
    report
        .findings()
        .iter()
        .filter(|f| f.severity() == Severity::Error)
        .map(|f| format!("{} {} {}", f.code(), f.location(), f.message()))
        .collect()
}

fn refuse_code() -> impl Strategy<Value = RefuseCode> {
    prop_oneof![
        Just(RefuseCode::Unspecified),
        Just(RefuseCode::UnknownLocationNumber),
        Just(RefuseCode::ReceiverIdentifier),
        Just(RefuseCode::Version),
        Just(RefuseCode::Syntax),
    ]
}

/// Letter → FHIR (twice, the same; valid) → letter (valid, every mapped field kept).
fn round_trip(letter: &oioxml::Element) -> Result<(), TestCaseError> {
    let fhir = migrate::letter_to_fhir(letter, &*BOOK).expect("converts");
    let json = medcom::json::to_string(&fhir.value);
    let again = migrate::letter_to_fhir(letter, &*BOOK).expect("converts");
    prop_assert_eq!(&json, &medcom::json::to_string(&again.value));
    let report = VALIDATOR.report(&fhir.value);
    prop_assert!(
        errors(&report).is_empty(),
        "{:#?}\n{}",
        errors(&report),
        json
    );
    prop_assert!(fhir
        .findings
        .iter()
        .all(|f| f.severity() == Severity::Information));

    let doc = medcom::parse(&json).expect("the message reads");
    let back = migrate::fhir_to_letter(&doc, &*BOOK)
        .expect("converts back")
        .value;
    let text = oioxml::to_string(&back);
    let report = medcom::validate_bytes(text.as_bytes());
    prop_assert!(report.is_valid(), "{:#?}\n{}", errors(&report), text);
    let diff = letters::differences(letter, &back);
    prop_assert!(diff.is_empty(), "{:#?}\n{}", diff, text);
    Ok(())
}

/// Text for XML content.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

/// A party element: location number, identifier and its code, names.
fn party_xml(p: &Party) -> String {
    let mut x = format!(
        "<EANIdentifier>{}</EANIdentifier><Identifier>{}</Identifier><IdentifierCode>{}</IdentifierCode><OrganisationName>{}</OrganisationName>",
        p.ean,
        p.identifier,
        p.identifier_kind.code(),
        escape(&p.organisation)
    );
    if let Some(d) = &p.department {
        x.push_str(&format!("<DepartmentName>{}</DepartmentName>", escape(d)));
    }
    if let Some(u) = &p.unit {
        x.push_str(&format!("<UnitName>{}</UnitName>", escape(u)));
    }
    x
}

/// An XDIS20 (admission) or XDIS17 (discharge) notification, written as the 2005 schema has it
/// (there is no builder for notifications).
#[allow(clippy::too_many_arguments)]
fn notification(
    admission: bool,
    h: &Header,
    notification_id: &str,
    sender: &Party,
    receiver: &Party,
    cpr: &str,
    status: &str,
    at: &DateTime,
) -> oioxml::Element {
    let (root, version, code, event) = if admission {
        ("NotificationOfAdmission", "XD2030C", "XDIS20", "Admission")
    } else {
        ("NotificationOfDischarge", "XD1730C", "XDIS17", "Discharge")
    };
    let ack = if h.acknowledgement == AcknowledgementCode::PlusPositive {
        "pluspositivkvitt"
    } else {
        "minuspositivkvitt"
    };
    let xml = format!(
        r#"<Emessage xmlns="http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/"><Envelope><Sent><Date>{}</Date><Time>{}</Time></Sent><Identifier>{}</Identifier><AcknowledgementCode>{ack}</AcknowledgementCode></Envelope><{root}><Letter><Identifier>{}</Identifier><VersionCode>{version}</VersionCode><StatisticalCode>{code}</StatisticalCode><Authorisation><Date>{}</Date><TimeWithSec>{}:00</TimeWithSec></Authorisation><TypeCode>{code}</TypeCode><StatusCode>nytbrev</StatusCode><NotificationIdentifier>{notification_id}</NotificationIdentifier></Letter><Sender>{}<AnswerTo><EANIdentifier>{}</EANIdentifier></AnswerTo></Sender><Receiver>{}</Receiver><Patient><CivilRegistrationNumber>{cpr}</CivilRegistrationNumber><EpisodeOfCareStatusCode>{status}</EpisodeOfCareStatusCode></Patient><{event}><Date>{}</Date><Time>{}</Time></{event}></{root}></Emessage>"#,
        h.sent.date(),
        h.sent.time(),
        h.envelope_identifier,
        h.letter_identifier,
        h.authorised.date(),
        h.authorised.time(),
        party_xml(sender),
        sender.ean,
        party_xml(receiver),
        at.date(),
        at.time(),
    );
    oioxml::read(xml.as_bytes()).expect("test input")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn notifications_survive_the_round_trip_through_fhir(
        (s, r) in (0usize..3, 1usize..3)
            .prop_flat_map(|(s, k)| (party(LOCATIONS[s]), party(LOCATIONS[(s + k) % 3]))),
        h in header(), notification_id in "[A-Za-z0-9]{1,14}",
        cpr in "(0[1-9]|1[0-9]|2[0-8])(0[1-9]|1[0-2])[0-9]{6}",
        // The statuses each schema allows.
        (admission, status) in prop_oneof![
            proptest::sample::select(vec!["indlagt", "doed"]).prop_map(|s| (true, s)),
            proptest::sample::select(vec![
                "doed", "udskrevet_til_hjemmet", "udskrevet_til_andet", "flyttet_til_sygehusafd",
                "uoplyst", "flyttet_til_sygehus",
            ])
            .prop_map(|s| (false, s)),
        ],
        at in date_time(),
    ) {
        // A notification's receiver has no department or unit.
        let r = Party { department: None, unit: None, ..r };
        let letter = notification(admission, &h, &notification_id, &s, &r, &cpr, status, &at);
        let report = medcom::validate_bytes(oioxml::to_string(&letter).as_bytes());
        prop_assert!(report.is_valid(), "{:#?}", errors(&report));
        round_trip(&letter)?;
    }

    #[test]
    fn receipts_survive_the_round_trip_through_fhir(
        (s, r) in (0usize..3, 1usize..3).prop_map(|(s, k)| (LOCATIONS[s], LOCATIONS[(s + k) % 3])),
        envelope in "[A-Za-z0-9]{1,14}",
        letters in proptest::collection::vec(
            ("[A-Za-z0-9]{1,12}", proptest::sample::select(vec!["XD9134L", "XD2030C", "XD1730C", "XD0134L", "XH0131R"])),
            1..4,
        ),
        plus in any::<bool>(),
        refusals in proptest::option::of(proptest::collection::vec(
            (proptest::option::of(0usize..3), refuse_code(), prop_oneof![Just(String::new()), text(70)]),
            1..3,
        )),
        (id, letter_id, at) in ("[A-Za-z0-9]{1,14}", "[A-Za-z0-9]{1,14}", date_time()),
    ) {
        // Letter identifiers are unique in an envelope.
        let letters: Vec<(String, String)> = letters
            .into_iter()
            .enumerate()
            .map(|(i, (l, v))| (format!("{l}{i}"), v.to_owned()))
            .collect();
        let original = Original {
            envelope,
            sender: s.to_owned(),
            receiver: r.to_owned(),
            letters: letters.clone(),
            acknowledgement: if plus { AcknowledgementCode::PlusPositive } else { AcknowledgementCode::MinusPositive },
        };
        let refusals: Vec<Refusal> = refusals
            .unwrap_or_default()
            .into_iter()
            .map(|(letter, code, text)| Refusal {
                letter: letter.and_then(|i| letters.get(i)).map(|(l, _)| l.clone()),
                code,
                text,
            })
            .collect();
        let kind = if refusals.is_empty() { ReceiptKind::Positive } else { ReceiptKind::Negative };
        let options = ReceiptOptions::new(&id, &letter_id, at.date(), at.time());
        let receipt = receipt::build(&original, kind, &refusals, &options);
        round_trip(&receipt)?;
    }

    #[test]
    fn clinical_emails_survive_the_round_trip_through_fhir(
        (s, r) in (0usize..3, 1usize..3)
            .prop_flat_map(|(s, k)| (party(LOCATIONS[s]), party(LOCATIONS[(s + k) % 3]))),
        h in header(), p in patient(), first in lines(),
        more in proptest::collection::vec(lines(), 0..3),
        references in proptest::collection::vec(reference(), 0..3),
        subject in opt(70), priority in proptest::option::of(any::<bool>()),
    ) {
        let mut b = ClinicalEmailBuilder::new(h, s, r, p, first);
        for m in more { b = b.with_more_text(m); }
        for (d, u) in &references { b = b.with_reference(d, u); }
        if let Some(s) = &subject { b = b.with_subject(s); }
        if let Some(high) = priority {
            b = b.with_priority(if high { Priority::High } else { Priority::Routine });
        }
        let letter = b.build().expect("test input");
        round_trip(&letter)?;
    }
}
