//! Builds an empty message (MedCom messaging 4.0.x), validates it and prints it as XML.
//!
//! Run with `cargo run --release --example empty_message`.
#![allow(clippy::print_stdout)] // an example prints the message it built

use medcom::messages::{Context, EmptyMessage, Organization};
use medcom::validate::Validator;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sender =
        Organization::new("265161000016000", "5790000209354").with_name("Hjerteafdelingen");
    let receiver =
        Organization::new("953741000016009", "5790001348120").with_name("Plejecenter Herlev");
    let doc = EmptyMessage::new(sender, receiver).build(&Context::new())?;
    let report = Validator::new().report(&doc);
    for finding in report.findings() {
        eprintln!("{finding}");
    }
    println!("{}", medcom::xml::to_string_pretty(&doc));
    eprintln!("valid: {}", report.is_valid());
    Ok(())
}
