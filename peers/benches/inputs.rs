//! Benchmark inputs, read in place from `../shared` (env `MEDCOM_SHARED`).

use std::path::PathBuf;

/// One benchmark input message.
pub(crate) struct Input {
    /// Short name: `care_communication`, `hospital_notification`.
    pub(crate) name: &'static str,
    /// `xml` or `json`.
    pub(crate) format: &'static str,
    /// The message text.
    pub(crate) text: String,
}

const FILES: &[(&str, &str)] = &[
    (
        "care_communication",
        "medcom/fhir/examples/medcomfhir-website/ig/carecommunication/5.0.2/Bundle-0d5b3c18-fab6-4d93-9d88-c9c8abf1f18c",
    ),
    (
        "hospital_notification",
        "medcom/fhir/examples/medcomfhir-website/ig/hospitalnotification/3.0.2/Bundle-a5e5b880-c087-4055-b9ec-99108695f81d",
    ),
];

/// The inputs, or an empty list (with a loud message) when `../shared` is absent.
pub(crate) fn inputs() -> Vec<Input> {
    let shared = std::env::var_os("MEDCOM_SHARED").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
        PathBuf::from,
    );
    if !shared.join("README.md").is_file() {
        eprintln!(
            "*** SKIPPED: no shared reference material at {} (set MEDCOM_SHARED) ***",
            shared.display()
        );
        return Vec::new();
    }
    let mut out = Vec::new();
    for (name, stem) in FILES {
        for format in ["xml", "json"] {
            let path = shared.join(format!("{stem}.{format}"));
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push(Input { name, format, text });
        }
    }
    out
}
