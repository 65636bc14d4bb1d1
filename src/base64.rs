//! Standard base64 (RFC 4648, with padding) as the envelopes use it: a thin wrapper over the
//! `base64` crate that decodes the way envelopes are written (lines wrapped with XML whitespace,
//! padding optional).

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;

/// Padded on output; on input padding may be left out and unused trailing bits are ignored.
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Encodes bytes as padded base64.
#[must_use]
pub(crate) fn encode(input: &[u8]) -> String {
    ENGINE.encode(input)
}

/// Decodes base64, skipping XML whitespace (envelopes wrap long lines); padding is optional.
/// `None` for any other character, misplaced padding or a dangling single character.
#[must_use]
pub(crate) fn decode(input: &str) -> Option<Vec<u8>> {
    let compact: Vec<u8> = input
        .bytes()
        .filter(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
        .collect();
    ENGINE.decode(compact).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(encode(b"Man"), "TWFu");
        assert_eq!(encode(b"Ma"), "TWE=");
        assert_eq!(decode("TW\nFu").as_deref(), Some(&b"Man"[..]));
        assert_eq!(decode("TWE=").as_deref(), Some(&b"Ma"[..]));
        assert_eq!(decode("TWE").as_deref(), Some(&b"Ma"[..]));
    }

    #[test]
    fn round_trips_every_length() {
        let data: Vec<u8> = (0..=255u8).collect();
        for n in 0..data.len() {
            let text = encode(&data[..n]);
            assert_eq!(decode(&text).as_deref(), Some(&data[..n]), "{n}");
        }
    }

    #[test]
    fn refuses_what_is_not_base64() {
        for bad in ["T", "TW=u", "TWE===", "TW!u", "=TWE"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
