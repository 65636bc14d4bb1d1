//! `medcom::Validator` on every kind of input, one line per case: what it is taken for, the
//! verdict, the first error and where it is; envelopes opened to their payload. The FHIR
//! fixtures are written for the MedCom message rules, so the cases run without the profiles
//! (`tests/embedding.rs` runs `validate_bytes` with them on official examples).

use medcom::exchange::envelope::vans::{EndPoint, VansEnvelope};
use medcom::input::Kind;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/validate")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn vans(payload: &[u8]) -> Vec<u8> {
    VansEnvelope::wrap(
        EndPoint::ean("5790000121526"),
        EndPoint::ean("5790000201389"),
        "0a4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
        "1b4c1e2e-7a0e-4c55-9d0c-3d2f9d1e2a11",
        "2024-05-01T10:00:00Z",
        payload,
    )
    .expect("a payload this crate reads")
    .to_xml()
    .into_bytes()
}

/// An OIOXML letter with a byte that is not UTF-8 after the part that detection reads.
fn late_bad_byte() -> Vec<u8> {
    let mut bytes = b"<?xml version=\"1.0\"?>\n<Emessage xmlns=\"http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/\">\n".to_vec();
    bytes.extend(std::iter::repeat_n(b' ', 5000));
    bytes.extend(b"<a>\xff</a></Emessage>");
    bytes
}

/// input, kind, valid, message type, envelope, first code and its line:column ("" when valid).
type Case = (
    Vec<u8>,
    Kind,
    bool,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
    Option<(u32, u32)>,
);

#[test]
fn every_kind_gets_a_report() {
    let validator = medcom::Validator::new().profiles(false);
    #[rustfmt::skip]
    let cases: Vec<Case> = vec![
        (fixture("cc-valid.json"), Kind::FhirJson, true, Some("CareCommunication"), None, "", None),
        (fixture("cc-valid.xml"), Kind::FhirXml, true, Some("CareCommunication"), None, "", None),
        (fixture("cc-bad-cpr.json"), Kind::FhirJson, false, Some("CareCommunication"), None, "dk-cpr-date", None),
        (vans(&fixture("cc-valid.xml")), Kind::Vans, true, Some("CareCommunication"), Some("VANSEnvelope"), "", None),
        (vans(&fixture("cc-bad-cpr.json")), Kind::Vans, false, Some("CareCommunication"), Some("VANSEnvelope"), "dk-cpr-date", None),
        (b"<VANSEnvelope xmlns=\"urn:oio:medcom:vans-envelope:1.0.4\">\n  <SenderID/>\n</VANSEnvelope>".to_vec(), Kind::Vans, false, None, Some("VANSEnvelope"), "envelope-read", Some((1, 1))),
        (b"<VANSEnvelope xmlns=\"urn:oio:medcom:vans-envelope:1.0.4\">\n  <SenderID>".to_vec(), Kind::Vans, false, None, Some("VANSEnvelope"), "envelope-read", Some((1, 1))),
        (b"UNB+UNOC:3+A:14+B:14+990101:1200+K'".to_vec(), Kind::Edifact, false, Some("EDIFACT"), None, "edifact-missing-segment", None),
        (late_bad_byte(), Kind::Oioxml, false, Some("OIOXML"), None, "legacy-read", Some((3, 5004))),
        (b"\n\n   not a message".to_vec(), Kind::Unknown, false, None, None, "fhir-read", Some((3, 4))),
        (b"{\"resourceType\":\"Bundle\",".to_vec(), Kind::FhirJson, false, None, None, "fhir-read", Some((1, 26))),
    ];
    for (i, (input, kind, valid, message_type, envelope, code, at)) in cases.into_iter().enumerate()
    {
        assert_eq!(Kind::detect(&input), kind, "case {i}");
        let report = validator.validate(&input);
        let first = report
            .findings()
            .iter()
            .find(|f| f.severity() == medcom::finding::Severity::Error);
        assert_eq!(
            report.is_valid(),
            valid,
            "case {i}: {:?}",
            report.findings()
        );
        assert_eq!(
            report
                .message_type()
                .map(|t| t.split(' ').next().unwrap_or(t)),
            message_type,
            "case {i}"
        );
        assert_eq!(report.envelope(), envelope, "case {i}");
        if !code.is_empty() {
            let first = first.unwrap_or_else(|| panic!("case {i}: no error"));
            assert_eq!(first.code(), code, "case {i}: {first}");
            if let Some((line, column)) = at {
                let p = first
                    .position()
                    .unwrap_or_else(|| panic!("case {i}: no position"));
                assert_eq!((p.line, p.column), (line, column), "case {i}: {first}");
            }
        }
    }
}

#[test]
fn settings_reach_the_report() {
    let bad = fixture("cc-bad-cpr.json");
    let rules = medcom::Validator::new().profiles(false);
    let masked = rules.validate(&bad);
    let unmasked = rules.clone().unmask(true).validate(&bad);
    let value = unmasked
        .findings()
        .iter()
        .find_map(|f| f.value())
        .expect("a finding with a value");
    assert!(!serde_json::to_string(&masked).unwrap().contains(value));
    assert!(serde_json::to_string(&unmasked).unwrap().contains(value));
    let capped = medcom::Validator::new().max_findings(0).validate(&bad);
    assert_eq!(capped.findings().len(), 1);
    assert_eq!(capped.findings()[0].code(), "findings-truncated");
    assert!(!capped.is_valid());
    assert!(rules.validate(&fixture("cc-valid.json")).is_valid());
    let judged = rules
        .policy(medcom::exchange::ReceivePolicy::Standard)
        .validate(&fixture("cc-valid.json"));
    assert_eq!(judged.acknowledgement(), Some("ok"));
    assert!(serde_json::to_string(&judged)
        .unwrap()
        .starts_with(r#"{"acknowledgement":"ok","issues":[]"#));
    let rules_only = medcom::Validator::new()
        .profiles(false)
        .validate(&fixture("cc-valid.json"));
    assert!(rules_only.is_valid());
    let forced = medcom::Validator::new()
        .stack("carecommunication@4.0")
        .expect("the 4.0 stack")
        .validate(&fixture("cc-valid.json"));
    assert_eq!(
        forced.version().map(|v| v.starts_with("4.0")),
        Some(true),
        "{:?}",
        forced.version()
    );
}

#[test]
fn one_validator_serves_many_threads() {
    fn shared<T: Send + Sync + Clone>(_: &T) {}
    let validator = medcom::Validator::new().profiles(false);
    shared(&validator);
    let input = fixture("cc-valid.json");
    let verdicts: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| s.spawn(|| validator.validate(&input).is_valid()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a worker"))
            .collect()
    });
    assert_eq!(verdicts, [true, true]);
}
