//! Building blocks shared by the message conversions: groups, dates, parties, patients.

use super::codes::{self, Table};
use crate::legacy::edifact::{seg, Segment};
use crate::legacy::oioxml::Element;
use crate::legacy::{LegacyError, LegacyErrorKind};

/// A message body split at MedCom's group-trigger pseudo-segments (`S01+01'` …).
#[derive(Debug, Default)]
pub(crate) struct Body<'a> {
    /// Segments before the first group (BGM, DTM).
    pub(crate) head: Vec<&'a Segment>,
    /// Groups in order: the trigger's number and the segments after it.
    pub(crate) groups: Vec<(&'a str, Vec<&'a Segment>)>,
}

impl<'a> Body<'a> {
    pub(crate) fn new(segments: &'a [Segment]) -> Self {
        let mut body = Body::default();
        for s in segments {
            let tag = s.tag();
            if tag.len() == 3
                && tag.starts_with('S')
                && tag[1..].bytes().all(|b| b.is_ascii_digit())
            {
                body.groups.push((&tag[1..], Vec::new()));
            } else if let Some((_, g)) = body.groups.last_mut() {
                g.push(s);
            } else {
                body.head.push(s);
            }
        }
        body
    }

    /// The groups with a given number.
    pub(crate) fn groups<'s>(
        &'s self,
        id: &'s str,
    ) -> impl Iterator<Item = &'s [&'a Segment]> + 's {
        self.groups
            .iter()
            .filter(move |(g, _)| *g == id)
            .map(|(_, s)| s.as_slice())
    }

    /// The first group with a number whose first segment has tag `tag` and qualifier `qual`.
    pub(crate) fn party<'s>(
        &'s self,
        id: &'s str,
        tag: &str,
        qual: &str,
    ) -> Option<&'s [&'a Segment]> {
        self.groups(id).find(|g| {
            g.iter()
                .any(|s| s.tag() == tag && s.component(1, 1) == qual)
        })
    }
}

/// The first segment with a tag in a group.
pub(crate) fn find<'a>(group: &[&'a Segment], tag: &str) -> Option<&'a Segment> {
    group.iter().copied().find(|s| s.tag() == tag)
}

/// The first segment with a tag and qualifier (element 1, component 1).
pub(crate) fn find_q<'a>(group: &[&'a Segment], tag: &str, qual: &str) -> Option<&'a Segment> {
    group
        .iter()
        .copied()
        .find(|s| s.tag() == tag && s.component(1, 1) == qual)
}

/// Maps a code through a table, locating errors at the segment.
pub(crate) fn code_xml(
    table: Table,
    field: &'static str,
    value: &str,
    at: &Segment,
) -> Result<&'static str, LegacyError> {
    codes::to_xml(table, field, value).map_err(|e| located(e, at))
}

/// Adds the segment's position to an error.
pub(crate) fn located(e: LegacyError, at: &Segment) -> LegacyError {
    match at.position() {
        Some(p) => e
            .with_position(p.position)
            .with_segment(p.index)
            .with_location(at.tag().to_owned()),
        None => e.with_location(at.tag().to_owned()),
    }
}

/// `Date` and `Time` children from a DTM with format 203 (CCYYMMDDHHMM).
pub(crate) fn push_dtm203(target: &mut Element, dtm: &Segment) -> Result<(), LegacyError> {
    let v = dtm.component(1, 2);
    if v.len() != 12 || !v.bytes().all(|b| b.is_ascii_digit()) || dtm.component(1, 3) != "203" {
        return Err(located(
            LegacyError::new(LegacyErrorKind::InvalidValue {
                field: "DTM",
                reason: "expected CCYYMMDDHHMM with format 203",
            }),
            dtm,
        ));
    }
    target.push_text_child("Date", format!("{}-{}-{}", &v[..4], &v[4..6], &v[6..8]));
    target.push_text_child("Time", format!("{}:{}", &v[8..10], &v[10..12]));
    Ok(())
}

/// A DTM segment with format 203 from an element holding `Date` and `Time`.
pub(crate) fn dtm203(qualifier: &str, date_time: &Element) -> Result<Segment, LegacyError> {
    let date = date_time.child_text("Date");
    let time = date_time.child_text("Time");
    let d: String = date.chars().filter(char::is_ascii_digit).collect();
    let t: String = time.chars().filter(char::is_ascii_digit).take(4).collect();
    if d.len() != 8 || t.len() != 4 {
        return Err(LegacyError::new(LegacyErrorKind::InvalidValue {
            field: "Date/Time",
            reason: "expected YYYY-MM-DD and hh:mm",
        })
        .with_location(date_time.name().to_owned()));
    }
    Ok(seg!("DTM", [qualifier, format!("{d}{t}"), "203"]))
}

/// A required child.
pub(crate) fn required<'a>(
    parent: &'a Element,
    name: &'static str,
) -> Result<&'a Element, LegacyError> {
    parent.child(name).ok_or_else(|| {
        LegacyError::new(LegacyErrorKind::MissingElement { name })
            .with_location(parent.name().to_owned())
    })
}

/// Pushes `name` with `text` when `text` is not empty.
pub(crate) fn push_nonempty(target: &mut Element, name: &str, text: &str) {
    if !text.is_empty() {
        target.push_text_child(name, text);
    }
}

/// Identifier, IdentifierCode, OrganisationName, DepartmentName, UnitName from a NAD.
pub(crate) fn push_nad(target: &mut Element, nad: &Segment) -> Result<(), LegacyError> {
    push_nonempty(target, "Identifier", nad.component(2, 1));
    if nad.has_component(2, 2) {
        let code = code_xml(
            codes::IDENTIFIER_CODE,
            "IdentifierCode",
            nad.component(2, 2),
            nad,
        )?;
        target.push_text_child("IdentifierCode", code);
    }
    push_nonempty(target, "OrganisationName", nad.component(4, 1));
    push_nonempty(target, "DepartmentName", nad.component(4, 2));
    push_nonempty(target, "UnitName", nad.component(4, 3));
    Ok(())
}

/// StreetName, SuburbName, DistrictName, PostCodeIdentifier from an ADR.
pub(crate) fn push_adr(target: &mut Element, adr: &Segment) {
    push_nonempty(target, "StreetName", adr.component(2, 2));
    push_nonempty(target, "SuburbName", adr.component(2, 3));
    push_nonempty(target, "DistrictName", adr.component(3, 1));
    push_nonempty(target, "PostCodeIdentifier", adr.component(4, 1));
}

/// A party (Sender, Receiver, CCReceiver, Contact) from its S01 group.
pub(crate) fn party_to_xml(
    target: &mut Element,
    group: &[&Segment],
    phone: bool,
    speciality: bool,
) -> Result<(), LegacyError> {
    if let Some(nad) = find(group, "NAD") {
        push_nad(target, nad)?;
    }
    if let Some(adr) = find(group, "ADR") {
        push_adr(target, adr);
    }
    if phone {
        for con in group.iter().filter(|s| s.tag() == "CON") {
            target.push_text_child("TelephoneSubscriberIdentifier", con.component(2, 1));
        }
    }
    if speciality {
        if let Some(spr) = find(group, "SPR") {
            if !spr.component(2, 1).is_empty() {
                let code = code_xml(
                    codes::SPECIALITY,
                    "MedicalSpecialityCode",
                    spr.component(2, 1),
                    spr,
                )?;
                target.push_text_child("MedicalSpecialityCode", code);
            }
        }
    }
    Ok(())
}

/// The NAD identifier composite for a party element: Identifier, qualifier, agency.
fn nad_identifier(party: &Element) -> Result<Vec<String>, LegacyError> {
    let code = party.child("IdentifierCode").map(Element::text);
    let (qual, agency) = match code {
        None if party.child("Identifier").is_none() => return Ok(vec![]),
        None => ("", "9"),
        Some(c) => (
            codes::to_edi(codes::IDENTIFIER_CODE, "IdentifierCode", c)?,
            codes::to_edi(codes::IDENTIFIER_AGENCY, "IdentifierCode", c)?,
        ),
    };
    Ok(vec![
        party.child_text("Identifier").to_owned(),
        qual.to_owned(),
        agency.to_owned(),
    ])
}

/// The copy receiver's segment group (`S01`, its NAD, `SEQ`), when the letter has one; `seq`
/// is the group number and moves on.
pub(crate) fn push_cc_receiver(
    out: &mut Vec<Segment>,
    letter: &Element,
    seq: &mut u32,
) -> Result<(), LegacyError> {
    if let Some(cc) = letter.child("CCReceiver") {
        out.push(seg!("S01", ["01"]));
        party_to_edi(out, "CCR", cc, false, false)?;
        out.push(seg!("SEQ", [""], [seq.to_string()]));
        *seq += 1;
    }
    Ok(())
}

/// A contact person's segment group: `S01`, `NAD+BV` with the initials, `RFF+AHL:<role>`,
/// `SEQ`; `seq` moves on.
pub(crate) fn push_contact_person(
    out: &mut Vec<Segment>,
    person: &Element,
    role: &str,
    seq: &mut u32,
) {
    out.push(seg!("S01", ["01"]));
    out.push(seg!(
        "NAD",
        ["BV"],
        [""],
        [""],
        [person.child_text("PersonInitials"), "", "", "", "", "US"]
    ));
    out.push(seg!("RFF", ["AHL", role]));
    out.push(seg!("SEQ", [""], [seq.to_string()]));
    *seq += 1;
}

/// NAD and ADR (and CON) segments of a party.
pub(crate) fn party_to_edi(
    out: &mut Vec<Segment>,
    qualifier: &str,
    party: &Element,
    placeholder_name: bool,
    phone: bool,
) -> Result<(), LegacyError> {
    let org = party.child("OrganisationName").map(Element::text);
    let org = match org {
        Some(o) => o,
        None if placeholder_name => "_",
        None => "",
    };
    out.push(Segment::new(
        "NAD",
        [
            vec![qualifier.to_owned()],
            nad_identifier(party)?,
            vec![],
            vec![
                org.to_owned(),
                party.child_text("DepartmentName").to_owned(),
                party.child_text("UnitName").to_owned(),
                String::new(),
                String::new(),
                "US".to_owned(),
            ],
        ],
    ));
    push_adr_edi(out, party);
    if phone {
        for t in party.children_named("TelephoneSubscriberIdentifier") {
            out.push(seg!("CON", [""], [t.text(), "TE"]));
        }
    }
    Ok(())
}

/// An ADR segment when the element has any address part.
pub(crate) fn push_adr_edi(out: &mut Vec<Segment>, e: &Element) {
    let parts = [
        "StreetName",
        "SuburbName",
        "DistrictName",
        "PostCodeIdentifier",
    ];
    if parts.iter().any(|p| e.child(p).is_some()) {
        out.push(seg!(
            "ADR",
            [""],
            ["US", e.child_text("StreetName"), e.child_text("SuburbName")],
            [e.child_text("DistrictName")],
            [e.child_text("PostCodeIdentifier")]
        ));
    }
}

/// The SPR segment of a sender.
pub(crate) fn spr(
    sender: &Element,
    statistical: &str,
    [qualifier, agency]: [&str; 2],
) -> Result<Segment, LegacyError> {
    let code = match sender.child("MedicalSpecialityCode") {
        Some(c) => codes::to_edi(codes::SPECIALITY, "MedicalSpecialityCode", c.text())?,
        None => "",
    };
    Ok(seg!(
        "SPR",
        ["ORG"],
        [code, qualifier, agency],
        [statistical, "SKS", "SST"]
    ))
}

/// Patient from S07 (PNA, RFF, ADR, EMP) and the episode status from S11 PAS.
pub(crate) fn patient_to_xml(
    target: &mut Element,
    group: &[&Segment],
    s11: Option<&[&Segment]>,
) -> Result<(), LegacyError> {
    let pna = find(group, "PNA");
    if let Some(pna) = pna {
        push_nonempty(target, "CivilRegistrationNumber", pna.component(2, 1));
    }
    for rff in group.iter().filter(|s| s.tag() == "RFF") {
        target.push_text_child("AlternativeIdentifier", rff.component(1, 2));
    }
    if let Some(pna) = pna {
        target.push_text_child("PersonSurnameName", pna.component(5, 2));
        push_nonempty(target, "PersonGivenName", pna.component(6, 2));
    }
    if let Some(adr) = find(group, "ADR") {
        push_adr(target, adr);
    }
    if let Some(emp) = find(group, "EMP") {
        target.push_text_child("OccupancyText", emp.component(3, 4));
    }
    if let Some(pas) = s11.and_then(|g| find(g, "PAS")) {
        let code = code_xml(
            codes::EPISODE_STATUS,
            "EpisodeOfCareStatusCode",
            pas.component(1, 1),
            pas,
        )?;
        target.push_text_child("EpisodeOfCareStatusCode", code);
    }
    Ok(())
}

/// PNA, RFF, ADR, EMP of a patient.
pub(crate) fn patient_to_edi(out: &mut Vec<Segment>, patient: &Element) {
    let cpr = patient.child("CivilRegistrationNumber").map(Element::text);
    let id: Vec<&str> = match cpr {
        Some(c) => vec![c, "", "", "CPR", "IM"],
        None => vec![],
    };
    out.push(pna("PAT", id, patient));
    if let Some(alt) = patient.child("AlternativeIdentifier") {
        out.push(seg!("RFF", ["XPI", alt.text()]));
    }
    push_adr_edi(out, patient);
    if let Some(occ) = patient.child("OccupancyText") {
        out.push(seg!("EMP", ["1"], [""], ["", "", "", occ.text()]));
    }
}

/// A PNA segment with names.
pub(crate) fn pna(qualifier: &str, id: Vec<&str>, person: &Element) -> Segment {
    let given = if person.child("PersonGivenName").is_some() {
        "FO"
    } else {
        ""
    };
    Segment::new(
        "PNA",
        [
            vec![qualifier],
            id,
            vec![],
            vec![],
            vec!["SU", person.child_text("PersonSurnameName")],
            vec![given, person.child_text("PersonGivenName")],
        ],
    )
}

/// UNH 2:2–2:4 of a message type: directory version, release and controlling agency.
pub(crate) fn directory(message_type: &str) -> [&'static str; 3] {
    // MEDPRE is MedCom's own message (version 0, release 962, agency RT).
    match message_type {
        "CONTRL" => ["D", "93A", "ZZ"],
        "MEDPRE" => ["0", "962", "RT"],
        _ => ["D", "93A", "UN"],
    }
}

/// The UNH segment of a letter.
pub(crate) fn unh(reference: &str, message_type: &str, version: &str, code: &str) -> Segment {
    let [v, release, agency] = directory(message_type);
    seg!(
        "UNH",
        [reference],
        [message_type, v, release, agency, version],
        [code]
    )
}

/// Rejects any segment a group does not allow, or whose qualifier `known` refuses: unknown
/// content is an error, never dropped. `allowed` lists (group number, tags); `""` is the head.
pub(crate) fn check_known(
    body: &Body<'_>,
    allowed: &[(&str, &[&str])],
    known: impl Fn(&str, &Segment) -> bool,
) -> Result<(), LegacyError> {
    let groups = std::iter::once(("", &body.head)).chain(body.groups.iter().map(|(g, s)| (*g, s)));
    for (g, segments) in groups {
        let tags = allowed
            .iter()
            .find(|(id, _)| *id == g)
            .map_or(&[][..], |(_, a)| *a);
        for s in segments.iter() {
            if !tags.contains(&s.tag()) || !known(g, s) {
                let q = s.component(1, 1);
                let tag = if q.is_empty() {
                    s.tag().to_owned()
                } else {
                    format!("{}+{}", s.tag(), q.chars().take(8).collect::<String>())
                };
                return Err(located(
                    LegacyError::new(LegacyErrorKind::UnexpectedSegment { tag }),
                    s,
                ));
            }
        }
    }
    Ok(())
}
