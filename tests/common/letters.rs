//! What the migration bridge maps, field by field: the comparisons of a letter before and
//! after a round trip through FHIR, and a generated address book for the letters' parties.

use medcom::legacy::letters::text_lines;
use medcom::legacy::oioxml::Element;

/// The text of `path` (child names) under `e`, `None` when absent.
fn at(e: &Element, path: &[&str]) -> Option<String> {
    let mut n = e;
    for p in path {
        n = n.child(p)?;
    }
    Some(n.all_text())
}

/// The single letter of an `Emessage`.
pub fn letter(root: &Element) -> &Element {
    root.elements()
        .find(|e| e.name() != "Envelope")
        .expect("a letter")
}

/// A refusal's text; an empty one says nothing.
fn refuse_text(e: &Element) -> Option<String> {
    e.child("RefuseText")
        .map(|t| text_lines(t).join("\n"))
        .filter(|t| !t.trim().is_empty())
}

/// Every mapped field of a letter as (field, value) pairs, for equality field by field.
pub fn mapped_fields(root: &Element) -> Vec<(String, Option<String>)> {
    let l = letter(root);
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    let mut put = |name: String, v: Option<String>| out.push((name, v));
    put("root".into(), Some(l.name().to_owned()));
    put(
        "Envelope/Sent/Date".into(),
        at(root, &["Envelope", "Sent", "Date"]),
    );
    put(
        "Envelope/Sent/Time".into(),
        at(root, &["Envelope", "Sent", "Time"]),
    );
    let receipt = l.name().ends_with("Receipt");
    for party in ["Sender", "Receiver"] {
        let fields: &[&str] = if receipt {
            &["EANIdentifier"]
        } else {
            &[
                "EANIdentifier",
                "Identifier",
                "IdentifierCode",
                "OrganisationName",
                "DepartmentName",
                "UnitName",
            ]
        };
        for f in fields {
            put(format!("{party}/{f}"), at(l, &[party, f]));
        }
    }
    if receipt {
        let o = l.child("OriginalEmessage").expect("OriginalEmessage");
        for f in ["OriginalEnvelopeIdentifier", "RefuseCode"] {
            put(f.into(), at(o, &[f]));
        }
        put(
            "OriginalSender".into(),
            at(o, &["OriginalSender", "EANIdentifier"]),
        );
        put(
            "OriginalReceiver".into(),
            at(o, &["OriginalReceiver", "EANIdentifier"]),
        );
        put("RefuseText".into(), refuse_text(o));
        for (i, ol) in o.children_named("OriginalLetter").enumerate() {
            for f in [
                "OriginalLetterIdentifier",
                "OriginalVersionCode",
                "RefuseCode",
            ] {
                put(format!("OriginalLetter[{i}]/{f}"), at(ol, &[f]));
            }
            put(format!("OriginalLetter[{i}]/RefuseText"), refuse_text(ol));
        }
        return out;
    }
    // A CareCommunication dates its text by the authorisation; a HospitalNotification has
    // one time, the envelope's (another authorisation time is a finding).
    if l.name() == "ClinicalEmail" {
        put(
            "Letter/Authorisation/Date".into(),
            at(l, &["Letter", "Authorisation", "Date"]),
        );
        let time = at(l, &["Letter", "Authorisation", "Time"]).or_else(|| {
            at(l, &["Letter", "Authorisation", "TimeWithSec"]).map(|t| t[..5].to_owned())
        });
        put("Letter/Authorisation/Time".into(), time);
    }
    put(
        "Letter/EpisodeOfCareIdentifier".into(),
        at(l, &["Letter", "EpisodeOfCareIdentifier"]),
    );
    // A discharge links to the stay's first letter by it; an admission's becomes the episode
    // of care's UUID.
    if l.name() == "NotificationOfDischarge" {
        put(
            "Letter/NotificationIdentifier".into(),
            at(l, &["Letter", "NotificationIdentifier"]),
        );
    }
    for f in [
        "CivilRegistrationNumber",
        "AlternativeIdentifier",
        "PersonSurnameName",
        "PersonGivenName",
        "StreetName",
        "DistrictName",
        "PostCodeIdentifier",
    ] {
        put(format!("Patient/{f}"), at(l, &["Patient", f]));
    }
    // The status as the mapping carries it: a CareCommunication writes an Encounter (an
    // admitted or ambulant state) only with an episode-of-care identifier, and has no
    // radiology class; a notification's own events say admitted or not, only death is the
    // patient's.
    let episode = at(l, &["Letter", "EpisodeOfCareIdentifier"]).is_some();
    let status = at(l, &["Patient", "EpisodeOfCareStatusCode"]);
    if l.name() == "ClinicalEmail" {
        let carried = match status.as_deref() {
            Some("doed") => Some("doed"),
            None => None,
            Some(_) if !episode => Some("inaktiv"),
            Some("ambulant_roentgen") => Some("ambulant"),
            Some(s) => Some(s),
        };
        put(
            "Patient/EpisodeOfCareStatusCode".into(),
            carried.map(str::to_owned),
        );
    } else if status.as_deref() == Some("doed") {
        put("Patient/EpisodeOfCareStatusCode".into(), status);
    }
    put(
        "Priority".into(),
        at(l, &["AdditionalInformation", "Priority"]),
    );
    put(
        "Subject".into(),
        at(l, &["AdditionalInformation", "Subject"]),
    );
    for (i, ci) in l.children_named("ClinicalInformation").enumerate() {
        put(
            format!("ClinicalInformation[{i}]/Text01"),
            ci.child("Text01").map(|t| text_lines(t).join("\n")),
        );
    }
    for (i, r) in l
        .children_named("Reference")
        .filter(|r| r.child("URL").is_some())
        .enumerate()
    {
        put(
            format!("Reference[{i}]/RefDescription"),
            at(r, &["RefDescription"]),
        );
        put(format!("Reference[{i}]/URL"), at(r, &["URL"]));
    }
    for event in ["Admission", "Discharge"] {
        put(format!("{event}/Date"), at(l, &[event, "Date"]));
        put(format!("{event}/Time"), at(l, &[event, "Time"]));
    }
    out
}

/// The mapped fields that differ, as `field: before != after`.
pub fn differences(before: &Element, after: &Element) -> Vec<String> {
    let (a, b) = (mapped_fields(before), mapped_fields(after));
    let mut out = Vec::new();
    for (name, value) in &a {
        let other = b
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.clone());
        if *value != other {
            out.push(format!("{name}: {value:?} != {other:?}"));
        }
    }
    for (name, value) in &b {
        if value.is_some() && !a.iter().any(|(n, _)| n == name) {
            out.push(format!("{name}: absent != {value:?}"));
        }
    }
    out
}

/// A GS1 check digit for 12 digits.
pub fn with_check_digit(twelve: &str) -> String {
    let sum: u32 = twelve
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{twelve}{}", (10 - sum % 10) % 10)
}

fn is_gln(s: &str) -> bool {
    s.len() == 13 && s.bytes().all(|b| b.is_ascii_digit()) && with_check_digit(&s[..12]) == s
}

/// A test address book (CSV) for the given location numbers. TEST DATA: the SOR codes
/// (`9900000000nnnn`) are made up, and a location number that is no valid GLN (a VANS mailbox,
/// a test number with a wrong check digit) gets a made-up GLN (`579999900nnn` + check digit)
/// with the letter's number in the `ean` column.
pub fn address_book_csv<'a>(locations: impl IntoIterator<Item = &'a str>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut csv = String::from("gln,sor,name,phone,ean\n");
    for l in locations {
        if seen.contains(&l) {
            continue;
        }
        seen.push(l);
        let n = seen.len();
        let sor = format!("99000000000{n:04}");
        if is_gln(l) {
            csv.push_str(&format!("{l},{sor},Test {n},3868{n:04},\n"));
        } else {
            let gln = with_check_digit(&format!("579999900{n:03}"));
            csv.push_str(&format!("{gln},{sor},Test {n},3868{n:04},{l}\n"));
        }
    }
    csv
}

/// Every location number a letter names.
pub fn locations(root: &Element) -> Vec<String> {
    fn walk(e: &Element, out: &mut Vec<String>) {
        if e.name() == "EANIdentifier" {
            out.push(e.all_text());
        }
        for c in e.elements() {
            walk(c, out);
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    out
}
