//! The `medcom` command-line tool.
use std::process::ExitCode;
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 4 && args[1] == "import" && args[2] == "r4-types" {
        match medcom::import::r4_types::generate(std::path::Path::new(&args[3])) {
            Ok(s) => {
                print!("{s}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(2)
            }
        }
    } else if args.len() == 5 && args[1] == "import" && args[2] == "legacy-schemas" {
        // Hidden: regenerates schemas/legacy/*.rules from the shared XSDs.
        let (shared, out) = (
            std::path::Path::new(&args[3]),
            std::path::Path::new(&args[4]),
        );
        match medcom::legacy::schema::import::write_all(shared, out) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::from(2)
            }
        }
    } else {
        ExitCode::from(2)
    }
}
