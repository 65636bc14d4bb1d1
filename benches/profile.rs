//! Full validation of a CareCommunication and a HospitalNotification, XML and JSON:
//! `read_and_validate` is what a receiver runs (read, the MedCom message rules and the profile
//! engine, `Validator::report`); `read_and_check` and `check` measure the profile engine alone.
//! Throughput in elements (1 element = 1 message) gives messages/s.
//!
//! `cargo bench --bench profile -- --warm-up-time 1 --measurement-time 3`

// criterion_group! generates undocumented public items.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

#[path = "inputs.rs"]
mod inputs;

fn bench(c: &mut Criterion) {
    let engine = medcom::profile::Engine::embedded().expect("built-in rules");
    engine.preload().expect("rules load");
    let validator = medcom::validate::Validator::new();
    for input in inputs::inputs() {
        let mut group = c.benchmark_group(format!("profile/{}/{}", input.name, input.format));
        group.throughput(Throughput::Elements(1));
        let text = input.text.as_str();
        let doc = medcom::parse(text).expect("example reads");
        let mut findings = Vec::new();
        engine.check(&doc, &mut findings);
        assert!(
            findings
                .iter()
                .all(|f| f.severity() != medcom::finding::Severity::Error),
            "{}: {findings:?}",
            input.name
        );
        assert!(validator.report(&doc).is_valid(), "{}", input.name);
        group.bench_function("read_and_validate", |b| {
            b.iter(|| {
                let doc = medcom::parse(black_box(text)).expect("reads");
                validator.report(&doc).is_valid()
            });
        });
        group.bench_function("read_and_check", |b| {
            b.iter(|| {
                let doc = medcom::parse(black_box(text)).expect("reads");
                let mut findings = Vec::new();
                engine.check(&doc, &mut findings);
                findings.len()
            });
        });
        group.bench_function("check", |b| {
            b.iter(|| {
                let mut findings = Vec::new();
                engine.check(black_box(&doc), &mut findings);
                findings.len()
            });
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
