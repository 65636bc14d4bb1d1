//! Every strict-mode rule of the readers, one line per case: the input, the stable error code,
//! and the line:column where it is reported. Recoverable cases are read again leniently and must
//! give the same finding as an issue while the rest of the document is kept.

/// (input, code, line, column)
type Case = (&'static str, &'static str, u32, u32);

const P: &str = r#"<Patient xmlns="http://hl7.org/fhir">"#;

const XML: &[Case] = &[
    ("<Patient xmlns=\"http://hl7.org/fhir\">\n  <bogus/>\n</Patient>", "unknown-element", 2, 3),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"male\"/><active value=\"true\"/></Patient>", "out-of-order", 1, 60),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"male\"/><gender value=\"male\"/></Patient>", "repeated-element", 1, 60),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"\"/></Patient>", "empty-value", 1, 53),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><birthDate value=\"2023-02-30\"/></Patient>", "invalid-primitive", 1, 56),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><meta><lastUpdated value=\"2024-01-01T10:00:00\"/></meta></Patient>", "invalid-primitive", 1, 64),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><multipleBirthInteger value=\"2147483648\"/></Patient>", "invalid-primitive", 1, 67),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><name/></Patient>", "empty-value", 1, 38),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"male\" foo=\"x\"/></Patient>", "unexpected-attribute", 1, 64),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"male\">text</gender></Patient>", "unexpected-text", 1, 59),
    ("<Patient xmlns=\"http://example.org\"/>", "wrong-namespace", 1, 1),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><text><status value=\"generated\"/><div xmlns=\"http://hl7.org/fhir\">x</div></text></Patient>", "wrong-namespace", 1, 71),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><text><status value=\"generated\"/><div xmlns=\"http://www.w3.org/1999/xhtml\">&nbsp;</div></text></Patient>", "unknown-entity", 1, 113),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"&nbsp;\"/></Patient>", "unknown-entity", 1, 53),
    ("<!DOCTYPE Patient>\n<Patient xmlns=\"http://hl7.org/fhir\"/>", "doctype-not-allowed", 1, 1),
    ("<Patients xmlns=\"http://hl7.org/fhir\"/>", "unknown-resource-type", 1, 1),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"male\"></Patient>", "malformed-xml", 1, 59),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><text><status value=\"generated\"/><x:div xmlns:x=\"http://www.w3.org/1999/xhtml\"><x:p>a</x:b></x:div></text></Patient>", "malformed-xml", 1, 123),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"true\"/>", "malformed-xml", 1, 60),
    // A prefixed narrative after an unprefixed one (whose content the reader skips): located in the input.
    ("<Patient xmlns=\"http://hl7.org/fhir\"><text><status value=\"generated\"/><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>first</p></div></text><contained><Patient><text><status value=\"generated\"/><x:div xmlns:x=\"http://www.w3.org/1999/xhtml\"><x:p>b</x:q></x:div></text></Patient></contained></Patient>", "malformed-xml", 1, 243),
    // Characters outside XML's Char production, wherever they are.
    ("<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"ma\u{1}le\"/></Patient>", "malformed-xml", 1, 55),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><gender value=\"0123456789\u{FFFF}\"/></Patient>", "malformed-xml", 1, 63),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><!-- a\u{2} --></Patient>", "malformed-xml", 1, 44),
    ("<Patient xmlns=\"http://hl7.org/fhir\">\u{b}</Patient>", "malformed-xml", 1, 38),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><?pi \u{FFFE}?></Patient>", "malformed-xml", 1, 43),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><text><status value=\"generated\"/><div xmlns=\"http://www.w3.org/1999/xhtml\">a\u{7}</div></text></Patient>", "malformed-xml", 1, 114),
    ("<Patient xmlns=\"http://hl7.org/fhir\"><text><status value=\"generated\"/><x:div xmlns:x=\"http://www.w3.org/1999/xhtml\"><x:p a=\"\u{1f}\"/></x:div></text></Patient>", "malformed-xml", 1, 125),
    ("<Patient xmlns=\"http://hl7.org/fhir\"/><Patient xmlns=\"http://hl7.org/fhir\"/>", "trailing-content", 1, 39),
    ("<Observation xmlns=\"http://hl7.org/fhir\"><valueQuantity><value value=\"1.\"/></valueQuantity></Observation>", "invalid-primitive", 1, 71),
    // A local part must start an NCName (Namespaces in XML): no digit first.
    ("<Patient xmlns=\"http://hl7.org/fhir\" xmlns:p=\"urn:x\"><p:9a/></Patient>", "malformed-xml", 1, 54),
    // After a byte order mark (one character, three bytes), positions still count it.
    ("\u{FEFF}<Patient xmlns=\"http://hl7.org/fhir\"><active value=\"true\"/><x/></Patient>", "unknown-element", 1, 61),
    ("\u{FEFF}<Patient xmlns=\"http://hl7.org/fhir\">\n  <gender value=\"male\">text</gender></Patient>", "unexpected-text", 2, 24),
    ("\u{FEFF}<?xml version=\"1.0\"?><Patient xmlns=\"http://hl7.org/fhir\"><b c/></Patient>", "malformed-xml", 1, 60),
];

const JSON: &[Case] = &[
    (
        "{\"resourceType\":\"Patient\",\n \"bogus\":1}",
        "unknown-element",
        2,
        2,
    ),
    (
        r#"{"resourceType":"Patient","active":"true"}"#,
        "wrong-json-type",
        1,
        36,
    ),
    (
        r#"{"resourceType":"Patient","gender":"male","gender":"male"}"#,
        "duplicate-key",
        1,
        43,
    ),
    (
        r#"{"resourceType":"Patient","gender":""}"#,
        "empty-value",
        1,
        36,
    ),
    (
        r#"{"resourceType":"Patient","name":[]}"#,
        "empty-value",
        1,
        34,
    ),
    (
        r#"{"resourceType":"Patient","maritalStatus":{}}"#,
        "empty-value",
        1,
        43,
    ),
    (
        r#"{"resourceType":"Patient","gender":["male"]}"#,
        "wrong-json-type",
        1,
        36,
    ),
    (
        r#"{"resourceType":"Patient","name":{"family":"x"}}"#,
        "wrong-json-type",
        1,
        34,
    ),
    (r#"{"id":"x"}"#, "missing-resource-type", 1, 1),
    (
        r#"{"resourceType":"Patients"}"#,
        "unknown-resource-type",
        1,
        17,
    ),
    (
        r#"{"resourceType":"Patient","name":[{"given":["a","b"],"_given":[null]}]}"#,
        "array-length-mismatch",
        1,
        63,
    ),
    (
        r#"{"resourceType":"Patient","name":[{"given":["a",null]}]}"#,
        "null-without-counterpart",
        1,
        49,
    ),
    (
        r#"{"resourceType":"Patient","active":tru}"#,
        "invalid-json",
        1,
        36,
    ),
    (r#"{"resourceType":"Patient"} x"#, "trailing-content", 1, 28),
    // Characters XML forbids are not read in any JSON string, so that every string converts.
    (
        r#"{"resourceType":"Patient","gender":"ma\u0001le"}"#,
        "invalid-json",
        1,
        39,
    ),
    (
        r#"{"resourceType":"Patient","multipleBirthInteger":1.0}"#,
        "invalid-primitive",
        1,
        50,
    ),
    (
        r#"{"resourceType":"Patient","birthDate":"2023-02-30"}"#,
        "invalid-primitive",
        1,
        39,
    ),
    (
        r#"{"resourceType":"Observation","valueString":"a","valueBoolean":true}"#,
        "repeated-element",
        1,
        49,
    ),
    (
        r#"{"resourceType":"Patient","text":{"status":"generated","div":"<div>x</div>"}}"#,
        "invalid-narrative",
        1,
        62,
    ),
    (
        r#"{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">&nbsp;</div>"}}"#,
        "invalid-narrative",
        1,
        62,
    ),
    // Control characters and noncharacters stop at the string, escaped or raw, narrative or not.
    (
        r#"{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">a\u0001</div>"}}"#,
        "invalid-json",
        1,
        108,
    ),
    (
        r#"{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">a\b</div>"}}"#,
        "invalid-json",
        1,
        108,
    ),
    (
        r#"{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">a\uFFFE</div>"}}"#,
        "invalid-json",
        1,
        108,
    ),
    (
        "{\"resourceType\":\"Patient\",\"text\":{\"status\":\"generated\",\"div\":\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">a\u{FFFF}</div>\"}}",
        "invalid-json",
        1,
        108,
    ),
    (
        r#"{"resourceType":"Patient","contained":[{"id":"x"}]}"#,
        "missing-resource-type",
        1,
        40,
    ),
];

fn run(cases: &[Case], what: &str) {
    let lenient = medcom::ReadOptions::default().with_mode(medcom::Mode::Lenient);
    for &(input, code, line, column) in cases {
        let err = medcom::parse_bytes(input.as_bytes(), &Default::default())
            .map(|_| ())
            .expect_err(&format!("{what}: accepted {input}"));
        assert_eq!(
            (
                err.kind().code(),
                err.position().line,
                err.position().column
            ),
            (code, line, column),
            "{what}: {input}\n  error: {err}"
        );
        if err.kind().is_recoverable() {
            let doc = medcom::parse_bytes(input.as_bytes(), &lenient)
                .unwrap_or_else(|e| panic!("{what}: lenient reading failed on {input}: {e}"));
            let first = doc
                .issues()
                .first()
                .unwrap_or_else(|| panic!("{what}: no issue for {input}"));
            assert_eq!(
                (first.kind(), first.position()),
                (err.kind(), err.position()),
                "{what}: {input}"
            );
        }
    }
}

#[test]
fn xml_errors_are_located() {
    assert!(P.starts_with("<Patient"));
    run(XML, "xml");
}

#[test]
fn json_errors_are_located() {
    run(JSON, "json");
}

#[test]
fn invalid_utf8_is_located() {
    let err = medcom::parse_bytes(
        b"{\"resourceType\":\"Patient\",\"gender\":\"male\xff\"}",
        &Default::default(),
    )
    .unwrap_err();
    assert_eq!(
        (err.kind().code(), err.position().column),
        ("invalid-utf8", 41)
    );
}

#[test]
fn lenient_reading_keeps_the_rest() {
    let lenient = medcom::ReadOptions::default().with_mode(medcom::Mode::Lenient);
    let input =
        r#"{"resourceType":"Patient","bogus":{"deep":[1,2]},"active":"yes","gender":"male"}"#;
    let doc = medcom::json::parse_with_options(input, &lenient).unwrap();
    let codes: Vec<_> = doc.issues().iter().map(|e| e.kind().code()).collect();
    assert_eq!(codes, ["unknown-element", "wrong-json-type"]);
    assert_eq!(doc.root().child_value("gender"), Some("male"));
    assert_eq!(doc.issues()[1].path(), Some("Patient"));

    let input = r#"<Patient xmlns="http://hl7.org/fhir"><gender value="male"/><bogus><x/></bogus><active value="true"/></Patient>"#;
    let doc = medcom::xml::parse_with_options(input, &lenient).unwrap();
    let codes: Vec<_> = doc.issues().iter().map(|e| e.kind().code()).collect();
    assert_eq!(codes, ["unknown-element", "out-of-order"]);
    // Children are kept in definition order whatever the input order.
    let names: Vec<_> = doc.root().children().map(|c| c.name()).collect();
    assert_eq!(names, ["active", "gender"]);
}

#[test]
fn limits_stop_reading() {
    // Depth counts objects, as XML counts elements: four here.
    let options = medcom::ReadOptions::default().with_max_depth(3);
    let nested = r#"{"resourceType":"Basic","extension":[{"url":"a","extension":[{"url":"b","extension":[{"url":"c","valueBoolean":true}]}]}]}"#;
    let err = medcom::json::parse_with_options(nested, &options).unwrap_err();
    assert_eq!(err.kind().code(), "limit-exceeded");
    let options = medcom::ReadOptions::default().with_max_input_bytes(10);
    let err = medcom::xml::parse_with_options(P, &options).unwrap_err();
    assert_eq!(err.kind().code(), "limit-exceeded");
    let options = medcom::ReadOptions::default().with_max_nodes(2);
    let err = medcom::json::parse_with_options(
        r#"{"resourceType":"Patient","active":true,"gender":"male"}"#,
        &options,
    )
    .unwrap_err();
    assert_eq!(err.kind().code(), "limit-exceeded");
    let options = medcom::ReadOptions::default().with_max_string_bytes(3);
    let err = medcom::xml::parse_with_options(
        r#"<Patient xmlns="http://hl7.org/fhir"><gender value="female"/></Patient>"#,
        &options,
    )
    .unwrap_err();
    assert_eq!(err.kind().code(), "limit-exceeded");
}

/// The reader skips an unprefixed narrative's content in one jump; a prefixed narrative read
/// after it must still get its whole text (it once got a slice shifted by the skipped bytes).
#[test]
fn prefixed_narrative_after_a_skipped_one_is_read_whole() {
    let input = r#"<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p>first narrative with some length to skip</p></div></text><contained><Patient><id value="c"/><text><status value="generated"/><x:div xmlns:x="http://www.w3.org/1999/xhtml"><x:p>b</x:p></x:div></text></Patient></contained></Patient>"#;
    let doc = medcom::parse(input).expect("reads");
    let inner = doc
        .root()
        .child("contained")
        .and_then(|c| c.child("text"))
        .and_then(|t| t.child("div"))
        .and_then(|d| d.value())
        .expect("contained narrative");
    assert_eq!(
        inner,
        r#"<x:div xmlns:x="http://www.w3.org/1999/xhtml"><x:p>b</x:p></x:div>"#
    );
}
