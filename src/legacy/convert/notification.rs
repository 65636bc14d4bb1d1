//! Hospital notifications to the municipality and the municipality's answer: DIS20
//! notification of admission (D2030C ⇄ `NotificationOfAdmission`), DIS17 notification of
//! discharge (D1730C ⇄ `NotificationOfDischarge`) and DIS14 answer of admission (D1431C ⇄
//! `AnswerOfAdmission`). One layout, one table row per type ([`KINDS`]); facts from MedCom's
//! paired messages and the 2005/08/07 schemas (authorisation with seconds, DTM format 204; the
//! sender's answer address in `RFF+LOC`).
//!
//! The answer runs the other way: the municipality (`NAD+SOR`) answers the hospital
//! (`NAD+ROR`), the receiver's group comes first, and the sender's contacts (`NAD+BV`, up to
//! five) become `ContactInformation`. Its fixed `RFF+AHL:2` per contact and `RFF+ADY:0` in S11
//! have no OIOXML element; other values are errors rather than dropped.

use super::codes::{self, Table};
use super::common::{code_xml, find, find_q, located, push_dtm203, push_nad, required, Body};
use super::Letter;
use crate::legacy::edifact::{seg, Message, Segment};
use crate::legacy::oioxml::Element;
use crate::legacy::{LegacyError, LegacyErrorKind};

/// One notification type.
pub(crate) struct Kind {
    /// EDIFACT version (UNH 2:5).
    pub(crate) version: &'static str,
    /// OIOXML letter root.
    pub(crate) root: &'static str,
    /// MedCom message name (UNH 3 and SPR).
    pub(crate) code: &'static str,
    /// The element S11 `DTM+90` maps to (none in the answer).
    date: Option<&'static str>,
    /// The municipality's answer layout (receiver first, contacts, no episode status).
    answer: bool,
}

/// The notification family.
#[rustfmt::skip]
pub(crate) const KINDS: &[Kind] = &[
    Kind { version: "D2030C", root: "NotificationOfAdmission", code: "DIS20", date: Some("Admission"), answer: false },
    Kind { version: "D1730C", root: "NotificationOfDischarge", code: "DIS17", date: Some("Discharge"), answer: false },
    Kind { version: "D1431C", root: "AnswerOfAdmission", code: "DIS14", date: None, answer: true },
];

/// S11 PAS → `EpisodeOfCareStatusCode` (the notifications' own list adds `uoplyst`).
const EPISODE_STATUS: Table = &[
    ("POT", "inaktiv"),
    ("HS", "indlagt"),
    ("HA", "ambulant"),
    ("DA", "doed"),
    ("UP", "uoplyst"),
];

/// The segments each group may hold; anything else is an error, never dropped.
const ALLOWED: &[(&str, &[&str])] = &[
    ("", &["BGM", "DTM"]),
    ("01", &["NAD", "CON", "RFF", "SEQ", "SPR"]),
    ("02", &["GIS", "RFF", "DTM"]),
    ("07", &["PNA"]),
    ("11", &["GIS", "RFF", "SEQ", "DTM", "PAS"]),
];

fn kind_of(pred: impl Fn(&Kind) -> bool, version: &str) -> Result<&'static Kind, LegacyError> {
    KINDS.iter().find(|k| pred(k)).ok_or_else(|| {
        LegacyError::new(LegacyErrorKind::UnsupportedMessage {
            version: version.chars().take(16).collect(),
        })
    })
}

/// The fixed references of the answer: (group, qualifier, the only value).
const FIXED_RFF: &[(&str, &str, &str)] = &[("01", "AHL", "2"), ("11", "ADY", "0")];

/// Qualifiers the conversion understands.
fn known(group: &str, s: &Segment) -> bool {
    match (group, s.tag()) {
        (_, "NAD") => matches!(s.component(1, 1), "SOR" | "ROR" | "BV"),
        ("01", "RFF") => matches!(s.component(1, 1), "LOC" | "BUH") || is_fixed(group, s),
        ("11", "RFF") => s.component(1, 1) == "REI" || is_fixed(group, s),
        _ => true,
    }
}

fn is_fixed(group: &str, s: &Segment) -> bool {
    FIXED_RFF
        .iter()
        .any(|(g, q, v)| *g == group && s.component(1, 1) == *q && s.component(1, 2) == *v)
}

/// `Date` and `TimeWithSec` from a DTM with format 204 (CCYYMMDDHHMMSS).
pub(crate) fn push_dtm204(target: &mut Element, dtm: &Segment) -> Result<(), LegacyError> {
    let v = dtm.component(1, 2);
    if v.len() != 14 || !v.bytes().all(|b| b.is_ascii_digit()) || dtm.component(1, 3) != "204" {
        return Err(located(
            LegacyError::new(LegacyErrorKind::InvalidValue {
                field: "DTM",
                reason: "expected CCYYMMDDHHMMSS with format 204",
            }),
            dtm,
        ));
    }
    target.push_text_child("Date", format!("{}-{}-{}", &v[..4], &v[4..6], &v[6..8]));
    target.push_text_child(
        "TimeWithSec",
        format!("{}:{}:{}", &v[8..10], &v[10..12], &v[12..14]),
    );
    Ok(())
}

/// A DTM with format 204 from `Date` and `TimeWithSec`.
pub(crate) fn dtm204(qualifier: &str, e: &Element) -> Result<Segment, LegacyError> {
    let d: String = e
        .child_text("Date")
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let t: String = e
        .child_text("TimeWithSec")
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if d.len() != 8 || t.len() != 6 {
        return Err(LegacyError::new(LegacyErrorKind::InvalidValue {
            field: "Date/TimeWithSec",
            reason: "expected YYYY-MM-DD and hh:mm:ss",
        })
        .with_location(e.name().to_owned()));
    }
    Ok(seg!("DTM", [qualifier, format!("{d}{t}"), "204"]))
}

/// EDIFACT → OIOXML.
pub(crate) fn to_xml(letter: &Letter<'_>, message: &Message) -> Result<Element, LegacyError> {
    let kind = kind_of(|k| k.version == message.version(), message.version())?;
    let body = Body::new(message.body());
    // Contacts and the fixed answer references belong to the answer only.
    super::common::check_known(&body, ALLOWED, |g, s| {
        known(g, s)
            && (kind.answer
                || !(s.component(1, 1) == "BV" || s.component(1, 1) == "BUH" || is_fixed(g, s)))
    })?;
    let s11 = body.groups("11").next().unwrap_or(&[]);
    let mut root = Element::new(kind.root, letter.namespace);
    let mut l = root.child_element("Letter");
    l.push_text_child("Identifier", letter.reference);
    l.push_text_child("VersionCode", format!("X{}", kind.version));
    l.push_text_child("StatisticalCode", format!("X{}", kind.code));
    if let Some(dtm) = letter.head.iter().find(|s| s.tag() == "DTM") {
        let mut a = l.child_element("Authorisation");
        push_dtm204(&mut a, dtm)?;
        l.push(a);
    }
    l.push_text_child("TypeCode", format!("X{}", kind.code));
    if let Some(gis) = body.groups("02").next().and_then(|g| find(g, "GIS")) {
        let status = code_xml(codes::STATUS, "StatusCode", gis.component(1, 1), gis)?;
        l.push_text_child("StatusCode", status);
    }
    if let Some(rff) = find_q(s11, "RFF", "REI") {
        l.push_text_child("NotificationIdentifier", rff.component(1, 2));
    }
    root.push(l);
    if let Some(g) = body.party("01", "NAD", "SOR") {
        let mut e = root.child_element("Sender");
        e.push_text_child("EANIdentifier", letter.sender_ean);
        if let Some(nad) = find(g, "NAD") {
            push_nad(&mut e, nad)?;
        }
        for con in g.iter().filter(|s| s.tag() == "CON") {
            e.push_text_child("TelephoneSubscriberIdentifier", con.component(2, 1));
        }
        if let Some(rff) = find_q(g, "RFF", "LOC") {
            let mut a = e.child_element("AnswerTo");
            a.push_text_child("EANIdentifier", rff.component(1, 2));
            e.push(a);
        }
        for c in body
            .groups("01")
            .filter(|g| find_q(g, "NAD", "BV").is_some())
        {
            e.push(contact_to_xml(&e, c));
        }
        root.push(e);
    }
    if let Some(g) = body.party("01", "NAD", "ROR") {
        let mut e = root.child_element("Receiver");
        e.push_text_child("EANIdentifier", letter.recipient_ean);
        if let Some(nad) = find(g, "NAD") {
            push_nad(&mut e, nad)?;
        }
        root.push(e);
    }
    if let Some(pna) = body.groups("07").next().and_then(|g| find(g, "PNA")) {
        let mut e = root.child_element("Patient");
        e.push_text_child("CivilRegistrationNumber", pna.component(2, 1));
        if let Some(pas) = find(s11, "PAS") {
            let code = code_xml(
                EPISODE_STATUS,
                "EpisodeOfCareStatusCode",
                pas.component(1, 1),
                pas,
            )?;
            e.push_text_child("EpisodeOfCareStatusCode", code);
        }
        root.push(e);
    }
    if let (Some(date), Some(dtm)) = (kind.date, find_q(s11, "DTM", "90")) {
        let mut e = root.child_element(date);
        push_dtm203(&mut e, dtm)?;
        root.push(e);
    }
    Ok(root)
}

/// `ContactInformation` from a `NAD+BV` group: two names, telephone, contact hours.
fn contact_to_xml(parent: &Element, group: &[&Segment]) -> Element {
    let mut c = parent.child_element("ContactInformation");
    if let Some(nad) = find(group, "NAD") {
        super::common::push_nonempty(&mut c, "ContactName", nad.component(4, 1));
        super::common::push_nonempty(&mut c, "ContactName", nad.component(4, 2));
    }
    if let Some(con) = find(group, "CON") {
        c.push_text_child("TelephoneSubscriberIdentifier", con.component(2, 1));
    }
    if let Some(rff) = find_q(group, "RFF", "BUH") {
        c.push_text_child("ContactTimeText", rff.component(1, 2));
    }
    c
}

/// The S01 group of the sender (`NAD+SOR`, telephone, answer address, SPR).
fn sender_group(
    out: &mut Vec<Segment>,
    kind: &Kind,
    sender: &Element,
    seq: u32,
) -> Result<(), LegacyError> {
    out.push(seg!("S01", ["01"]));
    let mut nad = Vec::new();
    super::common::party_to_edi(&mut nad, "SOR", sender, false, true)?;
    out.extend(nad);
    if let Some(a) = sender.child("AnswerTo") {
        out.push(seg!("RFF", ["LOC", a.child_text("EANIdentifier")]));
    }
    out.push(seg!("SEQ", [""], [seq.to_string()]));
    out.push(seg!("SPR", ["ORG"], [""], [kind.code, "SKS", "SST"]));
    Ok(())
}

/// The S01 group of the receiver (`NAD+ROR`).
fn receiver_group(out: &mut Vec<Segment>, receiver: &Element, seq: u32) -> Result<(), LegacyError> {
    out.push(seg!("S01", ["01"]));
    super::common::party_to_edi(out, "ROR", receiver, false, false)?;
    out.push(seg!("SEQ", [""], [seq.to_string()]));
    Ok(())
}

/// OIOXML → EDIFACT body.
pub(crate) fn to_edi(letter: &Element) -> Result<Vec<Segment>, LegacyError> {
    let kind = kind_of(|k| k.root == letter.name(), letter.name())?;
    let l = required(letter, "Letter")?;
    let sender = required(letter, "Sender")?;
    let receiver = required(letter, "Receiver")?;
    let patient = required(letter, "Patient")?;
    let authorisation = required(l, "Authorisation")?;
    let mut out = vec![seg!("BGM", ["EPI"], [""], ["9"], ["NA"])];
    out.push(dtm204("137", authorisation)?);
    let mut seq = 3;
    if kind.answer {
        receiver_group(&mut out, receiver, 1)?;
        sender_group(&mut out, kind, sender, 2)?;
        for c in sender.children_named("ContactInformation") {
            let names: Vec<&str> = c.children_named("ContactName").map(Element::text).collect();
            out.push(seg!("S01", ["01"]));
            out.push(seg!(
                "NAD",
                ["BV"],
                [""],
                [""],
                [
                    names.first().copied().unwrap_or(""),
                    names.get(1).copied().unwrap_or(""),
                    "",
                    "",
                    "",
                    "US"
                ]
            ));
            if let Some(t) = c.child("TelephoneSubscriberIdentifier") {
                out.push(seg!("CON", [""], [t.text(), "TE"]));
            }
            out.push(seg!("RFF", ["AHL", "2"]));
            if let Some(t) = c.child("ContactTimeText") {
                out.push(seg!("RFF", ["BUH", t.text()]));
            }
            out.push(seg!("SEQ", [""], [seq.to_string()]));
            seq += 1;
        }
    } else {
        sender_group(&mut out, kind, sender, 1)?;
        receiver_group(&mut out, receiver, 2)?;
    }
    let status = codes::to_edi(codes::STATUS, "StatusCode", l.child_text("StatusCode"))?;
    out.push(seg!("S02", ["02"]));
    out.push(seg!("GIS", [status]));
    out.push(seg!("RFF", ["SRI", l.child_text("Identifier")]));
    out.push(dtm204("182", authorisation)?);
    out.push(seg!("S07", ["07"]));
    out.push(seg!(
        "PNA",
        ["PAT"],
        [
            patient.child_text("CivilRegistrationNumber"),
            "",
            "",
            "CPR",
            "IM"
        ]
    ));
    out.push(seg!("S11", ["11"]));
    out.push(seg!("GIS", ["N"]));
    out.push(seg!("GIS", ["P"]));
    if kind.answer {
        out.push(seg!("RFF", ["ADY", "0"]));
    }
    out.push(seg!("RFF", ["REI", l.child_text("NotificationIdentifier")]));
    out.push(seg!("SEQ", [""], ["1"]));
    if let Some(d) = kind.date.and_then(|n| letter.child(n)) {
        out.push(super::common::dtm203("90", d)?);
    }
    if let Some(c) = patient.child("EpisodeOfCareStatusCode") {
        let code = codes::to_edi(EPISODE_STATUS, "EpisodeOfCareStatusCode", c.text())?;
        out.push(seg!("PAS", [code]));
    }
    Ok(out)
}
