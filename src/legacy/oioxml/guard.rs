//! One linear pass over legacy XML text before `roxmltree` builds it. `roxmltree` has no limit
//! on nesting, attributes per element or namespace declarations in scope, compares every pair
//! of an element's attributes, and copies the namespaces in scope into every element that
//! declares one: a crafted file would cost time and memory far beyond its size. Whatever this
//! pass cannot make sense of it leaves to `roxmltree`, which reports it.

use super::reader::ReadOptions;

/// Which limit of [`ReadOptions`] a document exceeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Breach {
    /// [`ReadOptions::max_depth`].
    Depth,
    /// [`ReadOptions::max_attributes`].
    Attributes,
    /// [`ReadOptions::max_namespaces`].
    Namespaces,
    /// [`ReadOptions::max_elements`].
    Elements,
}

impl Breach {
    /// The limit's name, as [`crate::legacy::LegacyErrorKind::LimitExceeded`] gives it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Depth => "nesting depth",
            Self::Attributes => "attributes on one element",
            Self::Namespaces => "namespace declarations in scope",
            Self::Elements => "elements",
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Checks the limits of `options` on `text`; the error is the breach and the byte offset of
/// the start tag that makes it.
pub(crate) fn check(text: &str, options: &ReadOptions) -> Result<(), (Breach, usize)> {
    let b = text.as_bytes();
    // Namespace declarations of each open element.
    let mut open: Vec<usize> = Vec::new();
    let mut in_scope = 0usize;
    let mut elements = 0usize;
    let mut i = 0usize;
    let after = |from: usize, end: &[u8]| {
        memchr::memmem::find(b.get(from..)?, end).map(|n| from + n + end.len())
    };
    while let Some(n) = memchr::memchr(b'<', b.get(i..).unwrap_or_default()) {
        let lt = i + n;
        let rest = &b[lt..];
        let next = if rest.starts_with(b"<!--") {
            after(lt + 4, b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            after(lt + 9, b"]]>")
        } else if rest.starts_with(b"<?") {
            after(lt + 2, b"?>")
        } else if rest.starts_with(b"<!") {
            // A DOCTYPE (or worse): roxmltree rejects it.
            None
        } else if rest.starts_with(b"</") {
            if let Some(declared) = open.pop() {
                in_scope -= declared;
            }
            memchr::memchr(b'>', rest).map(|n| lt + n + 1)
        } else {
            match start_tag(b, lt + 1) {
                None => None,
                Some(tag) => {
                    elements += 1;
                    if elements > options.max_elements {
                        return Err((Breach::Elements, lt));
                    }
                    if tag.attributes > options.max_attributes {
                        return Err((Breach::Attributes, lt));
                    }
                    in_scope += tag.declarations;
                    if in_scope > options.max_namespaces {
                        return Err((Breach::Namespaces, lt));
                    }
                    // The element's own level, as the reader counts it.
                    if open.len() >= options.max_depth {
                        return Err((Breach::Depth, lt));
                    }
                    if tag.empty {
                        in_scope -= tag.declarations;
                    } else {
                        open.push(tag.declarations);
                    }
                    Some(tag.end)
                }
            }
        };
        match next {
            Some(next) => i = next,
            None => return Ok(()),
        }
    }
    Ok(())
}

struct StartTag {
    attributes: usize,
    declarations: usize,
    empty: bool,
    /// Offset just after the `>`.
    end: usize,
}

/// The start tag whose name begins at `i`; `None` when it is not of the usual form.
fn start_tag(b: &[u8], mut i: usize) -> Option<StartTag> {
    let name_start = i;
    while b
        .get(i)
        .is_some_and(|&c| !is_space(c) && c != b'>' && c != b'/')
    {
        i += 1;
    }
    if i == name_start {
        return None;
    }
    let mut tag = StartTag {
        attributes: 0,
        declarations: 0,
        empty: false,
        end: 0,
    };
    loop {
        while b.get(i).copied().is_some_and(is_space) {
            i += 1;
        }
        match *b.get(i)? {
            b'>' => {
                tag.end = i + 1;
                return Some(tag);
            }
            b'/' => {
                if b.get(i + 1) != Some(&b'>') {
                    return None;
                }
                tag.empty = true;
                tag.end = i + 2;
                return Some(tag);
            }
            _ => {
                let key_start = i;
                while b
                    .get(i)
                    .is_some_and(|&c| !is_space(c) && c != b'=' && c != b'>')
                {
                    i += 1;
                }
                let key = &b[key_start..i];
                while b.get(i).copied().is_some_and(is_space) {
                    i += 1;
                }
                if b.get(i) != Some(&b'=') {
                    return None;
                }
                i += 1;
                while b.get(i).copied().is_some_and(is_space) {
                    i += 1;
                }
                let quote = *b.get(i).filter(|&&q| q == b'"' || q == b'\'')?;
                i += 1 + memchr::memchr(quote, b.get(i + 1..)?)? + 1;
                tag.attributes += 1;
                if key == b"xmlns" || key.starts_with(b"xmlns:") {
                    tag.declarations += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        let options = ReadOptions::default()
            .with_max_depth(2)
            .with_max_attributes(2)
            .with_max_namespaces(2);
        // (text, breach)
        let cases: &[(&str, Option<Breach>)] = &[
            ("<a><b/></a>", None),
            ("<a><b></b></a>", None),
            ("<a><b><c/></b></a>", Some(Breach::Depth)),
            ("<a><b><c></c></b></a>", Some(Breach::Depth)),
            ("<a><!-- <b><c><d> --><b/></a>", None),
            ("<a><![CDATA[<b><c><d>]]></a>", None),
            ("<a x='1' y=\"2\"/>", None),
            ("<a x='1' y='2' z='3'/>", Some(Breach::Attributes)),
            ("<a x='>' y='/>' />", None),
            (
                "<a xmlns='u' xmlns:p='v'><b xmlns:q='w'/></a>",
                Some(Breach::Namespaces),
            ),
            ("<a xmlns:p='v'><b xmlns:q='w'/><c xmlns:r='x'/></a>", None),
            ("<a><b/></a><!DOCTYPE x><a><b><c><d/></c></b></a>", None),
        ];
        for &(text, breach) in cases {
            assert_eq!(
                check(text, &options).err().map(|(b, _)| b),
                breach,
                "{text}"
            );
        }
    }
}
