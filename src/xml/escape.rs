//! Unescaping of attribute values and escaping for the writer.

use std::borrow::Cow;

use crate::words;

/// Why an attribute value could not be unescaped; the offset is relative to the value start.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum UnescapeError {
    /// `&name;` with a name that is not predefined.
    UnknownEntity(usize, String),
    /// `&` without a well-formed reference, or a character reference to a non-XML character.
    BadReference(usize),
    /// A literal `<` in an attribute value.
    LessThan(usize),
    /// A character outside XML's `Char` production (a control character, U+FFFE or U+FFFF).
    NotChar(usize),
}

/// The character a predefined entity stands for.
fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

/// Whether `c` is an XML 1.0 `Char`.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Resolves the body of a reference (`#x41`, `#65`, `amp`).
pub(crate) fn resolve_reference(body: &str) -> Result<char, Option<String>> {
    if let Some(num) = body.strip_prefix('#') {
        let code = if let Some(hex) = num.strip_prefix('x') {
            if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(None);
            }
            u32::from_str_radix(hex, 16).ok()
        } else {
            if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
                return Err(None);
            }
            num.parse::<u32>().ok()
        };
        return code
            .and_then(char::from_u32)
            .filter(|&c| is_xml_char(c))
            .ok_or(None);
    }
    predefined(body).ok_or_else(|| Some(body.to_owned()))
}

/// Bytes that make an attribute value need work: references, `<`, the whitespace that
/// attribute-value normalization turns into spaces, the other control characters (not allowed
/// in XML) and the lead byte of U+FFFE/U+FFFF. The reader checks characters here rather than
/// in a separate pass over the whole document.
static ATTRIBUTE_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        table[c] = true;
        c += 1;
    }
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[0xEF] = true;
    table
};

/// The first byte of an attribute value that needs work. Values are mostly short codes, ids
/// and URLs with nothing to do: skip them a word at a time.
fn first_attribute_special(bytes: &[u8]) -> Option<usize> {
    let i = words::skip_clean(bytes, 0, |x| {
        words::below(x, 0x20)
            | words::equal(x, b'&')
            | words::equal(x, b'<')
            | words::equal(x, 0xEF)
    });
    bytes[i..]
        .iter()
        .position(|&b| ATTRIBUTE_SPECIAL[usize::from(b)])
        .map(|p| i + p)
}

/// Unescapes an attribute value and applies XML attribute-value normalization (each literal
/// tab, line feed, carriage return or CR LF pair becomes one space; characters given by
/// reference are kept). Borrows when nothing changes.
pub(crate) fn unescape_attribute(raw: &str) -> Result<Cow<'_, str>, UnescapeError> {
    let bytes = raw.as_bytes();
    let Some(first) = first_attribute_special(bytes) else {
        return Ok(Cow::Borrowed(raw));
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..first]);
    let mut i = first;
    while i < bytes.len() {
        match bytes[i] {
            b'&' => {
                let end = raw[i..]
                    .find(';')
                    .map(|e| i + e)
                    .ok_or(UnescapeError::BadReference(i))?;
                let body = &raw[i + 1..end];
                match resolve_reference(body) {
                    Ok(c) => out.push(c),
                    Err(Some(name)) if is_name(&name) => {
                        return Err(UnescapeError::UnknownEntity(i, name))
                    }
                    Err(_) => return Err(UnescapeError::BadReference(i)),
                }
                i = end + 1;
            }
            b'<' => return Err(UnescapeError::LessThan(i)),
            b'\r' => {
                out.push(' ');
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
            }
            b'\t' | b'\n' => {
                out.push(' ');
                i += 1;
            }
            c if c < 0x20 => return Err(UnescapeError::NotChar(i)),
            0xEF => {
                if bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
                {
                    return Err(UnescapeError::NotChar(i));
                }
                // Any other three-byte character starting with 0xEF.
                let end = (i + 3).min(bytes.len());
                out.push_str(raw.get(i..end).ok_or(UnescapeError::NotChar(i))?);
                i = end;
            }
            _ => {
                let next = bytes[i..]
                    .iter()
                    .position(|&b| ATTRIBUTE_SPECIAL[usize::from(b)])
                    .map_or(bytes.len(), |e| i + e);
                out.push_str(&raw[i..next]);
                i = next;
            }
        }
    }
    Ok(Cow::Owned(out))
}

/// Whether `c` may start an XML name.
pub(crate) fn is_name_start(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// Whether `c` may continue an XML name.
pub(crate) fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// ASCII bytes that may continue a name.
static ASCII_NAME_BYTE: [bool; 256] = {
    let mut table = ASCII_NCNAME_BYTE;
    table[b':' as usize] = true;
    table
};

/// ASCII bytes that may continue a name without a namespace prefix (an `NCName`).
static ASCII_NCNAME_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        table[c] = b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
        c += 1;
    }
    table
};

/// Prefix and local part of an all-ASCII qualified name, checked in one pass; `None` for
/// anything else (non-ASCII, invalid, or not a valid `QName`), which the caller then checks in
/// full for the right error.
pub(crate) fn ascii_qname(s: &str) -> Option<(&str, &str)> {
    match scan_ascii_qname(s.as_bytes()) {
        (len, Some(colon)) if len == s.len() => Some(split_at_colon(s, colon)),
        _ => None,
    }
}

/// The run of ASCII name bytes at the start of `b`: its length, and whether it is a valid
/// `QName` (`Some` of its colon's index, 0 for none).
pub(crate) fn scan_ascii_qname(b: &[u8]) -> (usize, Option<usize>) {
    // The parts either side of a colon go through a loop that tests one table per byte; the
    // colon, if any, ends the first.
    let prefix_end = ncname_run(b, 0);
    let starts_well = b
        .first()
        .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_');
    if b.get(prefix_end) != Some(&b':') {
        return (prefix_end, starts_well.then_some(0));
    }
    let local_end = ncname_run(b, prefix_end + 1);
    if b.get(local_end) == Some(&b':') {
        // A second colon: not a `QName`, though the name goes on.
        let mut len = local_end;
        while b.get(len).is_some_and(|&c| ASCII_NAME_BYTE[usize::from(c)]) {
            len += 1;
        }
        return (len, None);
    }
    let local_starts_well = b
        .get(prefix_end + 1)
        .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_');
    let valid = starts_well && local_starts_well;
    (local_end, valid.then_some(prefix_end))
}

/// Where the run of ASCII name bytes other than `:` that starts at `from` ends.
fn ncname_run(b: &[u8], from: usize) -> usize {
    let mut i = from;
    while b.get(i).is_some_and(|&c| ASCII_NCNAME_BYTE[usize::from(c)]) {
        i += 1;
    }
    i
}

/// Prefix and local part of a name whose colon is at `colon` (0 for none).
pub(crate) fn split_at_colon(s: &str, colon: usize) -> (&str, &str) {
    if colon == 0 {
        ("", s)
    } else {
        (&s[..colon], &s[colon + 1..])
    }
}

/// Whether `s` is an XML `Name`.
pub(crate) fn is_name(s: &str) -> bool {
    let b = s.as_bytes();
    // ASCII fast path: nearly every name in a FHIR message.
    if let Some((&first, rest)) = b.split_first() {
        if (first.is_ascii_alphabetic() || first == b'_' || first == b':')
            && rest.iter().all(|&c| ASCII_NAME_BYTE[usize::from(c)])
        {
            return true;
        }
        if b.is_ascii() {
            return false;
        }
    }
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

/// Appends `s` escaped for a double-quoted attribute value; line breaks and tabs become
/// character references so they survive attribute-value normalization.
pub(crate) fn escape_attribute(s: &str, out: &mut String) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\n' => "&#xA;",
            b'\r' => "&#xD;",
            b'\t' => "&#x9;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_qualified_names_agree_with_the_general_checks() {
        // One line per name: what the one-pass check answers.
        for (name, parts) in [
            ("Patient", Some(("", "Patient"))),
            ("x:div", Some(("x", "div"))),
            ("a-b.c_d9", Some(("", "a-b.c_d9"))),
            (":a", None),
            ("a:", None),
            ("a:b:c", None),
            ("p:1a", None),
            ("p:-a", None),
            ("1a", None),
            ("-a", None),
            ("a b", None),
            ("", None),
            ("æble", None),
        ] {
            assert_eq!(ascii_qname(name), parts, "{name}");
            if let Some(parts) = parts {
                assert!(is_name(name));
                assert_eq!(crate::xml::wellformed::split_qname(name), Some(parts));
            }
        }
        // The fallback still accepts what the fast path leaves to it.
        assert!(is_name("æble") && is_name(":a"));
    }

    #[test]
    fn qualified_name_runs_agree_with_the_general_checks() {
        // Short strings over the bytes that matter (name bytes, colons, terminators, non-ASCII).
        let alphabet = [b'a', b'Z', b'9', b':', b'-', b' ', b'>', b'/', 0xC3, 0xA6];
        let mut text = Vec::new();
        for seed in 0u64..20_000 {
            text.clear();
            let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            let len = (seed % 21) as usize;
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Mostly name bytes, so that runs get long.
                let pick = (state % 16) as usize;
                text.push(if pick < 10 { alphabet[pick] } else { b'q' });
            }
            let naive_len = text
                .iter()
                .take_while(|&&c| ASCII_NAME_BYTE[usize::from(c)])
                .count();
            let naive_qname = std::str::from_utf8(&text[..naive_len])
                .ok()
                .and_then(|name| {
                    let first_ok = name.starts_with(|c: char| c.is_ascii_alphabetic());
                    let parts = crate::xml::wellformed::split_qname(name);
                    (first_ok && is_name(name)).then_some(parts).flatten()
                })
                .map(|(prefix, _)| if prefix.is_empty() { 0 } else { prefix.len() });
            assert_eq!(
                scan_ascii_qname(&text),
                (naive_len, naive_qname),
                "{text:?}"
            );
        }
    }

    #[test]
    fn unescapes_and_normalizes() {
        assert!(matches!(
            unescape_attribute("plain"),
            Ok(Cow::Borrowed("plain"))
        ));
        assert_eq!(unescape_attribute("a&amp;b&#xA;c").unwrap(), "a&b\nc");
        assert_eq!(unescape_attribute("a\r\nb\tc").unwrap(), "a b c");
        assert_eq!(unescape_attribute("&#65;&#x42;").unwrap(), "AB");
        // Characters outside XML's Char production, and their neighbours that are fine: one
        // line per case (value, offset of the culprit or the unescaped text).
        for (raw, expected) in [
            ("ab\u{1}", Err(UnescapeError::NotChar(2))),
            ("0123456789\u{FFFF}", Err(UnescapeError::NotChar(10))),
            ("a\u{FFFE}&amp;", Err(UnescapeError::NotChar(1))),
            (
                "0123456789\u{F000}\u{FFFD}",
                Ok("0123456789\u{F000}\u{FFFD}"),
            ),
            ("\u{FFFD}&amp;\u{EFFF}", Ok("\u{FFFD}&\u{EFFF}")),
        ] {
            assert_eq!(
                unescape_attribute(raw).as_deref(),
                expected.as_deref(),
                "{raw:?}"
            );
        }
        assert_eq!(
            unescape_attribute("x&nbsp;"),
            Err(UnescapeError::UnknownEntity(1, "nbsp".into()))
        );
        assert_eq!(
            unescape_attribute("a&b"),
            Err(UnescapeError::BadReference(1))
        );
        assert_eq!(
            unescape_attribute("&#0;"),
            Err(UnescapeError::BadReference(0))
        );
        assert_eq!(unescape_attribute("a<"), Err(UnescapeError::LessThan(1)));
    }

    #[test]
    fn escape_round_trips() {
        let mut out = String::new();
        escape_attribute("a&<>\"\n\r\tb", &mut out);
        assert_eq!(out, "a&amp;&lt;&gt;&quot;&#xA;&#xD;&#x9;b");
        assert_eq!(unescape_attribute(&out).unwrap(), "a&<>\"\n\r\tb");
    }
}
