//! Fuzz harnesses, shared by `fuzz/` targets and the regression test. Not a stable API.

use crate::legacy::{self, convert, receipt};
use crate::{json, xml, Mode, ReadOptions};

/// Reads bytes as XML in both modes; whatever reads must write and read back equal.
pub fn xml_roundtrip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for mode in [Mode::Strict, Mode::Lenient] {
        let options = ReadOptions::default().with_mode(mode);
        let read = xml::parse_with_options(text, &options);
        check_same_as_events(&read, xml::__parse_by_events(text, &options));
        if let Ok(doc) = read {
            check_roundtrip(&doc);
        }
    }
    assert_eq!(
        xml::check_well_formed(text).map_err(|e| e.to_string()),
        xml::__check_well_formed_by_events(text).map_err(|e| e.to_string()),
        "the plain-tag path and quick-xml's events differ on well-formedness"
    );
}

/// The reader's own path for plain tags gives what reading every token as a quick-xml event
/// gives: the same error, or the same elements, values, positions and issues.
fn check_same_as_events(
    plain: &Result<crate::Document<'_>, crate::ReadError>,
    events: Result<crate::Document<'_>, crate::ReadError>,
) {
    fn same(a: crate::model::Node<'_, '_>, b: crate::model::Node<'_, '_>) -> bool {
        a.element() == b.element()
            && a.ty() == b.ty()
            && a.value() == b.value()
            && a.offset() == b.offset()
            && a.children().count() == b.children().count()
            && a.children().zip(b.children()).all(|(x, y)| same(x, y))
    }
    match (plain, events) {
        (Ok(a), Ok(b)) => {
            let issues = |d: &crate::Document<'_>| {
                d.issues()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            };
            assert_eq!(issues(a), issues(&b), "issues differ from the event path");
            assert!(
                same(a.root(), b.root()),
                "document differs from the event path"
            );
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!(
            "the plain-tag path and the event path disagree: {:?} / {:?}",
            a.as_ref().err(),
            b.err()
        ),
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

/// Parses bytes as a FHIRPath expression; whatever parses must print and parse back to the same
/// tree, and evaluate (bounded) against a small fixed resource without panicking.
pub fn fhirpath(data: &[u8]) {
    use crate::fhirpath::{EvalContext, EvalOptions, Expression};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(expr) = Expression::parse(text) else {
        return;
    };
    let printed = expr.ast().to_string();
    let again = Expression::parse(&printed)
        .unwrap_or_else(|e| panic!("printed expression does not parse: {e}\n{printed}"));
    assert_eq!(
        again.ast().without_positions(),
        expr.ast().without_positions(),
        "print/parse round trip differs: {printed}"
    );
    const RESOURCE: &str = r#"{"resourceType":"Bundle","id":"b","type":"message","entry":[
        {"fullUrl":"https://example.org/Patient/p","resource":{"resourceType":"Patient","id":"p",
         "identifier":[{"system":"urn:oid:1.2.208.176.1.2","value":"0101701234"}],
         "name":[{"use":"official","family":"Hansen","given":["Ida","Marie"]}],
         "birthDate":"1970-01-01","deceasedBoolean":false}},
        {"fullUrl":"https://example.org/Observation/o","resource":{"resourceType":"Observation","id":"o",
         "status":"final","code":{"coding":[{"system":"http://loinc.org","code":"1-8"}]},
         "subject":{"reference":"Patient/p"},"effectiveDateTime":"2024-02-29T10:00:00+01:00",
         "valueQuantity":{"value":1.50,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}}}]}"#;
    let Ok(doc) = crate::json::parse(RESOURCE) else {
        return;
    };
    let options = EvalOptions::default()
        .with_max_items(2_000)
        .with_max_depth(64);
    let ctx = EvalContext::new(doc.root()).with_options(options.clone());
    let shared = expr.evaluate(&ctx);
    // Evaluating repeated sub-expressions once must not change the result. A limit may be
    // met only without sharing (it redoes the work), and the clock may tick between the runs.
    let every = expr
        .evaluate(&EvalContext::new(doc.root()).with_options(options.with_share_repeated(false)));
    let show = |r: &Result<crate::fhirpath::Collection<'_, '_>, crate::fhirpath::EvalError>| match r
    {
        Ok(items) => items
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("|"),
        Err(e) => format!("error at {}: {e}", e.offset()),
    };
    let limited = |r: &Result<_, crate::fhirpath::EvalError>| matches!(r, Err(e) if matches!(e.kind(), crate::fhirpath::EvalErrorKind::Limit { .. }));
    let clock = ["now(", "today(", "timeOfDay("]
        .iter()
        .any(|f| text.contains(f));
    if !limited(&shared) && !limited(&every) && !clock {
        assert_eq!(
            show(&shared),
            show(&every),
            "sharing repeated steps changed {text}"
        );
    }
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

/// Reads bytes as EDIFACT; whatever reads must write and read back equal, and converting it to
/// OIOXML and back, or answering it with a receipt, must not panic.
pub fn edifact(data: &[u8]) {
    let Ok(interchange) = legacy::edifact::read(data) else {
        return;
    };
    let written = legacy::edifact::write(&interchange)
        .unwrap_or_else(|e| panic!("an interchange read from bytes does not write: {e}"));
    let back = legacy::edifact::read(&written)
        .unwrap_or_else(|e| panic!("written EDIFACT does not read: {e}"));
    assert_eq!(interchange, back, "EDIFACT round trip differs");
    if let Ok(xml) = convert::to_oioxml(&interchange) {
        let _ = convert::to_edifact(&xml);
    }
    let options = receipt::ReceiptOptions::new("R", "L", "2024-01-01", "12:00");
    let refusal = receipt::Refusal {
        letter: None,
        code: receipt::RefuseCode::Syntax,
        text: String::new(),
    };
    let _ = receipt::for_interchange(&interchange, &[refusal], &options);
}

/// Validates bytes as an EDIFACT interchange: no panic; the same bytes give the same findings;
/// an interchange with errors and a readable UNB gets a negative CONTRL that writes and reads
/// back, and one without errors never does; every finding has a location or a position.
pub fn edifact_validate(data: &[u8]) {
    let options = legacy::content::ValidateOptions::default().with_max_message_segments(2_000);
    let v = legacy::content::validate_with_options(data, &options);
    assert_eq!(
        v,
        legacy::content::validate_with_options(data, &options),
        "validation is not deterministic"
    );
    for f in v.findings() {
        assert!(
            !f.location().is_empty() || f.position().is_some() || f.code() == "edifact-limit",
            "finding without a place: {f}"
        );
    }
    let errors = v
        .findings()
        .iter()
        .any(|f| f.severity() == crate::finding::Severity::Error);
    assert_eq!(
        errors,
        !v.is_valid(),
        "validity disagrees with the findings"
    );
    assert_eq!(v.is_valid(), v.refusals().is_empty(), "refusals disagree");
    let options = receipt::ReceiptOptions::new("R", "L", "2024-01-01", "12:00");
    if let (Some(_), Ok(Some(answer))) = (v.original(), v.receipt(&options)) {
        let version = answer.messages().first().map(|m| m.version().to_owned());
        let expected = if v.is_valid() { "C0330Q" } else { "C0230Q" };
        assert_eq!(version.as_deref(), Some(expected), "wrong receipt kind");
        let written = legacy::edifact::write(&answer)
            .unwrap_or_else(|e| panic!("a receipt does not write: {e}"));
        legacy::edifact::read(&written)
            .unwrap_or_else(|e| panic!("a written receipt does not read: {e}"));
    }
}

/// Reads bytes as OIOXML; whatever reads must write (UTF-8 and ISO-8859-1) and read back with
/// the same infoset, and converting it to EDIFACT must not panic.
pub fn oioxml(data: &[u8]) {
    let options = legacy::oioxml::ReadOptions::default();
    let read = legacy::oioxml::read_with_options(data, &options);
    // The one-pass build over the text gives exactly the tree of roxmltree's nodes, positions
    // included.
    match (&read, legacy::oioxml::read_by_nodes(data, &options)) {
        (Ok(a), Ok(b)) => assert_eq!(*a, b, "the one-pass tree differs from roxmltree's"),
        (Err(a), Err(b)) => assert_eq!(a.kind().code(), b.kind().code()),
        // roxmltree reads a reference to a character XML forbids (a surrogate) as U+FFFD.
        (Err(a), Ok(b)) if a.to_string().contains("character reference") => {
            assert!(format!("{b:?}").contains('\u{FFFD}'), "{a}");
        }
        (a, b) => panic!("one-pass read {a:?}, roxmltree's nodes {b:?}"),
    }
    let Ok(root) = read else {
        return;
    };
    for written in [
        legacy::oioxml::to_string(&root).into_bytes(),
        legacy::oioxml::to_latin1(&root),
    ] {
        let back = legacy::oioxml::read(&written)
            .unwrap_or_else(|e| panic!("written XML does not read: {e}"));
        if let Some(d) = legacy::oioxml::infoset_difference(&root, &back) {
            panic!("XML round trip differs: {d}");
        }
    }
    if let Ok(interchange) = convert::to_edifact(&root) {
        let _ = legacy::edifact::write(&interchange);
    }
    if let Ok(message) = legacy::oioxml::Emessage::new(&root) {
        let options = receipt::ReceiptOptions::new("R", "L", "2024-01-01", "12:00");
        let _ = receipt::for_emessage(&message, &[], &options);
    }
}

/// Reads bytes leniently as FHIR (XML or JSON) and runs the profile engine over the result;
/// nothing may panic.
pub fn profile_check(data: &[u8]) {
    static ENGINE: std::sync::OnceLock<Option<crate::profile::Engine>> = std::sync::OnceLock::new();
    let Some(engine) = ENGINE.get_or_init(|| crate::profile::Engine::embedded().ok()) else {
        return;
    };
    let options = ReadOptions::default().with_mode(Mode::Lenient);
    if let Ok(doc) = crate::parse_bytes(data, &options) {
        let mut findings = Vec::new();
        let _ = engine.check(&doc, &mut findings);
    }
}

/// Reads bytes leniently as FHIR and validates them; the four validation entry points must
/// agree and the report must render (text and OperationOutcome) without panicking.
pub fn validate(data: &[u8]) {
    use crate::finding::Severity;
    let options = ReadOptions::default().with_mode(Mode::Lenient);
    let Ok(doc) = crate::parse_bytes(data, &options) else {
        return;
    };
    let validator = crate::validate::Validator::new();
    let report = validator.report(&doc);
    let errors: Vec<_> = validator.iter_errors(&doc).collect();
    let expected: Vec<_> = report.with_severity(Severity::Error).cloned().collect();
    assert_eq!(errors, expected, "iter_errors differs from the report");
    assert_eq!(
        validator.is_valid(&doc),
        errors.is_empty(),
        "is_valid differs"
    );
    assert_eq!(
        validator.validate(&doc).err(),
        errors.first().cloned(),
        "validate differs"
    );
    let _ = report.to_text("fuzz");
    let _ = json::to_string(&report.to_operation_outcome());
}

/// Unwraps bytes as either network envelope; whatever reads must write and read back equal,
/// and receiving it must not panic.
pub fn envelope(data: &[u8]) {
    use crate::exchange::envelope;
    let Ok(env) = envelope::read(data) else {
        return;
    };
    let xml = env.to_xml();
    let back = envelope::read(xml.as_bytes())
        .unwrap_or_else(|e| panic!("a written envelope does not read: {e}\n{xml}"));
    // Text is trimmed on reading, so compare after one more round.
    let again = back.to_xml();
    assert_eq!(
        envelope::read(again.as_bytes()).ok().as_ref(),
        Some(&back),
        "envelope round trip differs"
    );
    let clock = std::sync::Arc::new(crate::exchange::clock::TestClock::new(0, 1));
    let mut engine = crate::exchange::Engine::new(
        Box::new(crate::exchange::store::MemoryStore::default()),
        clock,
    );
    let _ = engine.receive(data);
}

/// Reads bytes as FHIR (XML or JSON), OIOXML and either envelope with tight limits (three
/// attributes, depth four, two issues, two findings); nothing may panic, and every limit and
/// cap holds on what reads.
pub fn limits(data: &[u8]) {
    let options = ReadOptions::default()
        .with_mode(Mode::Lenient)
        .with_max_attributes(3)
        .with_max_depth(4)
        .with_max_issues(2);
    if let Ok(doc) = crate::parse_bytes(data, &options) {
        assert!(doc.issues().len() <= 2, "more issues kept than allowed");
        let report = crate::validate::Validator::options()
            .with_profiles(std::sync::Arc::new(crate::validate::NoProfiles))
            .with_max_findings(2)
            .build()
            .report(&doc);
        assert!(
            report.findings().len() <= 3,
            "more findings kept than allowed"
        );
        if !doc.issues().is_empty() {
            assert!(
                !report.is_valid(),
                "a message with reading problems is valid"
            );
        }
        let _ = report.to_text("fuzz");
    }
    let oio = legacy::oioxml::ReadOptions::default()
        .with_max_depth(4)
        .with_max_attributes(3)
        .with_max_namespaces(2);
    let _ = legacy::oioxml::read_with_options(data, &oio);
    if let Ok(text) = crate::legacy::schema::decode(data) {
        if let Ok(doc) = crate::legacy::schema::parse_checked(&text) {
            let findings = crate::legacy::schema::validate_at_most(&doc, 2);
            assert!(
                findings.len() <= 3,
                "more legacy findings kept than allowed"
            );
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::exchange::envelope::vans::VansEnvelope::read(text);
        let _ = crate::exchange::envelope::sbdh::Sbdh::read(text);
    }
}

/// Checks bytes as a narrative `div` (the JSON form) with the single-pass scanner and with
/// quick-xml's events; neither may panic.
pub fn narrative(data: &[u8]) {
    if let Ok(div) = std::str::from_utf8(data) {
        let _ = crate::xml::__narrative_checks(div);
    }
}
