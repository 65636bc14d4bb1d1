//! A small XML infoset for comparisons: elements by (namespace, local name), attributes sorted
//! by name (namespace declarations aside), and non-whitespace text, in document order.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// One infoset item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Start(String, String, Vec<(String, String)>),
    End,
    Text(String),
}

/// Options for building an infoset.
#[derive(Clone, Copy, Debug, Default)]
pub struct Normalize {
    /// Collapse whitespace runs in text and attribute values to one space and trim, inside
    /// XHTML elements only (the narrative), for comparing narratives across formats.
    pub collapse_xhtml: bool,
}

const XHTML: &str = "http://www.w3.org/1999/xhtml";

fn resolve(r: ResolveResult<'_>) -> String {
    match r {
        ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
        _ => String::new(),
    }
}

/// Builds the infoset of `xml`.
pub fn infoset(xml: &str, normalize: Normalize) -> Result<Vec<Item>, String> {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().trim_text(false);
    reader.config_mut().expand_empty_elements = true;
    let mut items = Vec::new();
    let mut text = String::new();
    let mut xhtml_depth = 0usize;
    let flush = |text: &mut String, items: &mut Vec<Item>, collapse: bool| {
        let t = if collapse {
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        } else if text.trim().is_empty() {
            String::new()
        } else {
            text.clone()
        };
        if !t.is_empty() {
            items.push(Item::Text(t));
        }
        text.clear();
    };
    loop {
        let (ns, event) = reader.read_resolved_event().map_err(|e| e.to_string())?;
        match event {
            Event::Start(e) => {
                flush(
                    &mut text,
                    &mut items,
                    xhtml_depth > 0 && normalize.collapse_xhtml,
                );
                let namespace = resolve(ns);
                if namespace == XHTML || xhtml_depth > 0 {
                    xhtml_depth += 1;
                }
                let collapse = xhtml_depth > 0 && normalize.collapse_xhtml;
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let mut attrs: Vec<(String, String)> = Vec::new();
                for a in e.attributes() {
                    let a = a.map_err(|e| e.to_string())?;
                    let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                    if key == "xmlns" || key.starts_with("xmlns:") || key.starts_with("xsi:") {
                        continue;
                    }
                    let value = a
                        .decode_and_unescape_value(reader.decoder())
                        .map_err(|e| e.to_string())?
                        .into_owned();
                    let value = if collapse {
                        value.split_whitespace().collect::<Vec<_>>().join(" ")
                    } else {
                        value
                    };
                    attrs.push((key, value));
                }
                attrs.sort();
                items.push(Item::Start(namespace, local, attrs));
            }
            Event::End(_) => {
                flush(
                    &mut text,
                    &mut items,
                    xhtml_depth > 0 && normalize.collapse_xhtml,
                );
                xhtml_depth = xhtml_depth.saturating_sub(1);
                items.push(Item::End);
            }
            Event::Text(t) => {
                text.push_str(&t.xml_content().map_err(|e| e.to_string())?);
            }
            Event::GeneralRef(r) => {
                if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
                    text.push(c);
                } else {
                    let name = String::from_utf8_lossy(&r).into_owned();
                    text.push(match name.as_str() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        _ => return Err(format!("entity {name}")),
                    });
                }
            }
            Event::CData(c) => text.push_str(&String::from_utf8_lossy(&c)),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(items)
}

/// The first difference between two infosets, for a readable failure message.
pub fn first_difference(a: &[Item], b: &[Item]) -> Option<String> {
    let n = a.len().min(b.len());
    for i in 0..n {
        if a[i] != b[i] {
            let from = i.saturating_sub(3);
            return Some(format!(
                "at item {i}:\n  left:  {:?}\n  right: {:?}\n  context: {:?}",
                a[i],
                b[i],
                &a[from..i]
            ));
        }
    }
    (a.len() != b.len()).then(|| format!("lengths differ: {} vs {}", a.len(), b.len()))
}
