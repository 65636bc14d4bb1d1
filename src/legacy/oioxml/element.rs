//! The owned XML element tree.

use std::fmt::Write as _;
use std::sync::Arc;

use crate::error::Position;

/// An attribute: namespace URI (empty for none), local name and value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// Namespace URI, empty for an unprefixed attribute.
    pub namespace: Arc<str>,
    /// Local name.
    pub name: String,
    /// Value.
    pub value: String,
}

/// A child of an element: an element or a run of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// A child element (boxed: a letter is mostly leaves, and a child list of small slots keeps
    /// the tree near 200 bytes an element).
    Element(Box<Element>),
    /// Character data (entities and character references resolved).
    Text(String),
}

/// An XML element with its namespace URI, attributes, children and source position.
///
/// Equality (`==`) is exact and ignores positions only through [`same_infoset`]; prefer that.
///
/// # Examples
///
/// ```
/// use medcom::legacy::oioxml::Element;
/// let e = Element::new("Sent", "urn:x").with_text_child("Date", "1999-01-15");
/// assert_eq!(e.child_text("Date"), "1999-01-15");
/// assert_eq!(e.child("Date").unwrap().namespace(), "urn:x");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    // Shared with every element of the same name that the reader built.
    name: Arc<str>,
    namespace: Arc<str>,
    attributes: Box<[Attribute]>,
    children: Vec<Content>,
    position: Spot,
}

/// A [`Position`] in 12 bytes; line 0 is none. Offsets past 4 GiB (far beyond the readers'
/// input limits) are kept as `u32::MAX`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Spot {
    byte: u32,
    line: u32,
    column: u32,
}

impl Spot {
    const NONE: Self = Self {
        byte: 0,
        line: 0,
        column: 0,
    };

    fn new(p: Position) -> Self {
        Self {
            byte: u32::try_from(p.byte).unwrap_or(u32::MAX),
            line: p.line.max(1),
            column: p.column,
        }
    }

    fn position(self) -> Option<Position> {
        (self.line != 0).then_some(Position {
            byte: self.byte as usize,
            line: self.line,
            column: self.column,
        })
    }
}

impl Element {
    /// An empty element.
    #[must_use]
    pub fn new(name: impl Into<String>, namespace: impl Into<Arc<str>>) -> Self {
        Self {
            name: Arc::from(name.into()),
            namespace: namespace.into(),
            attributes: Box::default(),
            children: Vec::new(),
            position: Spot::NONE,
        }
    }

    pub(crate) fn from_parts(
        name: Arc<str>,
        namespace: Arc<str>,
        attributes: Vec<Attribute>,
        position: Position,
    ) -> Self {
        Self {
            name,
            namespace,
            attributes: attributes.into_boxed_slice(),
            children: Vec::new(),
            position: Spot::new(position),
        }
    }

    /// A child element in the same namespace, for building.
    #[must_use]
    pub fn child_element(&self, name: impl Into<String>) -> Self {
        Self::new(name, Arc::clone(&self.namespace))
    }

    /// Appends a child element.
    pub fn push(&mut self, child: Element) {
        self.children.push(Content::Element(Box::new(child)));
    }

    /// Appends text (merged with a directly preceding text child).
    pub fn push_text(&mut self, text: impl AsRef<str>) {
        let text = text.as_ref();
        if text.is_empty() {
            return;
        }
        if let Some(Content::Text(t)) = self.children.last_mut() {
            t.push_str(text);
        } else {
            self.children.push(Content::Text(text.to_owned()));
        }
    }

    /// Appends a child element in the same namespace holding only `text`.
    pub fn push_text_child(&mut self, name: impl Into<String>, text: impl AsRef<str>) {
        let mut c = self.child_element(name);
        c.push_text(text);
        self.push(c);
    }

    /// Builder form of [`Self::push`].
    #[must_use]
    pub fn with_child(mut self, child: Element) -> Self {
        self.push(child);
        self
    }

    /// Builder form of [`Self::push_text`].
    #[must_use]
    pub fn with_text(mut self, text: impl AsRef<str>) -> Self {
        self.push_text(text);
        self
    }

    /// Builder form of [`Self::push_text_child`].
    #[must_use]
    pub fn with_text_child(mut self, name: impl Into<String>, text: impl AsRef<str>) -> Self {
        self.push_text_child(name, text);
        self
    }

    /// Adds an attribute without namespace.
    pub fn set_attribute(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let mut attributes = std::mem::take(&mut self.attributes).into_vec();
        attributes.push(Attribute {
            namespace: Arc::from(""),
            name: name.into(),
            value: value.into(),
        });
        self.attributes = attributes.into_boxed_slice();
    }

    pub(crate) fn children_mut(&mut self) -> &mut Vec<Content> {
        &mut self.children
    }

    /// The local name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace URI (empty for none).
    #[must_use]
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The attributes in document order.
    #[must_use]
    pub fn attributes(&self) -> &[Attribute] {
        &self.attributes
    }

    /// The value of an attribute without namespace.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.is_empty() && a.name == name)
            .map(|a| a.value.as_str())
    }

    /// All children.
    #[must_use]
    pub fn children(&self) -> &[Content] {
        &self.children
    }

    /// The child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Content::Element(e) => Some(&**e),
            Content::Text(_) => None,
        })
    }

    /// The first child element with this local name.
    #[must_use]
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| &*e.name == name)
    }

    /// The child elements with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.elements().filter(move |e| &*e.name == name)
    }

    /// The text of the first child element with this name; empty when absent.
    #[must_use]
    pub fn child_text(&self, name: &str) -> &str {
        self.child(name).map_or("", Element::text)
    }

    /// The text of an element whose content is one text run; empty otherwise (use
    /// [`Self::all_text`] for mixed content).
    #[must_use]
    pub fn text(&self) -> &str {
        match self.children.as_slice() {
            [Content::Text(t)] => t,
            _ => "",
        }
    }

    /// All descendant text, concatenated.
    #[must_use]
    pub fn all_text(&self) -> String {
        let mut out = String::new();
        collect_text(self, &mut out, 0);
        out
    }

    /// Where the element starts in the source; `None` for a built element.
    #[must_use]
    pub fn position(&self) -> Option<Position> {
        self.position.position()
    }

    /// A copy without whitespace-only text between child elements (the layout of indented
    /// XML), recursively. Text inside elements with no child element is kept as is.
    #[must_use]
    pub fn without_layout(&self) -> Element {
        let mut out = self.clone();
        strip_layout(&mut out, 0);
        out
    }
}

const MAX_DEPTH: usize = 256;

fn collect_text(e: &Element, out: &mut String, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for c in &e.children {
        match c {
            Content::Text(t) => out.push_str(t),
            Content::Element(e) => collect_text(e, out, depth + 1),
        }
    }
}

fn strip_layout(e: &mut Element, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let has_elements = e.children.iter().any(|c| matches!(c, Content::Element(_)));
    if has_elements && is_structural(e) {
        e.children
            .retain(|c| !matches!(c, Content::Text(t) if t.chars().all(char::is_whitespace)));
    }
    for c in &mut e.children {
        if let Content::Element(child) = c {
            strip_layout(child, depth + 1);
        }
    }
}

/// Elements with mixed content (formatted text) keep whitespace even between elements.
fn is_structural(e: &Element) -> bool {
    !e.children
        .iter()
        .any(|c| matches!(c, Content::Text(t) if !t.chars().all(char::is_whitespace)))
}

/// Whether two trees have the same infoset: names, namespace URIs, attributes (in any order),
/// and children in order with text compared exactly, layout whitespace between elements aside.
///
/// # Examples
///
/// ```
/// use medcom::legacy::oioxml::{read, same_infoset};
/// let a = read(b"<a xmlns='urn:x'><b>1</b></a>").unwrap();
/// let b = read(b"<p:a xmlns:p='urn:x'>\n  <p:b>1</p:b>\n</p:a>").unwrap();
/// assert!(same_infoset(&a, &b));
/// ```
#[must_use]
pub fn same_infoset(a: &Element, b: &Element) -> bool {
    infoset_difference(a, b).is_none()
}

/// The XPath-style location of the first infoset difference and what differs, or `None`.
///
/// # Examples
///
/// ```
/// use medcom::legacy::oioxml::{read, infoset_difference};
/// let a = read(b"<a><b>1</b><b>2</b></a>").unwrap();
/// let b = read(b"<a><b>1</b><b>3</b></a>").unwrap();
/// assert_eq!(infoset_difference(&a, &b).unwrap(), "/a/b[2]: text '2' != '3'");
/// ```
#[must_use]
pub fn infoset_difference(a: &Element, b: &Element) -> Option<String> {
    let a = a.without_layout();
    let b = b.without_layout();
    let mut path = String::new();
    let _ = write!(path, "/{}", a.name);
    diff(&a, &b, &mut path, 0)
}

fn diff(a: &Element, b: &Element, path: &mut String, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return Some(format!("{path}: too deep"));
    }
    if a.name != b.name || a.namespace != b.namespace {
        return Some(format!(
            "{path}: element {{{}}}{} != {{{}}}{}",
            a.namespace, a.name, b.namespace, b.name
        ));
    }
    let mut aa: Vec<_> = a
        .attributes
        .iter()
        .map(|x| (&x.namespace, &x.name, &x.value))
        .collect();
    let mut ba: Vec<_> = b
        .attributes
        .iter()
        .map(|x| (&x.namespace, &x.name, &x.value))
        .collect();
    aa.sort();
    ba.sort();
    if aa != ba {
        return Some(format!("{path}: attributes differ"));
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    let mut ai = a.children.iter();
    let mut bi = b.children.iter();
    loop {
        match (ai.next(), bi.next()) {
            (None, None) => return None,
            (Some(Content::Text(x)), Some(Content::Text(y))) => {
                if x != y {
                    return Some(format!("{path}: text '{x}' != '{y}'"));
                }
            }
            (Some(Content::Element(x)), Some(Content::Element(y))) => {
                let n = match counts.iter_mut().find(|(name, _)| **name == *x.name) {
                    Some((_, n)) => {
                        *n += 1;
                        *n
                    }
                    None => {
                        counts.push((&x.name, 1));
                        1
                    }
                };
                let len = path.len();
                let repeats = a.children_named(&x.name).nth(1).is_some();
                if repeats {
                    let _ = write!(path, "/{}[{n}]", x.name);
                } else {
                    let _ = write!(path, "/{}", x.name);
                }
                if let Some(d) = diff(x, y, path, depth + 1) {
                    return Some(d);
                }
                path.truncate(len);
            }
            (x, y) => {
                let show = |c: Option<&Content>| match c {
                    None => "nothing".to_owned(),
                    Some(Content::Text(t)) => format!("text '{t}'"),
                    Some(Content::Element(e)) => format!("element {}", e.name),
                };
                return Some(format!("{path}: {} != {}", show(x), show(y)));
            }
        }
    }
}
