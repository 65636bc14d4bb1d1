//! HomeCareObservation 1.2.1 builder and read view: arbitrary valid reports are valid
//! for `Validator::new()` in XML and JSON and read back as the same data, for each activity
//! (new, modified, retract); a correction and a retraction point at the previous message; the
//! read view parses every official HomeCareObservation 1.2.x example and a message rebuilt from
//! it validates; builder misuse gives a typed error, one line per forbidden combination.

mod common;

use medcom::finding::Severity;
use medcom::messages::home_care_observation::{
    CodeSystem, Comparator, HomeCareObservation, HomeCareObservationError as E, Observation,
    ObservationCode, ObservationValue, Performer, Quantity, Requester, RequesterContact,
};
use medcom::messages::{
    reply, Activity, BuildError, Context, EntityRole, MessageInfo, Organization, Patient,
    PersonName, Predecessor, PreviousMessage, ResponseCode, Role,
};
use medcom::validate::Validator;
use medcom::Document;
use proptest::prelude::*;

fn team() -> Organization {
    Organization::new("1267041000016006", "5790002757778").with_name("Pleje og Rehabilitering")
}

fn practice() -> Requester {
    Requester::new(
        Organization::new("73091000016008", "5790000147465").with_name("Agerskov lægepraksis"),
        "045861",
        RequesterContact::Initials("SDaA".to_owned()),
    )
}

fn nurse() -> Performer {
    Performer::new(
        PersonName::new("Pedersen", &["John"]),
        Role::sks("sygeplejerske"),
        "+45 05577668",
    )
}

fn glucose() -> Observation {
    Observation::new(
        ObservationCode::npu("NPU22089", "P(kB)—Glucose; stofk. = ? mmol/L"),
        "2025-08-07T14:47:23+02:00",
        ObservationValue::Quantity(Quantity::new("6.8", "mmol/L")),
    )
}

fn report() -> HomeCareObservation {
    HomeCareObservation::new(
        team(),
        practice(),
        Patient::cpr("2509479989", PersonName::new("Elmer", &["Bruno"])),
        nurse(),
        "2025-08-07T15:00:00+02:00",
    )
    .with_observation(glucose())
}

fn errors(doc: &Document<'_>) -> Vec<String> {
    Validator::new()
        .report(doc)
        .findings()
        .iter()
        .filter(|f| f.severity() == Severity::Error)
        .map(|f| format!("{} {}: {}", f.code(), f.location(), f.message()))
        .collect()
}

/// Builds, checks validity as built, as XML and as JSON, and that each reads back as `m`.
fn build_valid(m: &HomeCareObservation, ctx: &Context) -> Document<'static> {
    let doc = m.build(ctx).unwrap_or_else(|e| panic!("{e}: {m:#?}"));
    for (form, text) in [
        ("xml", medcom::xml::to_string(&doc)),
        ("json", medcom::json::to_string(&doc)),
    ] {
        let parsed = medcom::parse(&text).unwrap_or_else(|e| panic!("{form}: {e}"));
        let errs = errors(&parsed);
        assert!(errs.is_empty(), "{form}: {errs:#?}");
        assert_eq!(
            &HomeCareObservation::read(&parsed).expect("read"),
            m,
            "{form}"
        );
    }
    doc
}

/// new → modified → retract: each valid, each pointing at the one before with the right role.
#[test]
fn correction_and_retraction_point_at_the_previous_message() {
    let ctx = Context::fixed(1_754_571_600);
    let first = report().with_conclusion("Blodsukker let forhøjet.");
    let doc = build_valid(&first, &ctx);
    let first_info = MessageInfo::read(&doc).expect("info");
    let mut fix = HomeCareObservation::modify(&doc).expect("modify");
    fix.observations[0].value = ObservationValue::Quantity(
        Quantity::new("7.1", "mmol/L").with_comparator(Comparator::Less),
    );
    let fixed = build_valid(&fix, &ctx);
    let retraction = HomeCareObservation::retract(&fixed).expect("retract");
    let retracted = build_valid(&retraction, &ctx);
    for (doc, activity, role, before) in [
        (
            &fixed,
            Activity::ModifiedMessage,
            EntityRole::Revision,
            &first_info.header_id,
        ),
        (
            &retracted,
            Activity::RetractMessage,
            EntityRole::Removal,
            &MessageInfo::read(&fixed).expect("info").header_id,
        ),
    ] {
        let info = MessageInfo::read(doc).expect("info");
        let ack = reply::acknowledge(doc, ResponseCode::Ok, &ctx).expect("ack");
        assert!(errors(&ack).is_empty(), "{:?}", errors(&ack));
        let own = info.latest().expect("own Provenance");
        assert_eq!(own.activity, activity);
        let link = own.previous.as_ref().expect("link");
        assert_eq!(link.role, role);
        assert_eq!(link.message, PreviousMessage::Header(before.clone()));
    }
}

/// Forbidden combinations: (what, the message, whether the error is the expected one).
type Misuse = (&'static str, HomeCareObservation, fn(&E) -> bool);

#[test]
fn builder_misuse_returns_typed_errors() {
    let with = |f: fn(&mut HomeCareObservation)| {
        let mut m = report();
        f(&mut m);
        m
    };
    let cases: Vec<Misuse> = vec![
        ("no observations", with(|m| m.observations.clear()), |e| {
            matches!(e, E::NoObservations)
        }),
        (
            "activity of another standard",
            with(|m| m.activity = Activity::AdmitInpatient),
            |e| matches!(e, E::NotAnObservationActivity { .. }),
        ),
        (
            "correction without link",
            with(|m| m.activity = Activity::ModifiedMessage),
            |e| matches!(e, E::PredecessorMissing { .. }),
        ),
        (
            "retraction with role revision",
            with(|m| {
                m.activity = Activity::RetractMessage;
                m.previous = Some(Predecessor::revision("x"));
            }),
            |e| matches!(e, E::PredecessorRole { .. }),
        ),
        (
            "correction with role removal",
            with(|m| {
                m.activity = Activity::ModifiedMessage;
                m.previous = Some(Predecessor::removal("x"));
            }),
            |e| matches!(e, E::PredecessorRole { .. }),
        ),
        (
            "performer role as text (medcom-homecareReport-1)",
            with(|m| m.performer.role = Role::Text("Sygeplejerske".into())),
            |e| matches!(e, E::PerformerRoleCode),
        ),
        (
            "performer without name (medcom-homecareReport-2)",
            with(|m| m.performer.name = PersonName::default()),
            |e| matches!(e, E::Build(BuildError::Missing { .. })),
        ),
        (
            "performer without phone (medcom-homecareReport-3)",
            with(|m| m.performer.phone = String::new()),
            |e| matches!(e, E::PerformerPhone { .. }),
        ),
        (
            "performer phone not a number",
            with(|m| m.performer.phone = "call the desk".into()),
            |e| matches!(e, E::PerformerPhone { .. }),
        ),
        (
            "quantity without unit (dk-core-observation-mandatory-units)",
            with(|m| {
                let mut q = Quantity::new("6.8", "mmol/L");
                q.unit = None;
                m.observations[0].value = ObservationValue::Quantity(q);
            }),
            |e| matches!(e, E::UnitMissing { .. }),
        ),
        (
            "quantity value not a decimal",
            with(|m| {
                m.observations[0].value = ObservationValue::Quantity(Quantity::new("6,8", "mmol/L"))
            }),
            |e| matches!(e, E::InvalidDecimal { .. }),
        ),
        (
            "text value longer than 12 characters",
            with(|m| {
                m.observations[0].value = ObservationValue::Text("Negativ, ikke påvist".into())
            }),
            |e| matches!(e, E::ValueTooLong { .. }),
        ),
        (
            "quantity value longer than 12 characters",
            with(|m| {
                m.observations[0].value =
                    ObservationValue::Quantity(Quantity::new("1.00000000000", "mmol/L"))
            }),
            |e| matches!(e, E::ValueTooLong { .. }),
        ),
        (
            "empty text value",
            with(|m| m.observations[0].value = ObservationValue::Text(String::new())),
            |e| matches!(e, E::Empty { .. }),
        ),
        (
            "empty observation code",
            with(|m| m.observations[0].code.code = String::new()),
            |e| matches!(e, E::Empty { .. }),
        ),
        (
            "ydernummer not digits",
            with(|m| m.receiver.ydernummer = "04586A".into()),
            |e| matches!(e, E::InvalidYdernummer { .. }),
        ),
        (
            "empty requester initials (medcom-homecareObservation-4)",
            with(|m| m.receiver.contact = RequesterContact::Initials(String::new())),
            |e| matches!(e, E::Empty { .. }),
        ),
        (
            "effective time without time zone",
            with(|m| m.observations[0].effective = "2025-08-07T14:47:23".into()),
            |e| matches!(e, E::Build(BuildError::InvalidDateTime { .. })),
        ),
        (
            "issued without a time",
            with(|m| m.issued = "2025-08-07".into()),
            |e| matches!(e, E::Build(BuildError::InvalidDateTime { .. })),
        ),
        (
            "receiver without GLN",
            with(|m| m.receiver.organization = Organization::sor_only("73091000016008")),
            |e| matches!(e, E::Build(BuildError::Missing { .. })),
        ),
        (
            "sender with a bad GLN",
            with(|m| m.sender = Organization::new("1267041000016006", "5790002757779")),
            |e| matches!(e, E::Build(BuildError::InvalidGln { .. })),
        ),
    ];
    for (what, m, expected) in cases {
        let err = m.build(&Context::fixed(0)).expect_err(what);
        assert!(expected(&err), "{what}: got {err:?}");
        assert!(!err.to_string().is_empty());
    }
}

/// The official HomeCareObservation 1.2.x examples: the read view parses each, and a message
/// rebuilt from it validates (a Media of the report is not carried).
#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn read_view_parses_official_examples_and_rebuilds_valid_messages() {
    let Some(shared) = common::shared() else {
        return;
    };
    let ctx = Context::fixed(1_754_571_600);
    let (mut read, mut rebuilt) = (0, 0);
    let mut failures = Vec::new();
    for ex in common::examples(&shared) {
        if !ex.message_type.starts_with("HomeCareObservation/")
            || !ex.ig_version.starts_with("1.2.")
            || !ex.validity.starts_with("valid")
        {
            continue;
        }
        let text = common::read(&ex.path);
        let doc = medcom::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", ex.file));
        let m = match HomeCareObservation::read(&doc) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{}: read: {e}", ex.file));
                continue;
            }
        };
        read += 1;
        let named = &ex.message_type["HomeCareObservation/".len()..];
        assert_eq!(m.activity.code(), named, "{}", ex.file);
        match m.build(&ctx) {
            Ok(again) => {
                let errs = errors(&again);
                if errs.is_empty() {
                    assert_eq!(HomeCareObservation::read(&again).expect("read"), m);
                    rebuilt += 1;
                } else {
                    failures.push(format!("{}: rebuilt message: {errs:?}", ex.file));
                }
            }
            Err(e) => failures.push(format!("{}: rebuild: {e}", ex.file)),
        }
    }
    eprintln!("official HomeCareObservation 1.2.x: {read} read, {rebuilt} rebuilt valid");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(read >= 18, "only {read} examples read");
}

// ---- property test ----

fn gln(first12: u64) -> String {
    let digits: Vec<u8> = format!("{first12:012}").bytes().map(|b| b - b'0').collect();
    let mut arr = [0u8; 12];
    arr.copy_from_slice(&digits[..12]);
    format!("{first12:012}{}", medcom::dk::gln::check_digit(&arr))
}

fn organization() -> impl Strategy<Value = Organization> {
    (
        10_000_000_000_000u64..99_999_999_999_999,
        100_000_000_000u64..999_999_999_999,
        "[A-ZÆØÅ][a-zæøå]{2,12}( [A-Z][a-z]{2,10})?",
    )
        .prop_map(|(sor, g, name)| Organization::new(&sor.to_string(), &gln(g)).with_name(&name))
}

fn text() -> impl Strategy<Value = String> {
    "[A-Za-zæøåÆØÅ0-9]([A-Za-zæøåÆØÅ0-9 ,.—?=()]{0,40}[A-Za-z0-9.])?"
}

fn name() -> impl Strategy<Value = PersonName> {
    (
        "[A-ZÆØÅ][a-zæøå]{1,12}",
        proptest::collection::vec("[A-Z][a-zé]{1,10}", 0..3),
    )
        .prop_map(|(family, given)| {
            let given: Vec<&str> = given.iter().map(String::as_str).collect();
            PersonName::new(&family, &given)
        })
}

fn patient() -> impl Strategy<Value = Patient> {
    (
        1u32..=28,
        1u32..=12,
        0u32..=99,
        0u32..=3999,
        name(),
        any::<bool>(),
    )
        .prop_map(|(d, m, y, serial, name, cpr)| {
            if cpr {
                Patient::cpr(&format!("{d:02}{m:02}{y:02}{serial:04}"), name)
            } else {
                // X-eCPR: birth date, then 1 or 7, two letters and a digit.
                let digit = serial % 10;
                Patient::ecpr(&format!("{d:02}{m:02}{y:02}1AB{digit}"), name)
            }
        })
}

fn date_time(seconds: i64, zone: u8) -> String {
    let hours = i64::from(zone % 3);
    let utc = medcom::exchange::clock::date_time(1_577_836_800 + seconds + hours * 3600);
    match hours {
        0 => utc,
        h => format!("{}+{h:02}:00", &utc[..utc.len() - 1]),
    }
}

fn observation() -> impl Strategy<Value = Observation> {
    let system = prop_oneof![
        Just(CodeSystem::Npu),
        Just(CodeSystem::MedCom),
        Just(CodeSystem::Loinc),
        Just(CodeSystem::Snomed),
        Just(CodeSystem::Ieee),
        Just(CodeSystem::Sks),
    ];
    let value = prop_oneof![
        (
            -10_000i64..100_000,
            0u32..3,
            prop::sample::select(vec![
                "mmol/L", "mg/L", "1/min", "mmHg", "°C", "10^9/L", "%", "+"
            ]),
            prop::option::of(prop::sample::select(vec![
                Comparator::Less,
                Comparator::Greater,
                Comparator::LessOrEqual,
                Comparator::GreaterOrEqual
            ])),
            any::<bool>(),
        )
            .prop_map(|(n, scale, unit, comparator, ucum)| {
                let value = match scale {
                    0 => n.to_string(),
                    s => {
                        let d = 10i64.pow(s);
                        let sign = if n < 0 { "-" } else { "" };
                        format!(
                            "{sign}{}.{:0width$}",
                            n.abs() / d,
                            n.abs() % d,
                            width = s as usize
                        )
                    }
                };
                let mut q = Quantity::new(&value, unit);
                q.comparator = comparator;
                if ucum {
                    q = q.with_ucum("1");
                }
                ObservationValue::Quantity(q)
            }),
        "[A-Za-z0-9æøå+]([A-Za-z0-9æøå +]{0,10}[A-Za-z0-9+])?".prop_map(ObservationValue::Text),
    ];
    (
        system,
        "[A-Z]{3}[0-9]{5}",
        text(),
        0i64..10_000_000,
        any::<u8>(),
        value,
        prop::option::of(text()),
    )
        .prop_map(|(system, code, display, at, zone, value, note)| {
            let mut o = Observation::new(
                ObservationCode::new(system, &code, &display),
                &date_time(at, zone),
                value,
            );
            o.note = note;
            o
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any report: valid in XML and JSON, read back as built; its correction and retraction
    /// too.
    #[test]
    fn arbitrary_reports_are_valid(
        sender in organization(),
        gp in organization(),
        ydernummer in "[0-9]{6}",
        initials in prop::option::of("[A-ZÆØÅ]{1,4}"),
        patient in patient(),
        performer_name in name(),
        role in prop::sample::select(vec!["sygeplejerske", "laege", "socialogsundhedsassistent"]),
        phone in "\\+45 [0-9]{8}",
        issued in 0i64..10_000_000,
        zone in any::<u8>(),
        conclusion in prop::option::of(text()),
        observations in proptest::collection::vec(observation(), 1..6),
        follow in 0u8..3,
    ) {
        prop_assume!(sender.sor != gp.sor);
        let contact = initials.map_or(RequesterContact::NotKnown, RequesterContact::Initials);
        let mut m = HomeCareObservation::new(
            sender,
            Requester::new(gp, &ydernummer, contact),
            patient,
            Performer::new(performer_name, Role::sks(role), &phone),
            &date_time(issued, zone),
        );
        m.conclusion = conclusion;
        m.observations = observations;
        let ctx = Context::fixed(1_754_571_600);
        let doc = build_valid(&m, &ctx);
        match follow {
            0 => {}
            1 => { build_valid(&HomeCareObservation::modify(&doc).expect("modify"), &ctx); }
            _ => { build_valid(&HomeCareObservation::retract(&doc).expect("retract"), &ctx); }
        }
    }
}
