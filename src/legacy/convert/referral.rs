//! The MEDREF referral family: REF01 hospital referral (H0130R ⇄ XREF01 `HospitalReferral`),
//! REF02 X-ray request (H0230R ⇄ `XrayRequest`), REF06 private-specialist referral (H0630R ⇄
//! `PrivateSpecialistReferral`) and REF07 physiotherapy referral (H0731R ⇄
//! `PhysiotherapyReferral`). One layout, one table row per type ([`KINDS`]): the types differ
//! in the root, in which CIN qualifier is the main referral diagnosis (`Refer`), in the meaning
//! of the `HET` diagnosis type and in whether the referrer carries an `IdentifierCode`.
//!
//! Segment ↔ element facts come from MedCom's converter (its H0130R mapping) and its paired
//! test messages. Note the parties: the referring practice is `NAD+PO` (Sender) and the
//! receiving department `NAD+SSP` (Receiver).

use super::codes::{self, Table};
use super::common::{
    code_xml, dtm203, find, located, party_to_edi, party_to_xml, push_adr, push_adr_edi,
    push_nonempty, required, spr, Body,
};
use super::{text, Letter};
use crate::legacy::edifact::{seg, Message, Segment};
use crate::legacy::oioxml::Element;
use crate::legacy::{LegacyError, LegacyErrorKind};

/// One referral type.
pub(crate) struct Kind {
    /// EDIFACT version (UNH 2:5).
    pub(crate) version: &'static str,
    /// OIOXML letter root.
    pub(crate) root: &'static str,
    /// MedCom message name (UNH 3 and SPR).
    pub(crate) code: &'static str,
    /// CIN qualifier of `Referral/Refer`; every other CIN is a `ReferralAdditional`.
    refer: Option<&'static str>,
    /// CIN 2:2 ⇄ `DiagnoseTypeCode`.
    types: Table,
    /// Whether `Sender/Referrer` has `IdentifierCode` (`lokationsnummer` for an empty NAD id).
    referrer_code: bool,
    /// `StatisticalCode` (the 2007 and 2013 types drop the `X`; `TypeCode` keeps it).
    statistical: &'static str,
}

/// The referral family (facts from MedCom's converter and paired messages).
#[rustfmt::skip]
pub(crate) const KINDS: &[Kind] = &[
    Kind { version: "H0130R", root: "HospitalReferral", code: "REF01", refer: Some("H"), types: TYPES, referrer_code: false, statistical: "XREF01" },
    Kind { version: "H0230R", root: "XrayRequest", code: "REF02", refer: Some("H"), types: TYPES, referrer_code: false, statistical: "XREF02" },
    Kind { version: "H0630R", root: "PrivateSpecialistReferral", code: "REF06", refer: Some("HI"), types: SPECIALIST_TYPES, referrer_code: true, statistical: "REF06" },
    Kind { version: "H0731R", root: "PhysiotherapyReferral", code: "REF07", refer: None, types: PHYSIOTHERAPY_TYPES, referrer_code: true, statistical: "REF07" },
];

const TYPES: Table = &[
    ("SKS", "SKSdiagnosekode"),
    ("USP", "uspecificeretkode"),
    ("ICP", "ICPCkode"),
];
const SPECIALIST_TYPES: Table = &[
    ("SKS", "SKSdiagnosekode"),
    ("USP", "uspecificeretkode"),
    ("ICP", "ICPCkode"),
    ("HET", "speciallaegehenvisning"),
];
const PHYSIOTHERAPY_TYPES: Table = &[
    ("SKS", "SKSdiagnosekode"),
    ("USP", "uspecificeretkode"),
    ("ICP", "ICPCkode"),
    ("HET", "fysioterapihenvisning"),
    ("SFU", "Fysioterapihenvisningsdiagnose"),
];

/// CIN 1:1 of an additional referral diagnosis → `DiagnoseDescriptionCode`.
const DESCRIPTION: Table = &[
    ("DI", "uspec_diagnose"),
    ("H", "henv_diagnose"),
    ("B", "bidiagnose"),
    ("DM", "tillaegsdiagnose"),
    ("A", "aktionsdiagnose"),
    ("G", "grundmorbus"),
    ("M", "midlertidig_diagnose"),
    ("S", "forloebsdiagnose"),
    ("TR", "operation"),
    ("IN", "roentgenundersoegelse"),
    ("HI", "fysioterapihenvisning"),
    ("XI", "fysioterapihenvisningspgruppe"),
];

/// Physiotherapy diagnosis codes (CIN 2:2 `SFU`) and their texts, from MedCom's converter
/// (its H0731R mappings): a CIN carries no text when it is the listed one.
const PHYSIOTHERAPY_DIAGNOSES: &[(&str, &str)] = &[
    ("1A", "Spastisk lammelse (cerebral parese)"),
    ("1B", "Rygmarvsbrok (spina bifida)"),
    ("1C", "Infantil hydrocelphalus"),
    ("1D", "Tuberøs skelrose"),
    ("1E", "Neurofibromatosis Recklinghausen"),
    (
        "1F",
        "Hereditære ataksier og paraplegier, herunder Friedrichs ataksi",
    ),
    ("1G", "Chorea Huntington"),
    ("1H", "Hereditære neuropatier"),
    (
        "1I",
        "Muskeldystrofi og andre medfødte eller arvelige muskelsygdomme",
    ),
    ("1J", "Primær dystoni"),
    (
        "1K",
        "Andre medfødte eller arvelige sygdomme med motoriske handicaps",
    ),
    ("1L", "Kongenit hofteluksation"),
    (
        "1M",
        "Idiopatisk skoliose med Cobbs vinkel større end 20 grader",
    ),
    ("1N", "Arthrogryposis multiplex congenita"),
    ("1O", "Arvelige bindevævssygdomme"),
    ("1P", "Blødersygdom"),
    ("1Q", "Cystisk fibrose"),
    ("1R", "Hæmakromatose"),
    (
        "11",
        "Funktionsevnenedsættelse som følge af progressiv sygdom",
    ),
    (
        "2A",
        "Følger efter hjerte-, rygmarvs- og hjernehindebetændelse",
    ),
    ("2B", "Neurologiske kompl. til AIDS"),
    ("2C", "Følger efter poliomyelitis"),
    ("2D", "Følger efter hjerneblødning"),
    (
        "2E",
        "Følger efter andre kredsløbssygdomme i hjerne og rygmarv",
    ),
    ("2F", "Følger efter iskæmisk eller anoksisk hjerneskade"),
    (
        "2G",
        "Parkinsons sygdom og andre sygdomme i hjernens basale ganglier",
    ),
    (
        "2H",
        "Primære og sekundære dystonier, herunder torticollis spasmodica",
    ),
    (
        "2I",
        "Dissemineret sklerose og andre demyeliniserende sygdomme",
    ),
    ("2J", "ALS, amyotrof lateral sklerose"),
    ("2K", "Myastenia gravis"),
    ("2L", "Mono- og polyneuropatier og pleksopatier"),
    ("2M", "Hemi-, tetra- og paraplegier"),
    ("2N", "Hydrocephalus"),
    ("2O", "Syringomyeli"),
    ("2P", "Følger efter hjerne- og rygmarvssvulster"),
    (
        "3A",
        "Hemi/para- eller tetraplegi efter læsion af hjerne eller rygmarv",
    ),
    ("3B", "Større amputationer (bortset fra ablatio mammae)"),
    ("3C", "Andre varige og omfattende lammelser"),
    ("4A", "Kronisk leddegigt (reumatoid artrit)"),
    ("4B", "Psoriasisgigt"),
    ("4C", "Morbus Bechterew"),
    ("4D", "Kronisk polyarthritis"),
    ("5A", "Anden diagnose"),
];

/// Service codes MedCom's converter also names when a bare code arrives (it never drops
/// their text when writing EDIFACT).
const PHYSIOTHERAPY_SERVICES: &[(&str, &str)] = &[
    ("511", "Alm fysioterapi"),
    ("621", "Vederlagsfri fysioterapi"),
    ("624", "Vederlagsfri fysioterapi, fortsat behandling"),
    ("571", "Ridefysioterapi"),
    ("651", "Vederlagsfri ridefysioterapi"),
    ("654", "Vederlagsfri ridefysioterapi, fortsat behandling"),
];

/// PTY 2:1 → `Priority`.
const PRIORITY: Table = &[
    ("WA", "elektiv"),
    ("AC", "akut"),
    ("SA", "saerlige_forhold"),
];
/// S18 PAS → `ReferralStatus`.
const STATUS: Table = &[("HA", "ambulant"), ("HS", "indlaeggelse")];
/// TDT 3:1 → `Transport`.
const TRANSPORT: Table = &[("TX", "ingen"), ("ST", "liggende"), ("SI", "siddende")];
/// Patient CON 1:1 → `TelephoneSubscriberCode`.
const PHONE: Table = &[("HO", "fastnet"), ("CE", "mobil"), ("WO", "arbejde")];

/// S12 FTX qualifier ⇄ `RelevantClinicalInformation` child, in EDIFACT order.
const CLINICAL: &[(&str, &str)] = &[
    ("NC", "Anamnesis"),
    ("CF", "Examination"),
    ("PR", "FirstDateOfPeriod"),
    ("MT", "ActualMedicine"),
    ("AL", "Cave"),
];
/// The same children in the schema's order.
const CLINICAL_XML: &[&str] = &[
    "Cave",
    "Anamnesis",
    "Examination",
    "ActualMedicine",
    "FirstDateOfPeriod",
];

/// The segments each group may hold; anything else is an error, never dropped.
const ALLOWED: &[(&str, &[&str])] = &[
    ("", &["BGM", "DTM"]),
    ("01", &["NAD", "ADR", "CON", "SEQ", "SPR", "RFF"]),
    ("02", &["GIS", "RFF", "DTM", "CIN", "FTX"]),
    ("06", &["STS"]),
    ("07", &["PNA", "RFF", "ADR", "CON", "EMP"]),
    ("10", &["REL", "PNA"]),
    ("12", &["FTX"]),
    ("18", &["GIS", "PTY", "PAS"]),
    ("19", &["STS", "TDT", "FTX"]),
];

fn kind_of(pred: impl Fn(&Kind) -> bool, version: &str) -> Result<&'static Kind, LegacyError> {
    KINDS.iter().find(|k| pred(k)).ok_or_else(|| {
        LegacyError::new(LegacyErrorKind::UnsupportedMessage {
            version: version.chars().take(16).collect(),
        })
    })
}

/// Qualifiers the conversion understands.
fn known(group: &str, s: &Segment) -> bool {
    match (group, s.tag()) {
        ("01", "NAD") => matches!(s.component(1, 1), "PO" | "SSP" | "BV" | "PRH"),
        ("02", "FTX") => s.component(1, 1) == "DI",
        ("12", "FTX") => {
            s.component(1, 1) == "IN" || CLINICAL.iter().any(|(q, _)| *q == s.component(1, 1))
        }
        ("19", "FTX") => s.component(1, 1) == "COT",
        _ => true,
    }
}

fn cin_to_xml(
    kind: &Kind,
    parent: &Element,
    name: &str,
    cin: &Segment,
) -> Result<Element, LegacyError> {
    let mut d = parent.child_element(name);
    if name == "ReferralAdditional" {
        let desc = code_xml(
            DESCRIPTION,
            "DiagnoseDescriptionCode",
            cin.component(1, 1),
            cin,
        )?;
        d.push_text_child("DiagnoseDescriptionCode", desc);
    }
    push_nonempty(&mut d, "DiagnoseCode", cin.component(2, 1));
    let t = code_xml(kind.types, "DiagnoseTypeCode", cin.component(2, 2), cin)?;
    d.push_text_child("DiagnoseTypeCode", t);
    let text = match (cin.component(2, 4), cin.component(2, 2)) {
        // A physiotherapy diagnosis may travel as a bare code; its text is the code list's.
        ("", "SFU") => PHYSIOTHERAPY_DIAGNOSES
            .iter()
            .chain(PHYSIOTHERAPY_SERVICES)
            .find(|(c, _)| *c == cin.component(2, 1))
            .map(|(_, t)| *t)
            .ok_or_else(|| {
                located(
                    LegacyError::new(LegacyErrorKind::UnknownCode {
                        field: "DiagnoseCode",
                        code: cin.component(2, 1).chars().take(16).collect(),
                    }),
                    cin,
                )
            })?,
        ("", _) => {
            return Err(located(
                LegacyError::new(LegacyErrorKind::InvalidValue {
                    field: "DiagnoseText",
                    reason: "CIN without diagnosis text",
                }),
                cin,
            ))
        }
        (t, _) => t,
    };
    d.push_text_child("DiagnoseText", text);
    Ok(d)
}

fn formatted(parent: &Element, name: &str, ftxs: &[&Segment]) -> Element {
    let mut e = parent.child_element(name);
    for f in ftxs {
        text::push_formatted(&mut e, f);
    }
    e
}

fn ftx_q<'a>(group: &[&'a Segment], qualifier: &str) -> Vec<&'a Segment> {
    group
        .iter()
        .copied()
        .filter(|s| s.tag() == "FTX" && s.component(1, 1) == qualifier)
        .collect()
}

/// EDIFACT → OIOXML.
pub(crate) fn to_xml(letter: &Letter<'_>, message: &Message) -> Result<Element, LegacyError> {
    let kind = kind_of(|k| k.version == message.version(), message.version())?;
    let body = Body::new(message.body());
    super::common::check_known(&body, ALLOWED, known)?;
    let mut root = Element::new(kind.root, letter.namespace);
    let s02 = body.groups("02").next().unwrap_or(&[]);
    let mut l = letter.letter_element(
        &body,
        [
            &format!("X{}", kind.version),
            kind.statistical,
            &format!("X{}", kind.code),
        ],
        None,
    )?;
    if let Some(rff) = s02
        .iter()
        .find(|s| s.tag() == "RFF" && s.component(1, 1) == "ROI")
    {
        let id = rff.component(1, 2);
        if !id.is_empty() && id != "_" {
            l.push_text_child("EpisodeOfCareIdentifier", id);
        }
    }
    root.push(l);
    if let Some(g) = body.party("01", "NAD", "PO") {
        let mut e = root.child_element("Sender");
        e.push_text_child("EANIdentifier", letter.sender_ean);
        party_to_xml(&mut e, g, true, true)?;
        if let Some(nad) = body.party("01", "NAD", "BV").and_then(|g| find(g, "NAD")) {
            let mut r = e.child_element("Referrer");
            push_nonempty(&mut r, "Identifier", nad.component(2, 1));
            if kind.referrer_code || nad.has_component(2, 2) {
                let code = if nad.component(2, 2).is_empty() {
                    "lokationsnummer"
                } else {
                    code_xml(
                        codes::IDENTIFIER_CODE,
                        "IdentifierCode",
                        nad.component(2, 2),
                        nad,
                    )?
                };
                r.push_text_child("IdentifierCode", code);
            }
            r.push_text_child("PersonName", nad.component(4, 2));
            push_nonempty(&mut r, "PersonTitle", nad.component(4, 1));
            e.push(r);
        }
        root.push(e);
    }
    if let Some(g) = body.party("01", "NAD", "SSP") {
        let mut e = root.child_element("Receiver");
        e.push_text_child("EANIdentifier", letter.recipient_ean);
        party_to_xml(&mut e, g, false, false)?;
        root.push(e);
    }
    if let Some(g) = body.party("01", "NAD", "PRH") {
        let mut e = root.child_element("AnswerCCReceiver");
        party_to_xml(&mut e, g, true, false)?;
        root.push(e);
    }
    let s12 = body.groups("12").next().unwrap_or(&[]);
    if let Some(g) = body.groups("07").next() {
        root.push(patient_to_xml(&root, g, s12)?);
    }
    for g in body.groups("10") {
        let mut e = root.child_element("Relative");
        if let Some(rel) = find(g, "REL") {
            let code = code_xml(codes::RELATION, "RelationCode", rel.component(2, 1), rel)?;
            e.push_text_child("RelationCode", code);
        }
        if let Some(p) = find(g, "PNA") {
            push_nonempty(&mut e, "PersonIdentifier", p.component(2, 1));
            e.push_text_child("PersonSurnameName", p.component(5, 2));
            push_nonempty(&mut e, "PersonGivenName", p.component(6, 2));
        }
        if let Some(adr) = find(g, "ADR") {
            push_adr(&mut e, adr);
        }
        root.push(e);
    }
    let s18 = body.groups("18").next().unwrap_or(&[]);
    let s19 = body.groups("19").next().unwrap_or(&[]);
    let mut info = root.child_element("AdditionalInformation");
    if let Some(pty) = find(s18, "PTY") {
        let p = code_xml(PRIORITY, "Priority", pty.component(2, 1), pty)?;
        info.push_text_child("Priority", p);
    }
    if let Some(pas) = find(s18, "PAS") {
        let p = code_xml(STATUS, "ReferralStatus", pas.component(1, 1), pas)?;
        info.push_text_child("ReferralStatus", p);
    }
    if let Some(tdt) = find(s19, "TDT") {
        let t = code_xml(TRANSPORT, "Transport", tdt.component(3, 1), tdt)?;
        info.push_text_child("Transport", t);
    }
    for (group, qualifier, name) in [(s19, "COT", "Supplementary"), (s02, "DI", "ClinicalReason")] {
        let ftxs = ftx_q(group, qualifier);
        if !ftxs.is_empty() {
            info.push(formatted(&info, name, &ftxs));
        }
    }
    if !info.children().is_empty() {
        root.push(info);
    }
    let cins: Vec<&Segment> = s02.iter().copied().filter(|s| s.tag() == "CIN").collect();
    if !cins.is_empty() {
        let mut r = root.child_element("Referral");
        let is_refer = |c: &Segment| Some(c.component(1, 1)) == kind.refer;
        for c in cins.iter().filter(|c| is_refer(c)) {
            r.push(cin_to_xml(kind, &r, "Refer", c)?);
        }
        for c in cins.iter().filter(|c| !is_refer(c)) {
            r.push(cin_to_xml(kind, &r, "ReferralAdditional", c)?);
        }
        root.push(r);
    }
    let mut rci = root.child_element("RelevantClinicalInformation");
    for name in CLINICAL_XML {
        let q = CLINICAL
            .iter()
            .find(|(_, n)| n == name)
            .map_or("", |(q, _)| q);
        let ftxs = ftx_q(s12, q);
        if !ftxs.is_empty() {
            rci.push(formatted(&rci, name, &ftxs));
        }
    }
    if !rci.children().is_empty() {
        root.push(rci);
    }
    Ok(root)
}

fn patient_to_xml(
    root: &Element,
    g: &[&Segment],
    s12: &[&Segment],
) -> Result<Element, LegacyError> {
    let mut e = root.child_element("Patient");
    let pna = find(g, "PNA");
    if let Some(p) = pna {
        push_nonempty(&mut e, "CivilRegistrationNumber", p.component(2, 1));
    }
    for rff in g.iter().filter(|s| s.tag() == "RFF") {
        e.push_text_child("AlternativeIdentifier", rff.component(1, 2));
    }
    if let Some(p) = pna {
        e.push_text_child("PersonSurnameName", p.component(5, 2));
        push_nonempty(&mut e, "PersonGivenName", p.component(6, 2));
    }
    if let Some(emp) = find(g, "EMP") {
        e.push_text_child("PersonTitle", emp.component(3, 4));
    }
    if let Some(adr) = find(g, "ADR") {
        push_adr(&mut e, adr);
    }
    for con in g.iter().filter(|s| s.tag() == "CON") {
        let mut t = e.child_element("TelephoneSubscriber");
        t.push_text_child("TelephoneSubscriberIdentifier", con.component(2, 1));
        let code = code_xml(PHONE, "TelephoneSubscriberCode", con.component(1, 1), con)?;
        t.push_text_child("TelephoneSubscriberCode", code);
        e.push(t);
    }
    for f in ftx_q(s12, "IN") {
        e.push_text_child("EmailIdentifier", f.component(4, 1));
    }
    Ok(e)
}

fn cin_to_edi(kind: &Kind, qualifier: &str, d: &Element) -> Result<Segment, LegacyError> {
    let ty = codes::to_edi(
        kind.types,
        "DiagnoseTypeCode",
        d.child_text("DiagnoseTypeCode"),
    )?;
    // A physiotherapy diagnosis whose text is the code list's travels as a bare code.
    let code = d.child_text("DiagnoseCode");
    let text = d.child_text("DiagnoseText");
    let listed = PHYSIOTHERAPY_DIAGNOSES.contains(&(code, text));
    let text = if ty == "SFU" && listed { "" } else { text };
    Ok(seg!(
        "CIN",
        [qualifier],
        [d.child_text("DiagnoseCode"), ty, "", text]
    ))
}

fn ftx_of(out: &mut Vec<Segment>, qualifier: &str, e: Option<&Element>) -> Result<(), LegacyError> {
    if let Some(e) = e {
        out.extend(text::to_ftx(qualifier, e)?);
    }
    Ok(())
}

/// OIOXML → EDIFACT body.
pub(crate) fn to_edi(letter: &Element) -> Result<Vec<Segment>, LegacyError> {
    let kind = kind_of(|k| k.root == letter.name(), letter.name())?;
    let l = required(letter, "Letter")?;
    let sender = required(letter, "Sender")?;
    let receiver = required(letter, "Receiver")?;
    let patient = required(letter, "Patient")?;
    let mut out = vec![seg!("BGM", ["HNV"], [""], ["9"], ["NA"])];
    let authorisation = required(l, "Authorisation")?;
    out.push(dtm203("137", authorisation)?);
    out.push(seg!("S01", ["01"]));
    party_to_edi(&mut out, "PO", sender, false, true)?;
    out.push(seg!("SEQ", [""], ["1"]));
    out.push(spr(sender, kind.code, ["SKS", "SST"])?);
    out.push(seg!("S01", ["01"]));
    party_to_edi(&mut out, "SSP", receiver, true, false)?;
    out.push(seg!("SEQ", [""], ["2"]));
    let mut seq = 3;
    if let Some(r) = sender.child("Referrer") {
        out.push(seg!("S01", ["01"]));
        let id = match r.child("Identifier") {
            Some(i) => {
                let code = r.child_text("IdentifierCode");
                vec![
                    i.text(),
                    codes::to_edi(codes::IDENTIFIER_CODE, "IdentifierCode", code)?,
                    codes::to_edi(codes::IDENTIFIER_AGENCY, "IdentifierCode", code)?,
                ]
            }
            None => vec![],
        };
        out.push(Segment::new(
            "NAD",
            [
                vec!["BV"],
                id,
                vec![],
                vec![
                    r.child_text("PersonTitle"),
                    r.child_text("PersonName"),
                    "",
                    "",
                    "",
                    "US",
                ],
            ],
        ));
        out.push(seg!("RFF", ["AHL", "1"]));
        out.push(seg!("SEQ", [""], [seq.to_string()]));
        seq += 1;
    }
    if let Some(cc) = letter.child("AnswerCCReceiver") {
        out.push(seg!("S01", ["01"]));
        party_to_edi(&mut out, "PRH", cc, true, true)?;
        out.push(seg!("SEQ", [""], [seq.to_string()]));
    }
    let status = codes::to_edi(codes::STATUS, "StatusCode", l.child_text("StatusCode"))?;
    out.push(seg!("S02", ["02"]));
    out.push(seg!("GIS", [status]));
    let episode = l
        .child("EpisodeOfCareIdentifier")
        .map_or("_", Element::text);
    out.push(seg!("RFF", ["ROI", episode]));
    out.push(dtm203("4", authorisation)?);
    if let Some(r) = letter.child("Referral") {
        for d in r.children_named("Refer") {
            let q = kind.refer.ok_or_else(|| {
                LegacyError::new(LegacyErrorKind::UnexpectedSegment {
                    tag: "Refer".to_owned(),
                })
                .with_location(format!("/Emessage/{}/Referral/Refer", kind.root))
            })?;
            out.push(cin_to_edi(kind, q, d)?);
        }
        for d in r.children_named("ReferralAdditional") {
            let q = codes::to_edi(
                DESCRIPTION,
                "DiagnoseDescriptionCode",
                d.child_text("DiagnoseDescriptionCode"),
            )?;
            out.push(cin_to_edi(kind, q, d)?);
        }
    }
    let info = letter.child("AdditionalInformation");
    ftx_of(&mut out, "DI", info.and_then(|i| i.child("ClinicalReason")))?;
    out.push(seg!("S06", ["06"]));
    out.push(seg!("STS", [""], ["NR"]));
    out.push(seg!("S07", ["07"]));
    patient_to_edi(&mut out, patient)?;
    for rel in letter.children_named("Relative") {
        out.push(seg!("S10", ["10"]));
        let code = codes::to_edi(
            codes::RELATION,
            "RelationCode",
            rel.child_text("RelationCode"),
        )?;
        out.push(seg!("REL", ["PER"], [code]));
        let id: Vec<&str> = match rel.child("PersonIdentifier") {
            Some(i) => vec![i.text(), "", "", "CPR", "IM"],
            None => vec![],
        };
        out.push(super::common::pna("PAS", id, rel));
        push_adr_edi(&mut out, rel);
    }
    let rci = letter.child("RelevantClinicalInformation");
    let emails: Vec<&Element> = patient.children_named("EmailIdentifier").collect();
    let clinical = rci.is_some_and(|r| CLINICAL.iter().any(|(_, n)| r.child(n).is_some()));
    if !emails.is_empty() || clinical {
        out.push(seg!("S12", ["12"]));
        for e in emails {
            out.push(seg!("FTX", ["IN"], ["P00"], [""], [e.text()]));
        }
        for (q, name) in CLINICAL {
            ftx_of(&mut out, q, rci.and_then(|r| r.child(name)))?;
        }
    }
    out.push(seg!("S18", ["18"]));
    out.push(seg!("GIS", ["N"]));
    if let Some(p) = info.and_then(|i| i.child("Priority")) {
        out.push(seg!(
            "PTY",
            ["PRI"],
            [codes::to_edi(PRIORITY, "Priority", p.text())?]
        ));
    }
    if let Some(s) = info.and_then(|i| i.child("ReferralStatus")) {
        out.push(seg!(
            "PAS",
            [codes::to_edi(STATUS, "ReferralStatus", s.text())?]
        ));
    }
    out.push(seg!("S19", ["19"]));
    out.push(seg!("STS", [""], ["NR"]));
    if let Some(t) = info.and_then(|i| i.child("Transport")) {
        let code = codes::to_edi(TRANSPORT, "Transport", t.text())?;
        out.push(seg!("TDT", ["PHL"], [""], [code]));
    }
    ftx_of(&mut out, "COT", info.and_then(|i| i.child("Supplementary")))?;
    for name in ["Reference", "HospitalVisitation"] {
        if letter.child(name).is_some() {
            return Err(LegacyError::new(LegacyErrorKind::UnexpectedSegment {
                tag: name.to_owned(),
            })
            .with_location(format!("/Emessage/{}/{name}", kind.root)));
        }
    }
    Ok(out)
}

fn patient_to_edi(out: &mut Vec<Segment>, patient: &Element) -> Result<(), LegacyError> {
    let cpr = patient.child("CivilRegistrationNumber").map(Element::text);
    let id: Vec<&str> = match cpr {
        Some(c) => vec![c, "", "", "CPR", "IM"],
        None => vec![],
    };
    out.push(super::common::pna("PAT", id, patient));
    if let Some(alt) = patient.child("AlternativeIdentifier") {
        out.push(seg!("RFF", ["XPI", alt.text()]));
    }
    push_adr_edi(out, patient);
    for t in patient.children_named("TelephoneSubscriber") {
        let code = codes::to_edi(
            PHONE,
            "TelephoneSubscriberCode",
            t.child_text("TelephoneSubscriberCode"),
        )?;
        out.push(seg!(
            "CON",
            [code],
            [t.child_text("TelephoneSubscriberIdentifier"), "TE"]
        ));
    }
    if let Some(title) = patient.child("PersonTitle") {
        out.push(seg!("EMP", ["1"], [""], ["", "", "", title.text()]));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (CIN 2 as read, DiagnoseText, CIN 2 as written): one line per case.
    #[rustfmt::skip]
    const PHYSIOTHERAPY: &[(&[&str], Option<&str>, &[&str])] = &[
        // A listed code travels bare both ways.
        (&["1A", "SFU"], Some("Spastisk lammelse (cerebral parese)"), &["1A", "SFU"]),
        // A service code is named when bare, but its text is written.
        (&["621", "SFU"], Some("Vederlagsfri fysioterapi"), &["621", "SFU", "", "Vederlagsfri fysioterapi"]),
        // A text other than the listed one is kept.
        (&["1A", "SFU", "", "Anden tekst"], Some("Anden tekst"), &["1A", "SFU", "", "Anden tekst"]),
        // An unknown bare code is an error, as is a bare non-physiotherapy code.
        (&["9Z", "SFU"], None, &[]),
        (&["A01", "SKS"], None, &[]),
    ];

    #[test]
    fn physiotherapy_diagnosis_texts() {
        let kind = KINDS.iter().find(|k| k.code == "REF07").unwrap();
        let parent = Element::new("Referral", "urn:x");
        for (read, text, written) in PHYSIOTHERAPY {
            let cin = Segment::new("CIN", [vec!["DI"], read.to_vec()]);
            let got = cin_to_xml(kind, &parent, "ReferralAdditional", &cin);
            match text {
                Some(t) => {
                    let d = got.unwrap();
                    assert_eq!(d.child_text("DiagnoseText"), *t, "{read:?}");
                    let back = cin_to_edi(kind, "DI", &d).unwrap();
                    assert_eq!(back, Segment::new("CIN", [vec!["DI"], written.to_vec()]));
                }
                None => assert!(got.is_err(), "{read:?}"),
            }
        }
    }
}
