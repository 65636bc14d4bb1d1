//! Well-formedness and namespace checks of the XML reader, one line per case, through
//! [`medcom::xml::check_well_formed`] (the FHIR reader's tokenizer and checks without the FHIR
//! layer). The W3C suite (`tests/w3c_xml.rs`) measures the same checks at scale.

/// (input, whether it is well-formed and namespace-well-formed).
#[rustfmt::skip]
const CASES: &[(&str, bool)] = &[
    ("<a></a >", true),
    ("<a></a b>", false),
    ("<a></a\n>", true),
    ("<a >x</a>", true),
    ("< a/>", false),
    ("<a/ >", false),
    ("<a b='1' / >", false),
    ("<a b = '1' />", true),
    ("<a b='1'\n/>", true),
    ("<a b='<'/>", false),
    ("<a>&#x0;</a>", false),
    ("<a>&#xD800;</a>", false),
    ("<a>&#65</a>", false),
    ("<a>& amp;</a>", false),
    ("<a>&amp ;</a>", false),
    ("<a>&;</a>", false),
    ("<a>&#;</a>", false),
    ("<a>&#x;</a>", false),
    ("<a>&#X41;</a>", false),
    ("<a>&#x41;</a>", true),
    ("<a><!-- a - b --></a>", true),
    ("<a><!-- a ---></a>", false),
    ("<a><!----></a>", true),
    ("<a><!---></a>", false),
    ("<a><![CDATA[x]]></a>", true),
    ("<a><![cdata[x]]></a>", false),
    ("<a><![CDATA [x]]></a>", false),
    ("<a>]]></a>", false),
    ("<a>]]]></a>", false),
    ("<a>]] ></a>", true),
    ("<?xml version='1.0'?><a/>", true),
    ("<?xml version='1.0' ?><a/>", true),
    ("<?xml version = '1.0' encoding = 'UTF-8' standalone = 'no' ?><a/>", true),
    ("<?xml version='1.0' standalone='yes' encoding='UTF-8'?><a/>", false),
    ("<?xml version='1.0'?><?xml version='1.0'?><a/>", false),
    ("<?XML version='1.0'?><a/>", false),
    (" <?xml version='1.0'?><a/>", false),
    ("<?xml version='1.0'encoding='UTF-8'?><a/>", false),
    ("<?xml version=\"1.0'?><a/>", false),
    ("<?pi?><a/>", true),
    ("<?pi data?><a/>", true),
    ("<?pi\tdata?><a/>", true),
    ("<?pi\"data?><a/>", false),
    ("<? pi?><a/>", false),
    ("<?xml-stylesheet href='a'?><a/>", true),
    ("<?xMl x?><a/>", false),
    ("<a/><b/>", false),
    ("<a/>x", false),
    ("<a/>&amp;", false),
    ("<a/><![CDATA[]]>", false),
    ("<a/><!-- c --><?pi?> \n", true),
    ("x<a/>", false),
    ("", false),
    ("<!-- c -->", false),
    ("<a b='1' b='2'/>", false),
    ("<a b='1' c=\"2\"/>", true),
    ("<a b=1/>", false),
    ("<a b/>", false),
    ("<a b='&amp;&lt;&#x20;'/>", true),
    ("<a b='&foo;'/>", false),
    ("<a b='&'/>", false),
    ("<a b='&#0;'/>", false),
    ("<a\u{B7}/>", true),
    ("<\u{B7}a/>", false),
    ("<\u{C0}\u{B7}/>", true),
    ("<a.b-c_d/>", true),
    ("<-a/>", false),
    ("<1a/>", false),
    ("<a\u{2030}/>", false),
    ("<a \u{2030}='1'/>", false),
    ("<a>\u{85}</a>", true),
    ("<a>\u{7F}</a>", true),
    ("<a>\u{FFFE}</a>", false),
    ("<a>\u{1}</a>", false),
    ("<a><b></a></b>", false),
    ("<a></b>", false),
    ("<a>", false),
    ("</a>", false),
    ("<a></a></a>", false),
    ("<a><</a>", false),
    ("<a><!DOCTYPE a></a>", false),
    ("<a><!ELEMENT a></a>", false),
    ("<a><!foo></a>", false),
    ("<a><?xml version='1.0'?></a>", false),
    ("<a><b/ ></a>", false),
    ("<a><b/></a>", true),
    ("<a>\r\n</a>", true),
    ("\u{FEFF}<a/>", true),
    ("\u{FEFF}<?xml version='1.0'?><a/>", true),
    ("<a b='1'c='2'/>", false),
    ("<a b='1'\tc='2'/>", true),
    ("<a xmlns:p='urn:x' p:b='1' p:c='2'/>", true),
    ("<p:a/>", false),
    ("<a:/>", false),
    ("<a :b='1'/>", false),
    ("<a b:='1' xmlns:b='urn:x'/>", false),
    ("<a xml:lang='da'/>", true),
    ("<a xmlns:p=''/>", false),
    ("<a xmlns=''/>", true),
    ("<a></a\u{B7}>", false),
    ("<a>text</a>\u{0}", false),
    ("<a b='1'/c='2'/>", false),
    ("<a b='1' \"c\"/>", false),
    ("<a b='x' c>", false),
    ("<a><!--x--!></a>", false),
    ("<a>&#x110000;</a>", false),
    ("<a>&#99999999999;</a>", false),
    ("<a>&amp</a>", false),
    ("<?xml version='1.0' encoding='utf-8'?><a/>", true),
    ("<?xml version='1.0' encoding='ISO-8859-1'?><a/>", false),
    ("<?xml version='1.0' encoding=''?><a/>", false),
    ("<?xml version='1.0'  standalone='yes' ?><a/>", true),
    ("<a b='>'>&gt;</a>", true),
    ("<a><![CDATA[ ]]]]><![CDATA[> ]]></a>", true),
    ("<a>]]&gt;</a>", true),
    ("<a\tb='1'\n/>", true),
    ("<a b\n=\n'1'></a\t>", true),
    ("<\u{E9}t\u{E9}/>", true),
    ("<a xmlns:xml='http://www.w3.org/XML/1998/namespace'/>", true),
    ("<a xmlns:xml='urn:x'/>", false),
    ("<a xmlns:xmlns='http://www.w3.org/2000/xmlns/'/>", false),
    ("<a xmlns:y='http://www.w3.org/2000/xmlns/'/>", false),
    ("<a xmlns='http://www.w3.org/XML/1998/namespace'/>", false),
    ("<a xmlns:='urn:x'/>", false),
    ("<xmlns:a/>", false),
    ("<a xmlns:p='urn:x' xmlns:q='urn:x' p:b='1' q:b='2'/>", false),
    ("<a xmlns:p='urn:x' xmlns:q='urn:y' p:b='1' q:b='2' b='3'/>", true),
    ("<a xmlns:p='http://www.w3.org/XML/1998/namespace' xml:lang='da' p:lang='en'/>", false),
];

#[test]
fn well_formedness_cases() {
    let mut wrong = Vec::new();
    for &(input, ok) in CASES {
        let result = medcom::xml::check_well_formed(input);
        if result.is_ok() != ok {
            wrong.push(format!(
                "{input:?}: expected well-formed = {ok}, got {result:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// A byte order mark used to shift the first event's offset: before the root element the reader
/// sliced inside the mark (a panic), and an XML declaration after it was called misplaced.
#[test]
fn byte_order_mark_before_the_root() {
    let doc = medcom::xml::parse(
        "\u{FEFF}<Basic xmlns=\"http://hl7.org/fhir\"><id value=\"a\"/></Basic>",
    )
    .expect("a byte order mark is allowed");
    assert_eq!(doc.root().child_value("id"), Some("a"));
    let with_declaration = "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Basic xmlns=\"http://hl7.org/fhir\"><id value=\"b\"/></Basic>";
    let doc =
        medcom::xml::parse(with_declaration).expect("a declaration after the mark is allowed");
    assert_eq!(doc.root().child_value("id"), Some("b"));
    let err = medcom::xml::check_well_formed("\u{FEFF}<a></b>").unwrap_err();
    assert_eq!(err.kind().code(), "malformed-xml");
    let err = medcom::xml::check_well_formed("\u{FEFF}<a b='1'c='2'/>").unwrap_err();
    assert_eq!(err.position().byte, 11);
}

/// Non-UTF-8 input is rejected: FHIR XML is UTF-8 only.
#[test]
fn utf16_is_rejected() {
    let err = medcom::xml::check_well_formed_bytes(b"\xFF\xFE<\x00a\x00/\x00>\x00").unwrap_err();
    assert_eq!(err.kind().code(), "invalid-utf8");
    let err = medcom::parse_bytes(
        b"\xFE\xFF\x00<\x00a\x00/\x00>",
        &medcom::ReadOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind().code(), "invalid-utf8");
}
