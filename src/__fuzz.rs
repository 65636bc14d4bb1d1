//! Fuzz harnesses, shared by `fuzz/` targets and the regression test. Not a stable API.

use crate::{json, xml, Mode, ReadOptions};

/// Reads bytes as XML in both modes; whatever reads must write and read back equal.
pub fn xml_roundtrip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for mode in [Mode::Strict, Mode::Lenient] {
        let options = ReadOptions::default().with_mode(mode);
        if let Ok(doc) = xml::parse_with_options(text, &options) {
            check_roundtrip(&doc);
        }
    }
}

/// Reads bytes as JSON in both modes; whatever reads must write and read back equal.
pub fn json_roundtrip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for mode in [Mode::Strict, Mode::Lenient] {
        let options = ReadOptions::default().with_mode(mode);
        if let Ok(doc) = json::parse_with_options(text, &options) {
            check_roundtrip(&doc);
        }
    }
}

/// A document read without issues writes to XML and JSON that read back to the same content.
fn check_roundtrip(doc: &crate::Document<'_>) {
    if !doc.issues().is_empty() {
        // Lenient documents may hold values no writer can express faithfully; they must still
        // write without panicking.
        let _ = xml::to_string(doc);
        let _ = json::to_string(doc);
        return;
    }
    let x = xml::to_string(doc);
    let back = xml::parse(&x).unwrap_or_else(|e| panic!("written XML does not read: {e}\n{x}"));
    assert!(
        crate::model::same_content(doc.root(), back.root()),
        "XML round trip differs\n{x}"
    );
    let j = json::to_string(doc);
    let back = json::parse(&j).unwrap_or_else(|e| panic!("written JSON does not read: {e}\n{j}"));
    assert!(
        crate::model::same_content(doc.root(), back.root()),
        "JSON round trip differs\n{j}"
    );
}

/// Decodes bytes as legacy XML, parses them and validates them against the embedded schema
/// rules and the identifier checks; must never panic.
pub fn xsd_validate(data: &[u8]) {
    let Ok(text) = crate::legacy::schema::decode(data) else {
        return;
    };
    let Ok(doc) = crate::legacy::schema::parse(&text) else {
        return;
    };
    let _ = crate::legacy::schema::validate(&doc);
    // Every embedded rule set, whatever the root namespace.
    for set in crate::legacy::schema::SCHEMA_SETS {
        if let Ok(rules) = set.rules() {
            let _ = crate::legacy::schema::validate_with(rules, &doc);
        }
    }
}
