//! medcom against fhirbolt 0.4 on the same bytes, in the same run, with the raw quick-xml event
//! loop and `serde_json::Value` as ceilings.
//!
//! `cd peers && cargo bench --bench peers`

// criterion_group! generates undocumented public items.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use fhirbolt::model::r4::resources::Bundle;
use fhirbolt::serde::{DeserializationConfig, DeserializationMode};

#[path = "inputs.rs"]
mod inputs;

fn quick_xml_events(text: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut n = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) | Err(_) => return n,
            Ok(_) => n += 1,
        }
    }
}

fn bench(c: &mut Criterion) {
    // Full validation (read, MedCom rules and profiles) beside fhirbolt's parse-only rate: the
    // the target is twice that rate for a CareCommunication from XML.
    let validator = medcom::validate::Validator::new();
    // The bundle fhirbolt read from the XML form of the message just benchmarked: its JSON writer
    // is measured on it, since fhirbolt's strict JSON reader rejects the official JSON (it expects
    // a `Uri` where the examples have `fullUrl` strings).
    let mut from_xml: Option<Bundle> = None;
    for input in inputs::inputs() {
        let mut group = c.benchmark_group(format!("{}/{}", input.name, input.format));
        group.throughput(Throughput::Bytes(input.text.len() as u64));
        let text = input.text.as_str();
        let doc = medcom::parse(text).expect("medcom reads the example");
        if input.format == "xml" {
            let bundle: Bundle = fhirbolt::xml::from_str(text, None).expect("fhirbolt reads the example");
            from_xml = Some(bundle.clone());
            group.bench_function("medcom_read", |b| b.iter(|| medcom::xml::parse(black_box(text)).expect("reads")));
            group.bench_function("medcom_read_validate", |b| {
                b.iter(|| validator.report(&medcom::xml::parse(black_box(text)).expect("reads")).is_valid());
            });
            group.bench_function("fhirbolt_read", |b| {
                b.iter(|| fhirbolt::xml::from_str::<Bundle>(black_box(text), None).expect("reads"));
            });
            group.bench_function("quick_xml_events", |b| b.iter(|| quick_xml_events(black_box(text))));
            group.bench_function("medcom_write", |b| b.iter(|| medcom::xml::to_string(black_box(&doc))));
            group.bench_function("fhirbolt_write", |b| {
                b.iter(|| fhirbolt::xml::to_string(black_box(&bundle), None).expect("writes"));
            });
        } else {
            let lax = || Some(DeserializationConfig { mode: DeserializationMode::Lax });
            group.bench_function("medcom_read", |b| b.iter(|| medcom::json::parse(black_box(text)).expect("reads")));
            group.bench_function("medcom_read_validate", |b| {
                b.iter(|| validator.report(&medcom::json::parse(black_box(text)).expect("reads")).is_valid());
            });
            match fhirbolt::json::from_str::<Bundle>(text, lax()) {
                Ok(_) => {
                    group.bench_function("fhirbolt_read_lax", |b| {
                        b.iter(|| fhirbolt::json::from_str::<Bundle>(black_box(text), lax()).expect("reads"));
                    });
                }
                Err(e) => eprintln!("fhirbolt cannot read {}/json even in lax mode: {e}", input.name),
            }
            let bundle = from_xml.take().expect("the XML form comes first");
            group.bench_function("serde_json_value", |b| {
                b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(text)).expect("JSON"));
            });
            group.bench_function("medcom_write", |b| b.iter(|| medcom::json::to_string(black_box(&doc))));
            group.bench_function("fhirbolt_write", |b| {
                b.iter(|| fhirbolt::json::to_string(black_box(&bundle), None).expect("writes"));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
