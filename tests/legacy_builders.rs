//! Builders for XDIS01, XDIS91 and XREF01 with arbitrary valid inputs (proptest): every built
//! message writes and reads back as XML unchanged; XDIS01 and XDIS91 also go through EDIFACT
//! and back unchanged. Forbidden values are typed errors naming the field.

use medcom::finding::Severity;
use medcom::legacy::letters::*;
use medcom::legacy::oioxml::{self, AcknowledgementCode};
use medcom::legacy::{convert, edifact, schema};
use proptest::prelude::*;

/// Text in ISO 8859-1 without control characters, EDIFACT service characters included.
const TEXT: &str = "[a-zA-Z0-9 æøåÆØÅé?:+'.,;\\\\/<&\"-]";

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("{TEXT}{{1,{max}}}")).expect("test input")
}

fn opt(max: usize) -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text(max))
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (1970u32..2070, 1u32..13, 1u32..29, 0u32..24, 0u32..60).prop_map(|(y, m, d, h, mi)| {
        DateTime::new(&format!("{y:04}-{m:02}-{d:02}"), &format!("{h:02}:{mi:02}"))
            .expect("test input")
    })
}

fn address() -> impl Strategy<Value = Address> {
    (opt(35), opt(35), opt(35), proptest::option::of("[0-9]{4}")).prop_map(
        |(street, suburb, district, post_code)| Address {
            street,
            suburb,
            district,
            post_code,
        },
    )
}

fn party() -> impl Strategy<Value = Party> {
    (
        "[0-9]{13}",
        "[0-9]{6,7}",
        prop_oneof![
            Just(IdentifierKind::HospitalDepartment),
            Just(IdentifierKind::Provider),
            Just(IdentifierKind::Location),
            Just(IdentifierKind::Municipality),
            Just(IdentifierKind::Sor),
        ],
        text(35),
        opt(35),
        opt(35),
        address(),
    )
        .prop_map(
            |(ean, identifier, identifier_kind, organisation, department, unit, address)| Party {
                ean,
                identifier,
                identifier_kind,
                organisation,
                department,
                unit,
                address,
            },
        )
}

fn patient() -> impl Strategy<Value = Patient> {
    (
        prop_oneof![
            "[0-9]{10}".prop_map(PatientIdentifier::Cpr),
            "[0-9]{6}[A-Z]{2}[0-9]{2}".prop_map(PatientIdentifier::Alternative),
        ],
        text(35),
        opt(35),
        address(),
        prop_oneof![
            Just(EpisodeStatus::Inactive),
            Just(EpisodeStatus::Admitted),
            Just(EpisodeStatus::Outpatient),
            Just(EpisodeStatus::Dead),
            Just(EpisodeStatus::OutpatientRadiology),
        ],
    )
        .prop_map(
            |(identifier, surname, given_name, address, episode)| Patient {
                identifier,
                surname,
                given_name,
                address,
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
        any::<bool>(),
        proptest::option::of("[a-f0-9]{1,35}"),
    )
        .prop_map(
            |(env, sent, plus, letter, authorised, corrected, episode)| Header {
                envelope_identifier: env,
                sent,
                acknowledgement: if plus {
                    AcknowledgementCode::PlusPositive
                } else {
                    AcknowledgementCode::MinusPositive
                },
                letter_identifier: letter,
                authorised,
                corrected,
                episode_identifier: episode,
            },
        )
}

/// Clinical text: lines of any length (also over 70 characters and empty), never `.` alone or
/// ending in `\`.
fn lines() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(
        proptest::string::string_regex(&format!("({TEXT}{{0,150}}[a-z])?")).expect("test input"),
        1..8,
    )
}

fn referrer() -> impl Strategy<Value = Referrer> {
    (text(35), opt(35)).prop_map(|(name, title)| Referrer { name, title })
}

fn diagnosis() -> impl Strategy<Value = Diagnosis> {
    ("D[A-Z][0-9]{2,4}", text(60)).prop_map(|(code, text)| Diagnosis { code, text })
}

/// XML → EDIFACT bytes → EDIFACT → XML, equal; and XML text round trip.
fn round_trip(xml: &oioxml::Element) {
    let back = oioxml::read(oioxml::to_string(xml).as_bytes()).expect("test input");
    assert_eq!(oioxml::infoset_difference(xml, &back), None);
    let back = oioxml::read(&oioxml::to_latin1(xml)).expect("test input");
    assert_eq!(oioxml::infoset_difference(xml, &back), None);
    let interchange = convert::to_edifact(xml).expect("test input");
    let bytes = edifact::write(&interchange).expect("test input");
    let read = edifact::read(&bytes).expect("test input");
    assert_eq!(read, interchange);
    let again = convert::to_oioxml(&read).expect("test input");
    assert_eq!(
        oioxml::infoset_difference(xml, &again),
        None,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn discharge_letters_round_trip(
        h in header(), s in party(), r in party(), cc in proptest::option::of(party()), p in patient(),
        phone in proptest::option::of("[0-9]{8}"), adm in proptest::option::of(date_time()),
        dis in proptest::option::of(date_time()), main in proptest::option::of(diagnosis()),
        more in proptest::collection::vec(diagnosis(), 0..3), t in lines(), spec in any::<bool>(),
    ) {
        let mut b = DischargeLetterBuilder::new(h, s, r, p, t.clone());
        if let Some(cc) = cc { b = b.with_cc_receiver(cc); }
        if let Some(phone) = phone { b = b.with_sender_phone(&phone); }
        if let Some(a) = adm { b = b.with_admission(a); }
        if let Some(d) = dis { b = b.with_discharge(d); }
        if let Some(m) = main { b = b.with_main_diagnosis(m); }
        for d in more { b = b.with_additional_diagnosis(d); }
        if spec { b = b.with_speciality("kirurgi_sygehus"); }
        let xml = b.build().unwrap();
        prop_assert_eq!(DischargeLetter::new(&xml).unwrap().clinical_text(), t);
        round_trip(&xml);
    }

    #[test]
    fn clinical_emails_round_trip(
        h in header(), s in party(), r in party(), p in patient(), t in lines(),
        subject in opt(70), high in proptest::option::of(any::<bool>()),
    ) {
        let mut b = ClinicalEmailBuilder::new(h, s, r, p, t.clone()).with_speciality("almen_medicin");
        if let Some(s) = &subject { b = b.with_subject(s); }
        if let Some(high) = high { b = b.with_priority(if high { Priority::High } else { Priority::Routine }); }
        let xml = b.build().unwrap();
        let view = ClinicalEmail::new(&xml).unwrap();
        prop_assert_eq!(view.subject(), subject.as_deref());
        prop_assert_eq!(view.clinical_text(), t);
        round_trip(&xml);
    }

    #[test]
    fn hospital_referrals_round_trip(
        h in header(), s in party(), r in party(), p in patient(), d in proptest::option::of(diagnosis()),
        referrer in referrer(),
        a in proptest::option::of(lines()),
    ) {
        let mut b = HospitalReferralBuilder::new(h, s, referrer, r, p);
        if let Some(d) = &d { b = b.with_diagnosis(d.clone()); }
        if let Some(a) = &a { b = b.with_anamnesis(a.clone()); }
        let xml = b.build().unwrap();
        let view = HospitalReferral::new(&xml).unwrap();
        prop_assert_eq!(view.diagnosis_code(), d.as_ref().map(|d| d.code.as_str()));
        prop_assert_eq!(view.anamnesis(), a.unwrap_or_default());
        round_trip(&xml);
    }
}

/// Schema errors of a built message (written as XML text, read back by the validator).
fn schema_errors(xml: &oioxml::Element) -> Vec<String> {
    let text = oioxml::to_string(xml);
    let doc = schema::parse(&text).expect("written XML parses");
    schema::validate_schema(&doc)
        .into_iter()
        .filter(|f| f.severity() == Severity::Error)
        .map(|f| format!("{} {}: {}", f.code(), f.location(), f.message()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn built_letters_validate_against_their_schema(
        h in header(), s in party(), r in party(), cc in proptest::option::of(party()), p in patient(),
        adm in proptest::option::of(date_time()), main in proptest::option::of(diagnosis()),
        t in lines(), subject in opt(70), a in proptest::option::of(lines()), referrer in referrer(),
    ) {
        let mut d = DischargeLetterBuilder::new(h.clone(), s.clone(), r.clone(), p.clone(), t.clone());
        if let Some(cc) = cc { d = d.with_cc_receiver(cc); }
        if let Some(a) = adm { d = d.with_admission(a); }
        if let Some(m) = main.clone() { d = d.with_main_diagnosis(m); }
        let xml = d.build().unwrap();
        prop_assert_eq!(schema_errors(&xml), Vec::<String>::new());
        let mut e = ClinicalEmailBuilder::new(h.clone(), s.clone(), r.clone(), p.clone(), t);
        if let Some(s) = &subject { e = e.with_subject(s); }
        let xml = e.build().unwrap();
        prop_assert_eq!(schema_errors(&xml), Vec::<String>::new());
        let mut f = HospitalReferralBuilder::new(h, s, referrer, r, p);
        if let Some(m) = main { f = f.with_diagnosis(m); }
        if let Some(a) = a { f = f.with_anamnesis(a); }
        let xml = f.build().unwrap();
        prop_assert_eq!(schema_errors(&xml), Vec::<String>::new());
    }
}

/// (field that must be named, why it is forbidden)
#[test]
fn forbidden_values_are_typed_errors() {
    let at = DateTime::new("2024-05-01", "10:00").unwrap();
    let party = Party {
        ean: "5790000120420".into(),
        identifier: "079741".into(),
        identifier_kind: IdentifierKind::Provider,
        organisation: "Lægehuset".into(),
        department: None,
        unit: None,
        address: Address::default(),
    };
    let header = Header {
        envelope_identifier: "K1".into(),
        sent: at.clone(),
        acknowledgement: AcknowledgementCode::MinusPositive,
        letter_identifier: "B1".into(),
        authorised: at,
        corrected: false,
        episode_identifier: None,
    };
    let patient = Patient {
        identifier: PatientIdentifier::Cpr("0101010000".into()),
        surname: "Hansen".into(),
        given_name: None,
        address: Address::default(),
        episode: EpisodeStatus::Inactive,
    };
    let build = |h: &Header, s: &Party, p: &Patient, t: Vec<String>| {
        DischargeLetterBuilder::new(h.clone(), s.clone(), s.clone(), p.clone(), t).build()
    };
    let ok = vec!["Tekst".to_owned()];
    let cases: Vec<(&str, Result<_, _>)> = vec![
        (
            "invalid Envelope/Identifier: is too long",
            build(
                &Header {
                    envelope_identifier: "123456789012345".into(),
                    ..header.clone()
                },
                &party,
                &patient,
                ok.clone(),
            ),
        ),
        (
            "invalid CivilRegistrationNumber: expected ten digits",
            build(
                &header,
                &party,
                &Patient {
                    identifier: PatientIdentifier::Cpr("12345".into()),
                    ..patient.clone()
                },
                ok.clone(),
            ),
        ),
        (
            "invalid OrganisationName: holds a character outside ISO 8859-1 or a control character",
            build(
                &header,
                &Party {
                    organisation: "€".into(),
                    ..party.clone()
                },
                &patient,
                ok.clone(),
            ),
        ),
        (
            "invalid PostCodeIdentifier: expected 1 to 4 digits",
            build(
                &header,
                &Party {
                    address: Address {
                        post_code: Some("DK-3400".into()),
                        ..Address::default()
                    },
                    ..party.clone()
                },
                &patient,
                ok.clone(),
            ),
        ),
        (
            "invalid ClinicalInformation/Text01: a line may not be '.' alone or end with '\\'",
            build(&header, &party, &patient, vec!["a\\".into()]),
        ),
        (
            "invalid ClinicalInformation/Text01: must hold at least one line",
            build(&header, &party, &patient, vec![]),
        ),
        (
            "invalid DepartmentName: must not be empty",
            build(
                &header,
                &Party {
                    department: Some(String::new()),
                    ..party.clone()
                },
                &patient,
                ok.clone(),
            ),
        ),
    ];
    for (message, result) in cases {
        assert_eq!(result.unwrap_err().to_string(), message);
    }
    let err = DischargeLetterBuilder::new(header, party.clone(), party, patient, ok)
        .with_speciality("astrologi")
        .build()
        .unwrap_err();
    assert_eq!(err.kind().code(), "unknown-code");
}
