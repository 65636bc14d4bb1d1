//! DIS91 correspondence (MEDDIS D9134L) ⇄ XDIS91 `ClinicalEmail` (XD9134L), and its
//! administrative sibling DIS90 (D9034L) ⇄ XDIS90 `AdministrativeEmail` (XD9034L), which has
//! the same layout.

use super::common::{
    code_xml, dtm203, find, party_to_edi, party_to_xml, patient_to_edi, patient_to_xml, required,
    spr, Body,
};
use super::discharge::is_reference;
use super::{codes, text, Letter};
use crate::legacy::edifact::{seg, Message, Segment};
use crate::legacy::oioxml::Element;
use crate::legacy::{LegacyError, LegacyErrorKind};

/// (EDIFACT version, root, VersionCode, StatisticalCode, SPR message name).
const KINDS: &[(&str, &str, &str, &str, &str)] = &[
    ("D9134L", "ClinicalEmail", "XD9134L", "XDIS91", "DIS91"),
    (
        "D9034L",
        "AdministrativeEmail",
        "XD9034L",
        "XDIS90",
        "DIS90",
    ),
];

/// The segments each group may hold (checked by [`super::common::check_known`]).
const ALLOWED: &[(&str, &[&str])] = &[
    ("", &["BGM", "DTM"]),
    ("01", &["NAD", "ADR", "CON", "SEQ", "SPR"]),
    ("02", &["GIS", "RFF", "DTM"]),
    ("07", &["PNA", "RFF", "ADR", "EMP"]),
    ("11", &["GIS", "RFF", "SEQ", "PAS"]),
    ("14", &["FTX"]),
];

/// Qualifiers the conversion understands; references (FTX BIN, SUP, URL) are not converted
/// yet and so are errors too.
fn known(group: &str, s: &Segment) -> bool {
    match (group, s.tag()) {
        ("01", "NAD") => matches!(s.component(1, 1), "SSP" | "PO"),
        ("14", "FTX") => matches!(s.component(1, 1), "NC" | "OE"),
        _ => true,
    }
}

/// EDIFACT → OIOXML.
pub(crate) fn to_xml(letter: &Letter<'_>, message: &Message) -> Result<Element, LegacyError> {
    let body = Body::new(message.body());
    super::common::check_known(&body, ALLOWED, known)?;
    let kind = KINDS
        .iter()
        .find(|k| k.0 == message.version())
        .ok_or_else(|| {
            LegacyError::new(LegacyErrorKind::UnsupportedMessage {
                version: message.version().to_owned(),
            })
        })?;
    let mut root = Element::new(kind.1, letter.namespace);
    let s11 = body.groups("11").next();
    root.push(letter.letter_element(&body, [kind.2, kind.3, kind.3], s11)?);
    if let Some(g) = body.party("01", "NAD", "SSP") {
        let mut e = root.child_element("Sender");
        e.push_text_child("EANIdentifier", letter.sender_ean);
        party_to_xml(&mut e, g, true, true)?;
        root.push(e);
    }
    if let Some(g) = body.party("01", "NAD", "PO") {
        let mut e = root.child_element("Receiver");
        e.push_text_child("EANIdentifier", letter.recipient_ean);
        party_to_xml(&mut e, g, false, false)?;
        root.push(e);
    }
    if let Some(g) = body.groups("07").next() {
        let mut e = root.child_element("Patient");
        patient_to_xml(&mut e, g, s11)?;
        root.push(e);
    }
    let priority = body
        .groups("02")
        .next()
        .and_then(|g| g.iter().filter(|s| s.tag() == "RFF").nth(1).copied());
    let subject = body.groups("14").find_map(|g| {
        g.first()
            .copied()
            .filter(|s| s.tag() == "FTX" && s.component(1, 1) == "OE")
    });
    if priority.is_some() || subject.is_some() {
        let mut info = root.child_element("AdditionalInformation");
        if let Some(p) = priority {
            // Other qualifiers carry no priority (MedCom's converter ignores them).
            if let Ok(code) = codes::to_xml(codes::PRIORITY, "Priority", p.component(1, 1)) {
                info.push_text_child("Priority", code);
            }
        }
        if let Some(s) = subject {
            info.push_text_child("Subject", s.component(4, 1));
        }
        root.push(info);
    }
    for g in body.groups("14") {
        let texts: Vec<&Segment> = g
            .iter()
            .copied()
            .filter(|s| s.tag() == "FTX" && !is_reference(s) && s.component(1, 1) != "OE")
            .collect();
        if texts.is_empty() {
            continue;
        }
        let mut ci = root.child_element("ClinicalInformation");
        let mut t = ci.child_element("Text01");
        for ftx in texts {
            text::push_formatted(&mut t, ftx);
        }
        ci.push(t);
        root.push(ci);
    }
    if let Some(r) = body
        .groups("14")
        .flat_map(|g| g.iter().copied())
        .find(|s| s.tag() == "FTX" && is_reference(s))
    {
        return Err(super::common::located(
            LegacyError::new(LegacyErrorKind::UnexpectedSegment {
                tag: format!("FTX+{}", r.component(1, 1)),
            }),
            r,
        ));
    }
    let _ = code_xml;
    Ok(root)
}

/// OIOXML → EDIFACT body.
pub(crate) fn to_edi(letter: &Element) -> Result<Vec<Segment>, LegacyError> {
    let l = required(letter, "Letter")?;
    let sender = required(letter, "Sender")?;
    let receiver = required(letter, "Receiver")?;
    let patient = required(letter, "Patient")?;
    let info = letter.child("AdditionalInformation");
    let statistical = KINDS
        .iter()
        .find(|k| k.1 == letter.name())
        .map_or("DIS91", |k| k.4);
    let mut out = vec![seg!("BGM", ["EPI"], [""], ["9"], ["NA"])];
    out.push(dtm203("137", required(l, "Authorisation")?)?);
    out.push(seg!("S01", ["01"]));
    party_to_edi(&mut out, "SSP", sender, false, true)?;
    out.push(seg!("SEQ", [""], ["1"]));
    out.push(spr(sender, statistical, ["SKS", "SST"])?);
    out.push(seg!("S01", ["01"]));
    party_to_edi(&mut out, "PO", receiver, true, false)?;
    out.push(seg!("SEQ", [""], ["2"]));
    let priority = match info.and_then(|i| i.child("Priority")) {
        Some(p) => Some(seg!(
            "RFF",
            [codes::to_edi(codes::PRIORITY, "Priority", p.text())?, "NC"]
        )),
        None => None,
    };
    out.extend(super::letter_info_with(l, "02", priority)?);
    out.push(seg!("S07", ["07"]));
    patient_to_edi(&mut out, patient);
    out.push(seg!("S11", ["11"]));
    out.push(seg!("GIS", ["N"]));
    out.push(super::episode_rff(l));
    out.push(seg!("SEQ", [""], ["1"]));
    out.push(super::pas(patient)?);
    let subject = info.and_then(|i| i.child("Subject"));
    let mut infos = letter.children_named("ClinicalInformation").peekable();
    if infos.peek().is_none() {
        if let Some(s) = subject {
            out.push(seg!("S14", ["14"]));
            out.push(seg!("FTX", ["OE"], ["P00"], [""], [s.text()]));
        }
    }
    for (n, ci) in infos.enumerate() {
        out.push(seg!("S14", ["14"]));
        if n == 0 {
            if let Some(s) = subject {
                out.push(seg!("FTX", ["OE"], ["P00"], [""], [s.text()]));
            }
        }
        if let Some(t) = ci.child("Text01") {
            out.extend(text::to_ftx("NC", t)?);
        }
    }
    let _ = find;
    Ok(out)
}
