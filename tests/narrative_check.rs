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
