//! Validation of MedCom FHIR messages: the profile check (StructureDefinition-driven, plugged in
//! through [`ProfileCheck`]) plus the MedCom message rules that profiles cannot express
//! ([`rules`]), with findings masked by default.
//!
//! Four entry points that always agree (a test checks that they give the same verdict):
//!
//! - [`Validator::is_valid`]: the fast path; stops at the first error and builds no finding for
//!   it;
//! - [`Validator::validate`]: the first error;
//! - [`Validator::iter_errors`]: every error;
//! - [`Validator::report`]: every finding (errors, warnings, information), the detected message
//!   type and a verdict; renderable as text or as a FHIR OperationOutcome ([`outcome`]).
//!
//! # Examples
//!
//! ```
//! let doc = medcom::parse(r#"{"resourceType":"Bundle","type":"message"}"#).unwrap();
//! let validator = medcom::validate::Validator::new();
//! assert!(!validator.is_valid(&doc));
//! // The profile engine runs first: it cannot tell which MedCom message this is.
//! let first = validator.validate(&doc).unwrap_err();
//! assert_eq!(first.code(), "fhir-message-unknown");
//! assert_eq!(validator.iter_errors(&doc).next(), Some(first));
//! assert!(!validator.report(&doc).is_valid());
//! ```

pub(crate) mod message;
pub mod outcome;
mod report;
pub mod rules;

use std::fmt;
use std::sync::Arc;

pub use report::Report;
pub use rules::RuleGroup;

use crate::finding::{Finding, Severity};
use crate::Document;

/// What a profile check learned about the message it checked (the profile engine's own
/// [`crate::profile::Detected`]).
pub use crate::profile::Detected;

/// A profile (StructureDefinition-driven) check, run before the MedCom message rules.
///
/// The crate's profile engine implements it; [`NoProfiles`] is the stand-in that checks
/// nothing.
pub trait ProfileCheck: Send + Sync {
    /// Appends findings for `doc` to `out` and says what message it took `doc` for.
    fn check(&self, doc: &Document<'_>, out: &mut Vec<Finding>) -> Detected;

    /// Prepares everything `check` would otherwise prepare on first use, on up to `threads`
    /// threads (a batch validator calls it once before its workers start). Default: nothing.
    fn warm_up(&self, threads: usize) {
        let _ = threads;
    }
}

impl ProfileCheck for crate::profile::Engine {
    fn warm_up(&self, threads: usize) {
        // A stack that fails to load reports it on every message it would check.
        let _ = self.preload_on(threads);
    }

    fn check(&self, doc: &Document<'_>, out: &mut Vec<Finding>) -> Detected {
        crate::profile::Engine::check(self, doc, out)
    }
}

/// The profile check used by default: the crate's embedded profile engine, built once per
/// process and shared (its compiled stacks and invariant cache fill as messages arrive).
fn default_profiles() -> Arc<dyn ProfileCheck> {
    static ENGINE: std::sync::OnceLock<Arc<dyn ProfileCheck>> = std::sync::OnceLock::new();
    ENGINE
        .get_or_init(|| match crate::profile::Engine::embedded() {
            Ok(engine) => Arc::new(engine),
            Err(e) => Arc::new(Unavailable(e.to_string())),
        })
        .clone()
}

/// Stands in when the embedded rules cannot be loaded (a build defect): every message gets an
/// error saying so, rather than silently skipping profile validation.
struct Unavailable(String);

impl ProfileCheck for Unavailable {
    fn check(&self, _doc: &Document<'_>, out: &mut Vec<Finding>) -> Detected {
        out.push(Finding::new(
            "fhir-profiles-unavailable",
            crate::finding::Severity::Error,
            "Bundle",
            format!("the embedded profile rules could not be loaded: {}", self.0),
        ));
        Detected::default()
    }
}

/// A [`ProfileCheck`] that checks nothing and detects nothing (only the MedCom message rules
/// run).
///
/// # Examples
///
/// ```
/// use medcom::validate::{NoProfiles, ProfileCheck};
/// let doc = medcom::parse(r#"{"resourceType":"Basic"}"#).unwrap();
/// let mut out = Vec::new();
/// assert!(!NoProfiles.check(&doc, &mut out).supported);
/// assert!(out.is_empty());
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProfiles;

impl ProfileCheck for NoProfiles {
    fn check(&self, _doc: &Document<'_>, _out: &mut Vec<Finding>) -> Detected {
        Detected::default()
    }
}

/// Options for a [`Validator`], made by [`Validator::options`].
///
/// Defaults: the embedded profile engine, every [`RuleGroup`] on, values masked.
///
/// # Examples
///
/// ```
/// use medcom::validate::{RuleGroup, Validator};
/// let validator = Validator::options()
///     .should_check(RuleGroup::Timezone, false)
///     .should_unmask(true)
///     .build();
/// assert!(validator.is_unmasked());
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct ValidatorOptions {
    /// The profile check. Default: the embedded profile engine ([`crate::profile::Engine`]);
    /// [`NoProfiles`] runs the MedCom message rules alone.
    pub profiles: Arc<dyn ProfileCheck>,
    /// Whether reports show offending values (may be patient data). Default: `false`.
    pub unmask: bool,
    /// The rule groups that run. Default: all of [`RuleGroup::ALL`].
    pub groups: Vec<RuleGroup>,
    /// Most findings a report keeps; more are left out and counted by one
    /// `findings-truncated` finding (see [`crate::finding::cap`]). Default:
    /// [`crate::finding::DEFAULT_MAX_FINDINGS`] (1,000).
    pub max_findings: usize,
}

impl fmt::Debug for ValidatorOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidatorOptions")
            .field("unmask", &self.unmask)
            .field("groups", &self.groups)
            .field("max_findings", &self.max_findings)
            .finish_non_exhaustive()
    }
}

impl Default for ValidatorOptions {
    fn default() -> Self {
        Self {
            profiles: default_profiles(),
            unmask: false,
            groups: RuleGroup::ALL.to_vec(),
            max_findings: crate::finding::DEFAULT_MAX_FINDINGS,
        }
    }
}

impl ValidatorOptions {
    /// Sets the profile check (the crate's profile engine, or one of your own).
    #[must_use]
    pub fn with_profiles(mut self, profiles: Arc<dyn ProfileCheck>) -> Self {
        self.profiles = profiles;
        self
    }

    /// Whether reports show offending values (patient data) in messages.
    #[must_use]
    pub fn should_unmask(mut self, unmask: bool) -> Self {
        self.unmask = unmask;
        self
    }

    /// Sets [`Self::max_findings`].
    ///
    /// # Examples
    ///
    /// ```
    /// let doc = medcom::parse(r#"{"resourceType":"Bundle","type":"message"}"#).unwrap();
    /// let validator = medcom::validate::Validator::options().with_max_findings(1).build();
    /// let report = validator.report(&doc);
    /// assert_eq!(report.findings().len(), 2);
    /// assert_eq!(report.findings()[1].code(), "findings-truncated");
    /// ```
    #[must_use]
    pub fn with_max_findings(mut self, max: usize) -> Self {
        self.max_findings = max;
        self
    }

    /// Turns one rule group on or off.
    #[must_use]
    pub fn should_check(mut self, group: RuleGroup, on: bool) -> Self {
        self.groups.retain(|&g| g != group);
        if on {
            self.groups.push(group);
            // Keep the fixed order, so findings come in the same order whatever the calls.
            self.groups
                .sort_by_key(|g| RuleGroup::ALL.iter().position(|a| a == g));
        }
        self
    }

    /// The validator.
    #[must_use]
    pub fn build(self) -> Validator {
        Validator { options: self }
    }
}

/// A reusable validator; `Send + Sync`, so one instance serves many threads.
///
/// # Examples
///
/// ```
/// let doc = medcom::parse(r#"{"resourceType":"Bundle","id":"x","type":"message"}"#).unwrap();
/// let report = medcom::validate::Validator::new().report(&doc);
/// assert!(!report.is_valid());
/// assert!(report.findings().iter().any(|f| f.code() == "medcom-uuid"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Validator {
    options: ValidatorOptions,
}

/// How much of the findings a run keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    /// Every finding.
    All,
    /// The first error only.
    FirstError,
    /// Only whether there is an error (no finding is built).
    Flag,
}

/// Where rules put findings; builds them lazily and says when the run may stop.
pub(crate) struct Sink<'o> {
    out: &'o mut Vec<Finding>,
    want: Want,
    error: bool,
}

impl<'o> Sink<'o> {
    pub(crate) fn new(out: &'o mut Vec<Finding>, want: Want) -> Self {
        Self {
            out,
            want,
            error: false,
        }
    }

    /// Reports a finding of `severity`, built only when it is kept.
    pub(crate) fn push(&mut self, severity: Severity, finding: impl FnOnce() -> Finding) {
        if self.is_done() {
            return;
        }
        let is_error = severity == Severity::Error;
        match self.want {
            Want::All => self.out.push(finding()),
            Want::FirstError if is_error => self.out.push(finding()),
            Want::FirstError | Want::Flag => {}
        }
        self.error |= is_error;
    }

    /// Reports findings already built (from [`crate::dk`]).
    pub(crate) fn extend(&mut self, findings: Vec<Finding>) {
        for f in findings {
            self.push(f.severity(), || f);
        }
    }

    /// Whether nothing more is wanted.
    pub(crate) fn is_done(&self) -> bool {
        self.error && self.want != Want::All
    }
}

impl Validator {
    /// A validator with the default options (see [`ValidatorOptions`]).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A validator that runs the MedCom message rules alone, without the profile engine: fast,
    /// and what tests of the rule groups use. It does not tell whether a message conforms to
    /// its profiles.
    ///
    /// # Examples
    ///
    /// ```
    /// let doc = medcom::parse(r#"{"resourceType":"Bundle","type":"message"}"#).unwrap();
    /// let report = medcom::validate::Validator::rules_only().report(&doc);
    /// assert_eq!(report.findings()[0].code(), "medcom-header-first");
    /// ```
    #[must_use]
    pub fn rules_only() -> Self {
        Self::options().with_profiles(Arc::new(NoProfiles)).build()
    }

    /// Loads the profile rules of every standard now, on up to `threads` threads, instead of
    /// on the first message of each standard. Worth it before a batch: the workers then never
    /// wait for one another's loading.
    ///
    /// # Examples
    ///
    /// ```
    /// let validator = medcom::validate::Validator::new();
    /// validator.warm_up(2);
    /// ```
    pub fn warm_up(&self, threads: usize) {
        self.options.profiles.warm_up(threads);
    }

    /// Options to build a validator from.
    #[must_use]
    pub fn options() -> ValidatorOptions {
        ValidatorOptions::default()
    }

    /// Whether reports show offending values.
    #[must_use]
    pub fn is_unmasked(&self) -> bool {
        self.options.unmask
    }

    fn run(&self, doc: &Document<'_>, want: Want) -> Run {
        let mut out = Vec::new();
        let detected = self.options.profiles.check(doc, &mut out);
        // A standard the profiles know, in a version they do not: their one finding names the
        // claimed and the supported versions; the rules would only add a cascade.
        if detected.message_type.is_some() && !detected.supported {
            let has_error = out.iter().any(|f| f.severity() == Severity::Error);
            if want != Want::All {
                out.retain(|f| f.severity() == Severity::Error);
                out.truncate(1);
            }
            return Run {
                findings: out,
                detected,
                has_error,
            };
        }
        if want != Want::All {
            // Keep the profile findings only as far as the wanted tier needs them.
            if let Some(i) = out.iter().position(|f| f.severity() == Severity::Error) {
                let first = out.swap_remove(i);
                return Run {
                    findings: vec![first],
                    detected,
                    has_error: true,
                };
            }
            out.clear();
        }
        let msg = message::Message::new(doc);
        let mut sink = Sink::new(&mut out, want);
        // The MedCom message rules hold for MedCom messages only.
        let medcom = detected.message_type.is_some() || crate::profile::claims_medcom(doc.root());
        for &group in &self.options.groups {
            if sink.is_done() {
                break;
            }
            if !medcom && group != RuleGroup::Read {
                continue;
            }
            group.check(&msg, &mut sink);
        }
        let has_error = sink.error;
        Run {
            findings: out,
            detected,
            has_error,
        }
    }

    /// Whether the message has no error (warnings and information allowed). The fast path:
    /// stops at the first error and builds no finding.
    #[must_use]
    pub fn is_valid(&self, doc: &Document<'_>) -> bool {
        !self.run(doc, Want::Flag).has_error
    }

    /// The first error, in the order [`Self::iter_errors`] yields them.
    ///
    /// # Errors
    ///
    /// The first error finding.
    pub fn validate(&self, doc: &Document<'_>) -> Result<(), Finding> {
        match self.run(doc, Want::FirstError).findings.into_iter().next() {
            Some(f) => Err(f),
            None => Ok(()),
        }
    }

    /// Every error (no warnings or information), in report order.
    pub fn iter_errors(&self, doc: &Document<'_>) -> Errors {
        Errors {
            inner: self.run(doc, Want::All).findings.into_iter(),
        }
    }

    /// Every finding, the detected message type and the verdict.
    #[must_use]
    pub fn report(&self, doc: &Document<'_>) -> Report {
        let Run {
            findings, detected, ..
        } = self.run(doc, Want::All);
        // What the message says of itself, only where the profile check did not say.
        let (message_type, version) = match detected {
            Detected {
                message_type: Some(t),
                version: Some(v),
                ..
            } => (Some(t), Some(v)),
            d => {
                let own = message::Message::new(doc).detected();
                (
                    d.message_type.or(own.message_type),
                    d.version.or(own.version),
                )
            }
        };
        let read_left_out = if doc.issues().is_empty() {
            0
        } else {
            doc.issues_left_out()
        };
        Report::new(findings, self.options.unmask)
            .with_left_out(read_left_out, Severity::Error)
            .with_max_findings(self.options.max_findings)
            .with_message_type(message_type)
            .with_version(version)
    }
}

/// The outcome of one run.
struct Run {
    findings: Vec<Finding>,
    detected: Detected,
    has_error: bool,
}

/// The errors of a message, from [`Validator::iter_errors`].
#[derive(Debug)]
pub struct Errors {
    inner: std::vec::IntoIter<Finding>,
}

impl Iterator for Errors {
    type Item = Finding;

    fn next(&mut self) -> Option<Finding> {
        self.inner.find(|f| f.severity() == Severity::Error)
    }
}

/// Validates with the default validator and returns the full report.
///
/// # Examples
///
/// ```
/// let doc = medcom::parse(r#"{"resourceType":"Patient","active":true}"#).unwrap();
/// assert!(medcom::validate::validate(&doc).is_valid());
/// let doc = medcom::parse(r#"{"resourceType":"Bundle","type":"message"}"#).unwrap();
/// let report = medcom::validate::validate(&doc);
/// assert!(!report.is_valid());
/// assert!(report.findings().iter().any(|f| f.code() == "medcom-header-first"));
/// ```
#[must_use]
pub fn validate(doc: &Document<'_>) -> Report {
    Validator::new().report(doc)
}
