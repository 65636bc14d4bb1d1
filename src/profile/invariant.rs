//! Invariants through `medcom::fhirpath` (compiled once per rule file), with `conformsTo()` and
//! `memberOf()` answered by the engine; `ele-1` and `ext-1`, which every element and extension
//! carries, are checked natively in one pass over the tree.

use super::check::Checker;
use crate::fhirpath::{EvalContext, HookError, Hooks, Item};
use crate::finding::{Finding, Severity};
use crate::model::Node;

const ELE_1: &str = "http://hl7.org/fhir/StructureDefinition/Element#ele-1";
const EXT_1: &str = "http://hl7.org/fhir/StructureDefinition/Extension#ext-1";

/// The engine's answers to `conformsTo()` and `memberOf()`.
struct EngineHooks<'c, 'r, 'd, 'a> {
    checker: &'c Checker<'r, 'd, 'a>,
}

impl Hooks for EngineHooks<'_, '_, '_, '_> {
    fn conforms_to(&self, node: Node<'_, '_>, url: &str) -> Result<bool, HookError> {
        let Some(p) = self.checker.rules.profile(url) else {
            // Core definitions: the type decides.
            if let Some(t) = url
                .strip_prefix("http://hl7.org/fhir/StructureDefinition/")
                .and_then(crate::model::Type::by_name)
            {
                return Ok(node.ty().is_a(t));
            }
            return Err(HookError::Unavailable {
                what: "profile",
                url: url.to_owned(),
            });
        };
        // The hook sees nodes of the same document; find ours by id.
        let same = std::ptr::eq(
            (node.document() as *const crate::model::Document<'_>).cast::<()>(),
            (self.checker.bundle.document() as *const crate::model::Document<'_>).cast::<()>(),
        );
        if !same {
            return Err(HookError::Unanswerable(
                "node from another document".to_owned(),
            ));
        }
        let node = self.checker.bundle.document().node(node.id());
        Ok(self.checker.conforms(node, p))
    }

    fn member_of(&self, item: &Item<'_, '_>, value_set: &str) -> Result<bool, HookError> {
        let vs = self
            .checker
            .rules
            .value_set(value_set)
            .and_then(|i| self.checker.rules.value_sets.get(i))
            .ok_or_else(|| HookError::Unavailable {
                what: "value set",
                url: value_set.to_owned(),
            })?;
        let answer = match item {
            Item::Node(n) => match n.ty().name() {
                "CodeableConcept" => {
                    let mut any = Some(false);
                    for c in n.children_named("coding") {
                        match c
                            .child_value("code")
                            .map(|k| vs.contains(c.child_value("system"), k))
                        {
                            Some(Some(true)) => {
                                any = Some(true);
                                break;
                            }
                            Some(None) => any = None,
                            _ => {}
                        }
                    }
                    any
                }
                "Coding" => n
                    .child_value("code")
                    .map_or(Some(false), |k| vs.contains(n.child_value("system"), k)),
                _ => n.value().map_or(Some(false), |k| vs.contains(None, k)),
            },
            other => vs.contains(None, &other.to_string()),
        };
        answer.ok_or_else(|| HookError::Unavailable {
            what: "a code system of value set",
            url: value_set.to_owned(),
        })
    }
}

impl<'d, 'a> Checker<'_, 'd, 'a> {
    pub(crate) fn invariants(&self, node: Node<'d, 'a>, keys: &[usize], out: &mut Vec<Finding>) {
        if keys.is_empty() {
            return;
        }
        let hooks = EngineHooks { checker: self };
        let options = crate::fhirpath::EvalOptions::default().with_as_filters(true);
        let resource = node.resource();
        for &k in keys {
            let Some(c) = self.rules.constraints.get(k) else {
                continue;
            };
            let Some(expr) = c.expr.compiled() else {
                out.push(self.finding(
                    "fhir-invariant-unsupported",
                    Severity::Warning,
                    node,
                    node.path(),
                    format!(
                        "invariant {} could not be compiled, so it was not checked",
                        c.key
                    ),
                    &c.rule,
                ));
                continue;
            };
            let ctx = || {
                EvalContext::new(resource)
                    .with_context(node)
                    .with_root_resource(self.bundle)
                    .with_hooks(&hooks)
                    .with_options(options.clone())
            };
            let native = c.native.and_then(|n| (n.answer)(node));
            let whole = c.native.is_some_and(|n| n.whole);
            if let (Some(answer), Some(log), true) = (native, &self.disagreements, whole) {
                let fhirpath = expr.holds(&ctx());
                if fhirpath.as_ref().ok() != Some(&answer) {
                    log.borrow_mut().push(format!(
                        "{} at {}: native {answer}, FHIRPath {fhirpath:?}",
                        c.key,
                        node.path()
                    ));
                }
            }
            let verdict = match native {
                Some(answer) => Ok(answer),
                None => expr.holds(&ctx()),
            };
            match verdict {
                Ok(true) => {}
                Ok(false) => out.push(self.finding(
                    "fhir-invariant",
                    if c.error {
                        Severity::Error
                    } else {
                        Severity::Warning
                    },
                    node,
                    node.path(),
                    format!("{}: {}", c.key, c.human),
                    &c.rule,
                )),
                Err(e) => {
                    let unavailable = e.to_string().contains("not available");
                    out.push(self.finding(
                        if unavailable {
                            "fhir-binding-unavailable"
                        } else {
                            "fhir-invariant-error"
                        },
                        if unavailable {
                            Severity::Information
                        } else {
                            Severity::Warning
                        },
                        node,
                        node.path(),
                        format!("invariant {} could not be evaluated: {e}", c.key),
                        &c.rule,
                    ));
                }
            }
        }
    }

    /// `ele-1` (every element has a value or children) and `ext-1` (an extension has either a
    /// value or nested extensions, not both) over the whole tree.
    pub(crate) fn native_invariants(
        &self,
        node: Node<'d, 'a>,
        out: &mut Vec<Finding>,
        depth: usize,
    ) {
        if depth > 128 {
            return;
        }
        for c in node.children() {
            if c.is_resource() {
                self.native_invariants(c, out, depth + 1);
                continue;
            }
            if c.value().is_none() && !c.children().any(|k| k.name() != "id") {
                out.push(self.finding(
                    "fhir-invariant",
                    Severity::Error,
                    c,
                    c.path(),
                    "ele-1: All FHIR elements must have a @value or children".to_owned(),
                    ELE_1,
                ));
            }
            if c.ty().is_extension() {
                let has_ext = c.child("extension").is_some();
                let has_value = c.child("value").is_some();
                if has_ext == has_value {
                    out.push(self.finding(
                        "fhir-invariant",
                        Severity::Error,
                        c,
                        c.path(),
                        "ext-1: Must have either extensions or value[x], not both".to_owned(),
                        EXT_1,
                    ));
                }
            }
            self.native_invariants(c, out, depth + 1);
        }
    }
}
