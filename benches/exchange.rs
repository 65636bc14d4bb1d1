//! Receive throughput of the exchange engine (read + dedupe + store + acknowledge) per store,
//! and the store alone. PostgreSQL runs when `MEDCOM_TEST_POSTGRES` names a server.
//!
//! `cargo bench --bench exchange -- --warm-up-time 1 --measurement-time 3`

use std::sync::Arc;

use criterion::{criterion_main, BatchSize, Criterion, Throughput};
use medcom::exchange::clock::{Clock, SystemClock};
use medcom::exchange::store::{self, Key, Store, Stored};
use medcom::exchange::Engine;

#[path = "../tests/exchange/mod.rs"]
mod exchange;

fn stores(dir: &std::path::Path) -> Vec<(&'static str, String)> {
    let mut v = vec![("memory", ":memory:".to_owned())];
    if cfg!(feature = "sqlite") {
        v.push((
            "sqlite",
            dir.join("bench.db").to_string_lossy().into_owned(),
        ));
    }
    #[cfg(feature = "postgres")]
    match std::env::var("MEDCOM_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => {
            let mut s = store::postgres::PostgresStore::connect(&url).expect("connect");
            s.clear().expect("clear");
            v.push(("postgres", url));
        }
        _ => eprintln!("*** postgres skipped: MEDCOM_TEST_POSTGRES is not set ***"),
    }
    #[cfg(not(feature = "postgres"))]
    eprintln!("*** postgres skipped: built without the `postgres` feature ***");
    v
}

fn fresh(kind: &str, n: u64) -> Vec<u8> {
    exchange::message(
        kind,
        &format!("{:08x}-0000-4000-8000-{n:012x}", n >> 48),
        &format!("{:08x}-0000-4000-9000-{n:012x}", n >> 48),
    )
}

fn receive(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("exchange/receive");
    group.throughput(Throughput::Elements(1));
    for (name, url) in stores(dir.path()) {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock::default());
        // Without a validator: the figure is the exchange alone (the receive policy's own
        // rules and the store); `medcom receive` adds validation.
        let mut engine = Engine::new(store::open(&url).expect("store"), clock);
        let mut n = 0u64;
        group.bench_function(format!("{name}/fhir-json"), |b| {
            b.iter_batched(
                || {
                    n += 1;
                    fresh("fhir-json", n)
                },
                |bytes| engine.receive(&bytes).expect("receive"),
                BatchSize::SmallInput,
            );
        });
        let mut n = 1u64 << 40;
        group.bench_function(format!("{name}/duplicate"), |b| {
            let bytes = fresh("fhir-json", n);
            engine.receive(&bytes).expect("first");
            n += 1;
            b.iter(|| engine.receive(&bytes).expect("receive"));
        });
    }
    group.finish();
}

fn store_alone(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("exchange/store");
    group.throughput(Throughput::Elements(1));
    let response = Stored {
        response_id: Some("ack".to_owned()),
        response: Some(vec![b'x'; 4096]),
        findings: None,
    };
    for (name, url) in stores(dir.path()) {
        let mut s: Box<dyn Store> = store::open(&url).expect("store");
        let mut n = 1u64 << 50;
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    n += 1;
                    (format!("e{n}"), vec![format!("m{n}")])
                },
                |(envelope, messages)| {
                    let key = Key {
                        generation: "fhir",
                        envelope_id: &envelope,
                        message_ids: &messages,
                    };
                    s.receive(&key, 0, 60, &mut || Ok(response.clone()))
                        .expect("receive")
                },
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

mod group {
    #![allow(missing_docs)]
    criterion::criterion_group!(benches, super::receive, super::store_alone);
}

criterion_main!(group::benches);
