//! CONTRL receipts (C0130Q, C0230Q, C0330Q) ⇄ XCTL01 `NegativeVansReceipt`, XCTL02
//! `NegativeReceipt`, XCTL03 `PositiveReceipt`.

use super::common::{code_xml, located, required};
use super::{codes, text, Letter};
use crate::legacy::edifact::{seg, Message, Segment};
use crate::legacy::oioxml::Element;
use crate::legacy::{LegacyError, LegacyErrorKind};

/// (EDIFACT version, root, VersionCode, StatisticalCode, UCI/UCM status).
const KINDS: &[(&str, &str, &str, &str, &str)] = &[
    ("C0130Q", "NegativeVansReceipt", "XC0130Q", "XCTL01", "4"),
    ("C0230Q", "NegativeReceipt", "XC0230Q", "XCTL02", "4"),
    ("C0330Q", "PositiveReceipt", "XC0330Q", "XCTL03", "7"),
];

/// The EDIFACT message type of a letter version (UCM 2:1).
pub(crate) fn message_type(version: &str) -> &'static str {
    if version.starts_with("LMS") || version.starts_with("R60") {
        return "MEDPRE";
    }
    let first = version.get(..1).unwrap_or("");
    codes::MESSAGE_TYPE
        .iter()
        .find(|(_, p)| *p == first)
        .map_or("", |(t, _)| *t)
}

/// EDIFACT → OIOXML.
pub(crate) fn to_xml(letter: &Letter<'_>, message: &Message) -> Result<Element, LegacyError> {
    let Some((_, root_name, version_code, statistical, _)) =
        KINDS.iter().find(|k| k.0 == message.version())
    else {
        return Err(LegacyError::new(LegacyErrorKind::UnsupportedMessage {
            version: message.version().to_owned(),
        }));
    };
    let mut root = Element::new(*root_name, letter.namespace);
    let mut l = root.child_element("Letter");
    l.push_text_child("Identifier", letter.reference);
    l.push_text_child("VersionCode", version_code);
    l.push_text_child("StatisticalCode", statistical);
    root.push(l);
    for (name, ean) in [
        ("Sender", letter.sender_ean),
        ("Receiver", letter.recipient_ean),
    ] {
        root.push(
            root.child_element(name)
                .with_text_child("EANIdentifier", ean),
        );
    }
    let body = message.body();
    let refusal = |i: usize, target: &mut Element| -> Result<(), LegacyError> {
        if let Some(ftx) = body.get(i + 1).filter(|s| s.tag() == "FTX") {
            let code = code_xml(codes::REFUSE, "RefuseCode", ftx.component(1, 1), ftx)?;
            target.push_text_child("RefuseCode", code);
            let mut t = target.child_element("RefuseText");
            text::push_lines(&mut t, text::components(ftx));
            target.push(t);
        }
        Ok(())
    };
    for (i, uci) in body.iter().enumerate().filter(|(_, s)| s.tag() == "UCI") {
        let mut o = root.child_element("OriginalEmessage");
        o.push_text_child("OriginalEnvelopeIdentifier", uci.component(1, 1));
        for (name, e) in [("OriginalSender", 2), ("OriginalReceiver", 3)] {
            o.push(
                o.child_element(name)
                    .with_text_child("EANIdentifier", uci.component(e, 1)),
            );
        }
        refusal(i, &mut o)?;
        for (j, ucm) in body.iter().enumerate().filter(|(_, s)| s.tag() == "UCM") {
            let mut ol = o.child_element("OriginalLetter");
            ol.push_text_child("OriginalLetterIdentifier", ucm.component(1, 1));
            ol.push_text_child("OriginalVersionCode", ucm.component(2, 5));
            refusal(j, &mut ol)?;
            o.push(ol);
        }
        root.push(o);
    }
    // A refusal text (FTX) belongs to the UCI or UCM right before it; anywhere else it would
    // be lost.
    let misplaced = |(j, s): &(usize, &Segment)| match s.tag() {
        "UCI" | "UCM" => false,
        "FTX" => !j
            .checked_sub(1)
            .and_then(|p| body.get(p))
            .is_some_and(|p| matches!(p.tag(), "UCI" | "UCM")),
        _ => true,
    };
    if let Some((_, s)) = body.iter().enumerate().find(misplaced) {
        return Err(located(
            LegacyError::new(LegacyErrorKind::UnexpectedSegment {
                tag: s.tag().to_owned(),
            }),
            s,
        ));
    }
    Ok(root)
}

/// OIOXML → EDIFACT body.
pub(crate) fn to_edi(letter: &Element) -> Result<Vec<Segment>, LegacyError> {
    let status = KINDS
        .iter()
        .find(|k| k.1 == letter.name())
        .map_or("4", |k| k.4);
    let mut out = Vec::new();
    let refusal = |e: &Element, out: &mut Vec<Segment>| -> Result<(), LegacyError> {
        if let Some(code) = e.child("RefuseCode") {
            let qual = codes::to_edi(codes::REFUSE, "RefuseCode", code.text())?;
            match e.child("RefuseText") {
                Some(t) => out.extend(text::to_ftx(qual, t)?),
                None => out.push(seg!("FTX", [qual], ["P00"])),
            }
        }
        Ok(())
    };
    for o in letter.children_named("OriginalEmessage") {
        let ean = |name: &'static str| -> Result<&str, LegacyError> {
            Ok(required(o, name)?.child_text("EANIdentifier"))
        };
        out.push(seg!(
            "UCI",
            [o.child_text("OriginalEnvelopeIdentifier")],
            [ean("OriginalSender")?, "14"],
            [ean("OriginalReceiver")?, "14"],
            [status]
        ));
        refusal(o, &mut out)?;
        for ol in o.children_named("OriginalLetter") {
            let version = ol.child_text("OriginalVersionCode");
            out.push(seg!(
                "UCM",
                [ol.child_text("OriginalLetterIdentifier")],
                [message_type(version), "D", "93A", "UN", version],
                [status]
            ));
            refusal(ol, &mut out)?;
        }
    }
    Ok(out)
}
