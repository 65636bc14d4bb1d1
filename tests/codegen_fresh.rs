//! The committed R4 type table (`src/model/generated.rs`) is what the importer produces from the
//! official R4 core package today; a stale table fails here. Regenerate with
//! `cargo run -- import r4-types ../shared/medcom/fhir/packages/hl7.fhir.r4.core#4.0.1/package > src/model/generated.rs`.

mod common;

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn r4_type_table_is_fresh() {
    let Some(shared) = common::shared() else {
        return;
    };
    let package = shared.join("medcom/fhir/packages/hl7.fhir.r4.core#4.0.1/package");
    let generated = medcom::import::r4_types::generate(&package).expect("importer runs");
    let committed = include_str!("../src/model/generated.rs");
    assert!(
        generated == committed,
        "src/model/generated.rs is stale: regenerate it (see this test's doc comment)"
    );
}
