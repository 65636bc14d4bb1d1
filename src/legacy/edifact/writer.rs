//! The EDIFACT writer: segments → bytes in the interchange's character set.

use super::{Charset, Delimiters, Interchange, Segment};
use crate::legacy::{LegacyError, LegacyErrorKind};

/// Options for the EDIFACT writer.
///
/// # Examples
///
/// ```
/// let options = medcom::legacy::edifact::WriteOptions::default().with_line_breaks(false);
/// assert!(!options.line_breaks);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriteOptions {
    /// Write a line feed after every segment terminator (as MedCom's examples do; readers
    /// ignore it). Default: true.
    pub line_breaks: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        Self { line_breaks: true }
    }
}

impl WriteOptions {
    /// Sets [`Self::line_breaks`].
    #[must_use]
    pub fn with_line_breaks(mut self, on: bool) -> Self {
        self.line_breaks = on;
        self
    }
}

/// Writes an interchange with the default options, in the character set its UNB declares.
///
/// # Errors
///
/// [`LegacyErrorKind::UnrepresentableCharacter`] when a value holds a character outside
/// ISO 8859-1 in a UNOA/UNOB/UNOC interchange, or [`LegacyErrorKind::UnsupportedSyntax`].
///
/// # Examples
///
/// ```
/// use medcom::legacy::edifact::{self, Interchange, Segment};
/// let unb = Segment::new("UNB", [vec!["UNOC", "3"], vec!["A"], vec!["B"], vec!["990115", "1202"], vec!["R"]]);
/// let bytes = edifact::write(&Interchange::new(unb, vec![])).unwrap();
/// assert_eq!(bytes, b"UNA:+.? '\nUNB+UNOC:3+A+B+990115:1202+R'\nUNZ+0+R'\n");
/// ```
pub fn write(interchange: &Interchange) -> Result<Vec<u8>, LegacyError> {
    write_with_options(interchange, &WriteOptions::default())
}

/// Writes an interchange.
///
/// # Errors
///
/// As [`write()`].
///
/// # Examples
///
/// ```
/// use medcom::legacy::edifact::{self, WriteOptions};
/// let i = edifact::read(b"UNB+UNOC:3+A+B+1:2+R'UNZ+0+R'").unwrap();
/// let bytes = edifact::write_with_options(&i, &WriteOptions::default().with_line_breaks(false)).unwrap();
/// assert_eq!(bytes, b"UNB+UNOC:3+A+B+1:2+R'UNZ+0+R'");
/// ```
pub fn write_with_options(
    interchange: &Interchange,
    options: &WriteOptions,
) -> Result<Vec<u8>, LegacyError> {
    let syntax = interchange.header().component(1, 1);
    let charset = Charset::from_syntax(syntax).ok_or_else(|| {
        LegacyError::new(LegacyErrorKind::UnsupportedSyntax {
            identifier: syntax.to_owned(),
        })
    })?;
    let d = interchange.delimiters();
    let mut out = Vec::new();
    if interchange.has_una() {
        out.extend_from_slice(b"UNA");
        out.extend_from_slice(&[
            d.component,
            d.element,
            d.decimal,
            d.release,
            b' ',
            d.segment,
        ]);
        if options.line_breaks {
            out.push(b'\n');
        }
    }
    for (n, s) in interchange.segments().enumerate() {
        write_segment(&mut out, s, &d, charset).map_err(|e| e.with_segment(n))?;
        if options.line_breaks {
            out.push(b'\n');
        }
    }
    Ok(out)
}

/// Writes loose segments (no UNA), each followed by the terminator and, if asked, a line feed.
///
/// # Errors
///
/// [`LegacyErrorKind::UnrepresentableCharacter`] as for [`write()`].
///
/// # Examples
///
/// ```
/// use medcom::legacy::edifact::{write_segments, Charset, Delimiters, Segment, WriteOptions};
/// let s = Segment::new("FTX", [vec!["NC"], vec!["P00"], vec![], vec!["1+1=2", "ja?"]]);
/// let bytes = write_segments(&[s], &Delimiters::default(), Charset::Latin1, &WriteOptions::default()).unwrap();
/// assert_eq!(bytes, b"FTX+NC+P00++1?+1=2:ja??'\n");
/// ```
pub fn write_segments(
    segments: &[Segment],
    delimiters: &Delimiters,
    charset: Charset,
    options: &WriteOptions,
) -> Result<Vec<u8>, LegacyError> {
    let mut out = Vec::new();
    for (n, s) in segments.iter().enumerate() {
        write_segment(&mut out, s, delimiters, charset).map_err(|e| e.with_segment(n))?;
        if options.line_breaks {
            out.push(b'\n');
        }
    }
    Ok(out)
}

fn write_segment(
    out: &mut Vec<u8>,
    s: &Segment,
    d: &Delimiters,
    charset: Charset,
) -> Result<(), LegacyError> {
    write_value(out, s.tag(), d, charset)?;
    for e in s.elements() {
        out.push(d.element);
        for (n, c) in e.iter().enumerate() {
            if n > 0 {
                out.push(d.component);
            }
            write_value(out, c, d, charset)?;
        }
    }
    out.push(d.segment);
    if let Some(object) = s.object() {
        out.extend_from_slice(object);
    }
    Ok(())
}

fn write_value(
    out: &mut Vec<u8>,
    value: &str,
    d: &Delimiters,
    charset: Charset,
) -> Result<(), LegacyError> {
    let mut buf = [0u8; 4];
    for c in value.chars() {
        let bytes: &[u8] = match charset {
            Charset::Latin1 => {
                let b = u8::try_from(u32::from(c))
                    .map_err(|_| LegacyError::new(LegacyErrorKind::UnrepresentableCharacter))?;
                buf[0] = b;
                &buf[..1]
            }
            Charset::Utf8 => c.encode_utf8(&mut buf).as_bytes(),
        };
        if let [b] = bytes {
            if d.is_special(*b) {
                out.push(d.release);
            }
        }
        out.extend_from_slice(bytes);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unrepresentable_is_an_error() {
        let unb = Segment::new(
            "UNB",
            [
                vec!["UNOC", "3"],
                vec!["€"],
                vec!["B"],
                vec!["1", "2"],
                vec!["R"],
            ],
        );
        let err = write(&Interchange::new(unb, vec![])).unwrap_err();
        assert_eq!(err.kind().code(), "unrepresentable-character");
        assert_eq!(err.segment(), Some(0));
    }
}
