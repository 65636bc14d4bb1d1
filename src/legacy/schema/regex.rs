//! XSD `pattern` facets, translated to the `regex` crate's syntax.
//!
//! XSD regular expressions are always anchored, have no `^`/`$` anchors (both are plain
//! characters), let `.` exclude only line ends, and define `\s` as the four XML space
//! characters. The translation supports what the MedCom, VANSEnvelope and SBDH schemas use
//! (literals, classes with ranges and negation, groups, alternation, all quantifiers, `\d`,
//! `\D`, `\s`, `\S`, single-character escapes) and refuses the rest with an error:
//! `\i`, `\I`, `\c`, `\C`, `\w`, `\W`, `\p{..}`, `\P{..}` and character class subtraction.

use std::fmt;

use regex::Regex;

/// The alternatives of one `pattern` facet step, compiled as one anchored regex.
#[derive(Clone, Debug)]
pub(crate) struct XsdPattern(Regex);

impl XsdPattern {
    /// Compiles the XSD patterns of one restriction step (any may match).
    pub(crate) fn new(patterns: &[Box<str>]) -> Result<Self, PatternError> {
        let mut re = String::from(r"\A(?:");
        for (i, p) in patterns.iter().enumerate() {
            if i > 0 {
                re.push('|');
            }
            re.push_str("(?:");
            re.push_str(&translate(p)?);
            re.push(')');
        }
        re.push_str(r")\z");
        regex::RegexBuilder::new(&re)
            .size_limit(1 << 20)
            .build()
            .map(Self)
            .map_err(|e| PatternError::Regex(e.to_string()))
    }

    /// Whether the whole value matches one of the alternatives.
    pub(crate) fn is_match(&self, value: &str) -> bool {
        self.0.is_match(value)
    }
}

/// Why an XSD pattern cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PatternError {
    /// A construct the translation does not support.
    Unsupported(&'static str),
    /// Malformed pattern (unbalanced brackets, dangling escape, …) or too large a regex.
    Regex(String),
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unsupported(what) => write!(f, "unsupported XSD regex feature: {what}"),
            Self::Regex(e) => write!(f, "malformed XSD pattern: {e}"),
        }
    }
}

/// Translates one XSD pattern (unanchored output).
pub(crate) fn translate(xsd: &str) -> Result<String, PatternError> {
    let mut out = String::with_capacity(xsd.len() + 8);
    let mut chars = xsd.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let e = chars
                    .next()
                    .ok_or(PatternError::Regex("dangling `\\`".into()))?;
                escape(e, &mut out, false)?;
            }
            '.' => out.push_str(r"[^\n\r]"),
            '^' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '(' => out.push_str("(?:"),
            '[' => class(&mut chars, &mut out)?,
            ']' => return Err(PatternError::Regex("unbalanced `]`".into())),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Translates the escape `\e`, inside a character class or not.
fn escape(e: char, out: &mut String, in_class: bool) -> Result<(), PatternError> {
    match e {
        'n' => out.push_str(r"\n"),
        'r' => out.push_str(r"\r"),
        't' => out.push_str(r"\t"),
        'd' => out.push_str(r"\d"),
        'D' => out.push_str(r"\D"),
        // XSD `\s` is exactly space, tab, line feed and carriage return.
        's' if in_class => out.push_str(r" \t\n\r"),
        's' => out.push_str(r"[ \t\n\r]"),
        'S' if in_class => return Err(PatternError::Unsupported("`\\S` inside a class")),
        'S' => out.push_str(r"[^ \t\n\r]"),
        'i' | 'I' => return Err(PatternError::Unsupported("`\\i`/`\\I` (XML name start)")),
        'c' | 'C' => {
            return Err(PatternError::Unsupported(
                "`\\c`/`\\C` (XML name characters)",
            ))
        }
        'w' | 'W' => return Err(PatternError::Unsupported("`\\w`/`\\W`")),
        'p' | 'P' => return Err(PatternError::Unsupported("`\\p{..}`/`\\P{..}` categories")),
        '\\' | '|' | '.' | '?' | '*' | '+' | '(' | ')' | '{' | '}' | '-' | '[' | ']' | '^' => {
            out.push('\\');
            out.push(e);
        }
        _ => return Err(PatternError::Regex(format!("unknown escape `\\{e}`"))),
    }
    Ok(())
}

/// Translates a character class; the opening `[` is consumed.
fn class(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    out: &mut String,
) -> Result<(), PatternError> {
    out.push('[');
    if chars.peek() == Some(&'^') {
        chars.next();
        out.push('^');
    }
    let mut first = true;
    loop {
        let c = chars
            .next()
            .ok_or(PatternError::Regex("unclosed `[`".into()))?;
        match c {
            ']' if !first => break,
            '\\' => {
                let e = chars
                    .next()
                    .ok_or(PatternError::Regex("dangling `\\`".into()))?;
                escape(e, out, true)?;
            }
            '-' => match chars.peek() {
                Some('[') => return Err(PatternError::Unsupported("character class subtraction")),
                // A `-` at either end of the class is a literal.
                Some(']') => out.push_str(r"\-"),
                _ if first => out.push_str(r"\-"),
                _ => out.push('-'),
            },
            '[' => return Err(PatternError::Regex("unescaped `[` in a class".into())),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        first = false;
    }
    out.push(']');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// XSD pattern, value, expected match (every pattern the MedCom schemas use, plus edges).
    #[rustfmt::skip]
    const MATCHES: &[(&str, &str, bool)] = &[
        ("[0-9]{10}", "0101010227", true),
        ("[0-9]{10}", "010101022", false),
        ("[0-9]{10}", "01010102277", false),
        ("(([0-1][0-9])|(2[0-3])):[0-5][0-9]", "23:59", true),
        ("(([0-1][0-9])|(2[0-3])):[0-5][0-9]", "24:00", false),
        ("(([0-1][0-9])|(2[0-3])):[0-5][0-9]:[0-5][0-9]", "12:30:00", true),
        (r"\d{1,2}(\.\d)?", "12.5", true),
        (r"\d{1,2}(\.\d)?", "12,5", false),
        (r"\d+(\.\d{1,3})?", "7.125", true),
        ("[aA-fF0-9]{8}", "Ab09fFc1", true),
        ("[aA-fF0-9]{8}", "Ab09fFcg", false),
        (r"[0-9A-Fa-f]{8}\-[0-9A-Fa-f]{4}", "0123abcd-EF01", true),
        ("[^:Z]*", "2020-01-01", true),
        ("[^:Z]*", "2020-01-01Z", false),
        ("nytbrev", "nytbrev", true),
        ("nytbrev", "nytbrevx", false),
        ("a^b$", "a^b$", true),
        ("a.c", "abc", true),
        ("a.c", "a\nc", false),
        (r"\s", "\t", true),
        (r"\s", "\u{a0}", false),
        ("[-a]", "-", true),
        ("[a-]", "-", true),
        ("x|y", "y", true),
        ("((((0[1-9]|1[0-9]|2[0-9]|3[0-1])(01|03|05|07|08|10|12))|((0[1-9]|1[0-9]|2[0-9]|30)(04|06|09|11))|((0[1-9]|1[0-9]|2[0-9])(02)))[0-9]{6})|0000000000", "0000000000", true),
        ("((((0[1-9]|1[0-9]|2[0-9]|3[0-1])(01|03|05|07|08|10|12))|((0[1-9]|1[0-9]|2[0-9]|30)(04|06|09|11))|((0[1-9]|1[0-9]|2[0-9])(02)))[0-9]{6})|0000000000", "3102451234", false),
    ];

    #[test]
    fn matches() {
        for &(pattern, value, want) in MATCHES {
            let p = XsdPattern::new(&[pattern.into()]).unwrap_or_else(|e| panic!("{pattern}: {e}"));
            assert_eq!(p.is_match(value), want, "{pattern} ~ {value:?}");
        }
    }

    /// XSD patterns the translation refuses.
    #[rustfmt::skip]
    const REFUSED: &[(&str, &str)] = &[
        (r"\i\c*", "unsupported XSD regex feature: `\\i`/`\\I` (XML name start)"),
        (r"\c+", "unsupported XSD regex feature: `\\c`/`\\C` (XML name characters)"),
        (r"\w+", "unsupported XSD regex feature: `\\w`/`\\W`"),
        (r"\p{Lu}", "unsupported XSD regex feature: `\\p{..}`/`\\P{..}` categories"),
        (r"\p{IsBasicLatin}", "unsupported XSD regex feature: `\\p{..}`/`\\P{..}` categories"),
        ("[a-z-[aeiou]]", "unsupported XSD regex feature: character class subtraction"),
        (r"[\S]", "unsupported XSD regex feature: `\\S` inside a class"),
        ("[abc", "malformed XSD pattern: unclosed `[`"),
        ("abc]", "malformed XSD pattern: unbalanced `]`"),
        ("abc\\", "malformed XSD pattern: dangling `\\`"),
        (r"\q", "malformed XSD pattern: unknown escape `\\q`"),
    ];

    #[test]
    fn refused() {
        for &(pattern, want) in REFUSED {
            let e = XsdPattern::new(&[pattern.into()]).unwrap_err();
            assert_eq!(e.to_string(), want, "{pattern}");
        }
    }
}
