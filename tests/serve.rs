//! The validation service on a loopback port: every route, limit and refusal, with FHIR JSON,
//! FHIR XML, OIOXML and EDIFACT bodies. Most tests run the service in this process
//! (`medcom::serve::Server`); the ones about signals and logs run `medcom serve`.
#![cfg(all(feature = "server", feature = "cli"))]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use common::http::{self, Response};
use medcom::serve::{Server, Settings, Stopper};
use serde_json::Value;

/// A service running on a thread of this process; stopped (and drained) when dropped.
struct Running {
    addr: SocketAddr,
    stopper: Stopper,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stopper.stop();
        if let Some(t) = self.thread.take() {
            t.join()
                .expect("the service thread")
                .expect("the service ran");
        }
    }
}

fn start(settings: Settings) -> Running {
    let settings = settings
        .listen("127.0.0.1:0".parse().expect("address"))
        .signals(false)
        .threads(2);
    let server = Server::bind(settings).expect("bound");
    let addr = server.local_addr();
    let stopper = server.stopper();
    let thread = Some(std::thread::spawn(move || server.run()));
    Running {
        addr,
        stopper,
        thread,
    }
}

/// A valid HospitalNotification in FHIR JSON and, converted by the library, in FHIR XML.
fn valid_json() -> Vec<u8> {
    fixture("validate/hn-admit-valid.json")
}

fn valid_xml() -> Vec<u8> {
    let json = String::from_utf8(valid_json()).expect("UTF-8");
    medcom::xml::to_string(&medcom::parse(&json).expect("reads")).into_bytes()
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `(severity, code, line, column, text)` of one issue of an OperationOutcome.
type Issue = (String, String, Option<u64>, Option<u64>, String);

/// The issues of an OperationOutcome (JSON).
fn issues(outcome: &Value) -> Vec<Issue> {
    assert_eq!(outcome["resourceType"], "OperationOutcome", "{outcome}");
    outcome["issue"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| {
            let ext = |suffix: &str| {
                i["extension"].as_array().and_then(|xs| {
                    xs.iter()
                        .find(|x| x["url"].as_str().is_some_and(|u| u.ends_with(suffix)))
                        .and_then(|x| x["valueInteger"].as_u64())
                })
            };
            (
                i["severity"].as_str().unwrap_or("").to_owned(),
                i["details"]["coding"][0]["code"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
                ext("-line"),
                ext("-col"),
                i["details"]["text"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn codes(r: &Response) -> Vec<String> {
    issues(&r.json()).into_iter().map(|i| i.1).collect()
}

/// A refusal: this status, an OperationOutcome (JSON) with one error of this code.
fn assert_refused(r: &Response, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.text());
    assert!(
        r.header("content-type")
            .is_some_and(|t| t.starts_with("application/fhir+json")),
        "{:?}",
        r.headers
    );
    let found = issues(&r.json());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0.as_str(), found[0].1.as_str()), ("error", code));
}

// ---------------------------------------------------------------------------------------------
// $validate

#[test]
fn validates_fhir_json_and_xml_by_content_type_or_by_content() {
    let s = start(Settings::new());
    for (name, body, ty) in [
        ("json", valid_json(), "application/fhir+json"),
        ("json", valid_json(), "application/octet-stream"),
        ("xml", valid_xml(), "application/fhir+xml; charset=utf-8"),
        ("xml", valid_xml(), "text/plain"),
    ] {
        let r = http::post(s.addr, "/$validate", ty, &body);
        assert_eq!(r.status, 200, "{name} {ty}: {}", r.text());
        assert_eq!(r.header("medcom-valid"), Some("true"), "{name} {ty}");
        assert_eq!(
            r.header("medcom-message-type"),
            Some("HospitalNotification")
        );
        // Warnings only (narratives), no errors.
        let found = issues(&r.json());
        assert!(!found.is_empty());
        assert!(found.iter().all(|i| i.0 != "error"), "{found:?}");
    }
    // No Content-Type at all: decided by content.
    let r = http::request(s.addr, "POST", "/$validate", &[], &valid_json());
    assert_eq!(r.header("medcom-valid"), Some("true"), "{}", r.text());
}

#[test]
fn an_invalid_message_is_200_with_located_findings() {
    let s = start(Settings::new());
    let r = http::post(
        s.addr,
        "/$validate",
        "application/fhir+json",
        &fixture("validate/cc-bad-cpr.json"),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("medcom-valid"), Some("false"));
    let found = issues(&r.json());
    let cpr = found
        .iter()
        .find(|i| i.1 == "dk-cpr-date")
        .expect("the CPR finding");
    assert_eq!(
        (cpr.0.as_str(), cpr.2, cpr.3),
        ("error", Some(46), Some(13))
    );
    // Masked by default: the number is not in the answer.
    assert!(!r.text().contains("3113450000"));
    let r = http::post(
        s.addr,
        "/$validate?unmask=true",
        "application/fhir+json",
        &fixture("validate/cc-bad-cpr.json"),
    );
    assert!(r.text().contains("3113450000"), "{}", r.text());
}

#[test]
fn answers_in_xml_when_accept_or_format_asks() {
    let s = start(Settings::new());
    let body = fixture("validate/cc-no-timezone.xml");
    for (path, accept) in [
        ("/$validate", "application/fhir+xml"),
        ("/$validate", "text/html, application/xml;q=0.9"),
        ("/$validate?_format=xml", "application/fhir+json"),
    ] {
        let r = http::request(
            s.addr,
            "POST",
            path,
            &[("Content-Type", "application/fhir+xml"), ("Accept", accept)],
            &body,
        );
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("content-type"),
            Some("application/fhir+xml; charset=utf-8"),
            "{path} {accept}"
        );
        let text = r.text();
        let doc = medcom::xml::parse(&text).expect("an XML OperationOutcome");
        assert_eq!(doc.root().ty().name(), "OperationOutcome");
        assert!(
            text.contains(r#"<code value="medcom-timezone"/>"#),
            "{text}"
        );
        assert!(text.contains("operationoutcome-issue-line"), "{text}");
    }
    let r = http::post(
        s.addr,
        "/$validate?_format=turtle",
        "application/fhir+xml",
        &body,
    );
    assert_refused(&r, 400, "http-parameter");
}

#[test]
fn validates_oioxml_and_edifact() {
    let s = start(Settings::new());
    let r = http::post(
        s.addr,
        "/$validate",
        "application/xml",
        &fixture("cli/xdis91.xml"),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("medcom-message-type"), Some("OIOXML"));
    let found = issues(&r.json());
    assert!(
        found
            .iter()
            .any(|i| i.1 == "dk-gln-check-digit" && i.2 == Some(1) && i.3 == Some(718)),
        "{found:?}"
    );
    let r = http::post(
        s.addr,
        "/$validate",
        "application/edifact",
        &fixture("validate/legacy-bad.edi"),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("medcom-valid"), Some("false"));
    assert!(r
        .header("medcom-message-type")
        .is_some_and(|t| t.starts_with("EDIFACT")));
    let found = issues(&r.json());
    assert!(
        found
            .iter()
            .any(|i| i.1 == "edifact-missing-value" && i.2 == Some(1) && i.3 == Some(10)),
        "{found:?}"
    );
    // Sniffed, without a Content-Type.
    let r = http::request(
        s.addr,
        "POST",
        "/$validate",
        &[],
        &fixture("validate/legacy-bad.edi"),
    );
    assert!(codes(&r).contains(&"edifact-missing-value".to_owned()));
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn validates_official_examples_of_each_kind() {
    let Some(shared) = common::shared() else {
        return;
    };
    let s = start(Settings::new());
    let cc = shared.join(
        "medcom/fhir/examples/medcomfhir-website/ig/carecommunication/5.0.2/\
         Bundle-0d5b3c18-fab6-4d93-9d88-c9c8abf1f18c",
    );
    let letters = shared.join("medcom/legacy/files/glasdam_edifact_converter/test/complete/files");
    for (path, ty, kind) in [
        (
            cc.with_extension("json"),
            "application/fhir+json",
            "CareCommunication",
        ),
        (
            cc.with_extension("xml"),
            "application/fhir+xml",
            "CareCommunication",
        ),
        (letters.join("xml/DIS01_1.xml"), "application/xml", "OIOXML"),
        (
            letters.join("edifact/DIS01_1.edi"),
            "application/edifact",
            "EDIFACT",
        ),
    ] {
        let body = std::fs::read(&path).expect("example");
        let r = http::post(s.addr, "/$validate", ty, &body);
        assert_eq!(r.status, 200, "{}", path.display());
        assert_eq!(
            r.header("medcom-valid"),
            Some("true"),
            "{}: {}",
            path.display(),
            r.text()
        );
        assert!(
            r.header("medcom-message-type")
                .is_some_and(|t| t.starts_with(kind)),
            "{:?}",
            r.header("medcom-message-type")
        );
        // The same verdict as the library's front door.
        assert!(medcom::validate_bytes(&body).is_valid());
    }
}

#[test]
fn the_typed_route_checks_the_resource_type() {
    let s = start(Settings::new());
    let body = valid_json();
    let r = http::post(s.addr, "/Bundle/$validate", "application/fhir+json", &body);
    assert_eq!(r.header("medcom-valid"), Some("true"), "{}", r.text());
    let r = http::post(s.addr, "/Patient/$validate", "application/fhir+json", &body);
    assert_eq!(r.status, 200);
    assert_eq!(codes(&r), ["fhir-resource-type"]);
    let r = http::post(
        s.addr,
        "/Patient/$validate",
        "application/fhir+xml",
        &fixture("validate/cc-valid.xml"),
    );
    assert_eq!(codes(&r), ["fhir-resource-type"]);
    let r = http::post(
        s.addr,
        "/Bundle/$validate",
        "application/xml",
        &fixture("cli/xdis91.xml"),
    );
    assert_eq!(codes(&r), ["fhir-resource-type"]);
}

#[test]
fn query_parameters_are_the_settings_of_validate() {
    let s = start(Settings::new());
    let body = br#"{"resourceType":"Bundle","type":"message"}"#;
    let r = http::post(
        s.addr,
        "/$validate?profiles=false",
        "application/fhir+json",
        body,
    );
    assert_eq!(codes(&r)[0], "medcom-header-first");
    let r = http::post(
        s.addr,
        "/$validate?max-findings=1",
        "application/fhir+json",
        body,
    );
    let found = codes(&r);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[1], "findings-truncated");
    let r = http::post(
        s.addr,
        "/$validate?stack=carecommunication@4.0",
        "application/fhir+json",
        &fixture("validate/cc-valid.json"),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    for query in [
        "stack=carecommunication@3",
        "unmask=yes",
        "profiles=0",
        "max-findings=-1",
        "unmasked=true",
    ] {
        let r = http::post(
            s.addr,
            &format!("/$validate?{query}"),
            "application/fhir+json",
            body,
        );
        assert_refused(&r, 400, "http-parameter");
    }
}

#[test]
fn malformed_bodies_get_the_read_error_and_its_position() {
    let s = start(Settings::new());
    let cases: &[(&str, &[u8], &str, u64, u64)] = &[
        ("application/fhir+json", b"{\"resourceType\":\"Bundle\",\n  \"type\": }", "fhir-read", 2, 11),
        ("application/fhir+xml", b"<Bundle xmlns=\"http://hl7.org/fhir\">\n<type value=\"message\">\n</Bundle>", "fhir-read", 3, 1),
        ("application/octet-stream", b"{\"resourceType\":\"Basic\xff\"}", "fhir-read", 1, 23),
        ("application/xml", b"<Emessage xmlns=\"http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2006/07/01/\">\n<Envelope></Sent></Emessage>", "legacy-read", 2, 11),
        // The Content-Type says one thing, the content another.
        ("application/fhir+json", b"\n  <Bundle xmlns=\"http://hl7.org/fhir\"/>", "fhir-read", 2, 3),
        ("application/edifact", b"{}", "legacy-read", 1, 1),
        ("application/octet-stream", b"not a message", "fhir-read", 1, 1),
        ("application/octet-stream", b"", "fhir-read", 1, 1),
    ];
    for (ty, body, code, line, column) in cases {
        let r = http::post(s.addr, "/$validate", ty, body);
        assert_eq!(r.status, 200, "{ty} {}", String::from_utf8_lossy(body));
        let found = issues(&r.json());
        assert_eq!(found.len(), 1, "{found:?}");
        let (severity, c, l, col, _) = &found[0];
        assert_eq!(
            (severity.as_str(), c.as_str(), *l, *col),
            ("error", *code, Some(*line), Some(*column)),
            "{ty} {}: {found:?}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn unreadable_content_types_get_415() {
    let s = start(Settings::new());
    for route in BODY_ROUTES {
        for ty in [
            "image/png",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "application/fhir+json; charset=utf-16",
        ] {
            let r = http::post(s.addr, route, ty, b"{}");
            assert_refused(&r, 415, "http-media-type");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// $convert and $ack

/// The routes that take a body, each with the parameters that keep a valid FHIR message's
/// answer at 200.
const BODY_ROUTES: [&str; 3] = ["/$validate", "/$convert", "/$ack"];

/// The response code of an Acknowledgement (JSON) and whether it carries an OperationOutcome.
fn ack_code(ack: &Value) -> (String, bool) {
    let entries = ack["entry"].as_array().expect("entries");
    let code = entries[0]["resource"]["response"]["code"]
        .as_str()
        .unwrap_or("")
        .to_owned();
    let outcome = entries
        .iter()
        .any(|e| e["resource"]["resourceType"] == "OperationOutcome");
    (code, outcome)
}

#[test]
fn converts_fhir_between_json_and_xml_as_the_library_does() {
    let s = start(Settings::new());
    let options = medcom::convert::ConvertOptions::new();
    for (body, ty, query, want_type, to) in [
        (
            valid_json(),
            "application/fhir+json",
            "",
            "application/fhir+xml",
            None,
        ),
        (
            valid_xml(),
            "application/fhir+xml",
            "",
            "application/fhir+json",
            None,
        ),
        (
            valid_xml(),
            "application/octet-stream",
            "?to=xml",
            "application/fhir+xml",
            Some(medcom::convert::Target::Xml),
        ),
        (
            valid_json(),
            "application/fhir+json",
            "?to=json",
            "application/fhir+json",
            Some(medcom::convert::Target::Json),
        ),
    ] {
        let r = http::post(s.addr, &format!("/$convert{query}"), ty, &body);
        assert_eq!(r.status, 200, "{ty}{query}: {}", r.text());
        assert_eq!(
            r.header("content-type"),
            Some(format!("{want_type}; charset=utf-8").as_str())
        );
        let expected = medcom::convert(&body, to, &options).expect("converts");
        assert_eq!(r.header("medcom-format"), Some(expected.target().name()));
        assert_eq!(r.body, expected.bytes(), "{ty}{query}");
    }
    // Pretty output, and the answer still reads as the same message.
    let r = http::post(
        s.addr,
        "/$convert?to=json&pretty=true",
        "application/fhir+xml",
        &valid_xml(),
    );
    assert_eq!(r.status, 200);
    assert!(
        r.text().contains("\n  \"type\": \"message\""),
        "{}",
        r.text()
    );
    assert_eq!(
        r.json(),
        serde_json::from_slice::<Value>(&valid_json()).expect("JSON")
    );
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn converts_legacy_letters_between_oioxml_and_edifact() {
    let Some(shared) = common::shared() else {
        return;
    };
    let letters = shared.join("medcom/legacy/files/glasdam_edifact_converter/test/complete/files");
    let s = start(Settings::new());
    let options = medcom::convert::ConvertOptions::new();
    for (file, ty, query, want_type, want) in [
        (
            "edifact/DIS01_1.edi",
            "application/edifact",
            "",
            "application/xml",
            "oioxml",
        ),
        (
            "xml/DIS01_1.xml",
            "application/xml",
            "",
            "application/EDIFACT",
            "edifact",
        ),
        (
            "xml/DIS01_1.xml",
            "application/octet-stream",
            "?to=edifact",
            "application/EDIFACT",
            "edifact",
        ),
        (
            "edifact/DIS01_1.edi",
            "text/plain",
            "?to=oioxml",
            "application/xml",
            "oioxml",
        ),
    ] {
        let body = std::fs::read(letters.join(file)).expect("example");
        let r = http::post(s.addr, &format!("/$convert{query}"), ty, &body);
        assert_eq!(r.status, 200, "{file}{query}: {}", r.text());
        assert_eq!(r.header("content-type"), Some(want_type), "{file}");
        assert_eq!(r.header("medcom-format"), Some(want));
        let expected = medcom::convert(&body, None, &options).expect("converts");
        assert_eq!(r.body, expected.bytes(), "{file}");
    }
}

/// With an address book (`medcom serve --address-book FILE`), `$convert` converts a legacy
/// letter to a FHIR message and back, as the library does with the same book.
#[test]
fn with_an_address_book_letters_convert_to_fhir_and_back() {
    let book_path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cli/address-book.csv");
    let letter_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/cli/letter-xdis91.xml"
    );
    let letter = std::fs::read(letter_path).expect("the letter");
    let book = std::fs::read_to_string(book_path).expect("the book");
    let book = medcom::migrate::CsvAddressBook::from_csv(&book).expect("a book");
    let options = medcom::convert::ConvertOptions::new().address_book(std::sync::Arc::new(book));
    let (mut child, addr, _stderr) = spawn_command(&["--address-book", book_path]);
    let fhir = http::post(addr, "/$convert?to=json", "application/xml", &letter);
    assert_eq!(fhir.status, 200, "{}", fhir.text());
    let want =
        medcom::convert(&letter, Some(medcom::convert::Target::Json), &options).expect("converts");
    assert_eq!(fhir.body, want.bytes(), "as the library converts it");
    assert_eq!(fhir.json()["type"], "message");
    let back = http::post(
        addr,
        "/$convert?to=oioxml",
        "application/fhir+json",
        &fhir.body,
    );
    assert_eq!(back.status, 200, "{}", back.text());
    assert!(back.text().contains("ClinicalEmail"), "{}", back.text());
    child.kill().expect("stops");
    child.wait().expect("ends");
    // Without a book the same request is refused, naming why.
    let s = start(Settings::new());
    let refused = http::post(s.addr, "/$convert?to=json", "application/xml", &letter);
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(
        refused.text().contains("address book"),
        "{}",
        refused.text()
    );
}

#[test]
fn conversions_that_would_lose_content_or_cannot_be_done_get_422() {
    let s = start(Settings::new());
    // An OIOXML letter with schema errors: refused, at the first of them.
    let r = http::post(
        s.addr,
        "/$convert",
        "application/xml",
        &fixture("cli/xdis91.xml"),
    );
    assert_refused(&r, 422, "http-convert");
    let found = issues(&r.json());
    assert_eq!((found[0].2, found[0].3), (Some(1), Some(293)), "{found:?}");
    assert!(found[0].4.contains("2 schema errors"), "{found:?}");
    // Across generations.
    let r = http::post(
        s.addr,
        "/$convert?to=edifact",
        "application/fhir+json",
        &valid_json(),
    );
    assert_refused(&r, 422, "http-convert");
    let r = http::post(
        s.addr,
        "/$convert?to=json",
        "application/edifact",
        &fixture("validate/legacy-bad.edi"),
    );
    assert_refused(&r, 422, "http-convert");
}

#[test]
fn malformed_bodies_to_convert_and_ack_get_the_read_error_and_its_position() {
    let s = start(Settings::new());
    let cases: &[(&str, &[u8], &str, u64, u64)] = &[
        ("application/fhir+json", b"{\"resourceType\":\"Bundle\",\n  \"type\": }", "fhir-read", 2, 11),
        ("application/fhir+xml", b"<Bundle xmlns=\"http://hl7.org/fhir\">\n<type value=\"message\">\n</Bundle>", "fhir-read", 3, 1),
        ("application/xml", b"<Emessage xmlns=\"http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2006/07/01/\">\n<Envelope></Sent></Emessage>", "legacy-read", 2, 11),
        // The Content-Type says one thing, the content another.
        ("application/fhir+json", b"\n  <Bundle xmlns=\"http://hl7.org/fhir\"/>", "fhir-read", 2, 3),
        ("application/edifact", b"{}", "legacy-read", 1, 1),
    ];
    for route in ["/$convert", "/$ack"] {
        for (ty, body, code, line, column) in cases {
            let r = http::post(s.addr, route, ty, body);
            let what = format!("{route} {ty} {}", String::from_utf8_lossy(body));
            assert_eq!(r.status, 422, "{what}: {}", r.text());
            let found = issues(&r.json());
            assert_eq!(found.len(), 1, "{what}: {found:?}");
            let (severity, c, l, col, _) = &found[0];
            assert_eq!(
                (severity.as_str(), c.as_str(), *l, *col),
                ("error", *code, Some(*line), Some(*column)),
                "{what}: {found:?}"
            );
        }
    }
}

#[test]
fn acknowledges_fhir_messages_by_the_receive_policy() {
    let s = start(Settings::new());
    let bad = fixture("validate/cc-bad-cpr.json");
    // A wrong CPR number does not prevent processing: ok, unless strict.
    let r = http::post(s.addr, "/$ack", "application/fhir+json", &bad);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        Some("application/fhir+json; charset=utf-8")
    );
    assert_eq!(ack_code(&r.json()), ("ok".to_owned(), false));
    let r = http::post(s.addr, "/$ack?strict=true", "application/fhir+json", &bad);
    assert_eq!(ack_code(&r.json()), ("fatal-error".to_owned(), true));
    assert!(!r.text().contains("3113450000"), "masked: {}", r.text());
    // An explicit code, and the acknowledgement in XML.
    let r = http::post(
        s.addr,
        "/$ack?code=transient-error&to=xml",
        "application/fhir+json",
        &valid_json(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        Some("application/fhir+xml; charset=utf-8")
    );
    assert!(
        r.text().contains(r#"<code value="transient-error"/>"#),
        "{}",
        r.text()
    );
    // The acknowledgement is itself a valid MedCom Acknowledgement.
    let r = http::post(s.addr, "/$ack", "application/fhir+xml", &valid_xml());
    assert_eq!(
        r.header("content-type"),
        Some("application/fhir+xml; charset=utf-8")
    );
    let v = http::post(s.addr, "/$validate", "application/fhir+xml", &r.body);
    assert_eq!(v.header("medcom-valid"), Some("true"), "{}", v.text());
    assert_eq!(v.header("medcom-message-type"), Some("Acknowledgement"));
    // Something that is no message cannot be acknowledged.
    let r = http::post(
        s.addr,
        "/$ack",
        "application/fhir+json",
        br#"{"resourceType":"Basic","code":{"text":"x"}}"#,
    );
    assert_refused(&r, 422, "http-ack");
    for query in [
        "code=maybe",
        "strict=1",
        "max-issues=0",
        "to=edifact",
        "pretty=true",
    ] {
        let r = http::post(
            s.addr,
            &format!("/$ack?{query}"),
            "application/fhir+json",
            &valid_json(),
        );
        assert_refused(&r, 400, "http-parameter");
    }
    for query in ["to=pdf", "pretty=yes", "code=ok"] {
        let r = http::post(
            s.addr,
            &format!("/$convert?{query}"),
            "application/fhir+json",
            &valid_json(),
        );
        assert_refused(&r, 400, "http-parameter");
    }
}

#[test]
fn acknowledges_legacy_letters_with_their_receipts() {
    let s = start(Settings::new());
    // OIOXML with schema errors: a negative receipt, in OIOXML.
    let r = http::post(
        s.addr,
        "/$ack",
        "application/xml",
        &fixture("cli/xdis91.xml"),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/xml"));
    assert_eq!(r.header("medcom-format"), Some("oioxml"));
    assert!(r.text().contains("<NegativeReceipt>"), "{}", r.text());
    // EDIFACT with errors: CTL02.
    let r = http::post(
        s.addr,
        "/$ack",
        "application/edifact",
        &fixture("validate/legacy-bad.edi"),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("application/EDIFACT"));
    assert!(r.text().contains("+CTL02'"), "{}", r.text());
    // The receipt is in the letter's format.
    let r = http::post(
        s.addr,
        "/$ack?to=json",
        "application/xml",
        &fixture("cli/xdis91.xml"),
    );
    assert_refused(&r, 400, "http-parameter");
    // A valid letter gets a positive receipt.
    let Some(shared) = common::shared() else {
        return;
    };
    let letters = shared.join("medcom/legacy/files/glasdam_edifact_converter/test/complete/files");
    let body = std::fs::read(letters.join("edifact/DIS01_1.edi")).expect("example");
    let r = http::post(s.addr, "/$ack", "application/edifact", &body);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("+CTL03'"), "{}", r.text());
    let body = std::fs::read(letters.join("xml/DIS01_1.xml")).expect("example");
    let r = http::post(s.addr, "/$ack", "application/xml", &body);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("<PositiveReceipt>"), "{}", r.text());
}

// ---------------------------------------------------------------------------------------------
// Limits

#[test]
fn bodies_over_the_limit_get_413() {
    let s = start(Settings::new().max_body(1024));
    let big = vec![b' '; 2000];
    for route in BODY_ROUTES {
        // Announced by Content-Length: refused before the body is read.
        let mut stream = http::connect(s.addr);
        stream
            .write_all(http::head("POST", route, &[], Some(2000)).as_bytes())
            .expect("head");
        let r = http::read_response(&mut stream).expect("an answer");
        assert_refused(&r, 413, "http-too-large");
        assert_eq!(r.header("connection"), Some("close"));
        // Chunked: refused when the limit is passed.
        let mut stream = http::connect(s.addr);
        let mut bytes = http::head("POST", route, &[], None).into_bytes();
        bytes.extend_from_slice(format!("{:x}\r\n", big.len()).as_bytes());
        bytes.extend_from_slice(&big);
        bytes.extend_from_slice(b"\r\n0\r\n\r\n");
        stream.write_all(&bytes).expect("request");
        let r = http::read_response(&mut stream).expect("an answer");
        assert_refused(&r, 413, "http-too-large");
    }
    // At the limit: read.
    let r = http::post(
        s.addr,
        "/$validate",
        "application/octet-stream",
        &big[..1024],
    );
    assert_eq!(r.status, 200);
}

#[test]
fn the_default_body_limit_is_64_mib() {
    assert_eq!(medcom::serve::DEFAULT_MAX_BODY, 64 << 20);
    let s = start(Settings::new());
    let mut stream = http::connect(s.addr);
    let head = http::head("POST", "/$validate", &[], Some((64 << 20) + 1));
    stream.write_all(head.as_bytes()).expect("head");
    let r = http::read_response(&mut stream).expect("an answer");
    assert_refused(&r, 413, "http-too-large");
    assert!(r.text().contains("67108864 bytes"), "{}", r.text());
}

#[test]
fn a_slow_body_gets_408() {
    let s = start(Settings::new().request_timeout(Duration::from_millis(500)));
    for route in BODY_ROUTES {
        let mut stream = http::connect(s.addr);
        stream
            .write_all(http::head("POST", route, &[], Some(100)).as_bytes())
            .expect("head");
        stream
            .write_all(b"{\"resourceType\"")
            .expect("part of the body");
        let r = http::read_response(&mut stream).expect("an answer");
        assert_refused(&r, 408, "http-timeout");
        assert_eq!(r.header("connection"), Some("close"));
    }
}

#[test]
fn a_slow_head_closes_the_connection() {
    let s = start(Settings::new().header_timeout(Duration::from_millis(500)));
    let mut stream = http::connect(s.addr);
    stream
        .write_all(b"POST /$validate HTTP/1.1\r\nHost: localhost\r\n")
        .expect("part of the head");
    // The service closes the connection (no answer, or hyper's 408) instead of waiting.
    match http::read_response(&mut stream) {
        None => {}
        Some(r) => assert_eq!(r.status, 408),
    }
    // The service itself is fine.
    assert_eq!(http::get(s.addr, "/health").status, 200);
}

/// Polls `/metrics` until `line` is in it.
fn wait_for_metric(addr: SocketAddr, line: &str) {
    for _ in 0..500 {
        if http::get(addr, "/metrics").text().contains(line) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("metrics never showed {line}");
}

#[test]
fn requests_over_the_concurrency_limit_get_503() {
    let s = start(Settings::new().max_requests(1));
    let body = valid_json();
    // The first request holds the one slot while its body arrives.
    let mut first = http::connect(s.addr);
    first
        .write_all(http::head("POST", "/$validate", &[], Some(body.len())).as_bytes())
        .expect("head");
    first.write_all(&body[..10]).expect("part of the body");
    // In flight: the first request and the /metrics request asking.
    wait_for_metric(s.addr, "medcom_requests_in_flight 2\n");
    for route in BODY_ROUTES {
        let r = http::post(s.addr, route, "application/fhir+json", &body);
        assert_refused(&r, 503, "http-busy");
        assert_eq!(r.header("retry-after"), Some("1"));
    }
    // GET routes are not limited.
    assert_eq!(http::get(s.addr, "/health").status, 200);
    first.write_all(&body[10..]).expect("the rest");
    let r = http::read_response(&mut first).expect("an answer");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("medcom-valid"), Some("true"));
    // The slot is free again.
    let r = http::post(s.addr, "/$validate", "application/fhir+json", &body);
    assert_eq!(r.status, 200);
}

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    let s = start(Settings::new());
    let body = valid_json();
    let mut stream = http::connect(s.addr);
    for _ in 0..20 {
        http::send(
            &mut stream,
            "POST",
            "/$validate",
            &[("Content-Type", "application/fhir+json")],
            &body,
        );
        let r = http::read_response(&mut stream).expect("an answer");
        assert_eq!(r.header("medcom-valid"), Some("true"));
    }
}

// ---------------------------------------------------------------------------------------------
// Other routes

#[test]
fn unknown_routes_and_methods_get_an_operation_outcome() {
    let s = start(Settings::new());
    assert_refused(&http::get(s.addr, "/nothing/here"), 404, "http-not-found");
    assert_refused(&http::get(s.addr, "/$validate"), 405, "http-method");
    assert_refused(
        &http::post(s.addr, "/health", "text/plain", b""),
        405,
        "http-method",
    );
}

#[test]
fn the_page_is_self_contained() {
    let s = start(Settings::new());
    let r = http::get(s.addr, "/");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let policy = r.header("content-security-policy").expect("a policy");
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(policy.contains("connect-src 'self'"), "{policy}");
    let page = r.text();
    for needle in [
        r#"<label for="text">"#,
        r#"<textarea id="text""#,
        r#"<input type="file" id="files" multiple>"#,
        r#"id="unmask""#,
        r#"role="status""#,
        "$validate",
    ] {
        assert!(page.contains(needle), "{needle}");
    }
}

#[test]
fn health_says_ok() {
    let s = start(Settings::new());
    let r = http::get(s.addr, "/health");
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "ok");
}

#[test]
fn metrics_count_requests_latency_and_findings_without_values() {
    let s = start(Settings::new());
    let r = http::post(
        s.addr,
        "/$validate?unmask=true",
        "application/fhir+json",
        &fixture("validate/cc-bad-cpr.json"),
    );
    assert!(r.text().contains("3113450000"));
    http::post(s.addr, "/$validate", "image/png", b"x");
    let r = http::post(s.addr, "/$convert", "application/fhir+json", &valid_json());
    assert_eq!(r.status, 200);
    let r = http::post(
        s.addr,
        "/$ack",
        "application/fhir+json",
        &fixture("validate/cc-bad-cpr.json"),
    );
    assert_eq!(r.status, 200);
    let r = http::get(s.addr, "/metrics");
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-type")
        .is_some_and(|t| t.starts_with("text/plain")));
    let text = r.text();
    for line in [
        "medcom_requests_total{route=\"validate\",status=\"200\"} 1\n",
        "medcom_requests_total{route=\"validate\",status=\"415\"} 1\n",
        "medcom_requests_total{route=\"convert\",status=\"200\"} 1\n",
        "medcom_requests_total{route=\"ack\",status=\"200\"} 1\n",
        "medcom_request_duration_seconds_count{route=\"ack\"} 1\n",
        "medcom_findings_total{code=\"dk-cpr-date\",severity=\"error\"} 1\n",
        "medcom_request_duration_seconds_bucket{route=\"validate\",le=\"+Inf\"} 2\n",
        "medcom_request_duration_seconds_count{route=\"validate\"} 2\n",
        "# TYPE medcom_request_duration_seconds histogram\n",
        "medcom_connections ",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    assert!(!text.contains("3113450000"));
}

// ---------------------------------------------------------------------------------------------
// The command: logs and signals

/// `medcom serve` with `args` on a free loopback port, and the address it names.
fn spawn_command(args: &[&str]) -> (Child, SocketAddr, BufReader<std::process::ChildStderr>) {
    http::spawn_service(env!("CARGO_BIN_EXE_medcom"), args)
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([name, &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

#[test]
fn sigterm_drains_the_request_in_flight_and_exits() {
    let (mut child, addr, stderr) = spawn_command(&["--access-log"]);
    let body = fixture("validate/cc-bad-cpr.json");
    let mut stream = http::connect(addr);
    let head = http::head(
        "POST",
        "/$validate?unmask=true",
        &[("Content-Type", "application/fhir+json")],
        Some(body.len()),
    );
    stream.write_all(head.as_bytes()).expect("head");
    stream.write_all(&body[..100]).expect("part of the body");
    wait_for_metric(addr, "medcom_requests_in_flight 2\n");
    signal(&child, "-TERM");
    // No new connections once stopping.
    let mut refused = false;
    for _ in 0..500 {
        if std::net::TcpStream::connect(addr).is_err() {
            refused = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(refused, "still accepting after SIGTERM");
    // The request in flight is still answered in full.
    stream
        .write_all(&body[100..])
        .expect("the rest of the body");
    let r = http::read_response(&mut stream).expect("an answer");
    assert_eq!(r.status, 200);
    assert!(codes(&r).contains(&"dk-cpr-date".to_owned()));
    let status = child.wait().expect("exits");
    assert_eq!(status.code(), Some(0));
    let log: Vec<String> = stderr.lines().map_while(Result::ok).collect();
    let log = log.join("\n");
    assert!(log.contains("POST validate 200"), "{log}");
    assert!(log.ends_with("medcom serve: stopped"), "{log}");
    // Never the body, its values or the query.
    for secret in ["3113450000", "unmask", "resourceType", "Bundle"] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
}

#[test]
fn sigint_stops_an_idle_service() {
    let (mut child, addr, _stderr) = spawn_command(&[]);
    // An idle keep-alive connection does not hold up the stop.
    let mut idle = http::connect(addr);
    http::send(&mut idle, "GET", "/health", &[], b"");
    assert_eq!(
        http::read_response(&mut idle).expect("an answer").status,
        200
    );
    signal(&child, "-INT");
    assert_eq!(child.wait().expect("exits").code(), Some(0));
}

#[test]
fn the_command_refuses_bad_limits() {
    for args in [
        &["serve", "--max-body", "0"][..],
        &["serve", "--request-timeout", "-1"],
        &["serve", "--listen", "localhost"],
    ] {
        let out = common::run_medcom(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
