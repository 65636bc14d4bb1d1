//! A CareCommunication thread: a hospital nurse writes to a care home with an attachment, the
//! care home replies, and the hospital forwards the thread to the patient's GP. Each message is
//! validated and the last is printed as JSON.
//!
//! Run with `cargo run --release --example care_communication`.
#![allow(clippy::print_stdout)] // an example prints the message it built

use medcom::messages::{
    Attachment, Author, CareCommunication, Category, Context, EpisodeOfCare, Organization, Patient,
    PersonName, Role, Segment,
};
use medcom::validate::Validator;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let hospital =
        Organization::new("265161000016000", "5790000209354").with_name("Hjerteafdelingen");
    let care_home =
        Organization::new("953741000016009", "5790001348120").with_name("Plejecenter Herlev");
    let gp = Organization::new("123456789012342", "5790001382445").with_name("Lægerne i Byen");
    let nurse = Author::new(
        PersonName::new("Burns", &["Michael"]),
        Role::sks("sygeplejerske"),
        hospital.clone(),
    );
    let carer = Author::new(
        PersonName::new("Waters", &["Emma"]),
        Role::sks("sygeplejerske"),
        care_home.clone(),
    );
    let ctx = Context::new();
    let validator = Validator::new();

    let first = CareCommunication::new(
        hospital.clone(),
        care_home,
        Patient::cpr("2509471005", PersonName::new("Elmer", &["Bruno"])),
        Category::ExaminationResults,
    )
    .with_topic("Seneste resultater")
    .with_episode_of_care(EpisodeOfCare::local(
        &hospital.sor,
        "a3c1e2f4-5b6d-4e7f-8a9b-0c1d2e3f4a5b",
    ))
    .with_segment(Segment::text(
        "Hej, her er de seneste blodprøver.\nVenlig hilsen Michael",
        nurse.clone(),
        "38683868",
        "2024-05-01T12:00:00+02:00",
    ))
    .with_segment(Segment::attachment(
        Attachment::new("application/pdf", "Blodprøver", b"%PDF-1.4 ...")
            .with_creation("2024-04-30T08:00:00+02:00"),
        "2024-05-01T12:00:00+02:00",
    ))
    .build(&ctx)?;
    let reply = CareCommunication::reply(&first)?
        .with_segment(Segment::text(
            "Tak, vi følger op.",
            carer,
            "44527000",
            "2024-05-02T09:00:00+02:00",
        ))
        .build(&ctx)?;
    let forward = CareCommunication::forward(&reply, gp)?
        .with_segment(Segment::text(
            "Videresendt til egen læge til orientering.",
            nurse,
            "38683868",
            "2024-05-03T10:00:00+02:00",
        ))
        .build(&ctx)?;

    for (name, doc) in [("new", &first), ("reply", &reply), ("forward", &forward)] {
        let report = validator.report(doc);
        for finding in report.findings() {
            eprintln!("{name}: {finding}");
        }
        eprintln!("{name}: valid = {}", report.is_valid());
    }
    println!("{}", medcom::json::to_string_pretty(&forward));
    Ok(())
}
