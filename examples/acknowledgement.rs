//! Acknowledges a received CareCommunication three ways — validated (code chosen from the
//! findings), `fatal-error` with a MedCom error code, and again for a duplicate (same content,
//! new envelope) — and shows that an acknowledgement is never acknowledged.
//!
//! Run with `cargo run --release --example acknowledgement`.
#![allow(clippy::print_stdout)] // an example prints the message it built

use medcom::messages::{
    reply, AckIssue, Acknowledgement, Author, BuildError, CareCommunication, Category, Context,
    MessageInfo, Organization, Patient, PersonName, ResponseCode, Role, Segment,
};
use medcom::validate::Validator;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let hospital =
        Organization::new("265161000016000", "5790000209354").with_name("Hjerteafdelingen");
    let care_home =
        Organization::new("953741000016009", "5790001348120").with_name("Plejecenter Herlev");
    let nurse = Author::new(
        PersonName::new("Burns", &["Michael"]),
        Role::sks("sygeplejerske"),
        hospital.clone(),
    );
    let ctx = Context::new();
    let validator = Validator::new();
    let received = CareCommunication::new(
        hospital,
        care_home,
        Patient::cpr("2509471005", PersonName::new("Elmer", &["Bruno"])),
        Category::Nursing,
    )
    .with_segment(Segment::text(
        "Hej",
        nurse,
        "38683868",
        "2024-05-01T12:00:00+02:00",
    ))
    .build(&ctx)?;

    // The receiver validates and answers.
    let (ack, code) = reply::acknowledge_validated(&received, &validator, &ctx)?;
    eprintln!(
        "validated: {code}, acknowledgement valid = {}",
        validator.is_valid(&ack)
    );

    // A content problem: fatal-error with an OperationOutcome.
    let refused = Acknowledgement::for_message(&received)?
        .with_code(ResponseCode::FatalError)
        .with_issue(
            AckIssue::error("MSG_RECEIVER_UNABLE_TO_RECEIVE_MSG_TYPE")
                .with_diagnostics("CareCommunication is not received here"),
        )
        .build(&ctx)?;
    eprintln!("fatal-error: valid = {}", validator.is_valid(&refused));

    // The same message again: the same acknowledgement in a new envelope.
    let again = reply::acknowledge_duplicate(&ack, &ctx)?;
    let (a, b) = (MessageInfo::read(&ack)?, MessageInfo::read(&again)?);
    eprintln!(
        "duplicate: same MessageHeader.id {}, new Bundle.id {} (was {})",
        a.header_id == b.header_id,
        b.bundle_id,
        a.bundle_id
    );

    // KR2.R: never acknowledge an acknowledgement.
    match Acknowledgement::for_message(&ack) {
        Err(BuildError::AcknowledgementOfAcknowledgement) => eprintln!("no acknowledgement of it"),
        other => return Err(format!("unexpected: {other:?}").into()),
    }
    println!("{}", medcom::xml::to_string_pretty(&refused));
    Ok(())
}
