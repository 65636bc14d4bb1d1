//! Developer tools that regenerate the project's compiled rule files from `../shared`:
//! `medcom import r4-types PACKAGE_DIR` writes `src/model/generated.rs` to stdout;
//! `medcom import legacy-schemas SHARED_DIR OUT_DIR` writes `schemas/legacy/*.rules`;
//! `medcom import fhir-profiles SHARED_DIR OUT_DIR` writes `schemas/fhir/*.json`.

use std::path::PathBuf;

use crate::{write_stdout, Failure, Outcome};

/// The command's description in `medcom import --help`.
pub(crate) const ABOUT: &str = "Regenerates the project's compiled rule files from the shared \
reference material (for developers of medcom; each generated file has a test that fails when it \
is stale).";

/// `medcom import` options.
#[derive(Debug, clap::Args)]
pub(crate) struct Options {
    #[command(subcommand)]
    what: What,
}

#[derive(Debug, clap::Subcommand)]
enum What {
    /// Writes the R4 type table (src/model/generated.rs) to stdout.
    R4Types {
        /// The unpacked hl7.fhir.r4.core package folder.
        #[arg(value_name = "PACKAGE_DIR")]
        package: PathBuf,
    },
    /// Writes the compiled legacy schema rules (schemas/legacy/*.rules).
    LegacySchemas {
        /// The shared reference folder.
        #[arg(value_name = "SHARED_DIR")]
        shared: PathBuf,
        /// The folder to write to.
        #[arg(value_name = "OUT_DIR")]
        out: PathBuf,
    },
    /// Writes the compiled FHIR profile stacks (schemas/fhir/*.json).
    FhirProfiles {
        /// The shared reference folder.
        #[arg(value_name = "SHARED_DIR")]
        shared: PathBuf,
        /// The folder to write to.
        #[arg(value_name = "OUT_DIR")]
        out: PathBuf,
    },
}

pub(crate) fn run(options: Options) -> Outcome {
    match options.what {
        What::R4Types { package } => {
            let text = medcom::import::r4_types::generate(&package)
                .map_err(|e| Failure::Io(e.to_string()))?;
            write_stdout(text.as_bytes())
        }
        What::LegacySchemas { shared, out } => {
            medcom::legacy::schema::import::write_all(&shared, &out)
                .map_err(|e| Failure::Io(e.to_string()))
        }
        What::FhirProfiles { shared, out } => medcom::import::profiles::write_all(&shared, &out)
            .map_err(|e| Failure::Io(e.to_string())),
    }
}
