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

/// The test address book for every party the corpus names.
fn corpus_book(corpus: &[(PathBuf, oioxml::Element)]) -> CsvAddressBook {
    let locations: Vec<String> = corpus
        .iter()
        .flat_map(|(_, r)| letters::locations(r))
        .collect();
    CsvAddressBook::from_csv(&letters::address_book_csv(
        locations.iter().map(String::as_str),
    ))
    .expect("the test address book reads")
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn the_front_door_converts_every_letter_to_fhir_and_back_in_its_own_format() {
    use medcom::convert::{ConvertOptions, Target};
    let Some(shared) = common::shared() else {
        return;
    };
    let corpus = corpus(&shared);
    assert!(!corpus.is_empty());
    let options = ConvertOptions::new().address_book(std::sync::Arc::new(corpus_book(&corpus)));
    let mut failures = Vec::new();
    for (path, root) in &corpus {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).expect("readable");
        let edifact = path.extension().is_some_and(|e| e == "edi");
        for to in [Target::Json, Target::Xml] {
            let fhir = match medcom::convert(&bytes, Some(to), &options) {
                Ok(f) => f,
                Err(e) => {
                    failures.push(format!("{name} --to {to}: {e}"));
                    continue;
                }
            };
            assert_eq!(fhir.target(), to);
            let report = medcom::validate_bytes(fhir.bytes());
            if !report.is_valid() {
                failures.push(format!("{name} --to {to}: {:#?}", errors(&report)));
            }
            let back_to = if edifact {
                Target::Edifact
            } else {
                Target::Oioxml
            };
            let back = match medcom::convert(fhir.bytes(), Some(back_to), &options) {
                Ok(b) => b,
                Err(e) => {
                    failures.push(format!("{name} back --to {back_to}: {e}"));
                    continue;
                }
            };
            let report = medcom::validate_bytes(back.bytes());
            if !report.is_valid() {
                failures.push(format!("{name} back: {:#?}", errors(&report)));
            }
            let letter = if edifact {
                convert::to_oioxml(&edifact::read(back.bytes()).expect("reads")).expect("converts")
            } else {
                oioxml::read(back.bytes()).expect("reads")
            };
            let diff = letters::differences(root, &letter);
            if !diff.is_empty() {
                failures.push(format!("{name} back: mapped fields differ: {diff:#?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn a_reply_to_every_correspondence_letter_names_it_by_brevid_and_lokationsnummer() {
    use medcom::messages::{
        Activity, Author, CareCommunication, Context, PersonName, Predecessor, Role, Segment,
    };
    let Some(shared) = common::shared() else {
        return;
    };
    let corpus = corpus(&shared);
    let book = corpus_book(&corpus);
    let mut replied = 0;
    for (path, root) in &corpus {
        let letter = letters::letter(root);
        if letter.name() != "ClinicalEmail" {
            continue;
        }
        let name = path.display();
        let (brevid, ean) = (
            letter
                .child("Letter")
                .expect("Letter")
                .child_text("Identifier"),
            letter
                .child("Sender")
                .expect("Sender")
                .child_text("EANIdentifier"),
        );
        let reply = migrate::reply_to_letter(root, &book).expect("replies");
        let nurse = Author::new(
            PersonName::new("Jensen", &["Ida"]),
            Role::sks("sygeplejerske"),
            reply.sender.clone(),
        );
        let doc = reply
            .with_segment(Segment::text(
                "Tak for brevet.",
                nurse,
                "56671234",
                "2024-05-01T13:00:00+02:00",
            ))
            .build(&Context::new())
            .expect("builds");
        let report = medcom::validate::Validator::new().report(&doc);
        assert!(report.is_valid(), "{name}: {:#?}", errors(&report));
        let read = CareCommunication::read(&doc).expect("reads");
        assert_eq!(read.activity, Activity::ReplyMessage);
        assert_eq!(read.previous, Some(Predecessor::legacy(brevid, ean)));
        let json = medcom::json::to_string(&doc);
        assert!(
            json.contains(&format!(
                r#"{{"role":"revision","what":{{"identifier":{{"value":"{brevid}#{ean}"}}}}}}"#
            )),
            "{name}: {json}"
        );
        // The reply goes back to the letter's sender, from its receiver.
        let sender_sor = book_sor(&book, ean);
        assert_eq!(read.receiver.sor, sender_sor, "{name}");
        replied += 1;
    }
    assert_eq!(replied, 4, "XDIS91 and DIS91 letters replied to");
}

fn book_sor(book: &CsvAddressBook, location: &str) -> String {
    use medcom::migrate::AddressBook;
    book.by_location(location).expect("in the book").sor
}

#[test]
fn without_an_address_book_the_generations_stay_apart() {
    use medcom::convert::{ConvertErrorKind, ConvertOptions, Target};
    let letter = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/cli/letter-xdis91.xml"
    ))
    .expect("fixture");
    let err = medcom::convert(&letter, Some(Target::Json), &ConvertOptions::new()).unwrap_err();
    assert!(matches!(
        err.kind(),
        ConvertErrorKind::Unsupported {
            to: Target::Json,
            legacy: true
        }
    ));
    assert!(err.is_usage());
    let book = CsvAddressBook::from_csv("gln,sor\n5790000121526,265161000016000\n").expect("book");
    let options = ConvertOptions::new().address_book(std::sync::Arc::new(book));
    let err = medcom::convert(&letter, Some(Target::Json), &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "location number 5790001348120 is not in the address book (no SOR code for it)"
    );
    assert!(matches!(err.kind(), ConvertErrorKind::Migrate(_)));
}
