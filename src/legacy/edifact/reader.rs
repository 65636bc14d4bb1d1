//! The EDIFACT reader: bytes → segments with positions → interchange.

use super::{Charset, Delimiters, Interchange, Message, Segment, SegmentPosition};
use crate::error::Position;
use crate::legacy::{LegacyError, LegacyErrorKind};

/// Options for the EDIFACT reader, with limits safe for untrusted input.
///
/// # Examples
///
/// ```
/// let options = medcom::legacy::edifact::ReadOptions::default().with_max_segments(10);
/// assert_eq!(options.max_segments, 10);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// Largest accepted input in bytes. Default: 64 MiB.
    pub max_input_bytes: usize,
    /// Largest accepted number of segments. Default: 1,000,000.
    pub max_segments: usize,
    /// Largest accepted number of segments in one message, UNH and UNT included. Default:
    /// 20,000 (MedCom letters have a few hundred); a message is held whole while it is read.
    pub max_message_segments: usize,
    /// Largest accepted number of values (components, over all elements) in one segment; the
    /// directories allow far fewer, and each value costs memory. Default: 1,000.
    pub max_segment_values: usize,
    /// What a line break (CR or LF) outside binary objects means. Default:
    /// [`LineBreaks::Auto`].
    pub line_breaks: LineBreaks,
}

/// How the reader treats line breaks (CR, LF) outside binary objects.
///
/// Line breaks are never EDIFACT data: text lines travel as FTX components, and UNOC's
/// repertoire holds no control characters. So the default takes them as layout between
/// segments (one segment per line is common) and rejects them inside a segment rather than
/// reading them as part of a value. Some interchanges were wrapped at a fixed width by the
/// software that stored them, which breaks lines anywhere, even inside values; MedCom's own
/// converter drops every line break before parsing, and [`LineBreaks::Strip`] does the same.
/// The default, [`LineBreaks::Auto`], detects such a file and unwraps it; positions still
/// point at the original line and column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum LineBreaks {
    /// Unwraps a wrapped file: when any line break falls inside a segment, every line break
    /// is dropped (as [`LineBreaks::Strip`]); otherwise they are layout between segments.
    #[default]
    Auto,
    /// Allowed between segments only; inside a segment they are an error.
    Layout,
    /// Removed wherever they occur (MedCom's converter), for fixed-width wrapped files.
    Strip,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            max_input_bytes: 64 << 20,
            max_segments: 1_000_000,
            max_message_segments: 20_000,
            max_segment_values: 1_000,
            line_breaks: LineBreaks::Auto,
        }
    }
}

impl ReadOptions {
    /// Sets [`Self::max_segments`].
    #[must_use]
    pub fn with_max_segments(mut self, max: usize) -> Self {
        self.max_segments = max;
        self
    }

    /// Sets [`Self::max_message_segments`].
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::legacy::edifact::{read_with_options, ReadOptions};
    /// let input = b"UNB+UNOC:3+A+B+990115:1202+R'UNH+1+MEDDIS:D:93A:UN:D9134L'BGM+1'UNT+3+1'UNZ+1+R'";
    /// let err = read_with_options(input, &ReadOptions::default().with_max_message_segments(2));
    /// assert_eq!(err.unwrap_err().kind().code(), "limit-exceeded");
    /// ```
    #[must_use]
    pub fn with_max_message_segments(mut self, max: usize) -> Self {
        self.max_message_segments = max;
        self
    }

    /// Sets [`Self::max_segment_values`].
    #[must_use]
    pub fn with_max_segment_values(mut self, max: usize) -> Self {
        self.max_segment_values = max;
        self
    }

    /// Sets [`Self::max_input_bytes`].
    #[must_use]
    pub fn with_max_input_bytes(mut self, max: usize) -> Self {
        self.max_input_bytes = max;
        self
    }

    /// Sets [`Self::line_breaks`].
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::legacy::edifact::{read, read_with_options, LineBreaks, ReadOptions};
    /// let wrapped = b"UNB+UNOC:3+A+B+990115:1202+R\nEF'UNZ+0+REF'";
    /// // Detected as wrapped and unwrapped by default:
    /// assert_eq!(read(wrapped).unwrap().reference(), "REF");
    /// let strict = ReadOptions::default().with_line_breaks(LineBreaks::Layout);
    /// assert_eq!(read_with_options(wrapped, &strict).unwrap_err().kind().code(), "invalid-value");
    /// ```
    #[must_use]
    pub fn with_line_breaks(mut self, line_breaks: LineBreaks) -> Self {
        self.line_breaks = line_breaks;
        self
    }
}

/// Reads an interchange with the default options.
///
/// # Errors
///
/// A [`LegacyError`] with position and segment index: bad UNA, unterminated segment, missing or
/// misplaced UNB/UNH/UNT/UNZ, wrong control counts or references, unsupported syntax identifier.
///
/// # Examples
///
/// ```
/// let i = medcom::legacy::edifact::read(b"UNB+UNOC:3+A:14+B:14+990115:1202+R'UNZ+0+R'").unwrap();
/// assert_eq!(i.reference(), "R");
/// assert!(i.messages().is_empty());
/// ```
pub fn read(input: &[u8]) -> Result<Interchange, LegacyError> {
    read_with_options(input, &ReadOptions::default())
}

/// Reads an interchange.
///
/// # Errors
///
/// As [`read`], plus [`LegacyErrorKind::LimitExceeded`].
///
/// # Examples
///
/// ```
/// use medcom::legacy::edifact::{read_with_options, ReadOptions};
/// let err = read_with_options(b"UNB+UNOC:3+A+B+990115:1202+R'UNZ+0+R'", &ReadOptions::default().with_max_segments(1));
/// assert_eq!(err.unwrap_err().kind().code(), "limit-exceeded");
/// ```
pub fn read_with_options(input: &[u8], options: &ReadOptions) -> Result<Interchange, LegacyError> {
    let (delimiters, has_una, segments) = scan(input, options)?;
    structure(delimiters, has_una, segments, input, options)
}

/// Reads the segments of an interchange without checking the UNB/UNH structure (UNA is
/// consumed and not returned).
///
/// # Errors
///
/// Bad UNA, unterminated segment, bad tag, a limit, or an unsupported syntax identifier in UNB.
///
/// # Examples
///
/// ```
/// let (_, segments) = medcom::legacy::edifact::read_segments(b"FTX+NC?+1'S01+01'").unwrap();
/// assert_eq!(segments[0].component(2, 1), "");
/// assert_eq!(segments[0].component(1, 1), "NC+1");
/// ```
pub fn read_segments(input: &[u8]) -> Result<(Delimiters, Vec<Segment>), LegacyError> {
    let (d, _, segments) = scan(input, &ReadOptions::default())?;
    Ok((d, segments))
}

fn line_break_error(position: Position, index: usize) -> LegacyError {
    LegacyError::new(LegacyErrorKind::InvalidValue {
        field: "segment",
        reason:
            "line break inside a segment (LineBreaks::Layout allows them between segments only)",
    })
    .with_position(position)
    .with_segment(index)
}

/// Tracks line and column while scanning.
struct Cursor<'a> {
    input: &'a [u8],
    line: u32,
    line_start: usize,
}

impl Cursor<'_> {
    fn position(&self, byte: usize) -> Position {
        let column = byte.saturating_sub(self.line_start) + 1;
        Position {
            byte,
            line: self.line,
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }

    fn newline_at(&mut self, i: usize) {
        if self.input.get(i) == Some(&b'\n') {
            self.line = self.line.saturating_add(1);
            self.line_start = i + 1;
        }
    }
}

fn scan(
    input: &[u8],
    options: &ReadOptions,
) -> Result<(Delimiters, bool, Vec<Segment>), LegacyError> {
    let mut scanner = Scanner::new(input, options)?;
    let mut segments = Vec::new();
    for segment in &mut scanner {
        segments.push(segment?);
    }
    Ok((scanner.delimiters, scanner.has_una, segments))
}

/// Reads segments one at a time, so a caller can handle an interchange message by message
/// without holding every segment (the content validator does).
pub(crate) struct Scanner<'a> {
    cur: Cursor<'a>,
    i: usize,
    index: usize,
    count: usize,
    max_segments: usize,
    max_values: usize,
    strip: bool,
    delimiters: Delimiters,
    has_una: bool,
    charset: Charset,
    failed: bool,
}

impl<'a> Scanner<'a> {
    /// Checks the size limit and reads UNA.
    pub(crate) fn new(input: &'a [u8], options: &ReadOptions) -> Result<Self, LegacyError> {
        if input.len() > options.max_input_bytes {
            return Err(LegacyError::new(LegacyErrorKind::LimitExceeded {
                limit: "input size",
            }));
        }
        let cur = Cursor {
            input,
            line: 1,
            line_start: 0,
        };
        let mut delimiters = Delimiters::default();
        let has_una = input.starts_with(b"UNA");
        if has_una {
            let Some(una) = input.get(3..9) else {
                return Err(LegacyError::new(LegacyErrorKind::InvalidUna)
                    .with_position(cur.position(0))
                    .with_segment(0));
            };
            delimiters = Delimiters {
                component: una[0],
                element: una[1],
                decimal: una[2],
                release: una[3],
                segment: una[5],
            };
            let special = [
                delimiters.component,
                delimiters.element,
                delimiters.release,
                delimiters.segment,
            ];
            let distinct = special
                .iter()
                .enumerate()
                .all(|(n, a)| special.iter().skip(n + 1).all(|b| a != b));
            if !distinct
                || special
                    .iter()
                    .any(|b| b.is_ascii_alphanumeric() || *b == b'\n' || *b == b'\r')
            {
                return Err(LegacyError::new(LegacyErrorKind::InvalidUna)
                    .with_position(cur.position(0))
                    .with_segment(0));
            }
        }
        let strip = match options.line_breaks {
            LineBreaks::Layout => false,
            LineBreaks::Strip => true,
            LineBreaks::Auto => is_wrapped(input, &delimiters, if has_una { 9 } else { 0 }),
        };
        Ok(Self {
            cur,
            i: if has_una { 9 } else { 0 },
            index: usize::from(has_una),
            count: 0,
            max_segments: options.max_segments,
            max_values: options.max_segment_values,
            strip,
            delimiters,
            has_una,
            charset: Charset::Latin1,
            failed: false,
        })
    }

    /// The service characters (from UNA, or the defaults).
    pub(crate) fn delimiters(&self) -> Delimiters {
        self.delimiters
    }

    /// The position just after the last byte read.
    pub(crate) fn position(&self) -> Position {
        self.cur.position(self.i)
    }

    /// The next segment, or an error (after which the scanner ends).
    fn segment(&mut self) -> Option<Result<Segment, LegacyError>> {
        let input = self.cur.input;
        let delimiters = self.delimiters;
        let strip = self.strip;
        let index = self.index;
        let cur = &mut self.cur;
        let mut i = self.i;
        // Line breaks between segments are layout, not data.
        while let Some(&b) = input.get(i) {
            if b == b'\n' || b == b'\r' {
                cur.newline_at(i);
                i += 1;
            } else {
                break;
            }
        }
        self.i = i;
        if i >= input.len() {
            return None;
        }
        if self.count >= self.max_segments {
            return Some(Err(LegacyError::new(LegacyErrorKind::LimitExceeded {
                limit: "number of segments",
            })
            .with_position(cur.position(i))
            .with_segment(index)));
        }
        let start = i;
        let position = SegmentPosition {
            index,
            position: cur.position(start),
        };
        let mut elements: Vec<Vec<String>> = vec![vec![String::new()]];
        let mut values = 1usize;
        let mut terminated = false;
        while let Some(&b) = input.get(i) {
            if values > self.max_values {
                return Some(Err(LegacyError::new(LegacyErrorKind::LimitExceeded {
                    limit: "number of values in a segment",
                })
                .with_position(position.position)
                .with_segment(index)));
            }
            i += 1;
            if b == b'\n' || b == b'\r' {
                let at = cur.position(i - 1);
                cur.newline_at(i - 1);
                if strip {
                    continue;
                }
                return Some(Err(line_break_error(at, index)));
            }
            if b == delimiters.release {
                // A wrapped file may break the line right after the release character.
                while strip && matches!(input.get(i), Some(b'\n' | b'\r')) {
                    cur.newline_at(i);
                    i += 1;
                }
                let Some(&next) = input.get(i) else {
                    break;
                };
                if next == b'\n' || next == b'\r' {
                    return Some(Err(line_break_error(cur.position(i), index)));
                }
                cur.newline_at(i);
                i += 1;
                push_char(&mut elements, next);
            } else if b == delimiters.segment {
                terminated = true;
                break;
            } else if b == delimiters.element {
                values += 1;
                elements.push(vec![String::new()]);
            } else if b == delimiters.component {
                values += 1;
                if let Some(e) = elements.last_mut() {
                    e.push(String::new());
                }
            } else {
                // Plain bytes up to the next service character or line break, at once.
                let special = |c: &u8| {
                    [
                        delimiters.release,
                        delimiters.segment,
                        delimiters.element,
                        delimiters.component,
                        b'\n',
                        b'\r',
                    ]
                    .contains(c)
                };
                let end = input[i..]
                    .iter()
                    .position(special)
                    .map_or(input.len(), |p| i + p);
                push_run(&mut elements, &input[i - 1..end]);
                i = end;
            }
        }
        self.i = i;
        if !terminated {
            return Some(Err(LegacyError::new(LegacyErrorKind::UnterminatedSegment)
                .with_position(cur.position(start))
                .with_segment(index)));
        }
        let mut elements = elements.into_iter();
        let tag_element = elements.next().unwrap_or_default();
        let tag = tag_element.into_iter().next().unwrap_or_default();
        if tag.is_empty() || tag.len() > 3 || !tag.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Some(Err(LegacyError::new(LegacyErrorKind::InvalidTag)
                .with_position(position.position)
                .with_segment(index)));
        }
        let mut elements: Vec<Vec<String>> = elements.collect();
        if tag == "UNB" && self.count == 0 {
            let syntax = elements
                .first()
                .and_then(|e| e.first())
                .map_or("", String::as_str);
            match Charset::from_syntax(syntax) {
                Some(c) => self.charset = c,
                None => {
                    return Some(Err(LegacyError::new(LegacyErrorKind::UnsupportedSyntax {
                        identifier: syntax.chars().take(8).collect(),
                    })
                    .with_position(position.position)
                    .with_segment(index)))
                }
            }
        }
        if self.charset == Charset::Utf8 {
            for e in &mut elements {
                for c in e.iter_mut() {
                    match utf8_from_latin1(c) {
                        Some(s) => *c = s,
                        None => {
                            return Some(Err(LegacyError::new(LegacyErrorKind::InvalidValue {
                                field: "value",
                                reason: "not UTF-8 although UNB declares UNOW/UNOY",
                            })
                            .with_position(position.position)
                            .with_segment(index)))
                        }
                    }
                }
            }
        }
        let mut segment = Segment::from_parts(tag, elements, Some(position));
        if segment.tag() == "UNO" {
            // Associated data (ISO 9735-8): the object's byte count is in UNO element 4, the raw
            // bytes follow the terminator directly, and a UNP segment closes it.
            let Ok(len) = segment.component(4, 1).parse::<usize>() else {
                return Some(Err(LegacyError::new(LegacyErrorKind::InvalidValue {
                    field: "UNO object length",
                    reason: "not a number",
                })
                .with_position(position.position)
                .with_segment(index)));
            };
            let Some(object) = input.get(i..i.saturating_add(len)) else {
                return Some(Err(LegacyError::new(LegacyErrorKind::UnterminatedSegment)
                    .with_position(position.position)
                    .with_segment(index)));
            };
            for n in i..i + len {
                cur.newline_at(n);
            }
            segment = segment.with_object(object);
            i += len;
            self.i = i;
        }
        self.count += 1;
        self.index += 1;
        Some(Ok(segment))
    }
}

impl Iterator for Scanner<'_> {
    type Item = Result<Segment, LegacyError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let next = self.segment();
        if matches!(next, Some(Err(_))) {
            self.failed = true;
        }
        next
    }
}

/// Whether a line break falls inside a segment (outside a released character's reach): the
/// file was wrapped by the software that stored it, and its line breaks are not layout.
fn is_wrapped(input: &[u8], delimiters: &Delimiters, start: usize) -> bool {
    let mut released = false;
    let mut inside = false;
    for &b in input.get(start..).unwrap_or_default() {
        if b == b'\n' || b == b'\r' {
            if inside {
                return true;
            }
            continue;
        }
        // A released terminator is data; an unreleased one ends the segment.
        inside = released || b != delimiters.segment;
        released = !released && b == delimiters.release;
    }
    false
}

fn push_char(elements: &mut [Vec<String>], b: u8) {
    if let Some(c) = elements.last_mut().and_then(|e| e.last_mut()) {
        // ISO 8859-1 maps each byte to the code point of the same value.
        c.push(char::from(b));
    }
}

/// Appends bytes read as ISO 8859-1 (each byte the code point of the same value).
fn push_run(elements: &mut [Vec<String>], run: &[u8]) {
    if let Some(c) = elements.last_mut().and_then(|e| e.last_mut()) {
        match std::str::from_utf8(run) {
            Ok(ascii) if run.is_ascii() => c.push_str(ascii),
            _ => c.extend(run.iter().map(|&b| char::from(b))),
        }
    }
}

/// Reinterprets a string read byte-per-character as UTF-8.
fn utf8_from_latin1(s: &str) -> Option<String> {
    if s.is_ascii() {
        return Some(s.to_owned());
    }
    let bytes: Option<Vec<u8>> = s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect();
    String::from_utf8(bytes?).ok()
}

fn at(kind: LegacyErrorKind, segment: Option<&Segment>, input: &[u8]) -> LegacyError {
    let mut e = LegacyError::new(kind);
    match segment.and_then(Segment::position) {
        Some(p) => e = e.with_position(p.position).with_segment(p.index),
        None => {
            let end = Cursor {
                input,
                line: 1,
                line_start: 0,
            };
            e = e.with_position(end.position(input.len()));
        }
    }
    e
}

fn structure(
    delimiters: Delimiters,
    has_una: bool,
    segments: Vec<Segment>,
    input: &[u8],
    options: &ReadOptions,
) -> Result<Interchange, LegacyError> {
    let mut messages = Vec::new();
    let (header, trailer) = walk(segments.into_iter().map(Ok), input, options, |_, m| {
        messages.push(m);
        Ok(())
    })?;
    Ok(Interchange::from_parts(
        delimiters, has_una, header, messages, trailer,
    ))
}

/// Reads an interchange message by message: `on_message` gets the UNB and each message as
/// soon as its UNT is checked, and only that message's segments are held. The UNB and UNZ are
/// returned when the whole interchange is read and checked.
///
/// An error stops the reading; errors come in the order of the input.
pub(crate) fn read_messages(
    input: &[u8],
    options: &ReadOptions,
    on_message: impl FnMut(&Segment, Message) -> Result<(), LegacyError>,
) -> Result<(Delimiters, bool, Segment, Segment), LegacyError> {
    let mut scanner = Scanner::new(input, options)?;
    let (delimiters, has_una) = (scanner.delimiters, scanner.has_una);
    let (header, trailer) = walk(&mut scanner, input, options, on_message)?;
    Ok((delimiters, has_una, header, trailer))
}

/// The UNB … UNH … UNT … UNZ structure with its control counts and references.
fn walk(
    mut it: impl Iterator<Item = Result<Segment, LegacyError>>,
    input: &[u8],
    options: &ReadOptions,
    mut on_message: impl FnMut(&Segment, Message) -> Result<(), LegacyError>,
) -> Result<(Segment, Segment), LegacyError> {
    let header = match it.next().transpose()? {
        Some(s) if s.tag() == "UNB" => s,
        Some(s) => {
            return Err(at(
                LegacyErrorKind::UnexpectedSegment {
                    tag: s.tag().to_owned(),
                },
                Some(&s),
                input,
            ))
        }
        None => {
            let kind = if input.is_empty() {
                LegacyErrorKind::EmptyInput
            } else {
                LegacyErrorKind::MissingSegment { tag: "UNB" }
            };
            return Err(at(kind, None, input));
        }
    };
    let mut messages = 0usize;
    loop {
        let Some(s) = it.next().transpose()? else {
            return Err(at(
                LegacyErrorKind::MissingSegment { tag: "UNZ" },
                None,
                input,
            ));
        };
        match s.tag() {
            "UNH" => {
                let unh = s;
                let mut body = Vec::new();
                let unt = loop {
                    match it.next().transpose()? {
                        Some(s) if s.tag() == "UNT" => break s,
                        Some(s) if matches!(s.tag(), "UNH" | "UNZ" | "UNB") => {
                            return Err(at(
                                LegacyErrorKind::UnexpectedSegment {
                                    tag: s.tag().to_owned(),
                                },
                                Some(&s),
                                input,
                            ))
                        }
                        Some(s) if body.len() + 2 >= options.max_message_segments => {
                            return Err(LegacyError::new(LegacyErrorKind::LimitExceeded {
                                limit: "segments in one message",
                            })
                            .with_position(
                                s.position().map_or_else(Position::default, |p| p.position),
                            )
                            .with_segment(s.position().map_or(0, |p| p.index)))
                        }
                        Some(s) => body.push(s),
                        None => {
                            return Err(at(
                                LegacyErrorKind::MissingSegment { tag: "UNT" },
                                None,
                                input,
                            ))
                        }
                    }
                };
                let actual = body.len() + 2;
                if unt.component(1, 1) != actual.to_string() {
                    return Err(at(
                        LegacyErrorKind::ControlCount {
                            segment: "UNT",
                            declared: unt.component(1, 1).chars().take(16).collect(),
                            actual,
                        },
                        Some(&unt),
                        input,
                    ));
                }
                if unt.component(2, 1) != unh.component(1, 1) {
                    return Err(at(
                        LegacyErrorKind::ControlReference { segment: "UNT" },
                        Some(&unt),
                        input,
                    ));
                }
                messages += 1;
                on_message(&header, Message::from_parts(unh, body, unt))?;
            }
            "UNZ" => {
                if s.component(1, 1) != messages.to_string() {
                    return Err(at(
                        LegacyErrorKind::ControlCount {
                            segment: "UNZ",
                            declared: s.component(1, 1).chars().take(16).collect(),
                            actual: messages,
                        },
                        Some(&s),
                        input,
                    ));
                }
                if s.component(2, 1) != header.component(5, 1) {
                    return Err(at(
                        LegacyErrorKind::ControlReference { segment: "UNZ" },
                        Some(&s),
                        input,
                    ));
                }
                if let Some(extra) = it.next().transpose()? {
                    return Err(at(LegacyErrorKind::TrailingContent, Some(&extra), input));
                }
                return Ok((header, s));
            }
            _ => {
                return Err(at(
                    LegacyErrorKind::UnexpectedSegment {
                        tag: s.tag().to_owned(),
                    },
                    Some(&s),
                    input,
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (input, expected error code, segment index, line, column)
    #[test]
    fn line_breaks_strip_like_medcoms_converter() {
        let strip = ReadOptions::default().with_line_breaks(LineBreaks::Strip);
        for input in [
            "UNB+UNOC:3+A+B+1:2+R\r\nR'UNZ+0+RR'",
            "UNB+UNOC:3+A+B+1:2+R?\n'R'UNZ+0+R?'R'",
        ] {
            let i = read_with_options(input.as_bytes(), &strip).unwrap();
            assert!(i.reference().starts_with('R'), "{input}");
            assert!(!i.reference().contains(['\n', '\r']), "{input}");
        }
    }

    /// Wrapped input is detected and unwrapped by default; positions stay those of the
    /// original lines: (input, wrapped, line and column of the last segment).
    #[rustfmt::skip]
    const AUTO: &[(&str, bool, u32, u32)] = &[
        ("UNB+UNOC:3+A+B+1:2+R'\nUNZ+0+R'\n", false, 2, 1),
        ("UNB+UNOC:3+A+B+1:2+R'\r\nUNZ+0+R'", false, 2, 1),
        ("UNB+UNOC:3+A+B+1:2+R\nR'UNZ+0+RR'", true, 2, 3),
        ("UNB+UNOC:3+A+B+1:2+RR'UNZ+0\n+RR'", true, 1, 23),
        ("UNA:+.? 'UNB+UNOC:3+A+B+1:2+R?\n'R'UNZ+0+R?'R'", true, 2, 4),
    ];

    #[test]
    fn wrapped_files_unwrap_by_default() {
        for (input, wrapped, line, column) in AUTO {
            let bytes = input.as_bytes();
            let start = if bytes.starts_with(b"UNA") { 9 } else { 0 };
            assert_eq!(
                is_wrapped(bytes, &Delimiters::default(), start),
                *wrapped,
                "{input}"
            );
            let i = read(bytes).unwrap();
            assert!(!i.reference().contains(['\n', '\r']), "{input}");
            let p = i.trailer().position().unwrap().position;
            assert_eq!((p.line, p.column), (*line, *column), "{input}");
        }
    }

    const ERRORS: &[(&str, &str, Option<usize>, u32, u32)] = &[
        ("", "empty-input", None, 1, 1),
        ("UNA:+", "invalid-una", Some(0), 1, 1),
        ("UNA::.? '", "invalid-una", Some(0), 1, 1),
        (
            "UNB+UNOC:3+A+B+1:2+R",
            "unterminated-segment",
            Some(0),
            1,
            1,
        ),
        ("UNB+UNOC:3+A+B+1:2+R'\n+X'", "invalid-tag", Some(1), 2, 1),
        ("UNB+UNOD:3+A+B+1:2+R'", "unsupported-syntax", Some(0), 1, 1),
        ("UNB+UNOC:3+A+B+1:2+R'FTX+a:b:c:d:e:f:g:h:i:j:k:l:m:n:o:p:q:r:s:t:u:v:w:x:y:z:1:2:3:4:5:6:7:8:9:0:a:b:c:d:e:f:g:h:i:j:k:l:m:n:o:p:q:r:s:t:u:v:w:x:y:z:1:2:3:4:5:6:7:8:9:0:a:b:c:d:e:f:g:h:i:j:k:l:m:n:o:p:q:r:s:t:u:v:w:x:y:z:1:2:3:4:5:6:7:8:9:0:a:b:c:d:e:f:g:h:i:j:k:l:m:n:o:p:q:r:s:t:u:v:w:x:y:z:1:2:3:4:5:6:7:8:9:0:a:b:c:d:e:f:g:h:i:j:k:l:m:n:o:p:q:r:s:t:u:v:w:x:y:z:1:2:3:4:5:6:7:8:9:0:a:b:c:d:e:f:g:h:i:j:k:l:m:n:o:p:q:r:s:t:u:v:w:x:y:z:1:2:3:4:5:6:7:8:9:0'", "limit-exceeded", Some(1), 1, 22),
        // A line break inside a segment, also right after the release character.
        (
            "UNB+UNOC:3+A+B+1:2+R\r\n'UNZ+0+R'",
            "invalid-value",
            Some(0),
            1,
            21,
        ),
        (
            "UNB+UNOC:3+A+B+1:2+R'\nUNZ+0+?\nR'",
            "invalid-value",
            Some(1),
            2,
            8,
        ),
        ("UNH+1+X'", "unexpected-segment", Some(0), 1, 1),
        ("UNB+UNOC:3+A+B+1:2+R'", "missing-segment", None, 1, 22),
        (
            "UNB+UNOC:3+A+B+1:2+R'UNH+1+X'UNT+3+1'UNZ+1+R'",
            "control-count",
            Some(2),
            1,
            30,
        ),
        (
            "UNB+UNOC:3+A+B+1:2+R'UNH+1+X'UNT+2+9'UNZ+1+R'",
            "control-reference",
            Some(2),
            1,
            30,
        ),
        (
            "UNB+UNOC:3+A+B+1:2+R'UNZ+0+Q'",
            "control-reference",
            Some(1),
            1,
            22,
        ),
        (
            "UNB+UNOC:3+A+B+1:2+R'UNZ+0+R'UNZ+0+R'",
            "trailing-content",
            Some(2),
            1,
            30,
        ),
        (
            "UNB+UNOC:3+A+B+1:2+R'UNH+1+X'UNZ+0+R'",
            "unexpected-segment",
            Some(2),
            1,
            30,
        ),
        (
            "UNB+UNOC:3+A+B+1:2+R'FTX+A?",
            "unterminated-segment",
            Some(1),
            1,
            22,
        ),
    ];

    #[test]
    fn errors_have_kind_and_location() {
        let layout = ReadOptions::default()
            .with_line_breaks(LineBreaks::Layout)
            .with_max_segment_values(200);
        for (input, code, segment, line, column) in ERRORS {
            let err = read_with_options(input.as_bytes(), &layout).unwrap_err();
            assert_eq!(err.kind().code(), *code, "{input}");
            assert_eq!(err.segment(), *segment, "{input}");
            let p = err.position().unwrap();
            assert_eq!((p.line, p.column), (*line, *column), "{input}");
        }
    }

    #[test]
    fn custom_una_and_release() {
        let i = read(b"UNA|*,# !UNB*UNOC|3*A*B*1|2*R!UNH*1*X!FTX*a#*b#|c##d#!!UNT*3*1!UNZ*1*R!")
            .unwrap();
        assert_eq!(i.messages()[0].body()[0].component(1, 1), "a*b|c#d!");
    }

    #[test]
    fn latin1_bytes_become_characters() {
        let i = read(b"UNB+UNOC:3+A+B+1:2+R'UNH+1+X'NAD+HILLER\xd8D'UNT+3+1'UNZ+1+R'").unwrap();
        assert_eq!(i.messages()[0].body()[0].component(1, 1), "HILLERØD");
    }

    #[test]
    fn utf8_when_declared() {
        let i =
            read("UNB+UNOW:3+A+B+1:2+R'UNH+1+X'NAD+HILLERØD'UNT+3+1'UNZ+1+R'".as_bytes()).unwrap();
        assert_eq!(i.messages()[0].body()[0].component(1, 1), "HILLERØD");
    }

    #[test]
    fn trailing_empties_are_dropped() {
        let (_, s) = read_segments(b"NAD+A:::+B++'").unwrap();
        assert_eq!(s[0], Segment::new("NAD", [vec!["A"], vec!["B"]]));
    }
}
