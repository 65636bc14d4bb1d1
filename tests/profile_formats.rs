//! The profile engine reports the same codes at the same locations for the
//! XML and the JSON form of each official example of a current version.

mod common;

use std::collections::BTreeSet;

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn xml_and_json_give_the_same_findings() {
    let Some(shared) = common::shared() else {
        return;
    };
    let engine = medcom::profile::Engine::embedded().expect("built-in rules");
    let run = |path: &std::path::Path| -> BTreeSet<(String, String)> {
        let text = common::read(path);
        let lenient = medcom::ReadOptions::default().with_mode(medcom::Mode::Lenient);
        let doc = medcom::parse_with_options(&text, &lenient)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut findings = Vec::new();
        engine.check(&doc, &mut findings);
        findings
            .iter()
            .map(|f| (f.code().to_owned(), f.location().to_owned()))
            .collect()
    };
    let mut pairs = 0;
    let mut differ = Vec::new();
    for ex in common::examples(&shared) {
        if !ex.is_fhir() || !ex.is_json() {
            continue;
        }
        let xml = ex.path.with_extension("xml");
        if !xml.is_file() {
            continue;
        }
        pairs += 1;
        let (j, x) = (run(&ex.path), run(&xml));
        if j != x {
            differ.push(format!(
                "{}: only JSON {:?}; only XML {:?}",
                ex.file,
                j.difference(&x).collect::<Vec<_>>(),
                x.difference(&j).collect::<Vec<_>>()
            ));
        }
    }
    eprintln!("{pairs} XML/JSON pairs compared, {} differ", differ.len());
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}
