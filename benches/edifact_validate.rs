//! EDIFACT content validation: one official discharge letter (DIS01_1.edi), in letters per
//! second, and interchanges of 1, 10 and 100 such letters, in bytes per second (equal rates
//! mean linear time).

use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput};

/// The DIS01 test letter from MedCom's converter, read in place from the shared material.
fn letter() -> Option<Vec<u8>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../shared/medcom/legacy/files/glasdam_edifact_converter/test/complete/files/edifact/DIS01_1.edi",
    );
    std::fs::read(&path).ok()
}

/// An interchange holding `n` copies of the letter's message, each with its own reference.
fn interchange(letter: &[u8], n: usize) -> Vec<u8> {
    let one = medcom::legacy::edifact::read(letter).expect("reads");
    let message = &one.messages()[0];
    let messages = (0..n)
        .map(|i| {
            let h = message.header();
            let mut elements = h.elements().to_vec();
            elements[0] = vec![format!("B{i}")];
            let header = medcom::legacy::edifact::Segment::new("UNH", elements);
            medcom::legacy::edifact::Message::new(header, message.body().to_vec())
        })
        .collect();
    let i = medcom::legacy::edifact::Interchange::new(one.header().clone(), messages);
    medcom::legacy::edifact::write(&i).expect("writes")
}

fn bench(c: &mut Criterion) {
    let Some(bytes) = letter() else {
        eprintln!("*** SKIPPED: ../shared not found ***");
        return;
    };
    let mut group = c.benchmark_group("edifact_validate");
    group.throughput(Throughput::Elements(1));
    group.bench_function("dis01_letter", |b| {
        b.iter(|| {
            let v = medcom::legacy::content::validate(&bytes);
            assert!(v.is_valid());
            v.findings().len()
        });
    });
    for n in [1usize, 10, 100] {
        let input = interchange(&bytes, n);
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_with_input(BenchmarkId::new("letters", n), &input, |b, input| {
            b.iter(|| {
                let v = medcom::legacy::content::validate(input);
                assert!(v.is_valid());
                v.findings().len()
            });
        });
    }
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
