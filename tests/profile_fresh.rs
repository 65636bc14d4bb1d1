//! The committed rule files in `schemas/fhir/` are what the importer makes of the official
//! packages in `../shared` (regenerate with
//! `cargo run --release -- import fhir-profiles ../shared schemas/fhir`).

mod common;

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn compiled_profiles_are_fresh() {
    let Some(shared) = common::shared() else {
        return;
    };
    let files = medcom::import::profiles::generate(&shared).expect("import");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/fhir");
    for (name, text) in files {
        let committed = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
        assert!(
            committed == text,
            "schemas/fhir/{name} is stale: run `cargo run --release -- import fhir-profiles ../shared schemas/fhir`"
        );
    }
}

/// The runtime path reads the same packages into the same rules.
#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn engine_from_packages_matches_the_embedded_one() {
    let Some(shared) = common::shared() else {
        return;
    };
    let packages = shared.join("medcom/fhir/packages");
    let dirs: Vec<std::path::PathBuf> = std::fs::read_dir(&packages)
        .expect("packages")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    let runtime = medcom::profile::Engine::from_packages(&dirs).expect("from packages");
    let embedded = medcom::profile::Engine::embedded().expect("embedded");
    // Both pick the newest package of each standard, which here is the one compiled in.
    assert_eq!(runtime.supported(), embedded.supported());
    let example = shared.join(
        "medcom/fhir/examples/medcomfhir-website/ig/carecommunication/5.0.2/Bundle-0d5b3c18-fab6-4d93-9d88-c9c8abf1f18c.json",
    );
    let text = common::read(&example);
    let doc = medcom::parse(&text).expect("example reads");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    assert_eq!(runtime.check(&doc, &mut a), embedded.check(&doc, &mut b));
    assert_eq!(a, b);
}
