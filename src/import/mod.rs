//! The project's importer: reads official FHIR packages and produces the project's own compact
//! generated tables. Not part of the stable API.

use std::fmt;
use std::path::{Path, PathBuf};

pub mod base;
pub mod profiles;
pub mod r4_types;

/// Why an import failed.
#[derive(Debug)]
pub struct ImportError {
    path: PathBuf,
    reason: String,
}

impl ImportError {
    pub(crate) fn io(path: &Path, e: &std::io::Error) -> Self {
        Self {
            path: path.to_owned(),
            reason: e.to_string(),
        }
    }

    pub(crate) fn format(path: &Path, reason: String) -> Self {
        Self {
            path: path.to_owned(),
            reason,
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for ImportError {}
