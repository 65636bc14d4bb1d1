//! The migration bridge on every XDIS91/DIS91, XDIS20/DIS20, XDIS17/DIS17 letter and every
//! receipt (XCTL01–03, CONTRL) in `../shared`: each converts to a FHIR message that validates
//! without errors, back to a letter that validates (as OIOXML and as EDIFACT), with every mapped
//! field equal; converting twice gives the same message. The address book is generated test
//! data (see `common::letters::address_book_csv`).

mod common;

use std::path::{Path, PathBuf};

use common::letters;
use medcom::legacy::{convert, edifact, oioxml};
use medcom::migrate::{self, CsvAddressBook};

/// The letters the bridge converts, read from OIOXML or EDIFACT files.
fn corpus(shared: &Path) -> Vec<(PathBuf, oioxml::Element)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "xml" || e == "edi") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&shared.join("medcom/legacy/files"), &mut files);
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let bytes = std::fs::read(&path).expect("readable");
        let root = if path.extension().is_some_and(|e| e == "edi") {
            let Ok(i) = edifact::read(&bytes) else {
                continue;
            };
            let Ok(root) = convert::to_oioxml(&i) else {
                continue;
            };
            root
        } else {
            let Ok(root) = oioxml::read(&bytes) else {
                continue;
            };
            root
        };
        if root.name() != "Emessage" || root.elements().count() != 2 {
            continue;
        }
        let name = letters::letter(&root).name().to_owned();
        if matches!(
            name.as_str(),
            "ClinicalEmail"
                | "NotificationOfAdmission"
                | "NotificationOfDischarge"
                | "PositiveReceipt"
                | "NegativeReceipt"
                | "NegativeVansReceipt"
        ) {
            out.push((path, root));
        }
    }
    out
}

fn errors(report: &medcom::validate::Report) -> Vec<String> {
    report
        .findings()
        .iter()
        .filter(|f| f.severity() == medcom::finding::Severity::Error)
        .map(|f| format!("{} {} {}", f.code(), f.location(), f.message()))
        .collect()
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn every_letter_and_receipt_converts_to_fhir_and_back() {
    let Some(shared) = common::shared() else {
        return;
    };
    let corpus = corpus(&shared);
    let count = |root: &str| {
        corpus
            .iter()
            .filter(|(_, r)| letters::letter(r).name() == root)
            .count()
    };
    // DIS91_1/2, DIS20_1, DIS17_1, CTL01-03, each as OIOXML and as EDIFACT.
    assert_eq!(count("ClinicalEmail"), 4, "XDIS91 and DIS91 letters found");
    assert_eq!(count("NotificationOfAdmission"), 2);
    assert_eq!(count("NotificationOfDischarge"), 2);
    assert_eq!(
        count("PositiveReceipt") + count("NegativeReceipt") + count("NegativeVansReceipt"),
        6
    );
    let csv = letters::address_book_csv(
        corpus
            .iter()
            .flat_map(|(_, r)| letters::locations(r))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    );
    let book = CsvAddressBook::from_csv(&csv).expect("the test address book reads");
    let fhir_validator = medcom::validate::Validator::new();
    let mut failures = Vec::new();
    for (path, root) in &corpus {
        let name = path
            .strip_prefix(&shared)
            .unwrap_or(path)
            .display()
            .to_string();
        let converted = match migrate::letter_to_fhir(root, &book) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{name}: to FHIR: {e}"));
                continue;
            }
        };
        let again = migrate::letter_to_fhir(root, &book).expect("converts twice");
        let (xml, json) = (
            medcom::xml::to_string(&converted.value),
            medcom::json::to_string(&converted.value),
        );
        assert_eq!(
            xml,
            medcom::xml::to_string(&again.value),
            "{name}: converting twice differs"
        );
        let report = fhir_validator.report(&converted.value);
        let errs = errors(&report);
        if !errs.is_empty() {
            failures.push(format!("{name}: FHIR errors: {errs:#?}\n{json}"));
            continue;
        }
        assert!(
            converted
                .findings
                .iter()
                .all(|f| f.severity() == medcom::finding::Severity::Information),
            "{name}: conversion findings are information"
        );
        // Back from the serialized message, as a receiver of the bytes would.
        let doc = medcom::parse(&json).expect("the message reads");
        let back = match migrate::fhir_to_letter(&doc, &book) {
            Ok(b) => b.value,
            Err(e) => {
                failures.push(format!("{name}: back: {e}"));
                continue;
            }
        };
        let text = oioxml::to_string(&back);
        let report = medcom::validate_bytes(text.as_bytes());
        if !report.is_valid() {
            failures.push(format!(
                "{name}: the letter has errors: {:#?}\n{text}",
                errors(&report)
            ));
        }
        match convert::to_edifact(&back) {
            Ok(i) => {
                let edi = edifact::write(&i).expect("writes");
                let report = medcom::validate_bytes(&edi);
                if !report.is_valid() {
                    failures.push(format!(
                        "{name}: the EDIFACT letter has errors: {:#?}",
                        errors(&report)
                    ));
                }
            }
            Err(e) => failures.push(format!("{name}: to EDIFACT: {e}")),
        }
        let diff = letters::differences(root, &back);
        if !diff.is_empty() {
            failures.push(format!("{name}: mapped fields differ: {diff:#?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn an_unknown_party_names_its_location_number() {
    let Some(shared) = common::shared() else {
        return;
    };
    let path = shared
        .join("medcom/legacy/files/glasdam_edifact_converter/test/complete/files/xml/DIS91_2.xml");
    let root = oioxml::read(&std::fs::read(path).expect("readable")).expect("reads");
    let book = CsvAddressBook::from_csv("gln,sor\n5790000121526,265161000016000\n").expect("book");
    let err = migrate::letter_to_fhir(&root, &book).unwrap_err();
    assert_eq!(
        err.to_string(),
        "location number 5790000120314 is not in the address book (no SOR code for it)"
    );
    assert!(matches!(
        err.kind(),
        migrate::MigrateErrorKind::UnknownParty { location } if location == "5790000120314"
    ));
}
