//! The parties of the message tests: a hospital ward, a care home and a GP (real SOR codes and
//! location numbers from the official examples), and an author at one of them.

use medcom::messages::{Author, Organization, PersonName, Role};

pub fn hospital() -> Organization {
    Organization::new("265161000016000", "5790000209354").with_name("Hjerteafdelingen")
}

pub fn care_home() -> Organization {
    Organization::new("953741000016009", "5790001348120").with_name("Plejecenter Herlev")
}

pub fn gp() -> Organization {
    Organization::new("123456789012342", "5790001382445").with_name("Lægehuset")
}

/// A nurse named `family` at `org`.
pub fn author(family: &str, org: Organization) -> Author {
    Author::new(
        PersonName::new(family, &["A"]),
        Role::sks("sygeplejerske"),
        org,
    )
}
