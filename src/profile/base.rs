//! Anything that is not a MedCom message: a resource of any type, or a Bundle of any type,
//! checked against the R4 core definitions and DK-core (the base rule file), plus the profiles
//! it declares in `meta.profile` wherever the engine knows them (the base rules, a MedCom
//! message stack, packages loaded at run time). Every resource inside (Bundle entries,
//! contained resources, resources in parameters) gets its core definition too.

use std::collections::HashSet;

use super::check::Checker;
use super::rules::Rules;
use super::{Detected, Engine, ProfileError, Source, Stack, StackInfo};
use crate::finding::{Finding, Severity};
use crate::model::{Document, Node, NodeId};

/// The base rules built into the crate.
const EMBEDDED: &str = include_str!("../../schemas/fhir/r4-base-4.0.1.json");

/// The base stack, read on first use.
pub(super) fn embedded() -> Option<Stack> {
    Some(Stack {
        info: StackInfo {
            name: crate::import::base::NAME.to_owned(),
            version: "4.0.1".to_owned(),
            event: String::new(),
            message: String::new(),
            definition: String::new(),
        },
        source: Source::Embedded(EMBEDDED),
        rules: std::sync::OnceLock::new(),
    })
}

/// Whether a document that names no known MedCom standard still claims to be a MedCom
/// message: a Bundle of type `message` without a MessageHeader, or whose event or profile is a
/// MedCom one. Such a Bundle is `fhir-message-unknown`; a message of another domain is checked
/// like any other Bundle.
pub(crate) fn claims_medcom(root: Node<'_, '_>) -> bool {
    if root.ty().name() != "Bundle" || root.child_value("type") != Some("message") {
        return false;
    }
    let medcom = |s: &str| s.starts_with("http://medcomfhir.dk/");
    let declares_medcom = |r: Node<'_, '_>| {
        r.child("meta").is_some_and(|m| {
            m.children_named("profile")
                .any(|p| p.value().is_some_and(medcom))
        })
    };
    if declares_medcom(root) {
        return true;
    }
    let Some(header) = super::detect::message_header(root) else {
        return true;
    };
    let Some(event) = header.child("event") else {
        return true;
    };
    declares_medcom(header)
        || event.child_value("system").is_none_or(medcom)
        || event.child_value("code").is_none()
}

impl Engine {
    fn base_rules(&self) -> Option<Result<&Rules, ProfileError>> {
        let stack = self.inner.base.as_ref()?;
        Some(
            stack
                .rules
                .get_or_init(|| {
                    let value = match &stack.source {
                        Source::Embedded(text) => serde_json::from_str(text)
                            .map_err(|e| ProfileError::new(format!("base rules: {e}")))?,
                        Source::Compiled(v) => (**v).clone(),
                    };
                    Rules::from_json(&value, &self.inner.cache)
                })
                .as_ref()
                .map_err(Clone::clone),
        )
    }

    /// Checks a document that is not a MedCom message against the base rules.
    pub(super) fn check_base(&self, doc: &Document<'_>, out: &mut Vec<Finding>) -> Detected {
        let root = doc.root();
        let rules = match self.base_rules() {
            Some(Ok(r)) => r,
            Some(Err(e)) => {
                out.push(Finding::new(
                    "fhir-rules-unavailable",
                    Severity::Error,
                    root.path(),
                    format!("the R4 core rules could not be read: {e}"),
                ));
                return Detected::default();
            }
            None => return Detected::default(),
        };
        if root.ty().name() == "Bundle"
            && root.child_value("type") == Some("message")
            && !claims_medcom(root)
        {
            out.push(
                Finding::new(
                    "fhir-message-unknown",
                    Severity::Warning,
                    root.path(),
                    "a FHIR message of no MedCom standard: checked against R4 core and the profiles it declares",
                )
                .with_position(root.position()),
            );
        }
        let mut found = Vec::new();
        self.validate_base(rules, doc, &mut found);
        let mut seen = HashSet::new();
        found.retain(|f| seen.insert((f.code(), f.location().to_owned(), f.message().to_owned())));
        out.extend(found);
        Detected::default()
    }

    fn validate_base(&self, rules: &Rules, doc: &Document<'_>, out: &mut Vec<Finding>) {
        let checker = Checker::new(rules, doc.root());
        self.validate_base_with(&checker, doc, out);
    }

    /// Whether a document is checked against the base rules (not a MedCom message), and the
    /// rules when they load.
    pub(super) fn base_for(&self, root: Node<'_, '_>) -> Option<&Rules> {
        if claims_medcom(root) {
            return None;
        }
        self.base_rules()?.ok()
    }

    pub(super) fn validate_base_with<'d, 'a>(
        &self,
        checker: &Checker<'_, 'd, 'a>,
        doc: &'d Document<'a>,
        out: &mut Vec<Finding>,
    ) {
        let root = doc.root();
        let rules = checker.rules;
        let resources = resources(root);
        for &res in &resources {
            self.declared(checker, res, out);
            if let Some(&core) = rules.core.get(res.ty().name()) {
                checker.resource(res, core, out);
            }
            drain(checker, doc, out);
        }
        super::bundle::links(checker, root, out);
        checker.native_invariants(root, out, 0);
    }

    /// The profiles a resource declares: from the base rules, else from the MedCom stack that
    /// defines it, else a warning.
    fn declared<'d, 'a>(
        &self,
        checker: &Checker<'_, 'd, 'a>,
        res: Node<'d, 'a>,
        out: &mut Vec<Finding>,
    ) {
        let Some(meta) = res.child("meta") else {
            return;
        };
        for p in meta.children_named("profile") {
            let Some(url) = p.value() else { continue };
            if let Some(pi) = checker.rules.profile(url) {
                if checker.rules.profiles[pi].type_name == res.ty().name() {
                    checker.pending.borrow_mut().push((res.id(), pi));
                    continue;
                }
            }
            if self.check_on_stack(res, url, out) {
                continue;
            }
            out.push(
                Finding::new(
                    "fhir-profile-unknown",
                    Severity::Warning,
                    p.path(),
                    "declared profile is not known, so it was not checked",
                )
                .with_position(p.position())
                .with_value(url),
            );
        }
    }

    /// The same engine with one more FHIR package (an npm tarball, `.tgz`, or an unpacked
    /// package folder), whose profiles resources that are not MedCom messages may declare in
    /// `meta.profile`. The package's profiles are checked with the value sets it holds; what
    /// they build on (R4 core, DK-core) is checked by the built-in base rules.
    ///
    /// # Errors
    ///
    /// A [`ProfileError`] when the package cannot be read or compiled.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = medcom::profile::Engine::embedded().unwrap();
    /// assert!(engine.with_package(std::path::Path::new("no-such-package.tgz")).is_err());
    /// ```
    pub fn with_package(&self, path: &std::path::Path) -> Result<Self, ProfileError> {
        let value = crate::import::base::compile_package(path)
            .map_err(|e| ProfileError::new(e.to_string()))?;
        let rules = Rules::from_json(&value, &self.inner.cache)?;
        let mut packages = (*self.packages).clone();
        packages.push(std::sync::Arc::new(rules));
        Ok(Self {
            inner: std::sync::Arc::clone(&self.inner),
            forced: self.forced,
            packages: std::sync::Arc::new(packages),
        })
    }

    /// Checks one resource against a profile of the first MedCom stack or loaded package that
    /// defines it.
    fn check_on_stack(&self, res: Node<'_, '_>, url: &str, out: &mut Vec<Finding>) -> bool {
        let stacks = (0..self.inner.stacks.len()).filter_map(|i| self.rules(i).ok());
        for rules in stacks.chain(self.packages.iter().map(|r| &**r)) {
            let Some(pi) = rules.profile(url) else {
                continue;
            };
            if rules.profiles[pi].type_name != res.ty().name() {
                continue;
            }
            let doc = res.document();
            let checker = Checker::new(rules, doc.root());
            checker.resource(res, pi, out);
            drain(&checker, doc, out);
            return true;
        }
        false
    }
}

/// Contained resources of a message's entries, against their core definitions (a profile
/// types `contained` as any Resource, so nothing else reaches them).
pub(super) fn contained(checker: &Checker<'_, '_, '_>, doc: &Document<'_>, out: &mut Vec<Finding>) {
    for (_, res) in checker.entries.resources() {
        for c in res.children_named("contained") {
            if let Some(&core) = checker.rules.core.get(c.ty().name()) {
                checker.resource(c, core, out);
            }
        }
    }
    drain(checker, doc, out);
}

/// Validates what the walk queued (profiles reached through references and types).
fn drain(checker: &Checker<'_, '_, '_>, doc: &Document<'_>, out: &mut Vec<Finding>) {
    loop {
        let next = checker.pending.borrow_mut().pop();
        let Some((id, p)) = next else { break };
        checker.resource(doc.node(id), p, out);
    }
}

/// Every resource in the document, the root first, in document order.
fn resources<'d, 'a>(root: Node<'d, 'a>) -> Vec<Node<'d, 'a>> {
    let mut out = Vec::new();
    let mut stack: Vec<Node<'d, 'a>> = vec![root];
    let mut seen: HashSet<NodeId> = HashSet::new();
    while let Some(n) = stack.pop() {
        if n.is_resource() && seen.insert(n.id()) {
            out.push(n);
        }
        let kids: Vec<Node<'d, 'a>> = n.children().collect();
        stack.extend(kids.into_iter().rev());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::Engine;

    /// Every invariant of the R4 core definitions and DK-core compiles (one that does not would
    /// be a `fhir-invariant-unsupported` warning instead of a check).
    #[test]
    fn every_base_invariant_compiles() {
        let engine = Engine::embedded().unwrap();
        let rules = engine.base_rules().unwrap().unwrap();
        assert!(rules.constraints.len() > 300, "{}", rules.constraints.len());
        let broken: Vec<String> = rules
            .constraints
            .iter()
            .filter(|c| c.expr.compiled().is_none())
            .map(|c| format!("{}: {}", c.key, c.expr.text()))
            .collect();
        assert!(broken.is_empty(), "{broken:#?}");
        assert!(rules.core.contains_key("Patient") && rules.core.contains_key("Period"));
    }
}
