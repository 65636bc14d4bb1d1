//! Well-formedness checks that quick-xml leaves to its caller: the character set, the XML
//! declaration, processing-instruction targets, `]]>` in text and names, and the namespace
//! constraints on qualified names and declarations.

use crate::words::{first_not, word};

/// The namespace the `xml` prefix is bound to.
pub(crate) const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of `xmlns` attributes, which no prefix may be bound to.
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// Splits a `QName` into prefix (empty when there is none) and local part; `None` when the
/// name has more than one colon, an empty prefix, or a local part that does not start an
/// `NCName` (empty, or a digit, `-`, `.` or combining character first).
pub(crate) fn split_qname(qname: &str) -> Option<(&str, &str)> {
    // Byte search: names are short and ASCII, where `str::split_once(char)` costs more.
    let b = qname.as_bytes();
    match b.iter().position(|&c| c == b':') {
        None => Some(("", qname)),
        Some(i) => {
            let (prefix, local) = (&qname[..i], &qname[i + 1..]);
            let ok = !prefix.is_empty()
                && local
                    .chars()
                    .next()
                    .is_some_and(|c| c != ':' && super::escape::is_name_start(c))
                && !local.as_bytes().contains(&b':');
            ok.then_some((prefix, local))
        }
    }
}

/// Checks a namespace declaration: `xmlns` (`prefix` is `None`) or `xmlns:prefix`.
pub(crate) fn check_namespace_declaration(
    prefix: Option<&str>,
    uri: &str,
) -> Result<(), &'static str> {
    match prefix {
        Some(p) if p.is_empty() || p.contains(':') => Err("malformed namespace prefix"),
        Some("xmlns") => Err("the 'xmlns' prefix cannot be declared"),
        Some("xml") if uri != XML_NS => {
            Err("the 'xml' prefix cannot be bound to another namespace")
        }
        Some("xml") => Ok(()),
        Some(_) if uri.is_empty() => Err("a prefix cannot be undeclared"),
        _ if uri == XML_NS || uri == XMLNS_NS => {
            Err("the xml and xmlns namespaces cannot be bound to another prefix")
        }
        _ => Ok(()),
    }
}

/// Finds the first byte offset whose character is not an XML 1.0 `Char`.
///
/// In valid UTF-8 the only non-`Char`s are the C0 controls other than tab, line feed and
/// carriage return (one byte each) and U+FFFE / U+FFFF (`EF BF BE`, `EF BF BF`).
pub(crate) fn first_non_char(input: &str) -> Option<usize> {
    first_non_char_in(input.as_bytes())
}

/// As [`first_non_char`] for a slice of a document.
pub(crate) fn first_non_char_in(b: &[u8]) -> Option<usize> {
    // Fast path: fixed 32-byte blocks folded as bytes, not bools, so the compiler keeps them in
    // vector registers; only a block that may hold a culprit is looked at byte by byte.
    // Suspicious: controls other than tab (09), line feed (0A) and carriage return (0D), and
    // the lead byte of U+FFFE/U+FFFF.
    let suspicious = |c: u8| {
        u8::from(c < 0x09)
            | u8::from(c.wrapping_sub(0x0B) < 2)
            | u8::from(c.wrapping_sub(0x0E) < 0x12)
            | u8::from(c == 0xEF)
    };
    let mut blocks = b.chunks_exact(32);
    let mut start = 0;
    for block in &mut blocks {
        let mut acc = 0u8;
        for &c in block {
            acc |= suspicious(c);
        }
        if acc != 0 {
            if let Some(at) = culprit(b, start, start + 32) {
                return Some(at);
            }
        }
        start += 32;
    }
    culprit(b, start, b.len())
}

/// As [`first_non_char`] for text known to hold no control characters: only U+FFFE and U+FFFF
/// are left to find, by their lead byte.
pub(crate) fn first_noncharacter(input: &str) -> Option<usize> {
    let b = input.as_bytes();
    let mut from = 0;
    while let Some(at) = b.get(from..).and_then(|rest| memchr::memchr(0xEF, rest)) {
        let i = from + at;
        if b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)) {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

/// The first non-`Char` in `b[from..to]` (a U+FFFE/U+FFFF sequence may run past `to`).
fn culprit(b: &[u8], from: usize, to: usize) -> Option<usize> {
    (from..to).find(|&i| match b[i] {
        c if c < 0x20 => !matches!(c, b'\t' | b'\n' | b'\r'),
        0xEF => b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)),
        _ => false,
    })
}

/// XML's `S` production, one byte.
pub(super) fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The first byte at or after `i` that is not XML whitespace. Whitespace between FHIR elements is
/// indentation: line breaks and runs of spaces, which go a word at a time.
pub(super) fn skip_xml_space(b: &[u8], mut i: usize) -> usize {
    while let Some(x) = word(b, i) {
        match first_not(x, b' ') {
            None => i += 8,
            Some(n) => {
                i += n;
                if !b.get(i).is_some_and(|&c| is_xml_space(c)) {
                    return i;
                }
                i += 1;
            }
        }
    }
    while b.get(i).is_some_and(|&c| is_xml_space(c)) {
        i += 1;
    }
    i
}

fn skip_space(s: &str) -> &str {
    s.trim_start_matches([' ', '\t', '\r', '\n'])
}

/// Parses `name = "value"` at the start of `s` (after required whitespace was consumed).
fn pseudo_attribute(s: &str) -> Option<(&str, &str, &str)> {
    let name_end = s.find(|c: char| !c.is_ascii_alphanumeric())?;
    let (name, rest) = s.split_at(name_end);
    let rest = skip_space(rest).strip_prefix('=')?;
    let rest = skip_space(rest);
    let quote = rest.chars().next().filter(|&q| q == '"' || q == '\'')?;
    let rest = &rest[1..];
    let end = rest.find(quote)?;
    Some((name, &rest[..end], &rest[end + 1..]))
}

/// Checks the content of an XML declaration (what lies between `<?xml` and `?>`).
pub(crate) fn check_declaration(content: &str) -> Result<(), &'static str> {
    let mut rest = content;
    let mut seen = 0; // 0: nothing, 1: version, 2: encoding, 3: standalone
    loop {
        let trimmed = skip_space(rest);
        if trimmed.is_empty() {
            break;
        }
        if trimmed.len() == rest.len() {
            return Err("whitespace required between declaration attributes");
        }
        let (name, value, after) =
            pseudo_attribute(trimmed).ok_or("malformed XML declaration attribute")?;
        match name {
            "version" if seen == 0 => {
                let ok = value
                    .strip_prefix("1.")
                    .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
                if !ok {
                    return Err("version must be 1.x");
                }
                seen = 1;
            }
            "encoding" if seen == 1 => {
                let mut chars = value.chars();
                let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                    && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
                if !ok {
                    return Err("malformed encoding name");
                }
                if !matches!(
                    value.to_ascii_lowercase().as_str(),
                    "utf-8" | "utf8" | "us-ascii" | "ascii"
                ) {
                    return Err("only UTF-8 input is supported");
                }
                seen = 2;
            }
            "standalone" if (1..=2).contains(&seen) => {
                if value != "yes" && value != "no" {
                    return Err("standalone must be 'yes' or 'no'");
                }
                seen = 3;
            }
            _ => return Err("unexpected or misplaced attribute in the XML declaration"),
        }
        rest = after;
    }
    if seen == 0 {
        return Err("the XML declaration needs a version");
    }
    Ok(())
}

/// Checks a processing instruction's content (`target data`).
pub(crate) fn check_processing_instruction(content: &str) -> Result<(), &'static str> {
    let end = content
        .find([' ', '\t', '\r', '\n'])
        .unwrap_or(content.len());
    let target = &content[..end];
    if !super::escape::is_name(target) || target.contains(':') {
        return Err("processing instruction target is not a name");
    }
    if target.eq_ignore_ascii_case("xml") {
        return Err("an XML declaration is allowed only at the start of the document");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_skipped_to_the_first_other_byte() {
        let cases: &[(&str, usize, usize)] = &[
            ("", 0, 0),
            ("<a>", 0, 0),
            ("\n    <a>", 0, 5),
            ("\r\n\t        \n                  x", 0, 30),
            ("        ", 0, 8),
            ("  ", 1, 2),
            ("\n \t \r        <", 0, 13),
            ("a  \u{a0}", 1, 3),
        ];
        for &(text, from, expected) in cases {
            assert_eq!(skip_xml_space(text.as_bytes(), from), expected, "{text:?}");
        }
    }

    #[test]
    fn declarations() {
        assert!(check_declaration(" version=\"1.0\"").is_ok());
        assert!(check_declaration(" version='1.0' encoding='UTF-8' standalone='yes' ").is_ok());
        assert!(check_declaration(" encoding=\"UTF-8\" version=\"1.0\"").is_err());
        assert!(check_declaration(" version=\"1.0\"encoding=\"UTF-8\"").is_err());
        assert!(check_declaration(" version=\"2.0\"").is_err());
        assert!(check_declaration(" version=\"1.0\" standalone=\"maybe\"").is_err());
        assert!(check_declaration("").is_err());
    }

    #[test]
    fn namespace_declarations() {
        let cases: &[(Option<&str>, &str, bool)] = &[
            (None, "http://hl7.org/fhir", true),
            (None, "", true),
            (Some("f"), "http://hl7.org/fhir", true),
            (Some("xml"), XML_NS, true),
            (Some(""), "urn:x", false),
            (Some("f"), "", false),
            (Some("xml"), "urn:x", false),
            (Some("xmlns"), XMLNS_NS, false),
            (Some("y"), XML_NS, false),
            (Some("y"), XMLNS_NS, false),
            (None, XML_NS, false),
            (None, XMLNS_NS, false),
        ];
        for &(prefix, uri, ok) in cases {
            assert_eq!(
                check_namespace_declaration(prefix, uri).is_ok(),
                ok,
                "{prefix:?} {uri}"
            );
        }
    }

    #[test]
    fn qualified_names() {
        assert_eq!(split_qname("a"), Some(("", "a")));
        assert_eq!(split_qname("p:a"), Some(("p", "a")));
        for bad in [":a", "a:", "a:b:c", "p:1a", "p:-a", "p:.a", "p:\u{300}a"] {
            assert_eq!(split_qname(bad), None, "{bad}");
        }
    }

    #[test]
    fn characters() {
        assert_eq!(first_non_char("ab\u{1}"), Some(2));
        assert_eq!(first_non_char("a\u{FFFE}"), Some(1));
        assert_eq!(first_non_char("a\tb\r\nç\u{FFFD}"), None);
        // Every control and U+FFFE/U+FFFF at every position around the 32-byte blocks.
        for at in [0, 30, 31, 32, 33, 63, 64, 70] {
            let pad = |n: usize| "x".repeat(n);
            for c in (0u8..0x20).filter(|c| !matches!(c, 9 | 10 | 13)) {
                let s = format!("{}{}{}", pad(at), char::from(c), pad(40));
                assert_eq!(first_non_char(&s), Some(at), "{c:#x} at {at}");
            }
            for c in ['\u{FFFE}', '\u{FFFF}'] {
                let s = format!("{}{c}{}", pad(at), pad(3));
                assert_eq!(first_non_char(&s), Some(at), "{c:?} at {at}");
                assert_eq!(first_noncharacter(&s), Some(at), "{c:?} at {at}");
            }
            let fine = format!("{}\t\n\r\u{FFFD}\u{EFFF}{}", pad(at), pad(40));
            assert_eq!(first_non_char(&fine), None);
            assert_eq!(first_noncharacter(&fine), None);
        }
    }
}
