//! The walk: one instance node against one element definition, then its children against the
//! definition's children (cardinality, types, fixed and pattern values, `maxLength`), handing
//! slicing, bindings, invariants and references to their own modules.

use std::cell::RefCell;

use serde_json::Value;
use smallvec::SmallVec;

use super::rules::{Elem, FastMap, FastSet, Rules, TypeRule};
use crate::finding::{Finding, Severity};
use crate::model::{MessageView, Node, NodeId, TypeKind};

/// Deepest element nesting the walk follows (the readers bound depth too).
const MAX_DEPTH: usize = 96;

/// State of one `Engine::check`.
pub(crate) struct Checker<'r, 'd, 'a> {
    pub(crate) rules: &'r Rules,
    pub(crate) bundle: Node<'d, 'a>,
    pub(crate) entries: MessageView<'d, 'a>,
    /// Resources still to validate against a profile, and those done.
    pub(crate) pending: RefCell<Vec<(NodeId, usize)>>,
    pub(crate) done: RefCell<FastSet<(NodeId, usize)>>,
    /// `conformsTo` answers (and checks under way, which count as conforming).
    pub(crate) memo: RefCell<FastMap<(NodeId, usize), bool>>,
    /// Every (node, profile, element) visited, when recording for mutation tests.
    pub(crate) visits: Option<RefCell<Vec<(NodeId, usize, usize)>>>,
    /// Where native invariant answers disagree with FHIRPath, when comparing both.
    pub(crate) disagreements: Option<RefCell<Vec<String>>>,
}

pub(crate) fn location_of_missing(parent: Node<'_, '_>, name: &str) -> String {
    let mut s = parent.path();
    s.push('.');
    s.push_str(name);
    s
}

impl<'r, 'd, 'a> Checker<'r, 'd, 'a> {
    pub(crate) fn new(rules: &'r Rules, bundle: Node<'d, 'a>) -> Self {
        Self {
            rules,
            bundle,
            entries: MessageView::new(bundle),
            pending: RefCell::new(Vec::new()),
            done: RefCell::new(FastSet::default()),
            memo: RefCell::new(FastMap::default()),
            visits: None,
            disagreements: None,
        }
    }

    pub(crate) fn finding(
        &self,
        code: &'static str,
        severity: Severity,
        node: Node<'d, 'a>,
        location: String,
        message: String,
        rule: &str,
    ) -> Finding {
        Finding::new(code, severity, location, message)
            .with_position(node.position())
            .with_rule(rule)
    }

    /// Validates a resource against a profile once (pushing its findings).
    pub(crate) fn resource(&self, node: Node<'d, 'a>, profile: usize, out: &mut Vec<Finding>) {
        if !self.done.borrow_mut().insert((node.id(), profile)) {
            return;
        }
        self.element(node, profile, 0, out, 0);
    }

    /// Whether a node conforms to a profile (no errors), memoized.
    pub(crate) fn conforms(&self, node: Node<'d, 'a>, profile: usize) -> bool {
        let key = (node.id(), profile);
        if let Some(&known) = self.memo.borrow().get(&key) {
            return known;
        }
        // A check under way counts as conforming, so cycles end.
        self.memo.borrow_mut().insert(key, true);
        let mut scratch = Vec::new();
        let saved = self.pending.borrow().len();
        self.element(node, profile, 0, &mut scratch, 0);
        self.pending.borrow_mut().truncate(saved);
        let ok = !scratch.iter().any(|f| f.severity() == Severity::Error);
        self.memo.borrow_mut().insert(key, ok);
        ok
    }

    /// One node against one element definition.
    pub(crate) fn element(
        &self,
        node: Node<'d, 'a>,
        pi: usize,
        ei: usize,
        out: &mut Vec<Finding>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let profile = &self.rules.profiles[pi];
        let Some(e) = profile.elems.get(ei) else {
            return;
        };
        if let Some(v) = &self.visits {
            v.borrow_mut().push((node.id(), pi, ei));
        }
        let is_root_resource = ei == 0 && node.is_resource();
        if !is_root_resource {
            self.types(node, e, &profile.url, out);
        }
        if let Some(v) = &e.fixed {
            if !matches_value(node, v, true) {
                out.push(self.finding(
                    "fhir-fixed",
                    Severity::Error,
                    node,
                    node.path(),
                    format!("value does not equal the fixed value of {}", e.id),
                    &profile.url,
                ));
            }
        }
        if let Some(v) = &e.pattern {
            if !matches_value(node, v, false) {
                out.push(self.finding(
                    "fhir-pattern",
                    Severity::Error,
                    node,
                    node.path(),
                    format!("value does not match the pattern of {}", e.id),
                    &profile.url,
                ));
            }
        }
        if let (Some(limit), Some(value)) = (e.max_length, node.value()) {
            if value.chars().count() > limit {
                out.push(
                    self.finding(
                        "fhir-max-length",
                        Severity::Error,
                        node,
                        node.path(),
                        format!("value is longer than {limit} characters ({})", e.id),
                        &profile.url,
                    )
                    .with_value(value),
                );
            }
        }
        if let Some((required, vs)) = e.binding {
            self.binding(node, required, vs, &profile.url, out);
        }
        self.invariants(node, &e.constraints, out);
        let ty = node.ty();
        if ty.kind() == TypeKind::Complex {
            if ei != 0 && !e.children.is_empty() {
                // A profiled datatype element lists its own children, not its type's invariants.
                self.type_invariants(node, pi, out);
            }
            // Once per node: at the root of its definition, or where a profile expands it.
            if (ei == 0 || !e.children.is_empty()) && ty.name() == "Attachment" {
                self.attachment(node, out);
            }
        }
        // Profiles and reference targets of the node's type.
        for t in &e.types {
            if !(t.ty == Some(ty) || e.types.len() == 1) {
                continue;
            }
            if !t.targets.is_empty() || t.bundled {
                self.reference(node, t, &profile.url, out);
            }
            if node.is_resource() && !is_root_resource {
                // A resource inside (an entry, a contained one) is validated on its own.
                for p in t.profile_ids.iter().flatten() {
                    self.pending.borrow_mut().push((node.id(), *p));
                }
                continue;
            }
            self.type_profiles(node, t, &profile.url, out, depth);
        }
        if node.is_resource() && !is_root_resource {
            return;
        }
        if !e.children.is_empty() {
            self.children(node, pi, &e.children, out, depth);
        } else if ei == 0 {
            self.children(node, pi, &[], out, depth);
        } else if node.ty().primitive().is_none() || node.children().next().is_some() {
            // Even an empty complex element has required children to miss.
            self.fallback(node, out, depth);
        }
    }

    /// The invariants of a node's datatype (its core definition's root), for an element whose
    /// profile expands it in place.
    fn type_invariants(&self, node: Node<'d, 'a>, pi: usize, out: &mut Vec<Finding>) {
        let Some(&core) = self.rules.core.get(node.ty().name()) else {
            return;
        };
        if core != pi {
            if let Some(root) = self.rules.profiles[core].elems.first() {
                self.invariants(node, &root.constraints, out);
            }
        }
    }

    /// A node's type profiles (an extension's definition, a profiled datatype).
    fn type_profiles(
        &self,
        node: Node<'d, 'a>,
        t: &TypeRule,
        from: &str,
        out: &mut Vec<Finding>,
        depth: usize,
    ) {
        match (&t.profiles[..], &t.profile_ids[..]) {
            ([], _) => {}
            ([one], [id]) => match *id {
                Some(p) => self.element(node, p, 0, out, depth + 1),
                None => out.push(self.finding(
                    "fhir-profile-unknown",
                    Severity::Warning,
                    node,
                    node.path(),
                    format!("profile {one} is not available, so it was not checked"),
                    from,
                )),
            },
            _ => {
                let mut known = t.profile_ids.iter().flatten().peekable();
                if known.peek().is_some() && !known.any(|&p| self.conforms(node, p)) {
                    out.push(self.finding(
                        "fhir-type",
                        Severity::Error,
                        node,
                        node.path(),
                        "element conforms to none of its allowed profiles".to_owned(),
                        from,
                    ));
                }
            }
        }
    }

    /// The type must be one the definition allows (a profile may narrow a choice).
    fn types(&self, node: Node<'d, 'a>, e: &Elem, rule: &str, out: &mut Vec<Finding>) {
        if e.types.len() < 2 && !node.element().is_some_and(crate::model::Element::is_choice) {
            return;
        }
        let ty = node.ty();
        let ok = e
            .types
            .iter()
            .any(|t| t.code == "Resource" || t.ty.is_some_and(|allowed| ty.is_a(allowed)));
        if !ok && !e.types.is_empty() {
            out.push(self.finding(
                "fhir-type",
                Severity::Error,
                node,
                node.path(),
                format!("type {} is not allowed for {}", ty.name(), e.id),
                rule,
            ));
        }
    }

    /// Children of a node against a definition's children.
    pub(crate) fn children(
        &self,
        node: Node<'d, 'a>,
        pi: usize,
        defs: &[usize],
        out: &mut Vec<Finding>,
        depth: usize,
    ) {
        let profile = &self.rules.profiles[pi];
        // Children and definitions both come in definition order, so one forward search from
        // the last match finds each child's definition; the rest is a fallback for disorder.
        let mut matched: SmallVec<[(usize, Node<'d, 'a>); 16]> = SmallVec::new();
        let mut hint = 0;
        for child in node.children() {
            let name = child.name();
            let found = (hint..defs.len())
                .chain(0..hint)
                .find(|&k| profile.elems[defs[k]].name == name);
            match found {
                Some(k) => {
                    hint = k;
                    matched.push((k, child));
                }
                // Without a definition: extensions by URL, the rest against their type.
                None => self.undefined_child(child, out, depth),
            }
        }
        if !matched.is_sorted_by_key(|m| m.0) {
            matched.sort_by_key(|m| m.0);
        }
        let mut rest = &matched[..];
        for (k, &d) in defs.iter().enumerate() {
            let e = &profile.elems[d];
            let n = rest.iter().take_while(|m| m.0 == k).count();
            if n == 0 && !e.required {
                continue;
            }
            let (mine, later) = rest.split_at(n);
            rest = later;
            let count = u32::try_from(n).unwrap_or(u32::MAX);
            if count < e.min {
                out.push(self.finding(
                    "fhir-cardinality-min",
                    Severity::Error,
                    node,
                    location_of_missing(node, &e.name),
                    format!(
                        "{} has {count} item(s), at least {} required ({})",
                        e.name, e.min, e.id
                    ),
                    &profile.url,
                ));
            }
            if let Some(max) = e.max {
                if count > max {
                    let extra = mine[max as usize].1;
                    out.push(self.finding(
                        "fhir-cardinality-max",
                        Severity::Error,
                        extra,
                        extra.path(),
                        format!(
                            "{} has {count} item(s), at most {max} allowed ({})",
                            e.name, e.id
                        ),
                        &profile.url,
                    ));
                }
            }
            if e.slicing.is_some() || !e.slices.is_empty() {
                let kids: SmallVec<[Node<'d, 'a>; 8]> = mine.iter().map(|m| m.1).collect();
                self.sliced(node, &kids, pi, d, out, depth);
            } else {
                for &(_, kid) in mine {
                    self.element(kid, pi, d, out, depth + 1);
                }
            }
        }
    }

    /// A child the definition does not list (pruned as saying nothing, or an extension).
    pub(crate) fn undefined_child(
        &self,
        child: Node<'d, 'a>,
        out: &mut Vec<Finding>,
        depth: usize,
    ) {
        if child.is_resource() {
            return;
        }
        if child.ty().is_extension() {
            self.extension(child, out, depth);
        } else if child.children().next().is_some() {
            self.fallback(child, out, depth + 1);
        }
    }

    /// An extension no slice claims: checked against its definition when the URL is known.
    pub(crate) fn extension(&self, ext: Node<'d, 'a>, out: &mut Vec<Finding>, depth: usize) {
        let url = ext.child_value("url").unwrap_or("");
        match self.rules.profile(url) {
            Some(p) => {
                self.extension_context(ext, p, out);
                self.element(ext, p, 0, out, depth + 1);
            }
            None => {
                if let Some(&core) = self.rules.core.get("Extension") {
                    self.element(ext, core, 0, out, depth + 1);
                }
                if ext.name() == "modifierExtension" {
                    // It may change the meaning of what holds it: unknown, it cannot be read.
                    out.push(
                        self.finding(
                            "fhir-modifier-extension-unknown",
                            Severity::Error,
                            ext,
                            ext.path(),
                            "modifier extension definition is not available, so the element cannot be understood"
                                .to_owned(),
                            "http://hl7.org/fhir/StructureDefinition/Element",
                        )
                        .with_value(url),
                    );
                    return;
                }
                out.push(
                    self.finding(
                        "fhir-extension-unknown",
                        Severity::Warning,
                        ext,
                        ext.path(),
                        "extension definition is not available, so its content was not checked"
                            .to_owned(),
                        "http://hl7.org/fhir/StructureDefinition/Extension",
                    )
                    .with_value(url),
                );
            }
        }
    }

    /// A node no profile element expands: checked against the core definition of its type.
    pub(crate) fn fallback(&self, node: Node<'d, 'a>, out: &mut Vec<Finding>, depth: usize) {
        let ty = node.ty();
        match ty.kind() {
            TypeKind::Primitive(_) => {
                for c in node.children() {
                    if c.ty().is_extension() {
                        self.extension(c, out, depth + 1);
                    }
                }
            }
            TypeKind::Backbone => {
                let name = ty.name();
                let root = name.split('.').next().unwrap_or(name);
                if let Some(&core) = self.rules.core.get(root) {
                    if let Some(&ei) = self.rules.profiles[core].by_id.get(name) {
                        self.element(node, core, ei, out, depth + 1);
                        return;
                    }
                    let defs: Vec<usize> = Vec::new();
                    self.children(node, core, &defs, out, depth + 1);
                }
            }
            _ => match self.rules.core.get(ty.name()) {
                Some(&core) => self.element(node, core, 0, out, depth + 1),
                None => {
                    for c in node.children() {
                        self.undefined_child(c, out, depth + 1);
                    }
                }
            },
        }
    }
}

/// Whether a node matches a fixed (exact) or pattern (contains) value in FHIR JSON form.
pub(crate) fn matches_value(node: Node<'_, '_>, v: &Value, exact: bool) -> bool {
    match v {
        Value::Object(map) => {
            for (k, want) in map {
                if k == "resourceType" {
                    continue;
                }
                let kids: Vec<Node<'_, '_>> = match node.ty().element_for_wire_name(k) {
                    Some((el, _)) => node
                        .children()
                        .filter(|c| c.element() == Some(el))
                        .collect(),
                    None => return false,
                };
                match want {
                    Value::Array(items) => {
                        if exact && items.len() != kids.len() {
                            return false;
                        }
                        for item in items {
                            if !kids.iter().any(|k| matches_value(*k, item, exact)) {
                                return false;
                            }
                        }
                    }
                    other => {
                        if !kids.iter().any(|k| matches_value(*k, other, exact)) {
                            return false;
                        }
                    }
                }
            }
            if exact {
                // No elements beyond the fixed ones.
                return node.children().all(|c| {
                    let wire = c.wire_name();
                    map.contains_key(wire.as_ref())
                });
            }
            true
        }
        Value::String(s) => node.value() == Some(s.as_str()),
        Value::Bool(b) => node.value() == Some(if *b { "true" } else { "false" }),
        Value::Number(n) => node
            .value()
            .is_some_and(|x| x == n.to_string() || x.parse::<f64>().ok() == n.as_f64()),
        Value::Null | Value::Array(_) => false,
    }
}
