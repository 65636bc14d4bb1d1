//! The one way tests reach `../shared`: env `MEDCOM_SHARED`, default `../shared` beside the
//! project. When it is absent at build time, `build.rs` sets `cfg(medcom_no_shared)` and the
//! tests that need it carry
//! `#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]`, so `cargo test`
//! lists them as ignored. When it goes missing after the build, they skip with a loud message.
//! `MEDCOM_REQUIRE_SHARED` (set by `.ci/run`) turns either into a failure.
#![allow(dead_code, unreachable_pub)]

pub mod http;
pub mod infoset;
pub mod json_edit;
pub mod letters;
pub mod parties;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The shared reference folder, or `None` (after saying so loudly) when it is absent.
pub fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("MEDCOM_SHARED").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        PathBuf::from,
    );
    if dir.join("README.md").is_file() {
        return Some(dir);
    }
    if std::env::var_os("MEDCOM_REQUIRE_SHARED").is_some() {
        panic!(
            "MEDCOM_REQUIRE_SHARED is set but {} holds no shared reference material",
            dir.display()
        );
    }
    eprintln!(
        "\n*** SKIPPED: shared reference material not found at {} (set MEDCOM_SHARED) ***\n",
        dir.display()
    );
    None
}

/// One row of `medcom/fhir/examples/MANIFEST.tsv`.
#[derive(Clone, Debug)]
pub struct Example {
    pub file: String,
    pub path: PathBuf,
    pub message_type: String,
    pub format: String,
    pub validity: String,
    pub ig_version: String,
    pub bundle_id: String,
}

impl Example {
    pub fn is_json(&self) -> bool {
        self.format.starts_with("json")
    }
    pub fn is_fhir(&self) -> bool {
        !self.message_type.starts_with("ehmiSBDH")
    }
}

/// Every row of the FHIR examples manifest.
pub fn examples(shared: &Path) -> Vec<Example> {
    let base = shared.join("medcom/fhir/examples");
    let text = std::fs::read_to_string(base.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            Example {
                file: f[0].to_owned(),
                path: base.join(f[0]),
                message_type: f[4].to_owned(),
                format: f[5].to_owned(),
                validity: f[6].to_owned(),
                ig_version: f[7].to_owned(),
                bundle_id: f.get(9).copied().unwrap_or("").to_owned(),
            }
        })
        .collect()
}

/// Reads a file as text (the corpus is UTF-8).
pub fn read(path: &Path) -> String {
    String::from_utf8(std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs the `medcom` binary from the project folder with `stdin` as its standard input. The
/// test targets that call it need the `cli` feature (`required-features` in Cargo.toml), so
/// that the library's tests still build without it.
pub fn run_medcom(args: &[&str], stdin: &[u8]) -> Output {
    let Some(binary) = option_env!("CARGO_BIN_EXE_medcom") else {
        panic!("the medcom binary: this test target needs the `cli` feature")
    };
    let mut child = Command::new(binary)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("medcom runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("stdin written");
    child.wait_with_output().expect("medcom ends")
}

/// `(file name, JSON text)` of every resource in the R4 examples package
/// (`corpora/hl7.fhir.r4.examples-4.0.1.tgz`, read in place; the package's own index and
/// manifest files left out).
pub fn r4_examples(shared: &Path) -> Vec<(String, String)> {
    use std::io::Read;
    let file = std::fs::File::open(shared.join("corpora/hl7.fhir.r4.examples-4.0.1.tgz"))
        .expect("the R4 examples tarball");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut out = Vec::new();
    for entry in archive.entries().expect("tar entries") {
        let mut entry = entry.expect("tar entry");
        let path = entry
            .path()
            .expect("entry path")
            .to_string_lossy()
            .into_owned();
        if !path.ends_with(".json")
            || path.ends_with("package.json")
            || path.contains(".index.json")
        {
            continue;
        }
        let mut text = String::new();
        entry.read_to_string(&mut text).expect("UTF-8");
        out.push((path.rsplit('/').next().unwrap_or(&path).to_owned(), text));
    }
    out
}
