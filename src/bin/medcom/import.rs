//! `medcom import r4-types PACKAGE_DIR`: regenerates `src/model/generated.rs` (developer tool).

use crate::{write_stdout, Failure, Outcome};

pub(crate) fn run(args: &[String]) -> Outcome {
    match args {
        [what, dir] if what == "r4-types" => {
            let text = medcom::import::r4_types::generate(std::path::Path::new(dir))
                .map_err(|e| Failure::Io(e.to_string()))?;
            write_stdout(text.as_bytes())
        }
        _ => Err(Failure::Usage("import r4-types PACKAGE_DIR".into())),
    }
}
