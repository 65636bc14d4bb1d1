//! The migration bridge: an XDIS91 letter to a CareCommunication and back, through the front
//! door (`medcom::convert` with an address book, bytes to bytes, the OIOXML schema check
//! included) and through `medcom::migrate` on a read letter and message. The input is the
//! project's own fixture `fixtures/cli/letter-xdis91.xml` with `fixtures/cli/address-book.csv`.

use std::sync::Arc;

use criterion::{criterion_main, Criterion, Throughput};
use medcom::convert::{ConvertOptions, Target};
use medcom::migrate::{self, CsvAddressBook};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/fixtures/cli/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

fn bridge(c: &mut Criterion) {
    let letter = fixture("letter-xdis91.xml");
    let book = Arc::new(
        CsvAddressBook::from_csv(&String::from_utf8(fixture("address-book.csv")).expect("UTF-8"))
            .expect("address book"),
    );
    let options = ConvertOptions::new().address_book(book.clone());
    let json = medcom::convert(&letter, Some(Target::Json), &options)
        .expect("converts")
        .into_bytes();
    let root = medcom::legacy::oioxml::read(&letter).expect("reads");
    let doc = medcom::parse_bytes(&json, &medcom::ReadOptions::default()).expect("reads");

    let mut g = c.benchmark_group("migrate");
    g.throughput(Throughput::Elements(1));
    g.bench_function("convert letter to json", |b| {
        b.iter(|| {
            medcom::convert(std::hint::black_box(&letter), Some(Target::Json), &options)
                .expect("converts")
        });
    });
    g.bench_function("convert json to oioxml", |b| {
        b.iter(|| {
            medcom::convert(std::hint::black_box(&json), Some(Target::Oioxml), &options)
                .expect("converts")
        });
    });
    g.bench_function("letter_to_fhir (read letter)", |b| {
        b.iter(|| migrate::letter_to_fhir(&root, book.as_ref()).expect("converts"));
    });
    g.bench_function("fhir_to_letter (read message)", |b| {
        b.iter(|| migrate::fhir_to_letter(&doc, book.as_ref()).expect("converts"));
    });
    g.finish();
}

mod group {
    //! The criterion group (its generated function has no doc comment).
    #![allow(missing_docs)]
    criterion::criterion_group!(benches, super::bridge);
}
criterion_main!(group::benches);
