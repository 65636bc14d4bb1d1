//! The validator: walks a `roxmltree` document against compiled [`Rules`].

use std::cell::RefCell;
use std::collections::HashMap;

use roxmltree::{Document, Node};

use super::content::{self, Outcome, Sym, FOREIGN_NS};
use super::rules::{
    Builtin, ComplexType, Content, NsConstraint, Particle, QName, Rules, Term, TypeRef,
};
use super::simple;
use crate::error::Position;
use crate::finding::{Finding, Severity};

/// The XML Schema instance namespace (`xsi:nil`, `xsi:schemaLocation`, …).
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Deepest element nesting validated; deeper content is reported once and skipped.
const MAX_DEPTH: usize = 256;

/// Validates a whole document against `rules`, starting from its root element.
pub(crate) fn document(rules: &Rules, doc: &Document<'_>, max: usize) -> Capped {
    with_memo(doc, || walk(rules, doc, max))
}

/// Findings up to a maximum, and a count of the rest: a document with a problem in every
/// element costs no more memory than one with `max`.
pub(crate) struct Capped {
    pub(crate) kept: Vec<Finding>,
    max: usize,
    pub(crate) left_out: usize,
    /// The most serious severity left out.
    pub(crate) worst: Severity,
}

impl Capped {
    pub(crate) fn new(max: usize) -> Self {
        Self {
            kept: Vec::new(),
            max,
            left_out: 0,
            worst: Severity::Information,
        }
    }

    pub(crate) fn push(&mut self, finding: Finding) {
        if self.kept.len() < self.max {
            self.kept.push(finding);
        } else {
            self.left_out += 1;
            self.worst = self.worst.min(finding.severity());
        }
    }

    /// The findings kept, then one `findings-truncated` finding when some were left out.
    pub(crate) fn finish(self) -> Vec<Finding> {
        let mut out = self.kept;
        if self.left_out > 0 {
            out.push(crate::finding::truncation(
                self.left_out,
                self.max,
                self.worst,
            ));
        }
        out
    }
}

fn walk(rules: &Rules, doc: &Document<'_>, max: usize) -> Capped {
    let root = doc.root_element();
    let mut w = Walker {
        rules,
        findings: Capped::new(max),
    };
    let ns = rules.ns_index(root.tag_name().namespace());
    let decl = rules.roots.iter().copied().find(|&r| {
        rules
            .elements
            .get(r as usize)
            .is_some_and(|e| Some(e.name.ns) == ns && &*e.name.local == root.tag_name().name())
    });
    match decl {
        Some(d) => w.element(root, d, 0),
        None => w.findings.push(
            finding(
                "xsd-unknown-root",
                root,
                path_of(root),
                "root element is not one these rules accept",
            )
            .with_rule(root_rule(rules)),
        ),
    }
    w.findings
}

fn root_rule(rules: &Rules) -> String {
    rules
        .root_names()
        .map(|(ns, n)| format!("{{{ns}}}{n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// An error finding at a node.
pub(crate) fn finding(
    code: &'static str,
    node: Node<'_, '_>,
    location: String,
    message: impl Into<String>,
) -> Finding {
    Finding::new(code, Severity::Error, location, message).with_position(position(node))
}

/// What a validation pass learns once about its document and reuses for every finding: the
/// line index, and each element's index among its same-named siblings. Without it a finding's
/// position would rescan the text and its path the siblings before it.
#[derive(Default)]
struct Memo {
    /// The document the memo is for (its address), while a pass runs.
    doc: Option<usize>,
    lines: Option<crate::lines::LineIndex>,
    /// By node id: 0 when not worked out yet, [`NO_INDEX`] for an element without same-named
    /// siblings, else its index among them (from 1).
    index: Vec<u32>,
}

/// See [`Memo::index`].
const NO_INDEX: u32 = u32::MAX;

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// Runs a validation pass over `doc` with the memo on; it is emptied before and after, so it
/// never outlives the document it describes.
pub(crate) fn with_memo<T>(doc: &Document<'_>, pass: impl FnOnce() -> T) -> T {
    let address = std::ptr::from_ref(doc) as usize;
    let outer = MEMO.with(|m| {
        let mut m = m.borrow_mut();
        let outer = m.doc;
        if outer != Some(address) {
            *m = Memo {
                doc: Some(address),
                ..Memo::default()
            };
        }
        outer
    });
    let result = pass();
    if outer != Some(address) {
        MEMO.with(|m| *m.borrow_mut() = Memo::default());
    }
    result
}

/// Whether the memo describes the document of `node`.
fn memo_holds(memo: &Memo, node: Node<'_, '_>) -> bool {
    memo.doc == Some(std::ptr::from_ref(node.document()) as usize)
}

/// The source position where a node starts.
pub(crate) fn position(node: Node<'_, '_>) -> Position {
    let text = node.document().input_text();
    let at = node.range().start;
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if !memo_holds(&m, node) {
            return Position::from_offset(text, at);
        }
        m.lines
            .get_or_insert_with(|| crate::lines::LineIndex::new(text))
            .position(text, at)
    })
}

/// The index (from 1) of an element among its same-named siblings, `None` when it has none.
fn sibling_index(node: Node<'_, '_>, parent: Node<'_, '_>) -> Option<u32> {
    let name = node.tag_name();
    let same = |c: &Node<'_, '_>| c.is_element() && c.tag_name() == name;
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if !memo_holds(&m, node) {
            parent.children().filter(same).nth(1)?;
            // `prev_siblings` starts with the node itself, so this counts from 1.
            return Some(u32::try_from(node.prev_siblings().filter(same).count()).unwrap_or(0));
        }
        let slot = |id: roxmltree::NodeId| id.get_usize();
        match m.index.get(slot(node.id())) {
            Some(&NO_INDEX) => return None,
            Some(&0) | None => {}
            Some(&known) => return Some(known),
        }
        // Every child of the parent at once, so that wide elements cost one pass.
        let mut counts: HashMap<(Option<&str>, &str), u32> = HashMap::new();
        if m.index.is_empty() {
            m.index = vec![0; node.document().descendants().count() + 1];
        }
        for k in parent.children().filter(Node::is_element) {
            let n = counts.entry(name_key(k)).or_insert(0);
            *n += 1;
            if let Some(s) = m.index.get_mut(slot(k.id())) {
                *s = *n;
            }
        }
        for k in parent.children().filter(Node::is_element) {
            let repeated = counts.get(&name_key(k)).is_some_and(|&c| c > 1);
            if let Some(s) = m.index.get_mut(slot(k.id())) {
                if !repeated {
                    *s = NO_INDEX;
                }
            }
        }
        match m.index.get(slot(node.id())) {
            Some(&NO_INDEX) | Some(&0) | None => None,
            Some(&known) => Some(known),
        }
    })
}

/// An element's expanded name, as a map key.
fn name_key<'a>(node: Node<'a, '_>) -> (Option<&'a str>, &'a str) {
    let name = node.tag_name();
    (name.namespace(), name.name())
}

/// The XPath-style location of an element: local names from the root, with a 1-based index
/// where an element has same-named siblings.
pub(crate) fn path_of(node: Node<'_, '_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for n in node.ancestors().filter(Node::is_element) {
        let name = n.tag_name();
        let mut part = name.name().to_owned();
        if let Some(parent) = n.parent_element() {
            if let Some(index) = sibling_index(n, parent) {
                part = format!("{part}[{index}]");
            }
        }
        parts.push(part);
    }
    parts.reverse();
    let mut out = String::new();
    for p in parts {
        out.push('/');
        out.push_str(&p);
    }
    out
}

/// The concatenated text children of an element.
fn text_of<'a>(node: Node<'a, '_>) -> std::borrow::Cow<'a, str> {
    let mut texts = node
        .children()
        .filter(Node::is_text)
        .filter_map(|t| t.text());
    let first = texts.next().unwrap_or("");
    match texts.next() {
        None => std::borrow::Cow::Borrowed(first),
        Some(second) => {
            let mut s = String::from(first);
            s.push_str(second);
            texts.for_each(|t| s.push_str(t));
            std::borrow::Cow::Owned(s)
        }
    }
}

fn is_blank(s: &str) -> bool {
    s.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

struct Walker<'r> {
    rules: &'r Rules,
    findings: Capped,
}

impl Walker<'_> {
    fn element(&mut self, node: Node<'_, '_>, decl: u32, depth: usize) {
        let rules = self.rules;
        let Some(d) = rules.elements.get(decl as usize) else {
            return;
        };
        if depth > MAX_DEPTH {
            self.findings.push(finding(
                "xsd-limit",
                node,
                path_of(node),
                "elements nested too deeply to validate",
            ));
            return;
        }
        let nil = node
            .attribute((XSI, "nil"))
            .is_some_and(|v| matches!(v.trim(), "true" | "1"));
        if nil && !d.nillable {
            self.findings.push(
                finding("xsd-nil", node, path_of(node), "element is not nillable")
                    .with_rule(d.name.local.to_string()),
            );
        }
        let index = match d.ty {
            TypeRef::Builtin(Builtin::AnyType) => return,
            TypeRef::Complex(c) => Some(c as usize),
            TypeRef::Builtin(_) | TypeRef::Simple(_) => None,
        };
        let complex = index.and_then(|i| rules.complex.get(i));
        self.attributes(node, complex);
        if nil {
            if node
                .children()
                .any(|c| c.is_element() || (c.is_text() && !c.text().is_some_and(is_blank)))
            {
                self.findings.push(finding(
                    "xsd-nil",
                    node,
                    path_of(node),
                    "a nil element must be empty",
                ));
            }
            return;
        }
        let Some(c) = complex else {
            self.simple_content(node, d.ty, d.fixed.as_deref(), &d.name.local);
            return;
        };
        match &c.content {
            Content::Any => {}
            Content::Empty => {
                self.no_children(node, &c.name);
                if !is_blank(&text_of(node)) {
                    self.text_not_allowed(node, &c.name);
                }
            }
            Content::Simple(t) => self.simple_content(node, *t, d.fixed.as_deref(), &c.name),
            Content::Elements { mixed, particle } => {
                if !mixed && !is_blank(&text_of(node)) {
                    self.text_not_allowed(node, &c.name);
                }
                let map = index.and_then(|i| rules.children.get(i));
                self.children(node, c, map.map_or(&[][..], Vec::as_slice), particle, depth);
            }
        }
    }

    fn text_not_allowed(&mut self, node: Node<'_, '_>, rule: &str) {
        self.findings.push(
            finding(
                "xsd-text-not-allowed",
                node,
                path_of(node),
                "element may contain only elements, not text",
            )
            .with_rule(rule.to_owned()),
        );
    }

    fn no_children(&mut self, node: Node<'_, '_>, rule: &str) {
        for child in node.children().filter(Node::is_element) {
            self.findings.push(
                finding(
                    "xsd-unexpected-element",
                    child,
                    path_of(child),
                    format!("element `{}` is not allowed here", child.tag_name().name()),
                )
                .with_rule(rule.to_owned()),
            );
        }
    }

    fn simple_content(&mut self, node: Node<'_, '_>, ty: TypeRef, fixed: Option<&str>, rule: &str) {
        self.no_children(node, rule);
        let text = text_of(node);
        self.value(node, || path_of(node), ty, &text, fixed);
    }

    /// Checks a value (element text or attribute) of a simple type, and a fixed value.
    fn value(
        &mut self,
        node: Node<'_, '_>,
        location: impl FnOnce() -> String,
        ty: TypeRef,
        raw: &str,
        fixed: Option<&str>,
    ) {
        if let Err(f) = simple::check(self.rules, ty, raw) {
            self.findings.push(
                finding(f.code, node, location(), f.message)
                    .with_rule(f.rule)
                    .with_value(raw),
            );
            return;
        }
        if let Some(fixed) = fixed {
            let (builtin, _) = simple::chain(self.rules, ty);
            let ws = if matches!(builtin, Builtin::String | Builtin::AnySimpleType) {
                super::rules::WhiteSpace::Preserve
            } else {
                super::rules::WhiteSpace::Collapse
            };
            if simple::normalize(raw, ws) != simple::normalize(fixed, ws) {
                self.findings.push(
                    finding(
                        "xsd-fixed",
                        node,
                        location(),
                        "value differs from the fixed value",
                    )
                    .with_rule(format!("fixed '{fixed}'"))
                    .with_value(raw),
                );
            }
        }
    }

    fn attributes(&mut self, node: Node<'_, '_>, complex: Option<&ComplexType>) {
        let rules = self.rules;
        let declared = complex.map_or(&[][..], |c| &c.attributes[..]);
        for a in node.attributes() {
            let location = || format!("{}/@{}", path_of(node), a.name());
            if a.namespace() == Some(XSI) {
                match a.name() {
                    "nil" | "schemaLocation" | "noNamespaceSchemaLocation" => {}
                    _ => self.findings.push(finding(
                        "xsd-xsi-type",
                        node,
                        location(),
                        "xsi:type is not supported: the declared type is used",
                    )),
                }
                continue;
            }
            let ns = rules.ns_index(a.namespace()).unwrap_or(FOREIGN_NS);
            match declared
                .iter()
                .find(|d| d.name.ns == ns && &*d.name.local == a.name())
            {
                Some(d) => self.value(node, location, d.ty, a.value(), d.fixed.as_deref()),
                None if complex.is_some_and(|c| c.any_attribute) => {}
                None => self.findings.push(
                    finding(
                        "xsd-unexpected-attribute",
                        node,
                        location(),
                        format!("attribute `{}` is not allowed here", a.name()),
                    )
                    .with_rule(complex.map_or_else(String::new, |c| c.name.to_string())),
                ),
            }
        }
        for d in declared.iter().filter(|d| d.required) {
            let ns = if d.name.ns == super::rules::NO_NS {
                None
            } else {
                Some(rules.namespace(d.name.ns))
            };
            let present = node
                .attributes()
                .any(|a| a.namespace() == ns && a.name() == &*d.name.local);
            if !present {
                self.findings.push(
                    finding(
                        "xsd-missing-attribute",
                        node,
                        path_of(node),
                        format!("missing attribute `{}`", d.name.local),
                    )
                    .with_rule(complex.map_or_else(String::new, |c| c.name.to_string())),
                );
            }
        }
    }

    fn children(
        &mut self,
        node: Node<'_, '_>,
        c: &ComplexType,
        map: &[(QName, u32)],
        particle: &Particle,
        depth: usize,
    ) {
        let rules = self.rules;
        // Ids rather than nodes: a wide element holds one of each per child.
        let doc = node.document();
        // Sized exactly: a list grown by doubling holds up to twice its length, and three
        // times while it moves.
        let count = node.children().filter(Node::is_element).count();
        let mut kids: Vec<roxmltree::NodeId> = Vec::with_capacity(count);
        kids.extend(node.children().filter(Node::is_element).map(|k| k.id()));
        let kid = |i: usize| kids.get(i).and_then(|&id| doc.get_node(id));
        let mut syms: Vec<Sym<'_>> = Vec::with_capacity(count);
        syms.extend(node.children().filter(Node::is_element).map(|k| {
            Sym {
                ns: rules
                    .ns_index(k.tag_name().namespace())
                    .unwrap_or(FOREIGN_NS),
                local: k.tag_name().name(),
            }
        }));
        let outcome = content::check(rules, particle, &syms);
        let mut reported = None;
        match outcome {
            Outcome::Valid => {}
            Outcome::Missing { before, decl } => {
                let name = rules
                    .elements
                    .get(decl as usize)
                    .map_or("?", |e| &*e.name.local);
                let at = kid(before).unwrap_or(node);
                self.findings.push(
                    Finding::new(
                        "xsd-missing-element",
                        Severity::Error,
                        path_of(node),
                        format!("missing element `{name}`"),
                    )
                    .with_position(position(at))
                    .with_rule(c.name.to_string()),
                );
            }
            Outcome::TooMany { child } => {
                if let Some(k) = kid(child) {
                    reported = Some(child);
                    self.findings.push(
                        finding(
                            "xsd-max-occurs",
                            k,
                            path_of(k),
                            format!(
                                "element `{}` occurs more often than allowed",
                                k.tag_name().name()
                            ),
                        )
                        .with_rule(c.name.to_string()),
                    );
                }
            }
            Outcome::Unexpected { child, expected } => {
                if let Some(k) = kid(child) {
                    reported = Some(child);
                    let mut names: Vec<&str> = expected
                        .iter()
                        .filter_map(|&e| rules.elements.get(e as usize))
                        .map(|e| &*e.name.local)
                        .collect();
                    names.dedup();
                    let local = k.tag_name().name();
                    let other_ns = expected
                        .iter()
                        .filter_map(|&e| rules.elements.get(e as usize))
                        .find(|e| &*e.name.local == local);
                    let expected = match other_ns {
                        Some(e) => format!(
                            "; expected it in namespace '{}', found '{}'",
                            rules.namespace(e.name.ns),
                            k.tag_name().namespace().unwrap_or("")
                        ),
                        None if names.is_empty() => String::new(),
                        None => format!("; expected {}", names.join(", ")),
                    };
                    self.findings.push(
                        finding(
                            "xsd-unexpected-element",
                            k,
                            path_of(k),
                            format!(
                                "element `{}` is not allowed here{expected}",
                                k.tag_name().name()
                            ),
                        )
                        .with_rule(c.name.to_string()),
                    );
                }
            }
            Outcome::Budget => self.findings.push(finding(
                "xsd-limit",
                node,
                path_of(node),
                "content too large to check against its content model",
            )),
        }
        for (i, (k, s)) in kids.iter().zip(&syms).enumerate() {
            let Some(k) = doc.get_node(*k) else {
                continue;
            };
            let k = &k;
            let local = map
                .binary_search_by(|(q, _)| (q.ns, &*q.local).cmp(&(s.ns, s.local)))
                .ok()
                .and_then(|j| map.get(j))
                .map(|m| m.1);
            if let Some(d) = local {
                self.element(*k, d, depth + 1);
                continue;
            }
            match wildcard_for(particle, s, 0) {
                Some(strict) => match self.global(s) {
                    Some(d) => self.element(*k, d, depth + 1),
                    None if strict => self.findings.push(finding(
                        "xsd-unexpected-element",
                        *k,
                        path_of(*k),
                        format!("element `{}` has no declaration", s.local),
                    )),
                    None => {}
                },
                None if reported != Some(i) => self.findings.push(
                    finding(
                        "xsd-unexpected-element",
                        *k,
                        path_of(*k),
                        format!("element `{}` is not allowed here", s.local),
                    )
                    .with_rule(c.name.to_string()),
                ),
                None => {}
            }
        }
    }

    fn global(&self, s: &Sym<'_>) -> Option<u32> {
        self.rules
            .elements
            .iter()
            .position(|e| e.global && e.name.ns == s.ns && &*e.name.local == s.local)
            .and_then(|i| u32::try_from(i).ok())
    }
}

/// Whether a wildcard in the model admits the child; `Some(strict)` when one does.
fn wildcard_for(p: &Particle, s: &Sym<'_>, depth: usize) -> Option<bool> {
    if depth > 64 {
        return None;
    }
    match &p.term {
        Term::Any(w) => {
            let ok = match &w.namespaces {
                NsConstraint::Any => true,
                NsConstraint::List(l) => l.contains(&s.ns),
                NsConstraint::Other(t) => s.ns != *t && s.ns != super::rules::NO_NS,
            };
            ok.then_some(w.strict)
        }
        Term::Element(_) => None,
        Term::All(ps) | Term::Choice(ps) | Term::Sequence(ps) => {
            ps.iter().find_map(|q| wildcard_for(q, s, depth + 1))
        }
    }
}
