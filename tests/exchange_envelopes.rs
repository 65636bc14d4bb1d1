//! Envelopes over the official corpora: every FHIR example and every legacy test message wraps
//! and unwraps unchanged in the VANSEnvelope and in the EHMI SBDH, and the wrapped envelopes
//! validate against the project's VANSEnvelope and SBDH schema rules; the official SBDH samples
//! read.

mod common;

use std::path::{Path, PathBuf};

use medcom::exchange::envelope::sbdh::Sbdh;
use medcom::exchange::envelope::vans::{EndPoint, VansEnvelope};
use medcom::exchange::envelope::{self, Envelope};
use medcom::legacy::schema;

const SENDER: &str = "5790000121526";
const RECEIVER: &str = "5790000201389";
const ENVELOPE_ID: &str = "6f1a3c52-9b0e-4d1f-8a2b-3c4d5e6f7a8b";
const META_ID: &str = "7e2b4d63-ac1f-4e20-9b3c-4d5e6f7a8b9c";

/// Where the SBDH XSD disagrees with what every official sample does, and what it does not
/// cover: `BinaryContent` in the PEPPOL envelope namespace (the XSD declares it in the SBDH
/// namespace), and `Standard` values beyond its three event codes (every message type but
/// HomeCareObservation and Acknowledgement).
const SBDH_KNOWN: &[(&str, &str)] = &[
    (
        "xsd-unexpected-element",
        "/StandardBusinessDocument/BinaryContent",
    ),
    (
        "xsd-enumeration",
        "/StandardBusinessDocument/StandardBusinessDocumentHeader/DocumentIdentification/Standard",
    ),
];

/// Sets of SBDH findings and how many envelopes had each.
type Deviations = std::collections::BTreeMap<Vec<String>, usize>;

fn legacy_files(shared: &Path) -> Vec<PathBuf> {
    let base = shared.join("medcom/legacy/files/glasdam_edifact_converter/test/complete/files");
    let mut files = Vec::new();
    for dir in ["edifact", "xml"] {
        for e in std::fs::read_dir(base.join(dir)).expect("legacy test files") {
            files.push(e.expect("entry").path());
        }
    }
    files.sort();
    files
}

fn check_one(name: &str, bytes: &[u8], stats: &mut [usize; 2], deviations: &mut Deviations) {
    let vans = VansEnvelope::wrap(
        EndPoint::ean(SENDER),
        EndPoint::ean(RECEIVER),
        ENVELOPE_ID,
        META_ID,
        "2024-05-01T10:00:00Z",
        bytes,
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    let xml = vans.to_xml();
    let back = envelope::read(xml.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(back.payload(), Some(bytes), "{name}: VANS payload changed");
    assert_eq!(back, Envelope::Vans(vans), "{name}: VANS envelope changed");
    let doc = schema::parse(&xml).expect("well-formed");
    let findings = schema::validate_schema(&doc);
    assert!(findings.is_empty(), "{name}: VANS {findings:?}\n{xml}");
    stats[0] += 1;

    let sbdh = Sbdh::wrap(SENDER, RECEIVER, ENVELOPE_ID, 1_714_557_600, true, bytes)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let xml = sbdh.to_xml();
    let back = envelope::read(xml.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(back.payload(), Some(bytes), "{name}: SBDH payload changed");
    assert_eq!(back, Envelope::Sbdh(sbdh), "{name}: SBDH envelope changed");
    let doc = schema::parse(&xml).expect("well-formed");
    let findings = schema::validate_schema(&doc);
    let unknown: Vec<_> = findings
        .iter()
        .filter(|f| !SBDH_KNOWN.contains(&(f.code(), f.location())))
        .collect();
    assert!(unknown.is_empty(), "{name}: SBDH {unknown:?}\n{xml}");
    stats[1] += 1;
    let key: Vec<String> = findings
        .iter()
        .map(|f| format!("{} {}", f.code(), f.location()))
        .collect();
    *deviations.entry(key).or_default() += 1;
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn every_example_wraps_and_unwraps_unchanged() {
    let Some(shared) = common::shared() else {
        return;
    };
    let mut stats = [0; 2];
    let mut deviations = Deviations::new();
    let mut skipped = Vec::new();
    for ex in common::examples(&shared).iter().filter(|e| e.is_fhir()) {
        let bytes = std::fs::read(&ex.path).expect("example");
        // A few examples are deliberately broken: they cannot be keyed but still travel.
        if medcom::exchange::Payload::read(&bytes).is_err() {
            skipped.push(ex.file.clone());
        }
        check_one(&ex.file, &bytes, &mut stats, &mut deviations);
    }
    let fhir = stats[0];
    for path in legacy_files(&shared) {
        let bytes = std::fs::read(&path).expect("legacy file");
        if medcom::exchange::Payload::read(&bytes).is_err() {
            skipped.push(path.display().to_string());
        }
        check_one(
            &path.display().to_string(),
            &bytes,
            &mut stats,
            &mut deviations,
        );
    }
    eprintln!(
        "{fhir} FHIR and {} legacy messages wrapped in both envelopes; SBDH schema deviations {deviations:?}; not keyable: {skipped:?}",
        stats[0] - fhir,
    );
    assert!(fhir > 700, "{fhir}");
    assert!(skipped.len() < 20, "{skipped:?}");
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn official_sbdh_samples_read() {
    let Some(shared) = common::shared() else {
        return;
    };
    let mut n = 0;
    for ex in common::examples(&shared).iter().filter(|e| !e.is_fhir()) {
        let bytes = std::fs::read(&ex.path).expect("sample");
        let Envelope::Sbdh(s) =
            envelope::read(&bytes).unwrap_or_else(|e| panic!("{}: {e}", ex.file))
        else {
            panic!("{}: not an SBDH", ex.file);
        };
        assert!(s.sender.starts_with("0088:"), "{}", ex.file);
        assert!(s.receiver.starts_with("0088:"), "{}", ex.file);
        assert!(!s.payload().unwrap_or_default().is_empty(), "{}", ex.file);
        assert!(s.scope("DOCUMENTID").is_some(), "{}", ex.file);
        if s.is_receipt() {
            assert!(s.answers().is_some(), "{}", ex.file);
        } else {
            assert!(s.requests_receipt(), "{}", ex.file);
        }
        n += 1;
    }
    assert_eq!(n, 9);
}

#[test]
fn receipt_forms_validate() {
    let bundle = br#"{"resourceType":"Bundle","id":"b1","type":"message","entry":[{"resource":
      {"resourceType":"MessageHeader","id":"m1","eventCoding":{"code":"homecareobservation-message"}}}]}"#;
    let vans = VansEnvelope::wrap(
        EndPoint::ean(SENDER),
        EndPoint::ean(RECEIVER),
        ENVELOPE_ID,
        META_ID,
        "2024-05-01T10:00:00Z",
        bundle,
    )
    .expect("wrap");
    use medcom::exchange::envelope::vans::ReceiptKind;
    for (kind, error) in [
        (ReceiptKind::PositiveMessage, None),
        (
            ReceiptKind::NegativeMessage,
            Some((Some(7), "refused".to_owned())),
        ),
        (
            ReceiptKind::NegativeVans,
            Some((None, "unknown receiver".to_owned())),
        ),
    ] {
        let receipt = vans
            .receipt(kind, error, META_ID, "2024-05-01T10:01:00Z")
            .expect("receipt");
        let xml = receipt.to_xml();
        let doc = schema::parse(&xml).expect("well-formed");
        assert_eq!(schema::validate_schema(&doc), vec![], "{xml}");
        assert_eq!(VansEnvelope::read(&xml).expect("read"), receipt);
    }
    let sbdh =
        Sbdh::wrap(SENDER, RECEIVER, ENVELOPE_ID, 1_714_557_600, true, bundle).expect("wrap");
    let signal = sbdh.receipt(META_ID, META_ID, 1_714_557_660);
    let xml = signal.to_xml();
    let doc = schema::parse(&xml).expect("well-formed");
    let findings = schema::validate_schema(&doc);
    assert!(
        findings
            .iter()
            .all(|f| SBDH_KNOWN[..1].contains(&(f.code(), f.location()))),
        "{findings:?}"
    );
    let back = Sbdh::read(&xml).expect("read");
    assert!(back.is_receipt());
    assert_eq!(back.answers(), Some(ENVELOPE_ID));
    assert_eq!(back.receiver, format!("0088:{SENDER}"));
}

#[test]
fn truncated_and_mutated_envelopes_never_panic() {
    let bundle = br#"{"resourceType":"Bundle","id":"b1","type":"message","entry":[{"resource":
      {"resourceType":"MessageHeader","id":"m1","eventCoding":{"code":"homecareobservation-message"}}}]}"#;
    let vans = VansEnvelope::wrap(
        EndPoint::ean(SENDER),
        EndPoint::ean(RECEIVER),
        ENVELOPE_ID,
        META_ID,
        "2024-05-01T10:00:00Z",
        bundle,
    )
    .expect("wrap")
    .to_xml();
    let sbdh = Sbdh::wrap(SENDER, RECEIVER, ENVELOPE_ID, 1_714_557_600, true, bundle)
        .expect("wrap")
        .to_xml();
    for text in [vans, sbdh] {
        let bytes = text.as_bytes();
        medcom::__fuzz::envelope(bytes);
        for cut in 0..bytes.len() {
            medcom::__fuzz::envelope(&bytes[..cut]);
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..2000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut m = bytes.to_vec();
            let i = (seed as usize) % m.len();
            m[i] = (seed >> 32) as u8;
            medcom::__fuzz::envelope(&m);
        }
    }
}
