//! The MEDBIN binary letter: BIN01 (B0131X ⇄ XBIN01 `BinaryLetter`). One table row per type
//! ([`KINDS`]).
//!
//! Facts from MedCom's converter (its binary-letter mapping) and its paired test messages: the
//! parties, letter information and patient as in the discharge family, then in S11 one `UNO`
//! segment per object (ISO 9735-8 associated data: the raw bytes follow the segment
//! terminator) closed by `UNP`:
//! `UNO+<n>+AID:<uuid without hyphens>+OBJ:<object code>:<extension>:91+<size>:14:1:A'<bytes>UNP+<size>+<n>'`.
//! OIOXML carries the bytes in `Object_Base64Encoded` as MIME base64 (76-character lines, each
//! ended by a line feed), which is what MedCom's converter writes. A patient whose surname is
//! `Data` is MedCom's marker for system information (`SystemInformation`, `Contents`); its
//! EDIFACT layout is not in the public material, so that direction is refused.

use super::codes::Table;
use super::common::{
    check_known, find, party_to_edi, party_to_xml, patient_to_edi, patient_to_xml, required, spr,
    Body,
};
use super::{codes, Letter};
use crate::legacy::edifact::{seg, Message, Segment};
use crate::legacy::oioxml::Element;
use crate::legacy::{LegacyError, LegacyErrorKind};

/// One binary letter type.
pub(crate) struct Kind {
    /// EDIFACT version (UNH 2:5).
    pub(crate) version: &'static str,
    /// OIOXML letter root.
    pub(crate) root: &'static str,
    /// MedCom message name (UNH 3 and SPR).
    pub(crate) code: &'static str,
}

/// The binary letter family.
#[rustfmt::skip]
pub(crate) const KINDS: &[Kind] = &[
    Kind { version: "B0131X", root: "BinaryLetter", code: "BIN01" },
];

/// UNO 3:2 ⇄ `ObjectCode` (MedCom's converter also reads `SND` as `multimedie`; it writes `MUL`).
const OBJECT_CODE: Table = &[
    ("TXT", "tekstfil"),
    ("IMG", "billede"),
    ("PRG", "program"),
    ("VGR", "vektor_grafik"),
    ("BSG", "biosignaler"),
    ("MUL", "multimedie"),
    ("PRP", "proprietaert_indhold"),
    ("SND", "multimedie"),
];

/// UNO 3:3 ⇄ `ObjectExtensionCode` (`XLS` is `xls`, as the schema's list has it).
const EXTENSION: Table = &[
    ("PCX", "pcx"),
    ("TIF", "tiff"),
    ("JPG", "jpeg"),
    ("GIF", "gif"),
    ("BMP", "bmp"),
    ("PNG", "png"),
    ("MPG", "mpg"),
    ("DCM", "dcm"),
    ("SCP", "scp"),
    ("TXT", "txt"),
    ("RTF", "rtf"),
    ("DOC", "doc"),
    ("XLS", "xls"),
    ("WPD", "wpd"),
    ("EXE", "exe"),
    ("PDF", "pdf"),
    ("WAV", "wav"),
    ("AVI", "avi"),
    ("MID", "mid"),
    ("RMI", "rmi"),
    ("COM", "com"),
    ("ZIP", "zip"),
    ("BIN", "bin"),
    ("INH", "inh"),
];

/// The segments each group may hold; anything else is an error, never dropped.
const ALLOWED: &[(&str, &[&str])] = &[
    ("", &["BGM", "DTM"]),
    ("01", &["NAD", "ADR", "CON", "SEQ", "SPR"]),
    ("02", &["GIS", "RFF", "DTM"]),
    ("07", &["PNA", "RFF"]),
    ("11", &["UNO", "UNP"]),
];

fn known(group: &str, s: &Segment) -> bool {
    match (group, s.tag()) {
        ("01", "NAD") => matches!(s.component(1, 1), "SSP" | "PO"),
        ("02", "RFF") => s.component(1, 1) == "SRI",
        ("11", "UNO") => s.component(2, 1) == "AID" && s.component(3, 1) == "OBJ",
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

fn invalid(field: &'static str, reason: &'static str) -> LegacyError {
    LegacyError::new(LegacyErrorKind::InvalidValue { field, reason })
}

/// EDIFACT → OIOXML.
pub(crate) fn to_xml(letter: &Letter<'_>, message: &Message) -> Result<Element, LegacyError> {
    let kind = kind_of(|k| k.version == message.version(), message.version())?;
    let body = Body::new(message.body());
    check_known(&body, ALLOWED, known)?;
    let mut root = Element::new(kind.root, letter.namespace);
    let statistical = format!("X{}", kind.code);
    root.push(letter.letter_element(
        &body,
        [&format!("X{}", kind.version), &statistical, &statistical],
        None,
    )?);
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
        let pna = find(g, "PNA");
        if pna.is_some_and(|p| p.component(5, 2) == "Data") {
            root.push_text_child("SystemInformation", "true");
            let contents = pna.map_or("", |p| p.component(6, 2));
            if !contents.is_empty() && contents != "_" {
                root.push_text_child("Contents", contents);
            }
        } else {
            let mut e = root.child_element("Patient");
            patient_to_xml(&mut e, g, None)?;
            root.push(e);
        }
    }
    let segments: Vec<&Segment> = body.groups("11").flatten().copied().collect();
    let mut rest = segments.iter();
    while let Some(uno) = rest.next() {
        let located = |e: LegacyError| super::common::located(e, uno);
        if uno.tag() != "UNO" {
            return Err(located(LegacyError::new(
                LegacyErrorKind::UnexpectedSegment {
                    tag: uno.tag().to_owned(),
                },
            )));
        }
        let unp = rest.next().filter(|s| s.tag() == "UNP").ok_or_else(|| {
            located(LegacyError::new(LegacyErrorKind::MissingSegment {
                tag: "UNP",
            }))
        })?;
        let object = uno.object().unwrap_or_default();
        let size = uno.component(4, 1);
        if unp.component(1, 1) != size || unp.component(2, 1) != uno.component(1, 1) {
            return Err(super::common::located(
                invalid("UNP", "object size or number differs from its UNO"),
                unp,
            ));
        }
        let mut b = root.child_element("BinaryObject");
        b.push_text_child(
            "ObjectIdentifier",
            hyphenate(uno.component(2, 2)).ok_or_else(|| {
                located(invalid("UNO object identifier", "expected 32 hex digits"))
            })?,
        );
        let code = super::common::code_xml(OBJECT_CODE, "ObjectCode", uno.component(3, 2), uno)?;
        b.push_text_child("ObjectCode", code);
        let ext =
            super::common::code_xml(EXTENSION, "ObjectExtensionCode", uno.component(3, 3), uno)?;
        b.push_text_child("ObjectExtensionCode", ext);
        b.push_text_child("OriginalObjectSize", size);
        b.push_text_child("Object_Base64Encoded", base64_lines(object));
        root.push(b);
    }
    Ok(root)
}

/// OIOXML → EDIFACT body.
pub(crate) fn to_edi(letter: &Element) -> Result<Vec<Segment>, LegacyError> {
    let kind = kind_of(|k| k.root == letter.name(), letter.name())?;
    let l = required(letter, "Letter")?;
    let sender = required(letter, "Sender")?;
    let receiver = required(letter, "Receiver")?;
    if letter.child("SystemInformation").is_some() {
        return Err(LegacyError::new(LegacyErrorKind::UnexpectedSegment {
            tag: "SystemInformation".to_owned(),
        })
        .with_location(format!("/Emessage/{}/SystemInformation", kind.root)));
    }
    let patient = required(letter, "Patient")?;
    let mut out = vec![seg!("BGM", ["OBJ"], [""], ["9"], ["NA"])];
    out.push(super::common::dtm203("137", required(l, "Authorisation")?)?);
    out.push(seg!("S01", ["01"]));
    party_to_edi(&mut out, "SSP", sender, false, true)?;
    out.push(seg!("SEQ", [""], ["1"]));
    out.push(spr(sender, kind.code, ["SKS", "SST"])?);
    out.push(seg!("S01", ["01"]));
    party_to_edi(&mut out, "PO", receiver, false, false)?;
    out.push(seg!("SEQ", [""], ["2"]));
    out.extend(super::letter_info(l, "02")?);
    out.push(seg!("S07", ["07"]));
    patient_to_edi(&mut out, patient);
    out.push(seg!("S11", ["11"]));
    for (n, b) in letter.children_named("BinaryObject").enumerate() {
        let at = format!("/Emessage/{}/BinaryObject", kind.root);
        let bytes = base64_decode(b.child_text("Object_Base64Encoded")).ok_or_else(|| {
            invalid("Object_Base64Encoded", "not base64").with_location(at.clone())
        })?;
        let size = b.child_text("OriginalObjectSize");
        if size != bytes.len().to_string() {
            return Err(
                invalid("OriginalObjectSize", "differs from the decoded object").with_location(at),
            );
        }
        let id: String = b
            .child_text("ObjectIdentifier")
            .chars()
            .filter(|c| *c != '-')
            .collect();
        let code = codes::to_edi(OBJECT_CODE, "ObjectCode", b.child_text("ObjectCode"))?;
        let ext = codes::to_edi(
            EXTENSION,
            "ObjectExtensionCode",
            b.child_text("ObjectExtensionCode"),
        )?;
        let number = (n + 1).to_string();
        out.push(
            seg!(
                "UNO",
                [number.as_str()],
                ["AID", id.as_str()],
                ["OBJ", code, ext, "91"],
                [size, "14", "1", "A"]
            )
            .with_object(bytes),
        );
        out.push(seg!("UNP", [size], [number.as_str()]));
    }
    Ok(out)
}

/// `2BE66629DA66406D9E3FCD78219E1377` → `2BE66629-DA66-406D-9E3F-CD78219E1377`.
fn hyphenate(id: &str) -> Option<String> {
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut out = String::with_capacity(36);
    for (n, c) in id.chars().enumerate() {
        if matches!(n, 8 | 12 | 16 | 20) {
            out.push('-');
        }
        out.push(c);
    }
    Some(out)
}

/// Encoded characters per line, as MIME (RFC 2045) and MedCom's converter write them.
const LINE: usize = 76;

/// Standard base64 with canonical padding; unused trailing bits are ignored on input.
const ENGINE: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// MIME base64: lines of 76 characters, each ended by a line feed.
pub(crate) fn base64_lines(bytes: &[u8]) -> String {
    use base64::Engine as _;
    let flat = ENGINE.encode(bytes);
    let mut out = String::with_capacity(flat.len() + flat.len() / LINE + 1);
    // The encoding is ASCII, so byte chunks are whole characters.
    for line in flat.as_bytes().chunks(LINE) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// Decodes base64, ignoring ASCII whitespace; `None` for anything else malformed.
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    ENGINE.decode(compact).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (bytes, MIME base64): one line per case.
    #[rustfmt::skip]
    const CASES: &[(&[u8], &str)] = &[
        (b"", ""),
        (b"f", "Zg==\n"),
        (b"fo", "Zm8=\n"),
        (b"foo", "Zm9v\n"),
        (&[0xFF; 57], "////////////////////////////////////////////////////////////////////////////\n"),
        (&[0; 58], "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nAA==\n"),
    ];

    #[test]
    fn base64_both_ways() {
        for (bytes, text) in CASES {
            assert_eq!(base64_lines(bytes), *text);
            assert_eq!(base64_decode(text).as_deref(), Some(*bytes));
        }
        for bad in ["Zg=", "Z===", "Zg==Zg==", "Z!==", "Zm9v=AAA"] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn object_identifiers_get_hyphens() {
        assert_eq!(
            hyphenate("2BE66629DA66406D9E3FCD78219E1377").as_deref(),
            Some("2BE66629-DA66-406D-9E3F-CD78219E1377")
        );
        assert_eq!(hyphenate("2BE66629"), None);
        assert_eq!(hyphenate("ZZE66629DA66406D9E3FCD78219E1377"), None);
    }
}
