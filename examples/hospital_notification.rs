//! Plays a short HospitalNotification episode (admission, leave, back from leave, discharge),
//! validates each message and prints the last one as JSON.
//!
//! Run with `cargo run --release --example hospital_notification`.
#![allow(clippy::print_stdout)] // an example prints the message it built

use medcom::messages::hospital_notification::{
    EpisodeOfCare, HospitalNotification, ReportOfAdmission,
};
use medcom::messages::{Context, Organization, Patient, PersonName};
use medcom::validate::Validator;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let hospital =
        Organization::new("265161000016000", "5790000209354").with_name("Hjerteafdelingen");
    let municipality =
        Organization::new("953741000016009", "5790001348120").with_name("Herlev Kommune");
    let patient = Patient::cpr("2509479989", PersonName::new("Elmer", &["Bruno"]));
    let episode = EpisodeOfCare::local(&hospital, "bd481c38-a921-41ed-afa1-0242ac120002");
    let ctx = Context::new();
    let validator = Validator::new();

    let admit = HospitalNotification::admit_inpatient(
        hospital.clone(),
        municipality,
        patient,
        episode,
        "2024-05-01T08:00:00+02:00",
    )
    .with_report_of_admission(ReportOfAdmission::Requested(hospital));
    let mut doc = admit.build(&ctx)?;
    let steps: [fn(HospitalNotification) -> Result<HospitalNotification, _>; 3] = [
        |n| n.start_leave("2024-05-03T10:00:00+02:00"),
        |n| n.end_leave("2024-05-04T18:00:00+02:00"),
        |n| n.discharge("2024-05-06T12:00:00+02:00"),
    ];
    for step in steps {
        let report = validator.report(&doc);
        let n = HospitalNotification::read(&doc)?;
        eprintln!(
            "{}: valid {}, {} Provenance(s)",
            n.activity.code(),
            report.is_valid(),
            n.history.len() + 1
        );
        doc = step(HospitalNotification::follow_up(&doc)?)?.build(&ctx)?;
    }
    let n = HospitalNotification::read(&doc)?;
    eprintln!(
        "{}: valid {}, {} Provenance(s)",
        n.activity.code(),
        validator.report(&doc).is_valid(),
        n.history.len() + 1
    );
    println!("{}", medcom::json::to_string(&doc));
    Ok(())
}
