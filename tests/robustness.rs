//! The readers never panic: arbitrary strings, and official examples with random damage
//! (bytes flipped, spliced or cut), go through the fuzz harnesses, which also check that whatever
//! reads writes and reads back equal.

mod common;

use proptest::prelude::*;

const SEEDS: &[&str] = &[
    r#"<Bundle xmlns="http://hl7.org/fhir"><id value="a"/><type value="message"/><entry><fullUrl value="urn:uuid:0c5a6d2e-7f3b-4b5e-9a1e-2f3a4b5c6d7e"/><resource><Patient><text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml"><p>x &amp; y</p></div></text><name><given value="A"/></name></Patient></resource></entry></Bundle>"#,
    r#"{"resourceType":"Bundle","id":"a","type":"message","entry":[{"fullUrl":"urn:uuid:0c5a6d2e-7f3b-4b5e-9a1e-2f3a4b5c6d7e","resource":{"resourceType":"Patient","name":[{"given":["A",null],"_given":[null,{"extension":[{"url":"http://x","valueBoolean":true}]}]}],"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"}}}]}"#,
];

fn damage(seed: &str, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let mut bytes = seed.as_bytes().to_vec();
    for &(at, op, byte) in edits {
        if bytes.is_empty() {
            break;
        }
        let at = at % bytes.len();
        match op % 4 {
            0 => bytes[at] = byte,
            1 => {
                bytes.remove(at);
            }
            2 => bytes.insert(at, byte),
            _ => bytes.truncate(at),
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC*") {
        medcom::__fuzz::xml_roundtrip(s.as_bytes());
        medcom::__fuzz::json_roundtrip(s.as_bytes());
    }

    #[test]
    fn damaged_messages_never_panic(
        which in 0..SEEDS.len(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6),
    ) {
        let bytes = damage(SEEDS[which], &edits);
        medcom::__fuzz::xml_roundtrip(&bytes);
        medcom::__fuzz::json_roundtrip(&bytes);
    }
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn damaged_official_examples_never_panic() {
    let Some(shared) = common::shared() else {
        return;
    };
    let examples: Vec<_> = common::examples(&shared)
        .into_iter()
        .filter(common::Example::is_fhir)
        .collect();
    // A fixed pseudo-random walk over the corpus: deterministic, so a failure reproduces.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..600 {
        let ex = &examples[i % examples.len()];
        let text = common::read(&ex.path);
        let edits: Vec<(usize, u8, u8)> = (0..1 + next() % 4)
            .map(|_| (next() as usize, next() as u8, next() as u8))
            .collect();
        let bytes = damage(&text, &edits);
        medcom::__fuzz::xml_roundtrip(&bytes);
        medcom::__fuzz::json_roundtrip(&bytes);
    }
}
