//! Findings: what validation (FHIR profiles, legacy schemas, Danish identifiers) reports.
//!
//! A finding carries a stable code, a severity, a location (FHIRPath for FHIR,
//! XPath-style for legacy XML, segment paths for EDIFACT), the source position where known, the
//! rule that produced it, and a message. Messages never quote patient data: the offending value,
//! when there is one, is held apart and shown only when asked for ([`Finding::value`]).

use std::fmt;
use std::sync::Arc;

pub mod codes;

use crate::error::Position;

/// How serious a finding is (the FHIR `OperationOutcome.issue.severity` values that apply).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Severity {
    /// The message does not conform.
    Error,
    /// Conforms, but something deserves attention.
    Warning,
    /// For information only.
    Information,
}

impl Severity {
    /// The FHIR code: `error`, `warning` or `information`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(medcom::finding::Severity::Warning.code(), "warning");
    /// ```
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Information => "information",
        }
    }
}

impl serde::Serialize for Severity {
    /// As its [code](Self::code).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Repr {
    code: &'static str,
    severity: Severity,
    location: Arc<str>,
    position: Option<Position>,
    message: String,
    rule: Option<Arc<str>>,
    value: Option<String>,
}

/// One finding.
///
/// # Examples
///
/// ```
/// use medcom::finding::{Finding, Severity};
/// let f = Finding::new("dk-cpr-date", Severity::Error, "Patient.identifier[0].value", "CPR number has no valid birth date")
///     .with_value("3113450000");
/// assert_eq!(f.to_string(), "error[dk-cpr-date] Patient.identifier[0].value: CPR number has no valid birth date");
/// assert_eq!(f.value(), Some("3113450000"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding(Box<Repr>);

impl Finding {
    /// A finding with a stable `code`, at `location`, with a message that must not contain patient
    /// data (use [`Self::with_value`] for the offending value).
    #[must_use]
    pub fn new(
        code: &'static str,
        severity: Severity,
        location: impl Into<Arc<str>>,
        message: impl Into<String>,
    ) -> Self {
        Self(Box::new(Repr {
            code,
            severity,
            location: location.into(),
            position: None,
            message: message.into(),
            rule: None,
            value: None,
        }))
    }

    /// Sets the source position.
    #[must_use]
    pub fn with_position(mut self, position: Position) -> Self {
        self.0.position = Some(position);
        self
    }

    /// Sets the rule that produced the finding (a profile URL with an invariant key, a schema
    /// type, ...).
    #[must_use]
    pub fn with_rule(mut self, rule: impl Into<Arc<str>>) -> Self {
        self.0.rule = Some(rule.into());
        self
    }

    /// Attaches the offending value (it may be patient data; renderers mask it by default).
    #[must_use]
    pub fn with_value(mut self, value: impl Into<String>) -> Self {
        self.0.value = Some(value.into());
        self
    }

    /// The stable machine code, e.g. `dk-gln-check-digit`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.0.code
    }

    /// The severity.
    #[must_use]
    pub fn severity(&self) -> Severity {
        self.0.severity
    }

    /// Where: `Bundle.entry[2].resource.identifier[0].value`, or an XPath-style location.
    #[must_use]
    pub fn location(&self) -> &str {
        &self.0.location
    }

    /// Line, column and byte offset in the source, when known.
    #[must_use]
    pub fn position(&self) -> Option<Position> {
        self.0.position
    }

    /// The message, free of patient data.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The rule that produced the finding.
    #[must_use]
    pub fn rule(&self) -> Option<&str> {
        self.0.rule.as_deref()
    }

    /// The offending value, if recorded (may be patient data).
    #[must_use]
    pub fn value(&self) -> Option<&str> {
        self.0.value.as_deref()
    }

    /// The message with the offending value appended, for trusted output only.
    #[must_use]
    pub fn unmasked_message(&self) -> String {
        match &self.0.value {
            Some(v) => format!("{} (value: '{v}')", self.0.message),
            None => self.0.message.clone(),
        }
    }
}

impl fmt::Display for Finding {
    /// `severity[code] location: message`, masked.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}] {}: {}",
            self.0.severity, self.0.code, self.0.location, self.0.message
        )
    }
}

/// A finding as it serializes: keys in alphabetical order, `line` and `column` `null` when the
/// position is unknown, `expression` the location.
pub(crate) struct Issue<'f> {
    code: &'f str,
    column: Option<u32>,
    expression: &'f str,
    line: Option<u32>,
    message: std::borrow::Cow<'f, str>,
    severity: Severity,
}

impl<'f> Issue<'f> {
    pub(crate) fn new(f: &'f Finding, message: std::borrow::Cow<'f, str>) -> Self {
        let position = f.position();
        Self {
            code: f.code(),
            column: position.map(|p| p.column),
            expression: f.location(),
            line: position.map(|p| p.line),
            message,
            severity: f.severity(),
        }
    }
}

impl serde::Serialize for Issue<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut s = serializer.serialize_struct("Issue", 6)?;
        s.serialize_field("code", self.code)?;
        s.serialize_field("column", &self.column)?;
        s.serialize_field("expression", self.expression)?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("message", &self.message)?;
        s.serialize_field("severity", &self.severity)?;
        s.end()
    }
}

impl serde::Serialize for Finding {
    /// `{"code":...,"column":...,"expression":...,"line":...,"message":...,"severity":...}`,
    /// the message masked (the value is never serialized).
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::finding::{Finding, Severity};
    /// let f = Finding::new("dk-cpr-date", Severity::Error, "Patient.identifier[0].value", "no valid birth date")
    ///     .with_value("3113450000");
    /// assert_eq!(
    ///     serde_json::to_string(&f).unwrap(),
    ///     r#"{"code":"dk-cpr-date","column":null,"expression":"Patient.identifier[0].value","line":null,"message":"no valid birth date","severity":"error"}"#
    /// );
    /// ```
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Issue::new(self, std::borrow::Cow::Borrowed(self.message())).serialize(serializer)
    }
}

/// The code of the finding that stands for findings left out by [`cap`].
pub const TRUNCATED: &str = "findings-truncated";

/// How many findings a report keeps by default (see [`cap`]).
pub const DEFAULT_MAX_FINDINGS: usize = 1_000;

/// Keeps the first `max` findings. When there were more, one more finding with the code
/// [`TRUNCATED`] follows them: it says how many were left out and has the severity of the most
/// serious of them, so that a verdict on the capped list is the verdict on the whole. A list
/// that already ends with such a finding and holds at most `max` others is left as it is.
/// Returns how many were left out.
///
/// # Examples
///
/// ```
/// use medcom::finding::{cap, Finding, Severity, TRUNCATED};
/// let mut findings: Vec<Finding> = (0..5)
///     .map(|i| Finding::new("x", if i < 4 { Severity::Warning } else { Severity::Error }, "Bundle", "x"))
///     .collect();
/// assert_eq!(cap(&mut findings, 2), 3);
/// assert_eq!(findings.len(), 3);
/// assert_eq!(findings[2].code(), TRUNCATED);
/// assert_eq!(findings[2].severity(), Severity::Error);
/// assert_eq!(findings[2].message(), "3 more findings left out (at most 2 are reported)");
/// ```
pub fn cap(findings: &mut Vec<Finding>, max: usize) -> usize {
    // A list capped before ends with its marker, which is not one of the findings.
    let marked = findings.last().is_some_and(|f| f.code() == TRUNCATED);
    if findings.len() - usize::from(marked) <= max {
        return 0;
    }
    let left_out = findings.len() - max;
    let severity = findings[max..]
        .iter()
        .map(Finding::severity)
        .min()
        .unwrap_or(Severity::Information);
    findings.truncate(max);
    findings.shrink_to_fit();
    findings.push(truncation(left_out, max, severity));
    left_out
}

/// The finding that stands for `left_out` findings, the most serious of `severity`.
pub(crate) fn truncation(left_out: usize, max: usize, severity: Severity) -> Finding {
    let noun = if left_out == 1 { "finding" } else { "findings" };
    Finding::new(
        TRUNCATED,
        severity,
        "",
        format!("{left_out} more {noun} left out (at most {max} are reported)"),
    )
}
