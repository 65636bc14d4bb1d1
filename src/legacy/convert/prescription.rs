//! The MEDPRE prescriptions: PRE01 prescription (LMS016 ⇄ `Prescription`) and PRE60
//! prescription request (R6031W ⇄ `PrescriptionRequest`). One layout, one table row per type
//! ([`KINDS`]).
//!
//! MEDPRE carries no group-trigger segments: groups follow from the segments themselves, in
//! this order: parties (each starting at its `PNA`), prescription information (from `DTM+97`
//! to `GIS+ZZZ`), the patient (`PNA+PAT`/`PAS`), one drug per `LIN`, and the delivery (`TOD`).
//! Facts from MedCom's converter (its LMS016 and R6031W mappings) and its paired messages:
//! - the prescribing party's `PNA` holds the authorisation (2, qualifier `AUT`), the identifier
//!   (3), the title and name (6) and the organisation (7); `EMP` its occupation;
//! - `DTM+97` repeats the authorisation date and `GIS+ZZZ` closes the information: neither
//!   has an OIOXML element, so both are checked and rebuilt, never carried;
//! - the patient's name is `surname,given` in PNA 6.
//!
//! `INP` (use at the practice), `QUA` (speciality) and a drug's supplementary text have no
//! known segment layout in the public material and are refused both ways, as is anything else
//! unknown.

use super::codes::{self, Table};
use super::common::{code_xml, located, push_nonempty, required};
use super::Letter;
use crate::legacy::edifact::{seg, Message, Segment};
use crate::legacy::oioxml::Element;
use crate::legacy::{LegacyError, LegacyErrorKind};

/// One prescription type.
pub(crate) struct Kind {
    /// EDIFACT version (UNH 2:5).
    pub(crate) version: &'static str,
    /// OIOXML letter root.
    pub(crate) root: &'static str,
    /// MedCom message name (UNH 3).
    pub(crate) code: &'static str,
    /// Party PNA qualifier ⇄ element, in order.
    parties: &'static [(&'static str, &'static str)],
}

/// The prescription family (facts from MedCom's converter and paired messages).
#[rustfmt::skip]
pub(crate) const KINDS: &[Kind] = &[
    Kind { version: "LMS016", root: "Prescription", code: "PRE01", parties: &[("PO", "Sender"), ("SE", "Receiver")] },
    Kind { version: "R6031W", root: "PrescriptionRequest", code: "PRE60", parties: &[("PO", "Sender"), ("SSP", "Receiver"), ("SE", "PreferredPharmacy")] },
];

/// BGM 3 → `MessageStatusCode`.
const MESSAGE_STATUS: Table = &[("9", "original"), ("7", "kopi")];
/// EMP 2:1 → `Occupation`.
const OCCUPATION: Table = &[("PHY", "laege"), ("DEN", "tandlaege")];
/// PNA 1 of the patient → `Type`.
const PERSON_TYPE: Table = &[("PAT", "patient"), ("PAS", "patienttilknyttet_person")];
/// PDI 1 → `PatientSex`.
const SEX: Table = &[("1", "hankoen"), ("2", "hunkoen")];
/// COM 1:2 of the patient → `EmailStatus`.
const EMAIL: Table = &[("PEM", "permanent"), ("TEM", "midlertidig")];
/// TOD 3:1 → `PriorityOfDelivery`.
const DELIVERY: Table = &[
    ("OAD", "send_til_anden_adresse_samme_dag"),
    ("OAM", "send_til_anden_adresse_pr_post"),
    ("PAD", "send_til_patientadresse_samme_dag"),
    ("PAM", "send_til_patientadresse_pr_post"),
];
/// ALC 2:2 → `ReimbursementClause`.
const REIMBURSEMENT: Table = &[
    ("CLA", "klausulbetingelse_opfyldt"),
    ("CRD", "varig_lidelse"),
    ("PEN", "pensionist"),
    ("SPG", "bevilling_fra_laegemiddelstyrelsen"),
];
/// PGI 2:1 → `SubstitutionCode`.
const SUBSTITUTION: Table = &[
    ("NG", "ikke_generisk_substitution"),
    ("NO", "ikke_original_substitution"),
    ("NS", "ikke_substitution"),
];
/// DTM 1:3 of periods and intervals → unit.
const UNIT: Table = &[("802", "maaned"), ("803", "uge"), ("804", "dag")];
/// FTX qualifier of the information ⇄ element.
const INFORMATION_TEXT: &[(&str, &str)] =
    &[("ORI", "OrderInstruction"), ("DEL", "DeliveryInformation")];

/// The groups of a MEDPRE message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Group {
    Head,
    Party,
    Information,
    Patient,
    Drug,
    Delivery,
}

/// The segments each group may hold (checked with their qualifiers in [`known`]).
const ALLOWED: &[(Group, &[&str])] = &[
    (Group::Head, &["BGM", "DTM"]),
    (Group::Party, &["PNA", "ADR", "COM", "EMP"]),
    (Group::Information, &["DTM", "RFF", "FTX", "GIS"]),
    (Group::Patient, &["PNA", "ADR", "DTM", "PDI", "COM"]),
    (
        Group::Drug,
        &[
            "LIN", "IMD", "MEA", "PGI", "QTY", "PNA", "ALC", "CIN", "EQN", "DTM", "DSG",
        ],
    ),
    (Group::Delivery, &["TOD", "ADR", "PNA"]),
];

fn known(g: Group, s: &Segment) -> bool {
    let q = s.component(1, 1);
    match (g, s.tag()) {
        (Group::Head, "DTM") => q == "137",
        (Group::Information, "DTM") => q == "97",
        (Group::Information, "RFF") => {
            matches!(q, "CH" | "SYS") || (matches!(q, "DOS" | "COP") && s.component(1, 2) == "NR")
        }
        (Group::Information, "FTX") => INFORMATION_TEXT.iter().any(|(f, _)| *f == q),
        (Group::Information, "GIS") => q == "ZZZ",
        (Group::Patient, "DTM") => q == "329",
        (Group::Drug, "IMD") => matches!(s.component(2, 1), "DNM" | "DDP"),
        (Group::Drug, "MEA") => matches!(q, "AAU" | "DEN"),
        (Group::Drug, "PNA") => q == "GZ",
        (Group::Drug, "DTM") => matches!(q, "264" | "48" | "90" | "91"),
        (Group::Delivery, "PNA") => q == "AB",
        _ => true,
    }
}

/// Splits the body into groups: a group starts where its first segment appears.
fn groups<'a>(
    kind: &Kind,
    body: &'a [Segment],
) -> Result<Vec<(Group, Vec<&'a Segment>)>, LegacyError> {
    let mut out: Vec<(Group, Vec<&'a Segment>)> = vec![(Group::Head, Vec::new())];
    for s in body {
        let current = out.last().map_or(Group::Head, |(g, _)| *g);
        let q = s.component(1, 1);
        let start = match (s.tag(), q) {
            ("PNA", _) if kind.parties.iter().any(|(p, _)| *p == q) => Some(Group::Party),
            ("DTM", "97") => Some(Group::Information),
            ("PNA", "PAT" | "PAS") => Some(Group::Patient),
            ("LIN", _) => Some(Group::Drug),
            ("TOD", _) => Some(Group::Delivery),
            _ => None,
        };
        // Groups come in a fixed order; only parties and drugs repeat.
        let order = |g: Group| ALLOWED.iter().position(|(a, _)| *a == g).unwrap_or(0);
        match start {
            Some(g)
                if order(g) > order(current)
                    || (g == current && matches!(g, Group::Party | Group::Drug)) =>
            {
                out.push((g, vec![s]));
            }
            Some(_) => return Err(located(unexpected(s.tag()), s)),
            None => {
                let allowed = ALLOWED
                    .iter()
                    .find(|(g, _)| *g == current)
                    .is_some_and(|(_, tags)| tags.contains(&s.tag()));
                if !allowed || !known(current, s) {
                    let tag = if q.is_empty() {
                        s.tag().to_owned()
                    } else {
                        format!("{}+{}", s.tag(), q.chars().take(8).collect::<String>())
                    };
                    return Err(located(unexpected(&tag), s));
                }
                if let Some((_, segments)) = out.last_mut() {
                    segments.push(s);
                }
            }
        }
    }
    Ok(out)
}

fn unexpected(tag: &str) -> LegacyError {
    LegacyError::new(LegacyErrorKind::UnexpectedSegment {
        tag: tag.chars().take(40).collect(),
    })
}

fn kind_of(pred: impl Fn(&Kind) -> bool, version: &str) -> Result<&'static Kind, LegacyError> {
    KINDS.iter().find(|k| pred(k)).ok_or_else(|| {
        LegacyError::new(LegacyErrorKind::UnsupportedMessage {
            version: version.chars().take(16).collect(),
        })
    })
}

fn find<'a>(g: &[&'a Segment], tag: &str) -> Option<&'a Segment> {
    g.iter().copied().find(|s| s.tag() == tag)
}

fn find_q<'a>(g: &[&'a Segment], tag: &str, q: &str) -> Option<&'a Segment> {
    g.iter()
        .copied()
        .find(|s| s.tag() == tag && s.component(1, 1) == q)
}

/// `YYYY-MM-DD` from a DTM with format 102.
pub(crate) fn date102(dtm: &Segment) -> Result<String, LegacyError> {
    let v = dtm.component(1, 2);
    if v.len() != 8 || !v.bytes().all(|b| b.is_ascii_digit()) || dtm.component(1, 3) != "102" {
        return Err(located(
            LegacyError::new(LegacyErrorKind::InvalidValue {
                field: "DTM",
                reason: "expected CCYYMMDD with format 102",
            }),
            dtm,
        ));
    }
    Ok(format!("{}-{}-{}", &v[..4], &v[4..6], &v[6..8]))
}

pub(crate) fn dtm102(qualifier: &str, date: &str) -> Result<Segment, LegacyError> {
    let d: String = date.chars().filter(char::is_ascii_digit).collect();
    if d.len() != 8 {
        return Err(LegacyError::new(LegacyErrorKind::InvalidValue {
            field: "Date",
            reason: "expected YYYY-MM-DD",
        }));
    }
    Ok(seg!("DTM", [qualifier, d.as_str(), "102"]))
}

/// EDIFACT → OIOXML.
pub(crate) fn to_xml(letter: &Letter<'_>, message: &Message) -> Result<Element, LegacyError> {
    let kind = kind_of(|k| k.version == message.version(), message.version())?;
    let groups = groups(kind, message.body())?;
    let all = |g: Group| {
        groups
            .iter()
            .filter(move |(x, _)| *x == g)
            .map(|(_, s)| s.as_slice())
    };
    let head = all(Group::Head).next().unwrap_or(&[]);
    let mut root = Element::new(kind.root, letter.namespace);
    let mut l = root.child_element("Letter");
    l.push_text_child("Identifier", letter.reference);
    l.push_text_child("VersionCode", format!("X{}", kind.version));
    l.push_text_child("StatisticalCode", format!("X{}", kind.code));
    if let Some(dtm) = find(head, "DTM") {
        let mut a = l.child_element("Authorisation");
        super::notification::push_dtm204(&mut a, dtm)?;
        l.push(a);
    }
    l.push_text_child("TypeCode", format!("X{}", kind.code));
    root.push(l);
    for (qual, name) in kind.parties {
        let Some(g) = all(Group::Party).find(|g| find_q(g, "PNA", qual).is_some()) else {
            continue;
        };
        root.push(party_to_xml(kind, &root, name, g, letter)?);
    }
    if let Some(g) = all(Group::Patient).next() {
        root.push(patient_to_xml(&root, g)?);
    }
    let info = all(Group::Information).next().unwrap_or(&[]);
    // DTM+97 only repeats the authorisation date: checked, as it has no element of its own.
    if let (Some(d97), Some(d137)) = (find_q(info, "DTM", "97"), find(head, "DTM")) {
        if d137.component(1, 2).get(..8) != Some(d97.component(1, 2)) {
            return Err(located(
                LegacyError::new(LegacyErrorKind::InvalidValue {
                    field: "DTM+97",
                    reason: "differs from the authorisation date",
                }),
                d97,
            ));
        }
    }
    let mut pi = root.child_element("PrescriptionInformation");
    if let Some(r) = find_q(info, "RFF", "SYS") {
        pi.push_text_child("SenderComputerSystem", r.component(1, 2));
    }
    if let Some(bgm) = find(head, "BGM") {
        let c = code_xml(
            MESSAGE_STATUS,
            "MessageStatusCode",
            bgm.component(3, 1),
            bgm,
        )?;
        pi.push_text_child("MessageStatusCode", c);
    }
    if let Some(r) = find_q(info, "RFF", "CH") {
        pi.push_text_child("DrugDatabaseVersion", r.component(1, 2));
    }
    let dos = find_q(info, "RFF", "DOS");
    let cop = find_q(info, "RFF", "COP");
    if dos.is_some() || cop.is_some() {
        let mut d = pi.child_element("DoseDispenseInformation");
        d.push_text_child(
            "Status",
            if dos.is_some() {
                "dosisdispensering"
            } else {
                "seponeres"
            },
        );
        d.push_text_child("CopyRequired", if cop.is_some() { "true" } else { "false" });
        pi.push(d);
    }
    for ftx in info.iter().filter(|s| s.tag() == "FTX") {
        if let Some((_, name)) = INFORMATION_TEXT
            .iter()
            .find(|(q, _)| *q == ftx.component(1, 1))
        {
            pi.push_text_child(*name, plain(ftx));
        }
    }
    if let Some(g) = all(Group::Delivery).next() {
        let mut d = pi.child_element("Delivery");
        if let Some(tod) = find(g, "TOD") {
            let c = code_xml(DELIVERY, "PriorityOfDelivery", tod.component(3, 1), tod)?;
            d.push_text_child("PriorityOfDelivery", c);
        }
        if let Some(adr) = find(g, "ADR") {
            match adr.component(2, 1) {
                "1" => d.push_text_child("StreetName", adr.component(2, 2)),
                "US" => d.push_text_child("PseudoAddress", adr.component(2, 2)),
                _ => return Err(located(unexpected("ADR"), adr)),
            }
            push_nonempty(&mut d, "PostCodeIdentifier", adr.component(4, 1));
        }
        if let Some(pna) = find(g, "PNA") {
            d.push_text_child("ContactName", pna.component(6, 2));
        }
        pi.push(d);
    }
    root.push(pi);
    for g in all(Group::Drug) {
        root.push(drug_to_xml(&root, g)?);
    }
    Ok(root)
}

/// FTX text components joined (MedCom's plain-text rule).
fn plain(ftx: &Segment) -> String {
    super::text::components(ftx)
        .iter()
        .map(|c| c.strip_suffix('\\').unwrap_or(c))
        .collect()
}

fn party_to_xml(
    kind: &Kind,
    root: &Element,
    name: &str,
    g: &[&Segment],
    letter: &Letter<'_>,
) -> Result<Element, LegacyError> {
    let mut e = root.child_element(name);
    let Some(pna) = find(g, "PNA") else {
        return Ok(e);
    };
    let identifier_code = |e: &mut Element| -> Result<(), LegacyError> {
        e.push_text_child("Identifier", pna.component(3, 1));
        let c = code_xml(
            codes::IDENTIFIER_CODE,
            "IdentifierCode",
            pna.component(3, 2),
            pna,
        )?;
        e.push_text_child("IdentifierCode", c);
        Ok(())
    };
    let issuer = |e: &mut Element, title: bool| -> Result<(), LegacyError> {
        let mut i = e.child_element("Issuer");
        push_nonempty(&mut i, "AuthorisationIdentifier", pna.component(2, 1));
        if title {
            i.push_text_child("TitleAndName", pna.component(6, 2));
        }
        if let Some(emp) = find(g, "EMP") {
            let c = code_xml(OCCUPATION, "Occupation", emp.component(2, 1), emp)?;
            i.push_text_child("Occupation", c);
        }
        e.push(i);
        Ok(())
    };
    match name {
        "Sender" => {
            e.push_text_child("EANIdentifier", letter.sender_ean);
            identifier_code(&mut e)?;
            push_nonempty(&mut e, "OrganisationName", pna.component(7, 2));
            if let Some(adr) = find(g, "ADR") {
                push_nonempty(&mut e, "StreetName", adr.component(2, 2));
                push_nonempty(&mut e, "PostCodeIdentifier", adr.component(4, 1));
            }
            let coms: Vec<&&Segment> = g.iter().filter(|s| s.tag() == "COM").collect();
            if let Some(c) = coms.first() {
                e.push_text_child("TelephoneSubscriberIdentifier", c.component(1, 1));
            }
            if pna.component(2, 2) == "AUT" {
                issuer(&mut e, true)?;
            } else {
                let mut p = e.child_element("PersonInOrganisation");
                p.push_text_child("TitleAndName", pna.component(6, 2));
                e.push(p);
                if find(g, "EMP").is_some() {
                    return Err(located(unexpected("EMP"), pna));
                }
            }
            if let Some(c) = coms.get(1) {
                if c.component(1, 2) != "LOC" {
                    return Err(located(unexpected("COM"), c));
                }
                let mut a = e.child_element("AnswerTo");
                a.push_text_child("EANIdentifier", c.component(1, 1));
                e.push(a);
            }
            if coms.len() > 2 {
                return Err(located(unexpected("COM"), pna));
            }
        }
        "Receiver" if kind.parties.len() > 2 => {
            e.push_text_child("EANIdentifier", letter.recipient_ean);
            identifier_code(&mut e)?;
            push_nonempty(&mut e, "OrganisationName", pna.component(7, 2));
            if !pna.component(2, 1).is_empty()
                || !pna.component(6, 2).is_empty()
                || find(g, "EMP").is_some()
            {
                issuer(&mut e, !pna.component(6, 2).is_empty())?;
            }
        }
        _ => {
            e.push_text_child("EANIdentifier", pna.component(3, 1));
            push_nonempty(&mut e, "OrganisationName", pna.component(6, 2));
        }
    }
    if name != "Sender" && g.iter().any(|s| matches!(s.tag(), "ADR" | "COM")) {
        return Err(located(unexpected("ADR/COM"), pna));
    }
    Ok(e)
}

fn patient_to_xml(root: &Element, g: &[&Segment]) -> Result<Element, LegacyError> {
    let mut e = root.child_element("PatientOrRelative");
    if let Some(pna) = find(g, "PNA") {
        let t = code_xml(PERSON_TYPE, "Type", pna.component(1, 1), pna)?;
        e.push_text_child("Type", t);
        push_nonempty(&mut e, "CivilRegistrationNumber", pna.component(2, 1));
        let name = pna.component(6, 2);
        let (surname, given) = name.split_once(',').unwrap_or(("", ""));
        e.push_text_child("PersonSurnameName", surname);
        e.push_text_child("PersonGivenName", given);
    }
    if let Some(adr) = find(g, "ADR") {
        push_nonempty(&mut e, "StreetName", adr.component(2, 2));
        push_nonempty(&mut e, "DistrictName", adr.component(3, 1));
        push_nonempty(&mut e, "PostCodeIdentifier", adr.component(4, 1));
        push_nonempty(&mut e, "CountryCode", adr.component(5, 1));
        push_nonempty(&mut e, "CountyCode", adr.component(6, 1));
    }
    if let Some(dtm) = find(g, "DTM") {
        e.push_text_child("PatientDateOfBirth", date102(dtm)?);
    }
    if let Some(pdi) = find(g, "PDI") {
        let c = code_xml(SEX, "PatientSex", pdi.component(1, 1), pdi)?;
        e.push_text_child("PatientSex", c);
    }
    for com in g.iter().filter(|s| s.tag() == "COM") {
        let c = code_xml(EMAIL, "EmailStatus", com.component(1, 2), com)?;
        e.push_text_child("EmailStatus", c);
        e.push_text_child("EmailIdentifier", com.component(1, 1));
    }
    Ok(e)
}

fn drug_to_xml(root: &Element, g: &[&Segment]) -> Result<Element, LegacyError> {
    let mut d = root.child_element("Drug");
    if let Some(lin) = find(g, "LIN") {
        d.push_text_child("PackageIdentifier", lin.component(3, 1));
    }
    for (q, name) in [("DNM", "NameOfDrug"), ("DDP", "DosageForm")] {
        if let Some(imd) = g
            .iter()
            .find(|s| s.tag() == "IMD" && s.component(2, 1) == q)
        {
            d.push_text_child(name, imd.component(3, 4));
        }
    }
    for (q, name) in [("AAU", "PackageSize"), ("DEN", "DrugStrength")] {
        if let Some(mea) = find_q(g, "MEA", q) {
            d.push_text_child(name, mea.component(2, 4));
        }
    }
    if let Some(pna) = find(g, "PNA") {
        let mut i = d.child_element("Importer");
        match pna.component(6, 1) {
            "AB" => i.push_text_child("ShortName", pna.component(6, 2)),
            "US" => i.push_text_child("LongName", pna.component(6, 2)),
            _ => return Err(located(unexpected("PNA+GZ"), pna)),
        }
        d.push(i);
    }
    if let Some(qty) = find(g, "QTY") {
        d.push_text_child("NumberOfPackings", qty.component(1, 2));
    }
    if let Some(alc) = find(g, "ALC") {
        let c = code_xml(
            REIMBURSEMENT,
            "ReimbursementClause",
            alc.component(2, 2),
            alc,
        )?;
        d.push_text_child("ReimbursementClause", c);
    }
    if let Some(pgi) = find(g, "PGI") {
        let c = code_xml(SUBSTITUTION, "SubstitutionCode", pgi.component(2, 1), pgi)?;
        d.push_text_child("SubstitutionCode", c);
    }
    if let Some(dsg) = find(g, "DSG") {
        let mut e = d.child_element("Dosage");
        push_nonempty(&mut e, "DosageCode", dsg.component(2, 1));
        e.push_text_child("DosageText", dsg.component(2, 4));
        if let Some(dtm) = find_q(g, "DTM", "48") {
            e.push_text_child("Period", dtm.component(1, 2));
            let u = code_xml(UNIT, "PeriodUnit", dtm.component(1, 3), dtm)?;
            e.push_text_child("PeriodUnit", u);
        }
        d.push(e);
    }
    if let Some(cin) = find(g, "CIN") {
        let mut e = d.child_element("Indication");
        push_nonempty(&mut e, "Code", cin.component(2, 1));
        e.push_text_child("Text", cin.component(2, 4));
        d.push(e);
    }
    if let Some(eqn) = find(g, "EQN") {
        let mut e = d.child_element("Iteration");
        e.push_text_child("Number", eqn.component(1, 1));
        if let Some(dtm) = find_q(g, "DTM", "264") {
            e.push_text_child("Interval", dtm.component(1, 2));
            let u = code_xml(UNIT, "IntervalUnit", dtm.component(1, 3), dtm)?;
            e.push_text_child("IntervalUnit", u);
        }
        d.push(e);
    }
    let start = find_q(g, "DTM", "90");
    let end = find_q(g, "DTM", "91");
    if start.is_some() || end.is_some() {
        let mut e = d.child_element("DoseDispensing");
        if let Some(s) = start {
            e.push_text_child("StartDate", date102(s)?);
        }
        if let Some(s) = end {
            e.push_text_child("EndDate", date102(s)?);
        }
        d.push(e);
    }
    Ok(d)
}

/// OIOXML elements with no known EDIFACT layout: an error, never dropped.
const UNMAPPED: &[&str] = &[
    "ForGPUse",
    "ForGPClinicUse",
    "SpecialityCode",
    "MedicalSpecialityCode",
    "SupplementaryInformation",
];

/// OIOXML → EDIFACT body.
pub(crate) fn to_edi(letter: &Element) -> Result<Vec<Segment>, LegacyError> {
    let kind = kind_of(|k| k.root == letter.name(), letter.name())?;
    for e in letter
        .elements()
        .chain(letter.elements().flat_map(Element::elements))
        .chain(
            letter
                .elements()
                .flat_map(Element::elements)
                .flat_map(Element::elements),
        )
    {
        if UNMAPPED.contains(&e.name()) {
            return Err(unexpected(e.name()).with_location(format!("/Emessage/{}", kind.root)));
        }
    }
    let l = required(letter, "Letter")?;
    let pi = required(letter, "PrescriptionInformation")?;
    let authorisation = required(l, "Authorisation")?;
    let status = codes::to_edi(
        MESSAGE_STATUS,
        "MessageStatusCode",
        pi.child_text("MessageStatusCode"),
    )?;
    let mut out = vec![seg!("BGM", ["PRS", "SKL", "SST"], [""], [status])];
    out.push(super::notification::dtm204("137", authorisation)?);
    for (qual, name) in kind.parties {
        let party = required(letter, name)?;
        party_to_edi(kind, &mut out, qual, name, party)?;
    }
    out.push(dtm102("97", authorisation.child_text("Date"))?);
    out.push(seg!("RFF", ["CH", pi.child_text("DrugDatabaseVersion")]));
    out.push(seg!("RFF", ["SYS", pi.child_text("SenderComputerSystem")]));
    if let Some(d) = pi.child("DoseDispenseInformation") {
        let dos = d.child_text("Status") == "dosisdispensering";
        let cop = d.child_text("CopyRequired") == "true";
        if !dos && !cop {
            return Err(unexpected("DoseDispenseInformation").with_location(format!(
                "/Emessage/{}/PrescriptionInformation/DoseDispenseInformation",
                kind.root
            )));
        }
        if dos {
            out.push(seg!("RFF", ["DOS", "NR"]));
        }
        if cop {
            out.push(seg!("RFF", ["COP", "NR"]));
        }
    }
    for e in pi.elements() {
        if let Some((q, _)) = INFORMATION_TEXT.iter().find(|(_, n)| *n == e.name()) {
            out.push(Segment::new(
                "FTX",
                [vec![*q], vec![], vec![], vec![e.text()]],
            ));
        }
    }
    out.push(seg!("GIS", ["ZZZ", "SKL", "SST"]));
    let patient = required(letter, "PatientOrRelative")?;
    patient_to_edi(&mut out, patient)?;
    for (n, d) in letter.children_named("Drug").enumerate() {
        drug_to_edi(&mut out, n + 1, d)?;
    }
    if let Some(d) = pi.child("Delivery") {
        let c = codes::to_edi(
            DELIVERY,
            "PriorityOfDelivery",
            d.child_text("PriorityOfDelivery"),
        )?;
        out.push(seg!("TOD", ["2"], [""], [c, "SKL", "SST"]));
        let street = d.child("StreetName").map(|s| ("1", s.text()));
        let pseudo = d.child("PseudoAddress").map(|s| ("US", s.text()));
        if let Some((q, v)) = street.or(pseudo) {
            out.push(seg!(
                "ADR",
                [""],
                [q, v],
                [""],
                [d.child_text("PostCodeIdentifier")]
            ));
        }
        if let Some(c) = d.child("ContactName") {
            out.push(seg!(
                "PNA",
                ["AB"],
                [""],
                [""],
                [""],
                [""],
                ["US", c.text()]
            ));
        }
    }
    Ok(out)
}

fn party_to_edi(
    kind: &Kind,
    out: &mut Vec<Segment>,
    qual: &str,
    name: &str,
    party: &Element,
) -> Result<(), LegacyError> {
    let issuer = party.child("Issuer");
    let code = |p: &Element| -> Result<Vec<String>, LegacyError> {
        let c = p.child_text("IdentifierCode");
        Ok(vec![
            p.child_text("Identifier").to_owned(),
            codes::to_edi(codes::IDENTIFIER_CODE, "IdentifierCode", c)?.to_owned(),
            codes::to_edi(codes::IDENTIFIER_AGENCY, "IdentifierCode", c)?.to_owned(),
        ])
    };
    let auth: Vec<String> = match issuer.and_then(|i| i.child("AuthorisationIdentifier")) {
        Some(a) => vec![a.text().to_owned(), "AUT".to_owned()],
        None => vec![],
    };
    let titled = |t: &str| -> Vec<String> {
        if t.is_empty() {
            vec![]
        } else {
            vec!["US".to_owned(), t.to_owned()]
        }
    };
    let org = titled(party.child_text("OrganisationName"));
    match name {
        "Sender" => {
            let title = match issuer {
                Some(i) => i.child_text("TitleAndName"),
                None => party
                    .child("PersonInOrganisation")
                    .map_or("", |p| p.child_text("TitleAndName")),
            };
            out.push(Segment::new(
                "PNA",
                [
                    vec![qual.to_owned()],
                    auth,
                    code(party)?,
                    vec![],
                    vec![],
                    titled(title),
                    org,
                ],
            ));
            let street = party.child_text("StreetName");
            let post = party.child_text("PostCodeIdentifier");
            if !street.is_empty() || !post.is_empty() {
                out.push(seg!("ADR", [""], ["1", street], [""], [post]));
            }
            out.push(seg!(
                "COM",
                [party.child_text("TelephoneSubscriberIdentifier"), "TE"]
            ));
            if let Some(a) = party.child("AnswerTo") {
                out.push(seg!("COM", [a.child_text("EANIdentifier"), "LOC"]));
            }
        }
        "Receiver" if kind.parties.len() > 2 => {
            let title = issuer.map_or("", |i| i.child_text("TitleAndName"));
            out.push(Segment::new(
                "PNA",
                [
                    vec![qual.to_owned()],
                    auth,
                    code(party)?,
                    vec![],
                    vec![],
                    titled(title),
                    org,
                ],
            ));
        }
        _ => {
            out.push(Segment::new(
                "PNA",
                [
                    vec![qual.to_owned()],
                    vec![],
                    vec![
                        party.child_text("EANIdentifier").to_owned(),
                        String::new(),
                        "9".to_owned(),
                    ],
                    vec![],
                    vec![],
                    org,
                ],
            ));
        }
    }
    if let Some(o) = issuer.and_then(|i| i.child("Occupation")) {
        let c = codes::to_edi(OCCUPATION, "Occupation", o.text())?;
        out.push(seg!("EMP", ["4"], [c, "SKL", "SST"]));
    }
    Ok(())
}

fn patient_to_edi(out: &mut Vec<Segment>, p: &Element) -> Result<(), LegacyError> {
    let t = codes::to_edi(PERSON_TYPE, "Type", p.child_text("Type"))?;
    let id: Vec<&str> = match p.child("CivilRegistrationNumber") {
        Some(c) => vec![c.text(), "CPR"],
        None => vec![],
    };
    let name = format!(
        "{},{}",
        p.child_text("PersonSurnameName"),
        p.child_text("PersonGivenName")
    );
    out.push(Segment::new(
        "PNA",
        [
            vec![t.to_owned()],
            id.into_iter().map(str::to_owned).collect(),
            vec![],
            vec![],
            vec![],
            vec!["SCC".to_owned(), name],
        ],
    ));
    let parts = [
        "StreetName",
        "DistrictName",
        "PostCodeIdentifier",
        "CountryCode",
        "CountyCode",
    ];
    if parts.iter().any(|n| p.child(n).is_some()) {
        let county = p.child_text("CountyCode");
        out.push(seg!(
            "ADR",
            ["1"],
            ["1", p.child_text("StreetName")],
            [p.child_text("DistrictName")],
            [p.child_text("PostCodeIdentifier")],
            [p.child_text("CountryCode")],
            [
                county,
                if county.is_empty() { "" } else { "SKL" },
                if county.is_empty() { "" } else { "SST" }
            ]
        ));
    }
    if let Some(b) = p.child("PatientDateOfBirth") {
        out.push(dtm102("329", b.text())?);
    }
    if let Some(s) = p.child("PatientSex") {
        out.push(seg!("PDI", [codes::to_edi(SEX, "PatientSex", s.text())?]));
    }
    let statuses: Vec<&Element> = p.children_named("EmailStatus").collect();
    for (s, e) in statuses.iter().zip(p.children_named("EmailIdentifier")) {
        let c = codes::to_edi(EMAIL, "EmailStatus", s.text())?;
        out.push(seg!("COM", [e.text(), c]));
    }
    Ok(())
}

fn drug_to_edi(out: &mut Vec<Segment>, n: usize, d: &Element) -> Result<(), LegacyError> {
    out.push(seg!(
        "LIN",
        [n.to_string()],
        [""],
        [d.child_text("PackageIdentifier"), "AK", "NVN", "LMS"]
    ));
    out.push(seg!(
        "IMD",
        ["A"],
        ["DNM"],
        ["", "", "", d.child_text("NameOfDrug")]
    ));
    out.push(seg!(
        "IMD",
        ["A"],
        ["DDP"],
        ["", "", "", d.child_text("DosageForm")]
    ));
    out.push(seg!(
        "MEA",
        ["AAU"],
        ["CT", "", "", d.child_text("PackageSize")]
    ));
    if let Some(s) = d.child("DrugStrength") {
        out.push(seg!("MEA", ["DEN"], ["S", "", "", s.text()]));
    }
    if let Some(s) = d.child("SubstitutionCode") {
        let c = codes::to_edi(SUBSTITUTION, "SubstitutionCode", s.text())?;
        out.push(seg!("PGI", ["10"], [c, "SKL", "SST"]));
    }
    out.push(seg!(
        "QTY",
        ["189", d.child_text("NumberOfPackings"), "NMB"]
    ));
    if let Some(i) = d.child("Importer") {
        let (q, v) = match i.child("ShortName") {
            Some(s) => ("AB", s.text()),
            None => ("US", i.child_text("LongName")),
        };
        out.push(seg!("PNA", ["GZ"], [""], [""], [""], [""], [q, v]));
    }
    if let Some(r) = d.child("ReimbursementClause") {
        let c = codes::to_edi(REIMBURSEMENT, "ReimbursementClause", r.text())?;
        out.push(seg!("ALC", ["H"], ["", c]));
    }
    if let Some(i) = d.child("Indication") {
        out.push(seg!(
            "CIN",
            ["9"],
            [i.child_text("Code"), "LDD", "LMS", i.child_text("Text")]
        ));
    }
    if let Some(i) = d.child("Iteration") {
        out.push(seg!("EQN", [i.child_text("Number"), "ITE"]));
        let u = codes::to_edi(UNIT, "IntervalUnit", i.child_text("IntervalUnit"))?;
        out.push(seg!("DTM", ["264", i.child_text("Interval"), u]));
    }
    if let Some(s) = d.child("Dosage") {
        let code = s.child_text("DosageCode");
        let (list, agency) = if code.is_empty() {
            ("", "")
        } else {
            ("LDD", "LMS")
        };
        out.push(seg!(
            "DSG",
            ["5"],
            [code, list, agency, s.child_text("DosageText")]
        ));
        if let Some(p) = s.child("Period") {
            let u = codes::to_edi(UNIT, "PeriodUnit", s.child_text("PeriodUnit"))?;
            out.push(seg!("DTM", ["48", p.text(), u]));
        }
    }
    if let Some(dd) = d.child("DoseDispensing") {
        if let Some(s) = dd.child("StartDate") {
            out.push(dtm102("90", s.text())?);
        }
        if let Some(s) = dd.child("EndDate") {
            out.push(dtm102("91", s.text())?);
        }
    }
    Ok(())
}
