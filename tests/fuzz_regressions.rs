//! Replays every input under `fuzz/regressions/<target>/` through the fuzz harness of that target,
//! so an input that once crashed stays fixed.

use std::path::Path;

#[test]
fn fuzz_regressions_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for target in std::fs::read_dir(&root).expect("fuzz/regressions") {
        let target = target.expect("entry").path();
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned();
        let harness: fn(&[u8]) = match name.as_str() {
            "xml" => medcom::__fuzz::xml_roundtrip,
            "json" => medcom::__fuzz::json_roundtrip,
            "fhirpath" => medcom::__fuzz::fhirpath,
            "edifact" => medcom::__fuzz::edifact,
            "edifact_validate" => medcom::__fuzz::edifact_validate,
            "oioxml" => medcom::__fuzz::oioxml,
            "oioxml_validate" => medcom::__fuzz::xsd_validate,
            "profile" => medcom::__fuzz::profile_check,
            "validate" => medcom::__fuzz::validate,
            "envelope" => medcom::__fuzz::envelope,
            "limits" => medcom::__fuzz::limits,
            "narrative" => medcom::__fuzz::narrative,
            other => panic!("no harness for fuzz/regressions/{other}"),
        };
        for input in std::fs::read_dir(&target).expect("target folder") {
            let path = input.expect("entry").path();
            harness(&std::fs::read(&path).expect("input"));
            replayed += 1;
        }
    }
    println!("replayed {replayed} fuzz regression inputs");
    assert!(replayed > 0);
}
