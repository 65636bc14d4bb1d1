//! `medcom.h` is what cbindgen makes of `src/lib.rs` with `cbindgen.toml`: the checked-in header
//! never drifts from the functions. `MEDCOM_BLESS=1` rewrites it.

use std::path::Path;

#[test]
fn the_checked_in_header_is_what_cbindgen_generates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen reads src/lib.rs");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let generated = String::from_utf8(generated).expect("UTF-8 header");
    let path = dir.join("medcom.h");
    if std::env::var_os("MEDCOM_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("medcom.h written");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "bindings/c/medcom.h is stale: regenerate it with \
         `MEDCOM_BLESS=1 cargo test --release -p medcom-c --test header`\n\
         --- generated ---\n{generated}"
    );
}
