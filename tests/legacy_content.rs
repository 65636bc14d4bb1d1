//! EDIFACT content validation over MedCom's 48 official test letters: every letter validates
//! clean (the wrapped RPT04_2 too, in the library and the CLI); every mutant of every letter
//! gets an error and a negative CONTRL receipt; and the OIOXML and EDIFACT forms of a pair give
//! the same finding codes for the same defect.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use medcom::finding::Severity;
use medcom::legacy::content;
use medcom::legacy::edifact::{self, Interchange, Message, Segment};
use medcom::legacy::receipt::ReceiptOptions;
use medcom::legacy::schema;

fn letters_dir() -> Option<PathBuf> {
    Some(
        common::shared()?.join("medcom/legacy/files/glasdam_edifact_converter/test/complete/files"),
    )
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("edifact"))
        .expect("the letters folder")
        .map(|e| {
            let p = e.expect("an entry").path();
            let stem = p.file_stem().and_then(|s| s.to_str());
            stem.expect("a file name").to_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names.len(), 48);
    names
}

fn errors(v: &content::Validation) -> Vec<String> {
    v.findings()
        .iter()
        .filter(|f| f.severity() == Severity::Error)
        .map(|f| format!("{f} at {:?}", f.position()))
        .collect()
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn official_letters_validate_clean() {
    let Some(dir) = letters_dir() else {
        return;
    };
    let mut problems = Vec::new();
    for name in names(&dir) {
        let edi = std::fs::read(dir.join(format!("edifact/{name}.edi"))).unwrap();
        let v = content::validate(&edi);
        if !v.is_valid() {
            problems.push(format!("{name}: {}", errors(&v).join("; ")));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn cli_validates_official_letters_clean() {
    let Some(dir) = letters_dir() else {
        return;
    };
    let out = Command::new(env!("CARGO_BIN_EXE_medcom"))
        .args(["validate", "--no-profiles"])
        .arg(dir.join("edifact"))
        .output()
        .expect("medcom runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("48 files: 48 valid, 0 invalid (0 errors"),
        "{stdout}"
    );
    let wrapped = Command::new(env!("CARGO_BIN_EXE_medcom"))
        .args(["validate", "--no-profiles"])
        .arg(dir.join("edifact/RPT04_2.edi"))
        .output()
        .expect("medcom runs");
    assert_eq!(wrapped.status.code(), Some(0));
}

/// The first message's body, changed; `None` when the change does not apply to the letter.
type BodyChange = fn(&[Segment]) -> Option<Vec<Segment>>;

fn with_elements(s: &Segment, f: impl FnOnce(&mut Vec<Vec<String>>)) -> Segment {
    let mut elements = s.elements().to_vec();
    f(&mut elements);
    let mut out = Segment::new(s.tag(), elements);
    if let Some(o) = s.object() {
        out = out.with_object(o.to_vec());
    }
    out
}

fn set(elements: &mut Vec<Vec<String>>, element: usize, value: Vec<&str>) {
    while elements.len() < element {
        elements.push(Vec::new());
    }
    elements[element - 1] = value.into_iter().map(str::to_owned).collect();
}

fn unknown_segment(body: &[Segment]) -> Option<Vec<Segment>> {
    let mut b = body.to_vec();
    b.insert(1, Segment::new("XYZ", [vec!["foo"]]));
    Some(b)
}

fn missing_segment(body: &[Segment]) -> Option<Vec<Segment>> {
    let i = body.iter().position(|s| matches!(s.tag(), "PNA" | "UCI"))?;
    let mut b = body.to_vec();
    b.remove(i);
    Some(b)
}

fn missing_group(body: &[Segment]) -> Option<Vec<Segment>> {
    let start = body.iter().position(|s| s.tag() == "S02")?;
    let end = body[start + 1..]
        .iter()
        .position(|s| {
            s.tag().len() == 3
                && s.tag().starts_with('S')
                && s.tag()[1..].bytes().all(|b| b.is_ascii_digit())
        })
        .map_or(body.len(), |n| start + 1 + n);
    let mut b = body.to_vec();
    b.drain(start..end);
    Some(b)
}

fn wrong_order(body: &[Segment]) -> Option<Vec<Segment>> {
    let mut b = body.to_vec();
    if b.len() < 2 || b[0].tag() == b[1].tag() {
        return None;
    }
    b.swap(0, 1);
    Some(b)
}

fn patient(body: &[Segment], cpr: &str) -> Option<Vec<Segment>> {
    let i = body
        .iter()
        .position(|s| s.tag() == "PNA" && s.component(1, 1) == "PAT")?;
    let mut b = body.to_vec();
    b[i] = with_elements(&b[i], |e| set(e, 2, vec![cpr, "", "", "CPR", "IM"]));
    Some(b)
}

fn bad_cpr_date(body: &[Segment]) -> Option<Vec<Segment>> {
    patient(body, "3213584947")
}

fn bad_cpr_form(body: &[Segment]) -> Option<Vec<Segment>> {
    patient(body, "0108584947X")
}

fn party(body: &[Segment], id: Vec<&str>) -> Option<Vec<Segment>> {
    let i = body
        .iter()
        .position(|s| s.tag() == "NAD" && matches!(s.component(1, 1), "SSP" | "PO"))?;
    let mut b = body.to_vec();
    b[i] = with_elements(&b[i], |e| set(e, 2, id));
    Some(b)
}

fn bad_ean(body: &[Segment]) -> Option<Vec<Segment>> {
    party(body, vec!["57900001204", "EAN", "9"])
}

fn bad_sor(body: &[Segment]) -> Option<Vec<Segment>> {
    party(body, vec!["12345X", "SOR", "SST"])
}

fn empty_message(_: &[Segment]) -> Option<Vec<Segment>> {
    Some(Vec::new())
}

/// A changed written interchange; `None` when it does not apply.
type TextChange = fn(&str) -> Option<String>;

fn truncated(text: &str) -> Option<String> {
    let mut cut = text.len() / 2;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    Some(text[..cut].to_owned())
}

fn bump(text: &str, tag: &str) -> Option<String> {
    let at = text.find(tag)? + tag.len();
    let end = at + text[at..].find(['+', '\''])?;
    let n: usize = text[at..end].parse().ok()?;
    let mut out = text.to_owned();
    out.replace_range(at..end, &(n + 1).to_string());
    Some(out)
}

fn unt_count(text: &str) -> Option<String> {
    bump(text, "\nUNT+")
}

fn unz_count(text: &str) -> Option<String> {
    bump(text, "\nUNZ+")
}

/// One line per mutation: (name, body change, text change).
#[rustfmt::skip]
const MUTATIONS: &[(&str, Option<BodyChange>, Option<TextChange>)] = &[
    ("unknown segment", Some(unknown_segment), None),
    ("missing mandatory segment", Some(missing_segment), None),
    ("missing group", Some(missing_group), None),
    ("wrong segment order", Some(wrong_order), None),
    ("CPR without a date", Some(bad_cpr_date), None),
    ("CPR of the wrong form", Some(bad_cpr_form), None),
    ("malformed EAN location number", Some(bad_ean), None),
    ("malformed SOR code", Some(bad_sor), None),
    ("empty message", Some(empty_message), None),
    ("truncated letter", None, Some(truncated)),
    ("wrong UNT count", None, Some(unt_count)),
    ("wrong UNZ count", None, Some(unz_count)),
];

fn mutate(
    interchange: &Interchange,
    body: Option<BodyChange>,
    text: Option<TextChange>,
) -> Option<Vec<u8>> {
    let mut messages: Vec<Message> = interchange.messages().to_vec();
    if let Some(change) = body {
        let first = messages.first()?;
        let changed = change(first.body())?;
        messages[0] = Message::new(first.header().clone(), changed);
    }
    let rebuilt = Interchange::new(interchange.header().clone(), messages);
    let bytes = edifact::write(&rebuilt).expect("a rebuilt interchange writes");
    match text {
        None => Some(bytes),
        Some(change) => {
            let latin1: String = bytes.iter().map(|&b| char::from(b)).collect();
            let changed = change(&latin1)?;
            Some(
                changed
                    .chars()
                    .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                    .collect(),
            )
        }
    }
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn every_mutant_is_an_error_with_a_negative_receipt() {
    let Some(dir) = letters_dir() else {
        return;
    };
    let options = ReceiptOptions::new("R1", "L1", "2024-05-01", "10:00");
    let mut problems = Vec::new();
    for (mutation, body, text) in MUTATIONS {
        let mut applied = 0;
        for name in names(&dir) {
            let edi = std::fs::read(dir.join(format!("edifact/{name}.edi"))).unwrap();
            let interchange = edifact::read(&edi).unwrap();
            let Some(mutant) = mutate(&interchange, *body, *text) else {
                continue;
            };
            applied += 1;
            let v = content::validate(&mutant);
            if v.is_valid() {
                problems.push(format!("{name} {mutation}: valid ({:?})", v.findings()));
                continue;
            }
            let receipt = match v.receipt(&options) {
                Ok(Some(r)) => r,
                other => {
                    problems.push(format!("{name} {mutation}: no receipt: {other:?}"));
                    continue;
                }
            };
            let m = &receipt.messages()[0];
            let actions: Vec<&str> = m
                .body()
                .iter()
                .filter_map(|s| match s.tag() {
                    "UCI" => Some(s.component(4, 1)),
                    "UCM" => Some(s.component(3, 1)),
                    _ => None,
                })
                .collect();
            if m.version() != "C0230Q" || actions.is_empty() || actions.iter().any(|a| *a != "4") {
                problems.push(format!(
                    "{name} {mutation}: not a negative receipt: {} {actions:?}",
                    m.version()
                ));
            }
        }
        eprintln!("{mutation}: {applied} mutants");
        assert!(applied >= 3, "{mutation} applies to {applied} letters only");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The segment of a defect in EDIFACT, and the XML element of the same defect: (name, EDIFACT
/// change, XML element inside which the first text is replaced, XML replacement).
#[rustfmt::skip]
const PAIRED: &[(&str, BodyChange, &str, &str)] = &[
    ("CPR without a date", bad_cpr_date, "CivilRegistrationNumber", "3213584947"),
    ("CPR of the wrong form", bad_cpr_form, "CivilRegistrationNumber", "0108584947X"),
    ("authorisation date", bad_date, "Authorisation><Date", "1999-13-45"),
];

fn bad_date(body: &[Segment]) -> Option<Vec<Segment>> {
    let i = body.iter().position(|s| s.tag() == "DTM")?;
    let mut b = body.to_vec();
    let date = b[i].component(1, 2).get(..8)?.to_owned();
    // Month 13, day 45; the time and the format (203, 204) stay. A prescription repeats the
    // authorisation date in DTM+97: the same defect changes it there too.
    b = b
        .iter()
        .enumerate()
        .map(|(j, s)| {
            let repeated =
                s.tag() == "DTM" && s.component(1, 1) == "97" && s.component(1, 2) == date;
            if j != i && !repeated {
                return s.clone();
            }
            let time = s.component(1, 2).get(8..).unwrap_or("").to_owned();
            let q = s.component(1, 1).to_owned();
            let format = s.component(1, 3).to_owned();
            with_elements(s, |e| {
                set(e, 1, vec![&q, &format!("19991345{time}"), &format])
            })
        })
        .collect();
    Some(b)
}

fn replace_xml_text(xml: &str, element: &str, value: &str) -> Option<String> {
    let open = format!("<{element}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find('<')?;
    let mut out = xml.to_owned();
    out.replace_range(start..end, value);
    Some(out)
}

fn codes<'a>(
    findings: impl Iterator<Item = &'a medcom::finding::Finding>,
) -> BTreeSet<&'static str> {
    findings
        .filter(|f| f.severity() == Severity::Error)
        .map(|f| f.code())
        .collect()
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn paired_forms_give_the_same_codes_for_the_same_defect() {
    let Some(dir) = letters_dir() else {
        return;
    };
    let mut problems = Vec::new();
    for (defect, change, element, value) in PAIRED {
        let mut compared = 0;
        for name in names(&dir) {
            let edi = std::fs::read(dir.join(format!("edifact/{name}.edi"))).unwrap();
            let xml = std::fs::read(dir.join(format!("xml/{name}.xml"))).unwrap();
            let xml: String = xml.iter().map(|&b| char::from(b)).collect();
            let Some(xml) = replace_xml_text(&xml, element, value) else {
                continue;
            };
            let interchange = edifact::read(&edi).unwrap();
            let Some(mutant) = mutate(&interchange, Some(*change), None) else {
                continue;
            };
            compared += 1;
            let xml_bytes: Vec<u8> = xml
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect();
            let xml_findings = schema::validate_bytes(&xml_bytes).unwrap();
            let edi_validation = content::validate(&mutant);
            let (a, b) = (
                codes(xml_findings.iter()),
                codes(edi_validation.findings().iter()),
            );
            if a.is_empty() || a != b {
                problems.push(format!("{name} {defect}: OIOXML {a:?}, EDIFACT {b:?}"));
            }
        }
        eprintln!("{defect}: {compared} pairs");
        assert!(compared >= 20, "{defect}: {compared} pairs only");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A letter the conversion refuses (an unknown segment) still gets its identifiers checked.
#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn identifiers_are_checked_when_the_conversion_refuses() {
    let Some(dir) = letters_dir() else {
        return;
    };
    let edi = std::fs::read(dir.join("edifact/DIS01_1.edi")).expect("DIS01_1");
    let interchange = edifact::read(&edi).expect("reads");
    let both: BodyChange = |body| unknown_segment(&bad_cpr_date(body)?);
    let mutant = mutate(&interchange, Some(both), None).expect("applies");
    let got: BTreeSet<&str> = codes(content::validate(&mutant).findings().iter());
    let want: BTreeSet<&str> = ["dk-cpr-date", "edifact-unexpected-segment"].into();
    assert_eq!(got, want);
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn findings_point_at_segment_element_and_component() {
    let Some(dir) = letters_dir() else {
        return;
    };
    let edi = std::fs::read(dir.join("edifact/DIS01_1.edi")).unwrap();
    let interchange = edifact::read(&edi).unwrap();
    let mutant = mutate(&interchange, Some(bad_cpr_date), None).unwrap();
    let v = content::validate(&mutant);
    let f = v
        .findings()
        .iter()
        .find(|f| f.code() == "dk-cpr-date")
        .expect("dk-cpr-date");
    assert!(f.location().starts_with("UNH[1]/PNA["), "{}", f.location());
    assert!(f.location().ends_with("]/2:1"), "{}", f.location());
    assert!(
        !f.message().contains("3213584947"),
        "masked: {}",
        f.message()
    );
    assert_eq!(f.value(), Some("3213584947"));
    let p = f.position().unwrap();
    let text: String = mutant.iter().map(|&b| char::from(b)).collect();
    let line = text.lines().nth(p.line as usize - 1).unwrap();
    assert!(
        line[p.column as usize - 1..].starts_with("3213584947"),
        "{line} {p:?}"
    );
}

/// `medcom ack` answers an EDIFACT letter with errors with a negative CONTRL (action 4), and a
/// clean one with a positive CONTRL (action 7).
#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn cli_ack_refuses_letters_with_errors() {
    let Some(dir) = letters_dir() else {
        return;
    };
    let ack = |bytes: &[u8]| {
        let path = std::env::temp_dir().join(format!("medcom-ack-{}.edi", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_medcom"))
            .arg("ack")
            .arg(&path)
            .output()
            .expect("medcom runs");
        let _ = std::fs::remove_file(&path);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        edifact::read(&out.stdout).unwrap()
    };
    let edi = std::fs::read(dir.join("edifact/DIS06_1.edi")).unwrap();
    let clean = ack(&edi);
    assert_eq!(clean.messages()[0].version(), "C0330Q");
    assert_eq!(clean.messages()[0].body()[0].component(4, 1), "7");
    let interchange = edifact::read(&edi).unwrap();
    let mutant = mutate(&interchange, Some(unknown_segment), None).unwrap();
    let refused = ack(&mutant);
    let m = &refused.messages()[0];
    assert_eq!(m.version(), "C0230Q");
    assert_eq!(m.body()[0].component(4, 1), "4");
    let ucm = m.body().iter().find(|s| s.tag() == "UCM").expect("UCM");
    assert_eq!(ucm.component(3, 1), "4");
    let ftx = m.body().iter().find(|s| s.tag() == "FTX").expect("FTX");
    assert_eq!(ftx.component(1, 1), "SYN");
}

/// `medcom receive` answers an EDIFACT letter with errors with the same negative CONTRL as
/// `ack` (action 4), and says so on its JSON line.
#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn cli_receive_refuses_letters_with_errors() {
    let Some(dir) = letters_dir() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let edi = std::fs::read(dir.join("edifact/DIS06_1.edi")).unwrap();
    let interchange = edifact::read(&edi).unwrap();
    let mutant = mutate(&interchange, Some(unknown_segment), None).unwrap();
    let input = work.path().join("mutant.edi");
    std::fs::write(&input, &mutant).unwrap();
    let answer = work.path().join("answer.edi");
    let out = Command::new(env!("CARGO_BIN_EXE_medcom"))
        .arg("receive")
        .arg("--store")
        .arg(work.path().join("mb.sqlite"))
        .arg("--ack-out")
        .arg(&answer)
        .arg(&input)
        .output()
        .expect("medcom runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON line");
    assert_eq!(line["decision"], "process", "{line}");
    let receipt = edifact::read(&std::fs::read(&answer).expect("answer")).unwrap();
    let m = &receipt.messages()[0];
    assert_eq!(m.version(), "C0230Q");
    assert_eq!(m.body()[0].component(4, 1), "4");
    let ftx = m.body().iter().find(|s| s.tag() == "FTX").expect("FTX");
    assert_eq!(ftx.component(1, 1), "SYN");
}
