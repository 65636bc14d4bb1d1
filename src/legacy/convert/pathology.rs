//! The MEDRPT pathology reports: RPT03 cervix cytology (R0330P ⇄ `CervixcytologyReport`) and
//! RPT04 histopathology (R0430P ⇄ `HistopathologyReport`). One layout, one table row per type
//! ([`KINDS`]).
//!
//! Facts from MedCom's converter (its R0330P and R0430P mappings) and its paired messages:
//! - parties as in the laboratory report; `NAD+BV` groups are people, told apart by `RFF+AHL`:
//!   1 the sender's examinator, 2 the receiver's physician, 3 the copy receiver's physician;
//! - S04 holds the requisition identifiers (`ROI` requester's, `SOI` laboratory's) and the
//!   sampling (`DTM+4`) and reception (`DTM+8`) times; S06 the patient's address with the
//!   municipality in ADR 6; S07 the patient (`HAN` consent) and a relative (`PNA+PER`, `REL`);
//!   S10 the clinical information;
//! - each S16 is a sample (`SEQ`, `SPC`, `RFF+STI`/`RTI`, material text `FTX+SRC`), followed by
//!   result groups starting at `GIS`: the first is the table result (`INV+OE`, `RSL`, `STS`,
//!   whose GIS and STS give the report status), the second names the diagnoses (its first
//!   `INV+OE`; a material headline may follow as its last), then coded material groups
//!   (`CIN+CCI` topography then results, `CIN+SPC` comments, `INV+NR`, `RFF+ASL` the sample's
//!   SEQ) and text groups whose FTX qualifier names the section (`MAC`, `MIC`, `KON`, `HEM`,
//!   `SPC`);
//! - haematology lines are fixed columns: cell type 1–40, marrow 41–51, peripheral 53–63.

use super::codes;
use super::common::{
    check_known, code_xml, dtm203, find, find_q, located, party_to_edi, party_to_xml, push_adr,
    push_cc_receiver, push_contact_person, push_dtm203, push_nonempty, required, spr, Body,
};
use super::{text, Letter};
use crate::legacy::edifact::{seg, Message, Segment};
use crate::legacy::oioxml::Element;
use crate::legacy::{LegacyError, LegacyErrorKind};

/// One pathology report type.
pub(crate) struct Kind {
    /// EDIFACT version (UNH 2:5).
    pub(crate) version: &'static str,
    /// OIOXML letter root.
    pub(crate) root: &'static str,
    /// MedCom message name (UNH 3 and SPR).
    pub(crate) code: &'static str,
    /// S04 RFF qualifier ⇄ requisition element, in schema order.
    requisition: [(&'static str, &'static str); 2],
    /// S16 RFF qualifier ⇄ sample element, in schema order.
    sample: [(&'static str, &'static str); 2],
    /// Whether coded results carry a headline and name their sample (`RFF+ASL`).
    linked: bool,
    /// Text sections the type allows: FTX qualifier ⇄ element, in schema order.
    sections: &'static [(&'static str, &'static str)],
}

/// The pathology family (facts from MedCom's converter and paired messages).
#[rustfmt::skip]
pub(crate) const KINDS: &[Kind] = &[
    Kind {
        version: "R0330P", root: "CervixcytologyReport", code: "RPT03",
        requisition: [("SOI", "LaboratoryInternalSampleIdentifier"), ("ROI", "RequesterSampleIdentifier")],
        sample: [("STI", "LaboratoryInternalSampleIdentifier"), ("RTI", "RequesterSampleIdentifier")],
        linked: false,
        sections: &[("MIC", "Microscopic"), ("KON", "Conclusion"), ("SPC", "Comments")],
    },
    Kind {
        version: "R0430P", root: "HistopathologyReport", code: "RPT04",
        requisition: [("ROI", "RequestersRequisitionIdentifier"), ("SOI", "ReceiversRequisitionIdentifier")],
        sample: [("RTI", "RequesterSampleIdentifier"), ("STI", "LaboratoryInternalSampleIdentifier")],
        linked: true,
        sections: &[("MAC", "Macroscopic"), ("MIC", "Microscopic"), ("KON", "Conclusion"), ("HEM", "Hematology"), ("SPC", "Comments")],
    },
];

/// (GIS 1:1, STS 2:1) of the table result → `ResultStatusCode`.
const STATUS: &[(&str, &str, &str)] = &[
    ("N", "FR", "svar_endeligt"),
    ("M", "FR", "svar_rettet"),
    ("N", "PR", "svar_midlertidigt"),
];

/// `RFF+AHL` value ⇄ the person's element and its parent.
const PEOPLE: &[(&str, &str, &str)] = &[
    ("1", "Sender", "Examinator"),
    ("2", "Receiver", "Physician"),
    ("3", "CCReceiver", "Physician"),
];

/// Haematology columns: (first character, width), 1-based as MedCom's converter counts.
const COLUMNS: [(usize, usize); 3] = [(1, 40), (41, 11), (53, 11)];

/// The segments each group may hold; anything else is an error, never dropped.
const ALLOWED: &[(&str, &[&str])] = &[
    ("", &["BGM", "DTM"]),
    ("01", &["NAD", "ADR", "SEQ", "SPR", "RFF"]),
    ("02", &["GIS", "RFF", "STS", "DTM", "FTX"]),
    ("04", &["RFF", "DTM"]),
    ("06", &["ADR"]),
    ("07", &["PNA", "HAN", "REL"]),
    ("10", &["FTX"]),
    (
        "16",
        &[
            "SEQ", "SPC", "RFF", "FTX", "GIS", "INV", "RSL", "STS", "CIN",
        ],
    ),
];

fn known(kind: &Kind, group: &str, s: &Segment) -> bool {
    let q = s.component(1, 1);
    match (group, s.tag()) {
        ("01", "NAD") => matches!(q, "SLA" | "PO" | "CCR" | "BV"),
        ("01", "RFF") => q == "AHL" && PEOPLE.iter().any(|(v, _, _)| *v == s.component(1, 2)),
        ("02", "GIS") => q == "N",
        ("02", "STS") => s.component(2, 1) == "K",
        ("02", "RFF") => q == "SRI",
        ("02", "DTM") => q == "ISR",
        ("02", "FTX") => q == "SPC",
        ("04", "RFF") => matches!(q, "SOI" | "ROI"),
        ("04", "DTM") => matches!(q, "4" | "8"),
        ("06", "ADR") => s.component(1, 2) == "PO",
        ("07", "PNA") => matches!(q, "PAT" | "PER"),
        ("07", "HAN") => q == "CDS",
        ("07", "REL") => q == "PER",
        ("10", "FTX") => q == "CID",
        ("16", "SPC") => q == "SCI" && s.component(2, 1) == "ATT",
        ("16", "RFF") => matches!(q, "STI" | "RTI") || (kind.linked && q == "ASL"),
        ("16", "FTX") => q == "SRC" || kind.sections.iter().any(|(f, _)| *f == q),
        ("16", "INV") => matches!(q, "OE" | "NR"),
        ("16", "CIN") => matches!(q, "CCI" | "SPC"),
        _ => true,
    }
}

fn kind_of(pred: impl Fn(&Kind) -> bool, version: &str) -> Result<&'static Kind, LegacyError> {
    KINDS.iter().find(|k| pred(k)).ok_or_else(|| {
        LegacyError::new(LegacyErrorKind::UnsupportedMessage {
            version: version.chars().take(16).collect(),
        })
    })
}

fn unexpected(name: &str) -> LegacyError {
    LegacyError::new(LegacyErrorKind::UnexpectedSegment {
        tag: name.chars().take(40).collect(),
    })
}

/// A sample (S16 header) and the result groups (from `GIS`) of all S16 groups.
struct Parts<'a> {
    samples: Vec<Vec<&'a Segment>>,
    results: Vec<Vec<&'a Segment>>,
}

fn parts<'a>(body: &Body<'a>) -> Parts<'a> {
    let mut p = Parts {
        samples: Vec::new(),
        results: Vec::new(),
    };
    for g in body.groups("16") {
        let mut header = Vec::new();
        let mut in_results = false;
        for s in g {
            if s.tag() == "GIS" {
                in_results = true;
                p.results.push(Vec::new());
            }
            match p.results.last_mut() {
                Some(r) if in_results => r.push(*s),
                _ => header.push(*s),
            }
        }
        p.samples.push(header);
    }
    p
}

/// What a result group is.
#[derive(PartialEq)]
enum Role {
    Table,
    Headline,
    Material,
    Section(&'static str),
}

fn role(kind: &Kind, n: usize, group: &[&Segment]) -> Role {
    if group.iter().any(|s| s.tag() == "CIN") {
        return Role::Material;
    }
    let section = group.iter().find_map(|s| {
        let q = s.component(1, 1);
        kind.sections
            .iter()
            .find(|(f, _)| s.tag() == "FTX" && *f == q)
            .map(|(_, e)| Role::Section(e))
    });
    match section {
        Some(r) => r,
        None if n == 0 => Role::Table,
        None => Role::Headline,
    }
}

/// EDIFACT → OIOXML.
pub(crate) fn to_xml(letter: &Letter<'_>, message: &Message) -> Result<Element, LegacyError> {
    let kind = kind_of(|k| k.version == message.version(), message.version())?;
    let body = Body::new(message.body());
    check_known(&body, ALLOWED, |g, s| known(kind, g, s))?;
    let mut root = Element::new(kind.root, letter.namespace);
    let mut l = root.child_element("Letter");
    l.push_text_child("Identifier", letter.reference);
    l.push_text_child("VersionCode", format!("X{}", kind.version));
    l.push_text_child("StatisticalCode", format!("X{}", kind.code));
    if let Some(dtm) = letter.head.iter().find(|s| s.tag() == "DTM") {
        let mut a = l.child_element("Authorisation");
        push_dtm203(&mut a, dtm)?;
        l.push(a);
    }
    l.push_text_child("TypeCode", format!("X{}", kind.code));
    root.push(l);
    for (qual, name, ean) in [
        ("SLA", "Sender", Some(letter.sender_ean)),
        ("PO", "Receiver", Some(letter.recipient_ean)),
        ("CCR", "CCReceiver", None),
    ] {
        let Some(g) = body.party("01", "NAD", qual) else {
            continue;
        };
        let mut e = root.child_element(name);
        if let Some(ean) = ean {
            e.push_text_child("EANIdentifier", ean);
        }
        party_to_xml(&mut e, g, false, name == "Sender")?;
        for (value, _, person) in PEOPLE.iter().filter(|(_, p, _)| *p == name) {
            let group = body.groups("01").find(|g| {
                find_q(g, "NAD", "BV").is_some()
                    && find_q(g, "RFF", "AHL").is_some_and(|r| r.component(1, 2) == *value)
            });
            if let Some(nad) = group.and_then(|g| find(g, "NAD")) {
                let mut p = e.child_element(*person);
                p.push_text_child("PersonInitials", nad.component(4, 1));
                e.push(p);
            }
        }
        root.push(e);
    }
    let s07: Vec<&[&Segment]> = body.groups("07").collect();
    let patient = s07
        .iter()
        .find(|g| find_q(g, "PNA", "PAT").is_some())
        .copied()
        .unwrap_or(&[]);
    let mut p = root.child_element("Patient");
    if let Some(pna) = find(patient, "PNA") {
        push_nonempty(&mut p, "CivilRegistrationNumber", pna.component(2, 1));
        p.push_text_child("PersonSurnameName", pna.component(5, 2));
        push_nonempty(&mut p, "PersonGivenName", pna.component(6, 2));
    }
    if let Some(adr) = body.groups("06").next().and_then(|g| find(g, "ADR")) {
        push_adr(&mut p, adr);
        push_nonempty(&mut p, "MunicipalityId", adr.component(6, 1));
        push_nonempty(&mut p, "MunicipalityName", adr.component(6, 4));
    }
    if let Some(han) = find(patient, "HAN") {
        let mut c = p.child_element("Consent");
        c.push_text_child("Given", "true");
        push_nonempty(&mut c, "Text", han.component(1, 4));
        p.push(c);
    }
    root.push(p);
    for g in s07.iter().filter(|g| find_q(g, "PNA", "PER").is_some()) {
        let mut r = root.child_element("Relative");
        if let Some(rel) = find(g, "REL") {
            let code = code_xml(codes::RELATION, "RelationCode", rel.component(2, 1), rel)?;
            r.push_text_child("RelationCode", code);
        }
        if let Some(pna) = find(g, "PNA") {
            push_nonempty(&mut r, "PersonIdentifier", pna.component(2, 1));
            r.push_text_child("PersonSurnameName", pna.component(5, 2));
            push_nonempty(&mut r, "PersonGivenName", pna.component(6, 2));
        }
        root.push(r);
    }
    let s02 = body.groups("02").next().unwrap_or(&[]);
    let s04 = body.groups("04").next().unwrap_or(&[]);
    let mut req = root.child_element("RequisitionInformation");
    for (q, name) in kind.requisition {
        if let Some(rff) = find_q(s04, "RFF", q) {
            req.push_text_child(name, rff.component(1, 2));
        }
    }
    for (q, name) in [("4", "SamplingDateTime"), ("8", "SampleReceivedDateTime")] {
        if let Some(dtm) = find_q(s04, "DTM", q) {
            let mut d = req.child_element(name);
            push_dtm203(&mut d, dtm)?;
            req.push(d);
        }
    }
    for (group, name) in [
        (
            body.groups("10").next().unwrap_or(&[]),
            "ClinicalInformation",
        ),
        (s02, "Comments"),
    ] {
        let texts: Vec<&&Segment> = group.iter().filter(|s| s.tag() == "FTX").collect();
        if !texts.is_empty() {
            let mut t = req.child_element(name);
            for ftx in texts {
                text::push_formatted(&mut t, ftx);
            }
            req.push(t);
        }
    }
    root.push(req);
    root.push(results_to_xml(kind, &root, &body, s02)?);
    Ok(root)
}

fn results_to_xml(
    kind: &Kind,
    parent: &Element,
    body: &Body<'_>,
    s02: &[&Segment],
) -> Result<Element, LegacyError> {
    let p = parts(body);
    let roles: Vec<Role> = p
        .results
        .iter()
        .enumerate()
        .map(|(n, g)| role(kind, n, g))
        .collect();
    let mut results = parent.child_element("LaboratoryResults");
    let mut general = results.child_element("GeneralResultInformation");
    let table = p.results.first().map_or(&[][..], Vec::as_slice);
    let gis = find(table, "GIS").map_or("", |s| s.component(1, 1));
    let sts = find(table, "STS").map_or("", |s| s.component(2, 1));
    let status = STATUS
        .iter()
        .find(|(g, s, _)| *g == gis && *s == sts)
        .map(|(_, _, c)| *c)
        .ok_or_else(|| {
            LegacyError::new(LegacyErrorKind::UnknownCode {
                field: "ResultStatusCode",
                code: format!("{gis}/{sts}").chars().take(16).collect(),
            })
        })?;
    general.push_text_child("ResultStatusCode", status);
    if let Some(dtm) = find_q(s02, "DTM", "ISR") {
        let mut d = general.child_element("ResultsDateTime");
        push_dtm203(&mut d, dtm)?;
        general.push(d);
    }
    if let Some(rff) = find_q(s02, "RFF", "SRI") {
        general.push_text_child(
            "LaboratoryInternalProductionIdentifier",
            rff.component(1, 2),
        );
    }
    results.push(general);
    let mut coded = results.child_element("CodedFormat");
    let headline = p
        .results
        .iter()
        .zip(&roles)
        .filter(|(_, r)| **r == Role::Headline)
        .find_map(|(g, _)| find_q(g, "INV", "OE"));
    if let Some(inv) = headline {
        coded.push_text_child("DiagnosisHeadline", inv.component(2, 4));
    }
    for header in &p.samples {
        let mut sample = coded.child_element("Sample");
        for (q, name) in kind.sample {
            if let Some(rff) = find_q(header, "RFF", q) {
                sample.push_text_child(name, rff.component(1, 2));
            }
        }
        let mut material = sample.child_element("MaterialDescription");
        for ftx in header.iter().filter(|s| s.tag() == "FTX") {
            text::push_plain(&mut material, text::components(ftx));
        }
        sample.push(material);
        let seq = find(header, "SEQ").map_or("", |s| s.component(2, 1));
        for (n, g) in p.results.iter().enumerate() {
            let own = find_q(g, "RFF", "ASL").map_or("", |s| s.component(1, 2));
            if roles.get(n) != Some(&Role::Material) || (kind.linked && own != seq) {
                continue;
            }
            let mut c = sample.child_element("CodedResults");
            if kind.linked {
                let before = n.checked_sub(1).and_then(|b| p.results.get(b));
                let inv = before.and_then(|b| b.iter().rev().find(|s| s.tag() == "INV"));
                c.push_text_child("Headline", inv.map_or("", |s| s.component(2, 4)));
            }
            coded_results(&mut c, g);
            sample.push(c);
        }
        coded.push(sample);
    }
    results.push(coded);
    let mut table_format = results.child_element("TableFormat");
    if let Some(inv) = find(table, "INV") {
        table_format.push_text_child("ResultHeadline", inv.component(2, 4));
    }
    if let Some(rsl) = find(table, "RSL") {
        table_format.push_text_child("TableResult", rsl.component(2, 1));
    }
    results.push(table_format);
    let mut textual = results.child_element("TextualFormat");
    for (_, element) in kind.sections {
        for (g, _) in p
            .results
            .iter()
            .zip(&roles)
            .filter(|(_, r)| matches!(r, Role::Section(e) if e == element))
        {
            textual.push(section_to_xml(&textual, element, g)?);
        }
    }
    results.push(textual);
    Ok(results)
}

fn coded_results(c: &mut Element, g: &[&Segment]) {
    let mut first = true;
    let mut current: Option<Element> = None;
    for cin in g.iter().filter(|s| s.tag() == "CIN") {
        if cin.component(1, 1) == "SPC" {
            if let Some(e) = current.as_mut() {
                e.push_text_child("Comment", cin.component(2, 4));
            }
            continue;
        }
        if let Some(e) = current.take() {
            c.push(e);
        }
        let mut e = c.child_element(if first { "Topography" } else { "Result" });
        first = false;
        e.push_text_child("Code", cin.component(2, 1));
        e.push_text_child("Text", cin.component(2, 4));
        current = Some(e);
    }
    if let Some(e) = current {
        c.push(e);
    }
}

fn section_to_xml(parent: &Element, element: &str, g: &[&Segment]) -> Result<Element, LegacyError> {
    let mut e = parent.child_element(element);
    let inv = find_q(g, "INV", "OE");
    e.push_text_child("Headline", inv.map_or("", |s| s.component(2, 4)));
    let texts: Vec<&&Segment> = g.iter().filter(|s| s.tag() == "FTX").collect();
    if element == "Hematology" {
        for (n, ftx) in texts.iter().enumerate() {
            let line = ftx.component(4, 1);
            let [a, b, c] = COLUMNS.map(|(start, width)| column(line, start, width));
            if n == 0 {
                let mut labels = e.child_element("Labels");
                labels.push_text_child("CellTypes", a);
                labels.push_text_child("Marrow", b);
                labels.push_text_child("Peripheral", c);
                e.push(labels);
            } else {
                let mut r = e.child_element("Result");
                r.push_text_child("CellType", a);
                r.push_text_child("Marrow", b);
                r.push_text_child("Peripheral", c);
                e.push(r);
            }
            if text::components(ftx).len() > 1 || ftx.component(2, 1) != "F00" {
                return Err(located(unexpected("FTX+HEM"), ftx));
            }
        }
    } else if !texts.is_empty() {
        let mut t = e.child_element("Text");
        for ftx in texts {
            text::push_formatted(&mut t, ftx);
        }
        e.push(t);
    }
    Ok(e)
}

/// XPath `normalize-space(substring(line, start, width))`.
fn column(line: &str, start: usize, width: usize) -> String {
    let part: String = line.chars().skip(start - 1).take(width).collect();
    part.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// OIOXML elements the conversion has no EDIFACT place for: an error, never dropped.
const UNMAPPED: &[&str] = &["Reference"];

/// OIOXML → EDIFACT body.
pub(crate) fn to_edi(letter: &Element) -> Result<Vec<Segment>, LegacyError> {
    let kind = kind_of(|k| k.root == letter.name(), letter.name())?;
    reject(letter, &format!("/Emessage/{}", kind.root), 0)?;
    let l = required(letter, "Letter")?;
    let sender = required(letter, "Sender")?;
    let receiver = required(letter, "Receiver")?;
    let patient = required(letter, "Patient")?;
    let req = required(letter, "RequisitionInformation")?;
    let results = required(letter, "LaboratoryResults")?;
    let general = required(results, "GeneralResultInformation")?;
    let mut out = vec![seg!("BGM", ["LRP"], [""], ["9"], ["NA"])];
    out.push(dtm203("137", required(l, "Authorisation")?)?);
    out.push(seg!("S01", ["01"]));
    party_to_edi(&mut out, "SLA", sender, false, false)?;
    out.push(seg!("SEQ", [""], ["1"]));
    out.push(spr(sender, kind.code, ["SKS", "SST"])?);
    out.push(seg!("S01", ["01"]));
    party_to_edi(&mut out, "PO", receiver, false, false)?;
    out.push(seg!("SEQ", [""], ["2"]));
    let mut seq: u32 = 3;
    let cc = letter.child("CCReceiver");
    push_cc_receiver(&mut out, letter, &mut seq)?;
    for (value, parent, person) in PEOPLE {
        let owner = match *parent {
            "Sender" => Some(sender),
            "Receiver" => Some(receiver),
            _ => cc,
        };
        if let Some(p) = owner.and_then(|o| o.child(person)) {
            push_contact_person(&mut out, p, value, &mut seq);
        }
    }
    out.push(seg!("S02", ["02"]));
    out.push(seg!("GIS", ["N"]));
    out.push(seg!(
        "RFF",
        [
            "SRI",
            general.child_text("LaboratoryInternalProductionIdentifier")
        ]
    ));
    out.push(seg!("STS", [""], ["K"]));
    out.push(dtm203("ISR", required(general, "ResultsDateTime")?)?);
    if let Some(c) = req.child("Comments") {
        out.extend(text::to_ftx("SPC", c)?);
    }
    out.push(seg!("S04", ["04"]));
    for q in ["ROI", "SOI"] {
        if let Some((_, name)) = kind.requisition.iter().find(|(r, _)| *r == q) {
            if let Some(e) = req.child(name) {
                out.push(seg!("RFF", [q, e.text()]));
            }
        }
    }
    out.push(dtm203("4", required(req, "SamplingDateTime")?)?);
    if let Some(d) = req.child("SampleReceivedDateTime") {
        out.push(dtm203("8", d)?);
    }
    out.push(seg!("S06", ["06"]));
    let address = [
        "StreetName",
        "SuburbName",
        "DistrictName",
        "PostCodeIdentifier",
        "MunicipalityId",
        "MunicipalityName",
    ];
    if address.iter().any(|a| patient.child(a).is_some()) {
        out.push(seg!(
            "ADR",
            ["", "PO"],
            [
                "US",
                patient.child_text("StreetName"),
                patient.child_text("SuburbName")
            ],
            [patient.child_text("DistrictName")],
            [patient.child_text("PostCodeIdentifier")],
            [""],
            [
                patient.child_text("MunicipalityId"),
                if patient.child("MunicipalityId").is_some() {
                    "KOM"
                } else {
                    ""
                },
                if patient.child("MunicipalityId").is_some() {
                    "IM"
                } else {
                    ""
                },
                patient.child_text("MunicipalityName")
            ]
        ));
    }
    out.push(seg!("S07", ["07"]));
    out.push(super::common::pna("PAT", person_id(patient), patient));
    if let Some(c) = patient.child("Consent") {
        if c.child_text("Given") != "true" {
            return Err(unexpected("Consent/Given")
                .with_location(format!("/Emessage/{}/Patient/Consent", kind.root)));
        }
        out.push(seg!("HAN", ["CDS", "SKS", "SST", c.child_text("Text")]));
    }
    for r in letter.children_named("Relative") {
        out.push(seg!("S07", ["07"]));
        let id = match r.child("PersonIdentifier") {
            Some(i) => vec![i.text(), "", "", "CPR", "IM"],
            None => vec![],
        };
        out.push(super::common::pna("PER", id, r));
        let code = codes::to_edi(
            codes::RELATION,
            "RelationCode",
            r.child_text("RelationCode"),
        )?;
        out.push(seg!("REL", ["PER"], [code]));
    }
    if let Some(c) = req.child("ClinicalInformation") {
        out.push(seg!("S10", ["10"]));
        out.extend(text::to_ftx("CID", c)?);
    }
    results_to_edi(kind, &mut out, results)?;
    Ok(out)
}

fn person_id(person: &Element) -> Vec<&str> {
    match person.child("CivilRegistrationNumber") {
        Some(c) => vec![c.text(), "", "", "CPR", "IM"],
        None => vec![],
    }
}

fn reject(e: &Element, path: &str, depth: usize) -> Result<(), LegacyError> {
    if depth > 8 {
        return Ok(());
    }
    for c in e.elements() {
        let here = format!("{path}/{}", c.name());
        if UNMAPPED.contains(&c.name()) || c.name() == "AlternativeIdentifier" {
            return Err(unexpected(c.name()).with_location(here));
        }
        reject(c, &here, depth + 1)?;
    }
    Ok(())
}

fn results_to_edi(
    kind: &Kind,
    out: &mut Vec<Segment>,
    results: &Element,
) -> Result<(), LegacyError> {
    let general = required(results, "GeneralResultInformation")?;
    let coded = required(results, "CodedFormat")?;
    let table = required(results, "TableFormat")?;
    let status = general.child_text("ResultStatusCode");
    let (gis, sts) = STATUS
        .iter()
        .find(|(_, _, c)| *c == status)
        .map(|(g, s, _)| (*g, *s))
        .ok_or_else(|| {
            LegacyError::new(LegacyErrorKind::UnknownCode {
                field: "ResultStatusCode",
                code: status.chars().take(40).collect(),
            })
        })?;
    let samples: Vec<&Element> = coded.children_named("Sample").collect();
    if !kind.linked && samples.len() > 1 {
        return Err(unexpected("Sample").with_location(format!(
            "/Emessage/{}/LaboratoryResults/CodedFormat/Sample",
            kind.root
        )));
    }
    for (n, sample) in samples.iter().enumerate() {
        out.push(seg!("S16", ["16"]));
        out.push(seg!("SEQ", [""], [(n + 1).to_string()]));
        out.push(seg!("SPC", ["SCI"], ["ATT"]));
        for q in ["STI", "RTI"] {
            if let Some((_, name)) = kind.sample.iter().find(|(r, _)| *r == q) {
                if let Some(e) = sample.child(name) {
                    out.push(seg!("RFF", [q, e.text()]));
                }
            }
        }
        let material = sample.child_text("MaterialDescription");
        out.push(Segment::new(
            "FTX",
            [vec!["SRC"], vec!["P00"], vec![], vec![material]],
        ));
    }
    out.push(seg!("GIS", [gis]));
    out.push(seg!(
        "INV",
        ["OE"],
        ["", "", "", table.child_text("ResultHeadline")]
    ));
    out.push(seg!("RSL", ["AV"], [table.child_text("TableResult")]));
    out.push(seg!("STS", [""], [sts]));
    out.push(seg!("GIS", ["N"]));
    out.push(seg!(
        "INV",
        ["OE"],
        ["", "", "", coded.child_text("DiagnosisHeadline")]
    ));
    let mut first = true;
    for (n, sample) in samples.iter().enumerate() {
        for c in sample.children_named("CodedResults") {
            if kind.linked {
                if !first {
                    out.push(seg!("GIS", ["N"]));
                }
                out.push(seg!("INV", ["OE"], ["", "", "", c.child_text("Headline")]));
            }
            first = false;
            out.push(seg!("GIS", ["N"]));
            for e in c
                .elements()
                .filter(|e| matches!(e.name(), "Topography" | "Result"))
            {
                out.push(seg!(
                    "CIN",
                    ["CCI"],
                    [e.child_text("Code"), "SNO", "SST", e.child_text("Text")]
                ));
                if let Some(comment) = e.child("Comment") {
                    out.push(seg!("CIN", ["SPC"], ["", "", "", comment.text()]));
                }
            }
            out.push(seg!("INV", ["NR"]));
            if kind.linked {
                out.push(seg!("RFF", ["ASL", (n + 1).to_string()]));
            }
        }
    }
    let textual = required(results, "TextualFormat")?;
    for s in textual.elements() {
        let (q, _) = kind
            .sections
            .iter()
            .find(|(_, e)| *e == s.name())
            .ok_or_else(|| {
                unexpected(s.name()).with_location(format!(
                    "/Emessage/{}/LaboratoryResults/TextualFormat/{}",
                    kind.root,
                    s.name()
                ))
            })?;
        out.push(seg!("GIS", ["N"]));
        out.push(seg!("INV", ["OE"], ["", "", "", s.child_text("Headline")]));
        if s.name() == "Hematology" {
            let rows = s
                .child("Labels")
                .into_iter()
                .map(|l| {
                    [
                        l.child_text("CellTypes"),
                        l.child_text("Marrow"),
                        l.child_text("Peripheral"),
                    ]
                })
                .chain(s.children_named("Result").map(|r| {
                    [
                        r.child_text("CellType"),
                        r.child_text("Marrow"),
                        r.child_text("Peripheral"),
                    ]
                }));
            for [a, b, c] in rows {
                out.push(Segment::new(
                    "FTX",
                    [
                        vec!["HEM".to_owned()],
                        vec!["F00".to_owned()],
                        vec![],
                        vec![columns(a, b, c)?],
                    ],
                ));
            }
        } else if let Some(t) = s.child("Text") {
            out.extend(text::to_ftx(q, t)?);
        }
    }
    Ok(())
}

/// One haematology line in MedCom's fixed columns.
fn columns(cell: &str, marrow: &str, peripheral: &str) -> Result<String, LegacyError> {
    let fits = |v: &str, (_, width): (usize, usize)| v.chars().count() <= width;
    if !fits(cell, COLUMNS[0]) || !fits(marrow, COLUMNS[1]) || !fits(peripheral, COLUMNS[2]) {
        return Err(LegacyError::new(LegacyErrorKind::InvalidValue {
            field: "Hematology",
            reason: "value wider than its column (40, 11, 11)",
        }));
    }
    Ok(format!("{cell:<40}{marrow:<12}{peripheral}"))
}
