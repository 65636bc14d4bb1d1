//! The MEDRPT laboratory report family: RPT01 clinical-chemistry report (R0130K ⇄
//! `LaboratoryReport`). One table row per type ([`KINDS`]).
//!
//! Facts from MedCom's converter (its R0130K mapping) and its paired test messages:
//! - the laboratory is `NAD+SLA` (Sender), the requester `NAD+PO` (Receiver); the requesting
//!   physician's initials travel in a `NAD+BV` group marked `RFF+AHL:2`;
//! - S02 carries the production identifier (`RFF+SRI`), the result time (`DTM+ISR`) and the
//!   requisition comments (`FTX+SPC`); S04 the sample identifiers (`SOI` the laboratory's,
//!   `ROI` the requester's) and the sampling time (`DTM+4`);
//! - S16 holds the results, each starting at `GIS` (`N` new, `M` corrected) with `INV`, `RSL`,
//!   `STS` (`FR` final, `PR` preliminary), `FTX` (`ACM` complete name, `SPC` comment, `RIT`
//!   text value) and `REL+PRF` (producer); a reference interval follows in S20 (`RND`), after
//!   which the next result's `GIS` continues the list (inferred from the segment groups; the
//!   pairs show one interval only). `IntervalText` has no known FTX qualifier and is refused.
//!
//! `GIS+N` and `STS++K` in S02 and `SPC+SCI+ATT` in S16 are fixed: other values are errors, as
//! is any segment, qualifier or OIOXML element the conversion does not map.

use super::codes::Table;
use super::common::{
    check_known, code_xml, dtm203, find, find_q, located, party_to_edi, party_to_xml,
    patient_to_edi, patient_to_xml, push_cc_receiver, push_contact_person, push_dtm203,
    push_nonempty, required, spr, Body,
};
use super::{codes, text, Letter};
use crate::legacy::edifact::{seg, Message, Segment};
use crate::legacy::oioxml::Element;
use crate::legacy::{LegacyError, LegacyErrorKind};

/// One report type.
pub(crate) struct Kind {
    /// EDIFACT version (UNH 2:5).
    pub(crate) version: &'static str,
    /// OIOXML letter root.
    pub(crate) root: &'static str,
    /// MedCom message name (UNH 3 and SPR).
    pub(crate) code: &'static str,
}

/// The laboratory report family (facts from MedCom's converter and paired messages).
#[rustfmt::skip]
pub(crate) const KINDS: &[Kind] = &[
    Kind { version: "R0130K", root: "LaboratoryReport", code: "RPT01" },
];

/// INV 2:2 → `AnalysisCodeType`.
const CODE_TYPE: Table = &[("CQU", "iupac"), ("91", "lokal")];
/// RSL 1:1 → `ResultType`.
const RESULT_TYPE: Table = &[("NV", "numerisk"), ("AV", "alfanumerisk")];
/// RSL 2:2 → `Operator`.
const OPERATOR: Table = &[("7", "mindre_end"), ("6", "stoerre_end")];
/// RSL 5:1 → `ResultValidation`.
const VALIDATION: Table = &[("HI", "for_hoej"), ("LO", "for_lav"), ("UN", "unormal")];
/// RND 1:1 → `TypeOfInterval`.
const INTERVAL: Table = &[
    ("F", "fysiologisk"),
    ("T", "terapeutisk"),
    ("U", "uspecificeret"),
];
/// (GIS 1:1, STS 2:1) → `ResultStatusCode`; `proeve_modtaget` is `PR` with value `*****`.
const RESULT_STATUS: &[(&str, &str, &str)] = &[
    ("N", "FR", "svar_endeligt"),
    ("M", "FR", "svar_rettet"),
    ("N", "PR", "svar_midlertidigt"),
    ("N", "PR", "proeve_modtaget"),
];
/// The value of a result whose sample is only received.
const PENDING: &str = "*****";
/// Result FTX qualifier ⇄ element (after `AnalysisCompleteName`).
const RESULT_TEXT: &[(&str, &str)] = &[("SPC", "ResultComments"), ("RIT", "ResultTextValue")];

/// The segments each group may hold outside the results.
const ALLOWED: &[(&str, &[&str])] = &[
    ("", &["BGM", "DTM"]),
    ("01", &["NAD", "ADR", "SEQ", "SPR", "RFF"]),
    ("02", &["GIS", "RFF", "STS", "DTM", "FTX"]),
    ("04", &["RFF", "DTM"]),
    ("06", &[]),
    ("07", &["PNA", "RFF"]),
    ("16", &["SPC", "GIS", "INV", "RSL", "STS", "FTX", "REL"]),
    ("20", &["RND", "GIS", "INV", "RSL", "STS", "FTX", "REL"]),
];

fn known(group: &str, s: &Segment) -> bool {
    let q = s.component(1, 1);
    match (group, s.tag()) {
        ("01", "NAD") => matches!(q, "SLA" | "PO" | "CCR" | "BV"),
        ("01", "RFF") => q == "AHL" && s.component(1, 2) == "2",
        ("02", "GIS") => q == "N",
        ("02", "STS") => s.component(2, 1) == "K",
        ("02", "RFF") => q == "SRI",
        ("02", "DTM") => q == "ISR",
        ("02", "FTX") => q == "SPC",
        ("04", "RFF") => matches!(q, "SOI" | "ROI"),
        ("04", "DTM") => q == "4",
        ("07", "PNA") => q == "PAT",
        ("16", "SPC") => q == "SCI" && s.component(2, 1) == "ATT",
        ("16" | "20", "FTX") => q == "ACM" || RESULT_TEXT.iter().any(|(r, _)| *r == q),
        ("16" | "20", "INV") => q == "MQ",
        ("16" | "20", "REL") => q == "PRF" && s.component(2, 1) == "POR",
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
        tag: name.to_owned(),
    })
}

/// EDIFACT → OIOXML.
pub(crate) fn to_xml(letter: &Letter<'_>, message: &Message) -> Result<Element, LegacyError> {
    let kind = kind_of(|k| k.version == message.version(), message.version())?;
    let body = Body::new(message.body());
    check_known(&body, ALLOWED, known)?;
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
    if let Some(g) = body.party("01", "NAD", "SLA") {
        let mut e = root.child_element("Sender");
        e.push_text_child("EANIdentifier", letter.sender_ean);
        party_to_xml(&mut e, g, false, true)?;
        root.push(e);
    }
    if let Some(g) = body.party("01", "NAD", "PO") {
        let mut e = root.child_element("Receiver");
        e.push_text_child("EANIdentifier", letter.recipient_ean);
        party_to_xml(&mut e, g, false, false)?;
        let physician = body
            .groups("01")
            .find(|g| find_q(g, "NAD", "BV").is_some() && find_q(g, "RFF", "AHL").is_some());
        if let Some(nad) = physician.and_then(|g| find(g, "NAD")) {
            let mut p = e.child_element("Physician");
            p.push_text_child("PersonInitials", nad.component(4, 1));
            e.push(p);
        }
        root.push(e);
    }
    if let Some(g) = body.party("01", "NAD", "CCR") {
        let mut e = root.child_element("CCReceiver");
        party_to_xml(&mut e, g, false, false)?;
        root.push(e);
    }
    if let Some(g) = body.groups("07").next() {
        let mut e = root.child_element("Patient");
        patient_to_xml(&mut e, g, None)?;
        root.push(e);
    }
    let s02 = body.groups("02").next().unwrap_or(&[]);
    let s04 = body.groups("04").next().unwrap_or(&[]);
    let mut req = root.child_element("RequisitionInformation");
    for ftx in s02.iter().filter(|s| s.tag() == "FTX") {
        let mut c = req.child_element("Comments");
        text::push_formatted(&mut c, ftx);
        req.push(c);
    }
    let mut sample = req.child_element("Sample");
    for (q, name) in [
        ("SOI", "LaboratoryInternalSampleIdentifier"),
        ("ROI", "RequesterSampleIdentifier"),
    ] {
        if let Some(rff) = find_q(s04, "RFF", q) {
            sample.push_text_child(name, rff.component(1, 2));
        }
    }
    if let Some(dtm) = find_q(s04, "DTM", "4") {
        let mut d = sample.child_element("SamplingDateTime");
        push_dtm203(&mut d, dtm)?;
        sample.push(d);
    }
    req.push(sample);
    root.push(req);
    let mut results = root.child_element("LaboratoryResults");
    let mut general = results.child_element("GeneralResultInformation");
    if let Some(rff) = find_q(s02, "RFF", "SRI") {
        general.push_text_child(
            "LaboratoryInternalProductionIdentifier",
            rff.component(1, 2),
        );
    }
    if let Some(dtm) = find_q(s02, "DTM", "ISR") {
        let mut d = general.child_element("ResultsDateTime");
        push_dtm203(&mut d, dtm)?;
        general.push(d);
    }
    results.push(general);
    for r in split_results(&body)? {
        results.push(result_to_xml(&results, &r)?);
    }
    root.push(results);
    Ok(root)
}

/// One result's segments: its own and those of its reference interval (S20).
#[derive(Default)]
struct Segments<'a> {
    own: Vec<&'a Segment>,
    interval: Vec<&'a Segment>,
}

/// Splits S16 and S20 into results: each starts at `GIS`; an S20 (its `RND`) attaches to the
/// result before it.
fn split_results<'a>(body: &Body<'a>) -> Result<Vec<Segments<'a>>, LegacyError> {
    let mut out: Vec<Segments<'a>> = Vec::new();
    for (g, segments) in body
        .groups
        .iter()
        .filter(|(g, _)| matches!(*g, "16" | "20"))
    {
        let mut in_interval = *g == "20";
        if in_interval && out.is_empty() {
            return Err(unexpected("S20"));
        }
        for s in segments {
            match (s.tag(), out.last_mut()) {
                ("SPC", _) if !in_interval => {}
                ("GIS", _) => {
                    in_interval = false;
                    out.push(Segments {
                        own: vec![s],
                        interval: Vec::new(),
                    });
                }
                // Only RND is known inside an interval (IntervalText's qualifier is not).
                ("RND", Some(r)) if in_interval => r.interval.push(s),
                (_, Some(r)) if !in_interval => r.own.push(s),
                _ => return Err(located(unexpected(s.tag()), s)),
            }
        }
    }
    Ok(out)
}

fn result_to_xml(parent: &Element, r: &Segments<'_>) -> Result<Element, LegacyError> {
    let mut e = parent.child_element("Result");
    let gis = find(&r.own, "GIS");
    let sts = find(&r.own, "STS");
    let rsl = find(&r.own, "RSL");
    let status = gis.map_or("", |s| s.component(1, 1));
    let service = sts.map_or("", |s| s.component(2, 1));
    let pending = rsl.is_some_and(|s| s.component(2, 1) == PENDING);
    let code = RESULT_STATUS
        .iter()
        .filter(|(g, s, _)| *g == status && *s == service)
        .map(|(_, _, c)| *c)
        .find(|c| (*c == "proeve_modtaget") == pending || service != "PR")
        .ok_or_else(|| {
            let e = LegacyError::new(LegacyErrorKind::UnknownCode {
                field: "ResultStatusCode",
                code: format!("{status}/{service}"),
            });
            match sts.or(gis) {
                Some(at) => located(e, at),
                None => e,
            }
        })?;
    e.push_text_child("ResultStatusCode", code);
    let mut a = e.child_element("Analysis");
    if let Some(inv) = find(&r.own, "INV") {
        a.push_text_child("AnalysisCode", inv.component(2, 1));
        let t = code_xml(CODE_TYPE, "AnalysisCodeType", inv.component(2, 2), inv)?;
        a.push_text_child("AnalysisCodeType", t);
        a.push_text_child("AnalysisCodeResponsible", inv.component(2, 3));
        push_nonempty(&mut a, "AnalysisShortName", inv.component(2, 4));
    }
    for ftx in r
        .own
        .iter()
        .filter(|s| s.tag() == "FTX" && s.component(1, 1) == "ACM")
    {
        let mut t = a.child_element("AnalysisCompleteName");
        text::push_formatted(&mut t, ftx);
        a.push(t);
    }
    e.push(a);
    if let Some(rel) = find(&r.own, "REL") {
        let mut p = e.child_element("ProducerOfLabResult");
        p.push_text_child("Identifier", rel.component(2, 4));
        p.push_text_child("IdentifierCode", rel.component(2, 3));
        e.push(p);
    }
    if !r.interval.is_empty() {
        let mut i = e.child_element("ReferenceInterval");
        if let Some(rnd) = find(&r.interval, "RND") {
            let t = code_xml(INTERVAL, "TypeOfInterval", rnd.component(1, 1), rnd)?;
            i.push_text_child("TypeOfInterval", t);
            push_nonempty(&mut i, "LowerLimit", rnd.component(2, 1));
            push_nonempty(&mut i, "UpperLimit", rnd.component(3, 1));
        }
        e.push(i);
    }
    if let Some(rsl) = rsl {
        let t = code_xml(RESULT_TYPE, "ResultType", rsl.component(1, 1), rsl)?;
        e.push_text_child("ResultType", t);
        if !rsl.component(2, 2).is_empty() {
            let o = code_xml(OPERATOR, "Operator", rsl.component(2, 2), rsl)?;
            e.push_text_child("Operator", o);
        }
        e.push_text_child("Value", rsl.component(2, 1));
        push_nonempty(&mut e, "Unit", rsl.component(4, 4));
        if !rsl.component(5, 1).is_empty() {
            let v = code_xml(VALIDATION, "ResultValidation", rsl.component(5, 1), rsl)?;
            e.push_text_child("ResultValidation", v);
        }
    }
    for ftx in r.own.iter().filter(|s| s.tag() == "FTX") {
        if let Some((_, name)) = RESULT_TEXT.iter().find(|(q, _)| *q == ftx.component(1, 1)) {
            let mut t = e.child_element(*name);
            text::push_formatted(&mut t, ftx);
            e.push(t);
        }
    }
    Ok(e)
}

/// OIOXML elements the conversion has no EDIFACT place for: an error, never dropped.
const UNMAPPED: &[(&str, &str)] = &[
    ("Sample", "Volume"),
    ("Sample", "UnitOfVolume"),
    ("Sample", "SamplingInterval"),
    ("Analysis", "RequisitionGroup"),
    ("Analysis", "Order"),
    ("Result", "Reference"),
    ("ReferenceInterval", "IntervalText"),
    ("Sender", "IdentifierLocal"),
    ("Receiver", "IdentifierLocal"),
    ("CCReceiver", "IdentifierLocal"),
];

fn reject_unmapped(e: &Element, path: &str, depth: usize) -> Result<(), LegacyError> {
    if depth > 8 {
        return Ok(());
    }
    for c in e.elements() {
        let here = format!("{path}/{}", c.name());
        if UNMAPPED
            .iter()
            .any(|(p, n)| *p == e.name() && *n == c.name())
        {
            return Err(unexpected(c.name()).with_location(here));
        }
        reject_unmapped(c, &here, depth + 1)?;
    }
    Ok(())
}

/// OIOXML → EDIFACT body.
pub(crate) fn to_edi(letter: &Element) -> Result<Vec<Segment>, LegacyError> {
    let kind = kind_of(|k| k.root == letter.name(), letter.name())?;
    reject_unmapped(letter, &format!("/Emessage/{}", letter.name()), 0)?;
    let l = required(letter, "Letter")?;
    let sender = required(letter, "Sender")?;
    let receiver = required(letter, "Receiver")?;
    let patient = required(letter, "Patient")?;
    let req = required(letter, "RequisitionInformation")?;
    let sample = required(req, "Sample")?;
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
    push_cc_receiver(&mut out, letter, &mut seq)?;
    if let Some(p) = receiver.child("Physician") {
        push_contact_person(&mut out, p, "2", &mut seq);
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
    for c in req.children_named("Comments") {
        out.extend(text::to_ftx("SPC", c)?);
    }
    out.push(seg!("S04", ["04"]));
    if let Some(r) = sample.child("RequesterSampleIdentifier") {
        out.push(seg!("RFF", ["ROI", r.text()]));
    }
    if let Some(r) = sample.child("LaboratoryInternalSampleIdentifier") {
        out.push(seg!("RFF", ["SOI", r.text()]));
    }
    out.push(dtm203("4", required(sample, "SamplingDateTime")?)?);
    out.push(seg!("S06", ["06"]));
    out.push(seg!("S07", ["07"]));
    patient_to_edi(&mut out, patient);
    out.push(seg!("S16", ["16"]));
    out.push(seg!("SPC", ["SCI"], ["ATT"]));
    for r in results.children_named("Result") {
        result_to_edi(&mut out, r)?;
    }
    Ok(out)
}

fn result_to_edi(out: &mut Vec<Segment>, r: &Element) -> Result<(), LegacyError> {
    let status = r.child_text("ResultStatusCode");
    let (gis, sts) = RESULT_STATUS
        .iter()
        .find(|(_, _, c)| *c == status)
        .map(|(g, s, _)| (*g, *s))
        .ok_or_else(|| {
            LegacyError::new(LegacyErrorKind::UnknownCode {
                field: "ResultStatusCode",
                code: status.chars().take(40).collect(),
            })
            .with_location("Result/ResultStatusCode")
        })?;
    out.push(seg!("GIS", [gis]));
    let a = required(r, "Analysis")?;
    let code_type = codes::to_edi(
        CODE_TYPE,
        "AnalysisCodeType",
        a.child_text("AnalysisCodeType"),
    )?;
    out.push(seg!(
        "INV",
        ["MQ"],
        [
            a.child_text("AnalysisCode"),
            code_type,
            a.child_text("AnalysisCodeResponsible"),
            a.child_text("AnalysisShortName")
        ]
    ));
    let result_type = codes::to_edi(RESULT_TYPE, "ResultType", r.child_text("ResultType"))?;
    let operator = match r.child("Operator") {
        Some(o) => codes::to_edi(OPERATOR, "Operator", o.text())?,
        None => "",
    };
    let validation = match r.child("ResultValidation") {
        Some(v) => codes::to_edi(VALIDATION, "ResultValidation", v.text())?,
        None => "",
    };
    out.push(seg!(
        "RSL",
        [result_type],
        [r.child_text("Value"), operator],
        [""],
        ["", "", "", r.child_text("Unit")],
        [validation]
    ));
    out.push(seg!("STS", [""], [sts]));
    for t in a.children_named("AnalysisCompleteName") {
        out.extend(text::to_ftx("ACM", t)?);
    }
    for c in r.elements() {
        if let Some((q, _)) = RESULT_TEXT.iter().find(|(_, n)| *n == c.name()) {
            out.extend(text::to_ftx(q, c)?);
        }
    }
    if let Some(p) = r.child("ProducerOfLabResult") {
        out.push(seg!(
            "REL",
            ["PRF"],
            [
                "POR",
                "91",
                p.child_text("IdentifierCode"),
                p.child_text("Identifier")
            ]
        ));
    }
    if let Some(i) = r.child("ReferenceInterval") {
        out.push(seg!("S20", ["20"]));
        let t = match i.child("TypeOfInterval") {
            Some(t) => codes::to_edi(INTERVAL, "TypeOfInterval", t.text())?,
            None => "",
        };
        out.push(seg!(
            "RND",
            [t],
            [i.child_text("LowerLimit")],
            [i.child_text("UpperLimit")]
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::legacy::{convert, edifact};

    const HEAD: &str = "UNA:+.? 'UNB+UNOC:3+5790000120284:14+5790000125012:14+000116:1247+K1++++0'\
        UNH+M1+MEDRPT:D:93A:UN:R0130K+RPT01'BGM+LRP++9+NA'DTM+137:200001161252:203'\
        S01+01'NAD+SLA+4201050:SKS:SST++Lab:::::US'SEQ++1'SPR+ORG+60:SKS:SST+RPT01:SKS:SST'\
        S01+01'NAD+PO+989897:YNR:SFU++Klinik:::::US'SEQ++2'\
        S02+02'GIS+N'RFF+SRI:1'STS++K'DTM+ISR:200001161247:203'\
        S04+04'RFF+SOI:2'DTM+4:199808270630:203'S06+06'\
        S07+07'PNA+PAT+1212778221:::CPR:IM+++SU:M'S16+16'SPC+SCI+ATT'";

    fn interchange(results: &str) -> Vec<u8> {
        let message = format!("{HEAD}{results}");
        let from = message.find("UNH").unwrap_or(0);
        let count = message[from..].matches('\'').count() + 1;
        format!("{message}UNT+{count}+M1'UNZ+1+K1'").into_bytes()
    }

    /// (results, converts): one line per case.
    #[rustfmt::skip]
    const CASES: &[(&str, bool)] = &[
        // Two results, the first with a reference interval, and a preliminary one.
        ("GIS+N'INV+MQ+A:CQU:SST'RSL+NV+5:7++:::g/l+LO'STS++FR'REL+PRF+POR:91:X:Y'S20+20'RND+F+6+9'\
          GIS+N'INV+MQ+B:91:MCS'RSL+AV+*****'STS++PR'", true),
        ("GIS+N'INV+MQ+B:91:MCS'RSL+AV+1'STS++PR'", true),
        // Unknown status combination, qualifier, and interval text.
        ("GIS+M'INV+MQ+B:91:MCS'RSL+AV+1'STS++PR'", false),
        ("GIS+N'INV+MQ+B:ZZ:MCS'RSL+AV+1'STS++FR'", false),
        ("GIS+N'INV+MQ+B:91:MCS'RSL+AV+1'STS++FR'S20+20'RND+U'FTX+SPC+P00++x'", false),
    ];

    #[test]
    fn results_round_trip_or_are_refused() {
        for (results, converts) in CASES {
            let input = interchange(results);
            let read = edifact::read(&input).unwrap();
            match convert::to_oioxml(&read) {
                Ok(xml) => {
                    assert!(converts, "{results}");
                    assert_eq!(convert::to_edifact(&xml).unwrap(), read, "{results}");
                }
                Err(e) => assert!(!converts, "{results}: {e}"),
            }
        }
    }
}
