//! Random bytes through the C ABI: every call returns an error value (a report that says
//! `"valid":false`; for conversion and acknowledgement NULL with an error object, or a result
//! when the bytes happen to be one), never a crash. Inputs are pure noise,
//! noise behind a message's opening bytes, and official examples with bytes flipped, cut or
//! spliced; the generator is seeded, so a failure repeats.

mod common;

use std::ffi::{c_char, CStr};
use std::ptr;

use medcom_c::{
    medcom_ack, medcom_convert, medcom_string_free, medcom_validate, medcom_validate_with,
    MEDCOM_NO_PROFILES, MEDCOM_UNMASK,
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

type Call = unsafe extern "C" fn(*const u8, usize, *const c_char, *mut *mut c_char) -> *mut c_char;

/// Calls `medcom_convert` or `medcom_ack` with `arg` (a NUL-terminated name, or NULL): the
/// result's bytes, or the parsed error object. Exactly one of the two comes back.
fn call(f: Call, data: &[u8], arg: Option<&CStr>) -> Result<Vec<u8>, serde_json::Value> {
    let mut error: *mut c_char = ptr::null_mut();
    let arg = arg.map_or(ptr::null(), CStr::as_ptr);
    // SAFETY: `data` is a live slice of `data.len()` bytes and `arg` NULL or a live C string,
    // both unchanged during the call; `error` is a writable local.
    let out = unsafe { f(data.as_ptr(), data.len(), arg, &mut error) };
    let error = take(error);
    if out.is_null() {
        let error = error.expect("NULL comes with an error object");
        Err(serde_json::from_str(&error).expect("the error is a JSON object"))
    } else {
        assert!(error.is_none(), "a result and an error: {error:?}");
        // SAFETY: `out` is a non-NULL string this library returned, not freed yet.
        let bytes = unsafe { CStr::from_ptr(out) }.to_bytes().to_vec();
        // SAFETY: `out` came from this library and is freed once, here.
        unsafe { medcom_string_free(out) };
        Ok(bytes)
    }
}

/// Checks an error object's shape: a known kind, a message, and a place or none.
fn assert_error_object(error: &serde_json::Value, what: &str) {
    let kinds = [
        "read",
        "unsupported",
        "schema",
        "acknowledge",
        "usage",
        "output",
    ];
    assert!(
        kinds.contains(&error["kind"].as_str().unwrap_or("")),
        "{what}: {error}"
    );
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: {error}"
    );
    let placed = error["line"].is_u64() && error["column"].is_u64() && error["byte"].is_u64();
    let unplaced = error["line"].is_null() && error["column"].is_null() && error["byte"].is_null();
    assert!(placed || unplaced, "{what}: {error}");
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
fn random_bytes_converted_or_acknowledged_give_error_objects_and_never_a_crash() {
    let targets: [Option<&CStr>; 6] = [
        None,
        Some(c"json"),
        Some(c"xml"),
        Some(c"oioxml"),
        Some(c"edifact"),
        Some(c"pdf"),
    ];
    let codes: [Option<&CStr>; 4] = [None, Some(c"ok"), Some(c"fatal-error"), Some(c"maybe")];
    let mut rng = Rng(0x6d65_6463_6f6d_0003);
    let mut tally = std::collections::BTreeMap::new();
    for round in 0..2_000 {
        let mut data = OPENINGS[rng.below(OPENINGS.len())].to_vec();
        let len = rng.below(if round % 2 == 0 { 64 } else { 2048 });
        data.extend(rng.bytes(len));
        let (name, result) = if round % 2 == 0 {
            let to = targets[rng.below(targets.len())];
            ("convert", call(medcom_convert, &data, to))
        } else {
            let code = codes[rng.below(codes.len())];
            ("ack", call(medcom_ack, &data, code))
        };
        let kind = match &result {
            Ok(_) => "result".to_owned(),
            Err(error) => {
                assert_error_object(error, &format!("round {round} ({name})"));
                error["kind"].as_str().unwrap_or("").to_owned()
            }
        };
        *tally.entry(kind).or_insert(0) += 1;
    }
    eprintln!("random bytes: outcome -> calls: {tally:?}");
    assert!(tally.get("read").is_some_and(|&n| n > 0), "{tally:?}");
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
        if round % 5 == 0 {
            for result in [
                call(medcom_convert, &data, None),
                call(medcom_ack, &data, None),
            ] {
                if let Err(error) = result {
                    assert_error_object(&error, &format!("round {round}"));
                }
            }
        }
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
    // SAFETY: NULL data with a length is refused; a NULL error out-parameter is allowed.
    assert!(unsafe { medcom_convert(ptr::null(), 5, ptr::null(), ptr::null_mut()) }.is_null());
    let refused = call(medcom_ack, &[], Some(c"ok")).expect_err("the empty input is refused");
    assert_eq!(refused["kind"], "read", "{refused}");
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
