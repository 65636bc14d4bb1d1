//! Where a finding sits in an interchange: the segment's number and tag, the element and
//! component, and the line and column of that component in the original input (wrapped files
//! included).

use crate::error::Position;
use crate::legacy::edifact::{Delimiters, Segment};

/// A place in an interchange. Messages count from 1; segments count within their message
/// from `UNH` = 1, as CONTRL's segment positions do; envelope segments (`UNB`, `UNZ`) have no
/// message. Elements and components count from 1 as in the EDIFACT directories; element 0 is
/// the segment as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Place<'s> {
    pub(crate) message: Option<usize>,
    pub(crate) number: usize,
    pub(crate) segment: &'s Segment,
    pub(crate) element: usize,
    pub(crate) component: usize,
}

impl<'s> Place<'s> {
    /// A whole segment: no element or component.
    pub(crate) fn whole(message: Option<usize>, number: usize, segment: &'s Segment) -> Self {
        Self {
            message,
            number,
            segment,
            element: 0,
            component: 0,
        }
    }

    /// `UNH[2]/PNA[7]/2:1` inside a message, `UNB/4:1` on the envelope, `UNH[1]/UNH[1]` for a
    /// whole segment.
    pub(crate) fn location(&self) -> String {
        let tag = self.segment.tag();
        let mut s = match self.message {
            Some(m) => format!("UNH[{m}]/{tag}[{}]", self.number),
            None => tag.to_owned(),
        };
        if self.element > 0 {
            s.push_str(&format!("/{}:{}", self.element, self.component.max(1)));
        }
        s
    }

    /// The position of the component in the input, or of the segment when the component is
    /// absent.
    pub(crate) fn position(&self, input: &[u8], delimiters: &Delimiters) -> Option<Position> {
        let start = self.segment.position()?.position;
        if self.element == 0 {
            return Some(start);
        }
        Some(
            component_position(
                input,
                delimiters,
                start,
                self.element,
                self.component.max(1),
            )
            .unwrap_or(start),
        )
    }
}

/// Walks a segment from its start to the first byte of element `element`, component
/// `component`, counting lines as the reader does.
fn component_position(
    input: &[u8],
    d: &Delimiters,
    start: Position,
    element: usize,
    component: usize,
) -> Option<Position> {
    let (mut e, mut c) = (0usize, 1usize);
    let mut at = start;
    let mut i = start.byte;
    while let Some(&b) = input.get(i) {
        if e == element && c == component && b != b'\n' && b != b'\r' {
            return Some(at);
        }
        i += 1;
        at.byte = i;
        if b == b'\n' {
            at.line = at.line.saturating_add(1);
            at.column = 1;
            continue;
        }
        at.column = at.column.saturating_add(1);
        if b == d.release {
            if input.get(i).is_some_and(|&n| n != b'\n' && n != b'\r') {
                i += 1;
                at.byte = i;
                at.column = at.column.saturating_add(1);
            }
        } else if b == d.segment {
            return None;
        } else if b == d.element {
            e += 1;
            c = 1;
        } else if b == d.component {
            c += 1;
        }
    }
    None
}

/// Where a value of a converted letter came from: the first component equal to it, else
/// (for dates and times, which the conversion reformats) the first component holding its
/// digits.
pub(crate) fn find_value(segments: &[&Segment], value: &str) -> Option<(usize, usize, usize)> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let exact = |s: &Segment| {
        s.elements().iter().enumerate().find_map(|(e, comps)| {
            comps
                .iter()
                .position(|c| c == value)
                .map(|c| (e + 1, c + 1))
        })
    };
    if let Some(found) = segments
        .iter()
        .enumerate()
        .find_map(|(n, s)| exact(s).map(|(e, c)| (n, e, c)))
    {
        return Some(found);
    }
    let digits: String = value.chars().filter(|c| !matches!(c, '-' | ':')).collect();
    if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    segments.iter().enumerate().find_map(|(n, s)| {
        s.elements().iter().enumerate().find_map(|(e, comps)| {
            comps
                .iter()
                .position(|c| c.contains(&digits))
                .map(|c| (n, e + 1, c + 1))
        })
    })
}

/// The segment an OIOXML element stems from when its value does not say: by the element's
/// name (the last step of the path), as the conversion maps them.
pub(crate) fn segment_for_path(segments: &[&Segment], path: &str) -> Option<usize> {
    let mut steps = path.rsplit('/').map(|s| s.split('[').next().unwrap_or(s));
    let leaf = steps.next().unwrap_or("");
    let parent = steps.next().unwrap_or("");
    let find = |tag: &str, qualifier: Option<&str>| {
        segments
            .iter()
            .position(|s| s.tag() == tag && qualifier.is_none_or(|q| s.component(1, 1) == q))
    };
    let by_name = |name: &str| match name {
        "Patient" | "CivilRegistrationNumber" | "PersonSurnameName" | "PersonGivenName" => {
            find("PNA", Some("PAT")).or_else(|| find("PNA", None))
        }
        "Sender" => find("NAD", Some("SSP")).or_else(|| find("NAD", None)),
        "Receiver" => find("NAD", Some("PO")),
        "CCReceiver" => find("NAD", Some("CCR")),
        "Letter" | "Authorisation" | "StatusCode" => {
            find("DTM", None).or_else(|| find("BGM", None))
        }
        _ => None,
    };
    by_name(leaf).or_else(|| by_name(parent))
}
