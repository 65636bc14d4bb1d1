//! Free text: FTX segments ⇄ OIOXML formatted text (`Break`, `Bold`, `FixedFont`, …).
//!
//! EDIFACT carries text as FTX components of at most 70 characters (release characters
//! counted): a component ending in `\` continues on the next, `.` is an empty line, any other
//! component is a line. FTX 2:1 gives font (`P` proportional, `F` fixed) and format (`00`,
//! `0M` centre, `0H` right, `F0` bold, `K0` italic, `U0` underline). The line-breaking rules
//! below reproduce MedCom's converter so that conversion is segment-for-segment equal.

use std::collections::VecDeque;

use crate::legacy::edifact::Segment;
use crate::legacy::oioxml::{Content, Element};
use crate::legacy::{LegacyError, LegacyErrorKind};

/// Longest FTX component, release characters included.
const LINE: usize = 70;
/// Text components per FTX segment.
const PER_SEGMENT: usize = 5;
const MAX_DEPTH: usize = 32;

/// Appends the lines of FTX components to `target`: text plus `Break` per line.
pub(crate) fn push_lines(target: &mut Element, components: &[String]) {
    for c in components {
        if c == "." {
            target.push(target.child_element("Break"));
        } else if let Some(t) = c.strip_suffix('\\') {
            target.push_text(t);
        } else {
            target.push_text(c);
            target.push(target.child_element("Break"));
        }
    }
}

/// Appends FTX components as one unformatted line (`Text03` is a plain string of at most 70
/// characters): continuations joined, no `Break`.
pub(crate) fn push_plain(target: &mut Element, components: &[String]) {
    for c in components {
        target.push_text(c.strip_suffix('\\').unwrap_or(c));
    }
}

/// The text components (element 4) of an FTX.
pub(crate) fn components(ftx: &Segment) -> &[String] {
    ftx.elements().get(3).map_or(&[], Vec::as_slice)
}

/// Appends one FTX as formatted text, wrapped per its format code.
pub(crate) fn push_formatted(target: &mut Element, ftx: &Segment) {
    let (fixed, inner) = match ftx.component(2, 1) {
        "F00" => (true, None),
        "F0H" => (true, Some("Right")),
        "F0M" => (true, Some("Center")),
        "FF0" => (true, Some("Bold")),
        "FU0" => (true, Some("Underline")),
        "FK0" => (true, Some("Italic")),
        "P00" => (false, None),
        "P0H" => (false, Some("Right")),
        "P0M" => (false, Some("Center")),
        "PF0" => (false, Some("Bold")),
        "PU0" => (false, Some("Underline")),
        "PK0" => (false, Some("Italic")),
        _ => (true, None),
    };
    let lines = components(ftx);
    let mut innermost = match inner {
        Some(name) => {
            let mut e = target.child_element(name);
            push_lines(&mut e, lines);
            Some(e)
        }
        None => None,
    };
    if fixed {
        let mut f = target.child_element("FixedFont");
        match innermost.take() {
            Some(e) => f.push(e),
            None => push_lines(&mut f, lines),
        }
        target.push(f);
    } else if let Some(e) = innermost {
        target.push(e);
    } else {
        push_lines(target, lines);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Normal,
    Center,
    Right,
    Bold,
    Italic,
    Underline,
}

// Text borrows from the letter: a copy would double a long letter's text in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Item<'a> {
    Break,
    Text(&'a str),
}

// A deque: breaks are taken from the front of the next paragraph while one is written.
#[derive(Clone, Debug)]
struct Paragraph<'a> {
    fixed: bool,
    format: Format,
    content: VecDeque<Item<'a>>,
}

impl Paragraph<'_> {
    fn empty_copy(&self) -> Self {
        Self {
            fixed: self.fixed,
            format: self.format,
            content: VecDeque::new(),
        }
    }

    fn has_text(&self) -> bool {
        self.content.iter().any(|i| matches!(i, Item::Text(_)))
    }

    fn starts_with_break(&self) -> bool {
        matches!(self.content.front(), Some(Item::Break))
    }

    fn remove_start_break(&mut self) {
        if self.starts_with_break() {
            self.content.pop_front();
        }
    }

    fn code(&self) -> String {
        let font = if self.fixed { 'F' } else { 'P' };
        let format = match self.format {
            Format::Normal => "00",
            Format::Center => "0M",
            Format::Right => "0H",
            Format::Bold => "F0",
            Format::Italic => "K0",
            Format::Underline => "U0",
        };
        format!("{font}{format}")
    }
}

/// Formatted OIOXML text (the children of `Text01`, `RefuseText`, …) → FTX segments with
/// qualifier `code`.
pub(crate) fn to_ftx(code: &str, text: &Element) -> Result<Vec<Segment>, LegacyError> {
    let mut paragraphs = vec![Paragraph {
        fixed: false,
        format: Format::Normal,
        content: VecDeque::new(),
    }];
    parse_mixed(&mut paragraphs, text, 0)?;
    let mut out = Vec::new();
    // MedCom's converter treats the paragraph at index 1 as "the next one" for every
    // paragraph (an artefact of deleting while iterating); kept for equal output.
    for i in 0..paragraphs.len() {
        let Some(p) = paragraphs.get(i) else { break };
        let format = p.code();
        // Paragraph 1 is read again while it is written (see above), so only it is copied; a
        // copy of every paragraph would double a long letter's text in memory.
        let content = if i == 1 {
            p.content.clone()
        } else {
            paragraphs
                .get_mut(i)
                .map(|p| std::mem::take(&mut p.content))
                .unwrap_or_default()
        };
        let mut lines = Vec::new();
        let rest = lines_of(&content, &mut lines);
        drop(content);
        finish(rest, paragraphs.get_mut(1), &mut lines);
        for chunk in lines.chunks(PER_SEGMENT) {
            let mut components: Vec<String> = chunk.iter().map(|raw| unrelease(raw)).collect();
            while components.len() < PER_SEGMENT {
                match paragraphs.get_mut(1) {
                    Some(next) if next.starts_with_break() => {
                        components.push(".".to_owned());
                        next.remove_start_break();
                    }
                    _ => break,
                }
            }
            out.push(Segment::new(
                "FTX",
                [
                    vec![code.to_owned()],
                    vec![format.clone()],
                    vec![],
                    components,
                ],
            ));
        }
    }
    Ok(out)
}

fn parse_mixed<'a>(
    paragraphs: &mut Vec<Paragraph<'a>>,
    element: &'a Element,
    depth: usize,
) -> Result<(), LegacyError> {
    if depth > MAX_DEPTH {
        return Err(LegacyError::new(LegacyErrorKind::LimitExceeded {
            limit: "text formatting depth",
        }));
    }
    for c in element.children() {
        match c {
            Content::Text(t) => last(paragraphs).content.push_back(Item::Text(t)),
            Content::Element(e) => parse_element(paragraphs, e, depth + 1)?,
        }
    }
    Ok(())
}

fn last<'p, 'a>(paragraphs: &'p mut Vec<Paragraph<'a>>) -> &'p mut Paragraph<'a> {
    if paragraphs.is_empty() {
        paragraphs.push(Paragraph {
            fixed: false,
            format: Format::Normal,
            content: VecDeque::new(),
        });
    }
    let n = paragraphs.len() - 1;
    &mut paragraphs[n]
}

fn split_if_text(paragraphs: &mut Vec<Paragraph<'_>>) {
    let l = last(paragraphs);
    if l.has_text() {
        let copy = l.empty_copy();
        paragraphs.push(copy);
    }
}

fn parse_element<'a>(
    paragraphs: &mut Vec<Paragraph<'a>>,
    e: &'a Element,
    depth: usize,
) -> Result<(), LegacyError> {
    let (old_format, old_fixed) = {
        let l = last(paragraphs);
        (l.format, l.fixed)
    };
    match e.name() {
        "Break" => {
            last(paragraphs).content.push_back(Item::Break);
            return Ok(());
        }
        "Space" => {
            last(paragraphs).content.push_back(Item::Text(" "));
            return Ok(());
        }
        "Center" | "Right" => {
            split_if_text(paragraphs);
            let l = last(paragraphs);
            l.format = if e.name() == "Center" {
                Format::Center
            } else {
                Format::Right
            };
            l.content.push_back(Item::Break);
            parse_mixed(paragraphs, e, depth)?;
            last(paragraphs).content.push_back(Item::Break);
        }
        "Bold" | "Italic" | "Underline" => {
            split_if_text(paragraphs);
            last(paragraphs).format = match e.name() {
                "Bold" => Format::Bold,
                "Italic" => Format::Italic,
                _ => Format::Underline,
            };
            parse_mixed(paragraphs, e, depth)?;
        }
        "FixedFont" => {
            split_if_text(paragraphs);
            last(paragraphs).fixed = true;
            parse_mixed(paragraphs, e, depth)?;
        }
        _ => {
            return Err(LegacyError::new(LegacyErrorKind::UnexpectedSegment {
                tag: e.name().chars().take(40).collect(),
            })
            .with_location(format!("text element {}", e.name())))
        }
    }
    split_if_text(paragraphs);
    let l = last(paragraphs);
    l.format = old_format;
    l.fixed = old_fixed;
    Ok(())
}

/// Splits content into complete lines (released EDIFACT text); returns the open last line.
fn lines_of(content: &VecDeque<Item<'_>>, lines: &mut Vec<String>) -> String {
    let mut text = String::new();
    for item in content {
        match item {
            Item::Break => {
                if text.is_empty() {
                    text.push('.');
                }
                lines.push(std::mem::take(&mut text));
            }
            // The open line is replaced, not extended, as in MedCom's converter.
            Item::Text(t) => text = divide(t, lines),
        }
    }
    text
}

fn finish(mut text: String, next: Option<&mut Paragraph<'_>>, lines: &mut Vec<String>) {
    if text.is_empty() {
        return;
    }
    if let Some(next) = next {
        if next.starts_with_break() {
            next.remove_start_break();
        } else {
            // MedCom's converter measures this in UTF-8 bytes.
            if text.len() == LINE {
                let last = text.pop().unwrap_or(' ');
                text.push('\\');
                lines.push(std::mem::take(&mut text));
                text.push(last);
            }
            text.push('\\');
        }
    }
    lines.push(text);
}

fn is_special(c: char) -> bool {
    matches!(c, '?' | ':' | '\\' | '\'' | '+')
}

fn is_break_char(c: char) -> bool {
    is_special(c) || c.is_whitespace()
}

/// Breaks one text run into released lines of at most 70 characters, preferring to break
/// after whitespace or an EDIFACT special character (not after `.`, `,` or `;`: MedCom's
/// paired messages DIS02, DIS06 and DIS91_3 wrap before such words); returns the open last line.
fn divide(value: &str, lines: &mut Vec<String>) -> String {
    let total = value.chars().count();
    let mut text = String::new();
    let mut size = 0usize;
    for c in value.chars() {
        if is_special(c) {
            if (size == LINE - 2 && total > 1) || size == LINE - 1 {
                text.push('\\');
                lines.push(std::mem::take(&mut text));
                size = 0;
            }
            text.push('?');
            size += 1;
        } else if size == LINE - 1 && total > 1 {
            if text.chars().last().is_some_and(is_break_char) {
                text.push('\\');
                lines.push(std::mem::take(&mut text));
                size = 0;
            } else if let Some(n) = text
                .chars()
                .enumerate()
                .filter(|(_, ch)| is_break_char(*ch))
                .map(|(n, _)| n)
                .last()
                .filter(|n| *n > 2)
            {
                let byte = text
                    .char_indices()
                    .nth(n + 1)
                    .map_or(text.len(), |(b, _)| b);
                let rest = text.split_off(byte);
                text.push('\\');
                lines.push(std::mem::replace(&mut text, rest));
                size = text.chars().count();
            }
        }
        text.push(c);
        size += 1;
    }
    text
}

/// Removes release characters from a line built by [`divide`].
fn unrelease(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '?' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(children: &[&str]) -> Element {
        let mut e = Element::new("Text01", "urn:x");
        for c in children {
            if *c == "|" {
                e.push(e.child_element("Break"));
            } else {
                e.push_text(c);
            }
        }
        e
    }

    #[test]
    fn empty_lines_and_continuations() {
        let ftx = to_ftx("NC", &text(&["|", "a", "|", "|"])).unwrap();
        assert_eq!(ftx.len(), 1);
        assert_eq!(components(&ftx[0]), [".", "a", "."]);
        let mut back = Element::new("Text01", "urn:x");
        push_formatted(&mut back, &ftx[0]);
        assert_eq!(back, text(&["|", "a", "|", "|"]));
    }

    #[test]
    fn long_line_breaks_after_space() {
        let long = "ord ".repeat(30);
        let ftx = to_ftx("NC", &text(&[&long, "|"])).unwrap();
        let lines = components(&ftx[0]);
        assert!(lines[0].ends_with(" \\"));
        assert!(lines[0].chars().count() <= LINE);
        let mut back = Element::new("Text01", "urn:x");
        push_formatted(&mut back, &ftx[0]);
        assert_eq!(back, text(&[&long, "|"]));
    }

    #[test]
    fn released_characters_count_double() {
        let s = format!("{}:{}", "a".repeat(68), "b");
        let ftx = to_ftx("NC", &text(&[&s, "|"])).unwrap();
        assert_eq!(components(&ftx[0])[0], format!("{}\\", "a".repeat(68)));
    }
}
