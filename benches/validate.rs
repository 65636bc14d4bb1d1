//! Validation with the MedCom message rules (default validator, no profile engine): read +
//! report, and the rules alone on a read message, for a CareCommunication and a
//! HospitalNotification in XML and JSON, in messages per second.
//!
//! `cargo bench --bench validate -- --warm-up-time 1 --measurement-time 3`

// criterion_group! generates undocumented public items.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use medcom::validate::Validator;

#[path = "inputs.rs"]
mod inputs;

fn bench(c: &mut Criterion) {
    let validator = Validator::new();
    for input in inputs::inputs() {
        let mut group = c.benchmark_group(format!("validate/{}/{}", input.name, input.format));
        group.throughput(Throughput::Elements(1));
        let text = input.text.as_str();
        let doc = medcom::parse(text).expect("example reads");
        group.bench_function("read+report", |b| {
            b.iter(|| {
                let doc = medcom::parse(black_box(text)).expect("reads");
                validator.report(&doc)
            })
        });
        group.bench_function("read+is_valid", |b| {
            b.iter(|| {
                let doc = medcom::parse(black_box(text)).expect("reads");
                validator.is_valid(&doc)
            })
        });
        group.bench_function("report", |b| b.iter(|| validator.report(black_box(&doc))));
        group.bench_function("is_valid", |b| {
            b.iter(|| validator.is_valid(black_box(&doc)))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
