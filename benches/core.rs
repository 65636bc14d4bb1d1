//! Reading and writing MedCom messages, with the raw quick-xml event loop and
//! `serde_json::Value` on the same bytes as ceilings.
//!
//! `cargo bench --bench core`

// criterion_group! generates undocumented public items.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

#[path = "inputs.rs"]
mod inputs;

fn quick_xml_events(text: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut n = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => return n,
            Ok(_) => n += 1,
            Err(_) => return n,
        }
    }
}

fn bench(c: &mut Criterion) {
    for input in inputs::inputs() {
        let mut group = c.benchmark_group(format!("{}/{}", input.name, input.format));
        group.throughput(Throughput::Bytes(input.text.len() as u64));
        let text = input.text.as_str();
        let doc = medcom::parse(text).expect("example reads");
        if input.format == "xml" {
            group.bench_function("read", |b| {
                b.iter(|| medcom::xml::parse(black_box(text)).expect("reads"))
            });
            group.bench_function("ceiling_quick_xml_events", |b| {
                b.iter(|| quick_xml_events(black_box(text)))
            });
            group.bench_function("write", |b| {
                b.iter(|| medcom::xml::to_string(black_box(&doc)))
            });
        } else {
            group.bench_function("read", |b| {
                b.iter(|| medcom::json::parse(black_box(text)).expect("reads"))
            });
            group.bench_function("ceiling_serde_json_value", |b| {
                b.iter(|| {
                    serde_json::from_str::<serde_json::Value>(black_box(text)).expect("JSON")
                });
            });
            group.bench_function("write", |b| {
                b.iter(|| medcom::json::to_string(black_box(&doc)))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
