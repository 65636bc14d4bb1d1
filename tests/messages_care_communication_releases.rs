//! CareCommunication 4.0 beside 5.0: builders write 5.0.2 by default and 4.0.3 on request, each
//! validated on its own stack; replies and forwards stay in the received message's release;
//! the typed view reads the official 4.0.x examples; `ack` answers a 4.0.x message; `validate
//! --stack` forces a stack.

mod common;

use medcom::finding::Severity;
use medcom::messages::{
    reply, Author, BuildError, CareCommunication, CareCommunicationRelease, Category, Context,
    MessageInfo, Patient, PersonName, ResponseCode, Role, Segment,
};
use medcom::model::Document;
use medcom::validate::Validator;

use common::parties::{author, care_home, gp, hospital};

fn first_message(release: CareCommunicationRelease, category: Category) -> CareCommunication {
    CareCommunication::new(
        hospital(),
        care_home(),
        Patient::cpr("2509471005", PersonName::new("Elmer", &["Bruno"])),
        category,
    )
    .with_release(release)
    .with_segment(Segment::text(
        "Hvordan går det?",
        author("Burns", hospital()),
        "38683868",
        "2024-05-01T12:00:00+02:00",
    ))
}

/// Valid in both formats, checked on the release's stack, read back in that release, and
/// acknowledged with a valid acknowledgement.
fn assert_on_stack(doc: &Document<'_>, release: CareCommunicationRelease, step: &str) {
    let validator = Validator::new();
    let report = validator.report(doc);
    let errors: Vec<String> = report
        .with_severity(Severity::Error)
        .map(|f| f.to_string())
        .collect();
    assert!(errors.is_empty(), "{step}: {errors:#?}");
    assert_eq!(report.version(), Some(release.stack()), "{step}");
    for text in [medcom::xml::to_string(doc), medcom::json::to_string(doc)] {
        let again = medcom::parse(&text).expect("written message reads");
        assert!(validator.is_valid(&again), "{step}: invalid after writing");
    }
    assert_eq!(
        CareCommunication::read(doc).expect("reads").release,
        release,
        "{step}"
    );
    let ack = reply::acknowledge(doc, ResponseCode::Ok, &Context::new()).expect("ack");
    assert!(validator.is_valid(&ack), "{step}: acknowledgement invalid");
}

#[test]
fn a_thread_in_either_release_stays_in_it() {
    for release in [
        CareCommunicationRelease::V5_0,
        CareCommunicationRelease::V4_0,
    ] {
        let ctx = Context::new();
        let first = first_message(release, Category::Nursing)
            .build(&ctx)
            .expect("first");
        assert_on_stack(&first, release, "new");
        let answer = CareCommunication::reply(&first)
            .expect("reply")
            .with_segment(Segment::text(
                "Godt.",
                author("Waters", care_home()),
                "44527000",
                "2024-05-02T09:00:00+02:00",
            ))
            .build(&ctx)
            .expect("reply builds");
        assert_on_stack(&answer, release, "reply");
        let forward = CareCommunication::forward(&answer, gp())
            .expect("forward")
            .with_segment(Segment::text(
                "Til orientering.",
                author("Waters", care_home()),
                "44527000",
                "2024-05-03T09:00:00+02:00",
            ))
            .build(&ctx)
            .expect("forward builds");
        assert_on_stack(&forward, release, "forward");
        assert_eq!(
            MessageInfo::read(&forward).expect("info").provenances.len(),
            3
        );
    }
}

/// The network envelope's document version follows the release (`MCM:FDIS91`, 4.0 or 5.0).
#[test]
fn the_envelope_names_the_release() {
    for release in [
        CareCommunicationRelease::V5_0,
        CareCommunicationRelease::V4_0,
    ] {
        let doc = first_message(release, Category::Nursing)
            .build(&Context::new())
            .expect("builds");
        let bytes = medcom::json::to_string(&doc).into_bytes();
        let payload = medcom::exchange::payload::Payload::read(&bytes).expect("payload");
        assert_eq!(payload.name, "MCM:FDIS91#nursing");
        assert_eq!(payload.version.as_deref(), Some(release.line()));
    }
}

#[test]
fn the_default_release_is_five() {
    let doc = first_message(CareCommunicationRelease::default(), Category::AcuteAmbulant)
        .build(&Context::new())
        .expect("builds");
    assert_on_stack(&doc, CareCommunicationRelease::V5_0, "default");
}

#[test]
fn what_a_release_does_not_have_is_refused() {
    let v4 = CareCommunicationRelease::V4_0;
    for category in [
        Category::AcuteAmbulant,
        Category::ExtendedCareResponsibility,
    ] {
        let err = first_message(v4, category)
            .build(&Context::new())
            .unwrap_err();
        assert!(
            matches!(err, BuildError::NotInRelease { release: "4.0", .. }),
            "{err}"
        );
    }
    let text_role = Author::new(
        PersonName::new("Burns", &["M"]),
        Role::Text("Visitator".to_owned()),
        hospital(),
    );
    let with_text_role = |release| {
        first_message(release, Category::Nursing)
            .with_segment(Segment::text(
                "Mere.",
                text_role.clone(),
                "38683868",
                "2024-05-01T13:00:00+02:00",
            ))
            .build(&Context::new())
    };
    assert!(matches!(
        with_text_role(v4),
        Err(BuildError::NotInRelease { release: "4.0", .. })
    ));
    let five = with_text_role(CareCommunicationRelease::V5_0).expect("5.0 takes a text role");
    assert_on_stack(&five, CareCommunicationRelease::V5_0, "text role");
}

/// The 5.0-only categories on a 4.0 message: the 4.0.3 stack's binding and the message rule
/// both say so.
#[test]
fn a_later_category_in_a_four_message_is_an_error() {
    let doc = first_message(CareCommunicationRelease::V4_0, Category::Nursing)
        .build(&Context::new())
        .expect("builds");
    let text = medcom::json::to_string(&doc).replace("\"nursing\"", "\"acute-ambulant\"");
    let doc = medcom::parse(&text).expect("reads");
    let report = Validator::new().report(&doc);
    let codes: Vec<&str> = report
        .with_severity(Severity::Error)
        .map(|f| f.code())
        .collect();
    assert!(codes.contains(&"medcom-cc-category"), "{codes:?}");
    assert!(codes.contains(&"fhir-binding"), "{codes:?}");
    let rules_only = Validator::rules_only().report(&doc);
    assert!(rules_only
        .with_severity(Severity::Error)
        .any(|f| f.code() == "medcom-cc-category"));
}

/// Every official 4.0.x example reads as a 4.0 message (those the validator accepts) and gets a
/// valid acknowledgement.
#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn official_four_examples_read_and_are_acknowledged() {
    let Some(shared) = common::shared() else {
        return;
    };
    let validator = Validator::new();
    let (mut read, mut acked) = (0, 0);
    for ex in common::examples(&shared) {
        if !ex.is_fhir()
            || !ex.message_type.starts_with("CareCommunication")
            || !ex.ig_version.starts_with("4.0.")
        {
            continue;
        }
        let text = common::read(&ex.path);
        let doc = medcom::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", ex.file));
        let ctx = Context::new();
        let (ack, code) = reply::acknowledge_validated(&doc, &validator, &ctx)
            .unwrap_or_else(|e| panic!("{}: {e}", ex.file));
        assert!(
            validator.is_valid(&ack),
            "{}: acknowledgement invalid",
            ex.file
        );
        acked += 1;
        if code == ResponseCode::Ok {
            let m = CareCommunication::read(&doc).unwrap_or_else(|e| panic!("{}: {e}", ex.file));
            assert_eq!(m.release, CareCommunicationRelease::V4_0, "{}", ex.file);
            read += 1;
        }
    }
    eprintln!("4.0.x examples: {acked} acknowledged, {read} valid ones read as 4.0");
    assert_eq!(
        acked, 192,
        "the manifest lists 192 CareCommunication 4.0.x examples"
    );
    assert!(read >= 170, "only {read} read");
}

/// Without a definition, a versioned message profile in meta.profile picks the stack, which
/// then reports the missing definition; an unknown version is one clear finding.
#[test]
fn a_versioned_message_profile_picks_the_stack() {
    let doc = first_message(CareCommunicationRelease::V4_0, Category::Nursing)
        .build(&Context::new())
        .expect("builds");
    let text = medcom::json::to_string(&doc);
    let definition = format!(
        ",\"definition\":\"{}\"",
        CareCommunicationRelease::V4_0.definition()
    );
    assert!(text.contains(&definition));
    let message = "http://medcomfhir.dk/ig/carecommunication/StructureDefinition/medcom-careCommunication-message";
    for (version, stack) in [
        ("4.0.3", Some("4.0.3")),
        ("5.0", Some("5.0.2")),
        ("3.0.0", None),
    ] {
        let edited = text.replace(&definition, "").replacen(
            "\"meta\":{\"profile\":[\"",
            &format!("\"meta\":{{\"profile\":[\"{message}|{version}\",\""),
            1,
        );
        let doc = medcom::parse(&edited).expect("reads");
        let report = Validator::new().report(&doc);
        let codes: Vec<&str> = report
            .with_severity(Severity::Error)
            .map(|f| f.code())
            .collect();
        match stack {
            Some(stack) => {
                assert_eq!(report.version(), Some(stack), "{version}: {codes:?}");
                assert!(
                    codes.contains(&"fhir-cardinality-min"),
                    "{version}: {codes:?}"
                );
            }
            None => assert_eq!(codes, ["fhir-unsupported-version"], "{version}"),
        }
    }
}

fn medcom(args: &[&str]) -> (i32, String) {
    let out = common::run_medcom(args, b"");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_command_line_checks_the_declared_stack_or_the_forced_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("cc-4.0.json");
    let doc = first_message(CareCommunicationRelease::V4_0, Category::Nursing)
        .build(&Context::new())
        .expect("builds");
    std::fs::write(&path, medcom::json::to_string(&doc)).expect("writes");
    let file = path.to_str().expect("utf-8 path");
    let (code, out) = medcom(&["validate", file]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("fhir-stack-forced"), "{out}");
    let (code, out) = medcom(&["validate", "--stack", "carecommunication@4.0", file]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("fhir-stack-forced"), "{out}");
    // Forced onto the 5.0 stack, the message is checked there and the report says so.
    let (_, out) = medcom(&["validate", "--stack", "carecommunication@5.0", file]);
    assert!(out.contains("fhir-stack-forced"), "{out}");
    assert!(out.contains("CareCommunication 4.0.3"), "{out}");
    let (code, out) = medcom(&["validate", "--stack", "carecommunication@3", file]);
    assert_eq!(code, 2, "{out}");
    let (code, out) = medcom(&["ack", file]);
    assert_eq!(code, 0);
    assert!(out.contains("\"ok\""), "{out}");
    // Received: processed and answered with a positive acknowledgement.
    let store = dir.path().join("store.sqlite");
    let ack = dir.path().join("ack.json");
    let (code, out) = medcom(&[
        "receive",
        "--store",
        store.to_str().expect("utf-8 path"),
        "--ack-out",
        ack.to_str().expect("utf-8 path"),
        file,
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("process"), "{out}");
    let ack = std::fs::read_to_string(&ack).expect("acknowledgement written");
    assert!(ack.contains("\"ok\""), "{ack}");
}
