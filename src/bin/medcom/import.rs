//! Developer tools that regenerate the project's compiled rule files from `../shared`:
//! `medcom import r4-types PACKAGE_DIR` writes `src/model/generated.rs` to stdout;
//! `medcom import legacy-schemas SHARED_DIR OUT_DIR` writes `schemas/legacy/*.rules`;
//! `medcom import fhir-profiles SHARED_DIR OUT_DIR` writes `schemas/fhir/*.json`.

use crate::{write_stdout, Failure, Outcome};

pub(crate) fn run(args: &[String]) -> Outcome {
    match args {
        [what, dir] if what == "r4-types" => {
            let text = medcom::import::r4_types::generate(std::path::Path::new(dir))
                .map_err(|e| Failure::Io(e.to_string()))?;
            write_stdout(text.as_bytes())
        }
        [what, shared, out] if what == "legacy-schemas" => {
            medcom::legacy::schema::import::write_all(
                std::path::Path::new(shared),
                std::path::Path::new(out),
            )
            .map_err(|e| Failure::Io(e.to_string()))
        }
        [what, shared, out] if what == "fhir-profiles" => medcom::import::profiles::write_all(
            std::path::Path::new(shared),
            std::path::Path::new(out),
        )
        .map_err(|e| Failure::Io(e.to_string())),
        _ => Err(Failure::Usage(
            "import r4-types PACKAGE_DIR | import legacy-schemas SHARED_DIR OUT_DIR | import fhir-profiles SHARED_DIR OUT_DIR".into(),
        )),
    }
}
