//! The Rust side of the bindings' overhead benchmark (`benches/bindings.py`): the median time of
//! one `medcom::Validator::validate` call per file, alone and with the report serialized to JSON
//! (what every binding returns), and of one `medcom::convert` call (to the other format).
//!
//! `cargo run --release -p medcom-c --example overhead -- MIN_CALLS FILE...` prints
//! `rust-validate`, `rust-validate-json` and `rust-convert` lines: label, file, median ns, calls.

use std::time::{Duration, Instant};

/// Median nanoseconds of `f` over at least `min_calls` calls and at least half a second.
fn median_ns(min_calls: usize, mut f: impl FnMut()) -> (u128, usize) {
    for _ in 0..20 {
        f();
    }
    let mut times = Vec::with_capacity(min_calls);
    let started = Instant::now();
    while times.len() < min_calls || started.elapsed() < Duration::from_millis(500) {
        let t = Instant::now();
        f();
        times.push(t.elapsed().as_nanos());
    }
    times.sort_unstable();
    (times[times.len() / 2], times.len())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let min_calls: usize = args
        .next()
        .and_then(|n| n.parse().ok())
        .expect("usage: overhead MIN_CALLS FILE...");
    let validator = medcom::Validator::new();
    for path in args {
        let data = std::fs::read(&path).expect("the file reads");
        let (ns, n) = median_ns(min_calls, || {
            std::hint::black_box(validator.validate(std::hint::black_box(&data)));
        });
        println!("rust-validate\t{path}\t{ns}\t{n}");
        let (ns, n) = median_ns(min_calls, || {
            let report = validator.validate(std::hint::black_box(&data));
            std::hint::black_box(serde_json::to_string(&report).expect("JSON"));
        });
        println!("rust-validate-json\t{path}\t{ns}\t{n}");
        let options = medcom::convert::ConvertOptions::new();
        let (ns, n) = median_ns(min_calls, || {
            let _ =
                std::hint::black_box(medcom::convert(std::hint::black_box(&data), None, &options));
        });
        println!("rust-convert\t{path}\t{ns}\t{n}");
    }
}
