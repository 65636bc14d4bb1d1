//! Acknowledgement 2.0.3 (Kvittering): the answer to every received MedCom FHIR message.
//!
//! The acknowledgement swaps sender and receiver of the acknowledged message, quotes its
//! `MessageHeader.id` in `response.identifier` with the code `ok`, `transient-error` or
//! `fatal-error`, and carries exactly two Provenances: a copy of the acknowledged message's
//! latest one, and its own (`activity` = `acknowledgement`, `entity.role` = `revision`,
//! `entity.what.reference` = `MessageHeader/<acknowledged id>`). An error adds an
//! OperationOutcome whose issues carry MedCom's acknowledgement error codes.

use std::fmt;

use crate::model::{Document, Node};

use super::assembly::{
    header_of, resolve, resources, Activity, Assembly, MessageInfo, Predecessor, Profiles,
    ProvenanceRecord,
};
use super::ids::Context;
use super::party::Organization;
use super::tree;
use super::{BuildError, ViewError};

pub(crate) const PROFILES: Profiles = Profiles {
    bundle: "http://medcomfhir.dk/ig/acknowledgement/StructureDefinition/medcom-messaging-acknowledgement",
    header: "http://medcomfhir.dk/ig/acknowledgement/StructureDefinition/medcom-messaging-acknowledgementHeader",
    organization:
        "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-organization",
    provenance: "http://medcomfhir.dk/ig/messaging/StructureDefinition/medcom-messaging-provenance",
    patient: "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-patient",
    practitioner: "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitioner",
    practitioner_role:
        "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-practitionerrole",
    care_team: "http://medcomfhir.dk/ig/core/StructureDefinition/medcom-core-careteam",
};

/// The event code.
pub(crate) const EVENT: &str = "acknowledgement-message";
const OUTCOME_PROFILE: &str = "http://medcomfhir.dk/ig/acknowledgement/StructureDefinition/medcom-acknowledgement-operationoutcome";
/// MedCom's acknowledgement error codes.
pub const ERROR_SYSTEM: &str =
    "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-acknowledgement-error-codes";
/// The system of HL7's `MSG_*` operation-outcome codes as Acknowledgement 2.0.3's value set
/// (terminology 1.4.0) lists them: the ValueSet's URL, not the CodeSystem's
/// (`http://terminology.hl7.org/CodeSystem/operation-outcome`, which terminology 2.0.x uses).
/// A code with the CodeSystem URL fails the 2.0.3 binding, so this one is written.
pub const OPERATION_OUTCOME_SYSTEM: &str = "http://hl7.org/fhir/ValueSet/operation-outcome";

/// The codes of `medcom-acknowledgement-error-codes`.
pub const MEDCOM_ERROR_CODES: [&str; 9] = [
    "MSG_Receiver_Identifier_UNKNOWN",
    "MSG_Receiver_Identifier_MISSING",
    "MSG_RECEIVER_UNABLE_TO_RECEIVE_MSG_TYPE",
    "MSG_VALUESET_VALUE_UNKNOWN",
    "MSG_CodeSystem_VALUE_UNKNOWN",
    "MSG_Element_To_Long",
    "MSG_Datatype_Wrong",
    "MSG_Mailbox_Out_Of_Operation",
    "MSG_Damaged_durin_transport",
];

/// The HL7 operation-outcome codes in `medcom-acknowledgement-issue-details`.
pub const HL7_ERROR_CODES: [&str; 28] = [
    "MSG_ID_INVALID",
    "MSG_ID_TOO_LONG",
    "MSG_BAD_FORMAT",
    "MSG_BAD_SYNTAX",
    "MSG_DATE_FORMAT",
    "MSG_DUPLICATE_ID",
    "MSG_INVALID_ID",
    "MSG_JSON_OBJECT",
    "MSG_LOCAL_FAIL",
    "MSG_NO_MATCH",
    "MSG_NO_EXIST",
    "MSG_NO_SUMMARY",
    "MSG_PARAM_INVALID",
    "MSG_PARAM_NO_REPEAT",
    "MSG_PARAM_UNKNOWN",
    "MSG_RESOURCE_ID_MISMATCH",
    "MSG_RESOURCE_FAIL",
    "MSG_RESOURCE_ID_MISSING",
    "MSG_RESOURCE_NOT_ALLOWED",
    "MSG_RESOURCE_REQUIRED",
    "MSG_RESOURCE_TYPE_MISMATCH",
    "MSG_TRANSACTION_DUPLICATE_ID",
    "MSG_TRANSACTION_MISSING_ID",
    "MSG_UNKNOWN_TYPE",
    "MSG_VERSION_AWARE",
    "MSG_VERSION_AWARE_CONFLICT",
    "MSG_VERSION_AWARE_URL",
    "MSG_WRONG_NS",
];

/// FHIR `issue-type` codes (`OperationOutcome.issue.code`).
const ISSUE_TYPES: [&str; 31] = [
    "invalid",
    "structure",
    "required",
    "value",
    "invariant",
    "security",
    "login",
    "unknown",
    "expired",
    "forbidden",
    "suppressed",
    "processing",
    "not-supported",
    "duplicate",
    "multiple-matches",
    "not-found",
    "deleted",
    "too-long",
    "code-invalid",
    "extension",
    "too-costly",
    "business-rule",
    "conflict",
    "transient",
    "lock-error",
    "no-store",
    "exception",
    "timeout",
    "incomplete",
    "throttled",
    "informational",
];

/// `MessageHeader.response.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseCode {
    /// `ok`.
    Ok,
    /// `transient-error`: wait and try again.
    TransientError,
    /// `fatal-error`: a problem with the content; the message will not be processed.
    FatalError,
}

impl ResponseCode {
    /// The FHIR code.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::ResponseCode;
    /// assert_eq!(ResponseCode::FatalError.code(), "fatal-error");
    /// assert_eq!(ResponseCode::from_code("ok"), Some(ResponseCode::Ok));
    /// ```
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::TransientError => "transient-error",
            Self::FatalError => "fatal-error",
        }
    }

    /// The response code of a FHIR code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "ok" => Some(Self::Ok),
            "transient-error" => Some(Self::TransientError),
            "fatal-error" => Some(Self::FatalError),
            _ => None,
        }
    }
}

/// One issue of the OperationOutcome of an acknowledgement.
///
/// # Examples
///
/// ```
/// use medcom::messages::AckIssue;
/// let i = AckIssue::error("MSG_VALUESET_VALUE_UNKNOWN");
/// assert_eq!((i.severity.as_str(), i.issue_type.as_str()), ("error", "value"));
/// assert!(i.system.ends_with("medcom-acknowledgement-error-codes"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AckIssue {
    /// `issue.severity`: `fatal`, `error`, `warning` or `information`.
    pub severity: String,
    /// `issue.code` (FHIR issue type), e.g. `structure`, `value`, `transient`.
    pub issue_type: String,
    /// The code system of `code`: MedCom's error codes or HL7's operation-outcome codes.
    pub system: String,
    /// The error code, e.g. `MSG_VALUESET_VALUE_UNKNOWN`.
    pub code: String,
    /// Free text for the sender (`issue.diagnostics`).
    pub diagnostics: Option<String>,
}

impl AckIssue {
    /// An issue with a severity, an issue type and an error code (its system is chosen by the
    /// code).
    #[must_use]
    pub fn new(severity: &str, issue_type: &str, code: &str) -> Self {
        let system = if HL7_ERROR_CODES.contains(&code) {
            OPERATION_OUTCOME_SYSTEM
        } else {
            ERROR_SYSTEM
        };
        Self {
            severity: severity.to_owned(),
            issue_type: issue_type.to_owned(),
            system: system.to_owned(),
            code: code.to_owned(),
            diagnostics: None,
        }
    }

    /// An `error` with the issue type that fits the code.
    #[must_use]
    pub fn error(code: &str) -> Self {
        Self::new("error", default_issue_type(code), code)
    }

    /// Adds free text.
    #[must_use]
    pub fn with_diagnostics(mut self, text: &str) -> Self {
        self.diagnostics = Some(text.to_owned());
        self
    }

    fn check(&self) -> Result<(), BuildError> {
        let known = match self.system.as_str() {
            ERROR_SYSTEM => MEDCOM_ERROR_CODES.contains(&self.code.as_str()),
            OPERATION_OUTCOME_SYSTEM => HL7_ERROR_CODES.contains(&self.code.as_str()),
            _ => false,
        };
        if !known {
            return Err(BuildError::UnknownIssueCode {
                code: self.code.clone(),
            });
        }
        if !matches!(
            self.severity.as_str(),
            "fatal" | "error" | "warning" | "information"
        ) || !ISSUE_TYPES.contains(&self.issue_type.as_str())
        {
            return Err(BuildError::UnknownIssueCode {
                code: format!("{}/{}", self.severity, self.issue_type),
            });
        }
        Ok(())
    }
}

/// The most characters of an issue's diagnostics an acknowledgement carries unless told
/// otherwise ([`Acknowledgement::with_max_diagnostics`]).
pub const DEFAULT_MAX_DIAGNOSTICS: usize = 160;

/// Diagnostics cut to `max` characters.
fn shorten(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max.max(1) - 1) {
        Some((end, _)) if end < text.len() => text.get(..end).unwrap_or(text),
        _ => text,
    }
}

/// The FHIR issue type that fits an error code.
fn default_issue_type(code: &str) -> &'static str {
    match code {
        "MSG_Mailbox_Out_Of_Operation" => "transient",
        "MSG_Damaged_durin_transport" | "MSG_BAD_SYNTAX" | "MSG_BAD_FORMAT" | "MSG_JSON_OBJECT" => {
            "structure"
        }
        "MSG_Receiver_Identifier_UNKNOWN" | "MSG_Receiver_Identifier_MISSING" => "not-found",
        "MSG_RECEIVER_UNABLE_TO_RECEIVE_MSG_TYPE" | "MSG_UNKNOWN_TYPE" => "not-supported",
        "MSG_Element_To_Long" | "MSG_ID_TOO_LONG" => "too-long",
        "MSG_CodeSystem_VALUE_UNKNOWN" => "code-invalid",
        "MSG_DUPLICATE_ID" | "MSG_TRANSACTION_DUPLICATE_ID" => "duplicate",
        "MSG_RESOURCE_REQUIRED" | "MSG_RESOURCE_ID_MISSING" | "MSG_TRANSACTION_MISSING_ID" => {
            "required"
        }
        _ => "value",
    }
}

/// A legacy letter an acknowledgement answers, as its own Provenance names it: an entity with
/// role `revision` whose `what.identifier.value` is MedCom's `brevid#lokationsnummer`.
///
/// # Examples
///
/// ```
/// let l = medcom::messages::LegacyLetter::new("B1#5790000121526").with_version("XD9134L");
/// assert_eq!(l.version.as_deref(), Some("XD9134L"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegacyLetter {
    /// `brevid#lokationsnummer`.
    pub identifier: String,
    /// The letter's version code (`what.identifier.type.text`).
    pub version: Option<String>,
    /// What else names the letter (`what.display`).
    pub display: Option<String>,
}

impl LegacyLetter {
    /// A letter by `brevid#lokationsnummer`.
    #[must_use]
    pub fn new(identifier: &str) -> Self {
        Self {
            identifier: identifier.to_owned(),
            version: None,
            display: None,
        }
    }

    /// Sets the version code.
    #[must_use]
    pub fn with_version(mut self, version: &str) -> Self {
        self.version = Some(version.to_owned());
        self
    }

    /// Sets the display.
    #[must_use]
    pub fn with_display(mut self, display: &str) -> Self {
        self.display = Some(display.to_owned());
        self
    }
}

/// The most issues an acknowledgement's OperationOutcome lists unless told otherwise
/// ([`Acknowledgement::with_max_issues`]).
pub const DEFAULT_MAX_ACK_ISSUES: usize = 100;

/// An acknowledgement: who acknowledges whom, which message, the response code and issues, and
/// the acknowledged message's latest Provenance.
///
/// # Examples
///
/// ```
/// use medcom::messages::*;
/// let sender = Organization::new("265161000016000", "5790000209354");
/// let receiver = Organization::new("953741000016009", "5790001348120");
/// let ctx = Context::new();
/// let received = EmptyMessage::new(sender, receiver).build(&ctx).unwrap();
/// let ack = Acknowledgement::for_message(&received).unwrap().build(&ctx).unwrap();
/// assert!(medcom::validate::Validator::new().report(&ack).is_valid());
/// let read = Acknowledgement::read(&ack).unwrap();
/// assert_eq!(read.code, ResponseCode::Ok);
/// assert_eq!(read.acknowledged, MessageInfo::read(&received).unwrap().header_id);
/// // An acknowledgement is never acknowledged.
/// assert_eq!(Acknowledgement::for_message(&ack).unwrap_err(), BuildError::AcknowledgementOfAcknowledgement);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Acknowledgement {
    /// The acknowledging organization (the acknowledged message's receiver).
    pub sender: Organization,
    /// The acknowledged message's sender.
    pub receiver: Organization,
    /// The acknowledged `MessageHeader.id` (`response.identifier`).
    pub acknowledged: String,
    /// The response code. Default: [`ResponseCode::Ok`].
    pub code: ResponseCode,
    /// The OperationOutcome's issues (required unless `ok`).
    pub issues: Vec<AckIssue>,
    /// The most issues the OperationOutcome lists; one more issue says how many were left out.
    /// Default: [`DEFAULT_MAX_ACK_ISSUES`].
    pub max_issues: usize,
    /// A copy of the acknowledged message's latest Provenance.
    pub acknowledged_provenance: Option<ProvenanceRecord>,
    /// The most characters of an issue's diagnostics written. Default:
    /// [`DEFAULT_MAX_DIAGNOSTICS`].
    pub max_diagnostics: usize,
    /// The legacy letters acknowledged (a legacy receipt converted to FHIR): the own
    /// Provenance names each by `entity.what.identifier` beside the MessageHeader it points
    /// at. Default: none.
    pub legacy: Vec<LegacyLetter>,
    /// Resource ids of the received message worth keeping: (SOR, Organization id), and the
    /// copied Provenance's id.
    kept: Kept,
}

#[derive(Clone, Debug, Default)]
struct Kept {
    orgs: Vec<(String, String)>,
    provenance: Option<String>,
    base: Option<String>,
}

/// Equal when the content is (resource ids kept from the received message aside).
impl PartialEq for Acknowledgement {
    fn eq(&self, other: &Self) -> bool {
        self.sender == other.sender
            && self.receiver == other.receiver
            && self.acknowledged == other.acknowledged
            && self.code == other.code
            && self.issues == other.issues
            && self.acknowledged_provenance == other.acknowledged_provenance
            && self.legacy == other.legacy
    }
}

impl Eq for Acknowledgement {}

impl fmt::Display for ResponseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Acknowledgement {
    /// An acknowledgement from `sender` to `receiver` of the message with header id
    /// `acknowledged`; code `ok`, no issues, no copied Provenance.
    #[must_use]
    pub fn new(sender: Organization, receiver: Organization, acknowledged: &str) -> Self {
        Self {
            sender,
            receiver,
            acknowledged: acknowledged.to_owned(),
            code: ResponseCode::Ok,
            issues: Vec::new(),
            max_issues: DEFAULT_MAX_ACK_ISSUES,
            acknowledged_provenance: None,
            max_diagnostics: DEFAULT_MAX_DIAGNOSTICS,
            legacy: Vec::new(),
            kept: Kept::default(),
        }
    }

    /// The acknowledgement of a received message (code `ok` until changed): sender and
    /// receiver swapped, its latest Provenance copied, its Organizations' ids and `fullUrl`
    /// base kept.
    ///
    /// # Errors
    ///
    /// [`BuildError::AcknowledgementOfAcknowledgement`] for an acknowledgement, and
    /// [`BuildError::Received`] when the message cannot be read.
    ///
    /// # Examples
    ///
    /// See [`Acknowledgement`].
    pub fn for_message(received: &Document<'_>) -> Result<Self, BuildError> {
        let is_ack = header_of(received.root())
            .and_then(|h| h.child("event"))
            .and_then(|e| e.child_value("code"))
            == Some(EVENT);
        if is_ack {
            return Err(BuildError::AcknowledgementOfAcknowledgement);
        }
        let info = MessageInfo::read(received)?;
        let bundle = received.root();
        let mut kept = Kept::default();
        if let Some(header) = header_of(bundle) {
            let refs = std::iter::once(tree::text(header, &["sender", "reference"])).chain(
                header
                    .children_named("destination")
                    .map(|d| tree::text(d, &["receiver", "reference"])),
            );
            for r in refs.flatten() {
                if let Some(org) = resolve(bundle, r) {
                    let typed = super::read_organization(org);
                    if let Some(id) = org.child_value("id") {
                        kept.orgs.push((typed.sor, id.to_owned()));
                    }
                }
            }
            kept.base = base_of(bundle, header);
        }
        let latest = info.latest().cloned();
        if let Some(l) = &latest {
            kept.provenance = resources(bundle, "Provenance")
                .find(|p| {
                    tree::text(*p, &["target", "reference"])
                        .is_some_and(|t| super::id_of(t) == l.target)
                        && tree::text(*p, &["recorded"]) == Some(l.recorded.as_str())
                })
                .and_then(|p| p.child_value("id"))
                .map(str::to_owned);
        }
        Ok(Self {
            sender: info.receiver,
            receiver: info.sender,
            acknowledged: info.header_id,
            code: ResponseCode::Ok,
            issues: Vec::new(),
            max_issues: DEFAULT_MAX_ACK_ISSUES,
            acknowledged_provenance: latest,
            max_diagnostics: DEFAULT_MAX_DIAGNOSTICS,
            legacy: Vec::new(),
            kept,
        })
    }

    /// Sets the response code.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::*;
    /// # let sender = Organization::new("265161000016000", "5790000209354");
    /// # let receiver = Organization::new("953741000016009", "5790001348120");
    /// # let ctx = Context::new();
    /// # let received = EmptyMessage::new(sender, receiver).build(&ctx).unwrap();
    /// let ack = Acknowledgement::for_message(&received)
    ///     .unwrap()
    ///     .with_code(ResponseCode::FatalError)
    ///     .with_issue(AckIssue::error("MSG_VALUESET_VALUE_UNKNOWN"))
    ///     .build(&ctx)
    ///     .unwrap();
    /// assert!(medcom::validate::Validator::new().report(&ack).is_valid());
    /// assert_eq!(Acknowledgement::read(&ack).unwrap().issues.len(), 1);
    /// ```
    #[must_use]
    pub fn with_code(mut self, code: ResponseCode) -> Self {
        self.code = code;
        self
    }

    /// Adds an issue.
    #[must_use]
    pub fn with_issue(mut self, issue: AckIssue) -> Self {
        self.issues.push(issue);
        self
    }

    /// Sets the most issues the OperationOutcome lists (at least one). Past it, one
    /// `information` issue says how many more there were, so an acknowledgement stays small
    /// whatever the message it answers.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::*;
    /// # let sender = Organization::new("265161000016000", "5790000209354");
    /// # let receiver = Organization::new("953741000016009", "5790001348120");
    /// # let ctx = Context::new();
    /// # let received = EmptyMessage::new(sender, receiver).build(&ctx).unwrap();
    /// let mut ack = Acknowledgement::for_message(&received)
    ///     .unwrap()
    ///     .with_code(ResponseCode::FatalError)
    ///     .with_max_issues(2);
    /// for _ in 0..5 {
    ///     ack = ack.with_issue(AckIssue::error("MSG_VALUESET_VALUE_UNKNOWN"));
    /// }
    /// let doc = ack.build(&ctx).unwrap();
    /// let read = Acknowledgement::read(&doc).unwrap();
    /// assert_eq!(read.issues.len(), 3);
    /// assert!(read.issues[2].diagnostics.as_deref().unwrap().starts_with("3 more issues"));
    /// ```
    #[must_use]
    pub fn with_max_issues(mut self, max: usize) -> Self {
        self.max_issues = max.max(1);
        self
    }

    /// Sets the most characters of an issue's diagnostics written (at least one): a legacy
    /// receipt's refusal text, converted, is kept whole.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::*;
    /// let ack = Acknowledgement::new(
    ///     Organization::new("265161000016000", "5790000209354"),
    ///     Organization::new("953741000016009", "5790001348120"),
    ///     "3881874e-2042-4a00-aee8-23512799f512",
    /// )
    /// .with_max_diagnostics(10_000);
    /// assert_eq!(ack.max_diagnostics, 10_000);
    /// ```
    #[must_use]
    pub fn with_max_diagnostics(mut self, max: usize) -> Self {
        self.max_diagnostics = max.max(1);
        self
    }

    /// Builds the acknowledgement.
    ///
    /// # Errors
    ///
    /// [`BuildError::AckIssues`] for an error code without issues, and
    /// [`BuildError::UnknownIssueCode`] for an issue outside the value sets; malformed
    /// organizations as in every builder.
    ///
    /// # Examples
    ///
    /// ```
    /// use medcom::messages::*;
    /// let sender = Organization::new("265161000016000", "5790000209354");
    /// let receiver = Organization::new("953741000016009", "5790001348120");
    /// let err = Acknowledgement::new(sender, receiver, "3881874e-2042-4a00-aee8-23512799f512")
    ///     .with_code(ResponseCode::TransientError)
    ///     .build(&Context::new())
    ///     .unwrap_err();
    /// assert_eq!(err, BuildError::AckIssues { code: "transient-error" });
    /// ```
    pub fn build(&self, ctx: &Context) -> Result<Document<'static>, BuildError> {
        if self.code != ResponseCode::Ok && self.issues.is_empty() {
            return Err(BuildError::AckIssues {
                code: self.code.code(),
            });
        }
        for i in &self.issues {
            i.check()?;
        }
        if self.acknowledged.trim().is_empty() {
            return Err(BuildError::Missing {
                what: "acknowledged MessageHeader.id",
            });
        }
        let ctx = ctx.with_base_opt(self.kept.base.clone());
        let mut a = Assembly::new_keeping(
            &ctx,
            PROFILES,
            EVENT,
            &self.sender,
            &self.receiver,
            &self.kept.orgs,
        )?;
        let header = a.header;
        let response = a.tree.group(header, "response")?;
        a.tree.val(response, "identifier", &self.acknowledged)?;
        a.tree.val(response, "code", self.code.code())?;
        if let Some(p) = &self.acknowledged_provenance {
            a.provenance_with_id(p, self.kept.provenance.as_deref())?;
        }
        let own = a
            .own_provenance(Activity::Acknowledgement, &self.sender)
            .with_previous(Predecessor::revision(&self.acknowledged));
        let own = a.provenance(&own)?;
        for l in &self.legacy {
            let e = a.tree.group(own, "entity")?;
            a.tree.val(e, "role", "revision")?;
            let w = a.tree.typed(e, "what", "Reference")?;
            let i = a.tree.group(w, "identifier")?;
            if let Some(v) = &l.version {
                let t = a.tree.typed(i, "type", "CodeableConcept")?;
                a.tree.val(t, "text", v)?;
            }
            a.tree.val(i, "value", &l.identifier)?;
            a.tree.opt(w, "display", l.display.as_deref())?;
        }
        if !self.issues.is_empty() {
            let (oo, id) = a.resource("OperationOutcome", OUTCOME_PROFILE)?;
            a.tree
                .reference(response, "details", &format!("OperationOutcome/{id}"))?;
            let max = self.max_issues.max(1);
            // A compact narrative (one row per issue, diagnostics left to the issues) keeps
            // the acknowledgement small whatever the message it answers.
            let mut div = format!(
                "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>OperationOutcome {id}</b></p>\
                 <table><tr><th>severity</th><th>code</th><th>details</th></tr>"
            );
            for i in self.issues.iter().take(max) {
                let issue = a.tree.group(oo, "issue")?;
                a.tree.val(issue, "severity", &i.severity)?;
                a.tree.val(issue, "code", &i.issue_type)?;
                let details = a.tree.typed(issue, "details", "CodeableConcept")?;
                a.tree.coding(details, "coding", &i.system, &i.code)?;
                let diagnostics = i
                    .diagnostics
                    .as_deref()
                    .map(|d| shorten(d, self.max_diagnostics));
                a.tree.opt(issue, "diagnostics", diagnostics)?;
                div.push_str("<tr><td>");
                super::narrative::escape(&i.severity, &mut div);
                div.push_str("</td><td>");
                super::narrative::escape(&i.issue_type, &mut div);
                div.push_str("</td><td>");
                super::narrative::escape(&i.code, &mut div);
                div.push_str("</td></tr>");
            }
            if self.issues.len() > max {
                let more = self.issues.len() - max;
                let text = format!("{more} more issues not listed (the first {max} are)");
                let issue = a.tree.group(oo, "issue")?;
                a.tree.val(issue, "severity", "information")?;
                a.tree.val(issue, "code", "too-costly")?;
                a.tree.val(issue, "diagnostics", &text)?;
                div.push_str("<tr><td>information</td><td>too-costly</td><td>");
                div.push_str(&text);
                div.push_str("</td></tr>");
            }
            div.push_str("</table></div>");
            let narrative = a.tree.group(oo, "text")?;
            a.tree.val(narrative, "status", "generated")?;
            a.tree.val(narrative, "div", &div)?;
        }
        a.finish()
    }

    /// Reads an acknowledgement.
    ///
    /// # Errors
    ///
    /// [`ViewError::WrongEvent`] for another standard, [`ViewError::Missing`] without
    /// `response`, or any error of [`MessageInfo::read`].
    ///
    /// # Examples
    ///
    /// See [`Acknowledgement`].
    pub fn read(doc: &Document<'_>) -> Result<Self, ViewError> {
        let info = MessageInfo::read(doc)?;
        if info.event != EVENT {
            return Err(ViewError::WrongEvent {
                expected: EVENT,
                found: info.event,
            });
        }
        let bundle = doc.root();
        let header = header_of(bundle).ok_or(ViewError::Missing {
            path: "MessageHeader",
        })?;
        let response = header.child("response").ok_or(ViewError::Missing {
            path: "MessageHeader.response",
        })?;
        let acknowledged = response
            .child_value("identifier")
            .ok_or(ViewError::Missing {
                path: "MessageHeader.response.identifier",
            })?;
        let code = response.child_value("code").ok_or(ViewError::Missing {
            path: "MessageHeader.response.code",
        })?;
        let code = ResponseCode::from_code(code).ok_or_else(|| ViewError::UnknownCode {
            element: "MessageHeader.response.code",
            code: code.to_owned(),
        })?;
        let outcome = tree::text(response, &["details", "reference"])
            .and_then(|r| resolve(bundle, r))
            .or_else(|| resources(bundle, "OperationOutcome").next());
        let issues = outcome.map(read_issues).unwrap_or_default();
        let acknowledged_provenance = info
            .provenances
            .iter()
            .find(|p| p.target != info.header_id && p.activity != Activity::Acknowledgement)
            .cloned();
        let mut kept = Kept {
            base: base_of(bundle, header),
            ..Kept::default()
        };
        for org in resources(bundle, "Organization") {
            if let Some(id) = org.child_value("id") {
                kept.orgs
                    .push((super::read_organization(org).sor, id.to_owned()));
            }
        }
        let legacy = resources(bundle, "Provenance")
            .filter(|p| {
                tree::text(*p, &["target", "reference"])
                    .is_some_and(|t| super::id_of(t) == info.header_id)
            })
            .flat_map(|p| p.children_named("entity"))
            .filter_map(|e| {
                let what = e.child("what")?;
                let i = what.child("identifier")?;
                Some(LegacyLetter {
                    identifier: i.child_value("value")?.to_owned(),
                    version: tree::text(i, &["type", "text"]).map(str::to_owned),
                    display: what.child_value("display").map(str::to_owned),
                })
            })
            .collect();
        Ok(Self {
            legacy,
            max_diagnostics: DEFAULT_MAX_DIAGNOSTICS,
            sender: info.sender,
            receiver: info.receiver,
            acknowledged: acknowledged.to_owned(),
            code,
            max_issues: issues.len().max(DEFAULT_MAX_ACK_ISSUES),
            issues,
            acknowledged_provenance,
            kept,
        })
    }
}

fn read_issues(oo: Node<'_, '_>) -> Vec<AckIssue> {
    oo.children_named("issue")
        .map(|i| {
            let coding = i.child("details").and_then(|d| d.child("coding"));
            AckIssue {
                severity: i.child_value("severity").unwrap_or_default().to_owned(),
                issue_type: i.child_value("code").unwrap_or_default().to_owned(),
                system: coding
                    .and_then(|c| c.child_value("system"))
                    .unwrap_or_default()
                    .to_owned(),
                code: coding
                    .and_then(|c| c.child_value("code"))
                    .unwrap_or_default()
                    .to_owned(),
                diagnostics: i.child_value("diagnostics").map(str::to_owned),
            }
        })
        .collect()
}

/// The RESTful base of a message's `fullUrl`s (`…/MessageHeader/<id>` minus the type and id),
/// `None` for `urn:uuid:` or relative ones.
fn base_of(bundle: Node<'_, '_>, header: Node<'_, '_>) -> Option<String> {
    let id = header.child_value("id")?;
    let entry = bundle
        .children_named("entry")
        .find(|e| e.child("resource") == Some(header))?;
    let url = entry.child_value("fullUrl")?;
    let base = url.strip_suffix(&format!("MessageHeader/{id}"))?;
    (base.contains("://") && base.ends_with('/')).then(|| base.to_owned())
}
