//! Answers to a received message: its acknowledgement (with the code and issues chosen by hand
//! or from validation), the same acknowledgement again for a duplicate, and for a
//! CareCommunication the reply or forward.
//!
//! # Examples
//!
//! ```
//! use medcom::messages::{reply, Context, EmptyMessage, MessageInfo, Organization, ResponseCode};
//! use medcom::validate::Validator;
//! let ctx = Context::new();
//! let sender = Organization::new("265161000016000", "5790000209354");
//! let receiver = Organization::new("953741000016009", "5790001348120");
//! let received = EmptyMessage::new(sender, receiver).build(&ctx).unwrap();
//! let (ack, code) = reply::acknowledge_validated(&received, &Validator::new(), &ctx).unwrap();
//! assert_eq!(code, ResponseCode::Ok);
//! let again = reply::acknowledge_duplicate(&ack, &ctx).unwrap();
//! assert_eq!(MessageInfo::read(&again).unwrap().header_id, MessageInfo::read(&ack).unwrap().header_id);
//! ```

use crate::finding::{Finding, Severity};
use crate::model::Document;
use crate::validate::Validator;

use super::acknowledgement::{AckIssue, Acknowledgement, ResponseCode};
use super::care_communication::CareCommunication;
use super::ids::Context;
use super::party::Organization;
use super::BuildError;

/// The acknowledgement of `received` with `code`. An error code gets one issue of its own:
/// `MSG_Mailbox_Out_Of_Operation` (transient) for `transient-error`, `MSG_BAD_FORMAT` for
/// `fatal-error`.
///
/// # Errors
///
/// [`BuildError::AcknowledgementOfAcknowledgement`] for an acknowledgement;
/// [`BuildError::Received`] when `received` cannot be read as a message.
///
/// # Examples
///
/// ```
/// use medcom::messages::{reply, Acknowledgement, Context, EmptyMessage, Organization, ResponseCode};
/// let ctx = Context::new();
/// let received = EmptyMessage::new(
///     Organization::new("265161000016000", "5790000209354"),
///     Organization::new("953741000016009", "5790001348120"),
/// )
/// .build(&ctx)
/// .unwrap();
/// let ack = reply::acknowledge(&received, ResponseCode::TransientError, &ctx).unwrap();
/// let read = Acknowledgement::read(&ack).unwrap();
/// assert_eq!(read.issues[0].code, "MSG_Mailbox_Out_Of_Operation");
/// ```
pub fn acknowledge(
    received: &Document<'_>,
    code: ResponseCode,
    ctx: &Context,
) -> Result<Document<'static>, BuildError> {
    let mut ack = Acknowledgement::for_message(received)?.with_code(code);
    match code {
        ResponseCode::TransientError => {
            ack = ack.with_issue(AckIssue::error("MSG_Mailbox_Out_Of_Operation"));
        }
        ResponseCode::FatalError => {
            ack = ack.with_issue(AckIssue::new("error", "invalid", "MSG_BAD_FORMAT"));
        }
        _ => {}
    }
    ack.build(ctx)
}

/// Validates `received` and acknowledges it: `ok` without errors, else `fatal-error` with one
/// issue per error finding ([`issues`]). Returns the acknowledgement and the code chosen.
///
/// # Errors
///
/// As [`acknowledge`].
///
/// # Examples
///
/// See the [module documentation](self).
pub fn acknowledge_validated(
    received: &Document<'_>,
    validator: &Validator,
    ctx: &Context,
) -> Result<(Document<'static>, ResponseCode), BuildError> {
    let ack = Acknowledgement::for_message(received)?;
    let report = validator.report(received);
    let found = issues(report.findings());
    let code = if found.is_empty() {
        ResponseCode::Ok
    } else {
        ResponseCode::FatalError
    };
    let mut ack = ack.with_code(code);
    for i in found {
        ack = ack.with_issue(i);
    }
    Ok((ack.build(ctx)?, code))
}

/// The acknowledgement issues for validation findings: one per error, with the MedCom or HL7
/// error code that fits the finding and its (masked) message as diagnostics. Warnings and
/// information give none.
///
/// # Examples
///
/// ```
/// use medcom::finding::{Finding, Severity};
/// let f = Finding::new("fhir-binding", Severity::Error, "Bundle.entry[0]", "code not in value set");
/// let issues = medcom::messages::reply::issues(&[f]);
/// assert_eq!(issues[0].code, "MSG_VALUESET_VALUE_UNKNOWN");
/// ```
#[must_use]
pub fn issues(findings: &[Finding]) -> Vec<AckIssue> {
    findings
        .iter()
        .filter(|f| f.severity() == Severity::Error)
        .map(|f| {
            let (issue_type, code) = error_code(f.code());
            AckIssue::new("error", issue_type, code).with_diagnostics(&format!(
                "{}: {} ({})",
                f.code(),
                f.message(),
                f.location()
            ))
        })
        .collect()
}

/// The FHIR issue type and MedCom/HL7 error code of a validation finding code.
fn error_code(finding: &str) -> (&'static str, &'static str) {
    match finding {
        "fhir-binding" => ("code-invalid", "MSG_VALUESET_VALUE_UNKNOWN"),
        "fhir-type" => ("structure", "MSG_Datatype_Wrong"),
        "fhir-max-length" => ("too-long", "MSG_Element_To_Long"),
        "fhir-read" => ("structure", "MSG_BAD_SYNTAX"),
        "fhir-message-unknown" | "fhir-unsupported-version" | "medcom-message-type" => {
            ("not-supported", "MSG_UNKNOWN_TYPE")
        }
        "medcom-uuid" | "medcom-uuid-id" => ("value", "MSG_ID_INVALID"),
        "medcom-timezone" => ("value", "MSG_DATE_FORMAT"),
        f if f.starts_with("dk-") => ("value", "MSG_PARAM_INVALID"),
        "fhir-pattern" | "fhir-fixed" => ("value", "MSG_PARAM_INVALID"),
        _ => ("invalid", "MSG_BAD_FORMAT"),
    }
}

/// The same acknowledgement again for a duplicate: same content, new `Bundle.id` and
/// timestamp (see [`super::reissue`]).
///
/// # Errors
///
/// As [`super::reissue`].
///
/// # Examples
///
/// See the [module documentation](self).
pub fn acknowledge_duplicate(
    first_ack: &Document<'_>,
    ctx: &Context,
) -> Result<Document<'static>, BuildError> {
    super::reissue(first_ack, ctx)
}

/// The reply to a received CareCommunication (see [`CareCommunication::reply`]).
///
/// # Errors
///
/// [`BuildError::Received`] when `received` is no readable CareCommunication.
///
/// # Examples
///
/// ```
/// use medcom::messages::*;
/// # let hospital = Organization::new("265161000016000", "5790000209354");
/// # let home = Organization::new("953741000016009", "5790001348120");
/// # let nurse = Author::new(PersonName::new("Burns", &["Michael"]), Role::sks("sygeplejerske"), hospital.clone());
/// # let patient = Patient::cpr("2509471005", PersonName::new("Elmer", &["Bruno"]));
/// let ctx = Context::new();
/// let received = CareCommunication::new(hospital, home.clone(), patient, Category::Nursing)
///     .with_segment(Segment::text("Hej", nurse, "38683868", "2024-05-01T12:00:00Z"))
///     .build(&ctx)
///     .unwrap();
/// let answer = reply::reply_to(&received).unwrap();
/// assert_eq!(answer.sender.sor, home.sor);
/// ```
pub fn reply_to(received: &Document<'_>) -> Result<CareCommunication, BuildError> {
    CareCommunication::reply(received)
}

/// The forward of a received CareCommunication to `to` (see [`CareCommunication::forward`]).
///
/// # Errors
///
/// [`BuildError::Received`] when `received` is no readable CareCommunication.
///
/// # Examples
///
/// ```
/// use medcom::messages::*;
/// # let hospital = Organization::new("265161000016000", "5790000209354");
/// # let home = Organization::new("953741000016009", "5790001348120");
/// # let gp = Organization::new("123456789012342", "5790001382445");
/// # let nurse = Author::new(PersonName::new("Burns", &["Michael"]), Role::sks("sygeplejerske"), hospital.clone());
/// # let patient = Patient::cpr("2509471005", PersonName::new("Elmer", &["Bruno"]));
/// let ctx = Context::new();
/// let received = CareCommunication::new(hospital, home, patient, Category::Nursing)
///     .with_segment(Segment::text("Hej", nurse, "38683868", "2024-05-01T12:00:00Z"))
///     .build(&ctx)
///     .unwrap();
/// let answer = reply::forward(&received, gp.clone()).unwrap();
/// assert_eq!(answer.receiver, gp);
/// assert!(answer.thread.is_none()); // a new thread identifier when built
/// ```
pub fn forward(received: &Document<'_>, to: Organization) -> Result<CareCommunication, BuildError> {
    CareCommunication::forward(received, to)
}
