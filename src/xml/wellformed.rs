//! Well-formedness checks that quick-xml leaves to its caller: the character set, the XML
//! declaration, processing-instruction targets, `]]>` in text and names.

/// Finds the first byte offset whose character is not an XML 1.0 `Char`.
///
/// In valid UTF-8 the only non-`Char`s are the C0 controls other than tab, line feed and
/// carriage return (one byte each) and U+FFFE / U+FFFF (`EF BF BE`, `EF BF BF`).
pub(crate) fn first_non_char(input: &str) -> Option<usize> {
    let b = input.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x20 {
            if !matches!(c, b'\t' | b'\n' | b'\r') {
                return Some(i);
            }
        } else if c == 0xEF
            && b.get(i + 1) == Some(&0xBF)
            && matches!(b.get(i + 2), Some(0xBE | 0xBF))
        {
            return Some(i);
        }
        i += 1;
    }
    None
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
    fn characters() {
        assert_eq!(first_non_char("ab\u{1}"), Some(2));
        assert_eq!(first_non_char("a\u{FFFE}"), Some(1));
        assert_eq!(first_non_char("a\tb\r\nç\u{FFFD}"), None);
    }
}
