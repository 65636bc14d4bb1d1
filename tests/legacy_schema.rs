//! Legacy schema validation against the shared reference material: every XSD folder that
//! defines a supported message compiles, the committed rules are current, the 48 paired XML test
//! messages and the decoded XREF01 sample validate clean, and mutations of them are reported with
//! the expected code at the expected location.

mod common;

use std::path::{Path, PathBuf};

use medcom::finding::{Finding, Severity};
use medcom::legacy::schema::{self, import, SCHEMA_SETS};

const G: &str = "medcom/legacy/files/glasdam_edifact_converter/data/xml/Schemas";
const O: &str = "medcom/legacy/files/OS2korrespondance/src/main/resources/xsd";

/// Every folder that defines a supported message (XDIS01, XREF01, XDIS91, XDIS16, XDIS20/17/14,
/// XCTL01-03), in both schema trees, plus the folders the paired examples use.
#[rustfmt::skip]
const FOLDERS: &[(&str, &str)] = &[
    (G, "2005/08/07"), (G, "2006/07/01"), (G, "2007/02/01"),
    (O, "2005/08/07"), (O, "2006/07/01"), (O, "2007/02/01"), (O, "2009/08/01"),
    (O, "2012/03/28"), (O, "2013/09/02"), (O, "2015/08/01"), (O, "2017/05/01"),
    (O, "2018/08/06"), (O, "2019/02/19"), (O, "2020/05/06"),
];

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn every_supported_folder_compiles() {
    let Some(shared) = common::shared() else {
        return;
    };
    for (tree, folder) in FOLDERS {
        let path = shared.join(tree).join(folder).join("EMessage.xsd");
        let rules = import::compile(&path, &["Emessage"])
            .unwrap_or_else(|e| panic!("{tree}/{folder}: {e}"));
        let (e, c, s) = rules.counts();
        assert!(
            e > 20 && c > 5 && s > 5,
            "{folder}: {e} elements, {c} complex, {s} simple"
        );
    }
}

/// Which of the other folders compile; those that do not must fail on a listed unsupported
/// feature, never silently.
#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn other_folders_compile_or_name_the_unsupported_feature() {
    let Some(shared) = common::shared() else {
        return;
    };
    let mut report = Vec::new();
    let mut dirs: Vec<PathBuf> = Vec::new();
    let subdirs = |p: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect()
    };
    for y in subdirs(&shared.join(O)) {
        for m in subdirs(&y) {
            dirs.extend(subdirs(&m));
        }
    }
    dirs.sort();
    for dir in dirs {
        let path = dir.join("EMessage.xsd");
        if !path.is_file() {
            continue;
        }
        match import::compile(&path, &["Emessage"]) {
            Ok(_) => report.push(format!("ok   {}", dir.display())),
            Err(e) => {
                assert!(
                    e.message().starts_with("unsupported XSD feature")
                        || e.message().starts_with("unsupported XSD regex feature"),
                    "{}: {e}",
                    dir.display()
                );
                report.push(format!("FAIL {}: {}", dir.display(), e.message()));
            }
        }
    }
    eprintln!("{}", report.join("\n"));
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn committed_rules_are_current() {
    let Some(shared) = common::shared() else {
        return;
    };
    for set in SCHEMA_SETS {
        let rules =
            import::compile_set(&shared, set).unwrap_or_else(|e| panic!("{}: {e}", set.name));
        assert!(
            rules.to_text() == set.text(),
            "schemas/legacy/{}.rules is stale: run `cargo run -- import legacy-schemas ../shared schemas/legacy`",
            set.name
        );
    }
}

#[test]
fn embedded_rules_read() {
    for set in SCHEMA_SETS {
        let rules = set.rules().unwrap_or_else(|e| panic!("{}: {e}", set.name));
        assert_eq!(rules.root_names().next().map(|r| r.0), Some(set.namespace));
    }
}

/// The XML test messages: the 48 paired ones and the decoded XREF01 sample.
fn corpus(shared: &Path) -> Vec<PathBuf> {
    let dir = shared.join("medcom/legacy/files/glasdam_edifact_converter/test/complete/files/xml");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("XML test messages")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    files.push(
        shared.join("medcom/legacy/files/DERIVED_XREF01_Emessage_decoded_from_ehmisbdh_sample.xml"),
    );
    files
}

fn show(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "  {f} @{}",
                f.position().map_or(String::new(), |p| p.to_string())
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn corpus_validates_clean() {
    let Some(shared) = common::shared() else {
        return;
    };
    let files = corpus(&shared);
    assert_eq!(files.len(), 49);
    let mut warnings = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let text = schema::decode(&bytes).unwrap();
        let doc = schema::parse(&text).unwrap();
        let findings = schema::validate_schema(&doc);
        assert!(
            findings.is_empty(),
            "{}:\n{}",
            path.display(),
            show(&findings)
        );
        let ids = schema::validate_identifiers(&doc);
        let errors: Vec<Finding> = ids
            .iter()
            .filter(|f| f.severity() == Severity::Error)
            .cloned()
            .collect();
        assert!(errors.is_empty(), "{}:\n{}", path.display(), show(&errors));
        warnings += ids.len();
    }
    eprintln!(
        "{} messages valid; {warnings} identifier warnings",
        files.len()
    );
}

/// The SBDH samples and what they break: the SBDH XSD declares `BinaryContent` as a local
/// element, so in the SBDH namespace, while the samples put it in the PEPPOL envelope namespace;
/// the acknowledgement sample also writes `Acknowledgement-message` where the enumeration has
/// `acknowledgement-message`.
#[rustfmt::skip]
const ENVELOPE_FINDINGS: &[(&str, &[(&str, &str)])] = &[
    ("20250429_ehmisbdh_sample.xml", &[
        ("xsd-unexpected-element", "/StandardBusinessDocument/BinaryContent"),
    ]),
    ("20250429_ehmisbdh_ack_sample.xml", &[
        ("xsd-unexpected-element", "/StandardBusinessDocument/BinaryContent"),
        ("xsd-enumeration", "/StandardBusinessDocument/StandardBusinessDocumentHeader/DocumentIdentification/Standard"),
    ]),
    ("ehmisbdh_fullsample_sbdhack.xml", &[]),
];

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn envelopes_validate() {
    let Some(shared) = common::shared() else {
        return;
    };
    let base = shared.join("medcom/legacy/files/dk-ehmi-sbdh/input/pagecontent/ehmiSBDH");
    for &(name, expected) in ENVELOPE_FINDINGS {
        let text = common::read(&base.join(name));
        let doc = schema::parse(&text).unwrap();
        let findings = schema::validate_schema(&doc);
        let got: Vec<(&str, &str)> = findings.iter().map(|f| (f.code(), f.location())).collect();
        assert_eq!(got, expected, "{name}:\n{}", show(&findings));
    }
}

/// A mutation: file, text to replace (first occurrence), replacement, expected code, location
/// and line:column.
type Mutation = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const MUTATIONS: &[Mutation] = &[
    // Drop a required element.
    ("DIS01_1", "<PersonSurnameName>Mosebryggersen</PersonSurnameName>", "", "xsd-missing-element", "/Emessage/DischargeLetter/Patient"),
    ("REF01_1", "<StatisticalCode>XREF01</StatisticalCode>", "", "xsd-missing-element", "/Emessage/HospitalReferral/Letter"),
    ("REF01_1", "<AcknowledgementCode>minuspositivkvitt</AcknowledgementCode>", "", "xsd-missing-element", "/Emessage/Envelope"),
    ("DIS91_1", "<Patient><CivilRegistrationNumber>1502824933</CivilRegistrationNumber>", "<Patient>", "xsd-missing-element", "/Emessage/ClinicalEmail/Patient"),
    ("XREF01", "</Patient>", "</Patient><!-- -->", "", ""),
    // Break an enumeration.
    ("DIS01_1", "<AcknowledgementCode>minuspositivkvitt</AcknowledgementCode>", "<AcknowledgementCode>plus</AcknowledgementCode>", "xsd-enumeration", "/Emessage/Envelope/AcknowledgementCode"),
    ("CTL02_1", "<RefuseCode>", "<RefuseCode>x", "xsd-enumeration", "/Emessage/NegativeReceipt/OriginalEmessage/OriginalLetter/RefuseCode"),
    ("DIS01_1", "<StatusCode>rettetbrev</StatusCode>", "<StatusCode>gammeltbrev</StatusCode>", "xsd-enumeration", "/Emessage/DischargeLetter/Letter/StatusCode"),
    // Break a pattern (XD0233L is a version code, but not the discharge letter's).
    ("DIS01_1", "<VersionCode>XD0133L</VersionCode>", "<VersionCode>XD0233L</VersionCode>", "xsd-pattern", "/Emessage/DischargeLetter/Letter/VersionCode"),
    ("DIS01_1", "<Time>12:02</Time>", "<Time>12:60</Time>", "xsd-pattern", "/Emessage/Envelope/Sent/Time"),
    ("DIS01_1", "<CivilRegistrationNumber>0108584947</CivilRegistrationNumber>", "<CivilRegistrationNumber>010858494X</CivilRegistrationNumber>", "xsd-pattern", "/Emessage/DischargeLetter/Patient/CivilRegistrationNumber"),
    // Break a date and a length.
    ("DIS01_1", "<Date>1999-01-15</Date>", "<Date>1999-02-30</Date>", "xsd-date", "/Emessage/Envelope/Sent/Date"),
    ("DIS01_1", "<StatisticalCode>XDIS01</StatisticalCode>", "<StatisticalCode>XDIS01XDIS01</StatisticalCode>", "xsd-length", "/Emessage/DischargeLetter/Letter/StatisticalCode"),
    // Break an occurrence bound.
    ("DIS01_1", "</Receiver>", "</Receiver><Receiver><EANIdentifier>5790000121526</EANIdentifier></Receiver>", "xsd-max-occurs", "/Emessage/DischargeLetter/Receiver[2]"),
    ("DIS01_1", "<Letter>", "<Letter><Identifier>1</Identifier>", "xsd-max-occurs", "/Emessage/DischargeLetter/Letter/Identifier[2]"),
    ("DIS01_1", "<Relative>", "<Relative><RelationCode>far</RelationCode><PersonSurnameName>A</PersonSurnameName></Relative><Relative><RelationCode>far</RelationCode><PersonSurnameName>B</PersonSurnameName></Relative><Relative>", "xsd-max-occurs", "/Emessage/DischargeLetter/Relative[3]"),
    // Elements out of place, unknown elements, text and attributes where none may stand.
    ("DIS01_1", "<Sender>", "<Patient/><Sender>", "xsd-unexpected-element", "/Emessage/DischargeLetter/Patient[1]"),
    ("DIS01_1", "</Patient>", "<Shoe>43</Shoe></Patient>", "xsd-unexpected-element", "/Emessage/DischargeLetter/Patient/Shoe"),
    ("DIS01_1", "<Patient>", "<Patient>text", "xsd-text-not-allowed", "/Emessage/DischargeLetter/Patient"),
    ("DIS01_1", "<Patient>", "<Patient size=\"43\">", "xsd-unexpected-attribute", "/Emessage/DischargeLetter/Patient/@size"),
    // A bad CPR number, location number and SOR code.
    ("DIS01_1", "<CivilRegistrationNumber>0108584947</CivilRegistrationNumber>", "<CivilRegistrationNumber>3102584947</CivilRegistrationNumber>", "dk-cpr-date", "/Emessage/DischargeLetter/Patient/CivilRegistrationNumber"),
    ("XREF01", "<CivilRegistrationNumber>2509479989</CivilRegistrationNumber>", "<CivilRegistrationNumber>2513479989</CivilRegistrationNumber>", "dk-cpr-date", "/Emessage/HospitalReferral/Patient/CivilRegistrationNumber"),
    ("XREF01", "<CivilRegistrationNumber>2509479989</CivilRegistrationNumber>", "<CivilRegistrationNumber>2509479989</CivilRegistrationNumber>", "dk-cpr-modulus11", "/Emessage/HospitalReferral/Patient/CivilRegistrationNumber"),
    ("REF01_1", "<EANIdentifier>5790000121526</EANIdentifier>", "<EANIdentifier>5790000121527</EANIdentifier>", "dk-gln-check-digit", "/Emessage/HospitalReferral/Sender/EANIdentifier"),
    ("XREF01", "<Identifier>8851000016006</Identifier>", "<Identifier>8851000016007</Identifier>", "dk-sor-check-digit", "/Emessage/HospitalReferral/Sender/Identifier"),
    ("XREF01", "<Identifier>8851000016006</Identifier>", "<Identifier>885100001</Identifier>", "dk-sor-format", "/Emessage/HospitalReferral/Sender/Identifier"),
];

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn mutations_are_reported_at_their_location() {
    let Some(shared) = common::shared() else {
        return;
    };
    let files = corpus(&shared);
    for &(file, from, to, code, location) in MUTATIONS {
        let path = files
            .iter()
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().contains(file))
            })
            .unwrap_or_else(|| panic!("{file}"));
        let bytes = std::fs::read(path).unwrap();
        let text = schema::decode(&bytes).unwrap().into_owned();
        let at = text
            .find(from)
            .unwrap_or_else(|| panic!("{file}: `{from}` not found"));
        let mutated = format!("{}{to}{}", &text[..at], &text[at + from.len()..]);
        let doc = schema::parse(&mutated).unwrap();
        let findings = schema::validate(&doc);
        if code.is_empty() {
            // A harmless change (a comment) must stay clean.
            assert!(
                findings.iter().all(|f| f.severity() != Severity::Error),
                "{file}:\n{}",
                show(&findings)
            );
            continue;
        }
        let hit = findings
            .iter()
            .find(|f| f.code() == code && f.location() == location);
        assert!(
            hit.is_some(),
            "{file}: `{from}` → `{to}`: expected {code} at {location}, got\n{}",
            show(&findings)
        );
        let hit = hit.unwrap();
        // The position points into the mutated text, at or before the change.
        // The position is an element start at or just after the change.
        let p = hit.position().expect("position");
        let rest = &mutated[at + to.len()..];
        let after = at + to.len() + rest.len() - rest.trim_start().len();
        assert!(
            p.byte <= after && mutated[p.byte..].starts_with('<'),
            "{file}: position {p} for change at byte {at}"
        );
        if let Some(v) = hit.value() {
            assert!(
                !hit.message().contains(v),
                "{file}: message quotes the value"
            );
        }
    }
}

/// Adversarial inputs for the fuzz harness, one per line.
#[rustfmt::skip]
const NASTY: &[&[u8]] = &[
    b"",
    b"<",
    b"<Emessage xmlns='http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/'/>",
    b"<Emessage xmlns='http://rep.oio.dk/medcom.dk/xml/schemas/2018/08/06/'><Envelope><Envelope/></Envelope></Emessage>",
    b"<?xml version='1.0' encoding='latin1'?><a>\xff</a>",
    b"<?xml version='1.0' encoding='ebcdic'?><a/>",
    b"<VANSEnvelope xmlns='urn:oio:medcom:vans-envelope:1.0.4' xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance' xsi:type='x' xsi:nil='true'/>",
];

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn fuzz_harness_survives_nasty_and_mutated_input() {
    for input in NASTY {
        medcom::__fuzz::xsd_validate(input);
    }
    let deep = format!(
        "<Emessage xmlns='http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/'>{}{}</Emessage>",
        "<Local_Elements>".repeat(300),
        "</Local_Elements>".repeat(300)
    );
    medcom::__fuzz::xsd_validate(deep.as_bytes());
    let Some(shared) = common::shared() else {
        return;
    };
    for path in corpus(&shared).iter().step_by(8) {
        let bytes = std::fs::read(path).unwrap();
        // Truncations and byte flips at spread-out positions (a deterministic stand-in for fuzzing).
        for k in 1..20 {
            let at = bytes.len() * k / 20;
            medcom::__fuzz::xsd_validate(&bytes[..at]);
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x20;
            medcom::__fuzz::xsd_validate(&flipped);
        }
    }
}
