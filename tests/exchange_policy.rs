//! The receive policy over MedCom's own receive fixtures: every FHIR message of the
//! `*testscripts` example folders (MANIFEST.tsv) is received by the engine with validation, and
//! gets what MedCom's receive tests expect: `ok` for the positive ones, `fatal-error` for
//! TEK_FCC (no `eventCoding.code`) and for the invalid copies MedCom makes of R-Tek-M, N and O
//! (the category removed, as the FSH comment says: "fjern categori inden filerne samles i
//! mapper"), the duplicate of an invalid message getting the same `fatal-error` again. The
//! strict policy rejects what the standard one keeps, and the findings are kept in the store.

mod common;

use std::sync::Arc;

use medcom::exchange::clock::{Clock, TestClock};
use medcom::exchange::engine::EngineOptions;
use medcom::exchange::store::MemoryStore;
use medcom::exchange::{Decision, Engine, Payload, ReceivePolicy};
use medcom::validate::Validator;

/// What MedCom's test expects of one fixture, by the manifest's validity column.
fn expected(validity: &str) -> &'static str {
    if validity.starts_with("invalid (intended") {
        "fatal-error"
    } else {
        "ok"
    }
}

fn engine(validator: &Arc<Validator>, policy: ReceivePolicy) -> Engine {
    let clock: Arc<dyn Clock> = Arc::new(TestClock::new(1_714_557_600, 7));
    Engine::new(Box::new(MemoryStore::default()), clock)
        .with_validator(Arc::clone(validator))
        .with_options(EngineOptions::default().with_policy(policy))
}

fn code(out: &medcom::exchange::Outcome) -> &str {
    out.response_code.as_deref().unwrap_or("none")
}

/// MedCom's hand-made invalid copy: `Communication.category` removed (JSON fixtures).
fn without_category(bytes: &[u8]) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).expect("JSON fixture");
    for e in v["entry"].as_array_mut().expect("entries") {
        if e["resource"]["resourceType"] == "Communication" {
            e["resource"]
                .as_object_mut()
                .expect("resource")
                .remove("category");
        }
    }
    serde_json::to_vec(&v).expect("JSON")
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn medcom_receive_fixtures_get_what_medcoms_tests_expect() {
    let Some(shared) = common::shared() else {
        return;
    };
    let validator = Arc::new(Validator::new());
    let fixtures: Vec<_> = common::examples(&shared)
        .into_iter()
        .filter(|e| e.file.contains("testscripts/") && e.is_fhir())
        .collect();
    assert!(fixtures.len() >= 370, "{} fixtures", fixtures.len());
    let mut wrong = Vec::new();
    let (mut ok, mut fatal) = (0, 0);
    for f in &fixtures {
        let bytes = std::fs::read(&f.path).expect("fixture");
        let want = expected(&f.validity);
        // Each fixture on a mailbox of its own: several reuse one MessageHeader.id on purpose.
        let out = engine(&validator, ReceivePolicy::Standard)
            .receive(&bytes)
            .expect("store");
        let got = code(&out);
        if out.decision != Decision::Process || got != want {
            wrong.push(format!(
                "{}: want {want}, got {:?} {got} {:?} {:?}",
                f.file, out.decision, out.rules, out.error
            ));
        }
        // `medcom ack` without --code decides through the same policy.
        let verdict = ReceivePolicy::Standard.judge_bytes(&bytes, Some(&validator));
        assert_eq!(
            verdict.code.code(),
            got,
            "{}: ack and receive differ",
            f.file
        );
        if got == "ok" {
            ok += 1;
        } else {
            fatal += 1;
        }
        // MedCom's invalid copies of the R-Tek-M/N/O messages.
        if f.file.contains("-inv") && f.is_json() {
            let invalid = without_category(&bytes);
            let out = engine(&validator, ReceivePolicy::Standard)
                .receive(&invalid)
                .expect("store");
            assert_eq!(code(&out), "fatal-error", "{} without category", f.file);
            assert_eq!(out.rules, ["care-communication-category"], "{}", f.file);
            fatal += 1;
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    eprintln!("{} fixtures: {ok} ok, {fatal} fatal-error", fixtures.len());
}

/// TEK_FCC has no `eventCoding.code`: a fatal-error acknowledgement naming the rule.
#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn tek_fcc_gets_a_fatal_error_acknowledgement() {
    let Some(shared) = common::shared() else {
        return;
    };
    let validator = Arc::new(Validator::new());
    for version in ["1.0.0", "3.0.1"] {
        for ext in ["json", "xml"] {
            let path = shared.join(format!(
                "medcom/fhir/examples/medcomfhir-website/ig/hospitalnotificationtestscripts/\
                 {version}/Bundle-17a0c807-372b-452c-972e-c59036153b57.{ext}"
            ));
            let bytes = std::fs::read(&path).expect("TEK_FCC");
            let out = engine(&validator, ReceivePolicy::Standard)
                .receive(&bytes)
                .expect("store");
            assert_eq!(out.decision, Decision::Process, "{version} {ext}");
            assert_eq!(code(&out), "fatal-error", "{version} {ext}");
            assert!(out.rules.contains(&"unknown-event"), "{:?}", out.rules);
            let ack = Payload::read(&out.response.expect("ack")).expect("ack reads");
            assert_eq!(ack.answers, out.message_id.into_iter().collect::<Vec<_>>());
        }
    }
}

/// MedCom's duplicate tests in one mailbox: the resubmitted copy of a message is not processed
/// again and gets the first answer's content (`ok` for R-Tek-K/L, `fatal-error` for the
/// invalid R-Tek-M/N).
#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn duplicates_of_medcom_fixtures_get_the_first_answer_again() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = shared
        .join("medcom/fhir/examples/medcomfhir-website/ig/carecommunicationtestscripts/5.0.0");
    let validator = Arc::new(Validator::new());
    let read = |name: &str| std::fs::read(dir.join(name)).expect("fixture");
    for (first, second, want, invalid) in [
        (
            "Bundle-R-Tek-K-dublicate-5de12884-eae7-4fd3-ba4a-d8b56be4baff.json",
            "Bundle-R-Tek-L-dublicate-fa97e431-332f-4605-ad37-c259dc2b8637.json",
            "ok",
            false,
        ),
        (
            "Bundle-R-Tek-M-dublicate-inv-260a3cc1-38eb-454a-a57b-9e32eabb54a3.json",
            "Bundle-R-Tek-N-dublicate-inv-260f76f2-d986-4ba1-8049-2369b1b164ce.json",
            "fatal-error",
            true,
        ),
    ] {
        let mut e = engine(&validator, ReceivePolicy::Standard);
        let prepare = |b: Vec<u8>| if invalid { without_category(&b) } else { b };
        let a = e.receive(&prepare(read(first))).expect("first");
        e.confirm(&a).expect("confirm");
        let b = e.receive(&prepare(read(second))).expect("second");
        assert_eq!(a.decision, Decision::Process, "{first}");
        assert_eq!(
            b.decision,
            Decision::Reject,
            "{second}: resubmitted, not processed"
        );
        assert_eq!((code(&a), code(&b)), (want, want), "{first}");
        assert_eq!(a.ack_id, b.ack_id, "{second}: the same acknowledgement");
        assert_ne!(
            a.ack_envelope_id, b.ack_envelope_id,
            "{second}: in a new envelope"
        );
    }
}

/// A positive fixture with conformance errors: `ok` by the standard policy with the findings
/// kept in the store, `fatal-error` by the strict one.
#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn conformance_errors_are_kept_by_the_standard_policy_and_refused_by_the_strict_one() {
    let Some(shared) = common::shared() else {
        return;
    };
    let validator = Arc::new(Validator::new());
    let with_errors = common::examples(&shared)
        .into_iter()
        .filter(|e| e.file.contains("testscripts/") && e.is_fhir())
        .find_map(|f| {
            let bytes = std::fs::read(&f.path).ok()?;
            let doc = medcom::parse_bytes(
                &bytes,
                &medcom::ReadOptions::default().with_mode(medcom::Mode::Lenient),
            )
            .ok()?;
            let errors = validator
                .report(&doc)
                .count(medcom::finding::Severity::Error);
            (errors > 0 && expected(&f.validity) == "ok").then_some(bytes)
        })
        .expect("a positive fixture with conformance errors");
    let mut standard = engine(&validator, ReceivePolicy::Standard);
    let out = standard.receive(&with_errors).expect("receive");
    assert_eq!(code(&out), "ok");
    let id = out.message_id.expect("id");
    let kept = standard
        .store()
        .received("fhir", &id)
        .expect("store")
        .expect("recorded")
        .stored
        .findings
        .expect("findings kept");
    assert!(kept.contains("\"severity\":\"error\""), "{kept}");
    let strict = engine(&validator, ReceivePolicy::Strict)
        .receive(&with_errors)
        .expect("receive");
    assert_eq!(code(&strict), "fatal-error");
    assert_eq!(strict.rules, ["conformance"]);
}
