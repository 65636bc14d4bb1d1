//! EDIFACT and OIOXML syntax on MedCom's 48 paired test messages: every interchange reads,
//! writes and reads back equal; every XML reads, writes and reads back infoset-equal; the
//! format is detected by content.

mod common;

use std::path::{Path, PathBuf};

use medcom::legacy::edifact::{LineBreaks, ReadOptions};
use medcom::legacy::{edifact, oioxml, LegacyFormat};

fn corpus(shared: &Path, kind: &str) -> Vec<PathBuf> {
    let dir = shared.join(format!(
        "medcom/legacy/files/glasdam_edifact_converter/test/complete/files/{kind}"
    ));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("test input").path())
        .collect();
    files.sort();
    files
}

/// Examples wrapped at a fixed width, with the code the strict reader ([`LineBreaks::Layout`])
/// rejects them with; the default reader detects the wrapping and unwraps them (MedCom's
/// converter semantics), and they round-trip.
const WRAPPED: &[(&str, &str, &str)] = &[(
    "RPT04_2.edi",
    "invalid-value",
    "wrapped at a fixed width: line feeds inside UNB's interchange reference, a DTM and a NAD name",
)];

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn every_edifact_example_round_trips() {
    let Some(shared) = common::shared() else {
        return;
    };
    let files = corpus(&shared, "edifact");
    assert_eq!(files.len(), 48);
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(LegacyFormat::detect(&bytes), Some(LegacyFormat::Edifact));
        let name = path.file_name().unwrap().to_str().unwrap();
        if let Some((_, code, why)) = WRAPPED.iter().find(|(f, ..)| *f == name) {
            let strict = ReadOptions::default().with_line_breaks(LineBreaks::Layout);
            let err = edifact::read_with_options(&bytes, &strict).expect_err(why);
            assert_eq!(err.kind().code(), *code, "{name}");
        }
        let interchange =
            edifact::read(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let written = edifact::write(&interchange).unwrap();
        let back = edifact::read(&written).unwrap();
        assert_eq!(interchange, back, "{}", path.display());
    }
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn every_oioxml_example_round_trips() {
    let Some(shared) = common::shared() else {
        return;
    };
    let files = corpus(&shared, "xml");
    assert_eq!(files.len(), 48);
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(
            LegacyFormat::detect(&bytes),
            Some(LegacyFormat::Oioxml),
            "{}",
            path.display()
        );
        let root = oioxml::read(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        oioxml::Emessage::new(&root).unwrap();
        for written in [
            oioxml::to_string(&root).into_bytes(),
            oioxml::to_latin1(&root),
        ] {
            let back = oioxml::read(&written).unwrap();
            assert_eq!(
                oioxml::infoset_difference(&root, &back),
                None,
                "{}",
                path.display()
            );
        }
    }
}
