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
    } else {
        ExitCode::from(2)
    }
}
