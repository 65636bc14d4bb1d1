//! Tokens of a FHIRPath expression, with their byte offsets.

use super::error::{ParseError, ParseErrorKind};

/// One token.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// `@2015-02-04T14:34`, text after `@`.
    DateTime(String),
    /// End of input.
    End,
    /// `%name`, ``%`name` `` or `%'name'`.
    External(String),
    /// An identifier; `quoted` for the backtick form (never a keyword).
    Ident { name: String, quoted: bool },
    /// An integer or decimal literal, as written.
    Number(String),
    /// Punctuation or an operator symbol.
    Punct(&'static str),
    /// A string literal, unescaped.
    Str(String),
    /// `@T14:34`, text after `@T`.
    Time(String),
    /// `$this`, `$index`, `$total`.
    Var(String),
}

impl Tok {
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::DateTime(s) => format!("date/time '@{s}'"),
            Self::End => "end of input".to_owned(),
            Self::External(s) => format!("'%{s}'"),
            Self::Ident { name, .. } => format!("'{name}'"),
            Self::Number(s) => format!("number {s}"),
            Self::Punct(p) => format!("'{p}'"),
            Self::Str(_) => "a string".to_owned(),
            Self::Time(s) => format!("time '@T{s}'"),
            Self::Var(s) => format!("'${s}'"),
        }
    }
}

const PUNCTS: [&str; 23] = [
    "!=", "!~", "<=", ">=", ".", ",", "(", ")", "[", "]", "{", "}", "+", "-", "*", "/", "|", "&",
    "=", "~", "<", ">", ";",
];

/// Splits `src` into tokens, each with its byte offset; the last is [`Tok::End`].
pub(crate) fn tokenize(src: &str) -> Result<Vec<(Tok, usize)>, ParseError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if src[i..].starts_with("//") {
            i = src[i..].find('\n').map_or(b.len(), |n| i + n);
            continue;
        }
        if src[i..].starts_with("/*") {
            let end = src[i + 2..].find("*/").ok_or_else(|| {
                ParseError::new(ParseErrorKind::Unterminated { what: "comment" }, i)
            })?;
            i += end + 4;
            continue;
        }
        let start = i;
        let tok = match c {
            b'\'' => {
                let (s, next) = quoted(src, i, b'\'', "string")?;
                i = next;
                Tok::Str(s)
            }
            b'`' => {
                let (s, next) = quoted(src, i, b'`', "quoted identifier")?;
                i = next;
                Tok::Ident {
                    name: s,
                    quoted: true,
                }
            }
            b'%' => {
                i += 1;
                let name = match b.get(i) {
                    Some(b'`') => {
                        let (s, next) = quoted(src, i, b'`', "quoted identifier")?;
                        i = next;
                        s
                    }
                    Some(b'\'') => {
                        let (s, next) = quoted(src, i, b'\'', "string")?;
                        i = next;
                        s
                    }
                    _ => {
                        let n = ident_len(&b[i..]);
                        if n == 0 {
                            return Err(unexpected(src, start, "a variable name after '%'"));
                        }
                        i += n;
                        src[i - n..i].to_owned()
                    }
                };
                Tok::External(name)
            }
            b'$' => {
                let n = ident_len(&b[i + 1..]);
                if n == 0 {
                    return Err(unexpected(src, start, "a variable name after '$'"));
                }
                i += 1 + n;
                Tok::Var(src[start + 1..i].to_owned())
            }
            b'@' => {
                i += 1;
                if b.get(i) == Some(&b'T') {
                    i += 1;
                    let n = time_len(&b[i..]);
                    if n == 0 {
                        return Err(bad_literal("time", start));
                    }
                    i += n;
                    Tok::Time(src[start + 2..i].to_owned())
                } else {
                    let n = date_len(&b[i..]);
                    if n == 0 {
                        return Err(bad_literal("date", start));
                    }
                    i += n;
                    Tok::DateTime(src[start + 1..i].to_owned())
                }
            }
            b'0'..=b'9' => {
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                Tok::Number(src[start..i].to_owned())
            }
            _ if c == b'_' || c.is_ascii_alphabetic() => {
                i += ident_len(&b[i..]);
                Tok::Ident {
                    name: src[start..i].to_owned(),
                    quoted: false,
                }
            }
            _ => {
                let p = PUNCTS
                    .iter()
                    .find(|p| src[i..].starts_with(**p))
                    .ok_or_else(|| unexpected(src, start, "a token"))?;
                i += p.len();
                Tok::Punct(p)
            }
        };
        out.push((tok, start));
    }
    out.push((Tok::End, b.len()));
    Ok(out)
}

fn unexpected(src: &str, at: usize, expected: &'static str) -> ParseError {
    let found = src[at..]
        .chars()
        .next()
        .map_or_else(|| "end of input".to_owned(), |c| format!("'{c}'"));
    ParseError::new(ParseErrorKind::Unexpected { found, expected }, at)
}

fn bad_literal(what: &'static str, at: usize) -> ParseError {
    ParseError::new(ParseErrorKind::BadLiteral { what }, at)
}

fn ident_len(b: &[u8]) -> usize {
    b.iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count()
}

fn digits(b: &[u8], at: usize, n: usize) -> bool {
    b.len() >= at + n && b[at..at + n].iter().all(u8::is_ascii_digit)
}

/// Length of `YYYY(-MM(-DD)?)?(T time?)?`.
fn date_len(b: &[u8]) -> usize {
    if !digits(b, 0, 4) {
        return 0;
    }
    let mut i = 4;
    if b.get(i) == Some(&b'-') && digits(b, i + 1, 2) {
        i += 3;
        if b.get(i) == Some(&b'-') && digits(b, i + 1, 2) {
            i += 3;
        }
    }
    if b.get(i) == Some(&b'T') {
        i += 1;
        i += time_len(&b[i..]);
        i += tz_len(&b[i..]);
    }
    i
}

/// Length of `hh(:mm(:ss(.fff)?)?)?`.
fn time_len(b: &[u8]) -> usize {
    if !digits(b, 0, 2) {
        return 0;
    }
    let mut i = 2;
    if b.get(i) == Some(&b':') && digits(b, i + 1, 2) {
        i += 3;
        if b.get(i) == Some(&b':') && digits(b, i + 1, 2) {
            i += 3;
            if b.get(i) == Some(&b'.') && digits(b, i + 1, 1) {
                i += 1;
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
        }
    }
    i
}

fn tz_len(b: &[u8]) -> usize {
    match b.first() {
        Some(b'Z') => 1,
        Some(b'+' | b'-') if digits(b, 1, 2) && b.get(3) == Some(&b':') && digits(b, 4, 2) => 6,
        _ => 0,
    }
}

/// Reads a quoted string or identifier starting at `at` (the opening quote), unescaping it.
fn quoted(
    src: &str,
    at: usize,
    quote: u8,
    what: &'static str,
) -> Result<(String, usize), ParseError> {
    let b = src.as_bytes();
    let mut out = String::new();
    let mut i = at + 1;
    let mut run = i;
    loop {
        let Some(&c) = b.get(i) else {
            return Err(ParseError::new(ParseErrorKind::Unterminated { what }, at));
        };
        if c == quote {
            out.push_str(&src[run..i]);
            return Ok((out, i + 1));
        }
        if c != b'\\' {
            i += 1;
            continue;
        }
        out.push_str(&src[run..i]);
        let esc = *b
            .get(i + 1)
            .ok_or_else(|| ParseError::new(ParseErrorKind::Unterminated { what }, at))?;
        i += 2;
        match esc {
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'f' => out.push('\u{c}'),
            b'\\' | b'/' | b'\'' | b'"' | b'`' => out.push(char::from(esc)),
            b'u' => {
                let hex = src
                    .get(i..i + 4)
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
                    .ok_or_else(|| bad_literal("unicode escape", i - 2))?;
                out.push(hex);
                i += 4;
            }
            _ => return Err(bad_literal("escape", i - 2)),
        }
        run = i;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stop_before_member_dots() {
        let toks: Vec<Tok> = tokenize("1.convertsToInteger() 2.5.x @2014-01-01T08.y @T10:30.z")
            .unwrap()
            .into_iter()
            .map(|t| t.0)
            .collect();
        assert_eq!(toks[0], Tok::Number("1".into()));
        assert_eq!(toks[5], Tok::Number("2.5".into()));
        assert_eq!(toks[8], Tok::DateTime("2014-01-01T08".into()));
        assert_eq!(toks[11], Tok::Time("10:30".into()));
    }

    #[test]
    fn escapes_and_comments() {
        let toks = tokenize("'a\\u0065\\'' /* x */ // y\n `b c`").unwrap();
        assert_eq!(toks[0].0, Tok::Str("ae'".into()));
        assert_eq!(
            toks[1].0,
            Tok::Ident {
                name: "b c".into(),
                quoted: true
            }
        );
        assert!(tokenize("2 /* open").is_err());
        assert_eq!(tokenize("'abc").unwrap_err().offset(), 0);
    }
}
