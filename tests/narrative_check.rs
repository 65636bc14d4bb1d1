//! Differential test: the single-pass narrative checker and the quick-xml based one agree on
//! which `div` fragments are well-formed.

use proptest::prelude::*;

const TOKENS: &[&str] = &[
    "<p>",
    "</p>",
    "<b>",
    "</b>",
    "<br/>",
    "<br />",
    "text",
    " ",
    "\n",
    "&amp;",
    "&lt;",
    "&#65;",
    "&#x1F600;",
    "&nbsp;",
    "&",
    "&#0;",
    "]]>",
    "]]",
    "<!-- c -->",
    "<!-- a -- b -->",
    "<![CDATA[x]]>",
    "<?pi x?>",
    "<?xml x?>",
    "<p a=\"1\">",
    "<p a=\"1\" b='2'>",
    "<p a=\"1\"b=\"2\">",
    "<p a=\"1\" a=\"2\">",
    "<p a=\"<\">",
    "<p a=1>",
    "<1p>",
    "</q>",
    "<",
    ">",
    "\"",
    "'",
    "</div>",
    "<div>",
    "<!DOCTYPE x>",
    "<x:y>",
    "</x:y>",
    "<td style=\"a: b; c\">",
    "</td>",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn checkers_agree(body in proptest::collection::vec(0..TOKENS.len(), 0..12), close in any::<bool>()) {
        let mut div = String::from(r#"<div xmlns="http://www.w3.org/1999/xhtml">"#);
        for i in body {
            div.push_str(TOKENS[i]);
        }
        if close {
            div.push_str("</div>");
        }
        let (scanner, events) = medcom::xml::__narrative_checks(&div);
        prop_assert_eq!(scanner, events, "{}", div);
    }
}

#[test]
fn well_formed_narratives_pass_both() {
    for div in [
        r#"<div xmlns="http://www.w3.org/1999/xhtml"><p>a<br/>b</p></div>"#,
        r#"<div xmlns="http://www.w3.org/1999/xhtml"><table><tr><td style="x">1 &amp; 2</td></tr></table></div>"#,
    ] {
        assert_eq!(medcom::xml::__narrative_checks(div), (true, true), "{div}");
    }
}

/// One line per case: narrative content inside the XHTML `div`, then whether it keeps to
/// `txt-1` (only the elements and attributes of the invariant's XPath) and `txt-2` (some
/// non-whitespace text, or an image with a source).
#[rustfmt::skip]
const RULE_CASES: &[(&str, bool, bool)] = &[
    ("<p>hi</p>", true, true),
    ("<table class=\"grid\"><tr><td style=\"display: none\">-</td></tr></table>", true, true),
    ("<a name=\"x\"> </a><h3>Destinations</h3>", true, true),
    ("<script>x</script>", false, true),
    ("<p onclick=\"x()\">hi</p>", false, true),
    ("<u>hi</u>", false, true),
    ("<p xml:lang=\"da\">hej</p>", false, true),
    ("<p xmlns:x=\"urn:x\">namespace declarations are not attributes</p>", true, true),
    ("<x:b xmlns:x=\"http://www.w3.org/1999/xhtml\">local names count</x:b>", true, true),
    ("", true, false),
    (" <p> </p> <br/> ", true, false),
    ("<p>&#32;&#x9;&#10;</p>", true, false),
    ("<p>&#160;</p>", true, true),
    ("<p>&amp;</p>", true, true),
    ("<![CDATA[ ]]>", true, false),
    ("<![CDATA[x]]>", true, true),
    ("<!-- only a comment -->", true, false),
    ("<img src=\"a.png\"/>", true, true),
    ("<img alt=\"no source\"/>", true, false),
    ("<blink/>", false, false),
];

/// The readers gather the narrative facts while checking the XHTML, the same from XML and JSON;
/// FHIRPath's `htmlChecks()` (the expression of both `txt-1` and `txt-2`) holds when both do;
/// a narrative changed after reading is looked at again.
#[test]
fn narrative_rules_from_both_readers() {
    use medcom::fhirpath::{EvalContext, Expression};
    let html_checks = Expression::parse("htmlChecks()").expect("parses");
    for &(content, only_allowed, has_content) in RULE_CASES {
        let div = format!(r#"<div xmlns="http://www.w3.org/1999/xhtml">{content}</div>"#);
        let xml = format!(
            r#"<Patient xmlns="http://hl7.org/fhir"><text><status value="generated"/>{div}</text></Patient>"#
        );
        let json = serde_json::json!({
            "resourceType": "Patient",
            "text": {"status": "generated", "div": div},
        })
        .to_string();
        let from_xml = medcom::parse(&xml).expect("XML reads");
        let from_json = medcom::parse(&json).expect("JSON reads");
        for doc in [&from_xml, &from_json] {
            let node = doc
                .root()
                .child("text")
                .and_then(|t| t.child("div"))
                .expect("div");
            let facts = node.narrative_facts().expect("a narrative");
            assert_eq!(
                (facts.only_allowed, facts.has_content),
                (only_allowed, has_content),
                "{content}"
            );
            // As an invariant on Narrative.div: evaluated with the div as the context.
            let holds = html_checks
                .holds(&EvalContext::new(doc.root()).with_context(node))
                .expect("evaluates");
            assert_eq!(holds, only_allowed && has_content, "{content}");
        }
    }
    // A narrative set after reading is scanned again.
    let mut doc = medcom::parse(
        r#"{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"}}"#,
    )
    .expect("reads")
    .into_owned();
    let div = doc
        .root()
        .child("text")
        .and_then(|t| t.child("div"))
        .expect("div")
        .id();
    doc.set_value(
        div,
        Some(r#"<div xmlns="http://www.w3.org/1999/xhtml"><script/></div>"#.into()),
    );
    let facts = doc.node(div).narrative_facts().expect("a narrative");
    assert!(!facts.only_allowed && !facts.has_content);
}
