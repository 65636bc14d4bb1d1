//! The legacy readers never panic: arbitrary bytes, bytes behind a valid EDIFACT or OIOXML
//! prefix, and MedCom's examples with bytes changed all go through the fuzz harnesses (read,
//! write and read back, convert, answer with a receipt).

mod common;

use medcom::__fuzz;
use proptest::prelude::*;

const EDI_PREFIX: &[u8] = b"UNA:+.? 'UNB+UNOC:3+5790000120420:14+5790000128686:14+990115:1202+K1++++1'UNH+B1+MEDDIS:D:93A:UN:D0133L+DIS01'";
const XML_PREFIX: &[u8] = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Emessage xmlns=\"http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/\"><Envelope><Sent><Date>1999-01-15</Date><Time>12:02</Time></Sent><Identifier>K1</Identifier><AcknowledgementCode>pluspositivkvitt</AcknowledgementCode></Envelope><DischargeLetter>";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        __fuzz::edifact(&data);
        __fuzz::oioxml(&data);
    }

    #[test]
    fn edifact_after_a_valid_start(data in proptest::collection::vec(
        prop_oneof![any::<u8>(), Just(b'\''), Just(b'+'), Just(b':'), Just(b'?'), Just(b'S')], 0..256)) {
        let mut input = EDI_PREFIX.to_vec();
        input.extend(data);
        __fuzz::edifact(&input);
    }

    #[test]
    fn oioxml_after_a_valid_start(tail in "(<[A-Za-z]{1,12}>|</[A-Za-z]{1,12}>|<Break/>|[a-z ]{0,5}|&amp;|\\?){0,40}") {
        let mut input = XML_PREFIX.to_vec();
        input.extend(tail.as_bytes());
        input.extend_from_slice(b"</DischargeLetter></Emessage>");
        __fuzz::oioxml(&input);
    }
}

/// Every example with a few bytes changed.
#[test]
#[cfg_attr(medcom_no_shared, ignore = "needs ../shared (MEDCOM_SHARED)")]
fn mutated_examples() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = shared.join("medcom/legacy/files/glasdam_edifact_converter/test/complete/files");
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for kind in ["edifact", "xml"] {
        for entry in std::fs::read_dir(dir.join(kind)).unwrap() {
            let original = std::fs::read(entry.unwrap().path()).unwrap();
            if original.len() > 20_000 {
                continue;
            }
            for _ in 0..20 {
                let mut data = original.clone();
                for _ in 0..(next() % 4 + 1) {
                    let at = usize::try_from(next() % data.len() as u64).unwrap();
                    data[at] = [b'\'', b'+', b':', b'?', b'<', b'>', b'/', 0xD8, b'\n']
                        [usize::try_from(next() % 9).unwrap()];
                }
                if kind == "edifact" {
                    __fuzz::edifact(&data);
                } else {
                    __fuzz::oioxml(&data);
                }
            }
            __fuzz::edifact(&original);
            __fuzz::oioxml(&original);
        }
    }
}
