//! The profile engine: validates a MedCom FHIR message against the StructureDefinitions,
//! ValueSets and CodeSystems of the version stack it claims.
//!
//! The rules come from the project's own compiled rule files in `schemas/fhir/` (one per
//! version stack in production, several for a standard with several versions in use, e.g.
//! CareCommunication 5.0.2 and 4.0.3; produced by `medcom import fhir-profiles` from the
//! official packages) or, at run time, straight from official package folders
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
//! // Not a MedCom message: checked against the R4 core definitions.
//! let doc = medcom::json::parse(r#"{"resourceType":"Patient","gender":"yes"}"#).unwrap();
//! let mut findings = Vec::new();
//! let detected = engine.check(&doc, &mut findings);
//! assert!(!detected.supported);
//! assert!(findings.iter().any(|f| f.code() == "fhir-binding"));
//! ```

mod attachment;
mod base;
mod binding;
mod bundle;
mod check;
mod context;
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
pub(crate) use base::claims_medcom;
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

/// What [`Engine::check`] detected about a message (also what any
/// [`crate::validate::ProfileCheck`] reports).
///
/// # Examples
///
/// ```
/// let d = medcom::profile::Detected::default();
/// assert!(d.message_type.is_none() && !d.supported);
/// ```
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
    /// R4 core and DK-core, for anything that is not a MedCom message.
    base: Option<Stack>,
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
    /// A stack chosen by the caller instead of the one the message declares.
    forced: Option<usize>,
    /// Packages loaded at run time ([`Engine::with_package`]), for the profiles resources declare.
    packages: Arc<Vec<Arc<Rules>>>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self
            .inner
            .stacks
            .iter()
            .map(|s| format!("{} {}", s.info.name, s.info.version))
            .collect();
        f.debug_struct("Engine")
            .field("stacks", &names)
            .field("forced", &self.forced.map(|i| &names[i]))
            .finish()
    }
}

macro_rules! embedded_files {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../schemas/fhir/", $file)))),*]
    };
}

const EMBEDDED: &[(&str, &str)] = embedded_files!(
    "carecommunication-5.0.2.json",
    "carecommunication-4.0.3.json",
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
    /// assert_eq!(engine.supported().len(), 6);
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
                base: base::embedded(),
                cache: Arc::default(),
            }),
            forced: None,
            packages: Arc::default(),
        }
    }

    /// The same engine, validating every message on one stack instead of the one the message
    /// declares: `name@version`, the standard's name in any case and its version or a prefix
    /// of it (`carecommunication@4.0`, `CareCommunication@5.0.2`). A message validated on a
    /// stack other than the one it declares gets a `fhir-stack-forced` information finding.
    ///
    /// # Errors
    ///
    /// A [`ProfileError`] naming the stacks there are when none fits.
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = medcom::profile::Engine::embedded().unwrap();
    /// let forced = engine.forcing("carecommunication@4.0").unwrap();
    /// assert_eq!(forced.forced(), Some(("CareCommunication".to_owned(), "4.0.3".to_owned())));
    /// assert!(engine.forcing("carecommunication@3").is_err());
    /// ```
    pub fn forcing(&self, stack: &str) -> Result<Self, ProfileError> {
        let (name, version) = stack.split_once('@').unwrap_or((stack, ""));
        let found = self.inner.stacks.iter().position(|s| {
            s.info.name.eq_ignore_ascii_case(name.trim())
                && detect::covers(version.trim(), &s.info.version)
        });
        match found {
            Some(i) => Ok(Self {
                inner: Arc::clone(&self.inner),
                forced: Some(i),
                packages: Arc::clone(&self.packages),
            }),
            None => Err(ProfileError::new(format!(
                "no stack {stack}; there are: {}",
                self.stack_names().join(", ")
            ))),
        }
    }

    /// The stack [`Self::forcing`] chose, if any: standard and version.
    #[must_use]
    pub fn forced(&self) -> Option<(String, String)> {
        self.forced.map(|i| {
            let info = &self.inner.stacks[i].info;
            (info.name.clone(), info.version.clone())
        })
    }

    /// The "versions supported" table of the README: one Markdown row per stack with the
    /// standard, its version, what in a message selects it, the `--stack` name, and the versions
    /// of the packages beneath it, read from the compiled rules.
    ///
    /// # Errors
    ///
    /// A [`ProfileError`] when a stack's rules cannot be read.
    ///
    /// # Examples
    ///
    /// ```
    /// let table = medcom::profile::Engine::embedded().unwrap().versions_table().unwrap();
    /// assert!(table.contains("| CareCommunication | 4.0.3 |"));
    /// ```
    pub fn versions_table(&self) -> Result<String, ProfileError> {
        let mut s = String::from(
            "| standard | version | selected by | `--stack` | messaging | MedCom core | DK-core | MedCom terminology |\n\
             | --- | --- | --- | --- | --- | --- | --- | --- |\n",
        );
        for (i, stack) in self.inner.stacks.iter().enumerate() {
            let rules = self.rules(i)?;
            let package = |id: &str| {
                rules
                    .packages
                    .iter()
                    .find_map(|p| p.strip_prefix(id)?.strip_prefix('#'))
                    .unwrap_or("–")
            };
            let info = &stack.info;
            let selected_by = if info.definition.is_empty() {
                format!("event `{}`", info.event)
            } else {
                // A `|` in a table cell is escaped, code span or not.
                let last = info.definition.rsplit('/').next().unwrap_or("");
                format!("definition `…/{}*`", last.replace('|', "\\|"))
            };
            s.push_str(&format!(
                "| {} | {} | {selected_by} | `{}@{}` | {} | {} | {} | {} |\n",
                info.name,
                info.version,
                info.name.to_ascii_lowercase(),
                major_minor(&info.version),
                package("medcom.fhir.dk.messaging"),
                package("medcom.fhir.dk.core"),
                package("hl7.fhir.dk.core"),
                package("medcom.fhir.dk.terminology"),
            ));
        }
        Ok(s)
    }

    /// `name@version` of every stack, e.g. `carecommunication@5.0.2`.
    fn stack_names(&self) -> Vec<String> {
        self.inner
            .stacks
            .iter()
            .map(|s| format!("{}@{}", s.info.name.to_ascii_lowercase(), s.info.version))
            .collect()
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
        let mut claim = detect::detect_refs(&infos, &known, root);
        if let Some(forced) = self.forced {
            let declared = match &claim {
                Claim::Supported(i) if *i == forced => None,
                Claim::Supported(i) => Some(format!("{} {}", infos[*i].name, infos[*i].version)),
                Claim::Unsupported { stack, claimed } => {
                    Some(format!("{} {claimed}", infos[*stack].name))
                }
                Claim::Unknown => Some("no known standard".to_owned()),
            };
            if let Some(declared) = declared {
                out.push(
                    Finding::new(
                        "fhir-stack-forced",
                        Severity::Information,
                        root.path(),
                        format!(
                            "validated on the stack {} {} as asked; the message declares {declared}",
                            infos[forced].name, infos[forced].version
                        ),
                    )
                    .with_position(root.position()),
                );
            }
            claim = Claim::Supported(forced);
        }
        let si = match claim {
            Claim::Unknown if !base::claims_medcom(root) => return self.check_base(doc, out),
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
                // Its resources are still held to R4 core.
                return self.check_base(doc, out);
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

/// `4.0` of `4.0.3`.
fn major_minor(version: &str) -> &str {
    match version.match_indices('.').nth(1) {
        Some((i, _)) => &version[..i],
        None => version,
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
    for (_, res) in checker.entries.resources() {
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
    for (_, res) in checker.entries.resources() {
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
    base::contained(checker, doc, out);
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
