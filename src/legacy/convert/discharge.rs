//! The MEDDIS letter family that shares the DIS01 discharge-letter layout: DIS01 discharge
//! letter (D0133L ⇄ XDIS01 `DischargeLetter`), DIS02 out-patient letter, DIS03 casualty-ward
//! letter, DIS05 radiology report, DIS06 doctors' call-centre letter, DIS07 private-specialist
//! letter, DIS08 physiotherapy letter and DIS13 booking confirmation. They differ only in the
//! root element, the names of the two S11 dates (DTM 90 and 91) and the text element; one table
//! row per type ([`KINDS`]) drives both directions.

use super::common::{
    dtm203, find, find_q, party_to_edi, party_to_xml, patient_to_edi, patient_to_xml, pna,
    push_adr, push_adr_edi, push_dtm203, push_nonempty, required, spr, Body,
};
use super::{codes, text, Letter};
use crate::legacy::edifact::{seg, Message, Segment};
use crate::legacy::oioxml::Element;
use crate::legacy::LegacyError;

/// One discharge-family message type.
pub(crate) struct Kind {
    /// EDIFACT version (UNH 2:5).
    pub(crate) version: &'static str,
    /// OIOXML letter root.
    pub(crate) root: &'static str,
    /// MedCom message name (UNH 3 and SPR), e.g. `DIS01`.
    pub(crate) code: &'static str,
    /// Element names of S11 `DTM+90` and `DTM+91`.
    pub(crate) dates: [Option<&'static str>; 2],
    /// The text element inside `ClinicalInformation` (`Text03` is plain, not formatted).
    pub(crate) text: &'static str,
    /// Qualifier and agency of the sender's speciality in SPR 2 (practices use `YNR:SFU`).
    pub(crate) speciality: [&'static str; 2],
}

/// The discharge family, one row per type (facts from MedCom's paired messages and XSDs).
#[rustfmt::skip]
pub(crate) const KINDS: &[Kind] = &[
    Kind { version: "D0133L", root: "DischargeLetter", code: "DIS01", dates: [Some("Admission"), Some("Discharge")], text: "Text01", speciality: ["SKS", "SST"] },
    Kind { version: "D0233L", root: "OutPatientDischargeLetter", code: "DIS02", dates: [Some("OutPatientFirstVisit"), Some("OutPatientLastVisit")], text: "Text01", speciality: ["SKS", "SST"] },
    Kind { version: "D0333L", root: "CasualtyWardLetter", code: "DIS03", dates: [Some("CasualtyWardFirstVisit"), Some("CasualtyWardLastVisit")], text: "Text01", speciality: ["SKS", "SST"] },
    Kind { version: "D0533L", root: "RadiologyReport", code: "DIS05", dates: [Some("ExaminationStart"), Some("ExaminationEnd")], text: "Text01", speciality: ["SKS", "SST"] },
    Kind { version: "D0633L", root: "DoctorsCallCenterLetter", code: "DIS06", dates: [Some("Admission"), Some("Discharge")], text: "Text01", speciality: ["YNR", "SFU"] },
    Kind { version: "D0733L", root: "PrivateSpecialistLetter", code: "DIS07", dates: [Some("Admission"), Some("Discharge")], text: "Text01", speciality: ["YNR", "SFU"] },
    Kind { version: "D0833L", root: "PhysiotherapyLetter", code: "DIS08", dates: [Some("Admission"), Some("Discharge")], text: "Text01", speciality: ["YNR", "SFU"] },
    Kind { version: "D1333L", root: "BookingConfirmation", code: "DIS13", dates: [Some("Confirmation"), None], text: "Text03", speciality: ["SKS", "SST"] },
];

/// The segments each group may hold (checked by [`super::common::check_known`]).
const ALLOWED: &[(&str, &[&str])] = &[
    ("", &["BGM", "DTM"]),
    ("01", &["NAD", "ADR", "CON", "SEQ", "SPR"]),
    ("02", &["GIS", "RFF", "DTM"]),
    ("05", &["GIS", "RFF", "DTM", "CIN"]),
    ("07", &["PNA", "RFF", "ADR", "EMP"]),
    ("09", &["REL", "PNA", "ADR"]),
    ("11", &["GIS", "RFF", "SEQ", "DTM", "PAS", "CIN"]),
    ("14", &["CIN", "DTM", "FTX"]),
];

/// Qualifiers the conversion understands; references (FTX BIN, SUP, URL) are not converted
/// yet and so are errors too.
fn known(group: &str, s: &Segment) -> bool {
    match (group, s.tag()) {
        ("01", "NAD") => matches!(s.component(1, 1), "SSP" | "PO" | "CCR" | "RSP"),
        ("05", "CIN") => matches!(s.component(1, 1), "DI" | "DM"),
        ("11", "CIN") => matches!(s.component(1, 1), "A" | "DM"),
        ("14", "FTX") => s.component(1, 1) == "NC",
        _ => true,
    }
}

/// The row of a version, or an unsupported-message error.
fn kind_of(pred: impl Fn(&Kind) -> bool, version: &str) -> Result<&'static Kind, LegacyError> {
    KINDS.iter().find(|k| pred(k)).ok_or_else(|| {
        crate::legacy::LegacyError::new(crate::legacy::LegacyErrorKind::UnsupportedMessage {
            version: version.chars().take(16).collect(),
        })
    })
}

/// EDIFACT → OIOXML.
pub(crate) fn to_xml(letter: &Letter<'_>, message: &Message) -> Result<Element, LegacyError> {
    let kind = kind_of(|k| k.version == message.version(), message.version())?;
    let body = Body::new(message.body());
    super::common::check_known(&body, ALLOWED, known)?;
    let mut root = Element::new(kind.root, letter.namespace);
    let s11 = body.groups("11").next();
    let statistical = format!("X{}", kind.code);
    root.push(letter.letter_element(
        &body,
        [&format!("X{}", kind.version), &statistical, &statistical],
        s11,
    )?);
    if let Some(g) = body.party("01", "NAD", "SSP") {
        let mut e = root.child_element("Sender");
        e.push_text_child("EANIdentifier", letter.sender_ean);
        party_to_xml(&mut e, g, true, true)?;
        if let Some(c) = body.party("01", "NAD", "RSP") {
            let mut contact = e.child_element("Contact");
            if let Some(nad) = find(c, "NAD") {
                super::common::push_nad(&mut contact, nad)?;
            }
            e.push(contact);
        }
        root.push(e);
    }
    if let Some(g) = body.party("01", "NAD", "PO") {
        let mut e = root.child_element("Receiver");
        e.push_text_child("EANIdentifier", letter.recipient_ean);
        party_to_xml(&mut e, g, false, false)?;
        root.push(e);
    }
    if let Some(g) = body.party("01", "NAD", "CCR") {
        let mut e = root.child_element("CCReceiver");
        party_to_xml(&mut e, g, false, false)?;
        root.push(e);
    }
    if let Some(g) = body.groups("07").next() {
        let mut e = root.child_element("Patient");
        patient_to_xml(&mut e, g, s11)?;
        root.push(e);
    }
    for g in body.groups("09") {
        root.push(relative_to_xml(&root, g)?);
    }
    if let Some(g) = body.groups("05").next() {
        let mut e = root.child_element("Referral");
        if let Some(rff) = find(g, "RFF") {
            e.push_text_child("Identifier", rff.component(1, 2));
        }
        if let Some(dtm) = find(g, "DTM") {
            let mut r = e.child_element("Received");
            push_dtm203(&mut r, dtm)?;
            e.push(r);
        }
        for (qual, name) in [("DI", "Refer"), ("DM", "ReferalAdditional")] {
            for cin in g
                .iter()
                .filter(|s| s.tag() == "CIN" && s.component(1, 1) == qual)
            {
                let mut d = e.child_element(name);
                d.push_text_child("DiagnoseCode", cin.component(2, 1));
                let t = super::common::code_xml(
                    codes::DIAGNOSE_TYPE,
                    "DiagnoseTypeCode",
                    cin.component(2, 2),
                    cin,
                )?;
                d.push_text_child("DiagnoseTypeCode", t);
                d.push_text_child("DiagnoseText", cin.component(2, 4));
                e.push(d);
            }
        }
        root.push(e);
    }
    if let Some(g) = s11 {
        for (qual, name) in ["90", "91"].into_iter().zip(kind.dates) {
            let Some(name) = name else { continue };
            if let Some(dtm) = find_q(g, "DTM", qual) {
                let mut e = root.child_element(name);
                push_dtm203(&mut e, dtm)?;
                root.push(e);
            }
        }
    }
    let main: Vec<&Segment> = s11.map_or(Vec::new(), |g| {
        g.iter()
            .copied()
            .filter(|s| s.tag() == "CIN" && matches!(s.component(1, 1), "A" | "DM"))
            .collect()
    });
    let others: Vec<&[&Segment]> = body
        .groups("14")
        .filter(|g| g.iter().any(|s| s.tag() == "CIN"))
        .collect();
    if !main.is_empty() || !others.is_empty() {
        let mut d = root.child_element("Diagnose");
        for qual in ["A", "DM"] {
            for cin in main.iter().filter(|s| s.component(1, 1) == qual) {
                let name = if qual == "A" {
                    "Main"
                } else {
                    "MainAdditional"
                };
                let mut m = d.child_element(name);
                m.push_text_child("DiagnoseCode", cin.component(2, 1));
                m.push_text_child("DiagnoseText", cin.component(2, 4));
                d.push(m);
            }
        }
        for g in others {
            let mut o = d.child_element("Other");
            for cin in g.iter().filter(|s| s.tag() == "CIN") {
                let desc = super::common::code_xml(
                    codes::DIAGNOSE_DESCRIPTION,
                    "DiagnoseDescriptionCode",
                    cin.component(1, 1),
                    cin,
                )?;
                o.push_text_child("DiagnoseDescriptionCode", desc);
                o.push_text_child("DiagnoseCode", cin.component(2, 1));
                let t = super::common::code_xml(
                    codes::DIAGNOSE_TYPE,
                    "DiagnoseTypeCode",
                    cin.component(2, 2),
                    cin,
                )?;
                o.push_text_child("DiagnoseTypeCode", t);
                o.push_text_child("DiagnoseText", cin.component(2, 4));
            }
            for dtm in g.iter().filter(|s| s.tag() == "DTM") {
                let mut dt = o.child_element("DiagnoseDateTime");
                push_dtm203(&mut dt, dtm)?;
                o.push(dt);
            }
            d.push(o);
        }
        root.push(d);
    }
    for g in body.groups("14") {
        let texts: Vec<&Segment> = g
            .iter()
            .copied()
            .filter(|s| s.tag() == "FTX" && !is_reference(s))
            .collect();
        if texts.is_empty() {
            continue;
        }
        let mut ci = root.child_element("ClinicalInformation");
        for dtm in g.iter().filter(|s| s.tag() == "DTM") {
            let mut signed = ci.child_element("Signed");
            push_dtm203(&mut signed, dtm)?;
            ci.push(signed);
        }
        let mut t = ci.child_element(kind.text);
        for ftx in texts {
            if kind.text == "Text03" {
                text::push_plain(&mut t, text::components(ftx));
            } else {
                text::push_formatted(&mut t, ftx);
            }
        }
        ci.push(t);
        root.push(ci);
    }
    Ok(root)
}

/// FTX qualifiers of references (binary objects, URLs, supplementary).
pub(crate) fn is_reference(s: &Segment) -> bool {
    matches!(s.component(1, 1), "BIN" | "SUP" | "URL")
}

fn relative_to_xml(root: &Element, g: &[&Segment]) -> Result<Element, LegacyError> {
    let mut e = root.child_element("Relative");
    if let Some(rel) = find(g, "REL") {
        let code =
            super::common::code_xml(codes::RELATION, "RelationCode", rel.component(2, 1), rel)?;
        e.push_text_child("RelationCode", code);
    }
    if let Some(p) = find(g, "PNA") {
        let id = p.component(2, 1);
        if id != "_" {
            push_nonempty(&mut e, "PersonIdentifier", id);
        }
        e.push_text_child("PersonSurnameName", p.component(5, 2));
        e.push(
            e.child_element("PersonGivenName")
                .with_text(p.component(6, 2)),
        );
    }
    if let Some(adr) = find(g, "ADR") {
        push_adr(&mut e, adr);
    }
    Ok(e)
}

/// OIOXML → EDIFACT body (after UNH, before UNT).
pub(crate) fn to_edi(letter: &Element) -> Result<Vec<Segment>, LegacyError> {
    let kind = kind_of(|k| k.root == letter.name(), letter.name())?;
    let l = required(letter, "Letter")?;
    let sender = required(letter, "Sender")?;
    let receiver = required(letter, "Receiver")?;
    let patient = required(letter, "Patient")?;
    let cc = letter.child("CCReceiver");
    let contact = sender.child("Contact");
    let mut out = vec![seg!("BGM", ["EPI"], [""], ["9"], ["NA"])];
    out.push(dtm203("137", required(l, "Authorisation")?)?);
    out.push(seg!("S01", ["01"]));
    party_to_edi(&mut out, "SSP", sender, false, true)?;
    out.push(seg!("SEQ", [""], ["1"]));
    out.push(spr(sender, kind.code, kind.speciality)?);
    out.push(seg!("S01", ["01"]));
    party_to_edi(&mut out, "PO", receiver, true, false)?;
    out.push(seg!("SEQ", [""], ["2"]));
    let mut seq = 3;
    if let Some(cc) = cc {
        out.push(seg!("S01", ["01"]));
        party_to_edi(&mut out, "CCR", cc, true, false)?;
        out.push(seg!("SEQ", [""], [seq.to_string()]));
        seq += 1;
    }
    if let Some(c) = contact {
        out.push(seg!("S01", ["01"]));
        let mut nad = Vec::new();
        party_to_edi(&mut nad, "RSP", c, true, false)?;
        out.extend(nad.into_iter().filter(|s| s.tag() == "NAD"));
        out.push(seg!("SEQ", [""], [seq.to_string()]));
    }
    out.extend(super::letter_info(l, "02")?);
    if let Some(r) = letter.child("Referral") {
        out.push(seg!("S05", ["05"]));
        out.push(seg!("GIS", ["N"]));
        if let Some(id) = r.child("Identifier") {
            out.push(seg!("RFF", ["ROI", id.text()]));
        }
        if let Some(rec) = r.child("Received") {
            out.push(dtm203("8", rec)?);
        }
        for (name, qual) in [("Refer", "DI"), ("ReferalAdditional", "DM")] {
            for d in r.children_named(name) {
                out.push(cin(qual, d)?);
            }
        }
    }
    out.push(seg!("S07", ["07"]));
    patient_to_edi(&mut out, patient);
    for rel in letter.children_named("Relative") {
        out.push(seg!("S09", ["09"]));
        let code = codes::to_edi(
            codes::RELATION,
            "RelationCode",
            rel.child_text("RelationCode"),
        )?;
        out.push(seg!("REL", ["PER"], [code]));
        out.push(pna("PAS", vec![rel.child_text("PersonIdentifier")], rel));
        push_adr_edi(&mut out, rel);
    }
    out.push(seg!("S11", ["11"]));
    out.push(seg!("GIS", ["N"]));
    out.push(super::episode_rff(l));
    out.push(seg!("SEQ", [""], ["1"]));
    for (qual, name) in ["90", "91"].into_iter().zip(kind.dates) {
        if let Some(d) = name.and_then(|n| letter.child(n)) {
            out.push(dtm203(qual, d)?);
        }
    }
    out.push(super::pas(patient)?);
    let diagnose = letter.child("Diagnose");
    if let Some(d) = diagnose {
        for (name, qual) in [("Main", "A"), ("MainAdditional", "DM")] {
            for m in d.children_named(name) {
                out.push(seg!(
                    "CIN",
                    [qual],
                    [
                        m.child_text("DiagnoseCode"),
                        "SKS",
                        "SST",
                        m.child_text("DiagnoseText")
                    ]
                ));
            }
        }
        for o in d.children_named("Other") {
            out.push(seg!("S14", ["14"]));
            let desc = codes::to_edi(
                codes::DIAGNOSE_DESCRIPTION,
                "DiagnoseDescriptionCode",
                o.child_text("DiagnoseDescriptionCode"),
            )?;
            out.push(cin(desc, o)?);
            if let Some(dt) = o.child("DiagnoseDateTime") {
                out.push(dtm203("CIS", dt)?);
            }
        }
    }
    for ci in letter.children_named("ClinicalInformation") {
        out.push(seg!("S14", ["14"]));
        if let Some(s) = ci.child("Signed") {
            out.push(dtm203("CIC", s)?);
        }
        if let Some(t) = ci.child(kind.text) {
            out.extend(text::to_ftx("NC", t)?);
        }
    }
    if letter.child("Reference").is_some() {
        return Err(crate::legacy::LegacyError::new(
            crate::legacy::LegacyErrorKind::UnexpectedSegment {
                tag: "Reference".to_owned(),
            },
        )
        .with_location("/Emessage/DischargeLetter/Reference"));
    }
    Ok(out)
}

/// A CIN segment from an element with DiagnoseCode, DiagnoseTypeCode, DiagnoseText.
pub(crate) fn cin(qual: &str, d: &Element) -> Result<Segment, LegacyError> {
    let ty = d.child_text("DiagnoseTypeCode");
    let code = codes::to_edi(codes::DIAGNOSE_TYPE, "DiagnoseTypeCode", ty)?;
    let agency = if code == "SKS" { "SST" } else { "" };
    Ok(seg!(
        "CIN",
        [qual],
        [
            d.child_text("DiagnoseCode"),
            code,
            agency,
            d.child_text("DiagnoseText")
        ]
    ))
}
