//! One element model for any R4 resource.
//!
//! A [`Document`] is a flat arena of nodes. Each node is one element: its definition in the R4
//! type table, its concrete type (the chosen type of a choice element, the resource type of a
//! `resource` or `contained` element), its primitive value as exact lexical text, and the byte
//! offset where it starts in the source. Values borrow from the input and are copied only when
//! unescaping changed them. Children are kept in definition order whatever the input order was.

#[rustfmt::skip]
mod generated;
pub mod primitive;
mod types;

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::sync::OnceLock;

pub(crate) use types::choice_wire_name;
pub use types::{Element, JsonForm, PrimitiveKind, Type, TypeKind};

pub mod message;

use crate::error::{Position, ReadError};
pub use message::MessageView;

/// Index of a node in its [`Document`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u32);

const NONE: u32 = u32::MAX;

#[derive(Clone, Debug)]
pub(crate) struct NodeData<'a> {
    /// The element definition; `None` for the root resource.
    pub(crate) element: Option<Element>,
    pub(crate) ty: Type,
    pub(crate) value: Option<Cow<'a, str>>,
    pub(crate) parent: u32,
    pub(crate) first_child: u32,
    pub(crate) last_child: u32,
    pub(crate) next_sibling: u32,
    pub(crate) offset: u32,
    /// Index among the parent's children of the same element (kept by [`Document::push`] and
    /// [`Document::relink`], so that a path costs its depth, not its siblings).
    pub(crate) index: u32,
}

/// A parsed or built FHIR resource.
///
/// # Examples
///
/// ```
/// use medcom::model::{Document, Type};
/// let mut doc = Document::new(Type::resource("Patient").unwrap());
/// let root = doc.root().id();
/// doc.append_value(root, "gender", "female").unwrap();
/// assert_eq!(medcom::json::to_string(&doc), r#"{"resourceType":"Patient","gender":"female"}"#);
/// ```
#[derive(Clone)]
pub struct Document<'a> {
    pub(crate) nodes: Vec<NodeData<'a>>,
    pub(crate) source: &'a str,
    pub(crate) issues: Vec<ReadError>,
    pub(crate) issues_left_out: usize,
    /// The last node [`Self::push`] placed before other children (parent, node): the next
    /// repetition of its element goes right after it, without a walk over the children.
    inserted: Option<(u32, u32)>,
    line_starts: OnceLock<crate::lines::LineIndex>,
    /// What the readers' narrative scan found, by node, in node order (a built or changed
    /// narrative is scanned when asked).
    pub(crate) narratives: Vec<(u32, NarrativeFacts)>,
}

impl fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("resource_type", &self.root().ty().name())
            .field("nodes", &self.nodes.len())
            .field("issues", &self.issues.len())
            .finish_non_exhaustive()
    }
}

/// Why a node could not be added by [`Document::append`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// The parent's type has no element of that name.
    UnknownElement {
        /// The name asked for.
        name: String,
        /// The parent's type.
        parent: &'static str,
    },
    /// The type is not allowed for the element.
    WrongType {
        /// The element.
        element: &'static str,
        /// The type given.
        ty: &'static str,
    },
    /// A value was given for a non-primitive type, or none for a required one.
    Value {
        /// The element.
        element: &'static str,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownElement { name, parent } => write!(f, "{parent} has no element '{name}'"),
            Self::WrongType { element, ty } => {
                write!(f, "element '{element}' cannot be of type {ty}")
            }
            Self::Value { element } => {
                write!(
                    f,
                    "element '{element}' takes a value only when it is primitive"
                )
            }
        }
    }
}

impl std::error::Error for BuildError {}

impl<'a> Document<'a> {
    /// An empty resource of type `ty` (which should be a concrete resource type).
    #[must_use]
    pub fn new(ty: Type) -> Self {
        Self::with_source("", ty, 0)
    }

    pub(crate) fn with_source(source: &'a str, ty: Type, capacity: usize) -> Self {
        let mut nodes = Vec::with_capacity(capacity.max(1));
        nodes.push(NodeData {
            element: None,
            ty,
            value: None,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            offset: 0,
            index: 0,
        });
        Self {
            nodes,
            source,
            issues: Vec::new(),
            issues_left_out: 0,
            inserted: None,
            line_starts: OnceLock::new(),
            narratives: Vec::new(),
        }
    }

    /// The root resource.
    #[must_use]
    pub fn root(&self) -> Node<'_, 'a> {
        Node { doc: self, id: 0 }
    }

    /// The node with this id.
    ///
    /// # Panics
    ///
    /// When the id does not belong to this document.
    #[must_use]
    pub fn node(&self, id: NodeId) -> Node<'_, 'a> {
        assert!((id.0 as usize) < self.nodes.len(), "node id out of range");
        Node {
            doc: self,
            id: id.0,
        }
    }

    /// Number of nodes (elements) in the document.
    #[must_use]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the document holds only its root resource.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// Problems recorded by lenient reading (empty after strict reading).
    #[must_use]
    pub fn issues(&self) -> &[ReadError] {
        &self.issues
    }

    /// Problems lenient reading found beyond [`crate::ReadOptions::max_issues`]: counted, not
    /// recorded.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::{Mode, ReadOptions};
    /// let options = ReadOptions::default().with_mode(Mode::Lenient).with_max_issues(1);
    /// let doc = medcom::xml::parse_with_options(
    ///     r#"<Basic xmlns="http://hl7.org/fhir"><a/><b/><c/></Basic>"#, &options).unwrap();
    /// assert_eq!((doc.issues().len(), doc.issues_left_out()), (1, 2));
    /// ```
    #[must_use]
    pub fn issues_left_out(&self) -> usize {
        self.issues_left_out
    }

    /// The text the document was read from (empty for a built document).
    #[must_use]
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// Copies every borrowed value, so the document outlives its input. Positions stay valid
    /// but [`Self::source`] becomes empty, so line and column are computed now.
    #[must_use]
    pub fn into_owned(self) -> Document<'static> {
        let starts = self.line_starts().clone();
        let nodes = self
            .nodes
            .into_iter()
            .map(|n| NodeData {
                element: n.element,
                ty: n.ty,
                value: n.value.map(|v| Cow::Owned(v.into_owned())),
                parent: n.parent,
                first_child: n.first_child,
                last_child: n.last_child,
                next_sibling: n.next_sibling,
                offset: n.offset,
                index: n.index,
            })
            .collect();
        let line_starts = OnceLock::new();
        let _ = line_starts.set(starts);
        Document {
            nodes,
            source: "",
            issues: self.issues,
            issues_left_out: self.issues_left_out,
            inserted: None,
            line_starts,
            narratives: self.narratives,
        }
    }

    /// Records what the narrative scan found for node `id` (kept in node order).
    pub(crate) fn record_narrative(&mut self, id: u32, facts: NarrativeFacts) {
        match self.narratives.binary_search_by_key(&id, |(n, _)| *n) {
            Ok(i) => self.narratives[i].1 = facts,
            Err(i) => self.narratives.insert(i, (id, facts)),
        }
    }

    fn line_starts(&self) -> &crate::lines::LineIndex {
        self.line_starts
            .get_or_init(|| crate::lines::LineIndex::new(self.source))
    }

    /// Keeps the line index a reader built while reading `source`, so that it is not built
    /// again.
    pub(crate) fn keep_lines(&mut self, lines: Option<crate::lines::LineIndex>) {
        if let Some(lines) = lines {
            self.line_starts = OnceLock::new();
            let _ = self.line_starts.set(lines);
        }
    }

    pub(crate) fn position_of(&self, offset: u32) -> Position {
        self.line_starts().position(self.source, offset as usize)
    }

    /// Adds a node under `parent` at its place in definition order: after every child whose
    /// element comes earlier or is the same. Readers nearly always append at the end, which is
    /// checked first.
    pub(crate) fn push(
        &mut self,
        parent: u32,
        element: Element,
        ty: Type,
        value: Option<Cow<'a, str>>,
        offset: usize,
    ) -> u32 {
        let id = u32::try_from(self.nodes.len()).unwrap_or(NONE);
        self.nodes.push(NodeData {
            element: Some(element),
            ty,
            value,
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            offset: u32::try_from(offset).unwrap_or(u32::MAX),
            index: 0,
        });
        let parent_ty = self.nodes[parent as usize].ty;
        let order = parent_ty.element_index(element);
        let order_of = |doc: &Self, n: u32| {
            doc.nodes[n as usize]
                .element
                .map_or(0, |e| parent_ty.element_index(e))
        };
        let last = self.nodes[parent as usize].last_child;
        // Repetitions of an element are adjacent (children are in definition order), so the
        // new node's index follows the sibling just before it.
        let index_after = |doc: &Self, prev: u32| {
            doc.nodes
                .get(prev as usize)
                .filter(|p| p.element == Some(element))
                .map_or(0, |p| p.index + 1)
        };
        if last == NONE {
            let p = &mut self.nodes[parent as usize];
            p.first_child = id;
            p.last_child = id;
        } else if order_of(self, last) <= order {
            self.nodes[id as usize].index = index_after(self, last);
            self.nodes[last as usize].next_sibling = id;
            self.nodes[parent as usize].last_child = id;
        } else {
            let mut prev = NONE;
            let mut c = self.nodes[parent as usize].first_child;
            // Out-of-order repetitions of one element (each one a problem of lenient reading)
            // would otherwise walk over all those before them.
            if let Some((p, hint)) = self.inserted {
                if p == parent && self.nodes[hint as usize].element == Some(element) {
                    prev = hint;
                    c = self.nodes[hint as usize].next_sibling;
                }
            }
            while c != NONE && order_of(self, c) <= order {
                prev = c;
                c = self.nodes[c as usize].next_sibling;
            }
            self.inserted = Some((parent, id));
            self.nodes[id as usize].next_sibling = c;
            self.nodes[id as usize].index = index_after(self, prev);
            if prev == NONE {
                self.nodes[parent as usize].first_child = id;
            } else {
                self.nodes[prev as usize].next_sibling = id;
            }
        }
        id
    }

    /// Removes `child` from its parent's list of children (the node stays in the arena, orphaned).
    pub(crate) fn unlink(&mut self, child: u32) {
        let parent = self.nodes[child as usize].parent;
        if parent == NONE {
            return;
        }
        self.unlink_all(parent, &[child]);
    }

    /// Removes every node of `children` (sorted ids, all children of `parent`) from its list of
    /// children, in one pass.
    pub(crate) fn unlink_all(&mut self, parent: u32, children: &[u32]) {
        self.inserted = None;
        let kids: Vec<u32> = self
            .child_ids(parent)
            .filter(|c| children.binary_search(c).is_err())
            .collect();
        self.relink(parent, kids.into_iter());
        for &c in children {
            self.nodes[c as usize].parent = NONE;
        }
    }

    fn relink(&mut self, parent: u32, kids: impl Iterator<Item = u32>) {
        let mut first = NONE;
        let mut last = NONE;
        for id in kids {
            if last == NONE {
                first = id;
                self.nodes[id as usize].index = 0;
            } else {
                self.nodes[last as usize].next_sibling = id;
                let same = self.nodes[last as usize].element == self.nodes[id as usize].element;
                self.nodes[id as usize].index = if same {
                    self.nodes[last as usize].index + 1
                } else {
                    0
                };
            }
            last = id;
        }
        if last != NONE {
            self.nodes[last as usize].next_sibling = NONE;
        }
        let p = &mut self.nodes[parent as usize];
        p.first_child = first;
        p.last_child = last;
    }

    pub(crate) fn child_ids(&self, parent: u32) -> impl Iterator<Item = u32> + '_ {
        let mut c = self.nodes[parent as usize].first_child;
        std::iter::from_fn(move || {
            (c != NONE).then(|| {
                let id = c;
                c = self.nodes[c as usize].next_sibling;
                id
            })
        })
    }

    /// Appends a child element to `parent`, at its place in definition order (after existing
    /// repetitions of the same element). `ty` must be one of the element's types (for a choice,
    /// the chosen one; for `resource`/`contained`, the resource type); `value` is the exact
    /// lexical value of a primitive, or `None`.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] when the parent's type has no such element or the type does not fit.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::model::{Document, Type};
    /// let mut doc = Document::new(Type::resource("Observation").unwrap());
    /// let root = doc.root().id();
    /// let value = doc.append(root, "value", Type::by_name("Quantity"), None).unwrap();
    /// doc.append_value(value, "value", "1.50").unwrap();
    /// assert_eq!(
    ///     medcom::json::to_string(&doc),
    ///     r#"{"resourceType":"Observation","valueQuantity":{"value":1.50}}"#
    /// );
    /// ```
    pub fn append(
        &mut self,
        parent: NodeId,
        name: &str,
        ty: Option<Type>,
        value: Option<Cow<'a, str>>,
    ) -> Result<NodeId, BuildError> {
        let parent_ty = self.nodes[parent.0 as usize].ty;
        let element = parent_ty
            .element(name)
            .ok_or_else(|| BuildError::UnknownElement {
                name: name.to_owned(),
                parent: parent_ty.name(),
            })?;
        let ty = match ty {
            Some(t) => {
                let fits = element
                    .types()
                    .any(|allowed| t == allowed || t.is_a(allowed));
                if !fits || (element.holds_resource() && t.is_abstract()) {
                    return Err(BuildError::WrongType {
                        element: element.name(),
                        ty: t.name(),
                    });
                }
                t
            }
            None => element
                .single_type()
                .filter(|t| !element.holds_resource() && !element.is_choice() && !t.is_abstract())
                .ok_or(BuildError::WrongType {
                    element: element.name(),
                    ty: "(none given)",
                })?,
        };
        if value.is_some() && ty.primitive().is_none() {
            return Err(BuildError::Value {
                element: element.name(),
            });
        }
        let id = self.push(parent.0, element, ty, value, 0);
        Ok(NodeId(id))
    }

    /// Appends a primitive child with a value; see [`Self::append`].
    ///
    /// # Errors
    ///
    /// As [`Self::append`].
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::model::{Document, Type};
    /// let mut doc = Document::new(Type::resource("Patient").unwrap());
    /// let root = doc.root().id();
    /// doc.append_value(root, "active", "true").unwrap();
    /// assert_eq!(doc.root().child("active").unwrap().value(), Some("true"));
    /// ```
    pub fn append_value(
        &mut self,
        parent: NodeId,
        name: &str,
        value: impl Into<Cow<'a, str>>,
    ) -> Result<NodeId, BuildError> {
        self.append(parent, name, None, Some(value.into()))
    }

    /// Replaces the value of a primitive node.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::model::{Document, Type};
    /// let mut doc = Document::new(Type::resource("Patient").unwrap());
    /// let root = doc.root().id();
    /// let active = doc.append_value(root, "active", "true").unwrap();
    /// doc.set_value(active, Some("false".into()));
    /// assert_eq!(doc.node(active).value(), Some("false"));
    /// ```
    pub fn set_value(&mut self, node: NodeId, value: Option<Cow<'a, str>>) {
        if let Some(n) = self.nodes.get_mut(node.0 as usize) {
            n.value = value;
            // A changed narrative is scanned again when asked.
            if let Ok(i) = self.narratives.binary_search_by_key(&node.0, |(n, _)| *n) {
                self.narratives.remove(i);
            }
        }
    }

    /// Removes a node (and so its subtree) from the tree.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::model::{Document, Type};
    /// let mut doc = Document::new(Type::resource("Patient").unwrap());
    /// let root = doc.root().id();
    /// let active = doc.append_value(root, "active", "true").unwrap();
    /// doc.remove(active);
    /// assert!(doc.root().child("active").is_none());
    /// ```
    pub fn remove(&mut self, node: NodeId) {
        if node.0 != 0 && (node.0 as usize) < self.nodes.len() {
            self.unlink(node.0);
        }
    }
}

/// A view of one element of a [`Document`].
#[derive(Clone, Copy)]
pub struct Node<'d, 'a> {
    doc: &'d Document<'a>,
    id: u32,
}

impl fmt::Debug for Node<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Node({} : {})", self.path(), self.ty().name())
    }
}

impl PartialEq for Node<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.doc, other.doc) && self.id == other.id
    }
}

impl Eq for Node<'_, '_> {}

impl<'d, 'a> Node<'d, 'a> {
    fn data(&self) -> &'d NodeData<'a> {
        &self.doc.nodes[self.id as usize]
    }

    /// The node's id in its document.
    #[must_use]
    pub fn id(&self) -> NodeId {
        NodeId(self.id)
    }

    /// The document the node belongs to.
    #[must_use]
    pub fn document(&self) -> &'d Document<'a> {
        self.doc
    }

    /// The element name (without a choice suffix); the resource type for the root.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.data()
            .element
            .map_or_else(|| self.ty().name(), Element::name)
    }

    /// The element definition; `None` for the root resource.
    #[must_use]
    pub fn element(&self) -> Option<Element> {
        self.data().element
    }

    /// The concrete type: for a choice the chosen type, for a resource its resource type.
    #[must_use]
    pub fn ty(&self) -> Type {
        self.data().ty
    }

    /// Whether the node is a whole resource (the root, an entry's `resource`, `contained`).
    #[must_use]
    pub fn is_resource(&self) -> bool {
        self.ty().is_resource()
    }

    /// The primitive value as exact lexical text (for the narrative `div`, the XHTML).
    #[must_use]
    pub fn value(&self) -> Option<&'d str> {
        self.data().value.as_deref()
    }

    /// The facts the reader recorded for this narrative `div`, if it recorded any.
    pub(crate) fn recorded_narrative(&self) -> Option<NarrativeFacts> {
        let recorded = &self.doc.narratives;
        let i = recorded.binary_search_by_key(&self.id, |(n, _)| *n).ok()?;
        Some(recorded[i].1)
    }

    /// The parent element.
    #[must_use]
    pub fn parent(&self) -> Option<Self> {
        let p = self.data().parent;
        (p != NONE).then_some(Self {
            doc: self.doc,
            id: p,
        })
    }

    /// The children in definition order.
    pub fn children(&self) -> Children<'d, 'a> {
        Children {
            doc: self.doc,
            next: self.data().first_child,
        }
    }

    /// This node and its following siblings.
    pub(crate) fn siblings_from(&self) -> Children<'d, 'a> {
        Children {
            doc: self.doc,
            next: self.id,
        }
    }

    /// The children of one element name (the base name for a choice).
    pub fn children_named<'n>(&self, name: &'n str) -> impl Iterator<Item = Node<'d, 'a>> + 'n
    where
        'd: 'n,
        'a: 'n,
    {
        self.children().filter(move |c| c.name() == name)
    }

    /// The first child of that name.
    #[must_use]
    pub fn child(&self, name: &str) -> Option<Self> {
        self.children().find(|c| c.name() == name)
    }

    /// The value of the first child of that name.
    #[must_use]
    pub fn child_value(&self, name: &str) -> Option<&'d str> {
        self.child(name).and_then(|c| c.value())
    }

    /// The nearest resource at or above this node.
    #[must_use]
    pub fn resource(&self) -> Self {
        let mut n = *self;
        while !n.is_resource() {
            match n.parent() {
                Some(p) => n = p,
                None => break,
            }
        }
        n
    }

    /// Byte offset in the source where the element starts.
    #[must_use]
    pub fn offset(&self) -> usize {
        self.data().offset as usize
    }

    /// Byte offset, line and column in the source where the element starts.
    #[must_use]
    pub fn position(&self) -> Position {
        self.doc.position_of(self.data().offset)
    }

    /// Index of this node among its parent's children of the same element.
    #[must_use]
    pub fn index(&self) -> usize {
        if self.parent().is_none() {
            return 0;
        }
        self.data().index as usize
    }

    /// The FHIRPath-style location, e.g. `Bundle.entry[2].resource.identifier[0].value`.
    /// Repeating elements carry an index; a choice is written `value.ofType(Quantity)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let doc = medcom::json::parse(
    ///     r#"{"resourceType":"Observation","identifier":[{"value":"a"}],"valueQuantity":{"value":1}}"#,
    /// ).unwrap();
    /// let root = doc.root();
    /// assert_eq!(root.child("identifier").unwrap().child("value").unwrap().path(),
    ///     "Observation.identifier[0].value");
    /// assert_eq!(root.child("value").unwrap().path(), "Observation.value.ofType(Quantity)");
    /// ```
    #[must_use]
    pub fn path(&self) -> String {
        let mut chain = Vec::new();
        let mut n = *self;
        while let Some(p) = n.parent() {
            chain.push(n);
            n = p;
        }
        let mut out = String::from(n.ty().name());
        for node in chain.iter().rev() {
            let element = node.data().element;
            out.push('.');
            out.push_str(node.name());
            if element.is_some_and(Element::is_array) {
                let _ = write!(out, "[{}]", node.index());
            }
            if element.is_some_and(Element::is_choice) {
                let _ = write!(out, ".ofType({})", node.ty().name());
            }
        }
        out
    }

    /// The name as serialized: `valueQuantity` for a choice, otherwise [`Self::name`].
    #[must_use]
    pub fn wire_name(&self) -> Cow<'static, str> {
        match self.data().element {
            Some(e) if e.is_choice() => {
                let mut s = String::new();
                choice_wire_name(e.name(), self.ty(), &mut s);
                Cow::Owned(s)
            }
            _ => Cow::Borrowed(self.name()),
        }
    }
}

/// Iterator over a node's children.
#[derive(Clone, Debug)]
pub struct Children<'d, 'a> {
    doc: &'d Document<'a>,
    next: u32,
}

impl<'d, 'a> Iterator for Children<'d, 'a> {
    type Item = Node<'d, 'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next == NONE {
            return None;
        }
        let id = self.next;
        self.next = self.doc.nodes[id as usize].next_sibling;
        Some(Node { doc: self.doc, id })
    }
}

/// Whether two subtrees hold the same elements, types and values in the same order (positions
/// aside).
///
/// # Examples
///
/// ```
/// let a = medcom::xml::parse(r#"<Basic xmlns="http://hl7.org/fhir"><id value="x"/></Basic>"#).unwrap();
/// let b = medcom::json::parse(r#"{"resourceType":"Basic","id":"x"}"#).unwrap();
/// assert!(medcom::model::same_content(a.root(), b.root()));
/// ```
#[must_use]
pub fn same_content(a: Node<'_, '_>, b: Node<'_, '_>) -> bool {
    if a.element() != b.element() || a.ty() != b.ty() || a.value() != b.value() {
        return false;
    }
    let mut ca = a.children();
    let mut cb = b.children();
    loop {
        match (ca.next(), cb.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if same_content(x, y) => {}
            _ => return false,
        }
    }
}

/// What the R4 narrative invariants ask of a well-formed narrative, gathered by the same pass:
/// `txt-1` (only the basic HTML formatting elements and attributes) and `txt-2` (some
/// non-whitespace content). The lists are those of the invariants' XPath in the R4 core
/// package: element local names, attribute names as written (prefix and all); namespace
/// declarations are not attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NarrativeFacts {
    /// Every element and attribute is one `txt-1` allows.
    pub only_allowed: bool,
    /// Some text is not XML whitespace, or an `img` has a `src` (`txt-2`).
    pub has_content: bool,
}
