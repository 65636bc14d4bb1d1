//! Differential test of the XML reader's own path for plain tags (whitespace between tags,
//! start tags with an ASCII name and quoted attributes, end tags repeating the open element's
//! name) against reading every token through quick-xml events: the same elements, values and
//! positions, the same issues, the same errors (code, position and message), in strict and
//! lenient mode, and the same well-formedness verdicts. Inputs: every official XML example,
//! systematic mutations of a sample of them, and generated documents.

mod common;

use std::fmt::Write as _;

use medcom::model::Node;
use medcom::{Mode, ReadOptions};
use proptest::prelude::*;

fn dump(node: Node<'_, '_>, out: &mut String) {
    let _ = write!(out, "<{}@{}", node.wire_name(), node.offset());
    if let Some(value) = node.value() {
        let _ = write!(out, "={value:?}");
    }
    for child in node.children() {
        dump(child, out);
    }
    out.push('>');
}

/// Everything the reader gives for `text`: the document (or the error) and the issues.
fn outcome(text: &str, mode: Mode, by_events: bool) -> String {
    let options = ReadOptions::default().with_mode(mode);
    let result = if by_events {
        medcom::xml::__parse_by_events(text, &options)
    } else {
        medcom::xml::parse_with_options(text, &options)
    };
    match result {
        Ok(doc) => {
            let mut out = String::from("ok ");
            dump(doc.root(), &mut out);
            for issue in doc.issues() {
                let _ = write!(out, " issue {} {issue}", issue.kind().code());
            }
            out
        }
        Err(e) => format!("error {} {e}", e.kind().code()),
    }
}

fn well_formed(text: &str, by_events: bool) -> String {
    let result = if by_events {
        medcom::xml::__check_well_formed_by_events(text)
    } else {
        medcom::xml::check_well_formed(text)
    };
    match result {
        Ok(()) => "ok".into(),
        Err(e) => format!("error {} {e}", e.kind().code()),
    }
}

/// Both paths agree on `text`; returns the plain path's strict outcome.
fn agree(text: &str) -> String {
    for mode in [Mode::Strict, Mode::Lenient] {
        assert_eq!(
            outcome(text, mode, false),
            outcome(text, mode, true),
            "{mode:?} reading differs for:\n{text}"
        );
    }
    assert_eq!(
        well_formed(text, false),
        well_formed(text, true),
        "well-formedness differs for:\n{text}"
    );
    outcome(text, Mode::Strict, false)
}

/// Snippets inserted by the mutations: forms the plain path takes, forms it must leave to
/// quick-xml, and broken ones.
const SNIPPETS: &[&str] = &[
    " ",
    "\n  ",
    "x",
    "&amp;",
    "&bogus;",
    "<!-- c -->",
    "<?pi x?>",
    "<![CDATA[x]]>",
    "]]>",
    "<b/>",
    "</b>",
    "<id value=\"a\"/>",
    "<id value='a' />",
    "<id value=\"a\"b=\"c\"/>",
    "<id value = \"a\"/>",
    "<id value=a/>",
    "<id\tvalue=\"a\"\n/>",
    "<x:id xmlns:x=\"http://hl7.org/fhir\" value=\"a\"/>",
    "<id value=\"a\" xsi:type=\"b\"/>",
    "<é/>",
    "<1a/>",
    "<a:b:c/>",
    "< a/>",
    "<a/ >",
    "\u{1}",
    "\u{FFFE}",
    "<!DOCTYPE x>",
];

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn the_official_examples_read_the_same_both_ways() {
    let Some(shared) = common::shared() else {
        return;
    };
    let mut count = 0;
    for example in common::examples(&shared) {
        if example.is_json() || !example.path.is_file() {
            continue;
        }
        let text = common::read(&example.path);
        agree(&text);
        count += 1;
    }
    assert!(count > 300, "only {count} XML examples read");
    eprintln!("{count} official XML examples read the same both ways");
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn mutated_examples_read_the_same_both_ways() {
    let Some(shared) = common::shared() else {
        return;
    };
    let examples: Vec<_> = common::examples(&shared)
        .into_iter()
        .filter(|e| !e.is_json() && e.path.is_file())
        .collect();
    let mut cases = 0;
    let mut errors = 0;
    // Every 40th example; in each, mutations at the markup positions a prime step apart.
    for example in examples.iter().step_by(40) {
        let text = common::read(&example.path);
        let marks: Vec<usize> = text
            .char_indices()
            .filter(|(_, c)| matches!(c, '<' | '>' | '"' | '/' | '=' | ' ' | '\n'))
            .map(|(i, _)| i)
            .collect();
        for (k, &at) in marks.iter().enumerate().step_by(11) {
            let snippet = SNIPPETS[k % SNIPPETS.len()];
            let mut variants = vec![
                format!("{}{}{}", &text[..at], snippet, &text[at..]),
                text[..at].to_owned(),
            ];
            // Deleting the mark itself (all marks are one byte).
            variants.push(format!("{}{}", &text[..at], &text[at + 1..]));
            for variant in variants {
                if agree(&variant).starts_with("error") {
                    errors += 1;
                }
                cases += 1;
            }
        }
    }
    assert!(cases > 1000, "only {cases} mutations");
    eprintln!("{cases} mutations read the same both ways ({errors} strict errors)");
}

/// Tokens of generated documents inside a `Patient`.
const TOKENS: &[&str] = &[
    "<id value=\"a\"/>",
    "<active value=\"true\"/>",
    "<gender value=\"male\"/>",
    "<name>",
    "</name>",
    "<family value=\"Berggren\"/>",
    "<given value='Birgit'/>",
    "<text>",
    "</text>",
    "<status value=\"generated\"/>",
    "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>x</p></div>",
    "<x:div xmlns:x=\"http://www.w3.org/1999/xhtml\"><x:p a=\"1\">y</x:p></x:div>",
    "<extension url=\"http://x\">",
    "</extension>",
    "<valueString value=\"s\"/>",
    "<contained>",
    "</contained>",
    "<Patient>",
    "</Patient>",
    "<f:active xmlns:f=\"http://hl7.org/fhir\" value=\"false\"/>",
    "</name >",
    "</nam>",
    "<bogus/>",
    "<id value=\"a\" foo=\"b\"/>",
    "\n    ",
    "text",
    "&lt;",
    "<!-- c -->",
    "<?pi x?>",
    "<![CDATA[c]]>",
    "<id value=\"a\"b=\"c\"/>",
    "<id value=a/>",
    "<",
    ">",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generated_documents_read_the_same_both_ways(
        body in proptest::collection::vec(0..TOKENS.len(), 0..14),
        close in any::<bool>(),
    ) {
        let mut text = String::from("<Patient xmlns=\"http://hl7.org/fhir\">");
        for i in body {
            text.push_str(TOKENS[i]);
        }
        if close {
            text.push_str("</Patient>\n");
        }
        agree(&text);
    }
}
