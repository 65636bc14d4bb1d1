//! Read + validate throughput for a legacy OIOXML discharge letter (XDIS01): decode, parse with
//! roxmltree, schema validation and the identifier pass, in messages per second.

use std::path::Path;

use criterion::{Criterion, Throughput};

/// The XDIS01 test message from MedCom's converter, read in place from the shared material.
fn message() -> Option<Vec<u8>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../shared/medcom/legacy/files/glasdam_edifact_converter/test/complete/files/xml/DIS01_1.xml",
    );
    std::fs::read(&path).ok()
}

fn bench(c: &mut Criterion) {
    let Some(bytes) = message() else {
        eprintln!("*** SKIPPED: ../shared not found ***");
        return;
    };
    let mut group = c.benchmark_group("legacy_validate");
    group.throughput(Throughput::Elements(1));
    group.bench_function("xdis01_read_validate", |b| {
        b.iter(|| {
            let text = medcom::legacy::schema::decode(&bytes).expect("decodes");
            let doc = medcom::legacy::schema::parse(&text).expect("parses");
            let findings = medcom::legacy::schema::validate(&doc);
            assert!(findings.len() < 8);
            findings.len()
        });
    });
    let text = medcom::legacy::schema::decode(&bytes).expect("decodes");
    let doc = medcom::legacy::schema::parse(&text).expect("parses");
    group.bench_function("xdis01_validate_only", |b| {
        b.iter(|| medcom::legacy::schema::validate_schema(&doc).len());
    });
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
