//! Bytes to text for legacy XML: UTF-8 by default, ISO-8859-1 and windows-1252 when the XML
//! declaration says so (MedCom's own test messages are windows-1252, the SBDH sample is
//! ISO-8859-1).

use std::borrow::Cow;
use std::fmt;

/// windows-1252 characters for the bytes 0x80–0x9F (the five unassigned bytes map to the C1
/// controls, as the WHATWG encoding standard does).
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}',
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}', '\u{178}',
];

/// Why bytes could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// Invalid UTF-8 at this byte offset (from 0).
    InvalidUtf8 {
        /// Offset of the first bad byte.
        byte: usize,
    },
    /// The declaration names an encoding this reader does not decode.
    UnsupportedEncoding {
        /// The declared name.
        name: String,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidUtf8 { byte } => write!(f, "invalid UTF-8 at byte {byte}"),
            Self::UnsupportedEncoding { name } => write!(f, "unsupported encoding '{name}'"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// The encoding named in an XML declaration, if any.
fn declared(bytes: &[u8]) -> Option<&str> {
    let head = bytes.get(..bytes.len().min(256))?;
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(head.get(..end)?).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl.get(at + "encoding".len()..)?.trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let rest = &rest[1..];
    rest.find(quote).map(|e| &rest[..e])
}

/// Decodes a legacy XML document to text, by its declared encoding (UTF-8 when none is
/// declared; a UTF-8 byte order mark is dropped).
///
/// # Errors
///
/// [`DecodeError::InvalidUtf8`] for bad UTF-8, [`DecodeError::UnsupportedEncoding`] for an
/// encoding other than UTF-8, US-ASCII, ISO-8859-1 and windows-1252.
///
/// # Examples
///
/// ```
/// let bytes = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe6\xf8\xe5</a>";
/// let text = medcom::legacy::schema::decode(bytes).unwrap();
/// assert!(text.ends_with("<a>æøå</a>"));
/// let bytes = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><a>\x80</a>";
/// assert!(medcom::legacy::schema::decode(bytes).unwrap().ends_with("<a>€</a>"));
/// ```
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, DecodeError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let name = declared(bytes).map(str::to_ascii_lowercase);
    match name.as_deref() {
        None | Some("utf-8" | "utf8" | "us-ascii" | "ascii") => std::str::from_utf8(bytes)
            .map(Cow::Borrowed)
            .map_err(|e| DecodeError::InvalidUtf8 {
                byte: e.valid_up_to(),
            }),
        Some("iso-8859-1" | "iso8859-1" | "latin1" | "iso_8859-1" | "l1") => {
            Ok(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()))
        }
        Some("windows-1252" | "cp1252") => Ok(Cow::Owned(
            bytes
                .iter()
                .map(|&b| match b {
                    0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
                    _ => char::from(b),
                })
                .collect(),
        )),
        Some(other) => Err(DecodeError::UnsupportedEncoding {
            name: other.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Input bytes, expected text or error.
    #[rustfmt::skip]
    const CASES: &[(&[u8], Result<&str, &str>)] = &[
        (b"<a/>", Ok("<a/>")),
        (b"\xEF\xBB\xBF<a/>", Ok("<a/>")),
        (b"<?xml version='1.0' encoding='latin1'?><a>\xC6</a>", Ok("<?xml version='1.0' encoding='latin1'?><a>\u{C6}</a>")),
        (b"<?xml version=\"1.0\" encoding=\"Windows-1252\"?>\x93\x94", Ok("<?xml version=\"1.0\" encoding=\"Windows-1252\"?>\u{201C}\u{201D}")),
        (b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\xff", Err("invalid UTF-8 at byte 38")),
        (b"<?xml version=\"1.0\" encoding=\"UTF-16\"?>", Err("unsupported encoding 'utf-16'")),
        (b"<?xml version=\"1.0\" encoding=", Ok("<?xml version=\"1.0\" encoding=")),
    ];

    #[test]
    fn cases() {
        for &(bytes, want) in CASES {
            let got = decode(bytes)
                .map(Cow::into_owned)
                .map_err(|e| e.to_string());
            assert_eq!(got.as_deref().map_err(String::as_str), want, "{bytes:?}");
        }
    }
}
