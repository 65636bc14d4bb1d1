//! The full result of validating one message.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::finding::{Finding, Severity};

/// Every finding for one message, the message type detected and the verdict.
///
/// Renderers show offending values only when the report is unmasked
/// ([`crate::validate::ValidatorOptions::should_unmask`]).
///
/// # Examples
///
/// ```
/// use medcom::finding::{Finding, Severity};
/// use medcom::validate::Report;
/// let f = Finding::new("dk-cpr-date", Severity::Error, "Patient.identifier[0].value", "CPR number has no valid birth date")
///     .with_value("3113450000");
/// let report = Report::new(vec![f], false);
/// assert!(!report.is_valid());
/// assert!(!report.to_text("a.json").contains("3113450000"));
/// assert!(report.unmasked(true).to_text("a.json").contains("3113450000"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    findings: Vec<Finding>,
    message_type: Option<String>,
    version: Option<String>,
    unmask: bool,
    left_out: usize,
    path: Option<String>,
    envelope: Option<&'static str>,
    acknowledgement: Option<&'static str>,
}

impl Report {
    /// A report of `findings`; `unmask` says whether renderers show offending values.
    #[must_use]
    pub fn new(findings: Vec<Finding>, unmask: bool) -> Self {
        Self {
            findings,
            message_type: None,
            version: None,
            unmask,
            left_out: 0,
            path: None,
            envelope: None,
            acknowledgement: None,
        }
    }

    /// Names the input (a file path, `-` for stdin), as the serialized report's `path`.
    ///
    /// # Examples
    ///
    /// ```
    /// let report = medcom::validate::Report::new(Vec::new(), false).with_path("a.xml");
    /// assert_eq!(report.path(), Some("a.xml"));
    /// assert_eq!(
    ///     serde_json::to_string(&report).unwrap(),
    ///     r#"{"issues":[],"message_type":null,"path":"a.xml","valid":true}"#
    /// );
    /// ```
    #[must_use]
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The input's name, when given.
    #[must_use]
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// Says that the message came in a network envelope (`VANSEnvelope` or `SBDH`).
    #[must_use]
    pub fn with_envelope(mut self, envelope: Option<&'static str>) -> Self {
        self.envelope = envelope;
        self
    }

    /// The network envelope the message came in, if any.
    #[must_use]
    pub fn envelope(&self) -> Option<&str> {
        self.envelope
    }

    /// Sets the acknowledgement code a receive policy answers (`ok`, `fatal-error`, ...).
    #[must_use]
    pub fn with_acknowledgement(mut self, code: Option<&'static str>) -> Self {
        self.acknowledgement = code;
        self
    }

    /// The acknowledgement code a receive policy answers, when one judged the message.
    #[must_use]
    pub fn acknowledgement(&self) -> Option<&'static str> {
        self.acknowledgement
    }

    /// Sets the detected message type.
    #[must_use]
    pub fn with_message_type(mut self, message_type: Option<String>) -> Self {
        self.message_type = message_type;
        self
    }

    /// Caps the findings at `max` (see [`crate::finding::cap`]): the first `max`, then one
    /// `findings-truncated` finding saying how many were left out.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::finding::{Finding, Severity};
    /// use medcom::validate::Report;
    /// let findings = vec![Finding::new("x", Severity::Error, "Bundle", "x"); 3];
    /// let report = Report::new(findings, false).with_max_findings(1);
    /// assert_eq!(report.findings().len(), 2);
    /// assert_eq!(report.findings()[1].code(), "findings-truncated");
    /// assert_eq!(report.left_out(), 2);
    /// ```
    #[must_use]
    pub fn with_max_findings(mut self, max: usize) -> Self {
        // A report capped before keeps its count: the earlier marker is not a finding.
        let earlier = if self.left_out > 0 {
            self.findings.pop()
        } else {
            None
        };
        let now = crate::finding::cap(&mut self.findings, max);
        match earlier {
            None => {}
            Some(marker) if now == 0 => {
                self.findings.push(crate::finding::truncation(
                    self.left_out,
                    max,
                    marker.severity(),
                ));
            }
            Some(marker) => {
                let severity = self
                    .findings
                    .pop()
                    .map_or(marker.severity(), |f| f.severity().min(marker.severity()));
                self.findings.push(crate::finding::truncation(
                    self.left_out + now,
                    max,
                    severity,
                ));
            }
        }
        self.left_out += now;
        self
    }

    /// Counts `n` findings of at most `severity` that were left out before the report was
    /// made (a reader's problems beyond its limit), in the report's one `findings-truncated`
    /// finding.
    #[must_use]
    pub(crate) fn with_left_out(mut self, n: usize, severity: Severity) -> Self {
        if n == 0 {
            return self;
        }
        let earlier = if self.left_out > 0 {
            self.findings.pop()
        } else {
            None
        };
        let severity = earlier.map_or(severity, |m| m.severity().min(severity));
        self.left_out += n;
        let shown = self.findings.len();
        self.findings
            .push(crate::finding::truncation(self.left_out, shown, severity));
        self
    }

    /// How many findings [`Self::with_max_findings`] left out.
    #[must_use]
    pub fn left_out(&self) -> usize {
        self.left_out
    }

    /// Sets the detected version.
    #[must_use]
    pub fn with_version(mut self, version: Option<String>) -> Self {
        self.version = version;
        self
    }

    /// The same report, masked or not.
    #[must_use]
    pub fn unmasked(mut self, unmask: bool) -> Self {
        self.unmask = unmask;
        self
    }

    /// Whether there is no error.
    #[must_use]
    pub fn is_valid(&self) -> bool {
        !self
            .findings
            .iter()
            .any(|f| f.severity() == Severity::Error)
    }

    /// Every finding, in the order the checks produced them.
    #[must_use]
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The findings of one severity.
    pub fn with_severity(&self, severity: Severity) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(move |f| f.severity() == severity)
    }

    /// Number of findings of a severity.
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.with_severity(severity).count()
    }

    /// The message standard, e.g. `CareCommunication`, when detected.
    #[must_use]
    pub fn message_type(&self) -> Option<&str> {
        self.message_type.as_deref()
    }

    /// The version the message claims, when known.
    #[must_use]
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Whether renderers show offending values.
    #[must_use]
    pub fn is_unmasked(&self) -> bool {
        self.unmask
    }

    /// A finding's message as this report renders it: masked, or with the value appended.
    #[must_use]
    pub fn message_of<'f>(&self, finding: &'f Finding) -> Cow<'f, str> {
        if self.unmask {
            Cow::Owned(finding.unmasked_message())
        } else {
            Cow::Borrowed(finding.message())
        }
    }

    /// One line per finding: `path:line:column: severity[code] location: message` (without
    /// `line:column` when the position is unknown or line 0).
    #[must_use]
    pub fn to_text(&self, path: &str) -> String {
        let mut out = String::new();
        for f in &self.findings {
            match f.position().filter(|p| p.line > 0) {
                Some(p) => {
                    let _ = write!(out, "{path}:{}:{}: ", p.line, p.column);
                }
                None => {
                    let _ = write!(out, "{path}: ");
                }
            }
            let _ = writeln!(
                out,
                "{}[{}] {}: {}",
                f.severity(),
                f.code(),
                f.location(),
                self.message_of(f)
            );
        }
        out
    }

    /// The report as a FHIR OperationOutcome (see [`crate::validate::outcome`]).
    #[must_use]
    pub fn to_operation_outcome(&self) -> crate::Document<'static> {
        super::outcome::operation_outcome(self)
    }
}

/// The findings, rendered (masked or not) as the report says, without an intermediate list.
struct Issues<'r>(&'r Report);

impl serde::Serialize for Issues<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.0
                .findings
                .iter()
                .map(|f| crate::finding::Issue::new(f, self.0.message_of(f))),
        )
    }
}

impl serde::Serialize for Report {
    /// The object `medcom validate --format json` prints for one file:
    /// `{"issues":[...],"message_type":...,"path":...,"valid":...}`, each issue as a
    /// [`Finding`] serializes, its message masked unless the report is unmasked.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        // Keys in alphabetical order; `acknowledgement` and `envelope` only when set.
        let optional =
            usize::from(self.acknowledgement.is_some()) + usize::from(self.envelope.is_some());
        let mut s = serializer.serialize_struct("Report", 4 + optional)?;
        if let Some(code) = self.acknowledgement {
            s.serialize_field("acknowledgement", code)?;
        }
        if let Some(envelope) = self.envelope {
            s.serialize_field("envelope", envelope)?;
        }
        s.serialize_field("issues", &Issues(self))?;
        s.serialize_field("message_type", &self.message_type)?;
        s.serialize_field("path", &self.path)?;
        s.serialize_field("valid", &self.is_valid())?;
        s.end()
    }
}
