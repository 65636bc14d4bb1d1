//! Legacy throughput: read an XDIS01 in OIOXML and a DIS01 in EDIFACT, and convert each to the
//! other. Inputs are MedCom's paired example DIS01_1 (from `../shared` or `MEDCOM_SHARED`);
//! without it, a discharge letter of the same shape made by the builder.

use std::path::PathBuf;

use criterion::{criterion_main, Criterion, Throughput};
use medcom::legacy::letters::*;
use medcom::legacy::oioxml::AcknowledgementCode;
use medcom::legacy::{convert, edifact, oioxml};

fn inputs() -> (Vec<u8>, Vec<u8>) {
    let shared = std::env::var_os("MEDCOM_SHARED").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        PathBuf::from,
    );
    let dir = shared.join("medcom/legacy/files/glasdam_edifact_converter/test/complete/files");
    if let (Ok(x), Ok(e)) = (
        std::fs::read(dir.join("xml/DIS01_1.xml")),
        std::fs::read(dir.join("edifact/DIS01_1.edi")),
    ) {
        return (x, e);
    }
    let at = DateTime::new("2024-05-01", "10:00").expect("valid date");
    let party = Party {
        ean: "5790000120420".into(),
        identifier: "2001060".into(),
        identifier_kind: IdentifierKind::HospitalDepartment,
        organisation: "HILLERØD SYGEHUS".into(),
        department: Some("KIRURGISK AFD. A".into()),
        unit: None,
        address: Address::default(),
    };
    let header = Header {
        envelope_identifier: "K1".into(),
        sent: at.clone(),
        acknowledgement: AcknowledgementCode::MinusPositive,
        letter_identifier: "B1".into(),
        authorised: at,
        corrected: false,
        episode_identifier: None,
    };
    let patient = Patient {
        identifier: PatientIdentifier::Cpr("0108584947".into()),
        surname: "Mosebryggersen".into(),
        given_name: Some("Schwenlund".into()),
        address: Address::default(),
        episode: EpisodeStatus::Admitted,
    };
    let text = vec!["Indlagt af vagtlæge. Komplikationsfrit forløb i afdelingen.".to_owned(); 12];
    let xml = DischargeLetterBuilder::new(header, party.clone(), party, patient, text)
        .build()
        .expect("valid letter");
    let edi = edifact::write(&convert::to_edifact(&xml).expect("converts")).expect("writes");
    (oioxml::to_latin1(&xml), edi)
}

fn legacy(c: &mut Criterion) {
    let (xml, edi) = inputs();
    let mut g = c.benchmark_group("legacy");
    g.throughput(Throughput::Elements(1));
    g.bench_function("xdis01_oioxml_read", |b| {
        b.iter(|| oioxml::read(std::hint::black_box(&xml)).expect("reads"));
    });
    g.bench_function("dis01_edifact_read", |b| {
        b.iter(|| edifact::read(std::hint::black_box(&edi)).expect("reads"));
    });
    g.bench_function("dis01_edifact_to_oioxml", |b| {
        b.iter(|| convert::edifact_to_oioxml(std::hint::black_box(&edi)).expect("converts"));
    });
    g.bench_function("xdis01_oioxml_to_edifact", |b| {
        b.iter(|| convert::oioxml_to_edifact(std::hint::black_box(&xml)).expect("converts"));
    });
    g.finish();
}

mod group {
    //! The criterion group (its generated function has no doc comment).
    #![allow(missing_docs)]
    criterion::criterion_group!(benches, super::legacy);
}
criterion_main!(group::benches);
