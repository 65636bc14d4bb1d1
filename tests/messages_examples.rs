//! The typed messages against MedCom's official examples:
//!
//! - every official example of each supported standard reads with its read view;
//! - a message rebuilt from the read view of a valid example validates with zero errors;
//! - the acknowledgement of every valid example (every standard) is itself valid, carries
//!   exactly two Provenances, and is never acknowledged again; a duplicate gets the same
//!   content in a new envelope.
//!
//! One line per standard in [`STANDARDS`]: add a line to cover another standard.

mod common;

use medcom::messages::{
    reply, Acknowledgement, CareCommunication, Context, EmptyMessage, MessageInfo, ResponseCode,
};
use medcom::model::Document;
use medcom::validate::Validator;

/// A standard's examples (manifest family and IG versions) and its read view and rebuild.
struct Standard {
    /// `MANIFEST.tsv` message-type family, e.g. `CareCommunication`.
    family: &'static str,
    /// Prefixes of the manifest's `ig-version` column that hold this version of the standard.
    versions: &'static [&'static str],
    /// Reads the example with the typed read view.
    read: fn(&Document<'_>) -> Result<(), String>,
    /// Reads and builds again.
    rebuild: fn(&Document<'_>, &Context) -> Result<Document<'static>, String>,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

const STANDARDS: &[Standard] = &[
    Standard {
        family: "CareCommunication",
        versions: &["5.0"],
        read: |d| CareCommunication::read(d).map(drop).map_err(err),
        rebuild: |d, c| {
            CareCommunication::read(d)
                .map_err(err)?
                .build(c)
                .map_err(err)
        },
    },
    Standard {
        family: "Acknowledgement",
        versions: &["2.0"],
        read: |d| Acknowledgement::read(d).map(drop).map_err(err),
        rebuild: |d, c| Acknowledgement::read(d).map_err(err)?.build(c).map_err(err),
    },
    Standard {
        family: "EmptyMessage",
        versions: &["4.0"],
        read: |d| EmptyMessage::read(d).map(drop).map_err(err),
        rebuild: |d, c| EmptyMessage::read(d).map_err(err)?.build(c).map_err(err),
    },
];

fn lenient() -> medcom::ReadOptions {
    medcom::ReadOptions::default().with_mode(medcom::Mode::Lenient)
}

fn family(message_type: &str) -> &str {
    message_type.split('/').next().unwrap_or(message_type)
}

fn errors(validator: &Validator, doc: &Document<'_>) -> Vec<String> {
    validator.iter_errors(doc).map(|f| f.to_string()).collect()
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn read_views_read_every_official_example_and_rebuilds_validate() {
    let Some(shared) = common::shared() else {
        return;
    };
    let validator = Validator::new();
    let ctx = Context::new();
    let mut failures = Vec::new();
    for standard in STANDARDS {
        let mut read = 0;
        let mut rebuilt = 0;
        for ex in common::examples(&shared) {
            if family(&ex.message_type) != standard.family
                || !standard
                    .versions
                    .iter()
                    .any(|v| ex.ig_version.starts_with(v))
            {
                continue;
            }
            let text = common::read(&ex.path);
            let doc = medcom::parse(&text).expect(&ex.file);
            if let Err(e) = (standard.read)(&doc) {
                failures.push(format!("{}: read: {e}", ex.file));
                continue;
            }
            read += 1;
            if !validator.is_valid(&doc) {
                continue;
            }
            match (standard.rebuild)(&doc, &ctx) {
                Ok(again) => {
                    let errs = errors(&validator, &again);
                    if !errs.is_empty() {
                        failures.push(format!("{}: rebuilt: {errs:#?}", ex.file));
                    }
                    rebuilt += 1;
                }
                Err(e) => failures.push(format!("{}: rebuild: {e}", ex.file)),
            }
        }
        eprintln!(
            "{}: {read} examples read, {rebuilt} rebuilt and valid",
            standard.family
        );
        assert!(read > 0, "no example of {}", standard.family);
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn acknowledgements_of_every_valid_example_are_valid() {
    let Some(shared) = common::shared() else {
        return;
    };
    let validator = Validator::new();
    let ctx = Context::new();
    let mut failures = Vec::new();
    let mut acked = 0;
    let mut skipped = Vec::new();
    for ex in common::examples(&shared) {
        if !ex.is_fhir() || !ex.validity.starts_with("valid") {
            continue;
        }
        let text = common::read(&ex.path);
        // A few published examples break the R4 model (e.g. `meta.security.code` as a
        // Coding); a receiver still answers them, so they are read leniently.
        let doc = medcom::parse_with_options(&text, &lenient()).expect(&ex.file);
        let Ok(info) = MessageInfo::read(&doc) else {
            failures.push(format!("{}: not readable as a message", ex.file));
            continue;
        };
        // A message with no Provenance of its own (targeting its MessageHeader; a defect of
        // some older examples) cannot be acknowledged validly (`medcom-ack-pairing`).
        if !info.provenances.iter().any(|p| p.target == info.header_id) {
            skipped.push(ex.file.clone());
            continue;
        }
        if family(&ex.message_type) == "Acknowledgement" {
            // KR2.R: an acknowledgement is never acknowledged.
            assert_eq!(
                Acknowledgement::for_message(&doc).unwrap_err(),
                medcom::messages::BuildError::AcknowledgementOfAcknowledgement,
                "{}",
                ex.file
            );
            continue;
        }
        for code in [ResponseCode::Ok, ResponseCode::FatalError] {
            let ack = match reply::acknowledge(&doc, code, &ctx) {
                Ok(a) => a,
                Err(e) => {
                    failures.push(format!("{}: {code}: {e}", ex.file));
                    continue;
                }
            };
            let errs = errors(&validator, &ack);
            if !errs.is_empty() {
                failures.push(format!("{}: {code}: {errs:#?}", ex.file));
            }
            let read = Acknowledgement::read(&ack).expect("ack reads");
            assert_eq!(read.acknowledged, info.header_id, "{}", ex.file);
            assert_eq!(read.code, code, "{}", ex.file);
            let ack_info = MessageInfo::read(&ack).expect("ack info");
            assert_eq!(ack_info.provenances.len(), 2, "{}", ex.file);
            assert_eq!(ack_info.sender.sor, info.receiver.sor, "{}", ex.file);
            assert_eq!(ack_info.receiver.sor, info.sender.sor, "{}", ex.file);
        }
        acked += 1;
    }
    eprintln!(
        "{acked} examples acknowledged; {} without a Provenance of their own",
        skipped.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(acked > 700, "only {acked} examples acknowledged");
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn a_duplicate_gets_the_same_acknowledgement_in_a_new_envelope() {
    let Some(shared) = common::shared() else {
        return;
    };
    let ctx = Context::new();
    let example = common::examples(&shared)
        .into_iter()
        .find(|e| e.ig_version == "5.0.2" && e.message_type.starts_with("CareCommunication"))
        .expect("a CareCommunication 5.0.2 example");
    let text = common::read(&example.path);
    let doc = medcom::parse(&text).expect("reads");
    let first = reply::acknowledge(&doc, ResponseCode::Ok, &ctx).expect("ack");
    let again =
        reply::acknowledge_duplicate(&first, &ctx.clone().with_time("2031-01-01T00:00:00Z"))
            .expect("again");
    let (a, b) = (
        MessageInfo::read(&first).expect("first"),
        MessageInfo::read(&again).expect("again"),
    );
    assert_ne!(a.bundle_id, b.bundle_id);
    assert_ne!(a.timestamp, b.timestamp);
    assert_eq!(
        Acknowledgement::read(&first).expect("first"),
        Acknowledgement::read(&again).expect("again")
    );
    assert_eq!(a.header_id, b.header_id);
    assert!(Validator::new().is_valid(&again));
}

#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn every_read_view_reads_or_refuses_every_example_without_panicking() {
    let Some(shared) = common::shared() else {
        return;
    };
    for ex in common::examples(&shared) {
        let text = common::read(&ex.path);
        let Ok(doc) = medcom::parse_with_options(&text, &lenient()) else {
            continue;
        };
        for standard in STANDARDS {
            let _ = (standard.read)(&doc);
        }
        let _ = MessageInfo::read(&doc);
        let _ = Acknowledgement::for_message(&doc);
        let _ = CareCommunication::reply(&doc);
    }
}
