//! Strings: `indexOf`, `substring`, `startsWith`, `endsWith`, `contains`, `upper`, `lower`,
//! `replace`, `matches`, `matchesFull`, `replaceMatches`, `length`, `toChars`, `trim`,
//! `split`, `join`, `encode`, `decode`, `escape`, `unescape`.

use super::{boolean, input_value, one, Call, Out};
use crate::fhirpath::compile::{compile_regex, Func, Pattern, RegexFunc};
use crate::fhirpath::error::EvalErrorKind;
use crate::fhirpath::eval::{bad_operand, err};
use crate::fhirpath::value::{Collection, Item, Str, Value};

fn int<'d>(n: usize) -> Value<'d> {
    Value::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

pub(super) fn call<'d, 'a>(
    c: &mut Call<'_, '_, '_, 'd, 'a>,
    f: &Func,
    input: Collection<'d, 'a>,
) -> Out<'d, 'a> {
    if let Func::Join = f {
        let sep = c.arg_string(0, "join")?.unwrap_or_default();
        let mut parts = Vec::with_capacity(input.len());
        for i in &input {
            match i.value() {
                Some(Value::String(s)) => parts.push(s.to_string()),
                _ => return Err(bad_operand("join", "strings", c.pos)),
            }
        }
        let s = parts.join(&sep);
        c.ev.check_string(s.len(), c.pos)?;
        return Ok(one(Value::string(s)));
    }
    let owned = match input_value(&input, "string function", c.pos)? {
        None => return Ok(Collection::new()),
        Some(Value::String(s)) => s,
        Some(_) => return Err(bad_operand("string function", "a string", c.pos)),
    };
    let s: &str = &owned;
    // A missing (empty) argument makes the result empty.
    macro_rules! arg {
        ($i:expr, $name:literal) => {
            match c.arg_string($i, $name)? {
                Some(a) => a,
                None => return Ok(Collection::new()),
            }
        };
    }
    let out = match f {
        Func::IndexOf => {
            let needle = arg!(0, "indexOf");
            match s.find(needle.as_str()) {
                Some(b) => int(s[..b].chars().count()),
                None => Value::Integer(-1),
            }
        }
        Func::Substring => {
            let Some(start) = c.arg_int(0, "substring")? else {
                return Ok(Collection::new());
            };
            let len = c.arg_int(1, "substring")?;
            let count = s.chars().count();
            let Ok(start) = usize::try_from(start) else {
                return Ok(Collection::new());
            };
            if start >= count {
                return Ok(Collection::new());
            }
            let take = len.map_or(usize::MAX, |l| usize::try_from(l.max(0)).unwrap_or(0));
            let byte_at = |chars: usize| s.char_indices().nth(chars).map_or(s.len(), |(b, _)| b);
            let from = byte_at(start);
            let to = byte_at(start.saturating_add(take));
            match &owned {
                // Document text stays borrowed: `value.substring(i, 1)` allocates nothing.
                Str::Doc(d) => Value::String(Str::Doc(d.get(from..to).unwrap_or(""))),
                Str::Shared(_) => Value::string(s.get(from..to).unwrap_or("")),
            }
        }
        Func::StartsWith => Value::Boolean(s.starts_with(arg!(0, "startsWith").as_str())),
        Func::EndsWith => Value::Boolean(s.ends_with(arg!(0, "endsWith").as_str())),
        Func::Contains => Value::Boolean(s.contains(arg!(0, "contains").as_str())),
        Func::Upper => Value::string(s.to_uppercase()),
        Func::Lower => Value::string(s.to_lowercase()),
        Func::Replace => {
            let from = arg!(0, "replace");
            let to = arg!(1, "replace");
            let r = s.replace(from.as_str(), to.as_str());
            c.ev.check_string(r.len(), c.pos)?;
            Value::string(r)
        }
        Func::Regex(rf, pattern) => {
            let full = *rf == RegexFunc::MatchesFull;
            let text = arg!(0, "matches");
            let dynamic;
            let re = match pattern {
                Pattern::Compiled(r) => r,
                Pattern::Dynamic => {
                    dynamic = compile_regex(&text, full);
                    &dynamic
                }
            };
            let re = re.as_ref().map_err(|m| {
                err(
                    EvalErrorKind::Unsupported {
                        what: format!("regular expression: {m}"),
                    },
                    c.pos,
                )
            })?;
            if *rf == RegexFunc::ReplaceMatches {
                let with = arg!(1, "replaceMatches");
                if text.is_empty() {
                    Value::string(s)
                } else {
                    let r = re.replace_all(s, with.as_str()).into_owned();
                    c.ev.check_string(r.len(), c.pos)?;
                    Value::string(r)
                }
            } else {
                Value::Boolean(re.is_match(s))
            }
        }
        Func::Length => int(s.chars().count()),
        Func::ToChars => {
            return Ok(s
                .chars()
                .map(|ch| Item::Value(Value::string(ch.to_string())))
                .collect())
        }
        Func::Trim => Value::string(s.trim()),
        Func::Split => {
            let sep = arg!(0, "split");
            let parts: Collection<'d, 'a> = if sep.is_empty() {
                s.chars()
                    .map(|ch| Item::Value(Value::string(ch.to_string())))
                    .collect()
            } else {
                s.split(sep.as_str())
                    .map(|p| Item::Value(Value::string(p)))
                    .collect()
            };
            c.check_size(parts.len())?;
            return Ok(parts);
        }
        Func::Encode | Func::Decode => {
            let scheme = arg!(0, "encode");
            let r = if matches!(f, Func::Encode) {
                encode(s.as_bytes(), &scheme)
            } else {
                decode(s, &scheme).and_then(|b| String::from_utf8(b).ok())
            };
            match r {
                Some(r) => Value::string(r),
                None => return Err(c.error("encode", "unknown encoding or malformed input")),
            }
        }
        Func::Escape | Func::Unescape => {
            let scheme = arg!(0, "escape");
            let r = match (matches!(f, Func::Escape), scheme.as_str()) {
                (true, "html") => escape_html(s),
                (true, "json") => escape_json(s),
                (false, "html") => unescape_html(s),
                (false, "json") => unescape_json(s),
                _ => return Err(c.error("escape", "unknown scheme")),
            };
            Value::string(r)
        }
        _ => return Ok(boolean(false)),
    };
    Ok(one(out))
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn encode(bytes: &[u8], scheme: &str) -> Option<String> {
    match scheme {
        "hex" => Some(bytes.iter().map(|b| format!("{b:02x}")).collect()),
        "base64" | "urlbase64" => {
            let mut out = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk
                    .iter()
                    .enumerate()
                    .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
                for i in 0..4 {
                    if i <= chunk.len() {
                        out.push(char::from(B64[(n >> (18 - 6 * i)) as usize & 63]));
                    } else {
                        out.push('=');
                    }
                }
            }
            if scheme == "urlbase64" {
                out = out.replace('+', "-").replace('/', "_");
            }
            Some(out)
        }
        _ => None,
    }
}

fn decode(s: &str, scheme: &str) -> Option<Vec<u8>> {
    match scheme {
        "hex" => {
            if !s.len().is_multiple_of(2) {
                return None;
            }
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
                .collect()
        }
        "base64" | "urlbase64" => {
            let mut out = Vec::new();
            let mut acc = 0u32;
            let mut bits = 0;
            for ch in s.bytes().filter(|b| *b != b'=') {
                let v = match ch {
                    b'-' => 62,
                    b'_' => 63,
                    _ => u32::try_from(B64.iter().position(|b| *b == ch)?).ok()?,
                };
                acc = acc << 6 | v;
                bits += 6;
                if bits >= 8 {
                    bits -= 8;
                    out.push(u8::try_from(acc >> bits & 0xff).ok()?);
                }
            }
            Some(out)
        }
        _ => None,
    }
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn unescape_html(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn escape_json(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

fn unescape_json(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(c) => out.push(c),
            None => out.push('\\'),
        }
    }
    out
}
