//! Validation of any input by content: FHIR XML or JSON, OIOXML, EDIFACT, or one of them inside
//! a network envelope (VANSEnvelope, EHMI SBDH). The one call an embedding needs.
//!
//! - [`validate_bytes`]: validates with the default settings;
//! - [`Validator`]: the settings (profiles, unmasking, the version stack, the receive policy,
//!   the findings cap), then [`Validator::validate`] for any number of inputs, from any number
//!   of threads.
//!
//! What each kind ([`Kind::detect`]) gets:
//!
//! | kind | checked by | `message_type` |
//! |---|---|---|
//! | FHIR XML or JSON | the MedCom profiles and message rules ([`crate::validate::Validator`]) | the standard, e.g. `CareCommunication` |
//! | OIOXML | the legacy schemas and identifiers ([`crate::legacy::schema`]) | `OIOXML` |
//! | EDIFACT | the EDIFACT content rules ([`crate::legacy::content`]) | `EDIFACT` and the letter versions, e.g. `EDIFACT D0133L` |
//! | envelope | read as the exchange reads it (what it must carry), then its payload as above; a receipt has no payload | the payload's |
//!
//! Input that does not read becomes an error finding at the position where reading stopped
//! (`fhir-read`, `legacy-read`, `envelope-read`): a report is always made. A payload's findings
//! are positioned in the decoded payload, not in the envelope. (The envelope's XSD check is
//! [`crate::legacy::schema`]'s, not run here: the EHMI SBDH samples carry their payload in an
//! extension namespace that the plain SBDH schema refuses.)
//!
//! A [`Report`] serializes (serde) to the object `medcom validate --format json` prints for
//! each file.
//!
//! # Examples
//!
//! ```
//! let report = medcom::validate_bytes(br#"{"resourceType":"Bundle","type":"message"}"#);
//! assert!(!report.is_valid());
//! let json = serde_json::to_string(&report).unwrap();
//! assert!(json.starts_with(r#"{"issues":[{"code":"#));
//! assert!(json.ends_with(r#""path":null,"valid":false}"#));
//! ```

use std::sync::Arc;

use crate::error::Position;
use crate::exchange::envelope::{sbdh, vans};
use crate::exchange::ReceivePolicy;
use crate::finding::{Finding, Severity};
use crate::legacy::{self, LegacyFormat};
use crate::profile::{Engine, ProfileError};
use crate::validate::{self, NoProfiles, Report, ValidatorOptions};
use crate::{Format, Mode, ReadOptions};

/// What an input is, by its content (never by its file name).
///
/// # Examples
///
/// ```
/// use medcom::input::Kind;
/// assert_eq!(Kind::detect(b"UNA:+.? 'UNB+UNOC:3"), Kind::Edifact);
/// assert_eq!(Kind::detect(br#"{"resourceType":"Bundle"}"#), Kind::FhirJson);
/// assert_eq!(Kind::detect(br#"<Bundle xmlns="http://hl7.org/fhir"/>"#), Kind::FhirXml);
/// assert_eq!(Kind::detect(br#"<VANSEnvelope xmlns="urn:oio:medcom:vans-envelope:1.0.4"/>"#), Kind::Vans);
/// assert_eq!(Kind::detect(b"hello"), Kind::Unknown);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// A FHIR resource in XML.
    FhirXml,
    /// A FHIR resource in JSON.
    FhirJson,
    /// A legacy OIOXML letter or receipt (an `Emessage`).
    Oioxml,
    /// A legacy EDIFACT interchange.
    Edifact,
    /// A VANSEnvelope 1.0.4.
    Vans,
    /// An EHMI StandardBusinessDocument.
    Sbdh,
    /// None of these (validated as FHIR, which then reports why it does not read).
    Unknown,
}

impl Kind {
    /// Detects the kind from the first bytes: EDIFACT by `UNA`/`UNB+`, OIOXML by an `Emessage`
    /// root, an envelope by its root's namespace, FHIR by `<` or `{`.
    #[must_use]
    pub fn detect(input: &[u8]) -> Self {
        match LegacyFormat::detect(input) {
            Some(LegacyFormat::Edifact) => return Self::Edifact,
            Some(LegacyFormat::Oioxml) => return Self::Oioxml,
            _ => {}
        }
        match crate::exchange::envelope::root_namespace(input).as_deref() {
            Some(vans::NAMESPACE) => return Self::Vans,
            Some(sbdh::NAMESPACE) => return Self::Sbdh,
            _ => {}
        }
        match Format::detect(input) {
            Some(Format::Xml) => Self::FhirXml,
            Some(Format::Json) => Self::FhirJson,
            None => Self::Unknown,
        }
    }

    /// The envelope's name as reports give it (`VANSEnvelope`, `SBDH`), for envelopes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::input::Kind::Sbdh.envelope(), Some("SBDH"));
    /// assert_eq!(medcom::input::Kind::Oioxml.envelope(), None);
    /// ```
    #[must_use]
    pub fn envelope(self) -> Option<&'static str> {
        match self {
            Self::Vans => Some("VANSEnvelope"),
            Self::Sbdh => Some("SBDH"),
            _ => None,
        }
    }
}

/// Validates any input with the default settings (see [`Validator`]).
///
/// # Examples
///
/// ```
/// let report = medcom::validate_bytes(b"UNB+UNOC:3+A:14+B:14+990101:1200+K'");
/// assert_eq!(report.message_type(), Some("EDIFACT"));
/// assert!(!report.is_valid());
/// let report = medcom::validate_bytes(b"not a message");
/// assert_eq!(report.findings()[0].code(), "fhir-read");
/// assert_eq!(report.findings()[0].position().unwrap().line, 1);
/// ```
#[must_use]
pub fn validate_bytes(input: &[u8]) -> Report {
    Validator::new().validate(input)
}

/// The settings for validating any input, with safe defaults: the embedded MedCom profiles on
/// the version stack each message declares, values masked (findings never quote patient data),
/// no receive policy, at most 1,000 findings per input.
///
/// `Send + Sync` and cheap to clone: one instance serves many threads.
///
/// # Examples
///
/// ```
/// let validator = medcom::Validator::new().unmask(true).max_findings(10);
/// let report = validator.validate(br#"{"resourceType":"Bundle","id":"x","type":"message"}"#);
/// assert!(report.is_unmasked());
/// assert!(report.findings().len() <= 11);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Validator {
    options: ValidatorOptions,
    fhir: validate::Validator,
    policy: Option<ReceivePolicy>,
}

impl Validator {
    /// The default settings.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn with_options(mut self, options: ValidatorOptions) -> Self {
        self.fhir = options.clone().build();
        self.options = options;
        self
    }

    /// Whether reports show offending values (may be patient data). Default: `false`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(medcom::Validator::new().unmask(true).validate(b"{}").is_unmasked());
    /// ```
    #[must_use]
    pub fn unmask(self, unmask: bool) -> Self {
        let options = self.options.clone().should_unmask(unmask);
        self.with_options(options)
    }

    /// Whether FHIR messages are checked against the MedCom profiles (default) or by the
    /// MedCom message rules alone (faster; not a conformance verdict).
    ///
    /// # Examples
    ///
    /// ```
    /// let report = medcom::Validator::new().profiles(false)
    ///     .validate(br#"{"resourceType":"Bundle","type":"message"}"#);
    /// assert_eq!(report.findings()[0].code(), "medcom-header-first");
    /// ```
    #[must_use]
    pub fn profiles(self, on: bool) -> Self {
        let profiles: Arc<dyn validate::ProfileCheck> = if on {
            ValidatorOptions::default().profiles
        } else {
            Arc::new(NoProfiles)
        };
        let options = self.options.clone().with_profiles(profiles);
        self.with_options(options)
    }

    /// Checks every FHIR message on one version stack, such as `carecommunication@4.0`,
    /// instead of the one it declares.
    ///
    /// # Errors
    ///
    /// [`ProfileError`] when there is no such stack (it lists the ones there are), or the
    /// embedded rules do not load.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(medcom::Validator::new().stack("carecommunication@4.0").is_ok());
    /// assert!(medcom::Validator::new().stack("carecommunication@3").is_err());
    /// ```
    pub fn stack(self, stack: &str) -> Result<Self, ProfileError> {
        let engine = Engine::embedded()?.forcing(stack)?;
        let options = self.options.clone().with_profiles(Arc::new(engine));
        Ok(self.with_options(options))
    }

    /// Checks FHIR resources with this profile engine: one with a forced stack
    /// ([`Engine::forcing`]) or with FHIR packages loaded at run time ([`Engine::with_package`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let engine = medcom::profile::Engine::embedded().unwrap();
    /// let report = medcom::Validator::new().engine(engine)
    ///     .validate(br#"{"resourceType":"Basic","code":{"text":"x"}}"#);
    /// assert!(report.is_valid());
    /// ```
    #[must_use]
    pub fn engine(self, engine: Engine) -> Self {
        let options = self.options.clone().with_profiles(Arc::new(engine));
        self.with_options(options)
    }

    /// Most findings a report keeps; more are counted by one `findings-truncated` finding.
    /// Default: [`crate::finding::DEFAULT_MAX_FINDINGS`] (1,000).
    ///
    /// # Examples
    ///
    /// ```
    /// let report = medcom::Validator::new().max_findings(1)
    ///     .validate(br#"{"resourceType":"Bundle","type":"message"}"#);
    /// assert_eq!(report.findings()[1].code(), "findings-truncated");
    /// ```
    #[must_use]
    pub fn max_findings(self, max: usize) -> Self {
        let options = self.options.clone().with_max_findings(max);
        self.with_options(options)
    }

    /// Judges FHIR messages by a receive policy too: each report then names the
    /// acknowledgement code a receiver would answer ([`Report::acknowledgement`]). Default:
    /// none.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::exchange::ReceivePolicy;
    /// let report = medcom::Validator::new().policy(ReceivePolicy::Standard)
    ///     .validate(br#"{"resourceType":"Bundle","type":"message"}"#);
    /// assert_eq!(report.acknowledgement(), Some("fatal-error"));
    /// ```
    #[must_use]
    pub fn policy(mut self, policy: ReceivePolicy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// The FHIR validator these settings make (for parsed documents).
    #[must_use]
    pub fn fhir(&self) -> &validate::Validator {
        &self.fhir
    }

    /// Loads the profile rules of every standard now, on up to `threads` threads (worth it
    /// before a batch).
    ///
    /// # Examples
    ///
    /// ```
    /// medcom::Validator::new().warm_up(1);
    /// ```
    pub fn warm_up(&self, threads: usize) {
        self.fhir.warm_up(threads);
    }

    /// Validates one input of any [`Kind`].
    ///
    /// # Examples
    ///
    /// ```
    /// let report = medcom::Validator::new().validate(b"<Emessage/>");
    /// assert!(!report.is_valid());
    /// ```
    #[must_use]
    pub fn validate(&self, input: &[u8]) -> Report {
        let kind = Kind::detect(input);
        let report = match kind {
            Kind::Oioxml => self.oioxml(input),
            Kind::Edifact => edifact(input, self.options.unmask),
            Kind::Vans | Kind::Sbdh => self.envelope(input, kind),
            Kind::FhirXml | Kind::FhirJson | Kind::Unknown => self.fhir_bytes(input),
        };
        report.with_max_findings(self.options.max_findings)
    }

    fn oioxml(&self, input: &[u8]) -> Report {
        let findings = match legacy::schema::decode(input) {
            Err(e) => vec![read_failure(
                "legacy-read",
                e.to_string(),
                decode_position(input, &e),
            )],
            Ok(text) => match legacy::schema::parse_checked(&text) {
                Err(e) => vec![read_failure(
                    "legacy-read",
                    e.kind().to_string(),
                    e.position(),
                )],
                Ok(doc) => legacy::schema::validate_at_most(&doc, self.options.max_findings),
            },
        };
        Report::new(findings, self.options.unmask).with_message_type(Some("OIOXML".into()))
    }

    fn fhir_bytes(&self, input: &[u8]) -> Report {
        let options = ReadOptions::default()
            .with_mode(Mode::Lenient)
            .with_max_issues(self.options.max_findings);
        match crate::parse_bytes(input, &options) {
            Ok(doc) => {
                let report = self.fhir.report(&doc);
                match self.policy {
                    Some(policy) => {
                        let code = policy.judge(&doc, report.findings()).code;
                        report.with_acknowledgement(Some(code.code()))
                    }
                    None => report,
                }
            }
            Err(e) => {
                let finding = Finding::new(
                    "fhir-read",
                    Severity::Error,
                    e.path().unwrap_or(""),
                    e.kind().to_string(),
                )
                .with_position(e.position());
                let report = Report::new(vec![finding], self.options.unmask);
                // A receiver cannot read it: the policy's `unreadable`.
                match self.policy {
                    Some(_) => report.with_acknowledgement(Some("fatal-error")),
                    None => report,
                }
            }
        }
    }

    /// Reads the envelope, then validates its payload (a receipt carries none).
    fn envelope(&self, input: &[u8], kind: Kind) -> Report {
        let unmask = self.options.unmask;
        let name = kind.envelope();
        let failed = |message: String, position: Option<Position>| {
            Report::new(
                vec![read_failure("envelope-read", message, position)],
                unmask,
            )
            .with_envelope(name)
        };
        let text = match legacy::schema::decode(input) {
            Ok(text) => text,
            Err(e) => return failed(e.to_string(), decode_position(input, &e)),
        };
        let doc = match legacy::schema::parse_checked(&text) {
            Ok(doc) => doc,
            Err(e) => return failed(e.kind().to_string(), e.position()),
        };
        let root = doc.root_element();
        let at = Some(node_position(&doc, root.range().start));
        let envelope = match kind {
            Kind::Vans => vans::VansEnvelope::from_node(root).map(crate::exchange::Envelope::Vans),
            _ => sbdh::Sbdh::from_node(root).map(crate::exchange::Envelope::Sbdh),
        };
        let envelope = match envelope {
            Ok(envelope) => envelope,
            Err(e) => return failed(e.to_string(), at),
        };
        // A receipt signal carries no message (an SBDH one carries an ebBP receipt).
        let payload = match &envelope {
            crate::exchange::Envelope::Sbdh(s) if s.is_receipt() => None,
            e => e.payload(),
        };
        let Some(payload) = payload else {
            return Report::new(Vec::new(), unmask).with_envelope(name);
        };
        if Kind::detect(payload).envelope().is_some() {
            return failed("the payload is itself an envelope".to_owned(), at);
        }
        self.validate(payload).with_envelope(name)
    }
}

/// Validates an EDIFACT interchange (content, not only syntax); the message type names the
/// letter versions found.
fn edifact(input: &[u8], unmask: bool) -> Report {
    let validation = legacy::content::validate(input);
    let versions: Vec<String> = validation
        .original()
        .map(|o| o.letters.into_iter().map(|(_, v)| v).collect())
        .unwrap_or_default();
    let message_type = if versions.is_empty() {
        "EDIFACT".to_owned()
    } else {
        format!("EDIFACT {}", versions.join(","))
    };
    Report::new(validation.into_findings(), unmask).with_message_type(Some(message_type))
}

fn read_failure(code: &'static str, message: String, position: Option<Position>) -> Finding {
    let f = Finding::new(code, Severity::Error, "", message);
    match position {
        Some(p) => f.with_position(p),
        None => f,
    }
}

/// Where a decoding error is: the first bad byte, or the declaration that names the encoding.
fn decode_position(input: &[u8], e: &legacy::schema::DecodeError) -> Option<Position> {
    let bom = if input.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    match e {
        legacy::schema::DecodeError::InvalidUtf8 { byte } => {
            let end = (bom + byte).min(input.len());
            let prefix = std::str::from_utf8(input.get(bom..end)?).ok()?;
            let mut p = Position::from_offset(prefix, prefix.len());
            p.byte += bom;
            Some(p)
        }
        _ => Some(Position {
            byte: bom,
            line: 1,
            column: 1,
        }),
    }
}

/// The position of a byte offset of a parsed XML document.
fn node_position(doc: &roxmltree::Document<'_>, byte: usize) -> Position {
    let p = doc.text_pos_at(byte);
    Position {
        byte,
        line: p.row,
        column: p.col,
    }
}
