//! Round trips over every official MedCom FHIR example (`../shared/medcom/fhir/examples` and the
//! SUSHI outputs it lists): strict reading, XML → model → XML infoset-equal, JSON → model → JSON
//! equal as JSON values, and for each message published in both formats (same folder, same
//! Bundle id), XML → JSON equal to the official JSON and JSON → XML infoset-equal to the official
//! XML, narrative `div` compared after whitespace normalisation.

mod common;

use std::collections::BTreeMap;

use common::infoset::{first_difference, infoset, Normalize};
use serde_json::Value;

/// Examples that strict reading rejects, each with the reason the strict error is right.
const XFAIL: &[(&str, &str)] = &[
    (
        "medcomfhir-website/ig/homecareobservation/1.0.0/Bundle-faa0c104-0ebf-49cb-bad1-9e0f59436e18.json",
        "meta.security.code carries `_code: {\"value\": \"R\"}`; R4 primitives have no `value` child",
    ),
    (
        "medcomfhir-website/ig/homecareobservation/1.0.0/Bundle-faa0c104-0ebf-49cb-bad1-9e0f59436e18.xml",
        "meta.security.code holds a `<value value=\"R\"/>` child element; R4 primitives have no `value` child",
    ),
];

fn xfail_reason(file: &str) -> Option<&'static str> {
    XFAIL.iter().find(|(f, _)| *f == file).map(|(_, r)| *r)
}

/// Replaces every narrative `div` string by its whitespace-normalised infoset, rendered.
fn normalize_divs(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k == "div" {
                    if let Value::String(s) = child {
                        let set = infoset(
                            s,
                            Normalize {
                                collapse_xhtml: true,
                            },
                        )
                        .unwrap_or_else(|e| panic!("div does not parse: {e}"));
                        *child = Value::String(format!("{set:?}"));
                    }
                } else {
                    normalize_divs(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_divs),
        _ => {}
    }
}

fn json_value(text: &str) -> Value {
    serde_json::from_str(text.trim_start_matches('\u{feff}')).expect("valid JSON")
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn every_example_reads_strictly_and_round_trips() {
    let Some(shared) = common::shared() else {
        return;
    };
    let examples: Vec<_> = common::examples(&shared)
        .into_iter()
        .filter(common::Example::is_fhir)
        .collect();
    assert!(
        examples.len() > 780,
        "manifest lists {} FHIR examples",
        examples.len()
    );
    let mut failures = Vec::new();
    let (mut read, mut xml_trips, mut json_trips) = (0, 0, 0);
    for ex in &examples {
        let text = common::read(&ex.path);
        let doc = medcom::parse(&text);
        match (&doc, xfail_reason(&ex.file)) {
            (Ok(_), Some(_)) => failures.push(format!("{}: listed as xfail but reads", ex.file)),
            (Err(e), None) => failures.push(format!("{}: {e}", ex.file)),
            (Err(_), Some(_)) => continue,
            (Ok(_), None) => read += 1,
        }
        let Ok(doc) = doc else { continue };
        if ex.is_json() {
            let written = medcom::json::to_string(&doc);
            if json_value(&written) == json_value(&text) {
                json_trips += 1;
            } else {
                failures.push(format!("{}: JSON round trip differs", ex.file));
            }
        } else {
            let written = medcom::xml::to_string(&doc);
            let a = infoset(&text, Normalize::default()).expect("official XML");
            let b = infoset(&written, Normalize::default()).expect("written XML");
            match first_difference(&a, &b) {
                None => xml_trips += 1,
                Some(d) => failures.push(format!("{}: XML round trip differs {d}", ex.file)),
            }
        }
    }
    println!("strict reads: {read}, XML round trips: {xml_trips}, JSON round trips: {json_trips}, xfail: {}", XFAIL.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn official_xml_and_json_convert_into_each_other() {
    let Some(shared) = common::shared() else {
        return;
    };
    // Pair files by folder and file stem: the same message published in both formats.
    let mut pairs: BTreeMap<String, (Option<common::Example>, Option<common::Example>)> =
        BTreeMap::new();
    for ex in common::examples(&shared)
        .into_iter()
        .filter(common::Example::is_fhir)
    {
        if xfail_reason(&ex.file).is_some() {
            continue;
        }
        let stem = ex
            .file
            .rsplit_once('.')
            .map_or(ex.file.clone(), |(s, _)| s.to_owned());
        let slot = pairs.entry(stem).or_default();
        if ex.is_json() {
            slot.1 = Some(ex);
        } else {
            slot.0 = Some(ex);
        }
    }
    let mut failures = Vec::new();
    let mut compared = 0;
    for (stem, pair) in &pairs {
        let (Some(x), Some(j)) = pair else { continue };
        assert_eq!(
            x.bundle_id, j.bundle_id,
            "{stem}: pair with different Bundle ids"
        );
        compared += 1;
        let xml_text = common::read(&x.path);
        let json_text = common::read(&j.path);
        let from_xml = medcom::xml::parse(&xml_text).expect("official XML reads");
        let from_json = medcom::json::parse(&json_text).expect("official JSON reads");
        let mut converted = json_value(&medcom::json::to_string(&from_xml));
        let mut official = json_value(&json_text);
        normalize_divs(&mut converted);
        normalize_divs(&mut official);
        if converted != official {
            failures.push(format!("{stem}: XML → JSON differs from the official JSON"));
        }
        let norm = Normalize {
            collapse_xhtml: true,
        };
        let a = infoset(&medcom::xml::to_string(&from_json), norm).expect("written XML");
        let b = infoset(&xml_text, norm).expect("official XML");
        if let Some(d) = first_difference(&a, &b) {
            failures.push(format!(
                "{stem}: JSON → XML differs from the official XML {d}"
            ));
        }
    }
    println!("format pairs compared: {compared}");
    assert!(compared > 350, "only {compared} pairs");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
