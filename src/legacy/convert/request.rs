//! The MEDREQ requests: REQ01 clinical-chemistry request (Q0130K ⇄ `LaboratoryRequest`). One
//! table row per type ([`KINDS`]).
//!
//! Facts from MedCom's converter (its Q0130K mapping) and its paired message:
//! - the requester is `NAD+PO` (Sender, with the physician in a `NAD+BV` group marked
//!   `RFF+AHL:1`), the laboratory `NAD+SLA` (Receiver), the payer `NAD+PAY` whose type is
//!   S02 `FCA`;
//! - S02: `GIS+N`, the requester's sample number (`RFF+ROI`), the requisition time (`DTM+4`),
//!   the number of tubes (`PAC`); S05 the patient's address, S06 the patient (`HAN+CDS` means
//!   consent *not* given, as MedCom's converter reads it), S09 clinical information, each S10
//!   a prompt, S15 the sample (`SPC+SCI` where it is taken, `RFF+RTI` repeating the sample
//!   number, `DTM+SCO` the sampling time), then one requested analysis per `GIS` (`PTY+REP`,
//!   `INV+MQ`). Comments travel as `FTX+RRO` (S02), clinical information as `FTX+CO` (S09),
//!   as MedCom's other request pairs show.

use super::codes::Table;
use super::common::{
    check_known, code_xml, dtm203, find, find_q, located, party_to_edi, party_to_xml, push_adr,
    push_cc_receiver, push_contact_person, push_dtm203, push_nonempty, required, spr, Body,
};
use super::{codes, text, Letter};
use crate::legacy::edifact::{seg, Message, Segment};
use crate::legacy::oioxml::Element;
use crate::legacy::{LegacyError, LegacyErrorKind};

/// One request type.
pub(crate) struct Kind {
    /// EDIFACT version (UNH 2:5).
    pub(crate) version: &'static str,
    /// OIOXML letter root.
    pub(crate) root: &'static str,
    /// MedCom message name (UNH 3 and SPR).
    pub(crate) code: &'static str,
    /// How the type lays out samples, analyses and prompts.
    layout: Layout,
}

/// The request layouts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// One sample with its own sampling time (`DTM+SCO`); a priority per analysis; prompts
    /// with free questions and text, number, code or time answers.
    Chemistry,
    /// As chemistry, but the sampling time is the requisition time, analyses carry MDS names
    /// (`FTX+ACM` examination:material:location, `FTX+SRC`, `FTX+IVC`) and no priority, and
    /// prompts are coded questions with text answers.
    Microbiology,
    /// Several samples (one S15 each, with material and pre-treatment), the priority and coded
    /// indication in S02, cervix prompts (`ADP…` codes) in S10.
    Pathology,
}

/// The request family.
#[rustfmt::skip]
pub(crate) const KINDS: &[Kind] = &[
    Kind { version: "Q0130K", root: "LaboratoryRequest", code: "REQ01", layout: Layout::Chemistry },
    Kind { version: "Q0230M", root: "MicrobiologyRequest", code: "REQ02", layout: Layout::Microbiology },
    Kind { version: "Q0330P", root: "PathologyRequest", code: "REQ03", layout: Layout::Pathology },
];

/// `SPC+PRM` 2:1 ⇄ `MaterialPreTreatment`, with the code text MedCom sends.
const PRE_TREATMENT: &[(&str, &str, &str)] = &[
    ("T998", "fikseret", "Fikseret"),
    ("T100", "frysesnit", "Frysesnit"),
];

/// How a cervix prompt answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// Present means `true`.
    Flag,
    /// `DTM` with this qualifier, format 102.
    Date(&'static str),
    /// `RSL+AV` text (RSL 2:6).
    Text,
    /// `RSL+CV+::1` and an optional `DTM+AIC` (none: MedCom's `0001-01-01`).
    Treatment,
}

/// The cervix prompts (S10 `INV+IN+<code>:PA8:SST:<text>`) ⇄ `SupplementaryCervixInformations`
/// children, in schema order. MedCom's converter also knows ADP205/206/213/214 (conisation,
/// hysterectomy, irradiation, chemotherapy), whose EDIFACT layout no pair shows: refused.
const CERVIX: &[(&str, &str, &str, Answer)] = &[
    ("ADP101", "Kondylomer", "Condyloma", Answer::Flag),
    ("ADP102", "Spiral", "IUD", Answer::Flag),
    ("ADP103", "Patienten er gravid", "Pregnant", Answer::Flag),
    (
        "ADP201",
        "Menstruation",
        "DateOfPeriod",
        Answer::Date("LMC"),
    ),
    ("ADP202", "Hormonbehandling", "HormonTherapy", Answer::Text),
    (
        "ADP203",
        "Kryobehandling",
        "DateOfCryoTherapy",
        Answer::Treatment,
    ),
    ("ADP204", "Laser", "DateOfLaser", Answer::Treatment),
];
/// `DateOfCryoTherapy`/`DateOfLaser` when the treatment has no date.
const NO_DATE: &str = "0001-01-01";

/// S02 FCA → `PayersTypeCode`.
const PAYER: Table = &[
    ("NSP", "anden"),
    ("PPI", "sygesikring_gruppe_1"),
    ("PPO", "sygesikring_gruppe_2"),
];
/// Payer NAD 2:2 → `IdentifierCode` (the payer's own list).
const PAYER_CODE: Table = &[("AMT", "amt")];
/// `SPC+SCI` 2:1 → (`SamplingLocationCode`, `SamplingDateTimeType`).
const SAMPLING: &[(&str, &str, &str)] = &[
    ("ATT", "rekvirenten", "faktisk"),
    ("SPR", "laboratoriet", "oensket"),
    ("PAT", "patienten", "oensket"),
];
/// `PTY+REP` 2:1 → `ResultPriority`.
const PRIORITY: Table = &[("CI", "straks"), ("HI", "fremskyndet"), ("NO", "rutine")];
/// INV 2:2 → `AnalysisCodeType`.
const CODE_TYPE: Table = &[("CQU", "iupac"), ("91", "lokal")];

/// The segments each group may hold; anything else is an error, never dropped.
const ALLOWED: &[(&str, &[&str])] = &[
    ("", &["BGM", "DTM"]),
    ("01", &["NAD", "ADR", "COM", "SEQ", "SPR", "RFF"]),
    (
        "02",
        &["FCA", "GIS", "RFF", "DTM", "PTY", "CIN", "PAC", "FTX"],
    ),
    ("05", &["ADR", "COM"]),
    ("06", &["PNA", "RFF", "HAN"]),
    ("09", &["FTX"]),
    ("10", &["INV", "RSL", "DTM"]),
    ("15", &["SPC", "RFF", "DTM", "FTX", "GIS", "PTY", "INV"]),
];

fn known(kind: &Kind, group: &str, s: &Segment) -> bool {
    let q = s.component(1, 1);
    let p = kind.layout == Layout::Pathology;
    let micro = kind.layout == Layout::Microbiology;
    match (group, s.tag()) {
        ("02", "PTY") => p && q == "REP",
        ("02", "CIN") => p && q == "RRO",
        ("10", "INV") if p => CERVIX.iter().any(|(c, ..)| *c == s.component(2, 1)),
        ("10", "RSL") if p => matches!(q, "AV" | "CV"),
        ("10", "DTM") if p => matches!(q, "LMC" | "AIC"),
        ("15", "SPC") if p => matches!(q, "SCI" | "PRM"),
        ("15", "FTX") if micro => matches!(q, "ACM" | "SRC" | "IVC"),
        ("15", "FTX") => p && q == "MAT",
        ("15", "DTM") => kind.layout == Layout::Chemistry && q == "SCO",
        ("15", "PTY") => kind.layout == Layout::Chemistry && q == "REP",
        ("10", "INV") if micro => s.component(2, 2) == "91",
        ("10", "RSL") if micro => q == "TV",
        ("10", "DTM") if micro => false,
        ("15", "INV") => q == if p { "OP" } else { "MQ" },
        ("01", "NAD") => matches!(q, "PO" | "SLA" | "CCR" | "BV" | "PAY"),
        ("01", "RFF") => q == "AHL" && s.component(1, 2) == "1",
        ("01", "COM") => s.component(1, 2) == "WTE",
        ("05", "COM") => s.component(1, 2) == "WTE",
        ("05", "ADR") => q == "PO",
        ("02", "GIS") => q == "N",
        ("02", "RFF") => q == "ROI",
        ("02", "DTM") => q == "4",
        ("02", "FTX") => q == "RRO",
        ("09", "FTX") => q == "CO",
        ("06", "PNA") => q == "PAT",
        ("06", "HAN") => q == "CDS" && s.elements().len() == 1 && s.component(1, 2).is_empty(),
        ("10", "INV") => q == "IN",
        ("10", "RSL") => matches!(q, "TV" | "NV" | "CV"),
        ("15", "SPC") => q == "SCI",
        ("15", "RFF") => q == "RTI",
        ("15", "GIS") => q == "N",
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

fn unexpected(tag: &str) -> LegacyError {
    LegacyError::new(LegacyErrorKind::UnexpectedSegment {
        tag: tag.chars().take(40).collect(),
    })
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
    let s02 = body.groups("02").next().unwrap_or(&[]);
    if let Some(g) = body.party("01", "NAD", "PO") {
        let mut e = root.child_element("Sender");
        e.push_text_child("EANIdentifier", letter.sender_ean);
        party_to_xml(&mut e, g, false, false)?;
        for com in g.iter().filter(|s| s.tag() == "COM") {
            e.push_text_child("TelephoneSubscriberIdentifier", com.component(1, 1));
        }
        if let Some(spr) = find(g, "SPR") {
            let c = code_xml(
                codes::SPECIALITY,
                "MedicalSpecialityCode",
                spr.component(2, 1),
                spr,
            )?;
            e.push_text_child("MedicalSpecialityCode", c);
        }
        if let Some(nad) = body.party("01", "NAD", "BV").and_then(|g| find(g, "NAD")) {
            let mut p = e.child_element("Physician");
            p.push_text_child("PersonInitials", nad.component(4, 1));
            e.push(p);
        }
        root.push(e);
    }
    for (qual, name, ean) in [
        ("SLA", "Receiver", Some(letter.recipient_ean)),
        ("CCR", "CCReceiver", None),
    ] {
        if let Some(g) = body.party("01", "NAD", qual) {
            let mut e = root.child_element(name);
            if let Some(ean) = ean {
                e.push_text_child("EANIdentifier", ean);
            }
            party_to_xml(&mut e, g, false, false)?;
            root.push(e);
        }
    }
    if let Some(g) = body.party("01", "NAD", "PAY") {
        let mut e = root.child_element("Payer");
        // The payer's type travels in S02; a payer without it is an error at the payer.
        let t = match find(s02, "FCA").or_else(|| find(g, "NAD")) {
            Some(at) if at.tag() == "FCA" => {
                code_xml(PAYER, "PayersTypeCode", at.component(1, 1), at)?
            }
            Some(at) => {
                return Err(located(
                    LegacyError::new(LegacyErrorKind::MissingSegment { tag: "FCA" }),
                    at,
                ))
            }
            None => {
                return Err(LegacyError::new(LegacyErrorKind::MissingSegment {
                    tag: "FCA",
                }))
            }
        };
        e.push_text_child("PayersTypeCode", t);
        if let Some(nad) = find(g, "NAD") {
            if !nad.component(2, 1).is_empty() {
                e.push_text_child("Identifier", nad.component(2, 1));
                let c = code_xml(PAYER_CODE, "IdentifierCode", nad.component(2, 2), nad)?;
                e.push_text_child("IdentifierCode", c);
            }
            push_nonempty(&mut e, "OrganisationName", nad.component(4, 1));
        }
        root.push(e);
    }
    let s06 = body.groups("06").next().unwrap_or(&[]);
    let mut p = root.child_element("Patient");
    super::common::patient_to_xml(&mut p, s06, None)?;
    if let Some(g) = body.groups("05").next() {
        if let Some(adr) = find(g, "ADR") {
            push_adr(&mut p, adr);
        }
        for com in g.iter().filter(|s| s.tag() == "COM") {
            p.push_text_child("TelephoneSubscriberIdentifier", com.component(1, 1));
        }
    }
    let mut consent = p.child_element("Consent");
    consent.push_text_child(
        "Given",
        if find(s06, "HAN").is_some() {
            "false"
        } else {
            "true"
        },
    );
    p.push(consent);
    root.push(p);
    if kind.layout == Layout::Pathology {
        pathology_to_xml(&mut root, &body, s02)?;
        return Ok(root);
    }
    let s15: Vec<&Segment> = body.groups("15").flatten().copied().collect();
    let (sample, analyses) = s15.split_at(
        s15.iter()
            .position(|s| s.tag() == "GIS")
            .unwrap_or(s15.len()),
    );
    let mut req = root.child_element("RequisitionInformation");
    if let Some(dtm) = find_q(s02, "DTM", "4") {
        let mut d = req.child_element("RequisitionDateTime");
        push_dtm203(&mut d, dtm)?;
        req.push(d);
    }
    if let Some(spc) = find(sample, "SPC") {
        let (_, location, time) = SAMPLING
            .iter()
            .find(|(c, _, _)| *c == spc.component(2, 1))
            .ok_or_else(|| located(unexpected("SPC+SCI"), spc))?;
        req.push_text_child("SamplingLocationCode", *location);
        req.push_text_child("SamplingDateTimeType", *time);
    }
    // Microbiology takes the sampling time from S02's requisition time, as MedCom's converter.
    let sampled = match kind.layout {
        Layout::Microbiology => find_q(s02, "DTM", "4"),
        _ => find(sample, "DTM"),
    };
    if let Some(dtm) = sampled {
        let mut d = req.child_element("SamplingDateTime");
        push_dtm203(&mut d, dtm)?;
        req.push(d);
    }
    let roi = find_q(s02, "RFF", "ROI").map(|r| r.component(1, 2));
    if let Some(rti) = find(sample, "RFF") {
        // The converter reads the number from S02 only; S15 must repeat it.
        if Some(rti.component(1, 2)) != roi {
            return Err(located(unexpected("RFF+RTI"), rti));
        }
    }
    let mut s = req.child_element("Sample");
    if let Some(roi) = roi {
        s.push_text_child("RequesterSampleIdentifier", roi);
    }
    req.push(s);
    if let Some(pac) = find(s02, "PAC") {
        req.push_text_child("NumberOfTestTubes", pac.component(1, 1));
    }
    for (group, name) in [
        (
            body.groups("09").next().unwrap_or(&[]),
            "ClinicalInformation",
        ),
        (s02, "Comments"),
    ] {
        for ftx in group.iter().filter(|s| s.tag() == "FTX") {
            let mut t = req.child_element(name);
            text::push_formatted(&mut t, ftx);
            req.push(t);
        }
    }
    root.push(req);
    let mut requests = root.child_element("Requests");
    let mut groups: Vec<Vec<&Segment>> = Vec::new();
    for seg in analyses {
        if seg.tag() == "GIS" {
            groups.push(Vec::new());
        }
        match groups.last_mut() {
            Some(g) if seg.tag() != "GIS" => g.push(seg),
            Some(_) => {}
            None => return Err(located(unexpected(seg.tag()), seg)),
        }
    }
    for g in &groups {
        requests.push(analysis_to_xml(kind, &requests, g)?);
    }
    for g in body.groups("10") {
        let mut pr = requests.child_element("Prompt");
        if let Some(inv) = find(g, "INV") {
            if kind.layout == Layout::Microbiology {
                let mut q = pr.child_element("Question");
                q.push_text_child("Code", inv.component(2, 1));
                let t = code_xml(CODE_TYPE, "CodeType", inv.component(2, 2), inv)?;
                q.push_text_child("CodeType", t);
                q.push_text_child("CodeResponsible", inv.component(2, 3));
                q.push_text_child("CodeText", inv.component(2, 4));
                pr.push(q);
            } else {
                pr.push_text_child("Question", inv.component(2, 4));
            }
        }
        let mut a = pr.child_element("Answer");
        for s in g.iter().filter(|s| s.tag() != "INV") {
            match (s.tag(), s.component(1, 1)) {
                ("RSL", "TV") => a.push_text_child("Text", s.component(2, 6)),
                ("RSL", "NV") => {
                    let mut n = a.child_element("Numerical");
                    n.push_text_child("Value", s.component(2, 1));
                    n.push_text_child("Unit", s.component(3, 4));
                    a.push(n);
                }
                ("RSL", _) => a.push_text_child("DiagnoseCode", s.component(2, 1)),
                _ => {
                    let mut d = a.child_element("DateTime");
                    push_dtm203(&mut d, s)?;
                    a.push(d);
                }
            }
        }
        pr.push(a);
        requests.push(pr);
    }
    root.push(requests);
    Ok(root)
}

/// One requested analysis from its segments after `GIS`.
fn analysis_to_xml(kind: &Kind, parent: &Element, g: &[&Segment]) -> Result<Element, LegacyError> {
    let mut r = parent.child_element("RequestedAnalysis");
    if let Some(pty) = find(g, "PTY") {
        let c = code_xml(PRIORITY, "ResultPriority", pty.component(2, 1), pty)?;
        r.push_text_child("ResultPriority", c);
    }
    if let Some(inv) = find(g, "INV") {
        let mut a = r.child_element("Analysis");
        let code = if kind.layout == Layout::Microbiology {
            "MICAnalysisCode"
        } else {
            "AnalysisCode"
        };
        a.push_text_child(code, inv.component(2, 1));
        let c = code_xml(CODE_TYPE, "AnalysisCodeType", inv.component(2, 2), inv)?;
        a.push_text_child("AnalysisCodeType", c);
        a.push_text_child("AnalysisCodeResponsible", inv.component(2, 3));
        if let Some(ftx) = find_q(g, "FTX", "ACM") {
            let mut n = a.child_element("AnalysisMDSName");
            n.push_text_child("Examination", ftx.component(4, 1));
            push_nonempty(&mut n, "Material", ftx.component(4, 2));
            push_nonempty(&mut n, "Location", ftx.component(4, 3));
            a.push(n);
        }
        r.push(a);
    }
    for (q, name) in [
        ("SRC", "SupplementaryLocation"),
        ("IVC", "SupplementaryAnalysis"),
    ] {
        if let Some(ftx) = find_q(g, "FTX", q) {
            r.push_text_child(name, ftx.component(4, 1));
        }
    }
    Ok(r)
}

/// OIOXML elements with no known EDIFACT place: an error, never dropped.
const UNMAPPED: &[&str] = &[
    "Collector",
    "Reference",
    "CarbonCopyReceiver",
    "AlternativeIdentifier",
];

/// OIOXML → EDIFACT body.
pub(crate) fn to_edi(letter: &Element) -> Result<Vec<Segment>, LegacyError> {
    let kind = kind_of(|k| k.root == letter.name(), letter.name())?;
    let nested = letter
        .elements()
        .chain(letter.elements().flat_map(Element::elements))
        .chain(
            letter
                .elements()
                .flat_map(Element::elements)
                .flat_map(Element::elements),
        );
    for e in nested {
        if UNMAPPED.contains(&e.name()) {
            return Err(unexpected(e.name()).with_location(format!("/Emessage/{}", kind.root)));
        }
    }
    let l = required(letter, "Letter")?;
    let sender = required(letter, "Sender")?;
    let receiver = required(letter, "Receiver")?;
    let patient = required(letter, "Patient")?;
    let req = required(letter, "RequisitionInformation")?;
    let requests = required(letter, "Requests")?;
    let mut out = vec![seg!("BGM", ["LRE"], [""], ["9"], ["NA"])];
    out.push(dtm203("137", required(l, "Authorisation")?)?);
    out.push(seg!("S01", ["01"]));
    party_to_edi(&mut out, "PO", sender, false, false)?;
    for t in sender.children_named("TelephoneSubscriberIdentifier") {
        out.push(seg!("COM", [t.text(), "WTE"]));
    }
    out.push(seg!("SEQ", [""], ["1"]));
    out.push(spr(sender, kind.code, ["SKS", "SST"])?);
    out.push(seg!("S01", ["01"]));
    party_to_edi(&mut out, "SLA", receiver, false, false)?;
    out.push(seg!("SEQ", [""], ["2"]));
    let mut seq: u32 = 3;
    push_cc_receiver(&mut out, letter, &mut seq)?;
    if let Some(p) = sender.child("Physician") {
        push_contact_person(&mut out, p, "1", &mut seq);
    }
    let payer = letter.child("Payer");
    if let Some(p) = payer {
        out.push(seg!("S01", ["01"]));
        let id = match p.child("IdentifierCode") {
            Some(c) => vec![
                p.child_text("Identifier"),
                codes::to_edi(PAYER_CODE, "IdentifierCode", c.text())?,
                "IM",
            ],
            None => vec![],
        };
        out.push(Segment::new(
            "NAD",
            [
                vec!["PAY"],
                id,
                vec![],
                vec![p.child_text("OrganisationName"), "", "", "", "", "US"],
            ],
        ));
        out.push(seg!("SEQ", [""], [seq.to_string()]));
    }
    out.push(seg!("S02", ["02"]));
    if kind.layout == Layout::Pathology {
        pathology_to_edi(&mut out, payer, patient, req, requests)?;
        return Ok(out);
    }
    if let Some(p) = payer {
        out.push(seg!(
            "FCA",
            [codes::to_edi(
                PAYER,
                "PayersTypeCode",
                p.child_text("PayersTypeCode")
            )?]
        ));
    }
    out.push(seg!("GIS", ["N"]));
    let sample = required(req, "Sample")?;
    let number = sample.child_text("RequesterSampleIdentifier");
    out.push(seg!("RFF", ["ROI", number]));
    out.push(dtm203("4", required(req, "RequisitionDateTime")?)?);
    // Comments come before the tube count (REQ03_2).
    if let Some(c) = req.child("Comments") {
        out.extend(text::to_ftx("RRO", c)?);
    }
    out.push(seg!("PAC", [req.child_text("NumberOfTestTubes")]));
    out.push(seg!("S05", ["05"]));
    patient_address(&mut out, patient);
    for t in patient.children_named("TelephoneSubscriberIdentifier") {
        out.push(seg!("COM", [t.text(), "WTE"]));
    }
    out.push(seg!("S06", ["06"]));
    super::common::patient_to_edi(&mut out, &without_address(patient));
    if patient
        .child("Consent")
        .is_some_and(|c| c.child_text("Given") == "false")
    {
        out.push(seg!("HAN", ["CDS"]));
    }
    out.push(seg!("S09", ["09"]));
    if let Some(c) = req.child("ClinicalInformation") {
        out.extend(text::to_ftx("CO", c)?);
    }
    for pr in requests.children_named("Prompt") {
        out.push(seg!("S10", ["10"]));
        match pr.child("Question").filter(|q| q.child("Code").is_some()) {
            Some(q) => {
                let t = codes::to_edi(CODE_TYPE, "CodeType", q.child_text("CodeType"))?;
                out.push(seg!(
                    "INV",
                    ["IN"],
                    [
                        q.child_text("Code"),
                        t,
                        q.child_text("CodeResponsible"),
                        q.child_text("CodeText")
                    ]
                ));
            }
            None => out.push(seg!("INV", ["IN"], ["", "", "", pr.child_text("Question")])),
        }
        let a = required(pr, "Answer")?;
        for e in a.elements() {
            match e.name() {
                "Text" => out.push(seg!("RSL", ["TV"], ["", "", "", "", "", e.text()])),
                "Numerical" => out.push(seg!(
                    "RSL",
                    ["NV"],
                    [e.child_text("Value")],
                    ["", "", "", e.child_text("Unit")]
                )),
                "DiagnoseCode" => out.push(seg!("RSL", ["CV"], [e.text()])),
                _ => out.push(dtm203("CDV", e)?),
            }
        }
    }
    out.push(seg!("S15", ["15"]));
    let location = req.child_text("SamplingLocationCode");
    let (code, _, _) = SAMPLING
        .iter()
        .find(|(_, l, t)| *l == location && *t == req.child_text("SamplingDateTimeType"))
        .ok_or_else(|| {
            LegacyError::new(LegacyErrorKind::UnknownCode {
                field: "SamplingLocationCode",
                code: location.chars().take(40).collect(),
            })
        })?;
    out.push(seg!("SPC", ["SCI"], [*code]));
    out.push(seg!("RFF", ["RTI", number]));
    if let Some(d) = req.child("SamplingDateTime") {
        if kind.layout == Layout::Chemistry {
            out.push(dtm203("SCO", d)?);
        } else if !same_time(d, required(req, "RequisitionDateTime")?) {
            // Microbiology has no sampling time of its own.
            return Err(unexpected("SamplingDateTime")
                .with_location(format!("/Emessage/{}/RequisitionInformation", kind.root)));
        }
    }
    for r in requests.children_named("RequestedAnalysis") {
        out.push(seg!("GIS", ["N"]));
        if let Some(p) = r.child("ResultPriority") {
            let p = codes::to_edi(PRIORITY, "ResultPriority", p.text())?;
            out.push(seg!("PTY", ["REP"], [p]));
        }
        let a = required(r, "Analysis")?;
        let t = codes::to_edi(
            CODE_TYPE,
            "AnalysisCodeType",
            a.child_text("AnalysisCodeType"),
        )?;
        let code = a
            .child("MICAnalysisCode")
            .or_else(|| a.child("AnalysisCode"))
            .map_or("", Element::text);
        out.push(seg!(
            "INV",
            ["MQ"],
            [code, t, a.child_text("AnalysisCodeResponsible")]
        ));
        if let Some(n) = a.child("AnalysisMDSName") {
            out.push(seg!(
                "FTX",
                ["ACM"],
                ["P00"],
                [""],
                [
                    n.child_text("Examination"),
                    n.child_text("Material"),
                    n.child_text("Location")
                ]
            ));
        }
        for (q, name) in [
            ("SRC", "SupplementaryLocation"),
            ("IVC", "SupplementaryAnalysis"),
        ] {
            if let Some(e) = r.child(name) {
                out.push(seg!("FTX", [q], ["P00"], [""], [e.text()]));
            }
        }
    }
    Ok(out)
}

/// Whether two date-time elements hold the same date and time.
fn same_time(a: &Element, b: &Element) -> bool {
    (a.child_text("Date"), a.child_text("Time")) == (b.child_text("Date"), b.child_text("Time"))
}

/// S05 `ADR+PO` of the patient, when it has an address.
fn patient_address(out: &mut Vec<Segment>, patient: &Element) {
    let parts = [
        "StreetName",
        "SuburbName",
        "DistrictName",
        "PostCodeIdentifier",
    ];
    if parts.iter().any(|p| patient.child(p).is_some()) {
        out.push(seg!(
            "ADR",
            ["PO"],
            [
                "US",
                patient.child_text("StreetName"),
                patient.child_text("SuburbName")
            ],
            [patient.child_text("DistrictName")],
            [patient.child_text("PostCodeIdentifier")]
        ));
    }
}

/// The patient without the address parts S05 carries (so that S06 holds only the person).
fn without_address(patient: &Element) -> Element {
    let mut p = Element::new(patient.name(), patient.namespace());
    for e in patient.elements() {
        if matches!(
            e.name(),
            "CivilRegistrationNumber"
                | "AlternativeIdentifier"
                | "PersonSurnameName"
                | "PersonGivenName"
        ) {
            p.push(e.clone());
        }
    }
    p
}

/// The sample headers (each S15 up to its first `GIS`) and the requested analyses (from `GIS`).
fn samples_and_analyses<'a>(body: &Body<'a>) -> (Vec<Vec<&'a Segment>>, Vec<&'a Segment>) {
    let mut samples = Vec::new();
    let mut analyses = Vec::new();
    for g in body.groups("15") {
        let split = g.iter().position(|s| s.tag() == "GIS").unwrap_or(g.len());
        samples.push(g.iter().take(split).copied().collect());
        analyses.extend(g.iter().skip(split).copied());
    }
    (samples, analyses)
}

/// Requisition and requests of a pathology request (after the patient).
fn pathology_to_xml(
    root: &mut Element,
    body: &Body<'_>,
    s02: &[&Segment],
) -> Result<(), LegacyError> {
    let (samples, analyses) = samples_and_analyses(body);
    let mut req = root.child_element("RequisitionInformation");
    if let Some(rff) = find_q(s02, "RFF", "ROI") {
        req.push_text_child("RequestersRequisitionIdentifier", rff.component(1, 2));
    }
    let dtm = find_q(s02, "DTM", "4");
    if let Some(dtm) = dtm {
        let mut d = req.child_element("RequisitionDateTime");
        push_dtm203(&mut d, dtm)?;
        req.push(d);
    }
    if let Some(spc) = samples.first().and_then(|g| find_q(g, "SPC", "SCI")) {
        let (_, location, time) = SAMPLING
            .iter()
            .find(|(c, _, _)| *c == spc.component(2, 1))
            .ok_or_else(|| located(unexpected("SPC+SCI"), spc))?;
        req.push_text_child("SamplingLocationCode", *location);
        req.push_text_child("SamplingDateTimeType", *time);
    }
    // MedCom's converter takes the sampling time from S02's requisition time.
    if let Some(dtm) = dtm {
        let mut d = req.child_element("SamplingDateTime");
        push_dtm203(&mut d, dtm)?;
        req.push(d);
    }
    for g in &samples {
        let mut s = req.child_element("Sample");
        if let Some(rff) = find_q(g, "RFF", "RTI") {
            s.push_text_child("RequesterSampleIdentifier", rff.component(1, 2));
        }
        if let Some(ftx) = find_q(g, "FTX", "MAT") {
            s.push_text_child("MaterialDescription", ftx.component(4, 1));
        }
        for spc in g
            .iter()
            .filter(|x| x.tag() == "SPC" && x.component(1, 1) == "PRM")
        {
            let (_, t, _) = PRE_TREATMENT
                .iter()
                .find(|(c, ..)| *c == spc.component(2, 1))
                .ok_or_else(|| located(unexpected("SPC+PRM"), spc))?;
            s.push_text_child("MaterialPreTreatment", *t);
        }
        req.push(s);
    }
    if let Some(pac) = find(s02, "PAC") {
        req.push_text_child("NumberOfTestTubes", pac.component(1, 1));
    }
    for ftx in body.groups("09").flatten().filter(|s| s.tag() == "FTX") {
        let mut t = req.child_element("ClinicalInformation");
        text::push_formatted(&mut t, ftx);
        req.push(t);
    }
    if let Some(cin) = find_q(s02, "CIN", "RRO") {
        let mut c = req.child_element("CodedClinicalInformation");
        c.push_text_child("IndicationCode", cin.component(2, 1));
        c.push_text_child("IndicationText", cin.component(2, 4));
        req.push(c);
    }
    for ftx in s02.iter().filter(|s| s.tag() == "FTX") {
        let mut t = req.child_element("Comments");
        text::push_formatted(&mut t, ftx);
        req.push(t);
    }
    root.push(req);
    let mut requests = root.child_element("Requests");
    for inv in analyses.iter().filter(|s| s.tag() == "INV") {
        let mut r = requests.child_element("RequestedAnalysis");
        if let Some(pty) = find_q(s02, "PTY", "REP") {
            let c = code_xml(PRIORITY, "ResultPriority", pty.component(2, 1), pty)?;
            r.push_text_child("ResultPriority", c);
        }
        let mut a = r.child_element("Analysis");
        a.push_text_child("AnalysisCode", inv.component(2, 1));
        a.push_text_child("AnalysisCodeType", inv.component(2, 2));
        a.push_text_child("AnalysisShortName", inv.component(2, 4));
        r.push(a);
        requests.push(r);
    }
    if let Some(bad) = analyses.iter().find(|s| !matches!(s.tag(), "GIS" | "INV")) {
        return Err(located(unexpected(bad.tag()), bad));
    }
    let prompts: Vec<&[&Segment]> = body.groups("10").collect();
    if !prompts.is_empty() {
        let mut c = requests.child_element("SupplementaryCervixInformations");
        for (code, _, element, answer) in CERVIX {
            let Some(g) = prompts
                .iter()
                .find(|g| find(g, "INV").is_some_and(|i| i.component(2, 1) == *code))
            else {
                continue;
            };
            let value = match answer {
                Answer::Flag => "true".to_owned(),
                Answer::Date(q) => match find_q(g, "DTM", q) {
                    Some(d) => super::prescription::date102(d)?,
                    None => continue,
                },
                Answer::Text => match find_q(g, "RSL", "AV") {
                    Some(r) => r.component(2, 6).to_owned(),
                    None => continue,
                },
                Answer::Treatment => match find_q(g, "DTM", "AIC") {
                    Some(d) => super::prescription::date102(d)?,
                    None => NO_DATE.to_owned(),
                },
            };
            c.push_text_child(*element, value);
        }
        requests.push(c);
    }
    root.push(requests);
    Ok(())
}

/// S02 onwards of a pathology request.
fn pathology_to_edi(
    out: &mut Vec<Segment>,
    payer: Option<&Element>,
    patient: &Element,
    req: &Element,
    requests: &Element,
) -> Result<(), LegacyError> {
    let here = |name: &str| format!("/Emessage/PathologyRequest/{name}");
    if let Some(p) = payer {
        let c = codes::to_edi(PAYER, "PayersTypeCode", p.child_text("PayersTypeCode"))?;
        out.push(seg!("FCA", [c]));
    }
    out.push(seg!("GIS", ["N"]));
    out.push(seg!(
        "RFF",
        ["ROI", req.child_text("RequestersRequisitionIdentifier")]
    ));
    let requisition = required(req, "RequisitionDateTime")?;
    if req.child("SamplingDateTime").is_some_and(|s| {
        s != requisition
            && (s.child_text("Date"), s.child_text("Time"))
                != (
                    requisition.child_text("Date"),
                    requisition.child_text("Time"),
                )
    }) {
        return Err(unexpected("SamplingDateTime")
            .with_location(here("RequisitionInformation/SamplingDateTime")));
    }
    out.push(dtm203("4", requisition)?);
    let analyses: Vec<&Element> = requests.children_named("RequestedAnalysis").collect();
    let priorities: Vec<&str> = analyses
        .iter()
        .filter_map(|r| r.child("ResultPriority"))
        .map(Element::text)
        .collect();
    if let Some(p) = priorities.first() {
        if priorities.len() != analyses.len() || priorities.iter().any(|x| x != p) {
            return Err(unexpected("ResultPriority").with_location(here("Requests")));
        }
        out.push(seg!(
            "PTY",
            ["REP"],
            [codes::to_edi(PRIORITY, "ResultPriority", p)?]
        ));
    }
    if let Some(c) = req.child("CodedClinicalInformation") {
        out.push(seg!(
            "CIN",
            ["RRO"],
            [
                c.child_text("IndicationCode"),
                "PA4",
                "SST",
                c.child_text("IndicationText")
            ]
        ));
    }
    // Comments come before the tube count (REQ03_2).
    if let Some(c) = req.child("Comments") {
        out.extend(text::to_ftx("RRO", c)?);
    }
    out.push(seg!("PAC", [req.child_text("NumberOfTestTubes")]));
    out.push(seg!("S05", ["05"]));
    patient_address(out, patient);
    for t in patient.children_named("TelephoneSubscriberIdentifier") {
        out.push(seg!("COM", [t.text(), "WTE"]));
    }
    out.push(seg!("S06", ["06"]));
    super::common::patient_to_edi(out, &without_address(patient));
    if patient
        .child("Consent")
        .is_some_and(|c| c.child_text("Given") == "false")
    {
        out.push(seg!("HAN", ["CDS"]));
    }
    out.push(seg!("S09", ["09"]));
    if let Some(c) = req.child("ClinicalInformation") {
        out.extend(text::to_ftx("CO", c)?);
    }
    if let Some(c) = requests.child("SupplementaryCervixInformations") {
        for e in c.elements() {
            let (code, question, _, answer) = CERVIX
                .iter()
                .find(|(_, _, n, _)| *n == e.name())
                .ok_or_else(|| {
                    unexpected(e.name())
                        .with_location(here("Requests/SupplementaryCervixInformations"))
                })?;
            out.push(seg!("S10", ["10"]));
            out.push(seg!("INV", ["IN"], [*code, "PA8", "SST", *question]));
            match answer {
                Answer::Flag if e.text() == "true" => {}
                Answer::Flag => {
                    return Err(unexpected(e.name())
                        .with_location(here("Requests/SupplementaryCervixInformations")))
                }
                Answer::Date(q) => out.push(super::prescription::dtm102(q, e.text())?),
                Answer::Text => out.push(seg!("RSL", ["AV"], ["", "", "", "", "", e.text()])),
                Answer::Treatment => {
                    out.push(seg!("RSL", ["CV"], ["", "", "1"]));
                    if e.text() != NO_DATE {
                        out.push(super::prescription::dtm102("AIC", e.text())?);
                    }
                }
            }
        }
    }
    let samples: Vec<&Element> = req.children_named("Sample").collect();
    let location = req.child_text("SamplingLocationCode");
    let (code, _, _) = SAMPLING
        .iter()
        .find(|(_, l, t)| *l == location && *t == req.child_text("SamplingDateTimeType"))
        .ok_or_else(|| {
            LegacyError::new(LegacyErrorKind::UnknownCode {
                field: "SamplingLocationCode",
                code: location.chars().take(40).collect(),
            })
        })?;
    for s in &samples {
        out.push(seg!("S15", ["15"]));
        out.push(seg!("SPC", ["SCI"], [*code]));
        for t in s.children_named("MaterialPreTreatment") {
            let (c, _, text) = PRE_TREATMENT
                .iter()
                .find(|(_, x, _)| *x == t.text())
                .ok_or_else(|| {
                    unexpected("MaterialPreTreatment")
                        .with_location(here("RequisitionInformation/Sample"))
                })?;
            out.push(seg!("SPC", ["PRM"], [*c, "PA3", "SST", *text]));
        }
        if let Some(r) = s.child("RequesterSampleIdentifier") {
            out.push(seg!("RFF", ["RTI", r.text()]));
        }
        out.push(Segment::new(
            "FTX",
            [
                vec!["MAT"],
                vec!["P00"],
                vec![],
                vec![s.child_text("MaterialDescription")],
            ],
        ));
    }
    for r in analyses {
        let a = required(r, "Analysis")?;
        out.push(seg!("GIS", ["N"]));
        out.push(seg!(
            "INV",
            ["OP"],
            [
                a.child_text("AnalysisCode"),
                a.child_text("AnalysisCodeType"),
                "SST",
                a.child_text("AnalysisShortName")
            ]
        ));
    }
    Ok(())
}
