//! The profile engine: validates a MedCom FHIR message against the StructureDefinitions,
//! ValueSets and CodeSystems of the version stack it claims.
//!
//! The rules come from the project's own compiled rule files in `schemas/fhir/` (one per
//! current message standard, produced by `medcom import fhir-profiles` from the official
//! packages) or, at run time, straight from official package folders
//! ([`Engine::from_packages`]). Each stack is read on first use and then shared; invariants are
//! compiled once.
//!
//! What is checked: cardinality, types (choices, profiles on types), fixed and pattern values,
//! slicing (value, pattern, type, profile, exists discriminators; open, closed, ordered),
//! required and extensible bindings, `maxLength`, references (resolution inside the Bundle,
//! `aggregation = bundled`, target types and profiles), and every invariant of the profiles
//! (MedCom's and the R4 core ones) through [`crate::fhirpath`].
//!
//! # Examples
//!
//! ```
//! let engine = medcom::profile::Engine::embedded().unwrap();
//! let doc = medcom::json::parse(r#"{"resourceType":"Patient"}"#).unwrap();
//! let mut findings = Vec::new();
//! let detected = engine.check(&doc, &mut findings);
//! assert!(!detected.supported);
//! assert_eq!(findings[0].code(), "fhir-message-unknown");
//! ```

mod binding;
mod check;
mod detect;
mod invariant;
mod mutate;
mod native;
mod reference;
mod rules;
mod slicing;

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use smallvec::SmallVec;

use crate::finding::{Finding, Severity};
use crate::import::profiles::STACKS;
use crate::model::Document;
use check::Checker;
use detect::Claim;
pub use mutate::{Action, InvariantSite, Mutation};
use rules::Rules;

/// Why the rules could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError(Box<str>);

impl ProfileError {
    pub(crate) fn new(what: impl Into<String>) -> Self {
        Self(what.into().into_boxed_str())
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProfileError {}

/// What [`Engine::check`] detected about a message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Detected {
    /// The message standard, e.g. `CareCommunication`.
    pub message_type: Option<String>,
    /// The version checked against (or, when unsupported, the version the message claims).
    pub version: Option<String>,
    /// Whether the engine has rules for it (and so validated it).
    pub supported: bool,
}

/// What detection needs to know of a stack without reading its rules.
#[derive(Debug)]
pub(crate) struct StackInfo {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) event: String,
    pub(crate) message: String,
    pub(crate) definition: String,
}

enum Source {
    Embedded(&'static str),
    Compiled(Box<serde_json::Value>),
}

struct Stack {
    info: StackInfo,
    source: Source,
    rules: OnceLock<Result<Rules, ProfileError>>,
}

struct Inner {
    stacks: Vec<Stack>,
    cache: Arc<crate::fhirpath::Cache>,
}

/// The profile engine. Cheap to clone and share between threads.
///
/// # Examples
///
/// ```
/// let engine = medcom::profile::Engine::embedded().unwrap();
/// let engine2 = engine.clone();
/// std::thread::spawn(move || drop(engine2)).join().unwrap();
/// ```
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self
            .inner
            .stacks
            .iter()
            .map(|s| format!("{} {}", s.info.name, s.info.version))
            .collect();
        f.debug_struct("Engine").field("stacks", &names).finish()
    }
}

macro_rules! embedded_files {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../schemas/fhir/", $file)))),*]
    };
}

const EMBEDDED: &[(&str, &str)] = embedded_files!(
    "carecommunication-5.0.2.json",
    "hospitalnotification-3.0.2.json",
    "acknowledgement-2.0.3.json",
    "homecareobservation-1.2.1.json",
    "messaging-4.0.2.json",
);

impl Engine {
    /// The engine with the compiled rules in `schemas/fhir/` built into the crate. Each stack is
    /// read on first use.
    ///
    /// # Errors
    ///
    /// A [`ProfileError`] if the built-in files do not match the stacks the crate knows (a build
    /// problem, never input-dependent).
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = medcom::profile::Engine::embedded().unwrap();
    /// assert_eq!(engine.supported().len(), 5);
    /// ```
    pub fn embedded() -> Result<Self, ProfileError> {
        let mut stacks = Vec::new();
        for def in STACKS {
            let (_, text) = EMBEDDED
                .iter()
                .find(|(f, _)| *f == def.file)
                .ok_or_else(|| ProfileError::new(format!("no built-in rules for {}", def.name)))?;
            stacks.push(Stack {
                info: StackInfo {
                    name: def.name.to_owned(),
                    version: def.version.to_owned(),
                    event: def.event.to_owned(),
                    message: def.message.to_owned(),
                    definition: def.definition.to_owned(),
                },
                source: Source::Embedded(text),
                rules: OnceLock::new(),
            });
        }
        Ok(Self::with(stacks))
    }

    /// The engine built from official package folders (each an unpacked npm package, its
    /// `package/` folder, or a `<id>#<version>` folder holding one): every current message
    /// standard whose package is among them, at the version found, with its dependencies
    /// taken from the same folders.
    ///
    /// # Errors
    ///
    /// A [`ProfileError`] when a package cannot be read or holds no current standard.
    pub fn from_packages(dirs: &[PathBuf]) -> Result<Self, ProfileError> {
        let compiled = crate::import::profiles::compile_dirs(dirs)
            .map_err(|e| ProfileError::new(e.to_string()))?;
        if compiled.is_empty() {
            return Err(ProfileError::new(
                "no MedCom message standard among the package folders",
            ));
        }
        let text = |v: &serde_json::Value, k: &str| {
            v.get(k)
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let stacks = compiled
            .into_iter()
            .map(|v| Stack {
                info: StackInfo {
                    name: text(&v, "stack"),
                    version: text(&v, "version"),
                    event: text(&v, "event"),
                    message: text(&v, "message"),
                    definition: text(&v, "definition"),
                },
                source: Source::Compiled(Box::new(v)),
                rules: OnceLock::new(),
            })
            .collect();
        let engine = Self::with(stacks);
        for i in 0..engine.inner.stacks.len() {
            engine.rules(i)?;
        }
        Ok(engine)
    }

    fn with(stacks: Vec<Stack>) -> Self {
        Self {
            inner: Arc::new(Inner {
                stacks,
                cache: Arc::default(),
            }),
        }
    }

    /// The supported standards and versions, e.g. `("CareCommunication", "5.0.2")`.
    #[must_use]
    pub fn supported(&self) -> Vec<(String, String)> {
        self.inner
            .stacks
            .iter()
            .map(|s| (s.info.name.clone(), s.info.version.clone()))
            .collect()
    }

    fn rules(&self, i: usize) -> Result<&Rules, ProfileError> {
        let stack = &self.inner.stacks[i];
        stack
            .rules
            .get_or_init(|| {
                let value = match &stack.source {
                    Source::Embedded(text) => serde_json::from_str(text)
                        .map_err(|e| ProfileError::new(format!("{}: {e}", stack.info.name)))?,
                    Source::Compiled(v) => (**v).clone(),
                };
                let rules = Rules::from_json(&value, &self.inner.cache)?;
                if rules.name != stack.info.name || rules.version != stack.info.version {
                    return Err(ProfileError::new(format!(
                        "rules for {} {} hold {} {}",
                        stack.info.name, stack.info.version, rules.name, rules.version
                    )));
                }
                Ok(rules)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Loads every stack now and compiles its invariants (the first check of each standard,
    /// and of each invariant, otherwise pays for it).
    ///
    /// # Errors
    ///
    /// The first [`ProfileError`] met.
    pub fn preload(&self) -> Result<(), ProfileError> {
        for i in 0..self.inner.stacks.len() {
            self.ready(i)?;
        }
        Ok(())
    }

    /// Stack `i` loaded with every invariant compiled.
    fn ready(&self, i: usize) -> Result<&Rules, ProfileError> {
        let rules = self.rules(i)?;
        for c in &rules.constraints {
            // One that does not compile is reported where it is used.
            let _ = c.expr.compiled();
        }
        Ok(rules)
    }

    /// [`Self::preload`] on up to `threads` threads, each loading its share of the stacks.
    ///
    /// # Errors
    ///
    /// The first [`ProfileError`] met, in stack order.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = medcom::profile::Engine::embedded().unwrap();
    /// engine.preload_on(2).unwrap();
    /// ```
    pub fn preload_on(&self, threads: usize) -> Result<(), ProfileError> {
        let n = self.inner.stacks.len();
        let threads = threads.clamp(1, n.max(1));
        if threads == 1 {
            return self.preload();
        }
        std::thread::scope(|scope| {
            for t in 0..threads {
                scope.spawn(move || {
                    for i in (t..n).step_by(threads) {
                        // Errors are kept in the stack's cell and returned below.
                        let _ = self.ready(i);
                    }
                });
            }
        });
        self.preload()
    }

    /// Picks the message standard and version stack (MessageHeader.eventCoding, meta.profile,
    /// definition) and validates the whole message against it, pushing findings. Returns what
    /// it detected. A message of a version the engine does not have gets one
    /// `fhir-unsupported-version` finding and no profile findings.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = medcom::profile::Engine::embedded().unwrap();
    /// let doc = medcom::json::parse(r#"{"resourceType":"Bundle","type":"message"}"#).unwrap();
    /// let mut findings = Vec::new();
    /// let detected = engine.check(&doc, &mut findings);
    /// assert_eq!(detected.message_type, None);
    /// assert!(findings.iter().any(|f| f.code() == "fhir-message-unknown"));
    /// ```
    pub fn check(&self, doc: &Document<'_>, out: &mut Vec<Finding>) -> Detected {
        let root = doc.root();
        let infos: Vec<&StackInfo> = self.inner.stacks.iter().map(|s| &s.info).collect();
        // Profile names are known from the rules (read on first use); unreadable rules know none.
        let known = |si: usize, url: &str| self.rules(si).is_ok_and(|r| r.profile(url).is_some());
        let claim = detect::detect_refs(&infos, &known, root);
        let si = match claim {
            Claim::Unknown => {
                out.push(
                    Finding::new(
                        "fhir-message-unknown",
                        Severity::Error,
                        root.path(),
                        "not a MedCom message: no known MessageHeader.eventCoding or message profile",
                    )
                    .with_position(root.position()),
                );
                return Detected::default();
            }
            Claim::Unsupported { stack, claimed } => {
                let info = &infos[stack];
                let supported: Vec<String> = self
                    .inner
                    .stacks
                    .iter()
                    .filter(|s| s.info.name == info.name)
                    .map(|s| s.info.version.clone())
                    .collect();
                out.push(
                    Finding::new(
                        "fhir-unsupported-version",
                        Severity::Error,
                        root.path(),
                        format!(
                            "{} version {claimed} is not supported; supported: {}",
                            info.name,
                            supported.join(", ")
                        ),
                    )
                    .with_position(root.position())
                    .with_rule(info.message.as_str()),
                );
                return Detected {
                    message_type: Some(info.name.clone()),
                    version: Some(claimed),
                    supported: false,
                };
            }
            Claim::Supported(si) => si,
        };
        let info = &infos[si];
        let detected = Detected {
            message_type: Some(info.name.clone()),
            version: Some(info.version.clone()),
            supported: true,
        };
        let rules = match self.rules(si) {
            Ok(r) => r,
            Err(e) => {
                out.push(Finding::new(
                    "fhir-rules-unavailable",
                    Severity::Error,
                    root.path(),
                    format!("the rules of {} could not be read: {e}", info.name),
                ));
                return detected;
            }
        };
        let mut found = Vec::new();
        validate(rules, doc, &mut found);
        // The same defect reached through two definitions is reported once.
        let mut seen = HashSet::new();
        found.retain(|f| seen.insert((f.code(), f.location().to_owned(), f.message().to_owned())));
        out.extend(found);
        detected
    }
}

/// Validates a message against one stack.
fn validate(rules: &Rules, doc: &Document<'_>, out: &mut Vec<Finding>) {
    let checker = Checker::new(rules, doc.root());
    validate_with(&checker, rules, doc, out);
}

fn validate_with(
    checker: &Checker<'_, '_, '_>,
    rules: &Rules,
    doc: &Document<'_>,
    out: &mut Vec<Finding>,
) {
    let root = doc.root();
    if let Some(m) = rules.message {
        checker.resource(root, m, out);
    }
    // A handful of entries: a list beats hashing.
    let mut checked_any: SmallVec<[crate::model::NodeId; 16]> = SmallVec::new();
    for (_, res) in checker.entries.iter() {
        let mut any = false;
        if let Some(meta) = res.child("meta") {
            for p in meta.children_named("profile") {
                let Some(url) = p.value() else { continue };
                match rules.profile(url) {
                    Some(pi) if rules.profiles[pi].type_name == res.ty().name() => {
                        checker.pending.borrow_mut().push((res.id(), pi));
                        any = true;
                    }
                    _ => out.push(
                        Finding::new(
                            "fhir-profile-unknown",
                            Severity::Warning,
                            p.path(),
                            "declared profile is not part of the message's version stack, so it was not checked",
                        )
                        .with_position(p.position())
                        .with_value(url),
                    ),
                }
            }
        }
        if any {
            checked_any.push(res.id());
        }
    }
    loop {
        let next = checker.pending.borrow_mut().pop();
        let Some((id, p)) = next else { break };
        checked_any.push(id);
        checker.resource(doc.node(id), p, out);
    }
    // Resources no profile reached: their core definition.
    for (_, res) in checker.entries.iter() {
        if !checked_any.contains(&res.id()) {
            if let Some(&core) = rules.core.get(res.ty().name()) {
                checker.resource(res, core, out);
            }
            loop {
                let next = checker.pending.borrow_mut().pop();
                let Some((id, p)) = next else { break };
                checker.resource(doc.node(id), p, out);
            }
        }
    }
    checker.native_invariants(root, out, 0);
}

#[cfg(test)]
mod tests {
    use super::Engine;

    fn shareable<T: Send + Sync>() {}

    #[test]
    fn engine_is_send_and_sync() {
        shareable::<Engine>();
    }

    #[test]
    fn built_in_rules_load() {
        let engine = Engine::embedded().unwrap();
        engine.preload().unwrap();
        for i in 0..engine.inner.stacks.len() {
            let rules = engine.rules(i).unwrap();
            assert!(rules.message.is_some(), "{}", rules.name);
            assert_eq!(rules.version, engine.inner.stacks[i].info.version);
        }
    }

    /// Expressions compile on first use, so loading no longer shows a broken one: every
    /// embedded invariant must compile, or messages would get `fhir-invariant-unsupported`
    /// warnings instead of checks. Constraints with the same text share one compilation.
    #[test]
    fn every_embedded_invariant_compiles_once_per_text() {
        let engine = Engine::embedded().unwrap();
        for i in 0..engine.inner.stacks.len() {
            let rules = engine.rules(i).unwrap();
            let mut by_text = std::collections::HashMap::new();
            for c in &rules.constraints {
                let compiled = c.expr.compiled();
                assert!(
                    compiled.is_some(),
                    "{} {}: {}",
                    rules.name,
                    c.key,
                    c.expr.text()
                );
                let first = by_text.entry(c.expr.text()).or_insert(compiled);
                assert!(std::ptr::eq(first.unwrap(), compiled.unwrap()), "{}", c.key);
            }
        }
    }
}
