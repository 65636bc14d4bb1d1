//! Marks the build when the shared reference material is absent, so that the tests that need
//! it are compiled as ignored ("needs ../shared") and a default `cargo test` lists them as
//! such. With `MEDCOM_REQUIRE_SHARED` set (CI) they are compiled normally and fail instead.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(medcom_no_shared)");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=MEDCOM_SHARED");
    println!("cargo::rerun-if-env-changed=MEDCOM_REQUIRE_SHARED");
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(PathBuf::new, PathBuf::from);
    let dir =
        std::env::var_os("MEDCOM_SHARED").map_or_else(|| manifest.join("../shared"), PathBuf::from);
    let marker = dir.join("README.md");
    // Present: a change or removal reruns this script. Absent: only the variables do (watching
    // a missing path would rerun it, and rebuild the crate, on every build; watching the
    // parent folder would scan it all), so after adding ../shared set MEDCOM_SHARED or
    // `touch build.rs`.
    if marker.is_file() {
        println!("cargo::rerun-if-changed={}", marker.display());
    }
    if !marker.is_file() && std::env::var_os("MEDCOM_REQUIRE_SHARED").is_none() {
        println!("cargo::rustc-cfg=medcom_no_shared");
    }
}
