//! Random bytes through the C ABI: every call returns an error value (a report that says
//! `"valid":false`, or NULL where the contract says so), never a crash. Inputs are pure noise,
//! noise behind a message's opening bytes, and official examples with bytes flipped, cut or
//! spliced; the generator is seeded, so a failure repeats.

mod common;

use std::ffi::{c_char, CStr};
use std::ptr;

use medcom_c::{
    medcom_string_free, medcom_validate, medcom_validate_with, MEDCOM_NO_PROFILES, MEDCOM_UNMASK,
};

/// xorshift64*: small, seeded, good enough to spread bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).expect("fits")
    }
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next().to_le_bytes()[3]).collect()
    }
}

/// Takes a returned string: its text, freed.
fn take(s: *mut c_char) -> Option<String> {
    if s.is_null() {
        return None;
    }
    // SAFETY: `s` is a non-NULL string this library returned, NUL-terminated and not freed yet.
    let text = unsafe { CStr::from_ptr(s) }
        .to_str()
        .expect("UTF-8")
        .to_owned();
    // SAFETY: `s` came from this library and is freed once, here.
    unsafe { medcom_string_free(s) };
    Some(text)
}

/// Validates `data` through the C ABI and returns the parsed report.
fn validate(data: &[u8], flags: u32) -> serde_json::Value {
    // SAFETY: `data` is a live slice of `data.len()` bytes, unchanged during the call.
    let report = take(unsafe { medcom_validate_with(data.as_ptr(), data.len(), flags) })
        .unwrap_or_else(|| panic!("NULL for {} bytes", data.len()));
    serde_json::from_str(&report).expect("the report is JSON")
}

const OPENINGS: [&[u8]; 8] = [
    b"<Bundle xmlns=\"http://hl7.org/fhir\">",
    b"{\"resourceType\":\"Bundle\",\"type\":\"message\",\"entry\":[",
    b"UNA:+.? 'UNB+UNOC:3+",
    b"UNB+UNOC:3+5790000123456:14+",
    b"<?xml version=\"1.0\"?><Emessage xmlns=\"http://rep.oio.dk/medcom.dk/xml/schemas/2007/02/01/\">",
    b"<VANSEnvelope xmlns=\"urn:oio:medcom:vans-envelope:1.0.4\">",
    b"<StandardBusinessDocument xmlns=\"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader\">",
    b"\xef\xbb\xbf<",
];

#[test]
fn random_bytes_give_invalid_reports_and_never_a_crash() {
    let mut rng = Rng(0x6d65_6463_6f6d_0001);
    for round in 0..3_000 {
        let len = match round % 4 {
            0 => rng.below(16),
            1 => rng.below(256),
            _ => rng.below(4096),
        };
        let mut data = if round % 2 == 0 {
            OPENINGS[rng.below(OPENINGS.len())].to_vec()
        } else {
            Vec::new()
        };
        data.extend(rng.bytes(len));
        let flags = [0, MEDCOM_UNMASK, MEDCOM_NO_PROFILES][round % 3];
        let report = validate(&data, flags);
        assert_eq!(report["valid"], false, "round {round}: {report}");
        assert!(
            report["issues"].as_array().is_some_and(|i| !i.is_empty()),
            "round {round}: an invalid report names a finding"
        );
    }
}

#[test]
fn mutated_official_examples_never_crash() {
    let Some(shared) = common::shared() else {
        return;
    };
    let scratch = tempfile::tempdir().expect("a temporary folder");
    let seeds: Vec<Vec<u8>> = common::corpus(&shared, scratch.path())
        .iter()
        .step_by(7)
        .map(|case| std::fs::read(&case.path).expect("an example reads"))
        .collect();
    let mut rng = Rng(0x6d65_6463_6f6d_0002);
    for round in 0..1_500 {
        let mut data = seeds[rng.below(seeds.len())].clone();
        match round % 3 {
            0 => {
                for _ in 0..=rng.below(8) {
                    let at = rng.below(data.len());
                    if let Some(b) = data.get_mut(at) {
                        *b = rng.bytes(1)[0];
                    }
                }
            }
            1 => data.truncate(rng.below(data.len())),
            _ => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len());
                let at = rng.below(data.len());
                data.splice(at..at, other[from..].iter().copied().take(rng.below(512)));
            }
        }
        let report = validate(&data, 0);
        assert!(report["valid"].is_boolean(), "round {round}: {report}");
    }
}

#[test]
fn null_and_unknown_flags_are_refused() {
    // SAFETY: NULL with a length is the refused case the contract names; nothing is read.
    assert!(take(unsafe { medcom_validate(ptr::null(), 5) }).is_none());
    // SAFETY: NULL with length 0 is the empty input.
    let empty = take(unsafe { medcom_validate(ptr::null(), 0) }).expect("a report");
    assert!(empty.ends_with(r#""valid":false}"#), "{empty}");
    let data = b"{}";
    // SAFETY: `data` is live for the call.
    assert!(take(unsafe { medcom_validate_with(data.as_ptr(), 2, 64) }).is_none());
    // SAFETY: freeing NULL does nothing.
    unsafe { medcom_string_free(ptr::null_mut()) };
    // SAFETY: `medcom_version` returns a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(medcom_c::medcom_version()) };
    assert_eq!(version.to_str(), Ok(env!("CARGO_PKG_VERSION")));
}

#[test]
fn threads_validating_at_once_get_the_reports_of_one_thread() {
    let inputs: Vec<Vec<u8>> = (0..8_u64)
        .map(|seed| {
            let mut rng = Rng(seed + 1);
            let mut data =
                OPENINGS[usize::try_from(seed).expect("small") % OPENINGS.len()].to_vec();
            data.extend(rng.bytes(300));
            data
        })
        .collect();
    let expected: Vec<serde_json::Value> = inputs.iter().map(|d| validate(d, 0)).collect();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..10 {
                    for (data, expected) in inputs.iter().zip(&expected) {
                        assert_eq!(&validate(data, 0), expected);
                    }
                }
            });
        }
    });
}
