//! Validation results as a FHIR OperationOutcome, built in the element model so the crate's own
//! writers serialize it ([`crate::xml::to_string`], [`crate::json::to_string`]).
//!
//! Each finding becomes one `issue`: `severity` (error, warning, information), `code` (a FHIR
//! IssueType mapped from the finding's code by [`issue_type`]), `details.text` (the message,
//! masked unless the report is unmasked), `expression` (the FHIRPath location), and the source
//! line and column as the standard extensions [`LINE_EXTENSION`] and [`COLUMN_EXTENSION`]. A
//! report without findings gives one `information` issue (`informational`), since an
//! OperationOutcome needs at least one issue.
//!
//! # Examples
//!
//! ```
//! let doc = medcom::parse(r#"{"resourceType":"Bundle","type":"message"}"#).unwrap();
//! let outcome = medcom::validate::validate(&doc).to_operation_outcome();
//! let json = medcom::json::to_string(&outcome);
//! assert!(json.starts_with(r#"{"resourceType":"OperationOutcome","issue":[{"#));
//! assert!(json.contains(r#""expression":["Bundle"]"#));
//! ```

use std::borrow::Cow;

use crate::finding::{Finding, Severity};
use crate::model::{NodeId, Type};
use crate::validate::Report;
use crate::Document;

/// The R4 extension holding an issue's source line.
pub const LINE_EXTENSION: &str =
    "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-line";
/// The R4 extension holding an issue's source column.
pub const COLUMN_EXTENSION: &str =
    "http://hl7.org/fhir/StructureDefinition/operationoutcome-issue-col";

/// The FHIR IssueType (`OperationOutcome.issue.code`) for a finding code.
///
/// Codes of the MedCom rules map exactly; codes of other checks (profiles, legacy schemas) by
/// what their name says, falling back to `processing`.
///
/// # Examples
///
/// ```
/// use medcom::validate::outcome::issue_type;
/// assert_eq!(issue_type("dk-cpr-date"), "value");
/// assert_eq!(issue_type("medcom-header-first"), "structure");
/// assert_eq!(issue_type("medcom-provenance-target"), "invariant");
/// assert_eq!(issue_type("something-else"), "processing");
/// ```
#[must_use]
pub fn issue_type(code: &str) -> &'static str {
    match code {
        "fhir-read" | "legacy-read" | "medcom-header-first" => "structure",
        "fhir-resource-type" | "http-parameter" => "invalid",
        "http-body" => "incomplete",
        "http-busy" => "transient",
        "http-media-type" | "http-method" => "not-supported",
        "http-not-found" => "not-found",
        "http-timeout" => "timeout",
        "http-too-large" => "too-long",
        "medcom-message-type" => "not-supported",
        "medcom-timezone" | "medcom-uuid" | "medcom-uuid-id" => "value",
        "medcom-provenance-target"
        | "medcom-provenance-entity"
        | "medcom-hn-state"
        | "medcom-ack-pairing" => "invariant",
        c if c.starts_with("dk-") => "value",
        c if c.starts_with("xsd-") => "structure",
        c if c.contains("invariant") => "invariant",
        c if c.contains("version") || c.contains("supported") => "not-supported",
        c if c.contains("binding") || c.contains("code") => "code-invalid",
        c if c.contains("cardinality") || c.contains("required") || c.contains("min") => "required",
        c if c.contains("type") || c.contains("slic") || c.contains("structure") => "structure",
        c if c.contains("value") || c.contains("fixed") || c.contains("pattern") => "value",
        c if c.contains("length") => "too-long",
        c if c.contains("reference") => "not-found",
        _ => "processing",
    }
}

/// Builds the OperationOutcome of a report (see the module documentation).
pub(crate) fn operation_outcome(report: &Report) -> Document<'static> {
    // R4 defines OperationOutcome, so the type table always has it.
    #[allow(clippy::expect_used)]
    let ty = Type::resource("OperationOutcome").expect("R4 defines OperationOutcome");
    let mut doc = Document::new(ty);
    let root = doc.root().id();
    if report.findings().is_empty() {
        add_issue(
            &mut doc,
            root,
            Severity::Information,
            "informational",
            "no issues found".into(),
            None,
            None,
        );
    }
    for f in report.findings() {
        add_issue(
            &mut doc,
            root,
            f.severity(),
            issue_type(f.code()),
            report.message_of(f).into_owned(),
            Some(f),
            f.position().map(|p| (p.line, p.column)),
        );
    }
    doc
}

fn add_issue(
    doc: &mut Document<'static>,
    root: NodeId,
    severity: Severity,
    code: &'static str,
    message: String,
    finding: Option<&Finding>,
    position: Option<(u32, u32)>,
) {
    // Every name below is an R4 element of OperationOutcome, so appending cannot fail; a
    // failure would only leave the issue incomplete.
    let Ok(issue) = doc.append(root, "issue", None, None) else {
        return;
    };
    if let Some((line, column)) = position {
        for (url, n) in [(LINE_EXTENSION, line), (COLUMN_EXTENSION, column)] {
            if let Ok(ext) = doc.append(issue, "extension", None, None) {
                let _ = doc.append_value(ext, "url", url);
                let _ = doc.append(
                    ext,
                    "value",
                    Type::by_name("integer"),
                    Some(Cow::Owned(n.to_string())),
                );
            }
        }
    }
    let _ = doc.append_value(issue, "severity", severity.code());
    let _ = doc.append_value(issue, "code", code);
    if let Ok(details) = doc.append(issue, "details", None, None) {
        if let Some(f) = finding {
            if let Ok(coding) = doc.append(details, "coding", None, None) {
                let _ = doc.append_value(coding, "system", "urn:medcom-rs:finding-code");
                let _ = doc.append_value(coding, "code", f.code());
            }
        }
        let _ = doc.append_value(details, "text", message);
    }
    if let Some(f) = finding {
        let location = f.location();
        if !location.is_empty() {
            let _ = doc.append_value(issue, "expression", location.to_owned());
        }
    }
}
