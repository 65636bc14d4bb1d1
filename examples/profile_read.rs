//! Reads (or writes, or validates) one file many times, for profilers:
//! `cargo run --release --example profile_read FILE N [medcom|events|serde|write-json|write-xml|validate|profiles]`.
#![allow(clippy::print_stdout)] // a profiling tool prints its result

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("FILE");
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let mode = args.next().unwrap_or_else(|| "medcom".into());
    let text = std::fs::read_to_string(path).expect("readable");
    let doc = medcom::parse(&text).expect("reads");
    let validator = medcom::validate::Validator::new();
    // Rule loading is a one-time cost; keep it out of the profile of validation.
    if mode == "validate" || mode == "profiles" {
        let _ = validator.report(&doc);
    }
    let mut count = 0;
    for _ in 0..n {
        count += match mode.as_str() {
            "events" => {
                let mut reader = quick_xml::Reader::from_str(&text);
                let mut k = 0;
                while !matches!(
                    reader.read_event(),
                    Ok(quick_xml::events::Event::Eof) | Err(_)
                ) {
                    k += 1;
                }
                k
            }
            "serde" => serde_json::from_str::<serde_json::Value>(&text)
                .map_or(0, |v| v.as_object().map_or(0, |o| o.len())),
            "write-json" => medcom::json::to_string(&doc).len(),
            "write-xml" => medcom::xml::to_string(&doc).len(),
            // Read and validate, as a receiver does.
            "validate" => {
                let doc = medcom::parse(&text).expect("reads");
                validator.report(&doc).findings().len()
            }
            // Validation of an already read document.
            "profiles" => validation(&validator, &doc),
            _ => medcom::parse(&text).expect("reads").len(),
        };
    }
    println!("{count}");
}

/// Kept out of line so that `valgrind --toggle-collect=profile_read::validation` sees only it.
#[inline(never)]
fn validation(validator: &medcom::validate::Validator, doc: &medcom::Document) -> usize {
    validator.report(doc).findings().len()
}
