//! Builds a HomeCareObservation (a municipal acute-care team's results for the patient's GP),
//! then its correction, validates both and prints the correction as XML.
//!
//! Run with `cargo run --release --example home_care_observation`.
#![allow(clippy::print_stdout)] // an example prints the message it built

use medcom::messages::home_care_observation::{
    CodeSystem, Comparator, HomeCareObservation, Observation, ObservationCode, ObservationValue,
    Performer, Quantity, Requester, RequesterContact,
};
use medcom::messages::{Context, Organization, Patient, PersonName, Role};
use medcom::validate::Validator;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let team =
        Organization::new("1267041000016006", "5790002757778").with_name("Pleje og Rehabilitering");
    let gp = Organization::new("73091000016008", "5790000147465").with_name("Agerskov lægepraksis");
    let report = HomeCareObservation::new(
        team,
        Requester::new(gp, "045861", RequesterContact::Initials("SDaA".to_owned())),
        Patient::cpr("2509479989", PersonName::new("Elmer", &["Bruno"])),
        Performer::new(
            PersonName::new("Pedersen", &["John"]),
            Role::sks("sygeplejerske"),
            "+45 05577668",
        ),
        "2025-08-07T15:00:00+02:00",
    )
    .with_observation(Observation::new(
        ObservationCode::npu("NPU22089", "P(kB)—Glucose; stofk. = ? mmol/L"),
        "2025-08-07T14:47:23+02:00",
        ObservationValue::Quantity(Quantity::new("6.8", "mmol/L")),
    ))
    .with_observation(
        Observation::new(
            ObservationCode::new(
                CodeSystem::MedCom,
                "MCS88122",
                "Pt—Respiration; frekvens = ? X 1/min",
            ),
            "2025-08-07T14:50:00+02:00",
            ObservationValue::Quantity(
                Quantity::new("25", "1/min").with_comparator(Comparator::Greater),
            ),
        )
        .with_note("Målt efter gåtur"),
    )
    .with_conclusion("Respiration forhøjet efter aktivitet.");
    let ctx = Context::new();
    let validator = Validator::new();
    let doc = report.build(&ctx)?;
    eprintln!("new-message: valid {}", validator.report(&doc).is_valid());

    let mut correction = HomeCareObservation::modify(&doc)?;
    correction.observations[0].value = ObservationValue::Quantity(Quantity::new("7.1", "mmol/L"));
    let corrected = correction.build(&ctx)?;
    eprintln!(
        "modified-message: valid {}",
        validator.report(&corrected).is_valid()
    );
    println!("{}", medcom::xml::to_string_pretty(&corrected));
    Ok(())
}
