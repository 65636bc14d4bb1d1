//! Receipts for every paired example: positive and negative receipts are built for each XML
//! and each EDIFACT message, carry the original identifiers, and survive conversion to CONTRL
//! and back; duplicates are detected by (envelope identifier, letter identifier).

mod common;

use std::path::{Path, PathBuf};

use medcom::finding::Severity;
use medcom::legacy::oioxml::{self, AcknowledgementCode, Emessage};
use medcom::legacy::receipt::{
    self, build, DuplicateDetector, Original, ReceiptKind, ReceiptOptions, Refusal, RefuseCode,
};
use medcom::legacy::{convert, edifact, schema};

fn files(shared: &Path, kind: &str) -> Vec<PathBuf> {
    let dir = shared.join(format!(
        "medcom/legacy/files/glasdam_edifact_converter/test/complete/files/{kind}"
    ));
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus folder")
        .map(|e| e.expect("test input").path())
        .collect();
    v.sort();
    v
}

fn options() -> ReceiptOptions {
    ReceiptOptions::new("KVIT0001", "KVITBREV01", "2024-05-01", "10:15")
}

fn refusal(letter: Option<&str>) -> Refusal {
    Refusal {
        letter: letter.map(str::to_owned),
        code: RefuseCode::Syntax,
        text: "Brevet kan ikke læses.\nKontakt afsender.".to_owned(),
    }
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn receipts_for_every_xml_example() {
    let Some(shared) = common::shared() else {
        return;
    };
    let mut built = 0;
    for path in files(&shared, "xml") {
        let root = oioxml::read(&std::fs::read(&path).unwrap()).unwrap();
        let message = Emessage::new(&root).unwrap();
        let original = Original::from_emessage(&message);
        let first = original.letters[0].0.clone();
        for (kind, refusals) in [
            (ReceiptKind::Positive, vec![]),
            (ReceiptKind::Negative, vec![refusal(Some(&first))]),
            (ReceiptKind::NegativeVans, vec![refusal(None)]),
        ] {
            let r = build(&original, kind, &refusals, &options());
            let body = r.child(kind.root()).unwrap();
            let o = body.child("OriginalEmessage").unwrap();
            assert_eq!(
                o.child_text("OriginalEnvelopeIdentifier"),
                message.identifier()
            );
            assert_eq!(
                o.child("OriginalLetter")
                    .unwrap()
                    .child_text("OriginalLetterIdentifier"),
                first
            );
            // The receipt converts to CONTRL and back unchanged.
            let edi = convert::to_edifact(&r).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let back = convert::to_oioxml(&edi).unwrap();
            assert_eq!(
                oioxml::infoset_difference(&r, &back),
                None,
                "{}",
                path.display()
            );
            built += 1;
        }
        let asked = message.acknowledgement_code().unwrap();
        let answer = receipt::for_emessage(&message, &[], &options());
        assert_eq!(answer.is_some(), asked == AcknowledgementCode::PlusPositive);
        assert!(receipt::for_emessage(&message, &[refusal(None)], &options()).is_some());
    }
    assert_eq!(built, 48 * 3);
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn receipts_for_every_edifact_example() {
    let Some(shared) = common::shared() else {
        return;
    };
    let mut built = 0;
    for path in files(&shared, "edifact") {
        // RPT04_2 is wrapped at a fixed width; the default reader unwraps it.
        let interchange = edifact::read(&std::fs::read(&path).unwrap()).unwrap();
        let first = interchange.messages()[0].reference().to_owned();
        let r = receipt::for_interchange(&interchange, &[refusal(Some(&first))], &options())
            .unwrap()
            .unwrap();
        let uci = &r.messages()[0].body()[0];
        assert_eq!(uci.tag(), "UCI");
        assert_eq!(uci.component(1, 1), interchange.reference());
        assert_eq!(uci.component(2, 1), interchange.sender());
        assert_eq!(uci.component(4, 1), "4");
        assert_eq!(r.sender(), interchange.recipient());
        let written = edifact::write(&r).unwrap();
        assert_eq!(edifact::read(&written).unwrap(), r);
        let positive = receipt::for_interchange(&interchange, &[], &options()).unwrap();
        assert_eq!(
            positive.is_some(),
            interchange.header().component(9, 1) == "1"
        );
        built += 1;
    }
    assert_eq!(built, 48);
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn receipts_validate_against_their_schema() {
    let Some(shared) = common::shared() else {
        return;
    };
    let mut problems = Vec::new();
    for path in files(&shared, "xml") {
        let root = oioxml::read(&std::fs::read(&path).unwrap()).unwrap();
        let message = Emessage::new(&root).unwrap();
        let original = Original::from_emessage(&message);
        let first = original.letters[0].0.clone();
        for (kind, refusals) in [
            (ReceiptKind::Positive, vec![]),
            (ReceiptKind::Negative, vec![refusal(Some(&first))]),
            (ReceiptKind::Negative, vec![refusal(None)]),
            (ReceiptKind::NegativeVans, vec![refusal(None)]),
        ] {
            let r = build(&original, kind, &refusals, &options());
            let text = oioxml::to_string(&r);
            let doc = schema::parse(&text).unwrap();
            for f in schema::validate(&doc) {
                if f.severity() == Severity::Error {
                    problems.push(format!(
                        "{} {kind:?}: {} {} {}",
                        path.display(),
                        f.code(),
                        f.location(),
                        f.message()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn duplicates_are_detected() {
    let Some(shared) = common::shared() else {
        return;
    };
    let mut detector = DuplicateDetector::default();
    let paths = files(&shared, "xml");
    for path in &paths {
        let root = oioxml::read(&std::fs::read(path).unwrap()).unwrap();
        let message = Emessage::new(&root).unwrap();
        detector.check_emessage(&message);
    }
    // Several examples share envelope and letter identifiers (MedCom reused them), so only a
    // second pass is certain to be all duplicates.
    for path in &paths {
        let root = oioxml::read(&std::fs::read(path).unwrap()).unwrap();
        let message = Emessage::new(&root).unwrap();
        let dups = detector.check_emessage(&message);
        assert_eq!(dups.len(), message.letters().count(), "{}", path.display());
    }
    let mut detector = DuplicateDetector::default();
    let edi = files(&shared, "edifact");
    let interchange = edifact::read(&std::fs::read(&edi[0]).unwrap()).unwrap();
    assert!(detector.check_interchange(&interchange).is_empty());
    assert_eq!(detector.check_interchange(&interchange).len(), 1);
}
