//! Property test: arbitrary element trees, built from the R4 type table by a stream of random
//! choices, write to XML and JSON (compact and pretty) and read back to the same content.

use medcom::model::{same_content, Document, Element, NodeId, PrimitiveKind, Type, TypeKind};
use proptest::prelude::*;

/// Consumes random choices; runs dry gracefully (then always answers 0), so shrinking works.
struct Choices<'c> {
    data: &'c [u32],
    at: usize,
}

impl Choices<'_> {
    fn next(&mut self, n: usize) -> usize {
        let v = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        if n == 0 {
            0
        } else {
            v as usize % n
        }
    }
    fn exhausted(&self) -> bool {
        self.at >= self.data.len()
    }
}

const STRINGS: &[&str] = &[
    "plain",
    "with \"quotes\" & <angles> 'apos'",
    "line\nbreak\r\nand\ttab",
    "  padded  ",
    "æøå ÆØÅ",
    "emoji 🩺",
    "]]>",
    "&amp; literally",
    "\\ backslash /",
    "x",
];

fn value(kind: PrimitiveKind, c: &mut Choices<'_>) -> String {
    let pick = |c: &mut Choices<'_>, xs: &[&str]| xs[c.next(xs.len())].to_owned();
    match kind {
        PrimitiveKind::Boolean => pick(c, &["true", "false"]),
        PrimitiveKind::Integer => pick(c, &["0", "-1", "2147483647", "-2147483648", "42"]),
        PrimitiveKind::UnsignedInt => pick(c, &["0", "7", "2147483647"]),
        PrimitiveKind::PositiveInt => pick(c, &["1", "99"]),
        PrimitiveKind::Decimal => pick(
            c,
            &[
                "1.50",
                "-0.001",
                "12",
                "1e3",
                "0.0",
                "3.14159265358979323846",
            ],
        ),
        PrimitiveKind::Date => pick(c, &["2024", "2024-02", "2024-02-29"]),
        PrimitiveKind::DateTime => pick(
            c,
            &[
                "2024",
                "2024-02-29",
                "2024-02-29T10:11:12+01:00",
                "2024-02-29T10:11:12.345Z",
            ],
        ),
        PrimitiveKind::Instant => pick(c, &["2024-02-29T10:11:12Z", "2024-02-29T10:11:12.5-05:00"]),
        PrimitiveKind::Time => pick(c, &["10:11:12", "23:59:60.5"]),
        PrimitiveKind::Id => pick(c, &["a", "A-b.9", "0c5a6d2e-7f3b-4b5e-9a1e-2f3a4b5c6d7e"]),
        PrimitiveKind::Uri | PrimitiveKind::Url | PrimitiveKind::Canonical => pick(
            c,
            &[
                "http://example.org/a?b=c&d=e",
                "urn:oid:1.2.208.176.1.2",
                "Patient/1",
            ],
        ),
        PrimitiveKind::Oid => pick(c, &["urn:oid:1.2.208.176.1.2", "urn:oid:2.16"]),
        PrimitiveKind::Uuid => pick(c, &["urn:uuid:0c5a6d2e-7f3b-4b5e-9a1e-2f3a4b5c6d7e"]),
        PrimitiveKind::Code => pick(c, &["final", "a b", "x-y.z"]),
        PrimitiveKind::Base64Binary => pick(c, &["aGVsbG8=", "YWJj", "ab/+"]),
        PrimitiveKind::Xhtml => pick(
            c,
            &[
                r#"<div xmlns="http://www.w3.org/1999/xhtml">text</div>"#,
                r#"<div xmlns="http://www.w3.org/1999/xhtml"><p>a &amp; b<br/></p></div>"#,
            ],
        ),
        _ => pick(c, STRINGS),
    }
}

fn fill(doc: &mut Document<'static>, node: NodeId, ty: Type, depth: usize, c: &mut Choices<'_>) {
    let elements: Vec<Element> = ty.elements().collect();
    let count = c.next(if depth > 4 { 2 } else { 8 });
    for _ in 0..count {
        if c.exhausted() {
            return;
        }
        let element = elements[c.next(elements.len())];
        let existing = doc
            .node(node)
            .children()
            .filter(|n| n.element() == Some(element))
            .count();
        if !element.is_array() && existing > 0 {
            continue;
        }
        let types: Vec<Type> = element.types().collect();
        let mut chosen = types[c.next(types.len())];
        if element.holds_resource() {
            let resources: Vec<Type> = Type::all()
                .filter(|t| t.is_resource() && !t.is_abstract())
                .collect();
            chosen = resources[c.next(resources.len())];
        }
        if chosen.is_abstract() || chosen.name() == "Extension" && depth > 6 {
            continue;
        }
        let name = element.name();
        match chosen.kind() {
            TypeKind::Primitive(kind) => {
                let with_value =
                    kind == PrimitiveKind::Xhtml || element.is_xml_attribute() || c.next(4) != 0;
                let v = with_value.then(|| value(kind, c).into());
                let Ok(child) = doc.append(node, name, Some(chosen), v) else {
                    continue;
                };
                if !with_value {
                    // No value: the primitive must carry an extension instead.
                    let Ok(ext) = doc.append(child, "extension", None, None) else {
                        continue;
                    };
                    let _ = doc.append_value(ext, "url", "http://example.org/ext");
                    let _ = doc.append(ext, "value", Type::by_name("boolean"), Some("true".into()));
                }
            }
            _ => {
                let Ok(child) = doc.append(node, name, Some(chosen), None) else {
                    continue;
                };
                if chosen.name() == "Extension" {
                    let _ = doc.append_value(child, "url", "http://example.org/ext");
                }
                fill(doc, child, chosen, depth + 1, c);
                if doc.node(child).children().next().is_none() {
                    doc.remove(child); // FHIR elements must not be empty
                }
            }
        }
    }
}

fn build(data: &[u32]) -> Document<'static> {
    let mut c = Choices { data, at: 0 };
    let resources: Vec<Type> = Type::all()
        .filter(|t| t.is_resource() && !t.is_abstract())
        .collect();
    let ty = resources[c.next(resources.len())];
    let mut doc = Document::new(ty);
    let root = doc.root().id();
    fill(&mut doc, root, ty, 0, &mut c);
    doc
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 500,
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Direct(
            "tests/proptest-regressions/roundtrip.txt",
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn write_read_equal(data in proptest::collection::vec(any::<u32>(), 0..2000)) {
        let doc = build(&data);
        for text in [medcom::xml::to_string(&doc), medcom::xml::to_string_pretty(&doc)] {
            let back = medcom::xml::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert!(same_content(doc.root(), back.root()), "XML differs:\n{}", text);
        }
        for text in [medcom::json::to_string(&doc), medcom::json::to_string_pretty(&doc)] {
            let back = medcom::json::parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            prop_assert!(same_content(doc.root(), back.root()), "JSON differs:\n{}", text);
        }
    }
}

#[test]
fn generated_trees_are_not_trivial() {
    // A fixed stream must give a tree of some size, or the property above tests little.
    let data: Vec<u32> = (0..300u32)
        .map(|i| i.wrapping_mul(2_654_435_761).rotate_left(7))
        .collect();
    let sizes: Vec<usize> = (0..20).map(|k| build(&data[k..]).len()).collect();
    let total: usize = sizes.iter().sum();
    println!("node counts: {sizes:?}");
    assert!(total > 20 * 8, "trees too small: {sizes:?}");
}
