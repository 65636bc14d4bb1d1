//! Bounded output and input: the findings cap, the reader limits, and the cases where two paths
//! must agree (what `convert` writes reads back; every OIOXML path has one depth limit; a
//! DOCTYPE is a DOCTYPE whatever the encoding). One line per case.

mod common;

use medcom::finding::{Severity, TRUNCATED};
use medcom::validate::Validator;
use medcom::{Mode, ReadOptions};

const FHIR: &str = r#"xmlns="http://hl7.org/fhir""#;
const XHTML: &str = r#"xmlns="http://www.w3.org/1999/xhtml""#;
const OIO: &str = r#"xmlns="http://rep.oio.dk/medcom.dk/xml/schemas/2018/08/06/""#;

fn attrs(n: usize, name: &str) -> String {
    (0..n).map(|i| format!(" {name}{i}=\"x\"")).collect()
}

fn unknown_siblings(n: usize) -> String {
    format!(
        r#"<Basic {FHIR}><id value="a"/>{}</Basic>"#,
        "<u/>".repeat(n)
    )
}

fn lenient() -> ReadOptions {
    ReadOptions::default().with_mode(Mode::Lenient)
}

/// The reader's verdict: `ok`, or the error's code and `line:column`.
fn read(input: &str, options: &ReadOptions) -> String {
    match medcom::parse_bytes(input.as_bytes(), options) {
        Ok(_) => "ok".to_owned(),
        Err(e) => format!("{} {}", e.kind().code(), e.position()),
    }
}

#[test]
fn reader_limits() {
    let strict = ReadOptions::default();
    let two = ReadOptions::default().with_max_attributes(2);
    let lenient = lenient();
    let narrative = |a: &str| {
        format!(
            r#"<Basic {FHIR}><text><status value="generated"/><div {XHTML}><p{a}>x</p></div></text></Basic>"#
        )
    };
    // (input, options, verdict)
    let cases: Vec<(String, &ReadOptions, &str)> = vec![
        (
            format!(r#"<Basic {FHIR}{}/>"#, attrs(255, "xsi:a")),
            &strict,
            "malformed-xml 1:44",
        ),
        (
            format!(r#"<Basic {FHIR}{}/>"#, attrs(256, "a")),
            &strict,
            "limit-exceeded 1:2221",
        ),
        (
            format!(r#"<Basic {FHIR}{}/>"#, attrs(2, "xmlns:p")),
            &two,
            "limit-exceeded 1:49",
        ),
        (
            format!(r#"<Basic {FHIR}><id value="a"{}/></Basic>"#, attrs(1, "b")),
            &two,
            "unexpected-attribute 1:54",
        ),
        (narrative(&attrs(256, "a")), &strict, "ok"),
        (
            narrative(&attrs(257, "a")),
            &strict,
            "limit-exceeded 1:2308",
        ),
        (narrative(&attrs(3, "a")), &two, "limit-exceeded 1:128"),
        // Repeats found through a set once a tag has many attributes.
        (
            format!(r#"<Basic {FHIR}{} xsi:a3="y"/>"#, attrs(20, "xsi:a")),
            &strict,
            "malformed-xml 1:1",
        ),
        (
            format!(r#"<Basic {FHIR}{} xmlns:p3="y"/>"#, attrs(20, "xmlns:p")),
            &strict,
            "malformed-xml 1:1",
        ),
        (
            format!(
                r#"<Basic {FHIR} xmlns:q="urn:a"{} xmlns:r="urn:a" q:z="1" r:z="2"/>"#,
                attrs(20, "xmlns:p")
            ),
            &strict,
            "malformed-xml 1:351",
        ),
        (
            narrative(&format!("{} a3=\"y\"", attrs(20, "a"))),
            &strict,
            "malformed-xml 1:264",
        ),
        (
            format!(
                r#"{{"resourceType":"Basic"{},"id":"a","id":"b"}}"#,
                (0..20)
                    .map(|i| format!(r#","_u{i}":1"#))
                    .collect::<String>()
            ),
            &lenient,
            "ok",
        ),
        (
            format!(
                r#"{{"resourceType":"Basic"{},"id":"a","id":"b"}}"#,
                (0..20).map(|i| format!(r#","u{i}":1"#)).collect::<String>()
            ),
            &strict,
            "unknown-element 1:25",
        ),
        (
            format!(
                r#"{{"resourceType":"Basic","id":"a"{},"id":"b"}}"#,
                (0..20)
                    .map(|i| format!(r#","implicitRules{i}":1"#))
                    .collect::<String>()
            ),
            &lenient,
            "ok",
        ),
    ];
    for (input, options, want) in &cases {
        assert_eq!(
            read(input, options),
            *want,
            "{}",
            &input[..input.len().min(120)]
        );
    }
}

#[test]
fn duplicate_keys_past_the_first_sixteen_are_found() {
    // (keys before the repeat, repeated key at the end)
    for n in [0usize, 5, 15, 16, 17, 40] {
        let keys: String = (0..n).map(|i| format!(r#","_u{i}":1"#)).collect();
        let input = format!(r#"{{"resourceType":"Basic","id":"a"{keys},"id":"b"}}"#);
        let doc = medcom::parse_bytes(input.as_bytes(), &lenient()).unwrap();
        let codes: Vec<&str> = doc.issues().iter().map(|e| e.kind().code()).collect();
        assert_eq!(
            codes.iter().filter(|&&c| c == "duplicate-key").count(),
            1,
            "{n}: {codes:?}"
        );
    }
}

#[test]
fn lenient_reading_counts_problems_beyond_its_limit() {
    // (unknown elements, max_issues, issues kept, left out)
    let cases = [(3, 10, 3, 0), (30, 10, 10, 20), (5, 0, 0, 5)];
    for (n, max, kept, left_out) in cases {
        let input = unknown_siblings(n);
        let doc = medcom::xml::parse_with_options(&input, &lenient().with_max_issues(max)).unwrap();
        assert_eq!(
            (doc.issues().len(), doc.issues_left_out()),
            (kept, left_out),
            "{n} {max}"
        );
        // The verdict does not depend on the limit.
        assert!(
            !Validator::rules_only().report(&doc).is_valid(),
            "{n} {max}"
        );
    }
}

#[test]
fn positions_of_many_problems_on_one_line() {
    let input = format!(
        r#"<Basic {FHIR}><id value="a"/>{}</Basic>"#,
        "<ø/>".repeat(50)
    );
    let doc = medcom::xml::parse_with_options(&input, &lenient()).unwrap();
    for (i, e) in doc.issues().iter().enumerate() {
        let byte = input.match_indices("<ø/>").nth(i).unwrap().0;
        assert_eq!(
            e.position(),
            medcom::Position::from_offset(&input, byte),
            "{i}"
        );
    }
}

#[test]
fn reports_are_capped() {
    let input = unknown_siblings(30);
    let doc = medcom::xml::parse_with_options(&input, &lenient()).unwrap();
    // (max findings, findings shown, left out)
    // 30 unknown elements: 30 findings (a Basic is no message, so no MessageHeader is missed).
    let cases = [(1000, 30, 0), (10, 11, 20), (0, 1, 30)];
    for (max, shown, left_out) in cases {
        let report = Validator::options()
            .with_profiles(std::sync::Arc::new(medcom::validate::NoProfiles))
            .with_max_findings(max)
            .build()
            .report(&doc);
        let findings = report.findings();
        assert_eq!(
            (findings.len(), report.left_out()),
            (shown, left_out),
            "{max}"
        );
        if left_out > 0 {
            let last = findings.last().unwrap();
            assert_eq!((last.code(), last.severity()), (TRUNCATED, Severity::Error));
            assert!(last
                .message()
                .starts_with(&format!("{left_out} more findings")));
            assert!(!report.is_valid());
        }
        // Capping again keeps the count.
        let again = report.clone().with_max_findings(max);
        assert_eq!(
            (again.findings().len(), again.left_out()),
            (shown, left_out)
        );
    }
}

fn medcom(args: &[&str], stdin: &[u8]) -> (i32, String) {
    let out = common::run_medcom(args, stdin);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_cli_caps_every_output() {
    let fhir = unknown_siblings(40);
    let oioxml = format!("<Emessage {OIO}>{}</Emessage>", "<u/>".repeat(40));
    // (input, format, max, occurrences of the finding code in the output, marker text)
    let cases: &[(&str, &str, &str, usize, &str)] = &[
        (
            &fhir,
            "text",
            "5",
            5,
            "more findings left out (at most 5 are reported)",
        ),
        (
            &fhir,
            "json",
            "5",
            5,
            "more findings left out (at most 5 are reported)",
        ),
        (
            &fhir,
            "outcome",
            "5",
            5,
            "more findings left out (at most 5 are reported)",
        ),
        (
            &fhir,
            "outcome-xml",
            "5",
            5,
            "more findings left out (at most 5 are reported)",
        ),
        (&fhir, "text", "1000", 40, ""),
        (
            &oioxml,
            "text",
            "7",
            7,
            "more findings left out (at most 7 are reported)",
        ),
        (
            &oioxml,
            "json",
            "7",
            7,
            "more findings left out (at most 7 are reported)",
        ),
    ];
    for &(input, format, max, count, marker) in cases {
        let (code, out) = medcom(
            &["validate", "--format", format, "--max-findings", max, "-"],
            input.as_bytes(),
        );
        assert_eq!(code, 1, "{format} {max}: {out}");
        let finding = if input.starts_with("<Emessage") {
            "xsd-"
        } else {
            "fhir-read"
        };
        // The few other findings (no MessageHeader) come first.
        let found = out.matches(finding).count();
        assert!(
            found <= count && found + 2 >= count,
            "{format} {max}: {found} {out}"
        );
        assert_eq!(
            out.contains(TRUNCATED),
            !marker.is_empty(),
            "{format} {max}: {out}"
        );
        assert!(out.contains(marker), "{format} {max}: {out}");
    }
    let (code, _) = medcom(&["validate", "--max-findings", "x", "-"], b"");
    assert_eq!(code, 2);
}

#[test]
fn json_output_of_many_findings_stays_small() {
    let input = unknown_siblings(50_000);
    let (_, out) = medcom(&["validate", "--format", "json", "-"], input.as_bytes());
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let issues = value["files"][0]["issues"].as_array().unwrap();
    assert_eq!(issues.len(), 1001);
    assert_eq!(issues[1000]["code"], TRUNCATED);
    assert!(out.len() < 200 * 1024, "{} bytes", out.len());
}

#[test]
fn json_strings_hold_only_characters_xml_allows() {
    // (string as written in JSON, verdict)
    let cases: &[(&str, &str)] = &[
        (r"plain", "ok"),
        (r"tab\tnewline\ncr\r", "ok"),
        (r"\u00e6\ud83d\ude00", "ok"),
        (r"\ufffd", "ok"),
        (r"\ufffe", "invalid-json 1:31"),
        (r"\uffff", "invalid-json 1:31"),
        (r"a\u0001", "invalid-json 1:32"),
        (r"\u001f", "invalid-json 1:31"),
        (r"\b", "invalid-json 1:31"),
        (r"x\f", "invalid-json 1:32"),
        ("\u{FFFF}", "invalid-json 1:31"),
        ("ab\u{FFFE}", "invalid-json 1:33"),
        ("a\\\"\u{FFFF}", "invalid-json 1:34"),
    ];
    for &(text, want) in cases {
        let input = format!(r#"{{"resourceType":"Basic","id":"{text}"}}"#);
        let got = match medcom::json::parse_with_options(&input, &lenient()) {
            Ok(_) => "ok".to_owned(),
            Err(e) => format!("{} {}", e.kind().code(), e.position()),
        };
        assert_eq!(got, want, "{text:?}");
    }
}

/// A Basic with `n` extensions nested in one another, in XML.
fn nested_extensions(n: usize) -> String {
    let open = r#"<extension url="http://x.dk/e">"#.repeat(n);
    let close = "</extension>".repeat(n);
    format!(
        r#"<Basic {FHIR}>{open}<valueString value="v"/>{close}<code><text value="c"/></code></Basic>"#
    )
}

#[test]
fn what_convert_writes_reads_back() {
    // (nested extensions, the XML reads)
    let cases = [
        (1, true),
        (63, true),
        (64, true),
        (100, true),
        (127, true),
        (128, false),
    ];
    for (n, reads) in cases {
        let xml = nested_extensions(n);
        let doc = match medcom::xml::parse(&xml) {
            Ok(doc) => doc,
            Err(e) => {
                assert!(!reads, "{n}: {e}");
                assert_eq!(e.kind().code(), "limit-exceeded", "{n}");
                continue;
            }
        };
        assert!(reads, "{n}");
        let json = medcom::json::to_string(&doc);
        let back = medcom::json::parse(&json).unwrap_or_else(|e| panic!("{n}: {e}"));
        assert_eq!(
            medcom::xml::to_string(&back),
            medcom::xml::to_string(&doc),
            "{n}"
        );
    }
    // A contained resource and a deep narrative: one level each, in both formats.
    let bundle = |inner: &str| {
        format!(
            r#"<Bundle {FHIR}><type value="collection"/><entry><resource>{inner}</resource></entry></Bundle>"#
        )
    };
    let deep_div = format!(
        r#"<Basic {FHIR}><text><status value="generated"/><div {XHTML}>{}x{}</div></text><code><text value="c"/></code></Basic>"#,
        "<b>".repeat(120),
        "</b>".repeat(120)
    );
    for xml in [bundle(&nested_extensions(120)), deep_div] {
        let doc = medcom::xml::parse(&xml).unwrap();
        let json = medcom::json::to_string(&doc);
        let back = medcom::json::parse(&json).unwrap();
        let again = medcom::xml::to_string(&back);
        assert!(medcom::xml::parse(&again).is_ok());
    }
    // Arrays in unknown JSON content are bounded too.
    let arrays = format!(
        r#"{{"resourceType":"Basic","u":{}1{}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    let err = medcom::json::parse_with_options(&arrays, &lenient()).unwrap_err();
    assert_eq!(err.kind().code(), "limit-exceeded");
}

#[test]
fn one_depth_limit_for_every_oioxml_path() {
    let deep = |n: usize| {
        format!(
            "<Emessage {OIO}>{}{}</Emessage>",
            "<a>".repeat(n - 1),
            "</a>".repeat(n - 1)
        )
    };
    // (elements deep, read by every path)
    for (n, reads) in [(64, true), (65, false), (5000, false)] {
        let text = deep(n);
        let validate = medcom::legacy::schema::parse_checked(&text);
        let ack = medcom::legacy::oioxml::read(text.as_bytes());
        assert_eq!(validate.is_ok(), reads, "validate {n}");
        assert_eq!(ack.is_ok(), reads, "read {n}");
        if !reads {
            assert_eq!(validate.unwrap_err().kind().code(), "limit-exceeded");
            assert_eq!(ack.unwrap_err().kind().code(), "limit-exceeded");
        }
        let (_, out) = medcom(&["validate", "-"], text.as_bytes());
        assert_eq!(out.contains("nesting depth"), !reads, "{n}: {out}");
    }
}

#[test]
fn oioxml_limits() {
    let options = medcom::legacy::oioxml::ReadOptions::default();
    let ns = |n: usize| -> String {
        (0..n)
            .map(|i| format!(" xmlns:p{i}=\"urn:x:{i}\""))
            .collect()
    };
    // (document, verdict of oioxml::read)
    let cases: Vec<(String, &str)> = vec![
        (format!("<Emessage {OIO}{}/>", attrs(255, "a")), "ok"),
        (
            format!("<Emessage {OIO}{}/>", attrs(256, "a")),
            "limit-exceeded 1:1",
        ),
        // The default namespace and 31 prefixes: 32 in scope.
        (format!("<Emessage {OIO}{}/>", ns(31)), "ok"),
        (format!("<Emessage {OIO}{}/>", ns(32)), "limit-exceeded 1:1"),
        (
            format!("<Emessage {OIO}{}><a xmlns:q='urn:q'/></Emessage>", ns(30)),
            "ok",
        ),
        (
            format!(
                "<Emessage {OIO}{}><a><b xmlns:q='urn:q'/></a></Emessage>",
                ns(31)
            ),
            "limit-exceeded 1:705",
        ),
        (
            format!("<Emessage {OIO}><a xmlns:p='urn:p'/><a xmlns:p='urn:p'/></Emessage>"),
            "ok",
        ),
        // The root and 39,999 children: 40,000 elements; one more is over the limit.
        (
            format!("<Emessage {OIO}>{}</Emessage>", "<u/>".repeat(39_999)),
            "ok",
        ),
        (
            format!("<Emessage {OIO}>{}</Emessage>", "<u/>".repeat(40_000)),
            "limit-exceeded 1:160067",
        ),
    ];
    for (text, want) in &cases {
        let got = match medcom::legacy::oioxml::read_with_options(text.as_bytes(), &options) {
            Ok(_) => "ok".to_owned(),
            Err(e) => format!("{} {}", e.kind().code(), e.position().unwrap()),
        };
        assert_eq!(got, *want, "{}", &text[..text.len().min(100)]);
    }
}

#[test]
fn a_doctype_is_reported_whatever_the_encoding() {
    // (encoding, DOCTYPE)
    let cases = [
        ("windows-1252", "<!DOCTYPE Emessage>"),
        ("ISO-8859-1", "<!DOCTYPE Emessage [<!ENTITY x \"y\">]>"),
        ("UTF-8", "<!DOCTYPE Emessage SYSTEM \"x.dtd\">"),
    ];
    for (encoding, doctype) in cases {
        let mut bytes = format!(
            "<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n{doctype}\n<Emessage {OIO}><a>"
        )
        .into_bytes();
        bytes.push(0xE6); // æ in the single-byte encodings, not UTF-8
        bytes.extend_from_slice(b"</a></Emessage>");
        if encoding == "UTF-8" {
            bytes.retain(|&b| b != 0xE6);
        }
        assert_eq!(
            medcom::legacy::LegacyFormat::detect(&bytes),
            Some(medcom::legacy::LegacyFormat::Oioxml),
            "{encoding}"
        );
        let (code, out) = medcom(&["validate", "-"], &bytes);
        assert_eq!(code, 1, "{encoding}: {out}");
        assert!(out.contains("legacy-read"), "{encoding}: {out}");
        assert!(out.to_lowercase().contains("dtd"), "{encoding}: {out}");
        assert!(!out.contains("UTF-8"), "{encoding}: {out}");
    }
}

#[test]
fn bundle_full_urls_are_checked_through_a_set() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/validate/ack-ok-valid.json"
    );
    let base: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let organization = base["entry"][1].clone();
    // (entries added, the last added repeats the fullUrl of this added entry, bdl-7 fails)
    let cases = [
        (0, None, false),
        (3, Some(0), true),
        (40, None, false),
        (40, Some(3), true),
        (40, Some(38), true),
    ];
    for (n, repeat, fails) in cases {
        let mut bundle = base.clone();
        let entries = bundle["entry"].as_array_mut().unwrap();
        for i in 0..n {
            let id = repeat.filter(|_| i == n - 1).unwrap_or(i);
            let mut entry = organization.clone();
            entry["fullUrl"] = format!("https://example.dk/Organization/{id}").into();
            entries.push(entry);
        }
        let text = bundle.to_string();
        let doc = medcom::json::parse(&text).unwrap();
        let report = Validator::new().report(&doc);
        let bdl7 = report
            .findings()
            .iter()
            .any(|f| f.message().contains("bdl-7"));
        assert_eq!(bdl7, fails, "{n} {repeat:?}");
    }
}
