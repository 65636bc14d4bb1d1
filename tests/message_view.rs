//! `MessageView::resolve` on a Bundle large enough to resolve through its index answers as the
//! R4 rules do entry by entry: the first entry that, alone in a Bundle, the reference names.

use medcom::model::MessageView;

/// Entries of every kind of fullUrl (RESTful on two bases, `urn:uuid`, relative, none), with
/// duplicate keys so that "the first one" matters.
fn entry(i: usize) -> String {
    let ty = if i.is_multiple_of(2) {
        "Patient"
    } else {
        "Observation"
    };
    let full_url = match i % 5 {
        0 => format!(r#""fullUrl":"https://a.example/fhir/Patient/p{}","#, i % 7),
        1 => format!(
            r#""fullUrl":"urn:uuid:00000000-0000-4000-8000-{:012}","#,
            i % 5
        ),
        2 => format!(r#""fullUrl":"Patient/p{}","#, i % 3),
        3 => String::new(),
        _ => format!(r#""fullUrl":"https://b.example/Observation/p{}","#, i % 4),
    };
    format!(
        r#"{{{full_url}"resource":{{"resourceType":"{ty}","id":"p{}"}}}}"#,
        i % 9
    )
}

fn bundle(entries: &[String]) -> String {
    format!(
        r#"{{"resourceType":"Bundle","type":"collection","entry":[{}]}}"#,
        entries.join(",")
    )
}

#[test]
fn the_index_answers_as_the_rules_do() {
    let entries: Vec<String> = (0..48).map(entry).collect();
    let big = bundle(&entries);
    let doc = medcom::parse(&big).expect("reads");
    let view = MessageView::new(doc.root());
    let alone: Vec<String> = entries
        .iter()
        .map(|e| bundle(std::slice::from_ref(e)))
        .collect();
    let alone: Vec<medcom::model::Document<'_>> = alone
        .iter()
        .map(|t| medcom::parse(t).expect("reads"))
        .collect();
    let mut references = vec!["Patient".to_owned(), "a/b/c".to_owned(), String::new()];
    for i in 0..10 {
        for ty in ["Patient", "Observation", "Encounter"] {
            references.push(format!("{ty}/p{i}"));
            references.push(format!("{ty}/p{i}/_history/2"));
            references.push(format!("https://a.example/fhir/{ty}/p{i}"));
            references.push(format!("https://b.example/{ty}/p{i}"));
        }
        references.push(format!("urn:uuid:00000000-0000-4000-8000-{i:012}"));
    }
    let resources: Vec<_> = view.resources().map(|(_, r)| r.id()).collect();
    let mut found = 0;
    for r in &references {
        let want = alone
            .iter()
            .position(|d| MessageView::new(d.root()).resolve(None, r).is_some());
        let got = view.resolve(None, r).map(|n| {
            resources
                .iter()
                .position(|&id| id == n.id())
                .expect("an entry")
        });
        assert_eq!(got, want, "{r}");
        found += usize::from(want.is_some());
    }
    assert!(found > 20, "only {found} references resolve");
}
