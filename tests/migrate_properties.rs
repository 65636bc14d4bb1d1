//! The migration bridge on generated XDIS91 letters (proptest): letter → CareCommunication →
//! letter keeps every mapped field (`common::letters::mapped_fields`: envelope time, parties,
//! patient, episode, subject, priority, texts, references); the FHIR message validates without
//! errors, the letter back validates, and converting twice gives the same message.

mod common;

use std::sync::LazyLock;

use common::letters;
use medcom::finding::Severity;
use medcom::legacy::letters::*;
use medcom::legacy::oioxml::{self, AcknowledgementCode};
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

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

        let fhir = migrate::letter_to_fhir(&letter, &*BOOK).expect("converts");
        let json = medcom::json::to_string(&fhir.value);
        let again = migrate::letter_to_fhir(&letter, &*BOOK).expect("converts");
        prop_assert_eq!(&json, &medcom::json::to_string(&again.value));
        let report = VALIDATOR.report(&fhir.value);
        prop_assert!(errors(&report).is_empty(), "{:#?}\n{}", errors(&report), json);

        prop_assert!(fhir.findings.iter().all(|f| f.severity() == Severity::Information));

        let doc = medcom::parse(&json).expect("the message reads");
        let back = migrate::fhir_to_letter(&doc, &*BOOK).expect("converts back").value;
        let text = oioxml::to_string(&back);
        let report = medcom::validate_bytes(text.as_bytes());
        prop_assert!(report.is_valid(), "{:#?}\n{}", errors(&report), text);
        let diff = letters::differences(&letter, &back);
        prop_assert!(diff.is_empty(), "{:#?}\n{}", diff, text);
    }
}
