//! One message, `UNH` … `UNT`: its header against the message's version, then its content
//! through the conversion tables and the OIOXML schema rules of its twin, then its segment
//! order against the layout the same tables write.

use std::collections::HashMap;

use super::locate::{find_value, segment_for_path, Place};
use super::{code_of, Sink};
use crate::dk::{cpr, gln, municipality, sor};
use crate::finding::{Finding, Severity};
use crate::legacy::edifact::{Delimiters, Interchange, Message, Segment};
use crate::legacy::{convert, oioxml, schema, LegacyError};

/// What every message of an interchange shares.
pub(crate) struct Envelope<'a> {
    pub(crate) input: &'a [u8],
    pub(crate) delimiters: Delimiters,
    /// UNB as the conversion reads it (an invalid date or acknowledgement request, reported
    /// once on the envelope, replaced so that the letters are still checked).
    pub(crate) unb: &'a Segment,
}

/// Checks one message; `number` counts messages from 1, `first` says whether envelope
/// findings of the converted letter are reported (once per interchange).
pub(crate) fn check(
    env: &Envelope<'_>,
    number: usize,
    first: bool,
    unh: Segment,
    body: Vec<Segment>,
    unt: Segment,
    sink: &mut Sink,
) {
    let version = unh.component(2, 5).to_owned();
    let Some((message_type, directory, code)) = convert::header_of(&version) else {
        let at = Place {
            message: Some(number),
            number: 1,
            segment: &unh,
            element: 2,
            component: 5,
        };
        sink.unsupported();
        sink.push(
            env,
            at,
            Finding::new(
                "edifact-unsupported-message",
                Severity::Error,
                "",
                format!(
                    "message version '{}' is not one the conversion tables know",
                    version.chars().take(16).collect::<String>()
                ),
            ),
        );
        return;
    };
    let expected: [(usize, usize, &str); 5] = [
        (2, 1, message_type),
        (2, 2, directory[0]),
        (2, 3, directory[1]),
        (2, 4, directory[2]),
        (3, 1, code),
    ];
    for (e, c, want) in expected {
        let got = unh.component(e, c);
        if got != want {
            let at = Place {
                message: Some(number),
                number: 1,
                segment: &unh,
                element: e,
                component: c,
            };
            sink.push(
                env,
                at,
                Finding::new(
                    "edifact-invalid-value",
                    Severity::Error,
                    "",
                    format!("version {version} needs '{want}' here"),
                )
                .with_rule(format!("UNH {e}:{c}")),
            );
        }
    }
    if body.is_empty() {
        let at = Place::whole(Some(number), 1, &unh);
        sink.push(
            env,
            at,
            Finding::new(
                "edifact-missing-segment",
                Severity::Error,
                "",
                "the message has no segments between UNH and UNT",
            ),
        );
        return;
    }
    let trailer = Segment::new(
        "UNZ",
        [
            vec!["1".to_owned()],
            vec![env.unb.component(5, 1).to_owned()],
        ],
    );
    let single = Interchange::from_parts(
        env.delimiters,
        false,
        env.unb.clone(),
        vec![Message::from_parts(unh, body, unt)],
        trailer,
    );
    let Some(message) = single.messages().first() else {
        return;
    };
    let segments: Vec<&Segment> = message.segments().collect();
    let xml = match convert::to_oioxml(&single) {
        Ok(xml) => xml,
        Err(e) => {
            conversion_error(env, number, &segments, &e, sink);
            identifiers(env, number, &segments, sink);
            return;
        }
    };
    // The layout the tables write, as keys; then the letter as text. Neither the written
    // interchange nor the element tree outlives its use: one message's copies are what
    // validation holds at its peak.
    let layout: Option<Vec<Key>> = convert::to_edifact(&xml).ok().and_then(|w| {
        w.messages()
            .first()
            .map(|m| m.body().iter().map(key).collect())
    });
    let text = oioxml::to_string(&xml);
    drop(xml);
    let Ok(doc) = schema::parse(&text) else {
        return;
    };
    // Element text by start offset, built at the first finding that needs it: one lookup per
    // finding instead of a walk over the letter.
    let mut text_at: Option<std::collections::HashMap<usize, &str>> = None;
    for f in schema::validate(&doc) {
        let path = f.location().to_owned();
        let on_envelope = path.starts_with("/Emessage/Envelope");
        if on_envelope && !first {
            continue;
        }
        if sink.is_full() {
            // Past the cap a finding is only counted: no need to place it.
            sink.count(f.severity(), (!on_envelope).then_some(number));
            continue;
        }
        let value = f.value().map(str::to_owned).or_else(|| {
            let byte = f.position()?.byte;
            text_at
                .get_or_insert_with(|| {
                    doc.descendants()
                        .filter(|n| n.is_element())
                        .filter_map(|n| Some((n.range().start, n.text()?)))
                        .collect()
                })
                .get(&byte)
                .map(|t| (*t).to_owned())
        });
        let at = if on_envelope {
            let unb = [env.unb];
            let (e, c) = value
                .as_deref()
                .and_then(|v| find_value(&unb, v))
                .map_or((0, 0), |(_, e, c)| (e, c));
            Place {
                message: None,
                number: 0,
                segment: env.unb,
                element: e,
                component: c,
            }
        } else if let Some((n, e, c)) = value.as_deref().and_then(|v| find_value(&segments, v)) {
            Place {
                message: Some(number),
                number: n + 1,
                segment: segments[n],
                element: e,
                component: c,
            }
        } else {
            let n = segment_for_path(&segments, &path).unwrap_or(0);
            Place::whole(Some(number), n + 1, segments[n])
        };
        let mut out = Finding::new(
            f.code(),
            f.severity(),
            "",
            format!("{} (OIOXML {path})", f.message()),
        );
        if let Some(rule) = f.rule() {
            out = out.with_rule(rule.to_owned());
        }
        if let Some(v) = f.value() {
            out = out.with_value(v.to_owned());
        }
        sink.push(env, at, out);
    }
    drop(doc);
    if let Some(layout) = layout {
        order(env, number, &segments, &layout, sink);
    }
}

/// A segment's tag and qualifier (element 1, component 1).
type Key = (String, String);

fn key(s: &Segment) -> Key {
    (s.tag().to_owned(), s.component(1, 1).to_owned())
}

/// A conversion error (an unknown segment or code, a malformed value) as a finding at its
/// segment.
fn conversion_error(
    env: &Envelope<'_>,
    number: usize,
    segments: &[&Segment],
    e: &LegacyError,
    sink: &mut Sink,
) {
    let index = e.segment();
    let found = index.and_then(|i| {
        segments
            .iter()
            .position(|s| s.position().is_some_and(|p| p.index == i))
    });
    let at = match found {
        Some(n) => Place::whole(Some(number), n + 1, segments[n]),
        None if index.is_some() && index == env.unb.position().map(|p| p.index) => {
            Place::whole(None, 0, env.unb)
        }
        None => Place::whole(Some(number), 1, segments[0]),
    };
    let kind = e.kind();
    sink.push(
        env,
        at,
        Finding::new(code_of(kind), Severity::Error, "", kind.to_string())
            .with_rule("MedCom conversion tables"),
    );
}

/// The identifier checks of the OIOXML pass, on the segments themselves, for a message the
/// conversion refused (so that a bad CPR is still reported with its code): the patient's CPR
/// (PNA+PAT 2:1) and the party identifiers (NAD 2:1) by their qualifier (NAD 2:2), mapped
/// through the conversion's own table to the OIOXML `IdentifierCode`.
fn identifiers(env: &Envelope<'_>, number: usize, segments: &[&Segment], sink: &mut Sink) {
    for (n, s) in segments.iter().enumerate() {
        let value = s.component(2, 1);
        if value.is_empty() {
            continue;
        }
        let found = match (s.tag(), s.component(1, 1)) {
            ("PNA", "PAT") => cpr::findings(value, ""),
            ("NAD", _) => match convert::codes::to_xml(
                convert::codes::IDENTIFIER_CODE,
                "IdentifierCode",
                s.component(2, 2),
            ) {
                Ok("lokationsnummer") => gln::findings(value, "", Severity::Error),
                Ok("sorkode") => sor::findings(value, ""),
                Ok("kommunenummer") => municipality::findings(value, ""),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        for f in found {
            let at = Place {
                message: Some(number),
                number: n + 1,
                segment: s,
                element: 2,
                component: 1,
            };
            sink.push(env, at, f);
        }
    }
}

/// The segments of the body must come in the order the conversion tables write them: the
/// k-th segment with a given tag and qualifier is matched with the k-th one written, and the
/// matches must not go backwards; a segment the conversion carried nowhere has no place.
fn order(
    env: &Envelope<'_>,
    number: usize,
    segments: &[&Segment],
    layout: &[Key],
    sink: &mut Sink,
) {
    let mut slots: HashMap<&Key, Vec<usize>> = HashMap::new();
    for (i, k) in layout.iter().enumerate() {
        slots.entry(k).or_default().push(i);
    }
    let mut seen: HashMap<Key, usize> = HashMap::new();
    let mut last: Option<(usize, usize)> = None;
    let body = segments
        .get(1..segments.len().saturating_sub(1))
        .unwrap_or_default();
    for (n, s) in body.iter().enumerate() {
        let k = key(s);
        let count = seen.entry(k.clone()).or_default();
        let slot = slots.get(&k).and_then(|v| v.get(*count)).copied();
        *count += 1;
        let Some(slot) = slot else {
            // The conversion carried the segment nowhere: it has no place in the structure.
            let at = Place::whole(Some(number), n + 2, s);
            sink.push(
                env,
                at,
                Finding::new(
                    "edifact-unexpected-segment",
                    Severity::Error,
                    "",
                    format!(
                        "the message structure has no place for segment {} here",
                        s.tag()
                    ),
                )
                .with_rule("MedCom conversion tables"),
            );
            return;
        };
        if let Some((before, prev)) = last {
            if slot < before {
                let at = Place::whole(Some(number), n + 2, s);
                sink.push(
                    env,
                    at,
                    Finding::new(
                        "edifact-segment-order",
                        Severity::Error,
                        "",
                        format!(
                            "segment {} comes after {} but the message structure puts it before",
                            s.tag(),
                            body[prev].tag()
                        ),
                    )
                    .with_rule("MedCom conversion tables"),
                );
                return;
            }
        }
        last = Some((slot, n));
    }
}
