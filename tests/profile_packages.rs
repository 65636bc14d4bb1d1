//! FHIR packages loaded at run time (`Engine::with_package`, `medcom validate --package`): a
//! profile a package defines is checked where a resource declares it, and only then. The package
//! is made here as an npm tarball: a Patient profile (the R4 core snapshot, read in place from
//! `../shared`) that requires `birthDate`.

mod common;

use std::io::Write;
use std::path::Path;

const URL: &str = "http://example.org/fhir/StructureDefinition/patient-with-birthdate";

fn make_package(shared: &Path, dir: &Path) -> std::path::PathBuf {
    let core = shared.join("medcom/fhir/packages/hl7.fhir.r4.core#4.0.1/package");
    let text = std::fs::read_to_string(core.join("StructureDefinition-Patient.json"))
        .expect("core Patient");
    let mut sd: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    sd["url"] = URL.into();
    sd["id"] = "patient-with-birthdate".into();
    sd["name"] = "PatientWithBirthDate".into();
    sd["derivation"] = "constraint".into();
    sd["baseDefinition"] = "http://hl7.org/fhir/StructureDefinition/Patient".into();
    for e in sd["snapshot"]["element"].as_array_mut().expect("snapshot") {
        if e["id"] == "Patient.birthDate" {
            e["min"] = 1.into();
        }
    }
    let manifest = serde_json::json!({"name": "example.fhir.birthdate", "version": "0.1.0",
        "dependencies": {"hl7.fhir.r4.core": "4.0.1"}});
    let path = dir.join("example.fhir.birthdate-0.1.0.tgz");
    let file = std::fs::File::create(&path).expect("create");
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    for (name, value) in [
        ("package/package.json", manifest),
        (
            "package/StructureDefinition-patient-with-birthdate.json",
            sd,
        ),
    ] {
        let bytes = serde_json::to_vec(&value).expect("JSON");
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, bytes.as_slice())
            .expect("append");
    }
    tar.into_inner()
        .expect("tar")
        .finish()
        .expect("gz")
        .flush()
        .expect("flush");
    path
}

fn patient(birth_date: bool) -> String {
    format!(
        r#"{{"resourceType":"Patient","meta":{{"profile":["{URL}"]}},"active":true{}}}"#,
        if birth_date {
            r#","birthDate":"2000-01-01""#
        } else {
            ""
        }
    )
}

fn codes(engine: &medcom::profile::Engine, text: &str) -> Vec<String> {
    let doc = medcom::parse(text).expect("reads");
    let mut out = Vec::new();
    engine.check(&doc, &mut out);
    out.iter()
        .filter(|f| f.severity() != medcom::finding::Severity::Information)
        .filter(|f| f.code() != "fhir-invariant") // dom-6: no narrative
        .map(|f| format!("{} {}", f.code(), f.location()))
        .collect()
}

#[test]
fn a_loaded_package_checks_the_profiles_it_defines() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let package = make_package(&shared, dir.path());
    let embedded = medcom::profile::Engine::embedded().expect("embedded");
    let loaded = embedded.with_package(&package).expect("package loads");
    // One line per case: engine, input, findings (warnings and errors).
    let cases: &[(&medcom::profile::Engine, String, &[&str])] = &[
        (
            &embedded,
            patient(false),
            &["fhir-profile-unknown Patient.meta.profile[0]"],
        ),
        (
            &loaded,
            patient(false),
            &["fhir-cardinality-min Patient.birthDate"],
        ),
        (&loaded, patient(true), &[]),
    ];
    for (engine, text, want) in cases {
        assert_eq!(codes(engine, text), *want, "{text}");
    }
    // The command line: the same package, the same verdicts.
    let input = dir.path().join("patient.json");
    std::fs::write(&input, patient(false)).expect("write");
    let args = [
        "validate",
        "--package",
        package.to_str().expect("UTF-8 path"),
        input.to_str().expect("UTF-8 path"),
    ];
    let out = common::run_medcom(&args, b"");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("error[fhir-cardinality-min] Patient.birthDate"),
        "{stdout}"
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    std::fs::write(&input, patient(true)).expect("write");
    let out = common::run_medcom(&args, b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = common::run_medcom(&["validate", "--package", "no-such.tgz", "x.json"], b"");
    assert_eq!(out.status.code(), Some(2));
}
